"""Every field at fault is reported in the one response, each as a link in the error summary to its field.

A service used to raise on its first bad field, and the form stopped the service from running at all while a
required field was blank, so people fixed a form twice: the postcode first, then the charity number."""

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
