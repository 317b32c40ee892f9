"""Rule x path matrix for what a grant allows now (``grants.selectors.grant_actions``): for a grant at every stage
of its life and each person who may open it, every action link or button the grant's page shows is accepted by
the service behind it, and every action the service refuses is absent from the page, or shown with the service's
own refusal message. Refused attempts leave the whole database unchanged.

The approval queue's running "available after approval" is checked here too, with its query count.
"""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funds.models import FinancialYear
from grants import awards, checks, outcomes, payments, schedule, variations, workflow
from grants.models import Grant, GrantCheck, OutcomeMeasure
from grants.selectors import grant_actions, grant_totals, instalment_paid
from tests.grants.conftest import accept_return, complete_checks, make_grant, org, service  # noqa: F401
from tests.rules.conftest import page_text

TODAY = timezone.localdate()


class _Rollback(Exception):
    pass


def accepted_then_undone(attempt) -> None:
    """Run ``attempt`` (it must succeed), then undo everything it wrote."""
    try:
        with transaction.atomic():
            attempt()
            raise _Rollback
    except _Rollback:
        pass


def _year():
    return FinancialYear.objects.get(start_year=2025)


def _line(grant):
    line = grant.funding_lines.first()
    if line is None:  # no funding line: nothing on the page to act on, nor to call the service with
        raise ValidationError("No funding line.")
    return line


def _first_open_check(grant):
    return GrantCheck.objects.filter(grant=grant, is_complete=False).first() or grant.checks.first()


def _return_attempt(grant, user):
    actions = grant_actions(grant, user)
    year, number = actions.returns_open[0] if actions.returns_open else (_year(), 1)
    end = {1: date(year.start_year, 6, 30), 2: date(year.start_year, 9, 30), 3: date(year.start_year, 12, 31),
           4: date(year.start_year + 1, 3, 31)}[number]
    return outcomes.monitoring_return_submit(grant=grant, year=year, quarter=number,
                                             received_on=min(TODAY, end + timedelta(days=10)),
                                             spend_reported="100.00", rag="green", values={}, by=user)


def _schedule_attempt(grant, user):
    line = _line(grant)
    first = line.instalments.order_by("due_date").first()
    changes = [schedule.InstalmentChange(instalment=first, requires_return=first.requires_return)] if first else []
    return schedule.schedule_update(funding_line=line, changes=changes, by=user, reason="Provider's cash flow")


#: Each grant-page action: how its link appears on the page, and the service call it leads to.
GRANT_ACTIONS = {
    "submit": ("/grants/{pk}/submit/", lambda g, u: workflow.grant_submit(grant=g, by=u)),
    "decide": ("/grants/{pk}/decide/", lambda g, u: workflow.grant_approve(grant=g, by=u, on=date(2025, 5, 1))),
    "accept_offer": ("/grants/{pk}/offer-accepted/",
                     lambda g, u: workflow.grant_offer_accept(grant=g, accepted_on=g.approved_on or TODAY, by=u)),
    "returns": ("/grants/{pk}/returns/new/", _return_attempt),
    "edit": ("/grants/{pk}/edit/", lambda g, u: awards.grant_update(grant=g, by=u, title="ISVA service, renamed")),
    "checks": ('/grants/{pk}/checks/">(Due diligence \\(|Complete the open checks)',
               lambda g, u: checks.check_complete(check=_first_open_check(g), evidence="Accounts seen", by=u)),
    "vary": ("/grants/{pk}/variations/new/",
             lambda g, u: variations.variation_request(grant=g, by=u, reason="Demand up",
                                                       conditions="Quarterly visits")),
    "clawback": ("/grants/{pk}/clawback/",
                 lambda g, u: payments.clawback_record(funding_line=_line(g), amount="1.00",
                                                       received_on=TODAY, reason="Underspend", by=u)),
    "targets": ("/grants/{pk}/targets/new/",
                lambda g, u: outcomes.outcome_target_set(grant=g, measure=OutcomeMeasure.objects.get(),
                                                         year=_year(), target="120", by=u)),
    "review": ("/grants/{pk}/reviews/new/",
               lambda g, u: outcomes.annual_review_record(grant=g, year=_year(),
                                                          outcome="continue", notes="On track", by=u)),
    "schedule": ("/grants/{pk}/funding-lines/\\d+/schedule/", _schedule_attempt),
    "close": ("/grants/{pk}/close/", lambda g, u: workflow.grant_close(grant=g, by=u)),
    "withdraw": ("/grants/{pk}/withdraw/",
                 lambda g, u: workflow.grant_withdraw(grant=g, by=u, reason="Provider closed")),
}


