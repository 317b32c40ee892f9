"""The year end (DOMAIN.md 10): accrue what was delivered and not paid, deal with each fund's unspent money by its
rule, and close the year. ``year_end_plan`` works out everything and writes nothing; ``year_end_run`` posts
exactly what the plan lists, once.

For each fund with money in the closing year, in the year's adjustments period P13 (dated 31 March):

- **grant accruals**: every instalment of a grant being delivered (offer accepted or active) whose quarter ended
  by 31 March and which was not paid by then: Dr grant spending accrued / Cr accruals. The spending position does
  not move (the commitment becomes spending); statements show it as accrued and actual, no longer committed.
- **manual accruals** recorded for the year (``manual_accrual_record``): Dr other accrued spending / Cr accruals.
- **unspent money** (what was available at 31 March, as the fund statement as at 31 March shows it, less the manual
  accruals) by the fund's year-end rule:
  *return*: Dr unspent transferred out / Cr owed to funder, a creditor cleared by ``funder_repayment_record``;
  *carry forward*: Dr unspent transferred out / Cr earmarked reserve carried forward, and in the next year
  Dr earmarked reserve brought in / Cr balance brought forward, so it is next year's spending power;
  *lapse*: Dr unspent transferred out / Cr unspent lapsed.

Then P13 is closed, the year is marked as through its year end, and every accrual is reversed on 1 April of the
next year (or, if April is already closed, on the first day of the next year's first open month), in the closing
funding year, so the April payment of a January-March instalment clears it.

Money freed in the closing year by what is dated after 31 March (a commitment released in May, a clawback) is not
part of the year end's figures; it stays available in the closing year and the plan shows it.

Commitments: a grant's amount for each year is committed in that year's own funding line, so a multi-year grant's
outstanding commitments for later years are already in those years; the plan shows them. A commitment of the
closing year that is not accrued (a grant whose offer is not yet accepted) stays committed to the closing year
until it is paid or released, and is neither returned nor carried.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, from_pence, gbp, parse_amount, quantize
from core.roles import FINANCE_DIRECTORS, FINANCE_OFFICERS, has_role, require_role
from funds.calendar import year_open
from funds.models import FinancialYear, Fund, Period
from grants.models import Grant, Instalment, MonitoringReturn, Payment
from income.models import FpnReturn
from ledger import accounts as acc
from ledger.models import Account, FundPosition, JournalLine
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, entry_reverse
from ledger.reversals import document_reverse
from ledger.selectors import account_totals
from yearend.models import FunderRepayment, ManualAccrual

DELIVERING = (Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)
ROLES = {code: role for code, _name, _type, role in acc.CHART}
SOURCE = "yearend"


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class GrantAccrual:
    instalment: Instalment
    amount: Decimal

    @property
    def fund(self) -> Fund:
        return self.instalment.funding_line.fund

    @property
    def describe(self) -> str:
        i = self.instalment
        return f"{i.grant.reference} Q{i.quarter} {i.year.label} ({i.grant.organisation.name})"


@dataclass
class FundYearEnd:
    """One fund's figures for the closing year and what the year end does with them."""

    fund: Fund
    limit: Decimal = ZERO  # as at 31 March: what is dated later (a commitment released in May) does not count
    committed: Decimal = ZERO
    actual: Decimal = ZERO
    available_now: Decimal = ZERO  # the kept position, everything posted to the year whatever its date
    grant_accruals: list[GrantAccrual] = field(default_factory=list)
    manual_accruals: list[ManualAccrual] = field(default_factory=list)
    committed_next_year: Decimal = ZERO  # multi-year grants' commitments already in the next year

    @property
    def available(self) -> Decimal:
        """What is available at 31 March before the year end: the spending limit less commitments and spending, as
        the fund statement as at 31 March shows it. If less is available now (money committed to the year since),
        only that much can be returned or carried: ``unspent`` takes the smaller."""
        return self.limit - self.committed - self.actual

    @property
    def freed_since(self) -> Decimal:
        """Money freed in the year by what is dated after 31 March (commitments released, clawbacks): it stays
        available in the closing year after the year end."""
        return max(self.available_now - self.available, ZERO)

    @property
    def grant_accrued(self) -> Decimal:
        return sum((a.amount for a in self.grant_accruals), ZERO)

    @property
    def manual_accrued(self) -> Decimal:
        return sum((a.amount.amount for a in self.manual_accruals), ZERO)

    @property
    def still_committed(self) -> Decimal:
        """Commitments of the closing year at 31 March left once delivered instalments are accrued."""
        return self.committed - self.grant_accrued

    @property
    def unspent(self) -> Decimal:
        return min(self.available, self.available_now) - self.manual_accrued

    @property
    def rule(self) -> str:
        return self.fund.year_end_rule

    @property
    def to_return(self) -> Decimal:
        return self.unspent if self.rule == Fund.YearEndRule.RETURN else ZERO

    @property
    def to_carry(self) -> Decimal:
        return self.unspent if self.rule == Fund.YearEndRule.CARRY_FORWARD else ZERO

    @property
    def to_lapse(self) -> Decimal:
        return self.unspent if self.rule == Fund.YearEndRule.LAPSE else ZERO


