from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from payments.limits import delegated_limit, delegated_limit_set, limits_covering
from payments.models import DelegatedLimit
from tests.payments.conftest import db_state


def refused(call, match, exception=ValidationError):
    before = db_state()
    with pytest.raises(exception, match=match):
        call()
    assert db_state() == before


def test_a_finance_director_sets_limits_and_each_change_is_kept(director, officer2):
    assert delegated_limit(officer2) is None
    delegated_limit_set(user=officer2, amount="50000.00", by=director, note="Scheme of delegation 4.2")
    limit = delegated_limit_set(user=officer2, amount="£75,000", by=director, note="Raised for the monthly runs")
    assert delegated_limit(officer2) == Decimal("75000.00") and limit.set_by == director
    assert DelegatedLimit.objects.count() == 1
    assert [(str(h.amount.amount), h.history_change_reason) for h in limit.history.order_by("history_id")] == [
        ("50000.00", "Scheme of delegation 4.2"), ("75000.00", "Raised for the monthly runs")]


def test_nobody_sets_their_own_limit(director):
    refused(lambda: delegated_limit_set(user=director, amount="1000.00", by=director),
            "Nobody sets their own delegated limit; another finance director must set yours")


def test_only_finance_directors_set_limits(officer, officer2):
    refused(lambda: delegated_limit_set(user=officer2, amount="1000.00", by=officer),
            "Only finance directors may set delegated limits", exception=PermissionDenied)


def test_limits_are_for_people_who_authorise_runs_and_never_negative(director, commissioner, officer2):
    refused(lambda: delegated_limit_set(user=commissioner, amount="1000.00", by=director),
            "Carla is not a finance officer or finance director")
    refused(lambda: delegated_limit_set(user=officer2, amount="-5.00", by=director), "amount")


def test_a_zero_limit_withdraws_the_authority(director, officer2, director2):
    delegated_limit_set(user=officer2, amount="0", by=director)
    delegated_limit_set(user=director2, amount="40000.00", by=director)
    assert delegated_limit(officer2) == Decimal("0.00")
    assert limits_covering(Decimal("100.00")) == [(director2, Decimal("40000.00"))]


def test_the_back_office_administrator_records_a_finance_directors_limit(director, admin_user, officer2):
    """Nobody above the finance director uses Ringfence: the administrator records the scheme of delegation's
    limit for them (never for a commissioner, and never anyone's own)."""
    limit = delegated_limit_set(user=director, amount="5000000.00", by=admin_user,
                                note="Scheme of delegation para 4.2: chief finance officer")
    assert delegated_limit(director) == Decimal("5000000.00") and limit.set_by == admin_user
    refused(lambda: delegated_limit_set(user=admin_user, amount="1.00", by=admin_user),
            "Nobody sets their own delegated limit")
