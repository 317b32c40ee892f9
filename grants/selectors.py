"""Reading grants: totals, remaining amounts, and the queues the pages show. Lists run in a fixed number of
queries whatever their length (tests assert the counts). Sums are quantized to pence here, because SQLite
returns decimal aggregates through floats. Every sum of payments or clawbacks reads only those that stand: a
reversed one (``reversal`` set) stays on the grant's page, marked reversed, and counts nowhere."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from core.money import ZERO, quantize
from funds.models import FinancialYear, Fund
from funds.selectors import virements_awaiting_approval
from grants.models import (
    BankDetails,
    Clawback,
    FundingLine,
    Grant,
    GrantCheck,
    GrantVariation,
    Instalment,
    MonitoringReturn,
    Payment,
    VariationLine,
)
from grants.quarters import Quarter, quarters_within
from grants.timeline import TimelineEntry, grant_timeline  # noqa: F401  (a selector too; re-exported here)
from ledger.selectors import fund_positions

PAYABLE = (Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)


def _q(value) -> Decimal:
    return quantize(value) if value is not None else ZERO


@dataclass(frozen=True)
class LineTotals:
    line: FundingLine
    original: Decimal
    amount: Decimal
    paid: Decimal
    clawed_back: Decimal
    released: Decimal
    outstanding_commitment: Decimal

    @property
    def remaining(self) -> Decimal:
        """What may still be paid from this line."""
        return self.amount - self.paid - self.released


@dataclass(frozen=True)
class GrantTotals:
    """Money on a grant. ``original`` is the award as approved, ``varied`` the award now; ``paid`` is gross
    payments, ``clawed_back`` what the recipient returned; ``outstanding_commitment`` is what the ledger still
    holds committed; ``remaining`` is what may still be paid."""

    original: Decimal = ZERO
    varied: Decimal = ZERO
    paid: Decimal = ZERO
    clawed_back: Decimal = ZERO
    released: Decimal = ZERO
    outstanding_commitment: Decimal = ZERO
    lines: list[LineTotals] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.varied - self.paid - self.released

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.clawed_back


def _totals(grant: Grant, lines, paid: dict, clawed: dict) -> GrantTotals:
    rows = []
    for line in lines:
        amount, p, rel = line.amount.amount, paid.get(line.pk, ZERO), line.released.amount
        rows.append(LineTotals(
            line=line, original=line.original_amount.amount, amount=amount, paid=p,
            clawed_back=clawed.get(line.pk, ZERO), released=rel,
            outstanding_commitment=(amount - p - rel) if grant.is_committed else ZERO,
        ))
    return GrantTotals(
        original=sum((r.original for r in rows), ZERO), varied=sum((r.amount for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO), clawed_back=sum((r.clawed_back for r in rows), ZERO),
        released=sum((r.released for r in rows), ZERO),
        outstanding_commitment=sum((r.outstanding_commitment for r in rows), ZERO), lines=rows,
    )


#: Payments and clawbacks that stand (not reversed): the only ones any figure counts.
STANDING = Q(reversal__isnull=True)


def _sums_by_line(model, grant_ids) -> dict[int, Decimal]:
    rows = (model.objects.filter(STANDING, grant_id__in=grant_ids).values("funding_line_id")
            .annotate(s=Sum("amount")))
    return {r["funding_line_id"]: _q(r["s"]) for r in rows}


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    totals: GrantTotals


def grants_with_totals(grants: QuerySet | list[Grant]) -> list[GrantRow]:
    """Each grant with its totals and funding lines: four queries for the whole list."""
    grant_list = list(grants.select_related("organisation", "service", "submitted_by", "decision")
                      if isinstance(grants, QuerySet) else grants)
    ids = [g.pk for g in grant_list]
    lines = defaultdict(list)
    for line in FundingLine.objects.filter(grant_id__in=ids).select_related("fund", "year"):
        lines[line.grant_id].append(line)
    paid, clawed = _sums_by_line(Payment, ids), _sums_by_line(Clawback, ids)
    return [GrantRow(g, _totals(g, lines[g.pk], paid, clawed)) for g in grant_list]


def grant_totals(grant: Grant) -> GrantTotals:
    """Original, varied, paid, clawed back, released, outstanding commitment and remaining for one grant."""
    return grants_with_totals([grant])[0].totals


def grant_remaining(grant: Grant) -> Decimal:
    """What may still be paid on the grant (varied award less payments less anything released)."""
    return grant_totals(grant).remaining


def line_paid(line: FundingLine) -> Decimal:
    """What stands paid from the funding line (reversed payments left out)."""
    return _q(Payment.objects.filter(STANDING, funding_line=line).aggregate(s=Sum("amount"))["s"])


def line_clawed_back(line: FundingLine) -> Decimal:
    """What stands clawed back to the funding line (reversed clawbacks left out)."""
    return _q(Clawback.objects.filter(STANDING, funding_line=line).aggregate(s=Sum("amount"))["s"])


def instalment_paid(instalment: Instalment) -> Decimal:
    """What stands paid on the instalment (reversed payments left out)."""
    return _q(Payment.objects.filter(STANDING, instalment=instalment).aggregate(s=Sum("amount"))["s"])


def incomplete_checks(grant: Grant) -> list[GrantCheck]:
    return list(grant.checks.filter(is_complete=False).select_related("check_type"))


# --- Queues -----------------------------------------------------------------------------------------------------

def grants_awaiting_approval() -> list[GrantRow]:
    """Submitted grants, oldest first, with totals (four queries). A page should not offer the approve button to
    the person who submitted a grant (``row.grant.submitted_by``); the service refuses it anyway."""
    return grants_with_totals(Grant.objects.filter(status=Grant.Status.SUBMITTED).order_by("submitted_at", "id"))


def variations_awaiting_approval() -> list[GrantVariation]:
    """Requested variations, oldest first, with their grant, requester and proposed lines (two queries)."""
    return list(
        GrantVariation.objects.filter(status=GrantVariation.Status.REQUESTED)
        .select_related("grant__organisation", "requested_by")
        .prefetch_related(Prefetch("lines", queryset=VariationLine.objects.select_related("fund", "year")))
        .order_by("requested_at", "id")
    )


def bank_details_awaiting_verification() -> list[BankDetails]:
    """Pending changes of bank details, oldest first (one query). Nobody may verify what they entered."""
    return list(
        BankDetails.objects.filter(status=BankDetails.Status.PENDING)
        .select_related("organisation", "entered_by").order_by("entered_at", "id")
    )


@dataclass(frozen=True)
class DueInstalment:
    instalment: Instalment
    paid: Decimal
    blockers: list[str]

    @property
    def outstanding(self) -> Decimal:
        return self.instalment.amount.amount - self.paid


def instalments_due(as_of: Date) -> list[DueInstalment]:
    """Instalments due on or before ``as_of`` and not yet paid in full, on grants that can be paid, each with
    what still stops it being paid (unaccepted return, due diligence, bank details). Four queries."""
    instalments = list(
        Instalment.objects.filter(grant__status__in=PAYABLE, due_date__lte=as_of)
        .select_related("grant__organisation", "funding_line__fund", "year")
        .annotate(paid_sum=Sum("payments__amount", filter=Q(payments__reversal__isnull=True)))
        .order_by("due_date", "grant_id", "id")
    )
    grant_ids = {i.grant_id for i in instalments}
    open_checks = dict(
        GrantCheck.objects.filter(grant_id__in=grant_ids, is_complete=False)
        .values_list("grant_id").annotate(n=Count("id")).values_list("grant_id", "n")
    )
    accepted = set(
        MonitoringReturn.objects.filter(grant_id__in=grant_ids, status=MonitoringReturn.Status.ACCEPTED)
        .values_list("grant_id", "year_id", "quarter")
    )
    bank = {}
    for details in (BankDetails.objects.filter(organisation_id__in={i.grant.organisation_id for i in instalments})
                    .exclude(status=BankDetails.Status.REJECTED).order_by("organisation_id", "-id")):
        bank.setdefault(details.organisation_id, details)
    rows = []
    for inst in instalments:
        paid = _q(inst.paid_sum)
        if paid >= inst.amount.amount:
            continue
        blockers = []
        if inst.requires_return and (inst.grant_id, inst.year_id, inst.quarter) not in accepted:
            blockers.append(f"Q{inst.quarter} {inst.year.label} monitoring return not yet accepted")
        if open_checks.get(inst.grant_id):
            blockers.append(f"{open_checks[inst.grant_id]} due diligence check(s) outstanding")
        details = bank.get(inst.grant.organisation_id)
        if details is None:
            blockers.append("no bank details")
        elif details.status != BankDetails.Status.VERIFIED:
            blockers.append("bank details awaiting verification")
        rows.append(DueInstalment(inst, paid, blockers))
    return rows


@dataclass(frozen=True)
class ReturnDue:
    grant: Grant
    quarter: Quarter
    year: FinancialYear
    monitoring_return: MonitoringReturn | None

    @property
    def state(self) -> str:
        if self.monitoring_return is None:
            return "not received"
        return self.monitoring_return.get_status_display()


def returns_due(as_of: Date) -> list[ReturnDue]:
    """For grants being paid (offer accepted or active), every quarter of the grant that has ended by ``as_of``
    without an accepted monitoring return: not received, awaiting review, or sent back. Three queries."""
    grants = list(Grant.objects.filter(status__in=PAYABLE).select_related("organisation").order_by("id"))
    years = list(FinancialYear.objects.order_by("start_year"))
    returns = {
        (r.grant_id, r.year_id, r.quarter): r
        for r in MonitoringReturn.objects.filter(grant__in=[g.pk for g in grants])
    }
    rows = []
    for grant in grants:
        for year in years:
            for quarter in quarters_within(year, grant.start_date, grant.end_date):
                if quarter.end > as_of:
                    continue
                found = returns.get((grant.pk, year.pk, quarter.number))
                if found is None or found.status != MonitoringReturn.Status.ACCEPTED:
                    rows.append(ReturnDue(grant, quarter, year, found))
    rows.sort(key=lambda r: (r.quarter.end, r.grant.pk))
    return rows


# --- The effect of approvals on the funds ----------------------------------------------------------------------

@dataclass(frozen=True)
class Draw:
    """What approving one item would take from a fund's available amount in a year (negative: what it frees)."""

    fund: Fund
    year: FinancialYear
    amount: Decimal


