"""HM Treasury's share of fines: owed from each fixed penalty return (account 2000), cleared by recording the
pay-over, which can never pay more than is owed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from income import kinds
from income.models import TreasuryPayOver
from income.selectors import treasury_owed, treasury_owed_by_fund
from income.services import (
    fpn_return_record,
    fpn_return_reverse,
    income_reversal_refusal,
    treasury_payover_record,
    treasury_payover_reverse,
)
from ledger import accounts as acc
from ledger.selectors import account_totals, fund_available

TODAY = date(2025, 9, 15)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(kinds, "income_today", lambda: TODAY)


@pytest.fixture
def april(fpn_fund, officer):
    """April 2025: £138,800.00 of fines; FPN keeps 25% (£34,700.00), £104,100.00 is owed to HM Treasury."""
    return fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=1388,
                             gross_value="138800.00", by=officer)


@pytest.fixture
def may(fpn_fund, officer):
    """May 2025: £20,000.00 of fines, £15,000.00 owed to HM Treasury."""
    return fpn_return_record(fund=fpn_fund, reference="FPN-2025-05", month_start=date(2025, 5, 1), tickets=200,
                             gross_value="20000.00", by=officer)


def pay(fund, officer, amount, reference="HMT-1", day=date(2025, 6, 30)):
    return treasury_payover_record(fund=fund, reference=reference, date=day, amount=amount, by=officer)


def test_what_is_owed_is_the_treasury_share_of_every_return_less_what_was_paid_over(fpn_fund, april, may, officer):
    assert treasury_owed(fpn_fund) == Decimal("119100.00")
    payover = pay(fpn_fund, officer, "104100.00")
    assert treasury_owed(fpn_fund) == Decimal("15000.00")
    assert treasury_owed_by_fund() == [(fpn_fund, Decimal("15000.00"))]
    assert [(ln.account.code, ln.direction, ln.amount.amount) for ln in payover.entry.lines.all()] == [
        (acc.TREASURY_CREDITOR, "D", Decimal("104100.00")), (acc.CASH, "C", Decimal("104100.00"))]


def test_paying_over_leaves_the_funds_spending_power_alone(fpn_fund, april, year, officer):
    pay(fpn_fund, officer, "104100.00")
    assert fund_available(fund=fpn_fund, year=year) == Decimal("34700.00")
    assert account_totals(year=year)[(fpn_fund.pk, acc.CASH)] == (Decimal("138800.00"), Decimal("104100.00"))


def test_owed_counts_every_funding_year(fpn_fund, april, officer):
    pay(fpn_fund, officer, "100000.00", day=date(2025, 6, 30))
    # A pay-over in the next year still clears what the earlier year's returns owe.
    treasury_payover_record(fund=fpn_fund, reference="HMT-2", date=date(2026, 4, 10), amount="4100.00", by=officer,
                            today=date(2026, 4, 30))
    assert treasury_owed(fpn_fund) == Decimal("0.00")


def test_paying_over_more_than_is_owed_is_refused_naming_what_is_owed(fpn_fund, april, officer, unchanged_database):
    pay(fpn_fund, officer, "100000.00")
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        pay(fpn_fund, officer, "4100.01", reference="HMT-2")
    assert refusal.value.message_dict == {"amount": [
        "FPN owes HM Treasury £4,100.00 from its fixed penalty returns; a pay-over of £4,100.01 is £0.01 more than "
        "that. Pay over at most £4,100.00."]}


def test_a_pay_over_from_a_fund_that_is_not_a_fixed_penalty_fund_is_refused(poca_fund, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        pay(poca_fund, officer, "1.00")
    assert refusal.value.message_dict["fund"][0].startswith(
        "POCA is not a fixed penalty fund, so it owes HM Treasury no share of fines.")


def test_a_pay_over_dated_after_today_is_refused(fpn_fund, april, officer, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError, match=r"16/09/2025 is after today \(15/09/2025\)"):
        pay(fpn_fund, officer, "1.00", day=date(2025, 9, 16))


@pytest.mark.parametrize("who", ["commissioner", "director"])
def test_only_finance_officers_record_pay_overs(fpn_fund, april, who, request, unchanged_database):
    with unchanged_database(), pytest.raises(PermissionDenied):
        pay(fpn_fund, request.getfixturevalue(who), "1.00")


def test_a_reversed_pay_over_is_owed_again_and_its_reference_reusable(fpn_fund, april, officer):
    wrong = pay(fpn_fund, officer, "10410.00")
    treasury_payover_reverse(payover=wrong, reason="Should have been £104,100.00", by=officer, on=date(2025, 7, 1))
    assert treasury_owed(fpn_fund) == Decimal("104100.00")
    pay(fpn_fund, officer, "104100.00")
    assert treasury_owed(fpn_fund) == Decimal("0.00")
    assert TreasuryPayOver.objects.standing().get().amount.amount == Decimal("104100.00")


def test_a_return_whose_treasury_share_was_paid_over_is_not_reversed_until_the_pay_over_is(
        fpn_fund, april, officer, unchanged_database):
    payover = pay(fpn_fund, officer, "100000.00")
    expected = ("Fixed penalty return FPN-2025-04 cannot be reversed: £104,100.00 of it is owed to HM Treasury, but "
                "FPN now owes HM Treasury only £4,100.00, the rest having been paid over. Reverse pay-overs of at "
                "least £100,000.00 first.")
    assert income_reversal_refusal(april) == expected
    with unchanged_database(), pytest.raises(ValidationError) as refusal:
        fpn_return_reverse(fpn_return=april, reason="Wrong month", by=officer, on=date(2025, 7, 1))
    assert refusal.value.messages == [expected]

    treasury_payover_reverse(payover=payover, reason="Paid for the wrong month", by=officer, on=date(2025, 7, 1))
    fpn_return_reverse(fpn_return=april, reason="Wrong month", by=officer, on=date(2025, 7, 1))
    assert treasury_owed(fpn_fund) == Decimal("0.00")
