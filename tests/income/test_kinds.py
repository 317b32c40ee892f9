"""income.kinds: the one definition per kind of income (funds that take it, dates, the letter a receipt settles)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from funds.models import Fund
from funds.services import fund_create
from income import kinds
from income.services import award_letter_record

TODAY = date(2026, 3, 20)


@pytest.fixture
def fees_fund(officer, home_office, year):
    return fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)


@pytest.fixture
def other_fund(officer, home_office, year):
    return fund_create(code="PROPERTY", name="Police property act receipts", funder=home_office,
                       purpose="Community grants", limit_basis="receipts", income_kind="other",
                       year_end_rule="carry_forward", by=officer)


def refusal(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_each_kind_is_offered_only_the_active_funds_that_take_it(core_fund, dasv_fund, poca_fund, fpn_fund,
                                                                  fees_fund, other_fund):
    Fund.objects.filter(pk=dasv_fund.pk).update(is_active=False)
    offered = {code: [f.code for f in kinds.funds_taking(kind=kind)] for code, kind in kinds.INCOME_KINDS.items()}
    assert offered == {
        "award": ["MOJ-CORE"],
        "receipt": ["MOJ-CORE", "PROPERTY"],  # never POCA, FPN or fee funds: they have their own documents
        "poca": ["POCA"],
        "fpn": ["FPN"],
        "fee": ["ROAD-FEES"],
    }


def test_the_fund_check_agrees_with_the_funds_offered(core_fund, poca_fund, fpn_fund, fees_fund, other_fund):
    for kind in kinds.INCOME_KINDS.values():
        offered = set(kinds.funds_taking(kind=kind))
        for fund in (core_fund, poca_fund, fpn_fund, fees_fund, other_fund):
            if fund in offered:
                kinds.income_fund_check(kind=kind, fund=fund)
            else:
                assert "fund" in refusal(lambda: kinds.income_fund_check(kind=kind, fund=fund))  # noqa: B023


def test_a_wrong_fund_is_told_what_it_takes(poca_fund, core_fund):
    assert refusal(lambda: kinds.income_fund_check(kind=kinds.RECEIPT, fund=poca_fund)) == {"fund": [
        "POCA takes only proceeds of crime receipts, not cash receipts. Record this as a proceeds of crime receipt "
        "instead."]}
    assert refusal(lambda: kinds.income_fund_check(kind=kinds.FEE, fund=core_fund)) == {"fund": [
        "MOJ-CORE takes only award letters and cash receipts, not course fee receipts."]}


def test_an_inactive_fund_takes_nothing(poca_fund):
    poca_fund.is_active = False
    assert refusal(lambda: kinds.income_fund_check(kind=kinds.POCA, fund=poca_fund)) == {"fund": [
        "POCA is no longer active, so it takes no new income. Record the proceeds of crime receipt on an active "
        "fund."]}


def test_nothing_is_dated_after_today_but_today_itself_is_fine():
    kinds.income_date_check(kind=kinds.RECEIPT, day=TODAY, today=TODAY)
    assert refusal(lambda: kinds.income_date_check(kind=kinds.AWARD, day=date(2026, 3, 21), today=TODAY)) == {
        "letter_date": ["21/03/2026 is after today (20/03/2026): income is recorded once it has arrived, so give a "
                        "date no later than 20/03/2026."]}


def test_a_fixed_penalty_month_is_recorded_only_once_it_has_ended():
    kinds.income_date_check(kind=kinds.FPN, day=date(2026, 2, 1), today=date(2026, 3, 1))  # February is over
    assert refusal(lambda: kinds.income_date_check(kind=kinds.FPN, day=date(2026, 2, 1), today=date(2026, 2, 28))) \
        == {"month_start": ["February 2026 has not ended yet, so its fixed penalty return cannot be recorded before "
                            "01/03/2026, the day after the month ends."]}


def test_month_end_knows_short_months_and_leap_years():
    assert [kinds.month_end(date(2028, m, 9)) for m in (2, 4, 12)] == [
        date(2028, 2, 29), date(2028, 4, 30), date(2028, 12, 31)]


def test_a_receipt_settles_the_letter_of_its_own_year_not_the_latest(core_fund, year, officer):
    next_year = year.__class__.objects.get(start_year=2026)
    this = award_letter_record(fund=core_fund, year=year, reference="AWD-2526", letter_date=date(2025, 4, 3),
                               amount="100.00", by=officer)
    award_letter_record(fund=core_fund, year=next_year, reference="AWD-2627", letter_date=date(2025, 5, 1),
                        amount="100.00", by=officer)
    assert kinds.receipt_award_letter(fund=core_fund, day=date(2026, 3, 31)) == this
    assert kinds.receipt_award_letter(fund=core_fund, day=date(2026, 4, 1)).reference == "AWD-2627"


def test_without_a_letter_for_the_year_the_refusal_names_the_years_that_have_one(core_fund, year, officer):
    assert refusal(lambda: kinds.receipt_award_letter(fund=core_fund, day=date(2025, 6, 1))) == {"award_letter": [
        "MOJ-CORE has no award letter for 2025/26, the financial year of 01/06/2025; it has no award letters yet. "
        "Record its 2025/26 award letter first, or name the letter this receipt settles."]}


def test_a_receipts_based_fund_settles_no_letter(other_fund):
    assert kinds.receipt_award_letter(fund=other_fund, day=date(2025, 6, 1)) is None
