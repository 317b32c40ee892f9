"""The pages for funds' control settings, and the admin that can no longer change them.

MOJ-CORE: grant approval threshold £100,000.00, virement threshold £25,000.00. Olivia (finance officer) proposes,
Carla (commissioner) or Diana (finance director) decides; Adam is the back-office administrator."""

import pytest
from django.forms.models import model_to_dict
from djmoney.money import Money

from funds.controls import control_change_propose
from funds.models import ControlChange, Fund
from tests.rules.conftest import database_state
from tests.web.conftest import signed_in, text


def admin_form_data(fund: Fund, **changes) -> dict:
    """What the admin's change form would post for ``fund``, every field the model has (read-only ones included,
    as an attacker would send them), with ``changes`` on top."""
    data = {k: v for k, v in model_to_dict(fund).items() if v is not None}
    data |= {"grant_approval_threshold_0": "99999999.00", "grant_approval_threshold_1": "GBP",
             "virement_threshold_0": "99999999.00", "virement_threshold_1": "GBP",
             "order_approval_threshold_0": "99999999.00", "order_approval_threshold_1": "GBP",
             "retained_share_percent": "100"}
    return data | changes


def test_the_admin_cannot_raise_a_funds_thresholds(core_fund, admin_user):
    """The attack: the back office posts £99,999,999 thresholds. The admin saves the fields it may change (the
    name here) and ignores the control settings, which are read-only."""
    response = signed_in(admin_user).post(f"/admin/funds/fund/{core_fund.pk}/change/",
                                          admin_form_data(core_fund, name="Victims' services core grant 2025"))
    assert response.status_code == 302
    core = Fund.objects.get(pk=core_fund.pk)
    assert core.name == "Victims' services core grant 2025"
    assert (core.grant_approval_threshold, core.virement_threshold, core.order_approval_threshold,
            core.retained_share_percent) == (Money("100000.00", "GBP"), Money("25000.00", "GBP"),
                                             Money("0.00", "GBP"), 0)


def test_the_admins_fund_form_shows_the_settings_read_only_and_says_where_they_change(core_fund, admin_user):
    page = signed_in(admin_user).get(f"/admin/funds/fund/{core_fund.pk}/change/").content.decode()
    assert 'name="virement_threshold_0"' not in page and 'name="retained_share_percent"' not in page
    assert "£25,000.00" in page


def test_a_fund_added_in_the_admin_starts_at_the_strictest_settings(admin_user, moj, year):
    response = signed_in(admin_user).post("/admin/funds/fund/add/", {
        "code": "NEW-FUND", "name": "New fund", "funder": moj.pk, "purpose": "Tests", "ring_fenced": "on",
        "limit_basis": "award", "income_kind": "grant", "year_end_rule": "return",
        "is_active": "on", "virement_threshold_0": "99999999.00", "virement_threshold_1": "GBP",
        "retained_share_percent": "100"})
    assert response.status_code == 302
    added = Fund.objects.get(code="NEW-FUND")
    assert (added.virement_threshold, added.grant_approval_threshold, added.retained_share_percent) == (
        Money("0.00", "GBP"), Money("0.00", "GBP"), 0)


def test_the_admin_shows_changes_but_cannot_add_or_decide_them(core_fund, officer, admin_user):
    change = control_change_propose(fund=core_fund, setting="virement_threshold", value="30000", reason="Raise",
                                    by=officer)
    client = signed_in(admin_user)
    assert client.get(f"/admin/funds/controlchange/{change.pk}/change/").status_code == 200
    before = database_state()
    assert client.post(f"/admin/funds/controlchange/{change.pk}/change/",
                       {"status": "approved", "decided_by": admin_user.pk}).status_code == 403
    assert client.post("/admin/funds/controlchange/add/", {}).status_code == 403
    assert database_state() == before


