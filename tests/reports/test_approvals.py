"""reports.approvals and the one computation of "available after approval" behind it
(``grants.selectors.approval_effects``): the queue runs each fund's available amount down the queue, as if every
item above were approved, and the grant and variation pages show the same figures."""

from datetime import date
from decimal import Decimal

from django.test import Client

from grants.selectors import approvals_awaiting_decision, grant_approval_effects, variation_approval_effects
from grants.variations import variation_request
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from reports.approvals import approval_queue
from tests.grants.conftest import make_grant, org, service  # noqa: F401  (fixtures)
from tests.rules.conftest import page_text


def _queue(org, service, officer, commissioner, fund, year):  # noqa: F811
    """C (£60,000) approved, so MOJ-CORE has £440,000.00 available; then, in this order, A (£50,000) submitted,
    C varied up to £70,000 and B (£30,000) submitted."""
    c = make_grant(org, service, officer, [(fund, year, "60000.00")], title="Grant C")
    grant_submit(grant=c, by=officer)
    grant_approve(grant=c, by=commissioner, on=date(2025, 5, 1))
    grant_offer_accept(grant=c, accepted_on=date(2025, 5, 12), by=officer)
    a = grant_submit(grant=make_grant(org, service, officer, [(fund, year, "50000.00")], title="Grant A"), by=officer)
    v = variation_request(grant=c, by=officer, reason="Demand up in Walsall", amounts=[(fund, year, "70000.00")])
    b = grant_submit(grant=make_grant(org, service, officer, [(fund, year, "30000.00")], title="Grant B"), by=officer)
    return a, v, b


def test_each_item_shows_the_fund_as_if_every_item_above_were_approved(
    org, service, officer, commissioner, funded_core, year  # noqa: F811
):
    a, v, b = _queue(org, service, officer, commissioner, funded_core, year)
    rows = [(p.obj, [(e.amount, e.now, e.before, e.after) for e in p.effects]) for p in approvals_awaiting_decision()]
    assert rows == [
        (a, [(Decimal("50000.00"), Decimal("440000.00"), Decimal("440000.00"), Decimal("390000.00"))]),
        (v, [(Decimal("10000.00"), Decimal("440000.00"), Decimal("390000.00"), Decimal("380000.00"))]),
        (b, [(Decimal("30000.00"), Decimal("440000.00"), Decimal("380000.00"), Decimal("350000.00"))]),
    ]
    assert [(e.before, e.after) for e in grant_approval_effects(b)] == [(Decimal("380000.00"), Decimal("350000.00"))]
    assert [(e.before, e.after) for e in variation_approval_effects(v)] == [
        (Decimal("390000.00"), Decimal("380000.00"))]


def test_a_decrease_frees_money_for_the_items_below_it(org, service, officer, commissioner, funded_core, year):  # noqa: F811
    c = make_grant(org, service, officer, [(funded_core, year, "60000.00")], title="Grant C")
    grant_submit(grant=c, by=officer)
    grant_approve(grant=c, by=commissioner, on=date(2025, 5, 1))
    variation_request(grant=c, by=officer, reason="Smaller service", amounts=[(funded_core, year, "45000.00")])
    b = grant_submit(grant=make_grant(org, service, officer, [(funded_core, year, "30000.00")]), by=officer)
    assert [(e.before, e.after) for e in grant_approval_effects(b)] == [(Decimal("455000.00"), Decimal("425000.00"))]


def test_the_queue_page_home_page_and_decide_page_show_the_running_amounts(
    org, service, officer, commissioner, funded_core, year  # noqa: F811
):
    a, v, b = _queue(org, service, officer, commissioner, funded_core, year)
    client = Client()
    client.force_login(commissioner)
    for url in ("/approvals/", "/"):
        page = page_text(client.get(url))
        assert "Grant A – Brindley Survivors Trust £50,000.00 MOJ-CORE 2025/26 £440,000.00 £390,000.00" in page
        assert "£10,000.00 MOJ-CORE 2025/26 £390,000.00 £380,000.00" in page
        assert "Grant B – Brindley Survivors Trust £30,000.00 MOJ-CORE 2025/26 £380,000.00 £350,000.00" in page
    page = page_text(client.get(f"/grants/{b.pk}/decide/"))
    assert "MOJ-CORE 2025/26 £30,000.00 £440,000.00 £380,000.00 £350,000.00" in page
    page = page_text(client.get(f"/grants/{a.pk}/decide/"))
    assert "MOJ-CORE 2025/26 £50,000.00 £440,000.00 £390,000.00" in page and "items above" not in page


def test_the_queue_marks_what_the_viewer_asked_for(org, service, officer, commissioner, funded_core, year):  # noqa: F811
    _queue(org, service, officer, commissioner, funded_core, year)
    assert [(i.kind, i.own) for i in approval_queue(officer)] == [
        ("Grant", True), ("Variation", True), ("Grant", True)]
    assert [i.own for i in approval_queue(commissioner)] == [False, False, False]
