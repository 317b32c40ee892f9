"""Reversing income from its page: the form is on the document's page for finance officers, a refusal shows in the
form and writes nothing, a reversed document is marked on its page and in its list. Pay-overs to HM Treasury."""

from datetime import date

import pytest

from income import kinds
from income.models import AwardLetter, PocaReceipt, TreasuryPayOver
from income.services import fpn_return_record, poca_receipt_record, receipt_record
from tests.web.conftest import text

TODAY = date(2025, 9, 15)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(kinds, "income_today", lambda: TODAY)


@pytest.fixture
def receipt(poca_fund, officer):
    return poca_receipt_record(fund=poca_fund, reference="ARIS-1", case_reference="T20250001",
                               date=date(2025, 5, 12), gross_recovered="10000.00", agency_share_percent="50",
                               by=officer)


def url(receipt, action=""):
    return f"/income/poca/{receipt.pk}/{action}"


def test_a_finance_officer_reverses_a_receipt_from_its_page(officer_client, receipt):
    page = officer_client.get(url(receipt))
    assert f'action="/income/poca/{receipt.pk}/reverse/"' in page.content.decode()
    assert "Reverse this proceeds of crime receipt" in text(page)

    response = officer_client.post(url(receipt, "reverse/"), {"reason": "Share is 18.75%", "on": "02/06/2025"})

    assert response.status_code == 302 and response["Location"] == url(receipt)
    receipt.refresh_from_db()
    entry = receipt.reversal
    page = officer_client.get(response["Location"])
    body = text(page)
    assert (f"POCA T20250001 ARIS-1 reversed by journal entry {entry.reference}. It stays on record, marked "
            "reversed, and no longer counts.") in body
    assert f"Reversed on 02/06/2025 by entry {entry.reference}: Share is 18.75%" in body
    assert f'href="/journal/{entry.pk}/"' in page.content.decode()
    assert f'href="/journal/{receipt.entry_id}/"' in page.content.decode()
    assert "Reverse this" not in body  # reversed once only

    listing = text(officer_client.get("/income/poca/"))
    assert "ARIS-1 Reversed POCA" in listing and f"reversed by {entry.reference}" in listing


def test_a_reversal_without_a_reason_is_refused_in_the_form(officer_client, receipt, unchanged_database):
    with unchanged_database():
        response = officer_client.post(url(receipt, "reverse/"), {"reason": "", "on": ""})
    assert response.status_code == 200
    assert response.context["reverse_form"].errors["reason"] == [
        "Say why the proceeds of crime receipt is being reversed; the reason is kept with it."]


def test_a_reversal_into_a_closed_month_is_refused_on_the_date(officer_client, receipt, director, unchanged_database):
    from funds.calendar import periods_close_up_to
    from funds.models import Period

    periods_close_up_to(period=Period.objects.get(start_date=date(2025, 5, 1)), by=director, today=TODAY)
    with unchanged_database():
        response = officer_client.post(url(receipt, "reverse/"), {"reason": "Duplicate", "on": "20/05/2025"})
    assert response.context["reverse_form"].errors["on"][0].startswith("2025/26 P2 (May 2025) is closed")


def test_a_letter_with_receipts_shows_why_it_cannot_be_reversed_and_refuses_a_post(
        officer_client, funded_core, officer, unchanged_database):
    letter = AwardLetter.objects.get()
    receipt_record(fund=funded_core, reference="BACS-1", date=date(2025, 4, 20), amount="125000.00", by=officer)
    refusal = ("Award letter MOJ-AWD-2526 cannot be reversed: 1 receipt of £125,000.00 has been recorded against it; "
               "reverse it first.")
    page = officer_client.get(f"/income/award-letters/{letter.pk}/")
    assert refusal in text(page) and page.context.get("reverse_form") is None

    with unchanged_database():
        response = officer_client.post(f"/income/award-letters/{letter.pk}/reverse/", {"reason": "Wrong letter"})
    assert response.status_code == 200
    assert response.context["reverse_form"].non_field_errors() == [refusal]


@pytest.mark.parametrize("client", ["commissioner_client", "director_client"])
def test_only_finance_officers_may_reverse(client, receipt, request, unchanged_database):
    client = request.getfixturevalue(client)
    with unchanged_database():
        assert client.post(url(receipt, "reverse/"), {"reason": "Duplicate"}).status_code == 403
        assert client.get(url(receipt, "reverse/")).status_code == 403
    assert not PocaReceipt.objects.get().is_reversed


def test_a_director_reads_the_document_without_the_reverse_form(director_client, receipt):
    page = director_client.get(url(receipt))
    assert page.status_code == 200 and "Reverse this" not in text(page)


def test_the_fixed_penalty_list_shows_what_is_owed_to_hm_treasury(officer_client, fpn_fund, officer):
    fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                      gross_value="138800.00", by=officer)
    assert "Owed to HM Treasury: £104,100.00 from FPN Retained fixed penalties" in text(
        officer_client.get("/income/fpn/"))


def test_a_finance_officer_records_a_pay_over_and_the_amount_owed_falls(officer_client, fpn_fund, officer):
    fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                      gross_value="138800.00", by=officer)
    response = officer_client.post("/income/treasury/new/", {
        "fund": fpn_fund.pk, "reference": "HMT-1", "date": "30/06/2025", "amount": "100,000.00", "description": ""})
    payover = TreasuryPayOver.objects.get()
    assert response["Location"] == f"/income/treasury/{payover.pk}/"
    assert "Owed to HM Treasury: £4,100.00" in text(officer_client.get("/income/treasury/"))

    refused = officer_client.post("/income/treasury/new/", {
        "fund": fpn_fund.pk, "reference": "HMT-2", "date": "30/06/2025", "amount": "5000.00"})
    assert refused.context["form"].errors["amount"] == [
        "FPN owes HM Treasury £4,100.00 from its fixed penalty returns; a pay-over of £5,000.00 is £900.00 more than "
        "that. Pay over at most £4,100.00."]


def test_a_pay_over_is_reversed_from_its_page_and_is_owed_again(officer_client, fpn_fund, officer):
    from income.services import treasury_payover_record

    fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                      gross_value="138800.00", by=officer)
    payover = treasury_payover_record(fund=fpn_fund, reference="HMT-1", date=date(2025, 6, 30), amount="100000.00",
                                      by=officer)
    page = text(officer_client.get(f"/income/treasury/{payover.pk}/"))
    assert "Pay-over to HM Treasury" in page and "Reverse this pay-over to HM Treasury" in page and "History" in page

    response = officer_client.post(f"/income/treasury/{payover.pk}/reverse/", {"reason": "Paid twice", "on": ""})
    assert response.status_code == 302
    payover.refresh_from_db()
    assert payover.reversal.date == TODAY
    assert "Owed to HM Treasury: £104,100.00" in text(officer_client.get("/income/fpn/"))
