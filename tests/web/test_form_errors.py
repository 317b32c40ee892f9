"""Every field at fault is reported in the one response, each as a link in the error summary to its field.

A service used to raise on its first bad field, and the form stopped the service from running at all while a
required field was blank, so people fixed a form twice: the postcode first, then the charity number."""

import pytest
from django.urls import reverse

from grants.models import BankDetails, CommissionedService, Organisation
from tests.web.summary import field_ids, summary_items

BAD_POSTCODE = "B99"
BAD_CHARITY = "12345"
BAD_COMPANY = "1234567"

POSTCODE_MESSAGE = "'B99' is not a UK postcode; write it like B1 1BB or WV10 6DE."
CHARITY_MESSAGE = ("'12345' is not a charity number: a charity registered in England and Wales has 6 or 7 digits, "
                   "for example 1123456.")
COMPANY_MESSAGE = ("'1234567' is not a company number: it has 8 characters, either 8 digits such as 01234567 or "
                   "two letters and 6 digits such as SC123456. Did you mean 01234567? Companies House keeps the "
                   "leading zeros.")


def organisation_data(**changes):
    data = {"name": "Tipton Women's Refuge", "address": "3 Owen Street, Tipton", "postcode": "DY4 8HE",
            "charity_number": "", "company_number": "", "identifier": ""}
    data.update(changes)
    return data


def assert_linked(response, expected):
    """The summary is exactly ``expected`` ((field id, message) pairs) and each link leads to an input."""
    items = summary_items(response)
    assert items == expected
    assert {target for target, _ in items if target} <= field_ids(response)


def test_recording_an_organisation_reports_postcode_charity_and_company_numbers_together(officer_client):
    response = officer_client.post(reverse("grants:organisation_create"), organisation_data(
        postcode=BAD_POSTCODE, charity_number=BAD_CHARITY, company_number=BAD_COMPANY))

    assert response.status_code == 200
    assert_linked(response, [
        ("id_charity_number", CHARITY_MESSAGE),
        ("id_company_number", COMPANY_MESSAGE),
        ("id_postcode", POSTCODE_MESSAGE),
    ])
    assert not Organisation.objects.exists()


def test_a_blank_name_is_reported_with_a_bad_postcode(officer_client):
    response = officer_client.post(reverse("grants:organisation_create"),
                                   organisation_data(name="", postcode=BAD_POSTCODE))
    assert_linked(response, [("id_name", "This field is required."), ("id_postcode", POSTCODE_MESSAGE)])


def test_the_service_reports_every_field_to_any_caller(officer):
    """The rules stay in grants.organisations: the admin and imports call it without the form."""
    import pytest
    from django.core.exceptions import ValidationError

    from grants.organisations import organisation_create

    with pytest.raises(ValidationError) as refused:
        organisation_create(name=" ", address="", postcode=BAD_POSTCODE, charity_number=BAD_CHARITY,
                            company_number=BAD_COMPANY, is_individual=True, by=officer)
    assert sorted(refused.value.message_dict) == ["address", "charity_number", "company_number", "is_individual",
                                                  "name", "postcode"]


def test_changing_an_organisation_reports_every_field_together(officer_client, org):
    response = officer_client.post(reverse("grants:organisation_edit", args=[org.pk]), organisation_data(
        name="Brindley Survivors Trust", postcode=BAD_POSTCODE, charity_number=BAD_CHARITY,
        company_number=BAD_COMPANY, identifier=org.identifier, reason=""))

    assert_linked(response, [
        ("id_charity_number", CHARITY_MESSAGE),
        ("id_company_number", COMPANY_MESSAGE),
        ("id_postcode", POSTCODE_MESSAGE),
        ("id_reason", "This field is required."),
    ])
    org.refresh_from_db()
    assert (org.postcode, org.charity_number, org.company_number) == ("B1 2JP", "1187654", "09876543")


def test_bank_details_report_the_name_sort_code_and_account_number_together(officer_client, org):
    response = officer_client.post(reverse("grants:bank_details_create", args=[org.pk]),
                                   {"account_name": "", "sort_code": "20-45", "account_number": "3192681"})

    assert_linked(response, [
        ("id_account_name", "This field is required."),
        ("id_sort_code", "'20-45' is not a sort code; a sort code is six digits, written like 20-00-00."),
        ("id_account_number", "'3192681' is not an account number; UK account numbers have exactly 8 digits, e.g. "
                              "31926819 (ask the bank how to write a shorter or longer one as 8)."),
    ])
    assert BankDetails.objects.filter(organisation=org).count() == 1


def test_a_service_reports_its_name_and_area_code_together(officer_client, org):
    response = officer_client.post(reverse("grants:service_create", args=[org.pk]),
                                   {"name": "", "area_type": "", "area_name": "Walsall", "area_code": "X1"})

    assert_linked(response, [
        ("id_name", "This field is required."),
        ("id_area_type", "This field is required."),
        ("id_area_code", "'X1' is not an ONS area code; write it like E08000025."),
    ])
    assert not CommissionedService.objects.filter(organisation=org).exists()


