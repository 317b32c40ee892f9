"""Fixtures for the grants tests: a fictional provider with verified bank details, a service, and grants at each
step of their life. 2025/26 is the year of the shared ``year`` fixture; MOJ-CORE holds a £500,000.00 award."""

from datetime import date

import pytest
from django.apps import apps

from core.models import Event
from grants.awards import grant_create
from grants.checks import check_complete
from grants.models import Grant
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from grants.outcomes import monitoring_return_accept, monitoring_return_submit
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from income.services import award_letter_record
from ledger.models import FundPosition


def db_state() -> dict:
    """Row counts of every grants table (and its history), the journal, kept balances and events, plus every
    fund position and grant status: equal before and after a refused call means the refusal wrote nothing."""
    state = {}
    for label in ("grants", "ledger"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model.objects.count()
    state["events"] = Event.objects.count()
    state["positions"] = sorted(
        FundPosition.objects.values_list("fund_id", "funding_year_id", "limit_pence", "committed_pence", "actual_pence")
    )
    state["statuses"] = sorted(Grant.objects.values_list("id", "status"))
    return state


@pytest.fixture
def org(officer, officer2):
    """Brindley Survivors Trust: a registered charity and company, bank details verified by a second officer."""
    organisation = organisation_create(
        name="Brindley Survivors Trust", charity_number="1187654", company_number="09876543",
        address="14 Canal Side, Birmingham", postcode="b1 2jp", by=officer,
    )
    details = bank_details_submit(organisation=organisation, account_name="Brindley Survivors Trust",
                                  sort_code="20-45-77", account_number="31926819", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the charity register")
    return organisation


@pytest.fixture
def service(org, officer):
    return service_create(organisation=org, name="ISVA service", area_type="local_authority",
                          area_name="Birmingham", area_code="E08000025", by=officer)


@pytest.fixture
def funded_dasv(dasv_fund, year, officer):
    """MOJ-DASV with a £300,000.00 award for 2025/26."""
    award_letter_record(fund=dasv_fund, year=year, reference="DASV-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="300000.00", by=officer)
    return dasv_fund


def make_grant(org, service, officer, funding, **extra):
    fields = dict(
        title="Independent sexual violence advisers", purpose="ISVA support for adult survivors in Birmingham",
        organisation=org, service=service, senior_responsible_officer="Ruth Kaur",
        allocation_method="competed", start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=officer,
        funding=funding,
    )
    fields.update(extra)
    return grant_create(**fields)


@pytest.fixture
def draft_grant(org, service, officer, funded_core, year):
    """£60,000.00 from MOJ-CORE 2025/26, 1 April 2025 to 31 March 2026."""
    return make_grant(org, service, officer, [(funded_core, year, "60000.00")])


@pytest.fixture
def submitted_grant(draft_grant, officer):
    return grant_submit(grant=draft_grant, by=officer)


@pytest.fixture
def approved_grant(submitted_grant, commissioner):
    return grant_approve(grant=submitted_grant, by=commissioner, on=date(2025, 5, 1))


@pytest.fixture
def accepted_grant(approved_grant, officer):
    return grant_offer_accept(grant=approved_grant, accepted_on=date(2025, 5, 12), by=officer)


def complete_checks(grant, officer):
    for check in grant.checks.all():
        check_complete(check=check, evidence=f"Seen: {check.check_type.label}", by=officer)


def accept_return(grant, year, quarter, officer, officer2, received_on=None, **extra):
    fields = dict(grant=grant, year=year, quarter=quarter,
                  received_on=received_on or date(year.start_year + (quarter >= 3), (3 * quarter + 3) % 12 + 1, 10),
                  spend_reported="15000.00", rag="green", values={}, by=officer, narrative="On track")
    fields.update(extra)
    ret = monitoring_return_submit(**fields)
    return monitoring_return_accept(monitoring_return=ret, by=officer2)


@pytest.fixture
def payable_grant(accepted_grant, officer, officer2, year):
    """Offer accepted, every check complete and the Q1 2025/26 return accepted: Q1 can be paid."""
    complete_checks(accepted_grant, officer)
    accept_return(accepted_grant, year, 1, officer, officer2)
    return accepted_grant


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The grants tests create several users each; a fast hasher keeps them quick (passwords are not under test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