@dataclass(frozen=True)
class FundEffect:
    """One fund and year of an item in the queue: available ``now``, ``before`` this item (as if every item above
    it in the queue were approved), the item's ``amount`` and the available amount ``after`` approving it too."""

    fund: Fund
    year: FinancialYear
    amount: Decimal
    now: Decimal
    before: Decimal
    after: Decimal

    @property
    def above(self) -> Decimal:
        """What the items above this one in the queue would take from the fund (negative: free)."""
        return self.now - self.before


def approval_effects(items: list[list[Draw]]) -> list[list[FundEffect]]:
    """The one computation of "available after approval": for items in queue order, each draw's fund available
    now, before the item (every item above it approved), and after it. A running amount per fund and year, read
    from the ledger's kept positions in two queries per financial year, whatever the length of the queue."""
    by_year: dict[int, tuple[FinancialYear, set[int]]] = {}
    for draws in items:
        for draw in draws:
            by_year.setdefault(draw.year.pk, (draw.year, set()))[1].add(draw.fund.pk)
    now: dict[tuple[int, int], Decimal] = {}
    for year, fund_ids in by_year.values():
        for row in fund_positions(year=year, funds=Fund.objects.filter(pk__in=fund_ids)):
            now[(row.fund.pk, year.pk)] = row.available
    running = dict(now)
    effects = []
    for draws in items:
        row = []
        for draw in draws:
            key = (draw.fund.pk, draw.year.pk)
            before = running.get(key, ZERO)
            running[key] = after = before - draw.amount
            row.append(FundEffect(draw.fund, draw.year, draw.amount, now.get(key, ZERO), before, after))
        effects.append(row)
    return effects


