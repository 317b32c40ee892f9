"""The commissioner's approval queue: everything waiting for someone's decision, oldest first, each with its
effect on the fund's available amount as if every item above it were approved. The items and their effects come
from one selector (``grants.selectors.approvals_awaiting_decision``); this module only words them for the page.
A fixed number of queries whatever the length of the queue."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.urls import reverse

from core.roles import COMMISSIONER, has_role
from grants.selectors import (
    BANK_DETAILS,
    GRANT,
    VARIATION,
    VIREMENT,
    FundEffect,
    PendingApproval,
    approvals_awaiting_decision,
)


@dataclass
class ApprovalItem:
    kind: str
    title: str
    url: str
    requested_by: object
    requested_at: datetime
    amount: Decimal | None = None
    effects: list[FundEffect] = field(default_factory=list)
    note: str = ""
    own: bool = False  # the viewer asked for it, so someone else must decide


def _item(pending: PendingApproval, user, commissioner: bool) -> ApprovalItem:
    obj = pending.obj
    common = {"requested_by": pending.requested_by, "requested_at": pending.requested_at, "amount": pending.amount,
              "effects": pending.effects}
    if pending.kind == VIREMENT:
        return ApprovalItem(kind="Virement", title=f"{obj.from_line.heading} → {obj.to_line.heading}",
                            url=reverse("funds:virement_detail", args=[obj.pk]),
                            note="Moves budget between lines; the fund's available money does not change.",
                            own=obj.requested_by_id == user.pk, **common)
    if pending.kind == GRANT:
        return ApprovalItem(kind="Grant", title=f"{obj.reference} {obj.title} – {obj.organisation.name}",
                            url=reverse("grants:decide" if commissioner else "grants:detail", args=[obj.pk]),
                            own=user.pk in (obj.submitted_by_id, obj.created_by_id), **common)
    if pending.kind == VARIATION:
        return ApprovalItem(kind="Variation",
                            title=f"{obj.grant.reference} {obj.grant.title} – {obj.grant.organisation.name}",
                            url=reverse("grants:variation_detail", args=[obj.pk]), note=obj.reason,
                            own=obj.requested_by_id == user.pk, **common)
    assert pending.kind == BANK_DETAILS
    return ApprovalItem(kind="Bank details", title=f"New bank details for {obj.organisation.name}",
                        url=reverse("grants:bank_details_decide", args=[obj.pk]) if commissioner
                        else reverse("grants:organisation_detail", args=[obj.organisation_id]),
                        note="Payments to the organisation wait until a second person verifies.",
                        own=obj.entered_by_id == user.pk, **common)


def approval_queue(user) -> list[ApprovalItem]:
    """Every item waiting for a decision, oldest first: submitted grants, requested variations, virements above
    their fund's threshold and changes of bank details, each with its running effect on its funds."""
    commissioner = has_role(user, COMMISSIONER)
    return [_item(pending, user, commissioner) for pending in approvals_awaiting_decision()]
