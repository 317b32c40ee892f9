"""A fund's control settings (its three approval thresholds and its retained share of fines) change only when a
second person approves a proposed change (funds.controls): the back office raised MOJ-CORE's thresholds to
£99,999,999 alone, switching the virement check off, and that must no longer be possible on any path.

MOJ-CORE starts with a grant approval threshold of £100,000.00, a virement threshold of £25,000.00, an order
approval threshold of £0.00 and no retained share. Olivia and Oscar are finance officers, Carla a commissioner,
Diana a finance director, Adam the back-office administrator."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from djmoney.money import Money

from core.models import Event
from funds.controls import control_change_decide, control_change_propose
from funds.models import ControlChange, Fund
from funds.services import fund_create
from tests.rules.conftest import database_state


def refused(call, match, exception=ValidationError):
    """``call`` is refused with a message matching ``match``, and writes nothing anywhere."""
    before = database_state()
    with pytest.raises(exception, match=match):
        call()
    assert database_state() == before


def fund(code="MOJ-CORE") -> Fund:
    return Fund.objects.get(code=code)


@pytest.fixture
def raise_virement(core_fund, officer):
    return control_change_propose(fund=core_fund, setting="virement_threshold", value="£50,000.00",
                                  reason="Decision 042-2025: the board raised the virement limit", by=officer)


def test_a_proposed_change_waits_and_takes_effect_when_someone_else_approves_it(raise_virement, commissioner):
    change = raise_virement
    assert (change.status, change.value_before, change.value_after) == ("proposed", Decimal("25000.000"),
                                                                        Decimal("50000.000"))
    assert fund().virement_threshold == Money("25000.00", "GBP")  # nothing changes on a proposal

    control_change_decide(change=change, approve=True, by=commissioner, note="Seen the decision")

    core = fund()
    assert core.virement_threshold == Money("50000.00", "GBP")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("approved", commissioner, "Seen the decision")
    latest = core.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (
        commissioner, f"Virement threshold £25,000.00 to £50,000.00 (change {change.pk})")
    assert [h.status for h in change.history.order_by("history_id")] == ["proposed", "approved"]
    assert list(Event.objects.filter(kind__startswith="fund.control").order_by("id")
                .values_list("kind", "actor__username")) == [("fund.control_proposed", "olivia"),
                                                            ("fund.control_approved", "carla")]


def test_a_finance_director_decides_a_finance_officers_proposal_and_the_share_is_a_percentage(fpn_fund, officer,
                                                                                               director):
    change = control_change_propose(fund=fpn_fund, setting="retained_share_percent", value="18.75%",
                                    reason="Devolution deal: the fund keeps 18.75% of fines", by=officer)
    control_change_decide(change=change, approve=True, by=director)
    assert fund("FPN").retained_share_percent == Decimal("18.750")


def test_a_rejected_change_leaves_the_fund_as_it_was_and_keeps_the_note(raise_virement, director):
    control_change_decide(change=raise_virement, approve=False, by=director, note="No decision behind it")
    raise_virement.refresh_from_db()
    assert (raise_virement.status, raise_virement.decision_note) == ("rejected", "No decision behind it")
    assert fund().virement_threshold == Money("25000.00", "GBP")


def test_rejecting_needs_a_note(raise_virement, director):
    refused(lambda: control_change_decide(change=raise_virement, approve=False, by=director, note="  "),
            "Give the reason for rejecting the change")


def test_nobody_approves_their_own_proposal(core_fund, director):
    change = control_change_propose(fund=core_fund, setting="grant_approval_threshold", value="150000",
                                    reason="Key decision limit raised", by=director)
    refused(lambda: control_change_decide(change=change, approve=True, by=director),
            "You proposed this change, so someone else must approve or reject it")
    assert fund().grant_approval_threshold == Money("100000.00", "GBP")


def test_a_change_already_decided_cannot_be_decided_again(raise_virement, commissioner, director):
    control_change_decide(change=raise_virement, approve=True, by=commissioner)
    refused(lambda: control_change_decide(change=raise_virement, approve=False, by=director, note="Too late"),
            r"This change is already approved \(by Carla on \d\d/\d\d/\d{4}\); nothing more can be decided on it")


def test_a_proposal_needs_a_reason(core_fund, officer):
    refused(lambda: control_change_propose(fund=core_fund, setting="virement_threshold", value="30000", reason=" ",
                                           by=officer),
            "Give the reason for the change; it is kept with it and in the history")


@pytest.mark.parametrize("setting, value, message", [
    ("virement_threshold", "99,999,999.00",
     "Virement threshold is from £0.00 to £1,000,000.00; £99,999,999.00 was given. A higher value would switch its "
     "check off."),
    ("order_approval_threshold", "1000000.01", "Order approval threshold is from £0.00 to £1,000,000.00; "
                                               "£1,000,000.01 was given"),
    ("grant_approval_threshold", "-5.00", "Grant approval threshold is from £0.00 to £1,000,000.00: it cannot be "
                                          "negative; '-5.00' was given."),
    ("virement_threshold", "1e6", "is written with an exponent.* Virement threshold is from £0.00 to £1,000,000.00."),
    ("retained_share_percent", "100.5", "Retained share of fixed penalties is from 0% to 100%; 100.5% was given"),
    ("retained_share_percent", "-1", "Retained share of fixed penalties is from 0% to 100%: it cannot be negative"),
])
def test_negative_and_absurd_values_are_refused_with_the_allowed_range(core_fund, officer, setting, value, message):
    refused(lambda: control_change_propose(fund=core_fund, setting=setting, value=value, reason="Try it", by=officer),
            message)


def test_the_largest_threshold_allowed_may_be_proposed(core_fund, officer):
    change = control_change_propose(fund=core_fund, setting="order_approval_threshold", value="£1,000,000.00",
                                    reason="Top of the range", by=officer)
    assert change.value_after == Decimal("1000000.00")


def test_a_value_equal_to_the_current_one_is_not_a_change(core_fund, officer):
    refused(lambda: control_change_propose(fund=core_fund, setting="virement_threshold", value="25000", reason="Same",
                                           by=officer),
            "MOJ-CORE's virement threshold is already £25,000.00; propose a different value")


def test_one_change_of_a_setting_waits_at_a_time(raise_virement, officer2):
    refused(lambda: control_change_propose(fund=fund(), setting="virement_threshold", value="40000",
                                           reason="Another", by=officer2),
            r"A change of MOJ-CORE's virement threshold to £50,000.00, proposed by Olivia on \d\d/\d\d/\d{4}, is "
            "already awaiting a decision")
    # another setting of the same fund may be proposed meanwhile
    control_change_propose(fund=fund(), setting="order_approval_threshold", value="10000", reason="Orders",
                           by=officer2)


def test_an_unknown_setting_is_refused(core_fund, officer):
    refused(lambda: control_change_propose(fund=core_fund, setting="limit_basis", value="0", reason="x", by=officer),
            "Choose one of the fund's control settings")


def test_a_change_proposed_against_a_value_that_has_since_moved_is_refused(raise_virement, commissioner):
    Fund.objects.filter(pk=raise_virement.fund_id).update(virement_threshold=Decimal("30000.00"))
    refused(lambda: control_change_decide(change=raise_virement, approve=True, by=commissioner),
            r"MOJ-CORE's virement threshold has changed since this was proposed \(it was £25,000.00, it is now "
            r"£30,000.00\); reject this change and propose again")


@pytest.mark.parametrize("who", ["commissioner", "admin_user"])
def test_only_finance_officers_and_directors_propose(core_fund, who, request):
    by = request.getfixturevalue(who)
    refused(lambda: control_change_propose(fund=core_fund, setting="virement_threshold", value="99999999",
                                           reason="Raise it", by=by),
            "Only finance officers or finance directors may propose changes to a fund's control settings",
            exception=PermissionDenied)


@pytest.mark.parametrize("who", ["officer2", "admin_user"])
def test_only_commissioners_and_directors_decide(raise_virement, who, request):
    by = request.getfixturevalue(who)
    refused(lambda: control_change_decide(change=raise_virement, approve=True, by=by),
            "Only commissioners or finance directors may decide changes to a fund's control settings",
            exception=PermissionDenied)


def test_the_database_refuses_a_threshold_above_the_range_whatever_the_path(core_fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=core_fund.pk).update(virement_threshold=Decimal("99999999.00"))


def test_the_database_refuses_a_change_decided_by_its_proposer(raise_virement):
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        ControlChange.objects.filter(pk=raise_virement.pk).update(
            status="approved", decided_by=raise_virement.proposed_by, decided_at=timezone.now())


def test_a_fund_is_set_up_with_its_first_thresholds_in_the_range(officer, moj, year):
    with pytest.raises(ValidationError, match="Virement threshold is from £0.00 to £1,000,000.00"):
        fund_create(code="BIG", name="Big", funder=moj, purpose="x", limit_basis="award", year_end_rule="return",
                    virement_threshold="99999999.00", by=officer)
    made = fund_create(code="SMALL", name="Small", funder=moj, purpose="x", limit_basis="award",
                       year_end_rule="return", virement_threshold="5000.00", by=officer)
    assert made.virement_threshold == Money("5000.00", "GBP")
