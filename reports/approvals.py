"""The commissioner's approval queue: everything waiting for someone's decision, oldest first, each with its
effect on the fund's available amount as if every item above it were approved. The items and their effects come
from one selector (``grants.selectors.approvals_awaiting_decision``); orders above their fund's threshold, and for
finance directors the invoices and payment runs awaiting them, come from the spending and payments apps. This
module only words them for the page. A fixed number of queries whatever the length of the queue."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.urls import reverse

from core.money import format_gbp
from core.roles import COMMISSIONER, FINANCE_DIRECTOR, has_role
from funds.controls import control_changes_awaiting, control_for
from grants.selectors import (
    BANK_DETAILS,
    GRANT,
    VARIATION,
    VIREMENT,
    FundEffect,
    PendingApproval,
    approvals_awaiting_decision,
)
from payments.limits import limit_changes_awaiting, person_name
from payments.models import PaymentRun
from payments.selectors import runs_with_totals
from spending.models import Invoice, Order


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


def _spending_items(user, director: bool) -> list[ApprovalItem]:
    """Orders above their fund's threshold (commissioners and finance directors decide them) and, for finance
    directors, supplier invoices awaiting approval and payment runs awaiting authorisation. Three queries."""
    items = [
        ApprovalItem(kind="Order", title=f"{o.reference} {o.title} – {o.supplier}",
                     url=reverse("spending:order_approve", args=[o.pk]), requested_by=o.raised_by,
                     requested_at=o.raised_at, amount=o.amount.amount, own=o.raised_by_id == user.pk,
                     note=f"Commits {format_gbp(o.amount.amount)} net on {o.budget_line.fund.code} "
                          f"{o.budget_line.year.label} {o.budget_line.heading} when approved.")
        for o in Order.objects.filter(status=Order.Status.AWAITING_APPROVAL).select_related(
            "supplier__organisation", "budget_line__fund", "budget_line__year", "raised_by")
    ]
    if director:
        items += [
            ApprovalItem(kind="Invoice", title=f"{i.reference} {i.supplier} {i.supplier_reference}",
                         url=reverse("spending:invoice_approve", args=[i.pk]), requested_by=i.recorded_by,
                         requested_at=i.recorded_at, amount=i.gross.amount, own=i.recorded_by_id == user.pk,
                         note=f"Against {i.order.reference}; approving it posts the spending and makes it payable.")
            for i in Invoice.objects.filter(status=Invoice.Status.AWAITING_APPROVAL, reversal__isnull=True)
            .select_related("supplier__organisation", "order", "recorded_by")
        ]
        items += [
            ApprovalItem(kind="Payment run", title=f"{r.reference} to pay on {r.pay_on:%d/%m/%Y}",
                         url=reverse("payments:run_detail", args=[r.pk]), requested_by=r.prepared_by,
                         requested_at=r.prepared_at, amount=r.total, own=r.prepared_by_id == user.pk,
                         note="Authorise within your delegated limit; the payees' bank details are frozen then.")
            for r in runs_with_totals() if r.status == PaymentRun.Status.PREPARED
        ]
    return items


def _control_items(user) -> list[ApprovalItem]:
    """Changes to control settings (funds' thresholds and retained share, delegated limits) awaiting a second
    person: commissioners and finance directors decide them (funds.controls, payments.limits). Two queries."""
    items = []
    for c in control_changes_awaiting():
        control = control_for(c.setting)
        items.append(ApprovalItem(
            kind="Control setting", title=f"{c.fund.code} {control.label.lower()}: {control.format(c.value_before)} "
                                          f"to {control.format(c.value_after)}",
            url=reverse("funds:control_detail", args=[c.pk]), requested_by=c.proposed_by, requested_at=c.proposed_at,
            note=c.reason, own=c.proposed_by_id == user.pk))
    for c in limit_changes_awaiting():
        before = "none" if c.amount_before is None else format_gbp(c.amount_before.amount)
        items.append(ApprovalItem(
            kind="Delegated limit", title=f"{person_name(c.user)}: {before} to {format_gbp(c.amount.amount)}",
            url=reverse("payments:limit_change", args=[c.pk]), requested_by=c.proposed_by, requested_at=c.proposed_at,
            note=c.reason, own=user.pk in (c.proposed_by_id, c.user_id)))
    return items


def approval_queue(user) -> list[ApprovalItem]:
    """Every item waiting for a decision, oldest first: submitted grants, requested variations, virements above
    their fund's threshold and changes of bank details, each with its running effect on its funds; orders above
    their fund's threshold; and, for finance directors, invoices and payment runs awaiting them."""
    commissioner = has_role(user, COMMISSIONER)
    items = [_item(pending, user, commissioner) for pending in approvals_awaiting_decision()]
    items += _spending_items(user, has_role(user, FINANCE_DIRECTOR))
    items += _control_items(user)
    return sorted(items, key=lambda item: item.requested_at)
