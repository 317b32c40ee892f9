"""Lists and dashboards issue the same number of queries however many rows there are (select_related,
annotations and aggregates, never a query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from djmoney.money import Money

from funds.budgets import budget_line_create, virement_request
from income.services import poca_receipt_record, receipt_record


def queries(client, url) -> int:
    client.get(url)  # the session's expiry moves at most once a minute (core.middleware): count the pages alone
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_poca(fund, officer, year, start, count):
    for n in range(start, start + count):
        poca_receipt_record(
            fund=fund,
            reference=f"ARIS-{n}",
            case_reference=f"T{n}",
            date=year.start_date,
            gross_recovered="1000.00",
            agency_share_percent="10",
            by=officer,
        )


def add_receipts(fund, officer, year, start, count):
    for n in range(start, start + count):
        # On the award letter's date (3 April): a receipt is never dated before the letter it settles.
        receipt_record(fund=fund, reference=f"RCPT-{n}", date=year.start_date.replace(day=3), amount="100.00",
                       by=officer)


def add_budget(fund, officer, year, start, count):
    lines = [
        budget_line_create(fund=fund, year=year, heading=f"Heading {n}", amount="1000.00", by=officer)
        for n in range(start, start + count)
    ]
    for a, b in zip(lines, lines[1:], strict=False):
        virement_request(from_line=a, to_line=b, amount="10.00", reason="Move", by=officer)
        virement_request(from_line=a, to_line=b, amount="600.00", reason="Big", by=officer)  # waits for approval
    return lines


@pytest.fixture
def low_threshold(funded_core):
    """Virements above £500 wait for approval, so the lists hold both kinds."""
    funded_core.virement_threshold = Money("500.00", "GBP")
    funded_core.save()
    return funded_core


URLS = [
    "/journal/?year=2025",
    "/income/poca/?year=2025",
    "/budgets/?year=2025",
    "/virements/",
    "/funds/?year=2025",
    "/funds/MOJ-CORE/?year=2025",
]


@pytest.mark.parametrize("url", URLS)
def test_list_pages_cost_the_same_number_of_queries_for_more_rows(
    url, director_client, low_threshold, poca_fund, officer, year
):
    funded_core = low_threshold
    add_poca(poca_fund, officer, year, 1, 2)
    add_budget(funded_core, officer, year, 1, 2)
    add_receipts(funded_core, officer, year, 1, 1)
    few = queries(director_client, url)
    add_poca(poca_fund, officer, year, 10, 8)
    add_budget(funded_core, officer, year, 10, 8)
    add_receipts(funded_core, officer, year, 10, 5)
    assert queries(director_client, url) == few


def test_home_pages_and_queue_cost_the_same_for_more_items(
    officer_client, commissioner_client, director_client, low_threshold, poca_fund, officer, year
):
    funded_core = low_threshold
    add_budget(funded_core, officer, year, 1, 2)
    clients = [officer_client, commissioner_client, director_client]
    few = [queries(c, "/") for c in clients] + [
        queries(commissioner_client, "/approvals/"),
        queries(director_client, "/dashboards/?year=2025"),
    ]
    add_budget(funded_core, officer, year, 10, 8)
    add_poca(poca_fund, officer, year, 1, 5)
    many = [queries(c, "/") for c in clients] + [
        queries(commissioner_client, "/approvals/"),
        queries(director_client, "/dashboards/?year=2025"),
    ]
    assert many == few


def test_history_page_costs_the_same_for_more_changes(officer_client, officer, director, year):
    from funds.calendar import period_close, period_reopen, periods_close_up_to
    from funds.models import Period

    period = Period.objects.get(year=year, number=5)
    periods_close_up_to(period=period, by=officer)
    url = f"/history/funds/period/{period.pk}/"
    few = queries(officer_client, url)
    for _ in range(4):
        period_reopen(period=period, by=director, reason="Correction")
        period_close(period=period, by=officer)
    assert queries(officer_client, url) == few


def add_grants(org, service, fund, year, officer, count, submit=True):
    from datetime import date

    from grants.awards import grant_create
    from grants.workflow import grant_submit

    for n in range(count):
        grant = grant_create(
            title=f"Grant {n}",
            purpose="Support",
            organisation=org,
            service=service,
            senior_responsible_officer="Ruth Kaur",
            allocation_method="competed",
            start_date=date(2025, 4, 1),
            end_date=date(2026, 3, 31),
            by=officer,
            funding=[(fund, year, "1000.00")],
        )
        if submit:
            grant_submit(grant=grant, by=officer)


@pytest.mark.parametrize(
    "url",
    [
        "/grants/",
        "/grants/?fund=MOJ-CORE&year=2025",
        "/organisations/",
        "/approvals/",
        "/",
        "/payments/due/",
        "/returns/due/",
    ],
)
def test_grant_pages_cost_the_same_for_more_grants(
    url, commissioner_client, officer_client, org, service, funded_core, officer, year
):
    client = officer_client if url in ("/payments/due/", "/returns/due/") else commissioner_client
    add_grants(org, service, funded_core, year, officer, 2)
    few = queries(client, url)
    add_grants(org, service, funded_core, year, officer, 6)
    assert queries(client, url) == few
