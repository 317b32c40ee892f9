"""Orders and contracts: commit money against one budget line of a fund and year.

A finance officer raises an order. At or below the fund's ``order_approval_threshold`` (net) it is committed at
once; above it, it waits for a commissioner or finance director other than the raiser, and is committed on
approval. Committing posts Dr commitments / Cr commitments control on the budget line, in the line's fund and
year, under the fund's lock; the budget line must have the amount available (revised budget less committed less
actual on that line) and so must the fund (``entry_post`` says how much it has). Closing an order gives back
what it still commits. Locks: fund -> order (``spending.locks``).
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.money import ZERO, format_gbp, gbp, parse_amount
from core.refusals import Refusals
from core.roles import COMMISSIONERS_AND_DIRECTORS, FINANCE_OFFICERS, require_role
from funds.models import BudgetLine
from grants.awards import require_category_in_use, service_category_change
from grants.models import ServiceCategory
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.selectors import fund_available
from spending.locks import lock_fund, lock_order
from spending.models import Invoice, Order, Supplier
from spending.selectors import budget_line_position, order_outstanding

S = Order.Status


def available_refusal(line: BudgetLine, amount) -> str | None:
    """Why ``amount`` cannot be committed on ``line`` now, or None. Call it under the fund's lock."""
    position = budget_line_position(line)
    if amount > position.available:
        return (f"The budget line '{line.heading}' ({line.fund.code} {line.year.label}) has "
                f"{format_gbp(position.available)} available (revised budget {format_gbp(position.budget)}, "
                f"committed {format_gbp(position.committed)}, spent {format_gbp(position.actual)}); this order needs "
                f"{format_gbp(amount)}, {format_gbp(amount - position.available)} more than that. Move budget to "
                "the line by a virement, or raise the order on another line.")
    return None


def _fund_refusal(line: BudgetLine, amount) -> str | None:
    available = fund_available(fund=line.fund, year=line.year)
    if amount > available:
        return (f"Not enough money available in {line.fund.code} ({line.fund.name}) for {line.year.label}: "
                f"{format_gbp(available)} is available and this needs {format_gbp(amount)}, "
                f"{format_gbp(amount - available)} more than that.")
    return None


def _day(on: Date | None, field: str = "on") -> Date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({field: f"{on:%d/%m/%Y} is after today; it is dated no later than {today:%d/%m/%Y}."})
    return on


def _commit(order: Order, *, by, on: Date) -> None:
    """Post the commitment (the fund is locked by the caller) and record who decided."""
    line = order.budget_line
    value = order.amount.amount
    entry = entry_post(
        date=on, by=by, source=order, source_reference=order.reference,
        description=f"Order commitment {order.reference} {order.supplier.organisation.name}: {order.title}"[:300],
        legs=[Leg(acc.COMMITMENTS, line.fund, DEBIT, value, line.year, line),
              Leg(acc.COMMITMENT_CONTROL, line.fund, CREDIT, value, line.year, line)],
    )
    order.commitment_entry = entry
    order.status = S.APPROVED
    order.decided_by = by
    order.decided_at = timezone.now()


