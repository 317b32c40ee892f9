"""Figures for the finance director's dashboards: budget against actual per fund, grants at risk and retained
income, every panel for one financial year and **as at one date** (``dashboard_parameters`` checks the pair;
``dashboard_figures`` reads every panel for it).

As at the date, read as the statements read it when produced now (``reports.parameters``): ledger figures count
the entries dated on or before it (whenever they were posted); the year's budgets and approved virements are as
recorded, and each line's forecast outturn is the latest forecast made on or before the date (the revised budget
where none had been made), so the dashboard agrees with the fund statement for the same date. Grants at risk are
the grants drawing on the year's funds that were being paid on that date (status from their history, as the grants
statement reads it) whose latest return for the year received by then was red or amber, with the commitment still
outstanding on the year's funding. Retained income counts the documents dated in the year by then and not
reversed by then, and what was owed to HM Treasury on that date. A fixed number of queries whatever the data size.

Without an as-at date (the home page) the functions read the ledger's kept positions as they stand now.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from core.money import ZERO, quantize
from funds.calendar import year_label_parse
from funds.models import FinancialYear, Fund
from funds.selectors import BudgetTotal, Variance, current_year, fund_budget_totals, funds_all, variance
from grants.models import FundingLine, Grant, MonitoringReturn
from grants.selectors import grants_with_totals
from income.models import FeeReceipt, FpnReturn, PocaReceipt
from income.selectors import treasury_owed_by_fund
from ledger.selectors import fund_positions
from reports.charts import Chart, bar_chart
from reports.figures import FundFigures, fund_figures, treasury_creditor
from reports.parameters import _parse_date
from reports.snapshot import budget_lines_as_of, latest_forecasts_as_of, virement_moves_as_of
from reports.statements.grants import grant_first_payment_dates, grant_ledger_figures, grant_statuses_as_at

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


@dataclass(frozen=True)
class DashboardParameters:
    year: FinancialYear
    as_at: date


def dashboard_parameters(*, year=None, as_at=None, today: date | None = None) -> DashboardParameters:
    """The financial year and the as-at date every panel is for. ``year``: a FinancialYear, its start year
    (``2025``) or label (``2025/26``); by default the year ``today`` falls in. ``as_at``: a date or its text; by
    default today, or the year's last day for a year that has ended. Refused, with what would be right: a year that
    is not set up (naming those that are), an unreadable date, a date after today, a date outside the year, and a
    year that has not begun."""
    today = today or timezone.localdate()
    years = FinancialYear.objects.order_by("-start_year")
    if year in (None, ""):
        fy = current_year(today)
        if fy is None:
            raise ValidationError({"year": f"No financial year set up covers today ({today:%d/%m/%Y}): choose a "
                                           "year, or ask a finance officer to open this one."})
    elif isinstance(year, FinancialYear):
        fy = year
    else:
        text = str(year).strip()
        try:
            start = int(text) if text.isdigit() and len(text) == 4 else year_label_parse(text)
        except (ValidationError, ValueError):
            start = None
        fy = years.filter(start_year=start).first() if start is not None else None
        if fy is None:
            labels = ", ".join(y.label for y in years)
            shown = f"{start}/{(start + 1) % 100:02d}" if start is not None else f"'{text}'"
            raise ValidationError({"year": f"There is no financial year {shown}. "
                                           + (f"Years set up: {labels}." if labels else "No year is set up yet.")})
    if fy.start_date > today:
        raise ValidationError({"year": f"{fy.label} begins on {fy.start_date:%d/%m/%Y}, after today: its dashboards "
                                       "can be seen once it has begun."})
    day = _parse_date(as_at, "as_at") if as_at not in (None, "") else min(today, fy.end_date)
    if day > today:
        raise ValidationError({"as_at": f"{day:%d/%m/%Y} is after today ({today:%d/%m/%Y}): figures can be shown "
                                        "as at today or an earlier date."})
    if not fy.start_date <= day <= fy.end_date:
        raise ValidationError({"as_at": f"{day:%d/%m/%Y} is outside {fy.label} ({fy.start_date:%d/%m/%Y} to "
                                        f"{fy.end_date:%d/%m/%Y}): choose a date in the year, or leave the date "
                                        "empty for the year's latest figures."})
    return DashboardParameters(year=fy, as_at=day)


def dashboard_figures(params: DashboardParameters) -> dict:
    """Every panel of the dashboards for one year, as at one date."""
    year, as_at = params.year, params.as_at
    rows = budget_against_actual(year=year, as_at=as_at)
    return {
        "year": year,
        "as_at": as_at,
        "budget_rows": rows,
        "chart": budget_chart(rows, year, as_at=as_at),
        "retained": retained_income(year=year, as_at=as_at),
        "at_risk": grants_at_risk(year=year, as_at=as_at),
    }


def _budgets_as_at(*, year: FinancialYear, as_at: date) -> dict[int, BudgetTotal]:
    """Revised budget and forecast outturn per fund id as the fund statement reads them for ``as_at``: lines and
    approved virements as recorded, the latest forecast made on or before ``as_at`` (the revised budget where
    none). Three queries."""
    known = timezone.now()
    moves = virement_moves_as_of(year=year, known_at=known)
    forecasts = latest_forecasts_as_of(year=year, known_at=known, made_on_or_before=as_at)
    revised, outturn = {}, {}
    for line in budget_lines_as_of(year=year, known_at=known):
        line_revised = line.original.amount + moves.get(line.pk, ZERO)
        forecast = forecasts.get(line.pk)
        revised[line.fund_id] = revised.get(line.fund_id, ZERO) + line_revised
        outturn[line.fund_id] = outturn.get(line.fund_id, ZERO) + (
            forecast.amount.amount if forecast else line_revised)
    return {fund_id: BudgetTotal(revised=quantize(revised[fund_id]), outturn=quantize(outturn[fund_id]))
            for fund_id in revised}


def budget_against_actual(*, year: FinancialYear, as_at: date | None = None) -> list[BudgetActualRow]:
    """Per active fund: revised budget, forecast outturn, spending limit, committed, actual and available, now
    (the kept positions) or as at ``as_at`` (the ledger's entries dated by then; budgets as they stood then)."""
    funds = funds_all().filter(is_active=True)
    if as_at is not None:
        budgets = _budgets_as_at(year=year, as_at=as_at)
        figures = fund_figures(year=year, as_at=as_at, known_at=timezone.now())
        rows = []
        for fund in funds:
            budget, f = budgets.get(fund.pk, BudgetTotal()), figures.get(fund.pk, FundFigures())
            rows.append(BudgetActualRow(
                fund=fund, budget=budget.revised, outturn=budget.outturn,
                limit=f.brought_forward + f.awarded - f.transferred_out, committed=f.committed, actual=f.actual,
                available=f.available,
            ))
        return rows
    budgets = fund_budget_totals(year=year)
    rows = []
    for p in fund_positions(year=year, funds=funds):
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


def budget_chart(rows: list[BudgetActualRow], year: FinancialYear, *, as_at: date | None = None) -> Chart:
    when = f", as at {as_at:%d/%m/%Y}" if as_at else ""
    return bar_chart(
        title=f"Budget against actual per fund, {year.label}{when}",
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


def retained_income(*, year: FinancialYear, as_at: date | None = None) -> RetainedSummary:
    """Totals for proceeds of crime, fixed penalties and course fees posted in the year (reversed documents count
    nothing), and what is owed to HM Treasury now (``income.selectors``, the one reading of it): five queries.
    With ``as_at``: the documents dated by then and not reversed by then, and what was owed to HM Treasury on that
    date (``reports.figures.treasury_creditor``)."""

    def documents(model):
        if as_at is None:
            return model.objects.standing().filter(entry__year=year)
        return model.objects.filter(Q(reversal__isnull=True) | Q(reversal__date__gt=as_at), entry__year=year,
                                    entry__date__lte=as_at)

    poca = documents(PocaReceipt).aggregate(
        n=Count("id"), gross=Sum("gross_recovered"), retained=Sum("amount")
    )
    fpn = documents(FpnReturn).aggregate(
        n=Count("id"),
        tickets=Sum("tickets"),
        gross=Sum("gross_value"),
        retained=Sum("retained"),
        treasury=Sum("owed_to_treasury"),
    )
    fees = documents(FeeReceipt).aggregate(n=Count("id"), total=Sum("amount"))
    if as_at is None:
        owed = sum((owed for _fund, owed in treasury_owed_by_fund()), ZERO)
    else:
        creditor = treasury_creditor(year=year, as_at=as_at, known_at=timezone.now())
        owed = sum((c.owed for c in creditor.values()), ZERO)

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
        treasury_owed_now=owed,
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


def grants_at_risk(*, year: FinancialYear | None = None, as_at: date | None = None) -> list[GrantAtRisk]:
    """Grants being paid whose latest monitoring return is red or amber, red first: five queries. With ``year``
    and ``as_at``: see ``_grants_at_risk_as_at``."""
    if year is not None and as_at is not None:
        return _grants_at_risk_as_at(year=year, as_at=as_at)
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


BEING_PAID = ("offer_accepted", "active")


def _grants_at_risk_as_at(*, year: FinancialYear, as_at: date) -> list[GrantAtRisk]:
    """Grants drawing on ``year``'s funds that were being paid on ``as_at`` (offer accepted or active then, from
    their history) whose latest return for the year received by then (sent-back returns aside) is red or amber,
    red first; "still to pay" is the commitment outstanding on the year's funding on that date. Six queries."""
    now = timezone.now()
    in_year = FundingLine.objects.filter(year=year).values("grant_id")
    statuses = grant_statuses_as_at(
        Grant.history.filter(id__in=in_year).order_by("history_date", "history_id"), as_at=as_at,
        first_payments=grant_first_payment_dates(known_at=now))
    paid_then = [grant_id for grant_id, status in statuses.items() if status in BEING_PAID]
    latest = {}
    returns = (MonitoringReturn.objects.filter(grant_id__in=paid_then, year=year, received_on__lte=as_at)
               .exclude(status=MonitoringReturn.Status.RETURNED).select_related("year"))
    for ret in returns:
        key = (ret.quarter, ret.received_on, ret.pk)
        if ret.grant_id not in latest or key > latest[ret.grant_id][0]:
            latest[ret.grant_id] = (key, ret)
    risky = {grant_id: ret for grant_id, (_key, ret) in latest.items()
             if ret.rag in (MonitoringReturn.Rag.RED, MonitoringReturn.Rag.AMBER)}
    ledger = grant_ledger_figures(year=year, as_at=as_at, known_at=now)
    grants = Grant.objects.filter(pk__in=list(risky)).select_related("organisation")
    rows = [
        GrantAtRisk(
            grant=g,
            rag=risky[g.pk].rag,
            quarter=f"Q{risky[g.pk].quarter} {risky[g.pk].year.label}",
            issues=risky[g.pk].delivery_issues,
            remaining=ledger.get(str(g.pk), {}).get("outstanding", ZERO),
        )
        for g in grants
    ]
    rows.sort(key=lambda r: (r.rag != MonitoringReturn.Rag.RED, -r.remaining, r.grant.pk))
    return rows
