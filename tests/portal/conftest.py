"""Fixtures for the portal: the grants fixtures (Brindley Survivors Trust and its grant at each step), a provider
user of Brindley who accepted an invitation, and a second organisation with its own provider and grant."""

from datetime import date

import pytest
from django.test import Client

from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from grants.outcomes import outcome_measure_create
from portal.invitations import invitation_accept, invitation_create
from tests.grants.conftest import (  # noqa: F401 - fixtures
    accepted_grant,
    approved_grant,
    db_state,
    draft_grant,
    fast_password_hashing,
    make_grant,
    org,
    service,
    submitted_grant,
)

PASSWORD = "Brindley-portal-2025!"


def make_provider(organisation, officer, username, email, name="Amina Patel"):
    _invitation, token = invitation_create(organisation=organisation, email=email, full_name=name, by=officer)
    return invitation_accept(token=token, username=username, password1=PASSWORD, password2=PASSWORD)


@pytest.fixture
def provider(org, officer):  # noqa: F811 - the grants fixture
    return make_provider(org, officer, "amina", "amina@brindley.org.uk")


@pytest.fixture
def other_org(officer, officer2):
    organisation = organisation_create(name="Tame Valley Women's Aid", charity_number="1123456",
                                       address="3 Mill Lane, Walsall", postcode="WS1 1AA", by=officer)
    details = bank_details_submit(organisation=organisation, account_name="Tame Valley Women's Aid",
                                  sort_code="30-12-44", account_number="55667788", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back")
    return organisation


@pytest.fixture
def other_provider(other_org, officer):
    return make_provider(other_org, officer, "tariq", "tariq@tamevalley.org.uk", name="Tariq Hussain")


@pytest.fixture
def other_grant(other_org, officer, commissioner, funded_core, year):
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit

    other_service = service_create(organisation=other_org, name="Refuge outreach", area_type="local_authority",
                                   area_name="Walsall", area_code="E08000030", by=officer)
    grant = make_grant(other_org, other_service, officer, [(funded_core, year, "24000.00")], title="Refuge outreach")
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    return grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)


@pytest.fixture
def measures(funded_core, officer):
    return (
        outcome_measure_create(fund=funded_core, code="referrals", name="Referrals received", unit="referrals",
                               by=officer),
        outcome_measure_create(fund=funded_core, code="feel-safer", name="Feel safer", unit="%", by=officer),
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
