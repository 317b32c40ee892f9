"""Paying an approved invoice (only ever from a payment run) and reversing the payment."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grants.organisations import bank_details_submit
from ledger import accounts as acc
from spending.invoices import invoice_approve, invoice_record
from spending.selectors import invoices_payable
from spending.supplier_payments import supplier_payment_record, supplier_payment_reverse
from tests.spending.conftest import db_state, position, verify_ledger_passes


def test_paying_an_invoice_clears_the_creditor_from_cash(approved_invoice, officer, fund, year):
    payment = supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer,
                                      reference="PR00012 INV00001 PH-1001")
    entry = payment.entry
    assert entry.source_reference == "PR00012 INV00001 PH-1001"
    assert sorted((line.account.code, line.direction, line.amount.amount, line.budget_line_id,
                   line.funding_year_id) for line in entry.lines.select_related("account")) == [
        (acc.CASH, "C", Decimal("18000.00"), None, year.pk),
        (acc.TRADE_CREDITORS, "D", Decimal("18000.00"), None, year.pk),
    ]
    assert payment.amount.amount == Decimal("18000.00")
    assert payment.bank_details.account_number == "12345678"
    assert position(fund, year) == (Decimal("45000.00"), Decimal("15000.00"))  # spending counted on approval
    assert list(invoices_payable(on=date(2025, 12, 31))) == []
    verify_ledger_passes()


def test_without_a_reference_the_entry_names_the_invoice_and_order(approved_invoice, officer):
    payment = supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer)
    assert payment.entry.source_reference == f"{approved_invoice.reference} {approved_invoice.order.reference}"


def test_an_invoice_is_paid_once(approved_invoice, officer):
    supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer)
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 31), by=officer)
    assert refused.value.messages == [f"{approved_invoice.reference} was paid on 30/07/2025; an invoice is paid once."]
    assert db_state() == before


def test_an_invoice_awaiting_approval_is_not_paid(recorded_invoice, officer):
    before = db_state()
    with pytest.raises(ValidationError, match="is awaiting approval; only an invoice approved for payment is paid"):
        supplier_payment_record(invoice=recorded_invoice, paid_on=date(2025, 7, 30), by=officer)
    assert db_state() == before


def test_unverified_bank_details_stop_the_payment(approved_invoice, officer):
    bank_details_submit(organisation=approved_invoice.supplier.organisation, account_name="Pennine Helpline",
                        sort_code="11-22-33", account_number="87654321", by=officer, reason="Letter from supplier")
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer)
    assert "Pennine Helpline Ltd's bank details were changed on" in refused.value.message_dict["bank_details"][0]
    assert db_state() == before


def test_a_payment_is_not_dated_before_the_approval(approved_invoice, officer):
    with pytest.raises(ValidationError) as refused:
        supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 2), by=officer)
    assert refused.value.message_dict["paid_on"] == [
        f"{approved_invoice.reference} was approved on 03/07/2025; it cannot be paid before that (02/07/2025)."]


def test_reversing_a_payment_owes_the_supplier_again(approved_invoice, officer, fund, year):
    payment = supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 7, 30), by=officer)
    entry = supplier_payment_reverse(payment=payment, reason="Returned by the bank", by=officer, on=date(2025, 8, 2))
    assert entry.reverses == payment.entry
    payment.refresh_from_db()
    assert payment.is_reversed
    assert list(invoices_payable(on=date(2025, 8, 2))) == [approved_invoice]
    assert position(fund, year) == (Decimal("45000.00"), Decimal("15000.00"))
    again = supplier_payment_record(invoice=approved_invoice, paid_on=date(2025, 8, 5), by=officer)
    assert again.pk != payment.pk
    verify_ledger_passes()


def test_invoices_payable_are_approved_standing_unpaid_and_due(contract, recorded_invoice, approved_invoice, officer,
                                                               officer2):
    later = invoice_record(order=contract, supplier_reference="PH-1002", invoice_date=date(2025, 7, 31),
                           description="July", net="5000.00", vat="1000.00", by=officer)
    invoice_approve(invoice=later, by=officer2, on=date(2025, 8, 1))
    invoice_record(order=contract, supplier_reference="PH-1003", invoice_date=date(2025, 8, 31),
                   description="August", net="5000.00", vat="1000.00", by=officer)  # awaiting approval
    assert list(invoices_payable(on=date(2025, 7, 29))) == []
    assert list(invoices_payable(on=date(2025, 7, 30))) == [approved_invoice]  # due 30/07/2025
    assert list(invoices_payable(on=date(2025, 8, 30))) == [approved_invoice, later]