@dataclass(frozen=True)
class PendingApproval:
    """One item waiting for a decision: a submitted grant, a requested variation, a virement above its fund's
    threshold or a change of bank details. ``effects`` is its effect on its funds, in queue order."""

    kind: str
    obj: object
    requested_by: object
    requested_at: datetime
    amount: Decimal | None
    draws: list[Draw]
    totals: GrantTotals | None = None
    effects: list[FundEffect] = field(default_factory=list)


GRANT, VARIATION, VIREMENT, BANK_DETAILS = "grant", "variation", "virement", "bank_details"
_KIND_ORDER = {VIREMENT: 0, GRANT: 1, VARIATION: 2, BANK_DETAILS: 3}


def _grant_draws(totals: GrantTotals) -> list[Draw]:
    return [Draw(row.line.fund, row.line.year, row.amount) for row in totals.lines]


def _variation_draws(variation: GrantVariation) -> list[Draw]:
    return [Draw(vl.fund, vl.year, vl.change) for vl in variation.lines.all()]


def approvals_awaiting_decision() -> list[PendingApproval]:
    """Everything waiting for a decision, oldest first, each with its effect on the available amount of its funds
    as if every item above it were approved: grants commit their funding lines, variations commit increases and
    free decreases, virements move budget only (the fund's available amount does not change), bank details touch
    no fund. A fixed number of queries whatever the length of the queue."""
    items = [
        PendingApproval(VIREMENT, v, v.requested_by, v.requested_at, v.amount.amount,
                        [Draw(v.from_line.fund, v.from_line.year, ZERO)])
        for v in virements_awaiting_approval()
    ]
    items += [
        PendingApproval(GRANT, row.grant, row.grant.submitted_by, row.grant.submitted_at, row.totals.varied,
                        _grant_draws(row.totals), totals=row.totals)
        for row in grants_awaiting_approval()
    ]
    for v in variations_awaiting_approval():
        draws = _variation_draws(v)
        items.append(PendingApproval(VARIATION, v, v.requested_by, v.requested_at,
                                     sum((d.amount for d in draws), ZERO) if draws else None, draws))
    items += [
        PendingApproval(BANK_DETAILS, d, d.entered_by, d.entered_at, None, [])
        for d in bank_details_awaiting_verification()
    ]
    items.sort(key=lambda item: (item.requested_at, _KIND_ORDER[item.kind], item.obj.pk))
    effects = approval_effects([item.draws for item in items])
    return [replace(item, effects=found) for item, found in zip(items, effects, strict=True)]