@dataclass(frozen=True)
class PlannedEntry:
    kind: str  # accrual, manual_accrual, return, carry_forward, lapse
    description: str
    legs: tuple[Leg, ...]
    fund: Fund
    source_reference: str = ""
    accrual: object = None  # the GrantAccrual or ManualAccrual it posts

    @property
    def amount(self) -> Decimal:
        return sum((leg.amount for leg in self.legs if leg.direction == DEBIT), ZERO) / (
            2 if self.kind == "carry_forward" else 1
        )


@dataclass
class YearEndPlan:
    year: FinancialYear
    next_year_start: int
    checks: list[Check]
    funds: list[FundYearEnd]
    entries: list[PlannedEntry]
    reversal_day: Date | None
    done: bool = False  # the year end has already run

    @property
    def ready(self) -> bool:
        return not self.done and all(check.ok for check in self.checks)

    @property
    def next_label(self) -> str:
        return FinancialYear(start_year=self.next_year_start).label

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def refusal(self) -> str:
        return (f"The year end of {self.year.label} cannot run yet: "
                + " ".join(f"{check.label}: {check.detail}" for check in self.failures))


# ---- Reading: accruals, checks, the plan ---------------------------------------------------------------------


def grant_accruals(year: FinancialYear) -> list[GrantAccrual]:
    """Instalments of the year's funding lines whose quarter ended by 31 March and which were not paid in full by
    then (payments made later, and reversed payments, do not count), on grants being delivered at 31 March: the
    offer accepted by then, and still open or closed only after it."""
    end = year.end_date
    instalments = list(
        Instalment.objects.filter(year=year, funding_line__year=year, period_end__lte=end,
                                  grant__offer_accepted_on__lte=end)
        .filter(Q(grant__status__in=DELIVERING) | Q(grant__status=Grant.Status.CLOSED, grant__closed_on__gt=end))
        .select_related("grant__organisation", "funding_line__fund", "year")
        .order_by("funding_line__fund__code", "grant_id", "quarter", "id")
    )
    paid = dict(
        Payment.objects.filter(instalment__in=instalments, paid_on__lte=end, reversal__isnull=True)
        .values_list("instalment_id").annotate(total=Sum("amount")).values_list("instalment_id", "total")
    )
    accruals = []
    for instalment in instalments:
        unpaid = instalment.amount.amount - quantize(paid.get(instalment.pk) or ZERO)
        if unpaid > 0:
            accruals.append(GrantAccrual(instalment=instalment, amount=unpaid))
    return accruals


