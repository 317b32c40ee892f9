"""Supplier invoices: recorded against an approved order, approved by a second person, then posted.

Recording writes no ledger entry; it checks the invoice against its order (nothing above what the order has left
to invoice) and the supplier's earlier invoices (no number twice). Approval posts one entry in the order's fund and
year: the budget line bears the budget amount (the net, or the gross where the VAT cannot be recovered),
recoverable VAT goes to its own account, the supplier is owed the gross, and the order's commitment is released by
as much (never more than it still holds). Reversal posts the mirror entry, so the commitment comes back.
Locks: fund -> order -> invoice (``spending.locks``).
"""

from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.money import ZERO, format_gbp, gbp, parse_amount, quantize
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from ledger.reversals import document_reverse, reversal_refusal
from spending.locks import lock_invoice, lock_order
from spending.models import Invoice, Order, SupplierPayment
from spending.selectors import STANDING, order_left_to_invoice, order_outstanding

VAT_RATE = Decimal("0.20")  # the UK standard rate: no invoice line carries more VAT than this
INVOICE = "supplier invoice"


def vat_check(net: Decimal, vat: Decimal) -> None:
    """Refuse (on ``vat``) VAT above the standard rate of the net."""
    most = quantize(net * VAT_RATE)
    if vat > most:
        raise ValidationError(
            {"vat": f"VAT of {format_gbp(vat)} is more than 20% of the net {format_gbp(net)} (at most "
                    f"{format_gbp(most)} at the standard rate); check the invoice: VAT is never above the standard "
                    "rate, and the net is the amount before VAT."}
        )


def _dates(order: Order, invoice_date, due_date, terms: int) -> Date:
    if not isinstance(invoice_date, Date):
        raise ValidationError({"invoice_date": "Give the date printed on the invoice, e.g. 30/06/2025."})
    today = timezone.localdate()
    if invoice_date > today:
        raise ValidationError({"invoice_date": f"{invoice_date:%d/%m/%Y} is in the future; record an invoice once it "
                                               "has been issued, with the date printed on it."})
    if invoice_date < order.start_date:
        raise ValidationError(
            {"invoice_date": f"{order.reference} starts on {order.start_date:%d/%m/%Y}; an invoice dated "
                             f"{invoice_date:%d/%m/%Y} is for something before it. Check the date, or the order."}
        )
    if due_date is None:
        return invoice_date + timedelta(days=terms)
    if not isinstance(due_date, Date) or due_date < invoice_date:
        raise ValidationError({"due_date": f"The due date cannot be before the invoice date ({invoice_date:%d/%m/%Y}); "
                                           f"leave it blank for the supplier's terms ({terms} days)."})
    return due_date


def _left_to_invoice_check(order: Order, amount: Decimal) -> None:
    left = order_left_to_invoice(order)
    if amount > left:
        raise ValidationError(
            f"{order.reference} has {format_gbp(left)} left to invoice; this invoice's {format_gbp(amount)} is "
            f"{format_gbp(amount - left)} more than that. Raise a variation or a new order for the extra work before "
            "recording the invoice, or ask the supplier to correct it."
        )