def _effects_of(kind: str, obj, draws: list[Draw]) -> list[FundEffect]:
    for item in approvals_awaiting_decision():
        if item.kind == kind and item.obj.pk == obj.pk:
            return item.effects
    return approval_effects([draws])[0]  # not waiting (any more): only its own effect


def grant_approval_effects(grant: Grant) -> list[FundEffect]:
    """A grant's effect on its funds, at its place in the approval queue (alone if it is not waiting)."""
    return _effects_of(GRANT, grant, _grant_draws(grant_totals(grant)))


def variation_approval_effects(variation: GrantVariation) -> list[FundEffect]:
    """A variation's effect on its funds, at its place in the approval queue (alone if it is not waiting)."""
    return _effects_of(VARIATION, variation, _variation_draws(variation))


def grants_for_organisation(organisation) -> list[GrantRow]:
    return grants_with_totals(Grant.objects.filter(organisation=organisation).order_by("-start_date", "-id"))


@dataclass(frozen=True)
class ProviderGrant:
    """Another grant of the same provider, as the commissioner weighs a new one: its money, its latest RAG (the
    latest return not sent back) and what was clawed back."""

    grant: Grant
    totals: GrantTotals
    rag: str
    rag_quarter: str
    clawbacks: int


def provider_record(grant: Grant) -> list[ProviderGrant]:
    """The provider's other grants, newest first, with their RAG and clawbacks: six queries."""
    others = grants_with_totals(Grant.objects.filter(organisation_id=grant.organisation_id).exclude(pk=grant.pk)
                                .order_by("-start_date", "-id"))
    ids = [row.grant.pk for row in others]
    latest = {}
    for ret in (MonitoringReturn.objects.filter(grant_id__in=ids)
                .exclude(status=MonitoringReturn.Status.RETURNED).select_related("year")
                .order_by("grant_id", "year__start_year", "quarter", "received_on", "id")):
        latest[ret.grant_id] = ret  # ordered: the last one seen is the latest
    clawbacks = dict(Clawback.objects.filter(STANDING, grant_id__in=ids).values_list("grant_id")
                     .annotate(n=Count("id")).values_list("grant_id", "n"))
    return [
        ProviderGrant(
            grant=row.grant, totals=row.totals,
            rag=latest[row.grant.pk].rag if row.grant.pk in latest else "",
            rag_quarter=(f"Q{latest[row.grant.pk].quarter} {latest[row.grant.pk].year.label}"
                         if row.grant.pk in latest else ""),
            clawbacks=clawbacks.get(row.grant.pk, 0),
        )
        for row in others
    ]


def grants_by_status() -> dict[str, int]:
    """How many grants are in each status (one query)."""
    counts = dict(Grant.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in Grant.Status.values}


from grants.actions import Allowed, GrantActions, grant_actions  # noqa: E402  (asks the services; see there)

__all__ = [
    "Allowed", "Draw", "FundEffect", "GrantActions", "PendingApproval", "approval_effects",
    "approvals_awaiting_decision", "grant_actions", "grant_approval_effects", "variation_approval_effects",
    "DueInstalment", "GrantRow", "GrantTotals", "LineTotals", "ReturnDue", "TimelineEntry",
    "bank_details_awaiting_verification", "grant_remaining", "grant_timeline", "grant_totals",
    "grants_awaiting_approval",
    "grants_by_status", "grants_for_organisation", "grants_with_totals", "incomplete_checks", "instalment_paid",
    "instalments_due", "line_clawed_back", "ProviderGrant", "provider_record",
    "line_paid", "returns_due", "variations_awaiting_approval",
]
