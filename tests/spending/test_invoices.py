"""Supplier invoices: recorded against an approved order (nothing above what it has left to invoice), approved by
someone other than the recorder, which posts the spending and releases the commitment; reversed while unpaid."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ledger import accounts as acc
from ledger.models import JournalEntry
from spending.invoices import invoice_approve, invoice_record, invoice_reject, invoice_reverse
from spending.models import Invoice
from spending.orders import order_close, order_raise
from spending.selectors import budget_line_available, order_left_to_invoice, order_outstanding
from spending.supplier_payments import supplier_payment_record
from tests.spending.conftest import db_state, line_spending, position, verify_ledger_passes


def record(order, officer, **extra):
    fields = dict(order=order, supplier_reference="PH-2002", invoice_date=date(2025, 7, 31),
                  description="Helpline service, July 2025", net="5000.00", vat="1000.00", by=officer)
    fields.update(extra)
    return invoice_record(**fields)


def legs(entry):
    return sorted((line.account.code, line.direction, line.amount.amount, line.budget_line_id)
                  for line in entry.lines.select_related("account"))


def test_recording_an_invoice_posts_nothing_and_takes_from_what_is_left(recorded_invoice, contract, fund, year):
    invoice = recorded_invoice
    assert invoice.status == Invoice.Status.AWAITING_APPROVAL
    assert invoice.gross.amount == Decimal("18000.00")
    assert invoice.due_date == date(2025, 7, 30)  # 30 days' terms
    assert invoice.supplier == contract.supplier
    assert invoice.entry is None
    assert position(fund, year) == (Decimal("60000.00"), Decimal("0.00"))
    assert order_left_to_invoice(contract) == Decimal("45000.00")
    assert order_outstanding(contract) == Decimal("60000.00")


def test_approval_posts_one_entry_recoverable_vat_to_its_own_account(approved_invoice, contract, helpline_line,
                                                                     officer2, fund, year):
    invoice = approved_invoice
    assert invoice.status == Invoice.Status.APPROVED and invoice.decided_by == officer2
    entry = invoice.entry
    assert entry.date == date(2025, 7, 3)
    line = helpline_line.pk
    assert legs(entry) == sorted([
        (acc.SUPPLIER_EXPENDITURE, "D", Decimal("15000.00"), line),
        (acc.VAT_RECOVERABLE, "D", Decimal("3000.00"), None),
        (acc.TRADE_CREDITORS, "C", Decimal("18000.00"), None),
        (acc.COMMITMENT_CONTROL, "D", Decimal("15000.00"), line),
        (acc.COMMITMENTS, "C", Decimal("15000.00"), line),
    ])
    assert position(fund, year) == (Decimal("45000.00"), Decimal("15000.00"))
    assert line_spending(helpline_line) == (Decimal("45000.00"), Decimal("15000.00"))
    assert budget_line_available(helpline_line) == Decimal("40000.00")  # unchanged: the commitment became spending
    assert order_outstanding(contract) == Decimal("45000.00")
    verify_ledger_passes()


def test_irrecoverable_vat_is_borne_by_the_budget(contract, officer, officer2, helpline_line, fund, year):
    invoice = record(contract, officer, vat_recoverable=False)
    assert order_left_to_invoice(contract) == Decimal("54000.00")  # the gross counts against the order
    invoice_approve(invoice=invoice, by=officer2, on=date(2025, 8, 4))
    invoice.refresh_from_db()
    assert legs(invoice.entry) == sorted([
        (acc.SUPPLIER_EXPENDITURE, "D", Decimal("6000.00"), helpline_line.pk),
        (acc.TRADE_CREDITORS, "C", Decimal("6000.00"), None),
        (acc.COMMITMENT_CONTROL, "D", Decimal("6000.00"), helpline_line.pk),
        (acc.COMMITMENTS, "C", Decimal("6000.00"), helpline_line.pk),
    ])
    assert position(fund, year) == (Decimal("54000.00"), Decimal("6000.00"))
    verify_ledger_passes()


def test_an_invoice_without_vat_posts_no_vat_line(small_order, officer, officer2):
    invoice = record(small_order, officer, supplier_reference="CL-7", vat="0")
    invoice_approve(invoice=invoice, by=officer2, on=date(2025, 8, 4))
    invoice.refresh_from_db()
    assert acc.VAT_RECOVERABLE not in {code for code, *_ in legs(invoice.entry)}


def test_over_invoicing_is_refused_saying_what_is_left(recorded_invoice, contract, officer):
    record(contract, officer, net="40000.00", vat="0")  # £5,000.00 left now
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, supplier_reference="PH-3003", net="5000.01", vat="1000.00")
    assert refused.value.messages == [
        f"{contract.reference} has £5,000.00 left to invoice; this invoice's £5,000.01 is £0.01 more than that. "
        "Raise a variation or a new order for the extra work before recording the invoice, or ask the supplier to "
        "correct it."]
    assert db_state() == before
    assert record(contract, officer, supplier_reference="PH-3003", net="5000.00", vat="1000.00")


def test_irrecoverable_vat_counts_when_checking_what_is_left(small_order, officer):
    with pytest.raises(ValidationError, match="has £12,000.00 left to invoice; this invoice's £12,000.01"):
        record(small_order, officer, net="10000.01", vat="2000.00", vat_recoverable=False)


def test_a_rejected_invoice_gives_back_what_it_took(recorded_invoice, contract, officer2):
    invoice = invoice_reject(invoice=recorded_invoice, by=officer2, note="Wrong rate charged")
    assert invoice.status == Invoice.Status.REJECTED and invoice.decision_note == "Wrong rate charged"
    assert order_left_to_invoice(contract) == Decimal("60000.00")


@pytest.mark.parametrize("vat, message", [
    ("-1.00", None),
    ("3000.01", "VAT of £3,000.01 is more than 20% of the net £15,000.00 (at most £3,000.00 at the standard rate); "
                "check the invoice: VAT is never above the standard rate, and the net is the amount before VAT."),
])
def test_vat_is_not_negative_and_at_most_a_fifth_of_the_net(contract, officer, vat, message):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, net="15000.00", vat=vat)
    assert "vat" in refused.value.message_dict
    if message:
        assert refused.value.message_dict["vat"] == [message]
    assert db_state() == before


def test_a_supplier_invoice_number_is_recorded_once(recorded_invoice, contract, officer):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, supplier_reference="ph-1001")
    assert refused.value.message_dict["supplier_reference"] == [
        f"Pennine Helpline Ltd's invoice PH-1001 is already recorded as {recorded_invoice.reference} (dated "
        "30/06/2025, £18,000.00); an invoice is recorded once. Reject or reverse the earlier one first if it was "
        "wrong."]
    assert db_state() == before


def test_a_rejected_invoices_number_may_be_recorded_again(recorded_invoice, contract, officer, officer2):
    invoice_reject(invoice=recorded_invoice, by=officer2, note="Wrong rate")
    assert record(contract, officer, supplier_reference="PH-1001").supplier_reference == "PH-1001"


def test_invoice_dates(contract, officer):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, invoice_date=tomorrow)
    assert refused.value.message_dict["invoice_date"][0].endswith("is in the future; record an invoice once it has "
                                                                  "been issued, with the date printed on it.")
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, invoice_date=date(2025, 3, 31))
    assert refused.value.message_dict["invoice_date"] == [
        f"{contract.reference} starts on 01/04/2025; an invoice dated 31/03/2025 is for something before it. Check "
        "the date, or the order."]
    with pytest.raises(ValidationError) as refused:
        record(contract, officer, due_date=date(2025, 7, 30))
    assert "The due date cannot be before the invoice date (31/07/2025)" in refused.value.message_dict["due_date"][0]
    assert record(contract, officer, due_date=date(2025, 8, 15)).due_date == date(2025, 8, 15)
    assert not Invoice.objects.filter(due_date=date(2025, 8, 30)).exists()


def test_no_invoice_on_an_order_awaiting_approval_or_closed(supplier, helpline_line, officer, small_order):
    waiting = order_raise(supplier=supplier, budget_line=helpline_line, title="Helpline", start_date=date(2025, 4, 1),
                          end_date=date(2026, 3, 31), amount="30000.00", by=officer, on=date(2025, 5, 1))
    with pytest.raises(ValidationError) as refused:
        record(waiting, officer)
    assert refused.value.messages == [
        f"{waiting.reference} is awaiting approval; invoices are recorded only against an approved order that is "
        "not closed."]
    order_close(order=small_order, by=officer, reason="Not needed", on=date(2025, 6, 1))
    with pytest.raises(ValidationError, match="is closed; invoices are recorded only"):
        record(small_order, officer)


def test_the_recorder_does_not_approve_their_own_invoice(recorded_invoice, officer, director):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        invoice_approve(invoice=recorded_invoice, by=officer, on=date(2025, 7, 3))
    assert refused.value.messages == [
        f"You recorded {recorded_invoice.reference}, so another finance officer or a finance director must approve "
        "or reject it."]
    assert db_state() == before
    assert invoice_approve(invoice=recorded_invoice, by=director, on=date(2025, 7, 3)).decided_by == director


def test_commissioners_do_not_approve_invoices(recorded_invoice, commissioner):
    with pytest.raises(PermissionDenied, match="Only finance officers or finance directors may approve supplier"):
        invoice_approve(invoice=recorded_invoice, by=commissioner)


def test_an_invoice_is_not_approved_before_its_date(recorded_invoice, officer2):
    with pytest.raises(ValidationError) as refused:
        invoice_approve(invoice=recorded_invoice, by=officer2, on=date(2025, 6, 29))
    assert refused.value.message_dict["on"] == [
        "The invoice is dated 30/06/2025; it cannot be approved before that (29/06/2025)."]


def test_an_invoice_is_approved_once(approved_invoice, director):
    with pytest.raises(ValidationError, match="is approved for payment; only an invoice awaiting approval"):
        invoice_approve(invoice=approved_invoice, by=director)


def test_reversing_an_unpaid_invoice_restores_the_commitment(approved_invoice, contract, officer, helpline_line, fund,
                                                             year):
    entry = invoice_reverse(invoice=approved_invoice, reason="Approved against the wrong order", by=officer,
                            on=date(2025, 7, 10))
    assert entry.reverses == approved_invoice.entry
    approved_invoice.refresh_from_db()
    assert approved_invoice.is_reversed
    assert position(fund, year) == (Decimal("60000.00"), Decimal("0.00"))
    assert line_spending(helpline_line) == (Decimal("60000.00"), Decimal("0.00"))
    assert order_outstanding(contract) == Decimal("60000.00")
    assert order_left_to_invoice(contract) == Decimal("60000.00")
    verify_ledger_passes()


def test_a_paid_invoice_is_not_reversed_until_the_payment_is(approved_invoice, officer):
    supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer)
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        invoice_reverse(invoice=approved_invoice, reason="Wrong", by=officer, on=date(2025, 8, 1))
    assert refused.value.messages == [
        f"{approved_invoice.reference} was paid on 30/07/2025; reverse the payment first, then the invoice."]
    assert db_state() == before


def test_an_invoice_on_a_closed_order_is_not_reversed(approved_invoice, contract, officer):
    order_close(order=contract, by=officer, reason="Ended", on=date(2025, 7, 31))
    with pytest.raises(ValidationError, match="is closed and what it had not spent was released"):
        invoice_reverse(invoice=approved_invoice, reason="Wrong", by=officer, on=date(2025, 8, 1))


def test_a_reversal_needs_a_reason(approved_invoice, officer):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        invoice_reverse(invoice=approved_invoice, reason="", by=officer, on=date(2025, 8, 1))
    assert refused.value.message_dict["reason"] == [
        "Say why the supplier invoice is being reversed; the reason is kept with it."]
    assert db_state() == before
    assert JournalEntry.objects.filter(reverses__isnull=False).count() == 0