@transaction.atomic
def order_raise(*, supplier: Supplier, budget_line: BudgetLine, title: str, start_date: Date, end_date: Date, amount,
                by, kind: str = Order.Kind.ORDER, on: Date | None = None,
                service_category: ServiceCategory | None = None) -> Order:
    """Raise an order or contract for ``amount`` (net) on ``budget_line``. At or below the fund's order approval
    threshold it is committed at once, dated ``on`` (default today); above it, it waits for approval.

    Refused, writing nothing: an inactive supplier; no title; an end before the start; a year that has been
    through year end; a budget line without the amount available (the message names the line, what it has and how
    much more is needed); a fund without it (the posting's message, with the fund's available amount)."""
    require_role(by, FINANCE_OFFICERS, doing="raise orders")
    refusals = Refusals()  # every field at fault is reported at once
    value = refusals.check("amount", parse_amount, amount)
    title = (title or "").strip()
    if not title:
        refusals.add("title", "Say what is bought, e.g. 'Sexual violence helpline 2025/26'.")
    if kind not in Order.Kind.values:
        refusals.add("kind", "Choose a purchase order or a contract.")
    if not isinstance(start_date, Date) or not isinstance(end_date, Date):
        refusals.add("start_date", "Give the dates the goods or services run from and to.")
    elif end_date < start_date:
        refusals.add("end_date", f"The end ({end_date:%d/%m/%Y}) is before the start ({start_date:%d/%m/%Y}); give "
                                 "an end on or after the start.")
    if not supplier.is_active:
        refusals.add("supplier", f"{supplier} is no longer an active supplier; raise no new orders to it.")
    refusals.check("service_category", require_category_in_use, service_category)
    on = refusals.check("on", _day, on)
    fund = lock_fund(budget_line.fund_id)
    line = BudgetLine.objects.select_related("fund", "year").get(pk=budget_line.pk)
    line.fund = fund
    if line.year.is_year_ended:
        refusals.add("budget_line", f"{line.year.label} has been through year end: nothing more is committed to it. "
                                    "Raise the order on a line of an open year.")
    elif not fund.is_active:
        refusals.add("budget_line", f"{fund.code} is no longer active; raise the order on an active fund.")
    elif value is not None and (refusal := available_refusal(line, value)):
        refusals.add("amount", refusal)
    refusals.raise_any()
    order = Order(supplier=supplier, budget_line=line, kind=kind, title=title, start_date=start_date,
                  end_date=end_date, amount=gbp(value), raised_by=by, service_category=service_category)
    threshold = fund.order_approval_threshold.amount
    if value <= threshold:
        save_with_history(order, by=by, reason="Order raised", clean=False)  # checked above; needs its number
        _commit(order, by=by, on=on)
        order.decision_note = (f"At or below {fund.code}'s order approval threshold of {format_gbp(threshold)}: "
                               "committed when raised.")
        save_with_history(order, by=by, reason="Committed when raised")
        record_event("order.approved", by=by, obj=order,
                     summary=f"{order.reference} raised and {format_gbp(value)} committed on {line} "
                             f"({order.commitment_entry.reference})")
    else:
        refusal = _fund_refusal(line, value)
        if refusal:
            raise ValidationError({"amount": refusal})
        save_with_history(order, by=by, reason="Order raised")
        record_event("order.raised", by=by, obj=order,
                     summary=f"{order.reference} raised for {format_gbp(value)} on {line}; above {fund.code}'s "
                             f"threshold of {format_gbp(threshold)}, it awaits approval")
    return order


def _require_awaiting(order: Order) -> None:
    if order.status != S.AWAITING_APPROVAL:
        raise ValidationError(f"{order.reference} is {order.get_status_display().lower()}; only an order awaiting "
                              "approval is approved or rejected.")


def _require_other_person(order: Order, by) -> None:
    if order.raised_by_id == by.pk:
        raise ValidationError(f"You raised {order.reference}, so a commissioner or finance director other than you "
                              "must approve or reject it.")


@transaction.atomic
def order_approve(*, order: Order, by, note: str = "", on: Date | None = None) -> Order:
    """Approve an order awaiting approval and commit it, dated ``on`` (default today): a commissioner or finance
    director other than the raiser. The budget line and the fund are checked again under the fund's lock."""
    require_role(by, COMMISSIONERS_AND_DIRECTORS, doing="approve orders")
    order = lock_order(order)
    _require_awaiting(order)
    _require_other_person(order, by)
    on = _day(on)
    line = order.budget_line
    if line.year.is_year_ended:
        raise ValidationError(f"{line.year.label} has been through year end: nothing more is committed to it. "
                              "Reject this order and raise it on a line of an open year.")
    refusal = available_refusal(line, order.amount.amount)
    if refusal:
        raise ValidationError(refusal)
    _commit(order, by=by, on=on)
    order.decision_note = (note or "").strip()
    save_with_history(order, by=by, reason=order.decision_note or "Approved")
    record_event("order.approved", by=by, obj=order, reason=order.decision_note,
                 summary=f"{order.reference} approved and {format_gbp(order.amount.amount)} committed on {line} "
                         f"({order.commitment_entry.reference})")
    return order


