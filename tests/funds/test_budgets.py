from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from djmoney.money import Money

from core.models import Event
from funds.budgets import (
    budget_line_create,
    even_phasing,
    forecast_record,
    revised_budget,
    virement_allowance,
    virement_allowances,
    virement_decide,
    virement_request,
)
from funds.models import BudgetLine, Fund, Period, Virement


@pytest.fixture
def lines(core_fund, year, officer):
    hubs = budget_line_create(fund=core_fund, year=year, heading="Victim support hubs", amount="120000.00", by=officer)
    rj = budget_line_create(fund=core_fund, year=year, heading="Restorative justice", amount="40000.00", by=officer)
    return hubs, rj


def test_even_phasing_adds_up_to_the_penny():
    parts = even_phasing(Decimal("100000.00"), 12)
    assert sum(parts) == Decimal("100000.00")
    assert parts[0] == Decimal("8333.33") and parts[-1] == Decimal("8333.37")


def test_budget_line_is_phased_by_quarter(lines):
    hubs, _ = lines
    assert [p.amount.amount for p in hubs.phases.order_by("slot")] == [Decimal("30000.00")] * 4


def test_custom_phasing_must_add_up(core_fund, year, officer):
    with pytest.raises(ValidationError, match=r"add up to £90,000.00, not the line's £100,000.00"):
        budget_line_create(fund=core_fund, year=year, heading="Hubs", amount="100000.00", by=officer,
                           phases=["30000", "30000", "30000", "0"])
    assert not BudgetLine.objects.exists()


def test_duplicate_heading_is_refused(lines, core_fund, year, officer):
    with pytest.raises(ValidationError, match="already has a 'victim support hubs' budget line"):
        budget_line_create(fund=core_fund, year=year, heading="victim support hubs", amount="1.00", by=officer)


def test_small_virement_is_approved_on_request(lines, officer):
    hubs, rj = lines
    v = virement_request(from_line=rj, to_line=hubs, amount="5000.00", reason="Demand", by=officer)
    assert v.status == Virement.Status.APPROVED
    assert (revised_budget(hubs), revised_budget(rj)) == (Decimal("125000.00"), Decimal("35000.00"))
    hubs.refresh_from_db()
    assert hubs.original.amount == Decimal("120000.00")  # the original stays visible


def test_large_virement_waits_and_requester_cannot_approve_it(lines, officer, commissioner):
    hubs, rj = lines
    v = virement_request(from_line=hubs, to_line=rj, amount="30000.00", reason="Waiting list", by=officer)
    assert v.status == Virement.Status.REQUESTED
    assert revised_budget(rj) == Decimal("40000.00")
    officer.groups.add(*commissioner.groups.all())  # even holding both roles
    both_roles = type(officer).objects.get(pk=officer.pk)
    with pytest.raises(ValidationError, match="You requested this virement"):
        virement_decide(virement=v, approve=True, by=both_roles)
    v.refresh_from_db()
    assert v.status == Virement.Status.REQUESTED
    virement_decide(virement=v, approve=True, by=commissioner)
    assert revised_budget(rj) == Decimal("70000.00")
    assert Event.objects.filter(kind="virement.approved", actor=commissioner).exists()


def test_rejection_needs_a_reason(lines, officer, commissioner):
    hubs, rj = lines
    v = virement_request(from_line=hubs, to_line=rj, amount="30000.00", reason="Waiting list", by=officer)
    with pytest.raises(ValidationError, match="reason for rejecting"):
        virement_decide(virement=v, approve=False, by=commissioner)
    virement_decide(virement=v, approve=False, by=commissioner, note="Keep hubs funded")
    v.refresh_from_db()
    assert v.status == Virement.Status.REJECTED


def test_virement_cannot_take_a_line_below_zero(lines, officer):
    hubs, rj = lines
    with pytest.raises(ValidationError, match=r"'Restorative justice' has £40,000.00 of revised budget"):
        virement_request(from_line=rj, to_line=hubs, amount="40000.01", reason="x", by=officer)
    assert not Virement.objects.exists()


def test_virement_between_funds_is_refused(lines, dasv_fund, year, officer):
    hubs, _ = lines
    other = budget_line_create(fund=dasv_fund, year=year, heading="ISVA", amount="1000.00", by=officer)
    with pytest.raises(ValidationError, match="within one fund and year"):
        virement_request(from_line=hubs, to_line=other, amount="10.00", reason="x", by=officer)


def test_only_officers_set_budgets(core_fund, year, commissioner):
    with pytest.raises(PermissionDenied):
        budget_line_create(fund=core_fund, year=year, heading="Hubs", amount="1.00", by=commissioner)