def _missing_returns(year: FinancialYear) -> list[str]:
    """The quarters of the year whose monitoring return a paying instalment waits for and which has not come in
    (received or accepted; a return sent back to the provider is not in), and the months an active fixed penalty
    fund has no return for."""
    missing = []
    due = {
        (i.grant_id, i.quarter): i.grant
        for i in Instalment.objects.filter(
            year=year, requires_return=True, grant__status__in=(*DELIVERING, Grant.Status.CLOSED)
        ).select_related("grant")
    }
    received = set(
        MonitoringReturn.objects.filter(year=year).exclude(status=MonitoringReturn.Status.RETURNED)
        .values_list("grant_id", "quarter")
    )
    for (grant_id, quarter), grant in sorted(due.items(), key=lambda item: (item[1].reference, item[0][1])):
        if (grant_id, quarter) not in received:
            missing.append(f"{grant.reference} Q{quarter} monitoring return")
    months = list(year.periods.filter(Period.MONTHS).order_by("number"))
    for fund in Fund.objects.filter(is_active=True, income_kind=Fund.IncomeKind.FPN).order_by("code"):
        have = set(FpnReturn.objects.filter(fund=fund, period__year=year, reversal__isnull=True)
                   .values_list("period_id", flat=True))
        for month in months:
            if month.pk not in have:
                missing.append(f"{fund.code} fixed penalty return for {month.start_date:%B %Y}")
    return missing


def _reversal_day(next_year: FinancialYear | None, next_start: int) -> tuple[Date | None, str]:
    """When the accruals reverse: 1 April of the next year if April is open (or the year is not yet opened: it
    opens with April open), else the first day of the next year's first open month."""
    april = Date(next_start, 4, 1)
    if next_year is None:
        label = FinancialYear(start_year=next_start).label
        return april, f"{label} will be opened; accruals reverse on {april:%d/%m/%Y}."
    first_open = next_year.periods.filter(Period.MONTHS, is_closed=False).order_by("start_date").first()
    if first_open is None:
        return None, (f"every month of {next_year.label} is closed, so the accruals could not be reversed; reopen "
                      f"{next_year.label}'s months from the latest back to April first.")
    if first_open.start_date == april:
        return april, f"accruals reverse on {april:%d/%m/%Y} (April {next_start} is open)."
    return first_open.start_date, (
        f"April {next_start} is closed, so the accruals reverse on {first_open.start_date:%d/%m/%Y}, the first day of "
        f"{next_year.label}'s first open month ({first_open.start_date:%B %Y}).")


def _fund_figures(year: FinancialYear, next_start: int, accruals: list[GrantAccrual]) -> list[FundYearEnd]:
    positions = {p.fund_id: p for p in FundPosition.objects.filter(funding_year=year)}
    manual = defaultdict(list)
    for accrual in ManualAccrual.objects.filter(year=year, entry__isnull=True).order_by("id"):
        manual[accrual.fund_id].append(accrual)
    by_fund = defaultdict(list)
    for accrual in accruals:
        by_fund[accrual.fund.pk].append(accrual)
    next_committed = {
        p.fund_id: from_pence(p.committed_pence)
        for p in FundPosition.objects.filter(funding_year__start_year=next_start)
    }
    at_end = defaultdict(lambda: [ZERO, ZERO, ZERO])  # limit, committed, actual per fund, as at 31 March
    for (fund_id, code), (debit, credit) in account_totals(year=year, as_at=year.end_date).items():
        role = ROLES.get(code)
        if role == Account.Role.LIMIT:
            at_end[fund_id][0] += credit - debit
        elif role == Account.Role.COMMITTED:
            at_end[fund_id][1] += debit - credit
        elif role == Account.Role.ACTUAL:
            at_end[fund_id][2] += debit - credit
    rows = []
    for fund in Fund.objects.filter(pk__in=set(positions) | set(manual) | set(by_fund)).order_by("code"):
        p = positions.get(fund.pk)
        limit, committed, actual = at_end[fund.pk]
        row = FundYearEnd(
            fund=fund, limit=limit, committed=committed, actual=actual,
            available_now=from_pence(p.limit_pence - p.committed_pence - p.actual_pence) if p else ZERO,
            grant_accruals=by_fund.get(fund.pk, []),
            manual_accruals=manual.get(fund.pk, []),
            committed_next_year=next_committed.get(fund.pk, ZERO),
        )
        if row.limit or row.committed or row.actual or row.manual_accruals or row.grant_accruals:
            rows.append(row)
    return rows


