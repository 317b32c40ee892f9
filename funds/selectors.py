"""Reading funds, the calendar and budgets for pages and statements. Each selector runs a fixed number of queries
whatever the number of rows (annotations and subqueries, never a query per row)."""

from dataclasses import dataclass
from datetime import date as Date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import ZERO, quantize
from funds.calendar import year_for_date
from funds.models import BudgetLine, FinancialYear, Forecast, Fund, Period, Virement

_DECIMAL = DecimalField(max_digits=16, decimal_places=2)
_PERCENT = Decimal("0.01")

#: The one sign convention for variances, said the same way on every page, statement and export.
VARIANCE_CONVENTION = "Variance: positive = underspend, negative = overspend (budget less outturn)."


class Variance(NamedTuple):
    amount: Decimal
    percent: Decimal | None  # percentage points of the budget, to two places; None where the budget is zero


def variance(*, budget: Decimal, outturn: Decimal) -> Variance:
    """The one variance rule: budget less outturn (or less actual, against a phased budget), so a positive
    variance is an underspend and a negative one an overspend; the percentage is of the budget, rounded half-up
    to two places. Every page, dashboard, statement and export computes its variance here."""
    amount = budget - outturn
    percent = None if not budget else (amount * 100 / budget).quantize(_PERCENT, rounding=ROUND_HALF_UP)
    return Variance(amount, percent)


def current_year(today: Date | None = None) -> FinancialYear | None:
    """The financial year holding today, or the latest one set up when today is in none."""
    today = today or timezone.localdate()
    return (
        FinancialYear.objects.filter(start_year=year_for_date(today)).first()
        or FinancialYear.objects.order_by("-start_year").first()
    )


def year_by_start(start_year) -> FinancialYear | None:
    try:
        return FinancialYear.objects.filter(start_year=int(start_year)).first()
    except (TypeError, ValueError):
        return None


def _virement_sum(direction: str):
    moves = (
        Virement.objects.filter(status=Virement.Status.APPROVED, **{direction: OuterRef("pk")})
        .order_by()
        .values(direction)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(moves, output_field=_DECIMAL), Value(ZERO), output_field=_DECIMAL)


def budget_lines(queryset: QuerySet | None = None) -> QuerySet:
    """Budget lines with their fund and year, approved virements in and out, and the latest forecast: one query."""
    latest_forecast = Forecast.objects.filter(line=OuterRef("pk")).order_by("-made_on", "-id").values("amount")[:1]
    return (
        (queryset if queryset is not None else BudgetLine.objects.all())
        .select_related("fund", "year")
        .annotate(
            moved_in=_virement_sum("to_line"),
            moved_out=_virement_sum("from_line"),
            latest_forecast=Subquery(latest_forecast, output_field=_DECIMAL),
        )
    )


@dataclass(frozen=True)
class BudgetLineRow:
    line: BudgetLine
    original: Decimal
    virements_in: Decimal
    virements_out: Decimal
    forecast: Decimal | None

    @property
    def virements_net(self) -> Decimal:
        return self.virements_in - self.virements_out

    @property
    def revised(self) -> Decimal:
        return self.original + self.virements_in - self.virements_out

    @property
    def outturn(self) -> Decimal:
        """The latest forecast outturn, or the revised budget where no forecast has been made (on budget)."""
        return self.revised if self.forecast is None else self.forecast

    @property
    def forecast_variance(self) -> Variance | None:
        """Revised budget against the latest forecast (see ``variance``); None where no forecast has been made."""
        return None if self.forecast is None else variance(budget=self.revised, outturn=self.forecast)


def budget_rows(lines) -> list[BudgetLineRow]:
    """Rows for lines that came from ``budget_lines()``: the arithmetic in exact Decimals, rounded to pence."""
    return [
        BudgetLineRow(
            line=line,
            original=quantize(line.original.amount),
            virements_in=quantize(line.moved_in or ZERO),
            virements_out=quantize(line.moved_out or ZERO),
            forecast=None if line.latest_forecast is None else quantize(line.latest_forecast),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class BudgetTotal:
    """A fund's budget lines added up: revised budget, and forecast outturn (lines without a forecast count at
    their revised budget, as the fund statement counts them)."""

    revised: Decimal = ZERO
    outturn: Decimal = ZERO

    @property
    def forecast_variance(self) -> Variance:
        return variance(budget=self.revised, outturn=self.outturn)


def budget_total(rows: list[BudgetLineRow]) -> BudgetTotal:
    return BudgetTotal(revised=sum((r.revised for r in rows), ZERO), outturn=sum((r.outturn for r in rows), ZERO))


def fund_budget_totals(*, year: FinancialYear) -> dict[int, BudgetTotal]:
    """Revised budget and forecast outturn per fund id for a year, from the lines, approved virements and the
    latest forecasts: one query."""
    by_fund: dict[int, list[BudgetLineRow]] = {}
    for row in budget_rows(budget_lines(BudgetLine.objects.filter(year=year))):
        by_fund.setdefault(row.line.fund_id, []).append(row)
    return {fund_id: budget_total(rows) for fund_id, rows in by_fund.items()}


def virements(queryset: QuerySet | None = None) -> QuerySet:
    return (queryset if queryset is not None else Virement.objects.all()).select_related(
        "from_line__fund", "from_line__year", "to_line", "requested_by", "decided_by"
    )


def virements_awaiting_approval() -> QuerySet:
    return virements(Virement.objects.filter(status=Virement.Status.REQUESTED)).order_by("requested_at", "id")


def periods_due_to_close(*, today: Date | None = None) -> QuerySet:
    """Months that have ended but are still open: month-end close is due."""
    today = today or timezone.localdate()
    return Period.objects.filter(is_closed=False, end_date__lt=today).select_related("year").order_by("start_date")


def fund_search(queryset: QuerySet, text: str) -> QuerySet:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(funder__name__icontains=text))


def funds_all() -> QuerySet:
    return Fund.objects.select_related("funder").order_by("code")
