"""Preparing, authorising, exporting and paying a run of grant payments costs the same number of queries whatever
the run's size: gathering, freezing and exporting are bulk reads, and paying posts every payment in one batch
(grants.payments.payments_record through ledger.posting.entries_post)."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import FINANCE_DIRECTOR
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from payments.bank_file import payment_file
from payments.limits import delegated_limit_set
from payments.runs import payment_run_authorise, payment_run_pay, payment_run_prepare
from tests.conftest import make_user
from tests.grants.conftest import accept_return, complete_checks, make_grant


def payable_grants(count, start, officer, officer2, commissioner, fund, year):
    for n in range(start, start + count):
        org = organisation_create(name=f"Provider {n:03d}", company_number=f"{70000000 + n}", address="1 High St",
                                  postcode="B1 1AA", by=officer)
        details = bank_details_submit(organisation=org, account_name=f"Provider {n:03d}", sort_code="20-00-00",
                                      account_number=f"{40000000 + n}", by=officer)
        bank_details_verify(details=details, by=officer2, note="Call-back")
        service = service_create(organisation=org, name="Outreach", area_type="local_authority", area_name="Leeds",
                                 by=officer)
        grant = make_grant(org, service, officer, [(fund, year, "4000.00")])
        grant_submit(grant=grant, by=officer)
        grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
        grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
        complete_checks(grant, officer)
        accept_return(grant, year, 1, officer, officer2)


def measure(pay_on, officer, officer2):
    counts = {}
    with CaptureQueriesContext(connection) as ctx:
        run = payment_run_prepare(pay_on=pay_on, by=officer)
    counts["prepare"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        payment_run_authorise(run=run, by=officer2)
    counts["authorise"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        payment_file(run)
    counts["export"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        payment_run_pay(run=run, by=officer, today=date(2025, 8, 29))
    counts["pay"] = len(ctx)
    assert run.items.count() > 0
    return counts, run.items.count()


def test_a_runs_queries_do_not_grow_with_its_payments(funded_core, year, officer, officer2, commissioner):
    director = make_user("diana", FINANCE_DIRECTOR)
    delegated_limit_set(user=officer2, amount="1000000.00", by=director)
    payable_grants(3, 0, officer, officer2, commissioner, funded_core, year)
    small, n_small = measure(date(2025, 7, 30), officer, officer2)
    payable_grants(6, 100, officer, officer2, commissioner, funded_core, year)
    large, n_large = measure(date(2025, 8, 29), officer, officer2)
    assert (n_small, n_large) == (3, 6)
    for step in ("prepare", "authorise", "export", "pay"):
        assert large[step] - small[step] <= 2, (step, small, large)  # the same whatever the size
