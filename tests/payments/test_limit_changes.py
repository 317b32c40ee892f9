"""A delegated limit changes only when a second person approves a proposed change (payments.limits): raised by one
person alone, it would let a run through that the scheme of delegation says needs someone more senior.

Diana and Dmitri are finance directors, Carla and Cyril commissioners, Olivia and Oscar finance officers, Adam the
back-office administrator. Oscar holds no limit to start with."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.models import Event
from payments.limits import delegated_limit, delegated_limit_set, limit_change_decide, limit_change_propose
from payments.models import DelegatedLimit, LimitChange
from tests.payments.conftest import db_state


def refused(call, match, exception=ValidationError):
    before = db_state()
    with pytest.raises(exception, match=match):
        call()
    assert db_state() == before


@pytest.fixture
def proposal(director, officer2):
    return limit_change_propose(user=officer2, amount="£75,000", reason="Scheme of delegation 4.5", by=director)


def test_a_proposed_limit_takes_effect_only_when_someone_else_approves_it(proposal, officer2, commissioner, director):
    assert delegated_limit(officer2) is None
    limit_change_decide(change=proposal, approve=True, by=commissioner, note="Matches the scheme")
    assert delegated_limit(officer2) == Decimal("75000.00")
    limit = DelegatedLimit.objects.get(user=officer2)
    assert limit.set_by == commissioner
    assert limit.note == f"Scheme of delegation 4.5 (proposed by Diana, change {proposal.pk})"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == ("approved", commissioner,
                                                                              "Matches the scheme")
    assert [h.status for h in proposal.history.order_by("history_id")] == ["proposed", "approved"]
    assert list(Event.objects.filter(kind__startswith="payments.limit").order_by("id").values_list("kind", flat=True)) \
        == ["payments.limit_proposed", "payments.limit_set", "payments.limit_change_approved"]


def test_a_rejected_change_needs_a_note_and_changes_nothing(proposal, officer2, director2):
    refused(lambda: limit_change_decide(change=proposal, approve=False, by=director2),
            "Give the reason for rejecting the change")
    limit_change_decide(change=proposal, approve=False, by=director2, note="Not in the scheme yet")
    assert delegated_limit(officer2) is None


def test_nobody_approves_their_own_proposal(proposal, director):
    refused(lambda: limit_change_decide(change=proposal, approve=True, by=director),
            "You proposed this change, so someone else must approve or reject it")


def test_nobody_proposes_or_approves_their_own_limit(director, director2, commissioner):
    refused(lambda: limit_change_propose(user=director, amount="5000000", reason="Mine", by=director),
            "Nobody proposes their own delegated limit")
    change = limit_change_propose(user=director, amount="5000000", reason="Chief finance officer, para 4.1",
                                  by=commissioner)
    refused(lambda: limit_change_decide(change=change, approve=True, by=director),
            "This is your own delegated limit, so someone else must approve or reject the change")
    limit_change_decide(change=change, approve=True, by=director2)
    assert delegated_limit(director) == Decimal("5000000.00")


def test_a_change_already_decided_cannot_be_decided_again(proposal, commissioner, director2):
    limit_change_decide(change=proposal, approve=True, by=commissioner)
    refused(lambda: limit_change_decide(change=proposal, approve=False, by=director2, note="Too late"),
            "This change is already approved")


def test_a_proposal_needs_a_reason(director, officer2):
    refused(lambda: limit_change_propose(user=officer2, amount="1000", reason="", by=director),
            "Give the reason for the change to the limit")


@pytest.mark.parametrize("amount, message", [
    ("99,999,999.00", "A delegated limit is from £0.00 to £10,000,000.00; £99,999,999.00 was given"),
    ("-5.00", "A delegated limit is from £0.00 to £10,000,000.00: it cannot be negative; '-5.00' was given"),
    ("1e7", "is written with an exponent.* A delegated limit is from £0.00 to £10,000,000.00"),
])
def test_negative_and_absurd_limits_are_refused_with_the_allowed_range(director, officer2, amount, message):
    refused(lambda: limit_change_propose(user=officer2, amount=amount, reason="Try", by=director), message)


def test_one_change_per_person_waits_at_a_time(proposal, officer2, commissioner):
    refused(lambda: limit_change_propose(user=officer2, amount="80000", reason="Again", by=commissioner),
            r"A change of Oscar's limit to £75,000.00, proposed by Diana on \d\d/\d\d/\d{4}, is already awaiting")


def test_the_limit_is_for_people_who_authorise_runs(director, commissioner2):
    refused(lambda: limit_change_propose(user=commissioner2, amount="1000", reason="x", by=director),
            "Cyril is not a finance officer or finance director")


@pytest.mark.parametrize("who", ["officer", "admin_user"])
def test_only_finance_directors_and_commissioners_propose(officer2, who, request):
    refused(lambda: limit_change_propose(user=officer2, amount="1000", reason="x", by=request.getfixturevalue(who)),
            "Only commissioners or finance directors may propose changes to delegated limits",
            exception=PermissionDenied)


@pytest.mark.parametrize("who", ["officer", "admin_user"])
def test_only_finance_directors_and_commissioners_decide(proposal, who, request):
    refused(lambda: limit_change_decide(change=proposal, approve=True, by=request.getfixturevalue(who)),
            "Only commissioners or finance directors may decide changes to delegated limits",
            exception=PermissionDenied)


def test_a_limit_changed_since_the_proposal_is_refused(proposal, officer2, director2, commissioner):
    delegated_limit_set(user=officer2, amount="1000.00", by=director2)
    refused(lambda: limit_change_decide(change=proposal, approve=True, by=commissioner),
            "Oscar's limit has changed since this was proposed; reject this change and propose again")


def test_the_database_refuses_a_limit_above_the_range_and_a_self_approved_change(proposal, officer2, director):
    from django.utils import timezone

    delegated_limit_set(user=officer2, amount="1000.00", by=director)
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegatedLimit.objects.filter(user=officer2).update(amount=Decimal("99999999.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LimitChange.objects.filter(pk=proposal.pk).update(status="approved", decided_by=director,
                                                          decided_at=timezone.now())