def test_an_officer_proposes_on_the_page_and_a_commissioner_approves_from_the_queue(core_fund, officer,
                                                                                     commissioner):
    response = signed_in(officer).post("/controls/propose/", {
        "fund": core_fund.pk, "setting": "virement_threshold", "value": "£40,000", "reason": "Decision 042-2025"})
    change = ControlChange.objects.get()
    assert response.status_code == 302 and response.url == f"/controls/{change.pk}/"
    page = text(signed_in(officer).get(response.url))
    assert "Virement threshold: £25,000.00 to £40,000.00" in page and "Awaiting approval" in page
    assert "Record decision" not in page  # a finance officer never decides

    carla = signed_in(commissioner)
    home = text(carla.get("/"))
    assert "Control setting MOJ-CORE virement threshold: £25,000.00 to £40,000.00" in home
    assert carla.post(f"/controls/{change.pk}/decide/", {"decision": "approve", "confirm": "on"}).status_code == 302
    assert Fund.objects.get(pk=core_fund.pk).virement_threshold == Money("40000.00", "GBP")
    assert "Control setting MOJ-CORE" not in text(carla.get("/"))  # no longer waiting


def test_the_proposer_is_told_someone_else_decides(core_fund, director):
    change = control_change_propose(fund=core_fund, setting="grant_approval_threshold", value="150000",
                                    reason="Key decisions", by=director)
    client = signed_in(director)
    page = text(client.get(f"/controls/{change.pk}/"))
    assert "You proposed this change, so someone else must approve or reject it." in page
    assert "Record decision" not in page
    before = database_state()
    response = client.post(f"/controls/{change.pk}/decide/", {"decision": "approve", "confirm": "on"})
    assert response.status_code == 400
    assert "You proposed this change, so someone else must approve or reject it." in text(response)
    assert database_state() == before
    assert "You asked for this: someone else decides" in text(client.get("/approvals/"))


def test_a_value_out_of_range_is_shown_next_to_the_field_and_writes_nothing(core_fund, officer):
    client = signed_in(officer)  # signing in records a login: before the database is compared
    before = database_state()
    response = client.post("/controls/propose/", {
        "fund": core_fund.pk, "setting": "virement_threshold", "value": "99,999,999", "reason": "Switch it off"})
    assert response.status_code == 200
    assert ("Virement threshold is from £0.00 to £1,000,000.00; £99,999,999.00 was given. A higher value would "
            "switch its check off.") in text(response)
    assert 'value="99,999,999"' in response.content.decode()  # what was typed is kept
    assert database_state() == before


def test_the_list_shows_every_funds_settings_and_the_changes(core_fund, fpn_fund, officer, commissioner):
    control_change_propose(fund=core_fund, setting="order_approval_threshold", value="25000", reason="Orders",
                           by=officer)
    page = text(signed_in(commissioner).get("/controls/"))
    assert "MOJ-CORE Victims' services core grant £100,000.00 £25,000.00 £0.00 0%" in page
    assert "MOJ-CORE Order approval threshold £0.00 £25,000.00 Olivia Orders" in page
    assert "Propose a change" not in page  # commissioners decide, they do not propose


@pytest.mark.parametrize("who, url, status", [
    ("commissioner", "/controls/propose/", 403),
    ("officer", "/controls/1/decide/", 403),
])
def test_each_page_is_for_its_roles(core_fund, officer, who, url, status, request):
    control_change_propose(fund=core_fund, setting="virement_threshold", value="30000", reason="x",
                           by=request.getfixturevalue("director"))
    assert signed_in(request.getfixturevalue(who)).get(url).status_code == status


def test_a_change_has_a_history_page_with_both_steps(core_fund, officer, commissioner):
    from funds.controls import control_change_decide

    change = control_change_propose(fund=core_fund, setting="virement_threshold", value="30000", reason="Raise it",
                                    by=officer)
    control_change_decide(change=change, approve=False, by=commissioner, note="No decision behind it")
    response = signed_in(officer).get(f"/history/funds/controlchange/{change.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Raise it" in page and "No decision behind it" in page and "Carla" in page and "Olivia" in page
