from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grants.awards import decision_record
from grants.models import FundingLine, Grant
from grants.payments import payment_record
from grants.selectors import grant_totals
from grants.variations import variation_approve, variation_reject, variation_request
from grants.workflow import grant_close
from ledger.selectors import fund_available
from tests.grants.conftest import db_state


def test_an_increase_commits_the_extra_and_keeps_the_original_visible(accepted_grant, officer, commissioner2,
                                                                     funded_core, year):
    v = variation_request(grant=accepted_grant, by=officer, reason="Demand up 20% in Walsall",
                          amounts=[(funded_core, year, "72000.00")])
    assert v.before["lines"] == {"MOJ-CORE 2025/26": "60000.00"}
    assert v.after == {"lines": {"MOJ-CORE 2025/26": "72000.00"}}
    assert fund_available(fund=funded_core, year=year) == Decimal("440000.00")  # nothing moves on request
    v = variation_approve(variation=v, by=commissioner2, on=date(2025, 9, 1), note="Agreed")
    assert sorted((ln.account.code, ln.direction, str(ln.amount.amount)) for ln in v.entry.lines.all()) == [
        ("8000", "D", "12000.00"), ("8100", "C", "12000.00")]
    assert fund_available(fund=funded_core, year=year) == Decimal("428000.00")
    line = FundingLine.objects.get(grant=accepted_grant)
    assert (line.original_amount.amount, line.amount.amount) == (Decimal("60000.00"), Decimal("72000.00"))
    totals = grant_totals(accepted_grant)
    assert (totals.original, totals.varied, totals.outstanding_commitment) == (
        Decimal("60000.00"), Decimal("72000.00"), Decimal("72000.00"))
    assert sum(i.amount.amount for i in accepted_grant.instalments.all()) == Decimal("72000.00")


def test_a_decrease_releases_commitment_and_the_schedule_follows(payable_grant, officer, commissioner, funded_core,
                                                                 year):
    q1 = payable_grant.instalments.get(quarter=1)
    payment_record(instalment=q1, amount="15000.00", paid_on=date(2025, 7, 30), by=officer)
    v = variation_request(grant=payable_grant, by=officer, reason="Second post not recruited",
                          amounts=[(funded_core, year, "40000.00")])
    variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))
    assert fund_available(fund=funded_core, year=year) == Decimal("460000.00")
    assert [(i.quarter, str(i.amount.amount)) for i in payable_grant.instalments.order_by("quarter")] == [
        (1, "15000.00"), (2, "8333.33"), (3, "8333.33"), (4, "8333.34")]


def test_nobody_approves_the_variation_they_requested(accepted_grant, officer, funded_core, year):
    from django.contrib.auth.models import Group

    from core.roles import COMMISSIONER

    v = variation_request(grant=accepted_grant, by=officer, reason="More", amounts=[(funded_core, year, "61000.00")])
    officer.groups.add(Group.objects.get(name=COMMISSIONER))
    officer._ringfence_roles = None
    before = db_state()
    with pytest.raises(ValidationError, match="You requested this variation, so another commissioner must approve"):
        variation_approve(variation=v, by=officer, on=date(2025, 9, 1))
    assert db_state() == before


def test_a_variation_above_the_threshold_needs_a_decision(accepted_grant, officer, commissioner, funded_core, year):
    v = variation_request(grant=accepted_grant, by=officer, reason="Two more ISVAs",
                          amounts=[(funded_core, year, "120000.00")])
    before = db_state()
    with pytest.raises(ValidationError, match="£120,000.00 drawn on MOJ-CORE is above its £100,000.00 approval "
                                              "threshold, so approving this variation of G\\d{5} needs a recorded "
                                              "decision"):
        variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))
    assert db_state() == before
    decision_record(number="077-2025", date=date(2025, 8, 20), decision_maker=commissioner, summary="ISVA expansion",
                    by=commissioner)
    v = variation_approve(variation=v, by=commissioner, decision="077-2025", on=date(2025, 9, 1))
    assert (v.status, v.decision.number) == ("approved", "077-2025")


def test_an_increase_the_fund_cannot_cover_is_refused_naming_what_is_available(accepted_grant, officer, commissioner,
                                                                              funded_core, year):
    with pytest.raises(ValidationError, match="MOJ-CORE .* has £440,000.00 available for 2025/26; £440,000.01 is more"):
        variation_request(grant=accepted_grant, by=officer, reason="x", amounts=[(funded_core, year, "500000.01")])


