"""Paying an approved supplier invoice, in full (gross): Dr trade creditors / Cr cash in the order's fund and year.

Payments leave only in payment runs: ``supplier_payment_record`` is called by ``payments`` (``payment_run_pay``)
for each invoice in an authorised run, never from a page of its own (Managing Public Money, GovS 015: the person
who prepares a payment is not the one who authorises it, which the run enforces). Locks: fund -> order -> invoice
-> payment (``spending.locks``).
"""

from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.models import Event
from core.money import format_gbp, gbp
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from grants.organisations import current_bank_details_many
from ledger import accounts as acc
from ledger.models import JournalEntry
from ledger.posting import CREDIT, DEBIT, EntryDraft, Leg, entries_post
from ledger.reversals import document_reverse, reversal_refusal
from spending.locks import lock_invoices, lock_payment
from spending.models import Invoice, SupplierPayment

PAYMENT = "supplier payment"


def supplier_pay_refusal(invoice: Invoice) -> str | None:
    """Why ``invoice`` cannot be paid now, or None (bank details are the caller's next question). Reads only."""
    if invoice.is_reversed:
        return f"{invoice.reference} was reversed; it is not paid."
    if invoice.status != Invoice.Status.APPROVED:
        return (f"{invoice.reference} is {invoice.get_status_display().lower()}; only an invoice approved for payment "
                "is paid.")
    paid = SupplierPayment.objects.filter(invoice_id=invoice.pk, reversal__isnull=True).first()
    if paid is not None:
        return f"{invoice.reference} was paid on {paid.paid_on:%d/%m/%Y}; an invoice is paid once."
    return None


@transaction.atomic
def supplier_payment_record(*, invoice: Invoice, paid_on: Date, by, reference: str = "") -> SupplierPayment:
    """Pay an approved invoice in full (its gross) to the supplier's verified bank details, dated ``paid_on``: one
    payment through ``supplier_payments_record`` (see there; its refusals name no invoice when there is one)."""
    return supplier_payments_record(drafts=[(invoice, reference)], paid_on=paid_on, by=by)[0]


