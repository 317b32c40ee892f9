"""Supplier, order and invoice forms report every field at fault in one response, each linked to its field."""

import pytest

from tests.spending.conftest import db_state
from tests.web.conftest import signed_in
from tests.web.summary import field_ids, summary_items


@pytest.fixture
def officer_client(officer):
    return signed_in(officer)


def linked(response) -> dict[str, str]:
    """The summary as {field id: first words of its message}; every link leads to an input of the page."""
    items = summary_items(response)
    assert {target for target, _ in items if target} <= field_ids(response)
    return {target: message for target, message in items}


def test_a_supplier_reports_its_vat_number_with_its_payment_terms(officer_client, organisation):
    before = db_state()
    response = officer_client.post("/spending/suppliers/new/", {
        "organisation": organisation.pk, "vat_number": "FR123", "payment_terms_days": "thirty"})

    found = linked(response)
    assert found["id_vat_number"].startswith("'FR123' is not a UK VAT registration number")
    assert found["id_payment_terms_days"].startswith("'thirty' is not a whole number of days")
    assert db_state() == before


def test_an_order_reports_its_dates_and_the_amount_the_line_lacks_together(officer_client, supplier, running_line):
    before = db_state()
    response = officer_client.post("/spending/orders/new/", {
        "supplier": supplier.pk, "budget_line": running_line.pk, "kind": "order", "title": "Hub cleaning",
        "start_date": "01/04/2025", "end_date": "31/03/2025", "amount": "£50,000.00"})

    found = linked(response)
    assert found["id_end_date"] == ("The end (31/03/2025) is before the start (01/04/2025); give an end on or after "
                                    "the start.")
    assert found["id_amount"].startswith("The budget line 'Hub running costs' (MOJ-CORE 2025/26) has £20,000.00 "
                                         "available")
    assert db_state() == before


def test_an_invoice_reports_its_number_date_and_vat_together(officer_client, recorded_invoice):
    order = recorded_invoice.order
    before = db_state()
    response = officer_client.post(f"/spending/orders/{order.pk}/invoices/new/", {
        "supplier_reference": "PH-1001", "invoice_date": "30/06/2099", "description": "Helpline Q2",
        "net": "15000.00", "vat": "3500.00", "vat_recoverable": "on"})

    found = linked(response)
    assert found["id_supplier_reference"].startswith("Pennine Helpline Ltd's invoice PH-1001 is already recorded as")
    assert found["id_invoice_date"].startswith("30/06/2099 is in the future")
    assert found["id_vat"].startswith("VAT of £3,500.00 is more than 20% of the net £15,000.00")
    assert db_state() == before


def test_vat_above_the_standard_rate_is_reported_with_a_blank_description(officer_client, contract):
    response = officer_client.post(f"/spending/orders/{contract.pk}/invoices/new/", {
        "supplier_reference": "PH-2002", "invoice_date": "30/06/2025", "description": "",
        "net": "100.00", "vat": "25.00", "vat_recoverable": "on"})

    found = linked(response)
    assert found["id_description"] == "This field is required."
    assert found["id_vat"].startswith("VAT of £25.00 is more than 20% of the net £100.00 (at most £20.00")