def _entries(year: FinancialYear, next_year_ref: FinancialYear, funds: list[FundYearEnd]) -> list[PlannedEntry]:
    end = f"{year.end_date:%d/%m/%Y}"
    entries = []
    for row in funds:
        fund = row.fund
        for accrual in row.grant_accruals:
            entries.append(PlannedEntry(
                kind="accrual", fund=fund, accrual=accrual, source_reference=accrual.instalment.grant.reference,
                description=f"Accrual at {end}: {accrual.describe}, delivered and unpaid",
                legs=(Leg(acc.GRANT_ACCRUALS, fund, DEBIT, accrual.amount, year,
                          accrual.instalment.funding_line.budget_line),
                      Leg(acc.ACCRUALS, fund, CREDIT, accrual.amount, year)),
            ))
        for accrual in row.manual_accruals:
            amount = accrual.amount.amount
            entries.append(PlannedEntry(
                kind="manual_accrual", fund=fund, accrual=accrual, source_reference=f"Accrual {accrual.pk}",
                description=f"Accrual at {end}: {fund.code}: {accrual.reason}"[:300],
                legs=(Leg(acc.OTHER_ACCRUALS, fund, DEBIT, amount, year),
                      Leg(acc.ACCRUALS, fund, CREDIT, amount, year)),
            ))
        unspent = row.unspent
        if unspent <= 0:
            continue
        out = Leg(acc.YEAR_END_TRANSFERS, fund, DEBIT, unspent, year)
        if row.rule == Fund.YearEndRule.RETURN:
            entries.append(PlannedEntry(
                kind="return", fund=fund,
                description=f"Unspent {year.label} grant owed back to {fund.funder}: {fund.code}",
                legs=(out, Leg(acc.FUNDER_CREDITOR, fund, CREDIT, unspent, year)),
            ))
        elif row.rule == Fund.YearEndRule.CARRY_FORWARD:
            entries.append(PlannedEntry(
                kind="carry_forward", fund=fund,
                description=f"Unspent {year.label} carried forward to {next_year_ref.label} as earmarked reserve: "
                            f"{fund.code}",
                legs=(out, Leg(acc.RESERVE_CARRIED_FORWARD, fund, CREDIT, unspent, year),
                      Leg(acc.RESERVE_APPLIED, fund, DEBIT, unspent, next_year_ref),
                      Leg(acc.RESERVES_BROUGHT_FORWARD, fund, CREDIT, unspent, next_year_ref)),
            ))
        else:
            entries.append(PlannedEntry(
                kind="lapse", fund=fund, description=f"Unspent {year.label} lapsed under the agreement: {fund.code}",
                legs=(out, Leg(acc.LAPSED, fund, CREDIT, unspent, year)),
            ))
    return entries


def year_end_plan(*, year: FinancialYear, by=None) -> YearEndPlan:
    """Everything the year end of ``year`` would do, and whether it can: writes nothing. ``by``, when given, must
    be a finance director (the checklist says so otherwise)."""
    next_start = year.start_year + 1
    if year.is_year_ended:
        return YearEndPlan(year=year, next_year_start=next_start, checks=[], funds=[], entries=[], reversal_day=None,
                           done=True)
    checks = []
    if by is not None:
        ok = has_role(by, *FINANCE_DIRECTORS)
        checks.append(Check("Run by a finance director", ok,
                            "yes" if ok else f"{by.get_username()} is not a finance director; only a finance director "
                                             "runs the year end."))
    open_months = list(year.periods.filter(Period.MONTHS, is_closed=False).order_by("number"))
    checks.append(Check(
        "All twelve months closed", not open_months,
        "P1-P12 are closed." if not open_months else
        f"{len(open_months)} still open: {', '.join(str(p) for p in open_months)}; close them first, in order."))
    previous = FinancialYear.objects.filter(start_year=year.start_year - 1).first()
    posted_before = previous is not None and JournalLine.objects.filter(funding_year=previous).exists()
    if posted_before and not previous.is_year_ended:
        checks.append(Check("Previous year through its year end", False,
                            f"{previous.label} has not been through its year end; run it first."))
    missing = _missing_returns(year)
    checks.append(Check(
        "Returns in", not missing,
        "every monitoring return and fixed penalty return of the year is in." if not missing else
        f"{len(missing)} missing: {', '.join(missing[:12])}{' and more' if len(missing) > 12 else ''}."))
    next_year = FinancialYear.objects.filter(start_year=next_start).first()
    reversal_day, reversal_text = _reversal_day(next_year, next_start)
    checks.append(Check("Accruals reverse in the next year", reversal_day is not None, reversal_text))
    accruals = grant_accruals(year)
    funds = _fund_figures(year, next_start, accruals)
    for row in funds:
        if row.still_committed < 0:
            checks.append(Check(
                f"{row.fund.code} accruals within its commitments", False,
                f"the delivered, unpaid instalments come to {format_gbp(row.grant_accrued)} but only "
                f"{format_gbp(row.committed)} was committed at {year.end_date:%d/%m/%Y}; check the grants' "
                "schedules against their commitments."))
        if row.unspent < 0:
            checks.append(Check(
                f"{row.fund.code} manual accruals within what is available", False,
                f"manual accruals of {format_gbp(row.manual_accrued)} exceed the {format_gbp(row.available)} available "
                f"by {format_gbp(-row.unspent)}; correct or remove an accrual."))
    next_ref = next_year or FinancialYear(start_year=next_start)
    entries = _entries(year, next_ref, funds)
    return YearEndPlan(year=year, next_year_start=next_start, checks=checks, funds=funds, entries=entries,
                       reversal_day=reversal_day)


