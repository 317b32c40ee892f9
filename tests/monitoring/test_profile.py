"""Profiled budget to date (monitoring/profile.py): the edge cases, exactly."""

from datetime import date
from decimal import Decimal as D

from monitoring.profile import profiled_to_date

QUARTERS = {1: D("40000.00"), 2: D("20000.00"), 3: D("20000.00"), 4: D("20000.00")}  # £100,000.00, front-loaded


def profile(as_at, *, revised="100000.00", phasing="quarterly", phases=QUARTERS):
    return profiled_to_date(revised=D(revised), phasing=phasing, phases=phases, start_year=2025, as_at=as_at)


def test_the_whole_year_is_the_revised_budget_exactly_whatever_the_shape():
    awkward = {slot: D("8333.33") for slot in range(1, 12)} | {12: D("8333.37")}
    assert profile(date(2026, 3, 31), revised="100000.01", phasing="monthly", phases=awkward) == D("100000.01")
    assert profile(date(2026, 9, 30), revised="77777.77") == D("77777.77")  # after the year end too
    assert profile(date(2025, 3, 31)) == D("0.00")  # before the year begins


def test_a_quarter_is_spread_evenly_over_its_three_months():
    assert profile(date(2025, 4, 30)) == D("13333.33")  # a third of Q1's £40,000.00
    assert profile(date(2025, 5, 31)) == D("26666.67")
    assert profile(date(2025, 6, 30)) == D("40000.00")
    assert profile(date(2025, 7, 31)) == D("46666.67")  # Q1 and a third of Q2's £20,000.00


def test_a_month_not_ended_counts_pro_rata_by_days():
    assert profile(date(2025, 4, 15)) == D("6666.67")  # 15 of April's 30 days of £13,333.33
    monthly = {slot: D("1000.00") for slot in range(1, 13)}
    assert profile(date(2026, 2, 14), revised="12000.00", phasing="monthly", phases=monthly) == D("10500.00")


def test_the_revised_budget_takes_the_shape_of_the_original_phasing():
    # A virement of +£50,000.00 on the £100,000.00 line: half as much again in each month, same shape.
    assert profile(date(2025, 6, 30), revised="150000.00") == D("60000.00")
    assert profile(date(2025, 6, 30), revised="0.00") == D("0.00")  # every penny vired away


def test_a_line_with_no_original_budget_is_profiled_evenly_by_month():
    nothing = {1: D("0.00"), 2: D("0.00"), 3: D("0.00"), 4: D("0.00")}
    assert profile(date(2025, 6, 30), revised="12000.00", phases=nothing) == D("3000.00")
    assert profile(date(2025, 6, 30), revised="10000.00", phases={}) == D("2500.00")
