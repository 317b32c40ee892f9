"""Quarters of the financial year (Q1 April-June ... Q4 January-March), as grants and returns use them."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from funds.models import FinancialYear, Period


@dataclass(frozen=True)
class Quarter:
    start_year: int
    number: int

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        month = (4 + 3 * (self.number - 1) + 2 - 1) % 12 + 1
        year = self.start_year + (1 if self.number == 4 else 0)
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def label(self) -> str:
        return f"Q{self.number} {FinancialYear(start_year=self.start_year).label}"


def quarter_of(day: date) -> Quarter:
    start_year = day.year if day.month >= 4 else day.year - 1
    return Quarter(start_year, (day.month - 4) % 12 // 3 + 1)


def quarters_within(year: FinancialYear, start: date, end: date) -> list[Quarter]:
    """The quarters of ``year`` that overlap the span ``start``..``end`` (inclusive)."""
    return [q for q in (Quarter(year.start_year, n) for n in range(1, 5)) if q.start <= end and q.end >= start]


def year_overlaps(year: FinancialYear, start: date, end: date) -> bool:
    return year.start_date <= end and year.end_date >= start


def require_set_up(day: date, *, field: str) -> None:
    """Refuse a date that falls in no financial year set up in the calendar."""
    if not Period.objects.filter(start_date__lte=day, end_date__gte=day).exists():
        years = list(FinancialYear.objects.order_by("start_year").values_list("start_year", flat=True))
        span = (f"set up: {FinancialYear(start_year=years[0]).label} to {FinancialYear(start_year=years[-1]).label}"
                if years else "none is set up yet")
        raise ValidationError({field: f"{day:%d/%m/%Y} is not in any financial year that is set up ({span})."})