# ---- Writing: the run ----------------------------------------------------------------------------------------


@dataclass
class YearEndResult:
    plan: YearEndPlan
    posted: list = field(default_factory=list)  # journal entries, in order
    reversals: list = field(default_factory=list)


def _adjustments_period(year: FinancialYear) -> Period:
    period, _ = Period.objects.get_or_create(
        year=year, number=Period.ADJUSTMENTS, defaults={"start_date": year.end_date, "end_date": year.end_date}
    )
    return period


@transaction.atomic
def year_end_run(*, year: FinancialYear, by) -> YearEndResult:
    """Post the year end of ``year`` exactly as ``year_end_plan`` lists it, once. Refused, writing nothing, unless
    the checklist is met; a year already through its year end writes nothing and says so."""
    require_role(by, FINANCE_DIRECTORS, doing="run the year end")
    lock(FinancialYear.objects.filter(pk=year.pk))
    lock(Period.objects.all())  # the calendar may not move while the year closes
    year = FinancialYear.objects.get(pk=year.pk)
    if year.is_year_ended:
        raise ValidationError(
            f"{year.label} went through its year end on {timezone.localtime(year.year_end_at):%d/%m/%Y %H:%M} "
            f"(by {year.year_end_by.get_full_name() or year.year_end_by.get_username()}); nothing more is posted.")
    lock(Fund.objects.all())
    plan = year_end_plan(year=year, by=by)
    if not plan.ready:
        raise ValidationError(plan.refusal())
    if not FinancialYear.objects.filter(start_year=plan.next_year_start).exists():
        year_open(start_year=plan.next_year_start, by=by)
    next_year = FinancialYear.objects.get(start_year=plan.next_year_start)
    plan = year_end_plan(year=year, by=by)  # the same, now pointing at the opened year
    p13 = _adjustments_period(year)
    result = YearEndResult(plan=plan)
    accrual_entries = []
    for planned in plan.entries:
        entry = entry_post(date=year.end_date, description=planned.description, legs=list(planned.legs), by=by,
                           source_type=f"{SOURCE}.{planned.kind}", source_id=str(year.pk),
                           source_reference=planned.source_reference or f"Year end {year.label}",
                           adjustments=p13)
        result.posted.append(entry)
        if planned.kind == "manual_accrual":
            planned.accrual.entry = entry
            accrual_entries.append((entry, planned.accrual))
        elif planned.kind == "accrual":
            accrual_entries.append((entry, None))
    p13.is_closed, p13.closed_by, p13.closed_at = True, by, timezone.now()
    save_with_history(p13, by=by, reason=f"Year end {year.label}", clean=False)
    for entry, manual in accrual_entries:
        reversal = entry_reverse(entry=entry, date=plan.reversal_day, by=by, document=manual or year,
                                 reason=f"accrual reversed at the start of {next_year.label}")
        result.reversals.append(reversal)
        if manual is not None:
            manual.reversal = reversal
            save_with_history(manual, by=by, reason=f"Posted by the year end of {year.label}", clean=False)
    year.year_end_at, year.year_end_by = timezone.now(), by
    save_with_history(year, by=by, reason="Year end", clean=False)
    totals = {kind: sum((e.amount for e in plan.entries if e.kind == kind), ZERO)
              for kind in ("accrual", "manual_accrual", "return", "carry_forward", "lapse")}
    record_event(
        "year.ended", by=by, obj=year,
        summary=(f"Year end {year.label}: {len(result.posted)} entries in P13 and {len(result.reversals)} accrual "
                 f"reversals; accrued {format_gbp(totals['accrual'] + totals['manual_accrual'])}, owed to funders "
                 f"{format_gbp(totals['return'])}, carried forward {format_gbp(totals['carry_forward'])}, lapsed "
                 f"{format_gbp(totals['lapse'])}"),
        data={"entries": [e.reference for e in result.posted], "reversals": [e.reference for e in result.reversals],
              **{k: str(v) for k, v in totals.items()}},
    )
    return result


