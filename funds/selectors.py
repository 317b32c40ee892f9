"""Reading funds, the calendar and budgets for pages and statements. Each selector runs a fixed number of queries
whatever the number of rows (annotations and subqueries, never a query per row)."""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.money import ZERO, quantize
from funds.calendar import year_for_date
from funds.models import BudgetLine, FinancialYear, Forecast, Fund, Period, Virement

_DECIMAL = DecimalField(max_digits=16, decimal_places=2)


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
    def forecast_variance(self) -> Decimal | None:
        """Revised budget less forecast outturn: positive is a forecast underspend."""
        return None if self.forecast is None else self.revised - self.forecast


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


def fund_budget_totals(*, year: FinancialYear) -> dict[int, Decimal]:
    """Revised budget per fund id for a year. Virements move budget within a fund, so this is the original total;
    it is still computed from the lines and approved virements so that it stays true if that ever changes."""
    totals: dict[int, Decimal] = {}
    for row in budget_rows(budget_lines(BudgetLine.objects.filter(year=year))):
        totals[row.line.fund_id] = totals.get(row.line.fund_id, ZERO) + row.revised
    return totals


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
