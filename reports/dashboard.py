"""Figures for the finance director's dashboards: budget against actual per fund, and retained income.
A fixed number of queries whatever the data size: they read the ledger's kept fund positions and aggregates."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum

from core.money import ZERO, quantize
from funds.models import FinancialYear, Fund
from funds.selectors import BudgetTotal, Variance, fund_budget_totals, funds_all, variance
from grants.models import Grant, MonitoringReturn
from grants.selectors import grants_with_totals
from income.models import FeeReceipt, FpnReturn, PocaReceipt
from income.selectors import treasury_owed_by_fund
from ledger.selectors import fund_positions
from reports.charts import Chart, bar_chart

RATES = (Decimal("0"), Decimal("25"), Decimal("50"), Decimal("75"), Decimal("100"))


@dataclass(frozen=True)
class BudgetActualRow:
    fund: Fund
    budget: Decimal
    outturn: Decimal  # forecast outturn (lines without a forecast at their revised budget)
    limit: Decimal
    committed: Decimal
    actual: Decimal
    available: Decimal

    @property
    def spent_share(self) -> Decimal | None:
        """Actual spending as a percentage of the revised budget."""
        if not self.budget:
            return None
        return (self.actual * 100 / self.budget).quantize(Decimal("0.1"))

    @property
    def unspent_budget(self) -> Decimal:
        return self.budget - self.committed - self.actual

    @property
    def forecast_variance(self) -> Variance:
        """Revised budget against forecast outturn, by the one convention (positive = underspend)."""
        return variance(budget=self.budget, outturn=self.outturn)


def budget_against_actual(*, year: FinancialYear) -> list[BudgetActualRow]:
    budgets = fund_budget_totals(year=year)
    rows = []
    for p in fund_positions(year=year, funds=funds_all().filter(is_active=True)):
        budget = budgets.get(p.fund.pk, BudgetTotal())
        rows.append(
            BudgetActualRow(
                fund=p.fund,
                budget=budget.revised,
                outturn=budget.outturn,
                limit=p.limit,
                committed=p.committed,
                actual=p.actual,
                available=p.available,
            )
        )
    return rows


def budget_chart(rows: list[BudgetActualRow], year: FinancialYear) -> Chart:
    return bar_chart(
        title=f"Budget against actual per fund, {year.label}",
        desc="For each fund, three bars: the revised budget, the amount committed to grants but not yet paid, and "
        "the amount actually paid. The table below the chart gives the same figures.",
        groups=[
            (
                row.fund.code,
                [
                    ("Revised budget", "bar-budget", row.budget),
                    ("Committed", "bar-committed", row.committed),
                    ("Actual", "bar-actual", row.actual),
                ],
            )
            for row in rows
        ],
    )


@dataclass(frozen=True)
class RetainedSummary:
    poca_receipts: int
    poca_gross: Decimal
    poca_retained: Decimal
    fpn_returns: int
    fpn_tickets: int
    fpn_gross: Decimal
    fpn_retained: Decimal
    fpn_to_treasury: Decimal
    treasury_owed_now: Decimal  # HM Treasury's share of every year's fines less what has been paid over
    fees_receipts: int
    fees_total: Decimal

    @property
    def fpn_at_rates(self) -> list[tuple[Decimal, Decimal]]:
        """What the fines would have given the fund at other retained shares (the devolution deal's question)."""
        return [(rate, quantize(self.fpn_gross * rate / 100)) for rate in RATES]

    @property
    def total_retained(self) -> Decimal:
        return self.poca_retained + self.fpn_retained + self.fees_total


def retained_income(*, year: FinancialYear) -> RetainedSummary:
    """Totals for proceeds of crime, fixed penalties and course fees posted in the year (reversed documents count
    nothing), and what is owed to HM Treasury now (``income.selectors``, the one reading of it): five queries."""
    poca = PocaReceipt.objects.standing().filter(entry__year=year).aggregate(
        n=Count("id"), gross=Sum("gross_recovered"), retained=Sum("amount")
    )
    fpn = FpnReturn.objects.standing().filter(entry__year=year).aggregate(
        n=Count("id"),
        tickets=Sum("tickets"),
        gross=Sum("gross_value"),
        retained=Sum("retained"),
        treasury=Sum("owed_to_treasury"),
    )
    fees = FeeReceipt.objects.standing().filter(entry__year=year).aggregate(n=Count("id"), total=Sum("amount"))


    def q(value):
        return quantize(value) if value is not None else ZERO

    return RetainedSummary(
        poca_receipts=poca["n"],
        poca_gross=q(poca["gross"]),
        poca_retained=q(poca["retained"]),
        fpn_returns=fpn["n"],
        fpn_tickets=fpn["tickets"] or 0,
        fpn_gross=q(fpn["gross"]),
        fpn_retained=q(fpn["retained"]),
        fpn_to_treasury=q(fpn["treasury"]),
        treasury_owed_now=sum((owed for _fund, owed in treasury_owed_by_fund()), ZERO),
        fees_receipts=fees["n"],
        fees_total=q(fees["total"]),
    )


@dataclass(frozen=True)
class GrantAtRisk:
    grant: Grant
    rag: str
    quarter: str
    issues: str
    remaining: Decimal


def grants_at_risk() -> list[GrantAtRisk]:
    """Grants being paid whose latest monitoring return is red or amber, red first: five queries."""
    latest = MonitoringReturn.objects.filter(grant=OuterRef("pk")).order_by("-year__start_year", "-quarter")
    grants = list(
        Grant.objects.filter(status__in=(Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE))
        .annotate(latest_rag=Subquery(latest.values("rag")[:1]), latest_id=Subquery(latest.values("id")[:1]))
        .filter(latest_rag__in=(MonitoringReturn.Rag.RED, MonitoringReturn.Rag.AMBER))
        .select_related("organisation")
    )
    returns = MonitoringReturn.objects.select_related("year").in_bulk([g.latest_id for g in grants])
    totals = {row.grant.pk: row.totals for row in grants_with_totals(grants)}
    rows = [
        GrantAtRisk(
            grant=g,
            rag=g.latest_rag,
            quarter=f"Q{returns[g.latest_id].quarter} {returns[g.latest_id].year.label}",
            issues=returns[g.latest_id].delivery_issues,
            remaining=totals[g.pk].remaining,
        )
        for g in grants
    ]
    rows.sort(key=lambda r: (r.rag != MonitoringReturn.Rag.RED, -r.remaining, r.grant.pk))
    return rows