@transaction.atomic
def order_reject(*, order: Order, by, note: str) -> Order:
    """Refuse an order awaiting approval, for good (a commissioner or finance director other than the raiser; the
    reason is required). Nothing was committed, so nothing is posted."""
    require_role(by, COMMISSIONERS_AND_DIRECTORS, doing="reject orders")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the order is rejected; the officer who raised it needs to know."})
    order = lock_order(order)
    _require_awaiting(order)
    _require_other_person(order, by)
    order.status = S.REJECTED
    order.decided_by = by
    order.decided_at = timezone.now()
    order.decision_note = note
    save_with_history(order, by=by, reason=note)
    record_event("order.rejected", by=by, obj=order, reason=note, summary=f"{order.reference} rejected")
    return order


def order_close_refusal(order: Order) -> str | None:
    """Why ``order`` cannot be closed now, or None. Pages ask it before offering Close. Reads only."""
    if order.status != S.APPROVED:
        return (f"{order.reference} is {order.get_status_display().lower()}; only an approved order is closed "
                "(an order awaiting approval is rejected instead).")
    waiting = Invoice.objects.filter(order_id=order.pk, status=Invoice.Status.AWAITING_APPROVAL,
                                     reversal__isnull=True).order_by("id").first()
    if waiting is not None:
        return (f"Invoice {waiting.reference} ({waiting.supplier_reference}) on {order.reference} awaits approval; "
                "approve or reject it before closing the order.")
    return None


@transaction.atomic
def order_close(*, order: Order, by, reason: str, on: Date | None = None) -> Order:
    """Close an approved order: no more invoices, and what it still commits (its amount less what approved
    invoices charged, less anything released) is given back to the budget line, Dr commitments control /
    Cr commitments, dated ``on`` (default today). Refused while an invoice on it awaits approval."""
    require_role(by, FINANCE_OFFICERS, doing="close orders")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the order is closed, e.g. 'Contract completed; final invoice paid'."})
    order = lock_order(order)
    refusal = order_close_refusal(order)
    if refusal:
        raise ValidationError(refusal)
    on = _day(on)
    if on < order.commitment_entry.date:
        raise ValidationError({"on": f"{order.reference} was committed on {order.commitment_entry.date:%d/%m/%Y}; it "
                                     f"cannot be closed before that ({on:%d/%m/%Y})."})
    release = order_outstanding(order)
    line = order.budget_line
    if release > ZERO:
        entry = entry_post(
            date=on, by=by, source=order, source_reference=order.reference,
            description=f"Order closed {order.reference}: {reason}"[:300],
            legs=[Leg(acc.COMMITMENT_CONTROL, line.fund, DEBIT, release, line.year, line),
                  Leg(acc.COMMITMENTS, line.fund, CREDIT, release, line.year, line)],
        )
        posted = f", {format_gbp(release)} released ({entry.reference})"
    else:
        posted = ", nothing left committed"
    order.released = gbp(order.released.amount + release)
    order.status = S.CLOSED
    order.closed_on = on
    order.close_reason = reason
    save_with_history(order, by=by, reason=reason)
    record_event("order.closed", by=by, obj=order, reason=reason, summary=f"{order.reference} closed{posted}",
                 data={"released": str(release)})
    return order


@transaction.atomic
def order_service_category_set(*, order: Order, service_category: ServiceCategory | None, reason: str, by) -> Order:
    """Set (or clear) the kind of service an order or contract pays for, whatever its status: the category
    classifies its spending for funder returns and changes nothing committed or invoiced. Finance officers only,
    with a reason kept in the history; refused when nothing changes or the category is retired."""
    require_role(by, FINANCE_OFFICERS, doing="set an order's service category")
    order = lock_order(order)
    return service_category_change(order, service_category=service_category, reason=reason, by=by,
                                   event="order.category_set")
