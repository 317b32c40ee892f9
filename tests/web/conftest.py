"""Clients signed in as each role, and a few helpers for reading pages."""

import html as html_lib
import re

import pytest
from django.test import Client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


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


@pytest.fixture
def admin_client_(admin_user):
    return signed_in(admin_user)


def text(response) -> str:
    """The page's text with tags removed and white space collapsed: what a person reads."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    flat = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()
    return re.sub(r" ([.,;:])", r"\1", flat)


# ---- Grants: a provider with verified bank details and a grant at each step (as in tests/grants) -------------


@pytest.fixture
def org(officer, officer2):
    from grants.organisations import bank_details_submit, bank_details_verify, organisation_create

    organisation = organisation_create(
        name="Brindley Survivors Trust",
        charity_number="1187654",
        company_number="09876543",
        address="14 Canal Side, Birmingham",
        postcode="B1 2JP",
        by=officer,
    )
    details = bank_details_submit(
        organisation=organisation,
        account_name="Brindley Survivors Trust",
        sort_code="20-45-77",
        account_number="31926819",
        by=officer,
    )
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the charity register")
    return organisation


@pytest.fixture
def service(org, officer):
    from grants.organisations import service_create

    return service_create(
        organisation=org,
        name="ISVA service",
        area_type="local_authority",
        area_name="Birmingham",
        area_code="E08000025",
        by=officer,
    )


@pytest.fixture
def draft_grant(org, service, officer, funded_core, year):
    """£60,000.00 from MOJ-CORE 2025/26, 1 April 2025 to 31 March 2026 (below the £100,000 threshold)."""
    from datetime import date

    from grants.awards import grant_create

    return grant_create(
        title="Independent sexual violence advisers",
        purpose="ISVA support for adult survivors in Birmingham",
        organisation=org,
        service=service,
        senior_responsible_officer="Ruth Kaur",
        allocation_method="competed",
        start_date=date(2025, 4, 1),
        end_date=date(2026, 3, 31),
        by=officer,
        funding=[(funded_core, year, "60000.00")],
    )


@pytest.fixture
def submitted_grant(draft_grant, officer):
    from grants.workflow import grant_submit

    return grant_submit(grant=draft_grant, by=officer)


@pytest.fixture
def approved_grant(submitted_grant, commissioner):
    from datetime import date

    from grants.workflow import grant_approve

    return grant_approve(grant=submitted_grant, by=commissioner, on=date(2025, 5, 1))


@pytest.fixture
def accepted_grant(approved_grant, officer):
    from datetime import date

    from grants.workflow import grant_offer_accept

    return grant_offer_accept(grant=approved_grant, accepted_on=date(2025, 5, 12), by=officer)


@pytest.fixture
def payable_grant(accepted_grant, officer, officer2, year):
    """Offer accepted, every check complete, the Q1 2025/26 return accepted: Q1 can be paid."""
    from datetime import date

    from grants.checks import check_complete
    from grants.outcomes import monitoring_return_accept, monitoring_return_submit

    for check in accepted_grant.checks.all():
        check_complete(check=check, evidence=f"Seen: {check.check_type.label}", by=officer)
    ret = monitoring_return_submit(
        grant=accepted_grant,
        year=year,
        quarter=1,
        received_on=date(2025, 7, 10),
        spend_reported="15000.00",
        rag="green",
        values={},
        by=officer,
        narrative="On track",
    )
    monitoring_return_accept(monitoring_return=ret, by=officer2)
    return accepted_grant