def test_a_new_grants_details_step_reports_every_field_together(officer_client, service, year):
    from grants.models import Grant

    details = officer_client.get("/grants/new/")["Location"]
    response = officer_client.post(details, {
        "service": service.pk, "title": "", "purpose": "Specialist counselling", "senior_responsible_officer": "",
        "allocation_method": "direct", "direct_award_reason": "", "start_date": "01/06/2025",
        "end_date": "01/05/2025", "risk_rating": "low"})

    found = dict(summary_items(response))
    assert found["id_title"] == found["id_senior_responsible_officer"] == "This field is required."
    assert found["id_direct_award_reason"].startswith("A direct award needs the reason it was not competed")
    assert found["id_end_date"].startswith("The grant ends (01/05/2025) before it starts (01/06/2025)")
    assert set(found) <= field_ids(response)
    assert not Grant.objects.exists()


def test_a_decision_reports_its_number_date_and_confidential_reason_together(commissioner_client, commissioner2):
    from grants.models import Decision

    response = commissioner_client.post("/decisions/new/", {
        "number": "42", "date": "01/05/2099", "decision_maker": commissioner2.pk, "summary": "Refuge award",
        "confidential_reason": ""})

    assert_linked(response, [
        ("id_number", "'42' is not a decision number; write it as three digits, a hyphen and the year, e.g. "
                      "042-2025."),
        ("id_date", "A decision is recorded once taken; 01/05/2099 is in the future."),
        ("id_confidential_reason", "Give the reason this decision is confidential, e.g. 'Safety: it names a refuge'; "
                                   "the published decision log shows it."),
    ])
    assert not Decision.objects.exists()


def test_a_virement_reports_its_lines_and_its_amount_together(officer_client, funded_core, year, officer):
    from funds.budgets import budget_line_create
    from funds.models import Virement

    rj = budget_line_create(fund=funded_core, year=year, heading="Restorative justice", amount="200000.00",
                            by=officer)
    response = officer_client.post("/virements/new/", {
        "from_line": rj.pk, "to_line": rj.pk, "amount": "250000.00", "reason": "Hub referrals up"})

    assert_linked(response, [
        ("id_to_line", "A virement moves budget between two different lines."),
        ("id_amount", "'Restorative justice' has £200,000.00 of revised budget; a virement of £250,000.00 would take "
                      "it below zero."),
    ])
    assert not Virement.objects.exists()


def test_a_receipt_reports_its_reference_and_date_together(officer_client, funded_core):
    from income.models import CashReceipt

    response = officer_client.post("/income/receipts/new/", {
        "fund": funded_core.pk, "reference": "MOJ-AWD-2526", "date": "01/05/2099", "amount": "1,000.00"})

    found = dict(summary_items(response))
    assert found["id_reference"] == "Reference 'MOJ-AWD-2526' has already been recorded."
    assert found["id_date"].startswith("01/05/2099 is after today")
    assert set(found) <= field_ids(response)
    assert not CashReceipt.objects.exists()


def test_an_award_letter_reports_its_fund_reference_and_date_together(officer_client, funded_core, poca_fund, year):
    from income.models import AwardLetter

    response = officer_client.post("/income/award-letters/new/", {
        "fund": poca_fund.pk, "year": year.pk, "reference": "MOJ-AWD-2526", "letter_date": "03/04/2099",
        "amount": "10.00"})

    found = dict(summary_items(response))
    assert found["id_fund"].startswith("POCA takes only proceeds of crime receipts, not award letters.")
    assert found["id_reference"] == "Reference 'MOJ-AWD-2526' has already been recorded."
    assert found["id_letter_date"].startswith("03/04/2099 is after today")
    assert set(found) <= field_ids(response)
    assert AwardLetter.objects.count() == 1


@pytest.mark.parametrize("url", [
    "/organisations/new/", "/budgets/new/", "/virements/new/", "/spending/suppliers/new/", "/spending/orders/new/",
    "/income/receipts/new/", "/income/award-letters/new/", "/grants/new/", "/account/password/",
])
def test_every_error_of_an_empty_form_is_a_summary_link_to_its_field(officer_client, funded_core, url):
    """Each field error appears once in the summary, linked to an input of the page (a radio group's first)."""
    if url == "/grants/new/":  # the first of the grant's steps
        url = officer_client.get(url)["Location"]
    response = officer_client.post(url, {"description": ""})  # an empty POST would leave the form unbound

    form = response.context["form"]
    items = summary_items(response)
    targets = [target for target, _ in items if target]
    assert targets and set(targets) <= field_ids(response)
    assert len(targets) == sum(len(errors) for name, errors in form.errors.items() if name != "__all__")
    if "/grants/new/" in url:
        assert "id_allocation_method_0" in targets and "id_risk_rating_0" in targets


def test_the_login_page_links_both_missing_fields(client):
    response = client.post(reverse("login"), {})
    assert summary_items(response) == [("id_username", "This field is required."),
                                       ("id_password", "This field is required.")]