def _build(stage, *, org, service, officer, officer2, commissioner, fund, year):  # noqa: F811
    grant = make_grant(org, service, officer, [(fund, year, "60000.00")])
    if stage == "draft":
        return grant
    if stage == "empty_draft":
        line = grant.funding_lines.get()
        awards.funding_line_remove(line=line, by=officer)
        return grant
    workflow.grant_submit(grant=grant, by=officer)
    if stage == "submitted":
        return grant
    if stage in ("returned", "rejected"):
        decide = workflow.grant_return if stage == "returned" else workflow.grant_reject
        decide(grant=grant, by=commissioner, reason="Say more about referrals")
        return grant
    workflow.grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    if stage == "approved":
        return grant
    workflow.grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
    if stage == "accepted":
        return grant
    complete_checks(grant, officer)
    accept_return(grant, year, 1, officer, officer2)
    if stage == "payable":
        return grant
    payments.payment_record(instalment=grant.instalments.get(quarter=1), amount="15000.00",
                            paid_on=date(2025, 7, 30), by=officer)
    if stage == "active":
        return grant
    if stage == "varying":
        variations.variation_request(grant=grant, by=officer, reason="Demand up",
                                     amounts=[(fund, year, "61000.00")])
        return grant
    if stage == "closed":
        workflow.grant_close(grant=grant, by=officer)
    elif stage == "withdrawn":
        workflow.grant_withdraw(grant=grant, by=officer, reason="Provider closed")
    return grant


STAGES = ["draft", "empty_draft", "submitted", "returned", "rejected", "approved", "accepted", "payable", "active",
          "varying", "closed", "withdrawn"]


@pytest.fixture
def measure(funded_core, officer):
    return outcomes.outcome_measure_create(fund=funded_core, code="referrals", name="Referrals received", by=officer)


def _refusal(attempt, grant, user) -> str:
    try:
        attempt(grant, user)
    except ValidationError as error:
        return " ".join(error.messages)
    except PermissionDenied as error:
        return str(error)
    raise AssertionError("the service accepted what the page did not offer")


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("who", ["officer", "commissioner", "director"])
def test_every_action_a_grant_page_offers_is_accepted_and_every_other_is_refused(
    stage, who, request, org, service, officer, officer2, commissioner, funded_core, year, measure,  # noqa: F811
    unchanged_database,
):
    grant = _build(stage, org=org, service=service, officer=officer, officer2=officer2, commissioner=commissioner,
                   fund=funded_core, year=year)
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    response = client.get(f"/grants/{grant.pk}/")
    if who == "commissioner" and stage in ("draft", "empty_draft"):
        assert response.status_code == 404  # a draft is not a commissioner's to see
        return
    html, page = response.content.decode(), page_text(response)
    actions = grant_actions(Grant.objects.get(pk=grant.pk), user)
    for action, (href, attempt) in GRANT_ACTIONS.items():
        fresh = Grant.objects.get(pk=grant.pk)
        if re.search(href.format(pk=grant.pk), html):
            accepted_then_undone(lambda attempt=attempt, fresh=fresh: attempt(fresh, user))
        else:
            with unchanged_database():
                message = _refusal(attempt, fresh, user)
            explained = getattr(actions, action)
            assert not explained.allowed, f"{action} allowed for {who} on a {stage} grant but not offered"
            if explained.explain:
                assert explained.reason == message and message in page, (action, message)


