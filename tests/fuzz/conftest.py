"""The world the fuzz tests work in: one of each kind of income fund, budget lines, a supplier and a draft grant,
made through the services (fixed, readable data; hypothesis varies only what is typed or uploaded)."""

from datetime import date

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from funds.budgets import budget_line_create
from funds.services import fund_create
from grants.awards import grant_create
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from spending.suppliers import supplier_create

# Deterministic (derandomize: the same examples every run, no example database) and sized so the folder runs in
# well under a minute. The fixtures below are made once per test and shared by its examples, which is why the
# function-scoped fixture health check is off: each example checks only its own answer.
FUZZ = hypothesis_settings(derandomize=True, database=None, deadline=None, print_blob=True,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def fees_fund(db, officer, home_office, year):
    return fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)


@pytest.fixture
def funds(funded_core, poca_fund, fpn_fund, fees_fund):
    return {"core": funded_core, "poca": poca_fund, "fpn": fpn_fund, "fees": fees_fund}


@pytest.fixture
def world(funds, year, officer, officer2, director):
    """Everything the money forms need to open: budget lines, a supplier with verified bank details, a draft
    grant on MOJ-CORE."""
    core = funds["core"]
    hubs = budget_line_create(fund=core, year=year, heading="Victim support hubs", amount="300000.00", by=officer)
    budget_line_create(fund=core, year=year, heading="Restorative justice", amount="100000.00", by=officer)
    org = organisation_create(name="Pennine Helpline Ltd", company_number="11223344", address="3 Mill Lane, Halifax",
                              postcode="HX1 1AA", by=officer)
    details = bank_details_submit(organisation=org, account_name="Pennine Helpline Ltd", sort_code="40-11-62",
                                  account_number="12345678", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the contract")
    supplier_create(organisation=org, vat_number="GB123456789", payment_terms_days=30, by=officer)
    service = service_create(organisation=org, name="Helpline", area_type="local_authority", area_name="Calderdale",
                             area_code="E08000033", by=officer)
    draft = grant_create(title="Sexual violence helpline", purpose="Support for survivors", organisation=org,
                         service=service, senior_responsible_officer="Ruth Kaur", allocation_method="competed",
                         start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=officer,
                         funding=[(core, year, "20000.00")])
    return {"budget_line": hubs, "draft": draft, **funds}
