"""grants.checks: a grant's checks recorded together, all or none, with every problem of every check at once."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grants.checks import CheckEntry, check_field, checks_record
from grants.models import GrantCheck
from tests.grants.conftest import db_state

pytestmark = pytest.mark.django_db


def test_checks_recorded_together_with_result_evidence_and_date(accepted_grant, officer):
    first, second = list(accepted_grant.checks.order_by("check_type__order"))[:2]
    done = checks_record(grant=accepted_grant, by=officer, entries=[
        CheckEntry(first, "satisfactory", "Accounts to 31/03/2025 reviewed", date(2025, 5, 2)),
        CheckEntry(second, "concerns", "Safeguarding policy out of date (2019)", date(2025, 5, 3)),
    ])
    assert [(c.is_complete, c.result, c.checked_on, c.completed_by) for c in done] == [
        (True, "satisfactory", date(2025, 5, 2), officer), (False, "concerns", date(2025, 5, 3), officer)]
    assert accepted_grant.checks.filter(is_complete=False).count() == accepted_grant.checks.count() - 1


def test_every_problem_of_every_check_is_refused_at_once_and_nothing_is_written(accepted_grant, officer):
    first, second = list(accepted_grant.checks.order_by("check_type__order"))[:2]
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        checks_record(grant=accepted_grant, by=officer, entries=[
            CheckEntry(first, "satisfactory", "Accounts seen", date(2025, 5, 2)),
            CheckEntry(second, "passed", "  ", None),
        ])
    errors = refused.value.message_dict
    assert set(errors) == {check_field(second, n) for n in ("result", "evidence", "checked_on")}
    assert errors[check_field(second, "result")] == [
        f"Choose the result of '{second.check_type.label}': satisfactory, or concerns found."]
    assert db_state() == before
    first.refresh_from_db()
    assert first.result == ""


def test_a_completed_check_is_not_recorded_again(accepted_grant, officer):
    first = accepted_grant.checks.order_by("check_type__order").first()
    checks_record(grant=accepted_grant, by=officer,
                  entries=[CheckEntry(first, "satisfactory", "Accounts seen", date(2025, 5, 2))])
    with pytest.raises(ValidationError, match="was already completed by .* on 02/05/2025"):
        checks_record(grant=accepted_grant, by=officer,
                      entries=[CheckEntry(first, "concerns", "Second look", date(2025, 5, 9))])


def test_the_database_refuses_a_complete_check_without_a_satisfactory_result(accepted_grant, officer):
    check = accepted_grant.checks.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantCheck.objects.filter(pk=check.pk).update(is_complete=True, evidence="Seen", completed_by=officer,
                                                      completed_at="2025-05-02T09:00:00Z", result="concerns",
                                                      checked_on=date(2025, 5, 2))
