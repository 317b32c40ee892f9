"""The demo's grants: every state, every story the pages need, loaded through the services on a sound ledger."""

from datetime import date

import pytest

from demo.funds import seed_budgets_and_income, seed_funds
from demo.grants import seed_grants
from demo.people import seed_people
from funds.models import FinancialYear
from grants.models import BankDetails, Clawback, GrantVariation, MonitoringReturn, Organisation, Payment
from grants.selectors import instalments_due, returns_due
from ledger.verification import verify


@pytest.mark.django_db
def test_seed_grants_covers_every_state_and_story_on_a_sound_ledger():
    users = seed_people()
    funds = seed_funds(users)
    years = {y.start_year: y for y in FinancialYear.objects.filter(start_year__in=[2025, 2026])}
    seed_budgets_and_income(users, funds, years)
    counts = seed_grants(users, funds, years)

    assert sum(counts.values()) == 120 and Organisation.objects.count() == 40
    assert set(counts) == {"draft", "submitted", "approved", "rejected", "returned", "offer_accepted", "active",
                           "closed", "withdrawn"}
    assert Organisation.objects.filter(identifier__startswith="GB-CHC-").count() == 30
    assert Organisation.objects.filter(identifier__startswith="GB-COH-").count() == 6
    assert Organisation.objects.filter(identifier__startswith="360G-").count() == 4
    assert Clawback.objects.count() == 1
    assert set(GrantVariation.objects.values_list("status", flat=True)) == {"approved", "requested"}
    assert BankDetails.objects.filter(status="pending").count() == 1
    assert BankDetails.objects.filter(status="rejected").count() == 1
    assert Payment.objects.filter(paid_on=date(2026, 4, 30), funding_line__year__start_year=2025).exists()
    assert set(MonitoringReturn.objects.values_list("status", flat=True)) == {"accepted", "submitted", "returned"}
    due = instalments_due(date(2026, 11, 21))
    assert any("bank details awaiting verification" in r.blockers for r in due)
    assert any(r.monitoring_return is None for r in returns_due(date(2026, 11, 21)))
    assert verify().problems == []
