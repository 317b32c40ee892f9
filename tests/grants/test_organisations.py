import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants.models import BankDetails
from grants.organisations import (
    bank_details_reject,
    bank_details_submit,
    bank_details_verify,
    current_bank_details,
    organisation_create,
    organisation_update,
    require_verified_bank_details,
    service_create,
)
from tests.grants.conftest import db_state


def test_organisation_keeps_numbers_as_text_and_derives_its_identifier(officer):
    org = organisation_create(name="Sandwell Women's Aid Collective", company_number="01234567",
                              address="2 High Street, West Bromwich", postcode="b70 8rt", by=officer)
    assert (org.company_number, org.identifier, org.postcode) == ("01234567", "GB-COH-01234567", "B70 8RT")


@pytest.mark.parametrize("field, kwargs, message", [
    ("charity_number", {"charity_number": "12345"}, "6 or 7 digits"),
    ("company_number", {"company_number": "1234567"}, "Did you mean 01234567"),
    ("identifier", {"charity_number": "1187654", "identifier": "GB-CHC-7654321"}, "should be GB-CHC-1187654"),
    ("postcode", {"postcode": "BIRMINGHAM"}, "not a UK postcode"),
    ("name", {"name": "  "}, "legal name"),
    ("is_individual", {"is_individual": True, "company_number": "01234567"}, "A person has no charity or company"),
])
def test_bad_organisation_details_are_refused_and_nothing_is_written(officer, field, kwargs, message):
    fields = {"name": "Aston Youth Futures", "address": "1 Park Road, Aston", "postcode": "B6 5RQ", "by": officer}
    fields.update(kwargs)
    before = db_state()
    with pytest.raises(ValidationError, match=message) as exc:
        organisation_create(**fields)
    assert field in exc.value.message_dict
    assert db_state() == before


def test_a_person_is_recorded_as_an_individual_and_can_be_marked_later(officer):
    person = organisation_create(name="Dr Ruth Calloway", address="14 Elm Road, Moseley", postcode="B13 9LR",
                                 is_individual=True, by=officer)
    assert person.is_individual and person.identifier.startswith("360G-")
    sole_trader = organisation_create(name="Sam Okoro", address="3 Vale Street", postcode="B6 5RQ", by=officer)
    assert organisation_update(organisation=sole_trader, is_individual=True, reason="A sole trader, not a company",
                               by=officer).is_individual


def test_the_same_charity_cannot_be_recorded_twice(org, officer):
    with pytest.raises(ValidationError, match="GB-CHC-1187654 is already recorded"):
        organisation_create(name="Brindley Trust (again)", charity_number="1187654", address="x", postcode="B1 1AA",
                            by=officer)


def test_only_finance_officers_record_organisations(commissioner):
    with pytest.raises(PermissionDenied):
        organisation_create(name="X", address="x", postcode="B1 1AA", by=commissioner)


def test_changing_the_company_number_rederives_a_company_identifier(officer):
    org = organisation_create(name="Tipton Boxing Club", company_number="07654321", address="x", postcode="DY4 8AA",
                              by=officer)
    org = organisation_update(organisation=org, company_number="07654322", reason="Re-registered", by=officer)
    assert org.identifier == "GB-COH-07654322"
    assert org.history.count() == 2


def test_new_bank_details_wait_for_a_second_person(org, officer, officer2, commissioner):
    old = current_bank_details(org)
    new = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="401122",
                              account_number="55667788", by=officer, reason="Letter dated 1/9/2025: moved bank")
    assert (new.status, new.sort_code, current_bank_details(org)) == ("pending", "40-11-22", new)
    with pytest.raises(ValidationError, match="await verification by a second person"):
        require_verified_bank_details(org)

    before = db_state()
    with pytest.raises(ValidationError, match="You entered these bank details, so a second person"):
        bank_details_verify(details=new, by=officer, note="I checked")
    with pytest.raises(ValidationError, match="how the details were checked"):
        bank_details_verify(details=new, by=commissioner, note=" ")
    assert db_state() == before

    bank_details_verify(details=new, by=commissioner, note="Call-back to the finance manager on 0121 496 0000")
    assert require_verified_bank_details(org) == new
    assert old.pk != new.pk and BankDetails.objects.get(pk=old.pk).status == "verified"  # kept as history


def test_rejected_details_leave_the_previous_verified_ones_current(org, officer, officer2):
    old = current_bank_details(org)
    new = bank_details_submit(organisation=org, account_name="B S Trust", sort_code="40-11-22",
                              account_number="55667788", by=officer)
    bank_details_reject(details=new, by=officer2, note="Letter not on the charity's headed paper; suspected fraud")
    assert current_bank_details(org) == old
    assert require_verified_bank_details(org) == old


def test_only_one_change_of_bank_details_waits_at_a_time(org, officer):
    bank_details_submit(organisation=org, account_name="B", sort_code="40-11-22", account_number="55667788", by=officer)
    with pytest.raises(ValidationError, match="already has a change of bank details .* awaiting verification"):
        bank_details_submit(organisation=org, account_name="C", sort_code="40-11-23", account_number="55667789",
                            by=officer)


@pytest.mark.parametrize("sort_code, account_number, field", [
    ("20-45-7", "31926819", "sort_code"), ("20-45-77", "3192681", "account_number"),
])
def test_malformed_bank_details_are_refused(org, officer, sort_code, account_number, field):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        bank_details_submit(organisation=org, account_name="B", sort_code=sort_code, account_number=account_number,
                            by=officer)
    assert list(exc.value.message_dict) == [field]
    assert db_state() == before


def test_no_bank_details_at_all_is_named(officer):
    org = organisation_create(name="Chelmsley Wood Mentors", address="x", postcode="B37 5TN", by=officer)
    assert org.identifier == "360G-wmopcc-ORG-chelmsley-wood-mentors"
    with pytest.raises(ValidationError, match="has no bank details"):
        require_verified_bank_details(org)


def test_service_records_its_area(org, officer):
    svc = service_create(organisation=org, name="ISVA service", area_type="csp", area_name="Walsall",
                         area_code="e22000001", by=officer)
    assert (str(svc), svc.area_code) == ("ISVA service (Walsall)", "E22000001")
    with pytest.raises(ValidationError, match="not an ONS area code"):
        service_create(organisation=org, name="Other", area_type="csp", area_name="Walsall", area_code="WALSALL",
                       by=officer)


def test_database_refuses_self_verified_bank_details_whatever_the_path(org, officer):
    details = bank_details_submit(organisation=org, account_name="B", sort_code="40-11-22", account_number="55667788",
                                  by=officer)
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        BankDetails.objects.filter(pk=details.pk).update(status="verified", verified_by=officer,
                                                         verified_at=timezone.now())
    assert BankDetails.objects.get(pk=details.pk).status == "pending"
