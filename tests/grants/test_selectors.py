from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Grant
from grants.organisations import bank_details_submit
from grants.payments import payment_record
from grants.selectors import (
    bank_details_awaiting_verification,
    grant_remaining,
    grant_totals,
    grants_awaiting_approval,
    grants_by_status,
    grants_with_totals,
    instalments_due,
    returns_due,
    variations_awaiting_approval,
)
from grants.variations import variation_request
from grants.workflow import grant_submit
from tests.grants.conftest import accept_return, make_grant


def queries(fn, *args):
    with CaptureQueriesContext(connection) as ctx:
        result = fn(*args)
    return len(ctx.captured_queries), result


def submitted(org, service, officer, funds, n):
    fund, year = funds
    grants = []
    for i in range(n):
        grant = make_grant(org, service, officer, [(fund, year, f"{1000 + i}.00")], title=f"Grant {i}")
        grants.append(grant_submit(grant=grant, by=officer))
    return grants


def test_approval_queue_runs_in_four_queries_whatever_its_length(org, service, officer, funded_core, year):
    submitted(org, service, officer, (funded_core, year), 1)
    one, rows = queries(grants_awaiting_approval)
    assert len(rows) == 1
    submitted(org, service, officer, (funded_core, year), 4)
    many, rows = queries(grants_awaiting_approval)
    assert (one, many, len(rows)) == (4, 4, 5)
    assert [str(r.totals.varied) for r in rows] == ["1000.00", "1000.00", "1001.00", "1002.00", "1003.00"]
    for row in rows:  # reading what a page shows costs no further queries
        with CaptureQueriesContext(connection) as ctx:
            (row.grant.organisation.name, row.grant.submitted_by.username,
             [(line.line.fund.code, line.line.year.label) for line in row.totals.lines])
        assert len(ctx.captured_queries) == 0


def test_variation_and_bank_queues_run_in_fixed_queries(accepted_grant, org, officer, funded_core, year):
    variation_request(grant=accepted_grant, by=officer, reason="More", amounts=[(funded_core, year, "61000.00")])
    bank_details_submit(organisation=org, account_name="B", sort_code="40-11-22", account_number="55667788", by=officer)
    n, rows = queries(variations_awaiting_approval)
    assert n == 2 and [str(vl.amount_after.amount) for vl in rows[0].lines.all()] == ["61000.00"]
    n, rows = queries(bank_details_awaiting_verification)
    assert n == 1 and rows[0].organisation == org and rows[0].entered_by == officer


def test_totals_show_original_varied_paid_and_outstanding(payable_grant, officer, commissioner, funded_core, year):
    from grants.variations import variation_approve

    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 30),
                   by=officer)
    v = variation_request(grant=payable_grant, by=officer, reason="More", amounts=[(funded_core, year, "64000.00")])
    variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))
    totals = grant_totals(payable_grant)
    assert (totals.original, totals.varied, totals.paid, totals.outstanding_commitment, totals.remaining) == (
        Decimal("60000.00"), Decimal("64000.00"), Decimal("15000.00"), Decimal("49000.00"), Decimal("49000.00"))
    assert grant_remaining(payable_grant) == Decimal("49000.00")


def test_a_draft_has_nothing_committed(draft_grant):
    totals = grant_totals(draft_grant)
    assert (totals.varied, totals.outstanding_commitment) == (Decimal("60000.00"), Decimal("0.00"))


def test_grants_with_totals_is_four_queries_for_any_list(payable_grant, org, service, officer, funded_core, year):
    other = make_grant(org, service, officer, [(funded_core, year, "500.00")], title="Another grant")
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="100.00", paid_on=date(2025, 7, 30),
                   by=officer)
    n, rows = queries(grants_with_totals, Grant.objects.all())
    assert n == 4
    assert {r.grant.pk: (str(r.totals.varied), str(r.totals.paid)) for r in rows} == {
        payable_grant.pk: ("60000.00", "100.00"), other.pk: ("500.00", "0.00")}


def test_instalments_due_say_what_still_stops_each_payment(accepted_grant, org, officer, officer2, year):
    n, rows = queries(instalments_due, date(2025, 11, 1))
    assert n == 4
    assert [(r.instalment.quarter, str(r.outstanding), r.blockers) for r in rows] == [
        (1, "15000.00", ["Q1 2025/26 monitoring return not yet accepted", "7 due diligence check(s) outstanding"]),
        (2, "15000.00", ["Q2 2025/26 monitoring return not yet accepted", "7 due diligence check(s) outstanding"]),
    ]
    from tests.grants.conftest import complete_checks

    complete_checks(accepted_grant, officer)
    accept_return(accepted_grant, year, 1, officer, officer2)
    bank_details_submit(organisation=org, account_name="B", sort_code="40-11-22", account_number="55667788", by=officer)
    payment_record_blocked = instalments_due(date(2025, 11, 1))
    assert [r.blockers for r in payment_record_blocked] == [
        ["bank details awaiting verification"],
        ["Q2 2025/26 monitoring return not yet accepted", "bank details awaiting verification"],
    ]


