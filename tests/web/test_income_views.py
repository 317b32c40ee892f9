"""income.views: recording income posts it at once; refusals show on the field; lists filter and search."""

from decimal import Decimal

from funds.calendar import periods_close_up_to
from funds.models import Period
from income.models import AwardLetter, FpnReturn, PocaReceipt
from income.services import poca_receipt_record
from ledger.models import JournalEntry
from tests.web.conftest import text


def test_recording_a_proceeds_of_crime_receipt_computes_the_share_and_posts_it(officer_client, poca_fund, year):
    response = officer_client.post(
        "/income/poca/new/",
        {
            "fund": poca_fund.pk,
            "reference": "ARIS-2526-001",
            "case_reference": "T20247781",
            "date": "12/05/2025",
            "gross_recovered": "186,000.00",
            "agency_share_percent": "18.75",
            "description": "",
        },
    )
    receipt = PocaReceipt.objects.get()
    assert response["Location"] == f"/income/poca/{receipt.pk}/"
    assert receipt.amount.amount == Decimal("34875.00")
    page = text(officer_client.get(response["Location"]))
    assert f"ARIS-2526-001 recorded and posted as journal entry {receipt.entry.reference}." in page
    assert "Gross recovered £186,000.00 Share 18.75% Received £34,875.00" in page


def test_an_award_letter_for_a_receipts_based_fund_is_refused_on_the_fund_field(officer_client, poca_fund, year):
    response = officer_client.post(
        "/income/award-letters/new/",
        {
            "fund": poca_fund.pk,
            "year": year.pk,
            "reference": "X-1",
            "letter_date": "03/04/2025",
            "amount": "10.00",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["fund"] == [
        "POCA takes only proceeds of crime receipts, not award letters. Record this as a proceeds of crime receipt "
        "instead."
    ]
    assert not AwardLetter.objects.exists() and not JournalEntry.objects.exists()


def test_a_duplicate_reference_is_refused_next_to_the_reference(officer_client, poca_fund, officer, year):
    poca_receipt_record(
        fund=poca_fund,
        reference="ARIS-1",
        case_reference="T1",
        date=year.start_date,
        gross_recovered="100.00",
        agency_share_percent="50",
        by=officer,
    )
    response = officer_client.post(
        "/income/poca/new/",
        {
            "fund": poca_fund.pk,
            "reference": "ARIS-1",
            "case_reference": "T2",
            "date": "01/05/2025",
            "gross_recovered": "100.00",
            "agency_share_percent": "50",
        },
    )
    assert response.context["form"].errors["reference"] == ["Reference 'ARIS-1' has already been recorded."]
    assert PocaReceipt.objects.count() == 1


def test_a_fixed_penalty_return_cannot_be_put_in_a_closed_month(officer_client, fpn_fund, officer, year):
    may = Period.objects.get(year=year, number=2)
    periods_close_up_to(period=may, by=officer)
    form_page = officer_client.get("/income/fpn/new/").content.decode()
    assert f'<option value="{may.pk}">' not in form_page
    response = officer_client.post(
        "/income/fpn/new/",
        {
            "fund": fpn_fund.pk,
            "reference": "FPN-P02",
            "period": may.pk,
            "tickets": "1400",
            "gross_value": "140000.00",
        },
    )
    assert response.context["form"].errors["period"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not FpnReturn.objects.exists()


def test_a_fixed_penalty_return_splits_retained_and_treasury(officer_client, fpn_fund, year):
    june = Period.objects.get(year=year, number=3)
    officer_client.post(
        "/income/fpn/new/",
        {
            "fund": fpn_fund.pk,
            "reference": "FPN-P03",
            "period": june.pk,
            "tickets": "1400",
            "gross_value": "140000.00",
        },
    )
    page = text(officer_client.get("/income/fpn/?year=2025"))
    assert "FPN-P03 FPN June 2025 1,400 £140,000.00 £35,000.00 £105,000.00" in page


def test_a_closed_period_refusal_from_the_service_is_shown_on_the_date(officer_client, funded_core, officer, year):
    periods_close_up_to(period=Period.objects.get(year=year, number=2), by=officer)
    response = officer_client.post(
        "/income/receipts/new/",
        {
            "fund": funded_core.pk,
            "reference": "R-1",
            "date": "20/05/2025",
            "amount": "1000.00",
        },
    )
    assert response.context["form"].errors["date"] == [
        "2025/26 P2 (May 2025) is closed, so nothing can be posted on 20/05/2025. Post the correction into an open "
        "period, or ask a finance director to reopen it."
    ]


def test_income_lists_search_and_filter_by_fund(officer_client, poca_fund, fpn_fund, officer, year):
    for n, case in enumerate(["T1001", "T2002"], start=1):
        poca_receipt_record(
            fund=poca_fund,
            reference=f"ARIS-{n}",
            case_reference=case,
            date=year.start_date,
            gross_recovered="1000.00",
            agency_share_percent="10",
            by=officer,
        )
    page = text(officer_client.get("/income/poca/?q=T2002"))
    assert "ARIS-2" in page and "ARIS-1 " not in page
    assert "Nothing matches." in text(officer_client.get("/income/poca/?fund=FPN"))


def test_income_index_totals_the_current_year(director_client, year):
    page = text(director_client.get("/income/"))
    assert "Proceeds of crime receipts 0 £0.00" in page
    assert "Record" not in page.split("Kind of income")[1].split("For fixed penalties")[0]


def test_unknown_kind_of_income_is_not_found(officer_client, db):
    assert officer_client.get("/income/lottery/").status_code == 404


def test_commissioners_do_not_record_or_read_income(commissioner_client, db):
    assert commissioner_client.get("/income/").status_code == 403
    assert commissioner_client.get("/income/poca/new/").status_code == 403
