from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grants.models import MonitoringReturn
from grants.outcomes import (
    annual_review_record,
    monitoring_return_accept,
    monitoring_return_send_back,
    monitoring_return_submit,
    outcome_measure_create,
    outcome_target_set,
    return_record_refusal,
)
from tests.grants.conftest import db_state


@pytest.fixture
def measures(funded_core, officer):
    return (
        outcome_measure_create(fund=funded_core, code="referrals", name="Referrals received", unit="referrals",
                               by=officer),
        outcome_measure_create(fund=funded_core, code="feel-safer", name="Feel safer (cope and recover)", by=officer),
    )


def submit(grant, year, officer, measures, **extra):
    fields = dict(grant=grant, year=year, quarter=1, received_on=date(2025, 7, 8), spend_reported="14250.50",
                  rag="amber", values={measures[0]: "130", measures[1]: 96}, by=officer,
                  narrative="Caseload rising", delivery_issues="One ISVA on long-term sick leave")
    fields.update(extra)
    return monitoring_return_submit(**fields)


def test_measures_are_defined_per_fund(measures, funded_core, officer):
    assert [m.code for m in funded_core.outcome_measures.all()] == ["feel-safer", "referrals"]
    with pytest.raises(ValidationError, match="MOJ-CORE already has a measure 'referrals'"):
        outcome_measure_create(fund=funded_core, code="referrals", name="Again", by=officer)


def test_targets_are_set_per_grant_measure_and_year(approved_grant, measures, year, officer, dasv_fund):
    target = outcome_target_set(grant=approved_grant, measure=measures[0], year=year, target="480", by=officer)
    target = outcome_target_set(grant=approved_grant, measure=measures[0], year=year, target="500", by=officer)
    assert target.target == Decimal("500") and approved_grant.targets.count() == 1
    other = outcome_measure_create(fund=dasv_fund, code="idva-cases", name="IDVA cases", by=officer)
    with pytest.raises(ValidationError, match="'IDVA cases' is a measure of MOJ-DASV, which G\\d{5} does not draw on"):
        outcome_target_set(grant=approved_grant, measure=other, year=year, target="1", by=officer)
    with pytest.raises(ValidationError, match="not a number"):
        outcome_target_set(grant=approved_grant, measure=measures[0], year=year, target="lots", by=officer)


def test_a_return_is_entered_accepted_or_sent_back_and_resubmitted(accepted_grant, measures, year, officer, officer2):
    ret = submit(accepted_grant, year, officer, measures)
    assert (ret.status, ret.spend_reported.amount, ret.values.count()) == ("submitted", Decimal("14250.50"), 2)
    with pytest.raises(ValidationError, match="Say why the return is sent back"):
        monitoring_return_send_back(monitoring_return=ret, by=officer2, reason="")
    ret = monitoring_return_send_back(monitoring_return=ret, by=officer2, reason="Referrals figure double-counts")
    assert (ret.status, ret.review_note) == ("returned", "Referrals figure double-counts")
    ret = submit(accepted_grant, year, officer, measures, values={measures[0]: "118"})
    assert (ret.status, [str(v.value) for v in ret.values.all()]) == ("submitted", ["118.00"])
    ret = monitoring_return_accept(monitoring_return=ret, by=officer2)
    assert ret.status == "accepted" and ret.reviewed_by == officer2
    with pytest.raises(ValidationError, match="return for G\\d{5} is already accepted"):
        submit(accepted_grant, year, officer, measures)


@pytest.mark.parametrize("extra, message", [
    ({"quarter": 5}, "Choose a quarter from 1"),
    ({"received_on": date(2025, 6, 30)}, "Give the date the return arrived: from 01/07/2025, after Q1 2025/26 ended"),
    ({"rag": "purple"}, "Choose a RAG status"),
    ({"delivery_issues": ""}, "An amber return needs the delivery issues"),
    ({"spend_reported": "12.345"}, "more than two decimal places"),
])
def test_bad_returns_are_refused(accepted_grant, measures, year, officer, extra, message):
    before = db_state()
    with pytest.raises(ValidationError, match=message):
        submit(accepted_grant, year, officer, measures, **extra)
    assert db_state() == before


def test_a_return_for_a_quarter_outside_the_grant_is_refused(org, service, officer, commissioner, funded_core, year,
                                                            measures):
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit
    from tests.grants.conftest import make_grant

    grant = make_grant(org, service, officer, [(funded_core, year, "9000.00")], start_date=date(2025, 10, 1))
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 9, 20))
    grant_offer_accept(grant=grant, accepted_on=date(2025, 9, 25), by=officer)
    with pytest.raises(ValidationError, match="Q1 2025/26 \\(01/04/2025 to 30/06/2025\\) is outside the grant, which "
                                              "runs 01/10/2025 to 31/03/2026"):
        submit(grant, year, officer, measures)


def test_a_return_is_recorded_only_once_its_quarter_has_ended(accepted_grant, measures, year, officer):
    before = db_state()
    message = ("Q1 2025/26 (April–June 2025) ends on 30/06/2025, so its monitoring return cannot be recorded on "
               "30/06/2025; it can be recorded from 01/07/2025, once the quarter has ended.")
    assert return_record_refusal(grant=accepted_grant, year=year, quarter=1, on=date(2025, 6, 30)) == message
    with pytest.raises(ValidationError) as refused:
        submit(accepted_grant, year, officer, measures, received_on=date(2025, 6, 20), today=date(2025, 6, 30))
    assert refused.value.messages == [message]
    assert db_state() == before
    assert return_record_refusal(grant=accepted_grant, year=year, quarter=1, on=date(2025, 7, 1)) is None
    ret = submit(accepted_grant, year, officer, measures, received_on=date(2025, 7, 1), today=date(2025, 7, 1))
    assert (ret.quarter, ret.received_on) == (1, date(2025, 7, 1))


def test_the_quarter_is_named_with_its_months_across_the_new_year(accepted_grant, year):
    assert return_record_refusal(grant=accepted_grant, year=year, quarter=4, on=date(2026, 2, 14)) == (
        "Q4 2025/26 (January–March 2026) ends on 31/03/2026, so its monitoring return cannot be recorded on "
        "14/02/2026; it can be recorded from 01/04/2026, once the quarter has ended.")


def test_returns_are_not_taken_before_the_offer_is_accepted(approved_grant, measures, year, officer):
    with pytest.raises(ValidationError, match="returns are taken once the offer is accepted"):
        submit(approved_grant, year, officer, measures)


def test_annual_review(accepted_grant, year, commissioner):
    review = annual_review_record(grant=accepted_grant, year=year, outcome="continue", by=commissioner,
                                  notes="Targets met; continue into 2026/27", reviewed_on=date(2026, 3, 10))
    assert str(review).endswith("review 2025/26: Continue")
    with pytest.raises(ValidationError, match="already has a review for 2025/26"):
        annual_review_record(grant=accepted_grant, year=year, outcome="stop", notes="x", by=commissioner)
    with pytest.raises(ValidationError, match="Choose the outcome"):
        annual_review_record(grant=accepted_grant, year=year, outcome="maybe", notes="x", by=commissioner)


def test_the_database_requires_a_reason_to_send_a_return_back(accepted_grant, measures, year, officer):
    from django.db import IntegrityError, transaction

    ret = submit(accepted_grant, year, officer, measures)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringReturn.objects.filter(pk=ret.pk).update(status="returned", reviewed_by=officer, review_note="")