def test_forecasts_are_added_not_overwritten(lines, officer):
    hubs, _ = lines
    forecast_record(line=hubs, amount="118000.00", by=officer, note="Q1")
    forecast_record(line=hubs, amount="121500.00", by=officer, note="Q2")
    assert [f.amount.amount for f in hubs.forecasts.all()] == [Decimal("118000.00"), Decimal("121500.00")]


# ---- Virement thresholds cannot be split ------------------------------------------------------------------------


@pytest.fixture
def threshold_50k(core_fund):
    core_fund.virement_threshold = Money("50000.00", "GBP")
    core_fund.save()
    return core_fund


def test_two_virements_under_the_threshold_add_up_and_the_second_waits(threshold_50k, lines, officer, commissioner):
    hubs, rj = lines
    first = virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    second = virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    assert (first.status, second.status) == (Virement.Status.APPROVED, Virement.Status.REQUESTED)
    assert first.decision_note == (
        "Approved on request: £45,000.00 moved out of 'Victim support hubs' in 2025/26, this virement of "
        "£45,000.00 included, is within the fund's £50,000.00 threshold."
    )
    assert second.decision_note == (
        "Waits for a commissioner or finance director: £90,000.00 moved out of 'Victim support hubs' in 2025/26, "
        "this virement of £45,000.00 included, is above the fund's £50,000.00 threshold."
    )
    assert revised_budget(hubs) == Decimal("75000.00")  # only the first has moved budget
    virement_decide(virement=second, approve=True, by=commissioner)
    assert revised_budget(hubs) == Decimal("30000.00")


def test_awaiting_approval_counts_and_a_rejected_virement_stops_counting(threshold_50k, lines, officer, commissioner):
    hubs, rj = lines
    big = virement_request(from_line=hubs, to_line=rj, amount="60000.00", reason="Waiting list", by=officer)
    assert big.status == Virement.Status.REQUESTED
    small = virement_request(from_line=hubs, to_line=rj, amount="100.00", reason="Top up", by=officer)
    assert small.status == Virement.Status.REQUESTED  # £60,100.00 in total, the waiting £60,000.00 included
    virement_decide(virement=big, approve=False, by=commissioner, note="Keep hubs funded")
    virement_decide(virement=small, approve=False, by=commissioner, note="Ask again")
    again = virement_request(from_line=hubs, to_line=rj, amount="50000.00", reason="Smaller ask", by=officer)
    assert again.status == Virement.Status.APPROVED  # exactly at the threshold


def test_the_total_is_per_line_moved_out(threshold_50k, lines, officer):
    hubs, rj = lines
    virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    back = virement_request(from_line=rj, to_line=hubs, amount="30000.00", reason="Hubs busy", by=officer)
    assert back.status == Virement.Status.APPROVED  # out of another line; money moved into a line does not count


def test_the_allowance_says_the_threshold_and_what_has_been_moved_out(threshold_50k, lines, officer):
    hubs, rj = lines
    virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    allowances = virement_allowances(lines=BudgetLine.objects.select_related("fund", "year"))
    assert [(a.moved_out, a.left_before_approval) for a in (allowances[hubs.pk], allowances[rj.pk])] == [
        (Decimal("45000.00"), Decimal("5000.00")),
        (Decimal("0.00"), Decimal("50000.00")),
    ]
    assert virement_allowance(line=hubs).help_text() == (
        "MOJ-CORE's threshold is £50,000.00 in total moved out of a line in a year. £45,000.00 has already been "
        "moved out of 'Victim support hubs' in 2025/26 (approved or awaiting approval), so a virement of up to "
        "£5,000.00 from it is approved on request; more waits for a commissioner or finance director."
    )


def test_a_virement_in_a_year_whose_every_month_is_closed_is_refused(lines, officer):
    """A year-end closed year's budget is final: the service refuses, not only the page's choice of lines."""
    hubs, rj = lines
    Period.objects.filter(year=hubs.year).update(is_closed=True)
    with pytest.raises(ValidationError, match=r"Every month of 2025/26 is closed, so its budget can no longer be "
                                              r"moved; a finance director would first reopen its last month."):
        virement_request(from_line=rj, to_line=hubs, amount="100.00", reason="Late change", by=officer)
    assert not Virement.objects.exists()


def test_an_inactive_fund_takes_no_new_budget_lines(core_fund, year, officer):
    Fund.objects.filter(pk=core_fund.pk).update(is_active=False)
    core_fund.refresh_from_db()
    with pytest.raises(ValidationError, match="MOJ-CORE is no longer active, so it takes no new budget lines"):
        budget_line_create(fund=core_fund, year=year, heading="Hubs", amount="100.00", by=officer)
    assert not BudgetLine.objects.exists()