# ---- Manual accruals and repayments to funders ---------------------------------------------------------------


def accrual_year_refusal(year: FinancialYear, today: Date) -> str | None:
    if year.is_year_ended:
        return f"{year.label} has been through its year end; accruals for it can no longer be added."
    if today <= year.end_date:
        return (f"An accrual is made at the year end, in the adjustments period after March: {year.label} runs to "
                f"{year.end_date:%d/%m/%Y}, so its accruals can be recorded from "
                f"{year.end_date + timedelta(days=1):%d/%m/%Y}. Spending during the year is recorded as it happens.")
    return None


@transaction.atomic
def manual_accrual_record(*, fund: Fund, year: FinancialYear, amount, reason: str, by, date: Date | None = None,
                          today: Date | None = None) -> ManualAccrual:
    """Record spending that belongs to ``year`` and is not yet paid (no grant instalment covers it), with its
    reason. It is dated 31 March and posted by the year end in P13, then reversed at the start of the next year.
    Refused in a year still running, after its year end, beyond what the fund has available, or with any date but
    the year's last day (an accrual never goes into an ordinary month)."""
    require_role(by, FINANCE_OFFICERS, doing="record accruals")
    value = parse_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say what the accrual is for, e.g. 'March helpline invoice not yet received'."})
    if date is not None and (not isinstance(date, Date) or isinstance(date, datetime)):
        raise ValidationError({"date": f"Give the accrual's date as a day: {year.end_date:%d/%m/%Y}, the year's last "
                                       "day (or leave it out)."})
    if date is not None and date != year.end_date:
        raise ValidationError({"date": f"An accrual is posted at the year end, dated {year.end_date:%d/%m/%Y} in "
                                       f"{year.label}'s adjustments period (P13), never in an ordinary month; "
                                       f"{date:%d/%m/%Y} is not the year's last day."})
    refusal = accrual_year_refusal(year, today or timezone.localdate())
    if refusal:
        raise ValidationError({"year": refusal})
    lock(Fund.objects.filter(pk=fund.pk))
    position = FundPosition.objects.filter(fund=fund, funding_year=year).first()
    available = (from_pence(position.limit_pence - position.committed_pence - position.actual_pence)
                 if position else ZERO)
    pending = quantize(ManualAccrual.objects.filter(fund=fund, year=year, entry__isnull=True)
                       .aggregate(s=Sum("amount"))["s"] or ZERO)
    room = available - pending
    if value > room:
        raise ValidationError({"amount": f"{fund.code} has {format_gbp(room)} available for {year.label} once the "
                                         f"accruals already recorded ({format_gbp(pending)}) are counted; "
                                         f"{format_gbp(value)} is {format_gbp(value - room)} more than that."})
    accrual = ManualAccrual(fund=fund, year=year, amount=value, reason=reason, recorded_by=by)
    save_with_history(accrual, by=by, reason="Accrual recorded")
    record_event("accrual.recorded", by=by, obj=accrual, reason=reason,
                 summary=f"{accrual}: {format_gbp(value)} to be accrued at the year end")
    return accrual