def test_a_new_fund_can_be_added_by_variation(accepted_grant, officer, commissioner, funded_dasv, year):
    v = variation_request(grant=accepted_grant, by=officer, reason="DA caseload",
                          amounts=[(funded_dasv, year, "8000.00")])
    variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))
    line = FundingLine.objects.get(grant=accepted_grant, fund=funded_dasv)
    assert (line.original_amount.amount, line.amount.amount) == (Decimal("0.00"), Decimal("8000.00"))
    assert fund_available(fund=funded_dasv, year=year) == Decimal("292000.00")
    assert sum(i.amount.amount for i in line.instalments.all()) == Decimal("8000.00")


def test_dates_and_conditions_vary_without_money(accepted_grant, officer, commissioner):
    v = variation_request(grant=accepted_grant, by=officer, reason="Service ends at Christmas",
                          end_date=date(2025, 12, 31), conditions="Exit plan by 30/11/2025")
    v = variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))
    grant = Grant.objects.get(pk=accepted_grant.pk)
    assert (grant.end_date, grant.conditions, v.entry) == (date(2025, 12, 31), "Exit plan by 30/11/2025", None)
    assert [(i.quarter, str(i.amount.amount)) for i in grant.instalments.order_by("quarter")] == [
        (1, "20000.00"), (2, "20000.00"), (3, "20000.00")]


def test_variation_cannot_go_below_what_was_paid_or_move_dates_past_payments(payable_grant, officer, funded_core, year):
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 30),
                   by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match="£15,000.00 has already been paid from MOJ-CORE 2025/26, so that line "
                                              "cannot be varied below it"):
        variation_request(grant=payable_grant, by=officer, reason="x", amounts=[(funded_core, year, "14999.99")])
    with pytest.raises(ValidationError, match="A payment has been made for 01/04/2025 to 30/06/2025, which the new "
                                              "dates would leave outside the grant"):
        variation_request(grant=payable_grant, by=officer, reason="x", start_date=date(2025, 7, 1))
    with pytest.raises(ValidationError, match="The variation changes nothing"):
        variation_request(grant=payable_grant, by=officer, reason="x", amounts=[(funded_core, year, "60000.00")])
    assert db_state() == before


def test_dates_outside_the_financial_year_of_a_line_are_refused(accepted_grant, officer):
    with pytest.raises(ValidationError, match="outside 2025/26, yet it draws £60,000.00 on MOJ-CORE"):
        variation_request(grant=accepted_grant, by=officer, reason="x", start_date=date(2026, 4, 1),
                          end_date=date(2027, 3, 31))


def test_a_stale_variation_cannot_be_approved(accepted_grant, officer, commissioner, funded_core, year):
    v = variation_request(grant=accepted_grant, by=officer, reason="More", amounts=[(funded_core, year, "70000.00")])
    FundingLine.objects.filter(grant=accepted_grant).update(amount=Decimal("61000.00"))  # changed behind its back
    with pytest.raises(ValidationError, match="has changed since this variation was requested"):
        variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))


def test_rejection_needs_a_reason_and_changes_nothing(accepted_grant, officer, commissioner, funded_core, year):
    v = variation_request(grant=accepted_grant, by=officer, reason="More", amounts=[(funded_core, year, "70000.00")])
    with pytest.raises(ValidationError, match="Give the reason for rejecting the variation"):
        variation_reject(variation=v, by=commissioner, note="")
    before = db_state()
    variation_reject(variation=v, by=commissioner, note="No evidence of demand")
    after = db_state()
    assert after["positions"] == before["positions"] and after["grants.FundingLine"] == before["grants.FundingLine"]
    with pytest.raises(ValidationError, match="already rejected"):
        variation_approve(variation=v, by=commissioner, on=date(2025, 9, 1))


def test_one_open_variation_at_a_time_and_none_pending_at_close(payable_grant, officer, funded_core, year):
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="1.00", paid_on=date(2025, 7, 30),
                   by=officer)
    variation_request(grant=payable_grant, by=officer, reason="a", amounts=[(funded_core, year, "61000.00")])
    with pytest.raises(ValidationError, match="already has a variation awaiting approval"):
        variation_request(grant=payable_grant, by=officer, reason="b", amounts=[(funded_core, year, "62000.00")])
    with pytest.raises(ValidationError, match="has a variation awaiting approval; decide it before closing it"):
        grant_close(grant=payable_grant, by=officer)
