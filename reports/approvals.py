"""The commissioner's approval queue: everything waiting for someone's decision, each with the effect approval
would have on the fund's available amount. Built from the selectors of the apps that own the items, in a fixed
number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.urls import reverse

from core.roles import COMMISSIONER, has_role
from funds.models import FinancialYear, Fund
from funds.selectors import virements_awaiting_approval
from grants.selectors import (
    bank_details_awaiting_verification,
    grants_awaiting_approval,
    variations_awaiting_approval,
)
from ledger.selectors import fund_positions


@dataclass(frozen=True)
class Effect:
    fund: Fund
    year: FinancialYear
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass
class ApprovalItem:
    kind: str
    title: str
    url: str
    requested_by: object
    requested_at: datetime
    amount: Decimal | None = None
    effects: list[Effect] = field(default_factory=list)
    note: str = ""
    own: bool = False  # the viewer asked for it, so someone else must decide


class Availability:
    """Available amounts per (fund, year), read once per year for all funds in the queue."""

    def __init__(self, pairs):
        self.values = {}
        by_year = {}
        for fund, year in pairs:
            by_year.setdefault(year.pk, (year, set()))[1].add(fund.pk)
        for year, fund_ids in by_year.values():
            for row in fund_positions(year=year, funds=Fund.objects.filter(pk__in=fund_ids)):
                self.values[(row.fund.pk, year.pk)] = row.available

    def effect(self, fund, year, spend: Decimal) -> Effect:
        before = self.values.get((fund.pk, year.pk), Decimal("0.00"))
        return Effect(fund=fund, year=year, before=before, after=before - spend)


def approval_queue(user) -> list[ApprovalItem]:
    """Every item waiting for a decision, oldest first: submitted grants, requested variations, virements above
    their fund's threshold and changes of bank details."""
    commissioner = has_role(user, COMMISSIONER)
    pending_virements = list(virements_awaiting_approval())
    pending_grants = grants_awaiting_approval()
    pending_variations = variations_awaiting_approval()
    pending_bank = bank_details_awaiting_verification()
    pairs = [(v.from_line.fund, v.from_line.year) for v in pending_virements]
    pairs += [(lt.line.fund, lt.line.year) for row in pending_grants for lt in row.totals.lines]
    pairs += [(vl.fund, vl.year) for v in pending_variations for vl in v.lines.all()]
    available = Availability(pairs)
    items = []
    for v in pending_virements:
        items.append(
            ApprovalItem(
                kind="Virement",
                title=f"{v.from_line.heading} → {v.to_line.heading}",
                url=reverse("funds:virement_detail", args=[v.pk]),
                requested_by=v.requested_by,
                requested_at=v.requested_at,
                amount=v.amount.amount,
                effects=[available.effect(v.from_line.fund, v.from_line.year, Decimal("0.00"))],
                note="Moves budget between lines; the fund's available money does not change.",
                own=v.requested_by_id == user.pk,
            )
        )
    for row in pending_grants:
        grant = row.grant
        items.append(
            ApprovalItem(
                kind="Grant",
                title=f"{grant.reference} {grant.title} – {grant.organisation.name}",
                url=reverse("grants:decide" if commissioner else "grants:detail", args=[grant.pk]),
                requested_by=grant.submitted_by,
                requested_at=grant.submitted_at,
                amount=row.totals.varied,
                effects=[available.effect(lt.line.fund, lt.line.year, lt.amount) for lt in row.totals.lines],
                own=user.pk in (grant.submitted_by_id, grant.created_by_id),
            )
        )
    for v in pending_variations:
        lines = list(v.lines.all())
        items.append(
            ApprovalItem(
                kind="Variation",
                title=f"{v.grant.reference} {v.grant.title} – {v.grant.organisation.name}",
                url=reverse("grants:variation_detail", args=[v.pk]),
                requested_by=v.requested_by,
                requested_at=v.requested_at,
                amount=sum((vl.change for vl in lines), Decimal("0.00")) if lines else None,
                effects=[available.effect(vl.fund, vl.year, vl.change) for vl in lines],
                note=v.reason,
                own=v.requested_by_id == user.pk,
            )
        )
    for details in pending_bank:
        items.append(
            ApprovalItem(
                kind="Bank details",
                title=f"New bank details for {details.organisation.name}",
                url=reverse("grants:bank_details_decide", args=[details.pk])
                if commissioner
                else reverse("grants:organisation_detail", args=[details.organisation_id]),
                requested_by=details.entered_by,
                requested_at=details.entered_at,
                note="Payments to the organisation wait until a second person verifies.",
                own=details.entered_by_id == user.pk,
            )
        )
    items.sort(key=lambda item: item.requested_at)
    return items