def test_paid_instalments_drop_off_the_due_list(payable_grant, officer):
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 30),
                   by=officer)
    assert [r.instalment.quarter for r in instalments_due(date(2025, 11, 1))] == [2]


def test_returns_due_lists_every_ended_quarter_without_an_accepted_return(accepted_grant, officer, officer2, year):
    accept_return(accepted_grant, year, 1, officer, officer2)
    n, rows = queries(returns_due, date(2026, 1, 5))
    assert n == 3
    assert [(r.quarter.label, r.state) for r in rows] == [("Q2 2025/26", "not received"),
                                                          ("Q3 2025/26", "not received")]


def test_grants_by_status_counts_every_status(draft_grant, officer):
    counts = grants_by_status()
    assert counts["draft"] == 1 and set(counts) == set(Grant.Status.values) and sum(counts.values()) == 1


@pytest.mark.parametrize("n", [1, 3])
def test_returns_due_query_count_does_not_grow(org, service, officer, commissioner, funded_core, year, n):
    from grants.workflow import grant_approve, grant_offer_accept

    for grant in submitted(org, service, officer, (funded_core, year), n):
        grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
        grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 2), by=officer)
    count, rows = queries(returns_due, date(2026, 1, 5))
    assert (count, len(rows)) == (3, 3 * n)


# --- grant_actions: what a grant allows now, asked of the services -------------------------------------------------

def test_grant_actions_follow_the_transition_table_and_the_roles(draft_grant, submitted_grant, officer, commissioner):
    from grants.selectors import grant_actions

    ref = submitted_grant.reference
    mine = grant_actions(submitted_grant, officer)
    assert (mine.submit.allowed, mine.edit.allowed, mine.decide.allowed, mine.withdraw.allowed) == (
        False, False, False, True)
    assert mine.decide.reason == "Only commissioners may approve grants." and not mine.decide.explain
    theirs = grant_actions(submitted_grant, commissioner)
    assert (theirs.decide.allowed, theirs.withdraw.allowed, theirs.close.allowed) == (True, True, False)
    assert theirs.close.reason == "Only finance officers may close grants."  # the role is asked first
    assert mine.close.reason.startswith(f"{ref} is submitted for approval, so it cannot become closed")


def test_grant_actions_explain_a_rule_that_stops_the_next_step(submitted_grant, officer, commissioner):
    from core.roles import FINANCE_OFFICER
    from grants.selectors import grant_actions
    from tests.conftest import make_user

    both = make_user("bea", FINANCE_OFFICER)
    both.groups.add(*commissioner.groups.all())
    submitted_grant.submitted_by = both
    submitted_grant.save()
    decide = grant_actions(submitted_grant, both).decide
    assert (decide.allowed, decide.explain) == (False, True)
    ref = submitted_grant.reference
    assert decide.reason == f"You submitted {ref}, so another commissioner must approve or reject it."


def test_grant_actions_ask_the_payment_service_for_each_instalment(payable_grant, officer, commissioner):
    from grants.payments import instalment_pay_refusal
    from grants.selectors import grant_actions

    actions = grant_actions(payable_grant, officer, on=date(2026, 11, 29))
    q1, q2 = payable_grant.instalments.get(quarter=1), payable_grant.instalments.get(quarter=2)
    assert actions.pay_for(q1).allowed and q1.pk in actions.payable
    assert not actions.pay_for(q2).allowed and actions.pay_for(q2).explain
    assert actions.pay_for(q2).reason == instalment_pay_refusal(instalment=q2, on=date(2026, 11, 29))
    assert "monitoring return" in actions.pay_for(q2).reason
    assert grant_actions(payable_grant, commissioner).payable == frozenset()  # only finance officers pay


def test_an_open_variation_stops_close_and_withdraw_with_the_services_words(payable_grant, officer, funded_core, year):
    from grants.selectors import grant_actions

    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 30),
                   by=officer)
    variation_request(grant=payable_grant, by=officer, reason="More", amounts=[(funded_core, year, "61000.00")])
    actions = grant_actions(Grant.objects.get(pk=payable_grant.pk), officer)
    ref = payable_grant.reference
    assert actions.close.reason == f"{ref} has a variation awaiting approval; decide it before closing it."
    assert actions.vary.reason == f"{ref} already has a variation awaiting approval; decide that one first."
    assert [a.reason for a in actions.explained()][-2:] == [actions.close.reason, actions.withdraw.reason]