@pytest.mark.parametrize("stage", ["approved", "accepted", "payable", "active", "closed"])
def test_a_pay_link_shows_only_where_the_payment_service_accepts_it(
    stage, org, service, officer, officer2, commissioner, funded_core, year, unchanged_database,  # noqa: F811
):
    grant = _build(stage, org=org, service=service, officer=officer, officer2=officer2, commissioner=commissioner,
                   fund=funded_core, year=year)
    client = Client()
    client.force_login(officer)
    response = client.get(f"/grants/{grant.pk}/")
    html, page = response.content.decode(), page_text(response)
    paid = grant_totals(grant).paid
    for instalment in grant.instalments.select_related("year", "grant__organisation").order_by("due_date"):
        link = f"/instalments/{instalment.pk}/pay/"
        refusal = payments.instalment_pay_refusal(instalment=instalment)
        if link in html:
            assert refusal is None
            accepted_then_undone(lambda instalment=instalment: payments.payment_record(
                instalment=instalment, amount="100.00", paid_on=TODAY, by=officer))
        else:
            assert refusal is not None
            with unchanged_database(), pytest.raises(ValidationError) as error:
                payments.payment_record(instalment=instalment, amount="100.00", paid_on=TODAY, by=officer)
            assert " ".join(error.value.messages) == refusal
            if instalment_paid(instalment) < instalment.amount.amount:  # the page explains unpaid instalments
                assert refusal in page
    assert grant_totals(grant).paid == paid
    if stage == "payable":
        assert f"/instalments/{grant.instalments.get(quarter=1).pk}/pay/" in html
    if stage in ("approved", "accepted"):
        assert "/pay/" not in html


def test_the_decide_page_offers_the_form_only_to_someone_who_may_decide(
    org, service, officer, commissioner, commissioner2, funded_core, year, unchanged_database,  # noqa: F811
):
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00")])
    workflow.grant_submit(grant=grant, by=officer)
    commissioner.groups.add(*officer.groups.all())  # a commissioner who is also a finance officer ...
    own = make_grant(org, service, commissioner, [(funded_core, year, "1000.00")], title="Drafted by Carla")
    workflow.grant_submit(grant=own, by=commissioner)  # ... drafted and submitted this one
    client = Client()
    client.force_login(commissioner)
    page = page_text(client.get(f"/grants/{own.pk}/decide/"))
    with unchanged_database():
        message = _refusal(lambda g, u: workflow.grant_approve(grant=g, by=u), Grant.objects.get(pk=own.pk),
                           commissioner)
    assert message == f"You submitted {own.reference}, so another commissioner must approve or reject it."
    assert message in page and "Record decision" not in page
    assert "Record decision" in page_text(client.get(f"/grants/{grant.pk}/decide/"))


# --- The approval queue -------------------------------------------------------------------------------------------

def _queue_items(n, start, *, org, service, officer, fund, year, lines):  # noqa: F811
    """n submitted grants, n variations of newly accepted grants, n virements above threshold, n bank changes."""
    from funds.budgets import virement_request
    from grants.organisations import bank_details_submit, organisation_create

    for i in range(start, start + n):
        grant = make_grant(org, service, officer, [(fund, year, f"{1000 + i}.00", lines[0])], title=f"Grant {i}")
        workflow.grant_submit(grant=grant, by=officer)
        varied = make_grant(org, service, officer, [(fund, year, "500.00", lines[0])], title=f"Varied {i}")
        workflow.grant_submit(grant=varied, by=officer)
        workflow.grant_approve(grant=varied, by=User.objects.get(username="carla"), on=date(2025, 5, 1))
        variations.variation_request(grant=varied, by=officer, reason=f"More {i}", amounts=[(fund, year, "600.00")])
        virement_request(from_line=lines[0], to_line=lines[1], amount="30000.00", reason=f"Move {i}", by=officer)
        other = organisation_create(name=f"Provider {i}", address=f"{i} High Street, Walsall", postcode="WS1 1AA",
                                    by=officer)
        bank_details_submit(organisation=other, account_name=f"Provider {i}", sort_code="40-11-22",
                            account_number=f"5566{7700 + i}", by=officer)


def test_the_approval_queue_costs_the_same_queries_however_long_it_is(
    org, service, officer, commissioner, funded_core, year,  # noqa: F811
):
    from funds.budgets import budget_line_create

    lines = [budget_line_create(fund=funded_core, year=year, heading=h, amount="200000.00", by=officer)
             for h in ("Hubs", "Restorative justice")]
    client = Client()
    client.force_login(commissioner)
    kwargs = dict(org=org, service=service, officer=officer, fund=funded_core, year=year, lines=lines)
    _queue_items(1, 0, **kwargs)
    client.get("/")  # the session's expiry moves at most once a minute (core.middleware): count the pages alone
    counts = []
    for url in ("/approvals/", "/"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    _queue_items(3, 10, **kwargs)
    for url, expected in zip(("/approvals/", "/"), counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            page = page_text(client.get(url))
        assert len(many) == expected, url
    assert page.count("Grant G") == 4 and page.count("Virement Hubs") == 4
