"""The supplier spending pages: who sees what, forms that post to the services, refusals shown in the form."""

from datetime import date
from decimal import Decimal

import pytest

from spending.models import Invoice, Order, Supplier
from tests.spending.conftest import db_state
from tests.web.conftest import signed_in, text


@pytest.fixture
def officer_client(officer):
    return signed_in(officer)


@pytest.fixture
def officer2_client(officer2):
    return signed_in(officer2)


@pytest.fixture
def commissioner_client(commissioner):
    return signed_in(commissioner)


@pytest.fixture
def director_client(director):
    return signed_in(director)


def test_an_officer_records_a_supplier_from_an_existing_organisation(officer_client, organisation):
    page = officer_client.get("/spending/suppliers/new/")
    assert page.status_code == 200
    assert 'href="/organisations/new/"' in page.content.decode()  # not listed? record the organisation first
    response = officer_client.post("/spending/suppliers/new/", {
        "organisation": organisation.pk, "vat_number": "GB 123456789", "payment_terms_days": "30"})
    supplier = Supplier.objects.get()
    assert response["Location"] == f"/spending/suppliers/{supplier.pk}/"
    detail = text(officer_client.get(response["Location"]))
    assert "Pennine Helpline Ltd" in detail and "GB123456789" in detail
    assert "sort code ******62, account ******78" in detail  # masked
    assert "40-11-62" not in detail and "account 12345678" not in detail
    assert "Verified" in detail


def test_a_bad_vat_number_is_shown_on_its_field(officer_client, organisation):
    before = db_state()
    response = officer_client.post("/spending/suppliers/new/", {
        "organisation": organisation.pk, "vat_number": "FR123", "payment_terms_days": "30"})
    assert response.status_code == 200
    assert response.context["form"].errors["vat_number"][0].startswith("'FR123' is not a UK VAT registration number")
    assert db_state() == before


def test_raising_an_order_below_the_threshold_commits_it(officer_client, supplier, running_line):
    response = officer_client.post("/spending/orders/new/", {
        "supplier": supplier.pk, "budget_line": running_line.pk, "kind": "order", "title": "Hub cleaning",
        "start_date": "01/04/2025", "end_date": "31/03/2026", "amount": "£1,200.00"})
    order = Order.objects.get()
    assert response["Location"] == f"/spending/orders/{order.pk}/"
    assert order.status == Order.Status.APPROVED
    page = text(officer_client.get(response["Location"]))
    assert "Remaining to invoice £1,200.00" in page
    assert "Still committed £1,200.00" in page
    assert "Available on the line £18,800.00" in page


def test_an_order_beyond_the_line_is_refused_in_the_form(officer_client, supplier, running_line):
    before = db_state()
    response = officer_client.post("/spending/orders/new/", {
        "supplier": supplier.pk, "budget_line": running_line.pk, "kind": "order", "title": "Hub refit",
        "start_date": "01/04/2025", "end_date": "31/03/2026", "amount": "20000.01"})
    assert response.status_code == 200
    assert response.context["form"].errors["amount"][0].startswith(
        "The budget line 'Hub running costs' (MOJ-CORE 2025/26) has £20,000.00 available")
    assert db_state() == before


def test_a_commissioner_approves_an_order_from_its_page(officer, commissioner_client, supplier, helpline_line):
    from spending.orders import order_raise

    order = order_raise(supplier=supplier, budget_line=helpline_line, title="Helpline", start_date=date(2025, 4, 1),
                        end_date=date(2026, 3, 31), amount="30000.00", by=officer, on=date(2025, 5, 1))
    detail = commissioner_client.get(f"/spending/orders/{order.pk}/").content.decode()
    assert f'href="/spending/orders/{order.pk}/approve/"' in detail
    assert commissioner_client.get(f"/spending/orders/{order.pk}/approve/").status_code == 200
    response = commissioner_client.post(f"/spending/orders/{order.pk}/approve/", {"note": "Procured on framework"})
    assert response["Location"] == f"/spending/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED and order.decision_note == "Procured on framework"