@transaction.atomic
def supplier_payments_record(*, drafts, paid_on: Date, by, today: Date | None = None) -> list[SupplierPayment]:
    """Pay approved invoices in full (their gross) to the suppliers' verified bank details, dated ``paid_on``:
    ``drafts`` are ``(invoice, reference)`` pairs. Each posts Dr trade creditors / Cr cash in the order's fund and
    year, all through ``ledger.posting.entries_post`` in a number of queries that does not grow with the invoices.

    Called ONLY by the payments app when an authorised payment run is paid (``payments.payment_run_pay``): no page
    or command pays a supplier invoice on its own. ``reference`` (e.g. "PR00012 INV00004 ...") becomes the entry's
    source reference as given; without it the entry names the invoice and its order.

    Refused, writing nothing: not approved, reversed or paid already; the supplier's bank details missing or
    awaiting verification; a date in the future or before the invoice was approved."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="pay supplier invoices")
    if not drafts:
        return []
    if not isinstance(paid_on, Date):
        raise ValidationError({"paid_on": "Give the date the payment leaves the bank, e.g. 30/07/2025."})
    if paid_on > (today or timezone.localdate()):
        raise ValidationError({"paid_on": f"{paid_on:%d/%m/%Y} is in the future; record a payment once it is made."})
    invoices = lock_invoices([invoice for invoice, _ in drafts])
    paid = {p.invoice_id: p for p in SupplierPayment.objects.filter(invoice_id__in=list(invoices),
                                                                    reversal__isnull=True)}
    banks = current_bank_details_many({i.supplier.organisation_id for i in invoices.values()})
    entry_drafts, rows = [], []
    for given, reference in drafts:
        invoice = invoices[given.pk]
        field, refusal = _pay_refusal(invoice, paid.get(invoice.pk), paid_on,
                                      banks.get(invoice.supplier.organisation_id))
        if refusal and len(drafts) == 1:
            raise ValidationError({field: refusal} if field else refusal)
        if refusal:
            raise ValidationError(f"{invoice.reference}: {refusal}")
        order, line = invoice.order, invoice.order.budget_line
        gross = invoice.gross.amount
        reference = (reference or "").strip()
        entry_drafts.append(EntryDraft(
            description=f"Supplier payment {invoice.reference} to {invoice.supplier} ({invoice.supplier_reference})"[
                :300],
            legs=[Leg(acc.TRADE_CREDITORS, line.fund, DEBIT, gross, line.year),
                  Leg(acc.CASH, line.fund, CREDIT, gross, line.year)],
            source=invoice, source_reference=reference or f"{invoice.reference} {order.reference}"))
        rows.append((invoice, reference, gross))
    entries = entries_post(date=paid_on, drafts=entry_drafts, by=by)
    payments = [SupplierPayment(invoice=invoice, bank_details=banks[invoice.supplier.organisation_id],
                                amount=gbp(gross), paid_on=paid_on, reference=reference[:60], entry=entry,
                                recorded_by=by)
                for (invoice, reference, gross), entry in zip(rows, entries, strict=True)]
    bulk_create_with_history(payments, SupplierPayment, batch_size=500, default_user=by, default_change_reason="Paid")
    Event.objects.bulk_create([
        Event(kind="supplier_payment.recorded", actor=by, object_type=invoice._meta.label_lower,
              object_id=str(invoice.pk),
              summary=f"{invoice.reference}: {format_gbp(gross)} paid to {invoice.supplier} ({entry.reference})"[:300],
              data={"payment": payment.pk, "entry": entry.reference, "amount": str(gross)})
        for (invoice, _, gross), entry, payment in zip(rows, entries, payments, strict=True)
    ])
    return payments


def _pay_refusal(invoice: Invoice, paid: SupplierPayment | None, paid_on: Date, bank) -> tuple[str, str | None]:
    """(field, why) the invoice cannot be paid on ``paid_on``, or ("", None); ``supplier_pay_refusal``'s words first."""
    if invoice.is_reversed:
        return "", f"{invoice.reference} was reversed; it is not paid."
    if invoice.status != Invoice.Status.APPROVED:
        return "", (f"{invoice.reference} is {invoice.get_status_display().lower()}; only an invoice approved for "
                    "payment is paid.")
    if paid is not None:
        return "", f"{invoice.reference} was paid on {paid.paid_on:%d/%m/%Y}; an invoice is paid once."
    if paid_on < invoice.entry.date:
        return "paid_on", (f"{invoice.reference} was approved on {invoice.entry.date:%d/%m/%Y}; it cannot be paid "
                           f"before that ({paid_on:%d/%m/%Y}).")
    organisation = invoice.supplier.organisation
    if bank is None:
        return "bank_details", (f"{organisation.name} has no bank details; enter them and have a second person "
                                "verify them before any payment.")
    if bank.status != bank.Status.VERIFIED:
        return "bank_details", (f"{organisation.name}'s bank details were changed on {bank.entered_at:%d/%m/%Y} and "
                                "await verification by a second person; no payment can be made until they are "
                                "verified.")
    return "", None


def supplier_payment_reverse_refusal(payment: SupplierPayment) -> str | None:
    return reversal_refusal(payment, what=PAYMENT)


@transaction.atomic
def supplier_payment_reverse(*, payment: SupplierPayment, reason: str, by, on: Date | None = None) -> JournalEntry:
    """Reverse a supplier payment recorded in error (e.g. returned by the bank): the mirror entry dated ``on``
    (default today) owes the supplier the gross again; the invoice is unpaid again and can go in a later run.
    Refused with ``ledger.reversals.document_reverse``'s words (no reason, reversed already, ...)."""
    require_role(by, FINANCE_OFFICERS, doing=f"reverse a {PAYMENT}")
    payment = lock_payment(payment)
    refusal = supplier_payment_reverse_refusal(payment)
    if refusal:
        raise ValidationError(refusal)
    return document_reverse(payment, what=PAYMENT, reason=reason, by=by, on=on)
