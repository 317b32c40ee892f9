"""Quarters of the financial year (Q1 April-June ... Q4 January-March), as grants and returns use them."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from funds.models import FinancialYear, Period

MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


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

    @property
    def long_label(self) -> str:
        """The quarter with its months, e.g. 'Q3 2026/27 (October–December 2026)'."""
        start, end = self.start, self.end
        first = MONTHS[start.month] if start.year == end.year else f"{MONTHS[start.month]} {start.year}"
        return f"{self.label} ({first}–{MONTHS[end.month]} {end.year})"

    @property
    def first_day_after(self) -> date:
        """The day after the quarter's last day."""
        return self.end + timedelta(days=1)

    def has_ended(self, on: date) -> bool:
        """Whether the quarter's last day is before ``on`` (see ``reporting_end`` for a grant ending part-way)."""
        return on > self.end



def reporting_end(quarter: Quarter, grant_end: date) -> date:
    """The last day of ``quarter`` that a grant ending on ``grant_end`` covers: the quarter's end, or the grant's
    end when it ends part-way through. The quarter's return is recorded, and its instalment paid in arrears, only
    after this day."""
    return min(quarter.end, grant_end)


def quarter_end_phrase(quarter: Quarter, grant_end: date, *, name: str = "") -> str:
    """'Q3 2026/27 (October–December 2026) ends on 31/12/2026', or, for a grant ending part-way through,
    'Q2 2026/27 (July–September 2026) ends for this grant on 14/08/2026, when the grant ends'. ``name`` replaces
    the quarter's long label (e.g. 'its quarter')."""
    end = reporting_end(quarter, grant_end)
    name = name or quarter.long_label
    if end == quarter.end:
        return f"{name} ends on {end:%d/%m/%Y}"
    return f"{name} ends for this grant on {end:%d/%m/%Y}, when the grant ends"


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
    if not Period.objects.filter(Period.MONTHS, start_date__lte=day, end_date__gte=day).exists():
        years = list(FinancialYear.objects.order_by("start_year").values_list("start_year", flat=True))
        span = (f"set up: {FinancialYear(start_year=years[0]).label} to {FinancialYear(start_year=years[-1]).label}"
                if years else "none is set up yet")
        raise ValidationError({field: f"{day:%d/%m/%Y} is not in any financial year that is set up ({span})."})