@transaction.atomic
def invoice_record(*, order: Order, supplier_reference: str, invoice_date: Date, description: str, net, vat, by,
                   vat_recoverable: bool = True, due_date: Date | None = None) -> Invoice:
    """Record a supplier's invoice against its order; it waits for approval and posts nothing yet. The due date
    defaults to the invoice date plus the supplier's payment terms.

    Refused, writing nothing: an order not approved or closed; no invoice number or description; an invoice
    number this supplier already has standing (the message names it); an invoice date in the future or before the
    order starts; negative VAT, or VAT above 20% of the net; a budget amount (the net, or the gross when the VAT
    cannot be recovered) above what the order has left to invoice (the message says how much is left)."""
    require_role(by, FINANCE_OFFICERS, doing="record supplier invoices")
    order = lock_order(order)
    if order.status != Order.Status.APPROVED:
        raise ValidationError(
            f"{order.reference} is {order.get_status_display().lower()}; invoices are recorded only against an "
            "approved order that is not closed."
        )
    supplier = order.supplier
    refusals = Refusals()  # every field at fault is reported at once
    reference = (supplier_reference or "").strip()
    if not reference:
        refusals.add("supplier_reference", "Give the supplier's invoice number, as printed on it.")
    description = (description or "").strip()
    if not description:
        refusals.add("description", "Say what the invoice is for, e.g. 'Helpline service, June 2025'.")
    net_value = refusals.check("net", parse_amount, net, field="net")
    vat_value = refusals.check("vat", parse_amount, vat if vat not in (None, "") else "0", field="vat",
                               allow_zero=True)
    if net_value is not None and vat_value is not None:
        refusals.check("vat", vat_check, net_value, vat_value)
    due = refusals.check("invoice_date", _dates, order, invoice_date, due_date, supplier.payment_terms_days)
    earlier = reference and (Invoice.objects.filter(STANDING, supplier_id=supplier.pk,
                                                    supplier_reference__iexact=reference).order_by("id").first())
    if earlier:
        refusals.add("supplier_reference",
                     f"{supplier}'s invoice {earlier.supplier_reference} is already recorded as {earlier.reference} "
                     f"(dated {earlier.invoice_date:%d/%m/%Y}, {format_gbp(earlier.gross.amount)}); an invoice is "
                     "recorded once. Reject or reverse the earlier one first if it was wrong.")
    if not refusals.refused("net", "vat"):
        gross = net_value + vat_value
        refusals.check(None, _left_to_invoice_check, order, net_value if vat_recoverable else gross)
    refusals.raise_any()
    invoice = Invoice(supplier=supplier, order=order, supplier_reference=reference, invoice_date=invoice_date,
                      due_date=due, description=description, net=gbp(net_value), vat=gbp(vat_value),
                      gross=gbp(gross), vat_recoverable=bool(vat_recoverable), recorded_by=by)
    save_with_history(invoice, by=by, reason="Invoice recorded")
    record_event("invoice.recorded", by=by, obj=invoice,
                 summary=f"{invoice.reference}: {supplier} invoice {reference} for {format_gbp(gross)} against "
                         f"{order.reference}, awaiting approval")
    return invoice


def _require_awaiting(invoice: Invoice) -> None:
    if invoice.status != Invoice.Status.AWAITING_APPROVAL or invoice.is_reversed:
        raise ValidationError(f"{invoice.reference} is {invoice.get_status_display().lower()}; only an invoice "
                              "awaiting approval is approved or rejected.")


def _require_other_person(invoice: Invoice, by) -> None:
    if invoice.recorded_by_id == by.pk:
        raise ValidationError(f"You recorded {invoice.reference}, so another finance officer or a finance director "
                              "must approve or reject it.")