@transaction.atomic
def manual_accrual_withdraw(*, accrual: ManualAccrual, reason: str, by) -> None:
    """Take back an accrual recorded in error, before the year end posts it (nothing was posted for it; its history
    keeps it, with who withdrew it and why). Once posted, an accrual stays: the year's figures are final."""
    require_role(by, FINANCE_OFFICERS, doing="withdraw accruals")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the accrual is withdrawn; the reason is kept in its history."})
    locked = lock(ManualAccrual.objects.filter(pk=accrual.pk))
    if not locked:
        raise ValidationError("This accrual has already been withdrawn.")
    accrual = ManualAccrual.objects.select_related("fund", "year").get(pk=accrual.pk)
    if accrual.entry_id is not None:
        raise ValidationError(f"{accrual} was posted by the year end of {accrual.year.label}; its figures are final, "
                              "so it is not withdrawn.")
    record_event("accrual.withdrawn", by=by, obj=accrual, reason=reason,
                 summary=f"{accrual}: {format_gbp(accrual.amount.amount)} withdrawn before the year end")
    accrual._history_user, accrual._change_reason = by, f"Withdrawn: {reason}"[:100]
    accrual.delete()


def funder_owed(*, fund: Fund, year: FinancialYear) -> Decimal:
    """Unspent grant of ``year`` still owed back to the fund's funder (the creditor, less repayments)."""
    debit, credit = account_totals(year=year).get((fund.pk, acc.FUNDER_CREDITOR), (ZERO, ZERO))
    return credit - debit


@transaction.atomic
def funder_repayment_record(*, fund: Fund, year: FinancialYear, reference: str, date: Date, amount, by,
                            today: Date | None = None):
    """Record unspent grant paid back to the funder: clears (part of) what the year end made owed to it."""
    require_role(by, FINANCE_OFFICERS, doing="record repayments to funders")
    value = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": "Give the payment's reference, e.g. the remittance number."})
    if not isinstance(date, Date):
        raise ValidationError({"date": "Give the date the money left the bank, e.g. 30/06/2026."})
    if date > (today or timezone.localdate()):
        raise ValidationError({"date": f"{date:%d/%m/%Y} is in the future; record a repayment once it is made."})
    lock(Fund.objects.filter(pk=fund.pk))
    owed = funder_owed(fund=fund, year=year)
    if owed <= 0:
        raise ValidationError({"amount": f"Nothing is owed to {fund.funder} on {fund.code} for {year.label}: the year "
                                         "end returns unspent money only for funds whose rule is to return it."})
    if value > owed:
        raise ValidationError({"amount": f"{format_gbp(owed)} is owed to {fund.funder} on {fund.code} for "
                                         f"{year.label}; {format_gbp(value)} is {format_gbp(value - owed)} more."})
    entry = entry_post(date=date, by=by, source_type="yearend.funderrepayment", source_reference=reference,
                       description=f"Unspent {year.label} grant repaid to {fund.funder}: {fund.code}",
                       legs=[Leg(acc.FUNDER_CREDITOR, fund, DEBIT, value, year),
                             Leg(acc.CASH, fund, CREDIT, value, year)])
    repayment = FunderRepayment(fund=fund, year=year, reference=reference, date=date, amount=gbp(value), entry=entry,
                                recorded_by=by)
    save_with_history(repayment, by=by, reason="Repayment to funder recorded")
    record_event("funder.repaid", by=by, obj=repayment, summary=f"{repayment}: {format_gbp(value)} ({entry.reference})")
    return repayment


@transaction.atomic
def funder_repayment_reverse(*, repayment, reason: str, by, on: Date | None = None):
    lock(type(repayment).objects.filter(pk=repayment.pk))
    repayment = type(repayment).objects.select_related("entry", "fund", "year").get(pk=repayment.pk)
    return document_reverse(repayment, what="repayment to a funder", reason=reason, by=by, on=on, of_year_end=True)


def owed_to_funders(*, year: FinancialYear) -> list[tuple[Fund, Decimal]]:
    """Funds with unspent grant of ``year`` still owed to their funder."""
    totals = account_totals(year=year)
    funds = {f.pk: f for f in Fund.objects.all()}
    rows = []
    for (fund_id, code), (debit, credit) in totals.items():
        if code == acc.FUNDER_CREDITOR and credit - debit:
            rows.append((funds[fund_id], credit - debit))
    return sorted(rows, key=lambda row: row[0].code)