def test_a_commissioner_rejects_with_a_note(officer, commissioner_client, supplier, helpline_line):
    from spending.orders import order_raise

    order = order_raise(supplier=supplier, budget_line=helpline_line, title="Helpline", start_date=date(2025, 4, 1),
                        end_date=date(2026, 3, 31), amount="30000.00", by=officer, on=date(2025, 5, 1))
    response = commissioner_client.post(f"/spending/orders/{order.pk}/reject/", {"note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    commissioner_client.post(f"/spending/orders/{order.pk}/reject/", {"note": "Not needed"})
    order.refresh_from_db()
    assert order.status == Order.Status.REJECTED


def test_officers_cannot_open_order_approval(officer2_client, contract):
    assert officer2_client.get(f"/spending/orders/{contract.pk}/approve/").status_code == 403


def test_an_officer_records_an_invoice_from_the_order_page(officer_client, contract):
    detail = officer_client.get(f"/spending/orders/{contract.pk}/").content.decode()
    assert f'href="/spending/orders/{contract.pk}/invoices/new/"' in detail
    response = officer_client.post(f"/spending/orders/{contract.pk}/invoices/new/", {
        "supplier_reference": "PH-1001", "invoice_date": "30/06/2025", "description": "Helpline Q1",
        "net": "15000.00", "vat": "3000.00", "vat_recoverable": "on", "due_date": ""})
    invoice = Invoice.objects.get()
    assert response["Location"] == f"/spending/invoices/{invoice.pk}/"
    page = text(officer_client.get(response["Location"]))
    assert "Gross £18,000.00" in page and "Due 30/07/2025" in page
    assert "Remaining to invoice £45,000.00" in page
    assert "Approve for payment" not in page  # the recorder does not approve


def test_over_invoicing_is_refused_in_the_form(officer_client, contract):
    before = db_state()
    response = officer_client.post(f"/spending/orders/{contract.pk}/invoices/new/", {
        "supplier_reference": "PH-9", "invoice_date": "30/06/2025", "description": "Too much",
        "net": "60000.01", "vat": "0", "vat_recoverable": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith(
        f"{contract.reference} has £60,000.00 left to invoice; this invoice's £60,000.01 is £0.01 more than that.")
    assert db_state() == before


def test_a_second_officer_approves_the_invoice(officer2_client, recorded_invoice):
    url = f"/spending/invoices/{recorded_invoice.pk}/"
    assert f'href="{url}approve/"' in officer2_client.get(url).content.decode()
    response = officer2_client.post(f"{url}approve/", {"on": "03/07/2025"})
    assert response["Location"] == url
    recorded_invoice.refresh_from_db()
    assert recorded_invoice.status == Invoice.Status.APPROVED
    assert recorded_invoice.entry.date == date(2025, 7, 3)


def test_the_recorder_is_refused_approval_in_the_form(officer_client, recorded_invoice):
    response = officer_client.post(f"/spending/invoices/{recorded_invoice.pk}/approve/", {"on": "03/07/2025"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith(f"You recorded {recorded_invoice.reference}")


def test_a_director_rejects_an_invoice(director_client, recorded_invoice):
    director_client.post(f"/spending/invoices/{recorded_invoice.pk}/reject/", {"note": "Duplicate"})
    recorded_invoice.refresh_from_db()
    assert recorded_invoice.status == Invoice.Status.REJECTED


def test_an_officer_reverses_an_approved_invoice(officer_client, approved_invoice, contract):
    url = f"/spending/invoices/{approved_invoice.pk}/"
    assert f'href="{url}reverse/"' in officer_client.get(url).content.decode()
    response = officer_client.post(f"{url}reverse/", {"reason": "Wrong order", "on": "10/07/2025"})
    assert response["Location"] == url
    page = text(officer_client.get(url))
    approved_invoice.refresh_from_db()
    assert f"Reversed on 10/07/2025 by entry {approved_invoice.reversal.reference}: Wrong order" in page
    assert "Still committed £60,000.00" in page
    assert f'href="{url}reverse/"' not in officer_client.get(url).content.decode()


def test_an_officer_closes_an_order(officer_client, contract):
    response = officer_client.post(f"/spending/orders/{contract.pk}/close/", {"reason": "Ended", "on": "31/07/2025"})
    assert response["Location"] == f"/spending/orders/{contract.pk}/"
    contract.refresh_from_db()
    assert contract.status == Order.Status.CLOSED and contract.released.amount == Decimal("60000.00")


@pytest.mark.parametrize("who", ["officer_client", "commissioner_client", "director_client"])
def test_every_role_reads_the_lists_and_pages(request, who, approved_invoice, supplier):
    client = request.getfixturevalue(who)
    order = approved_invoice.order
    for url in ("/spending/suppliers/", f"/spending/suppliers/{supplier.pk}/", "/spending/orders/",
                f"/spending/orders/{order.pk}/", f"/spending/invoices/{approved_invoice.pk}/",
                "/spending/orders/?status=approved"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert order.reference in text(client.get("/spending/orders/"))


def test_only_officers_raise_orders_and_record_invoices(commissioner_client, director_client, contract):
    for client in (commissioner_client, director_client):
        assert client.get("/spending/orders/new/").status_code == 403
        assert client.get(f"/spending/orders/{contract.pk}/invoices/new/").status_code == 403
        assert client.get("/spending/suppliers/new/").status_code == 403
