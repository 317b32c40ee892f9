"""A provider's request to change bank details (grants/bank_requests.py): two people in the office stand between
the request and a payment, and every refusal writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import PROVIDER
from grants.bank_requests import (
    bank_change_request_decline,
    bank_change_request_enter,
    bank_change_request_submit,
)
from grants.models import BankChangeRequest, BankDetails, Organisation, ProviderAccount
from grants.organisations import (
    bank_details_verify,
    current_bank_details,
    organisation_create,
    require_verified_bank_details,
)
from tests.conftest import make_user

NEW = {"account_name": "Brindley Survivors Trust", "sort_code": "30-90-12", "account_number": "44556677",
       "reason": "We moved our account to Lloyds in December"}


def provider_of(organisation: Organisation, username: str, by):
    user = make_user(username, PROVIDER)
    ProviderAccount.objects.create(user=user, organisation=organisation, created_by=by)
    return user


@pytest.fixture
def priya(org, officer):
    return provider_of(org, "priya", officer)


@pytest.fixture
def other_org(officer):
    return organisation_create(name="Sandwell Women's Aid", charity_number="1100456", address="2 High Street, West "
                               "Bromwich", postcode="B70 8AA", by=officer)


def test_a_request_changes_nothing_until_the_office_enters_it_and_a_second_person_verifies(
        org, priya, officer, officer2, commissioner):
    request = bank_change_request_submit(organisation=org, by=priya, **NEW)
    assert request.status == BankChangeRequest.Status.REQUESTED
    assert current_bank_details(org).account_number == "31926819"  # still the verified details
    require_verified_bank_details(org)  # payments are not held up by a request alone

    details = bank_change_request_enter(request=request, by=officer, note="Called the number on the charity register")
    request.refresh_from_db()
    assert request.status == BankChangeRequest.Status.ENTERED and request.bank_details == details
    assert details.status == BankDetails.Status.PENDING and details.entered_by == officer
    with pytest.raises(ValidationError, match="await verification by a second person"):
        require_verified_bank_details(org)
    with pytest.raises(ValidationError, match="a second person"):
        bank_details_verify(details=details, by=officer, note="I checked it myself")
    bank_details_verify(details=details, by=commissioner, note="Second call-back")
    assert require_verified_bank_details(org).account_number == "44556677"


def test_every_field_at_fault_is_reported_at_once_and_nothing_is_written(org, priya):
    with pytest.raises(ValidationError) as refused:
        bank_change_request_submit(organisation=org, account_name=" ", sort_code="12-34", account_number="99",
                                   reason="", by=priya)
    assert set(refused.value.message_dict) == {"account_name", "sort_code", "account_number", "reason"}
    assert "exactly as the bank holds it" in refused.value.message_dict["account_name"][0]
    assert not BankChangeRequest.objects.exists()


def test_a_provider_asks_only_for_their_own_organisation(org, other_org, priya):
    with pytest.raises(ValidationError, match="your own organisation"):
        bank_change_request_submit(organisation=other_org, by=priya, **NEW)
    assert not BankChangeRequest.objects.exists()


def test_office_staff_do_not_use_the_portal_request(org, officer):
    with pytest.raises(PermissionDenied, match="Only providers may request a change of bank details"):
        bank_change_request_submit(organisation=org, by=officer, **NEW)


def test_one_request_waits_at_a_time_and_the_refusal_says_since_when(org, priya):
    bank_change_request_submit(organisation=org, by=priya, **NEW)
    with pytest.raises(ValidationError, match=r"still waiting for the office"):
        bank_change_request_submit(organisation=org, by=priya, **{**NEW, "account_number": "11112222"})
    assert BankChangeRequest.objects.count() == 1


def test_asking_for_the_details_already_held_is_refused(org, priya):
    with pytest.raises(ValidationError) as refused:
        bank_change_request_submit(organisation=org, by=priya, **{**NEW, "sort_code": "20-45-77",
                                                                   "account_number": "31926819"})
    assert "already your organisation's bank details" in refused.value.message_dict["account_number"][0]
    assert not BankChangeRequest.objects.exists()


def test_entering_needs_a_note_of_how_it_was_confirmed_and_writes_nothing_without_one(org, priya, officer):
    request = bank_change_request_submit(organisation=org, by=priya, **NEW)
    with pytest.raises(ValidationError) as refused:
        bank_change_request_enter(request=request, by=officer, note="  ")
    assert "call-back to the number already on file" in refused.value.message_dict["note"][0]
    request.refresh_from_db()
    assert request.status == BankChangeRequest.Status.REQUESTED
    assert BankDetails.objects.filter(organisation=org).count() == 1


def test_declining_keeps_the_details_and_tells_the_provider_why(org, priya, officer):
    request = bank_change_request_submit(organisation=org, by=priya, **NEW)
    with pytest.raises(ValidationError, match="the provider will see it"):
        bank_change_request_decline(request=request, by=officer, reason="")
    bank_change_request_decline(request=request, by=officer, reason="Nobody at the charity knew of this request")
    request.refresh_from_db()
    assert request.status == BankChangeRequest.Status.DECLINED
    assert request.handling_note == "Nobody at the charity knew of this request"
    assert current_bank_details(org).account_number == "31926819"
    with pytest.raises(ValidationError, match="already declined"):
        bank_change_request_enter(request=request, by=officer, note="Called back")
    # a new request may be made once the last one is handled
    bank_change_request_submit(organisation=org, by=priya, **NEW)
    assert BankChangeRequest.objects.filter(status="requested").count() == 1


def test_the_database_refuses_a_second_open_request_from_any_path(org, priya):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    bank_change_request_submit(organisation=org, by=priya, **NEW)
    with pytest.raises(IntegrityError), transaction.atomic():
        BankChangeRequest.objects.create(organisation=org, account_name="X", sort_code="30-90-12",
                                         account_number="12345678", reason="again", requested_by=priya,
                                         requested_at=timezone.now())


def test_the_officer_enters_or_declines_from_the_organisation_page(client, org, priya, officer):
    request = bank_change_request_submit(organisation=org, by=priya, **NEW)
    client.force_login(officer)
    page = client.get(f"/organisations/{org.pk}/")
    assert "Requests from Brindley Survivors Trust through the portal" in page.content.decode()
    assert "44556677" not in page.content.decode()  # masked on the organisation page
    refused = client.post(f"/bank-requests/{request.pk}/", {"decision": "enter", "note": ""})
    assert refused.status_code == 200 and "How you confirmed the request" in refused.content.decode()
    done = client.post(f"/bank-requests/{request.pk}/",
                       {"decision": "enter", "note": "Called the number on the charity register"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == BankChangeRequest.Status.ENTERED


def test_the_officer_home_page_counts_the_requests_waiting_and_links_to_the_one(client, org, priya, officer):
    request = bank_change_request_submit(organisation=org, by=priya, **NEW)
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert "Bank detail change requests" in page
    assert f'href="/bank-requests/{request.pk}/"' in page
    assert "Asked for through the portal by Brindley Survivors Trust" in page