@transaction.atomic
def invoice_approve(*, invoice: Invoice, by, on: Date | None = None) -> Invoice:
    """Approve an invoice for payment and post it, dated ``on`` (default today, in an open period), in the order's
    fund and year: Dr supplier spending (budget amount) and Dr VAT recoverable (if recoverable) / Cr trade
    creditors (gross), with Dr commitments control / Cr commitments releasing the order's commitment by the budget
    amount or what it still holds, whichever is less. By a finance officer other than the one who recorded it, or
    a finance director."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="approve supplier invoices")
    invoice = lock_invoice(invoice)
    _require_awaiting(invoice)
    _require_other_person(invoice, by)
    order = invoice.order
    if order.status != Order.Status.APPROVED:
        raise ValidationError(f"{order.reference} is {order.get_status_display().lower()}; reject this invoice.")
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"on": f"{on:%d/%m/%Y} is after today; approve with today's date or earlier."})
    if on < invoice.invoice_date:
        raise ValidationError({"on": f"The invoice is dated {invoice.invoice_date:%d/%m/%Y}; it cannot be approved "
                                     f"before that ({on:%d/%m/%Y})."})
    approved_on = order.commitment_entry.date if order.commitment_entry_id else None
    if approved_on is not None and on < approved_on:
        raise ValidationError({"on": f"{order.reference} was approved on {approved_on:%d/%m/%Y}; an invoice against it "
                                     f"cannot be approved before that ({on:%d/%m/%Y}). Date it on or after "
                                     f"{approved_on:%d/%m/%Y}."})
    line = order.budget_line
    fund, year = line.fund, line.year
    budget = invoice.budget_amount
    release = min(budget, order_outstanding(order))
    legs = [Leg(acc.SUPPLIER_EXPENDITURE, fund, DEBIT, budget, year, line)]
    if invoice.vat_recoverable and invoice.vat.amount > ZERO:
        legs.append(Leg(acc.VAT_RECOVERABLE, fund, DEBIT, invoice.vat.amount, year))
    legs.append(Leg(acc.TRADE_CREDITORS, fund, CREDIT, invoice.gross.amount, year))
    if release > ZERO:
        legs += [Leg(acc.COMMITMENT_CONTROL, fund, DEBIT, release, year, line),
                 Leg(acc.COMMITMENTS, fund, CREDIT, release, year, line)]
    entry = entry_post(
        date=on, by=by, source=invoice, source_reference=f"{invoice.reference} {order.reference}",
        description=f"Supplier invoice {invoice.reference} {invoice.supplier} {invoice.supplier_reference}: "
                    f"{invoice.description}"[:300],
        legs=legs,
    )
    invoice.entry = entry
    invoice.status = Invoice.Status.APPROVED
    invoice.decided_by = by
    invoice.decided_at = timezone.now()
    save_with_history(invoice, by=by, reason="Approved for payment")
    record_event("invoice.approved", by=by, obj=invoice,
                 summary=f"{invoice.reference} approved: {format_gbp(budget)} spent on {line}, "
                         f"{format_gbp(invoice.gross.amount)} owed to {invoice.supplier} ({entry.reference})",
                 data={"entry": entry.reference, "released": str(release)})
    return invoice


@transaction.atomic
def invoice_reject(*, invoice: Invoice, by, note: str) -> Invoice:
    """Refuse an invoice awaiting approval (wrong, duplicate, or not for this order): nothing was posted, and what
    it took from the order's amount left to invoice comes back. By someone other than its recorder."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="reject supplier invoices")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say why the invoice is rejected, e.g. 'Duplicate of INV00004'."})
    invoice = lock_invoice(invoice)
    _require_awaiting(invoice)
    _require_other_person(invoice, by)
    invoice.status = Invoice.Status.REJECTED
    invoice.decided_by = by
    invoice.decided_at = timezone.now()
    invoice.decision_note = note
    save_with_history(invoice, by=by, reason=note)
    record_event("invoice.rejected", by=by, obj=invoice, reason=note, summary=f"{invoice.reference} rejected")
    return invoice


def invoice_reverse_refusal(invoice: Invoice) -> str | None:
    """Why ``invoice`` cannot be reversed now, or None; pages ask it before offering Reverse. Reads only."""
    if invoice.status != Invoice.Status.APPROVED:
        return (f"{invoice.reference} is {invoice.get_status_display().lower()}: nothing was posted, so there is "
                "nothing to reverse.")
    refusal = reversal_refusal(invoice, what=INVOICE)
    if refusal:
        return refusal
    payment = SupplierPayment.objects.filter(invoice_id=invoice.pk, reversal__isnull=True).first()
    if payment is not None:
        return (f"{invoice.reference} was paid on {payment.paid_on:%d/%m/%Y}; reverse the payment first, then the "
                "invoice.")
    order = invoice.order
    if order.status == Order.Status.CLOSED:
        return (f"{order.reference} is closed and what it had not spent was released, so reversing this invoice "
                f"would commit {format_gbp(invoice.budget_amount)} again to an order that takes no more invoices. "
                "Record a credit note from the supplier as a correcting journal instead.")
    return None


@transaction.atomic
def invoice_reverse(*, invoice: Invoice, reason: str, by, on: Date | None = None) -> JournalEntry:
    """Reverse an approved, unpaid invoice approved in error: post the mirror of its entry dated ``on`` (default
    today), which takes the spending, VAT and creditor back and puts the order's commitment back. The invoice stays,
    marked reversed; the order has that much more left to invoice. Returns the reversing entry.

    Refused, writing nothing, with ``invoice_reverse_refusal``'s words (not approved; reversed already; in a year
    through year end; paid; order closed) and ``ledger.reversals.document_reverse``'s."""
    require_role(by, FINANCE_OFFICERS, doing=f"reverse a {INVOICE}")
    invoice = lock_invoice(invoice)
    refusal = invoice_reverse_refusal(invoice)
    if refusal:
        raise ValidationError(refusal)
    return document_reverse(invoice, what=INVOICE, reason=reason, by=by, on=on)
