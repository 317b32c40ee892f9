"""Profiled budget to date: how much of a budget line's revised budget should have been spent by a date.

The shape is the line's phasing of its original budget (``funds.BudgetPhase``): twelve monthly amounts, or four
quarterly ones, each quarter spread evenly over its three months. The revised budget is profiled in the same shape
(revised x phased original to date / original), so a virement changes the amount, not the shape. A line whose
phasing adds up to nothing (no original budget) is profiled evenly by month. A month the date falls inside counts
pro rata by days (the 15th of a 30-day month is half of it). Arithmetic is exact (fractions) and rounded once, to
pence, by ``core.money.quantize``: the whole year gives the revised budget exactly.
"""

import calendar
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

from core.money import ZERO, quantize

MONTHLY = "monthly"


def month_starts(start_year: int) -> list[date]:
    """The first day of each month of the financial year starting in April ``start_year``: P1 (April) to P12."""
    return [date(start_year + (month < 4), month, 1) for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def month_elapsed(month_start: date, as_at: date) -> Fraction:
    """The part of the month elapsed at the end of ``as_at``: 0 before it, 1 from its last day, else days / days."""
    days = calendar.monthrange(month_start.year, month_start.month)[1]
    if as_at < month_start:
        return Fraction(0)
    if as_at >= month_start.replace(day=days):
        return Fraction(1)
    return Fraction(as_at.day, days)


def monthly_shape(phasing: str, phases: Mapping[int, Decimal]) -> list[Fraction]:
    """Twelve monthly weights from the phases (slot -> amount): a quarter's amount split evenly over its months;
    twelve equal weights when the phases add up to nothing."""
    if phasing == MONTHLY:
        weights = [Fraction(phases.get(slot, ZERO)) for slot in range(1, 13)]
    else:
        weights = [Fraction(phases.get((month - 1) // 3 + 1, ZERO)) / 3 for month in range(1, 13)]
    if not any(weights):
        return [Fraction(1)] * 12
    return weights


def profiled_to_date(*, revised: Decimal, phasing: str, phases: Mapping[int, Decimal], start_year: int,
                     as_at: date) -> Decimal:
    """The revised budget profiled to the end of ``as_at`` in the shape of the phasing, rounded to pence."""
    weights = monthly_shape(phasing, phases)
    elapsed = sum((w * month_elapsed(start, as_at) for w, start in zip(weights, month_starts(start_year),
                                                                        strict=True)), Fraction(0))
    whole = sum(weights, Fraction(0))
    if elapsed == whole:
        return quantize(revised)
    share = Fraction(revised) * elapsed / whole
    return quantize(Decimal(share.numerator) / Decimal(share.denominator))
