"""Commissioners approving, and officers paying, at the same moment cannot overspend a fund or overpay a grant
(PostgreSQL: real row locks, taken funds -> grant -> instalment)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from ledger.reference import ensure_reference_data
from ledger.selectors import fund_available
from ledger.verification import verify

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer and ignores SELECT ... FOR UPDATE, so a race cannot be shown on it; "
    "this test runs in CI's PostgreSQL leg.",
)
THREADS = 6


def race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def scenario():
    from core.roles import COMMISSIONER, FINANCE_OFFICER
    from funds.calendar import year_open
    from funds.services import fund_create, funder_create
    from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
    from income.services import award_letter_record
    from tests.conftest import make_user

    ensure_reference_data()
    officer, officer2 = make_user("racer", FINANCE_OFFICER), make_user("racer2", FINANCE_OFFICER)
    commissioners = [make_user(f"approver{i}", COMMISSIONER) for i in range(THREADS)]
    year = year_open(start_year=2025)
    funder = funder_create(name="Ministry of Justice", kind="government", by=officer)
    fund = fund_create(code="RACE", name="Race fund", funder=funder, purpose="Test", limit_basis="award",
                       year_end_rule="return", grant_approval_threshold="1000000.00", by=officer)
    award_letter_record(fund=fund, year=year, reference="RACE-1", letter_date=date(2025, 4, 1), amount="100000.00",
                        by=officer)
    org = organisation_create(name="Racing Survivors Trust", charity_number="1111111", address="x", postcode="B1 1AA",
                              by=officer)
    details = bank_details_submit(organisation=org, account_name="R", sort_code="20-00-00", account_number="12345678",
                                  by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back")
    service = service_create(organisation=org, name="ISVA", area_type="pfa", area_name="West Midlands", by=officer)
    return officer, officer2, commissioners, year, fund, org, service


@pytest.mark.django_db(transaction=True)
def test_racing_approvals_never_commit_more_than_is_available():
    from grants.awards import grant_create
    from grants.workflow import grant_approve, grant_submit

    officer, _, commissioners, year, fund, org, service = scenario()
    grants = []
    for i in range(THREADS):
        grant = grant_create(title=f"Grant {i}", purpose="p", organisation=org, service=service,
                             senior_responsible_officer="S", allocation_method="competed", start_date=date(2025, 4, 1),
                             end_date=date(2026, 3, 31), by=officer, funding=[(fund, year, "30000.00")])
        grants.append(grant_submit(grant=grant, by=officer))
    outcomes = race([
        (lambda g=g, c=c: grant_approve(grant=g, by=c, on=date(2025, 6, 1)))
        for g, c in zip(grants, commissioners, strict=True)
    ])
    assert outcomes.count("ok") == 3  # 3 x £30,000 fit in £100,000
    assert all("£10,000.00 is available and this needs £30,000.00" in o for o in outcomes if o != "ok")
    assert fund_available(fund=fund, year=year) == Decimal("10000.00")
    from grants.models import Grant, Instalment

    assert Grant.objects.filter(status="approved").count() == 3
    assert Instalment.objects.count() == 12  # no schedule left behind by a refused approval
    assert verify().problems == []


@pytest.mark.django_db(transaction=True)
def test_racing_payments_never_pay_an_instalment_twice():
    from grants.awards import grant_create
    from grants.outcomes import monitoring_return_accept, monitoring_return_submit
    from grants.payments import payment_record
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit

    officer, officer2, commissioners, year, fund, org, service = scenario()
    from grants.models import CheckType

    CheckType.objects.all().delete()  # a flushed database has no checklist; make that explicit
    grant = grant_create(title="Paid grant", purpose="p", organisation=org, service=service,
                         senior_responsible_officer="S", allocation_method="competed", start_date=date(2025, 4, 1),
                         end_date=date(2026, 3, 31), by=officer, funding=[(fund, year, "40000.00")])
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioners[0], on=date(2025, 5, 1))
    grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 2), by=officer)
    ret = monitoring_return_submit(grant=grant, year=year, quarter=1, received_on=date(2025, 7, 5),
                                   spend_reported="10000.00", rag="green", values={}, by=officer)
    monitoring_return_accept(monitoring_return=ret, by=officer2)
    q1 = grant.instalments.get(quarter=1)
    outcomes = race([
        (lambda: payment_record(instalment=q1, amount="10000.00", paid_on=date(2025, 7, 30), by=officer))
        for _ in range(THREADS)
    ])
    assert outcomes.count("ok") == 1
    assert all("has been paid in full" in o for o in outcomes if o != "ok"), outcomes
    from grants.models import Grant

    assert Grant.objects.get(pk=grant.pk).status == "active"
    assert verify().problems == []
