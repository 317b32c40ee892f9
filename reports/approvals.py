"""The commissioner's approval queue: everything waiting for someone's decision, each with the effect approval
would have on the fund's available amount. Built from the selectors of the apps that own the items, in a fixed
number of queries."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.urls import reverse

from funds.models import FinancialYear, Fund
from funds.selectors import virements_awaiting_approval
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
    """Every item waiting for approval, oldest first."""
    pending_virements = list(virements_awaiting_approval())
    available = Availability([(v.from_line.fund, v.from_line.year) for v in pending_virements])
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
    items.sort(key=lambda item: item.requested_at)
    return items
