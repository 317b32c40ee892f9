"""The year end: checklist, accruals, return / carry forward / lapse, P13, reruns, and every refusal writing nothing."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from core.money import from_pence
from funds.calendar import period_reopen
from funds.models import FinancialYear, Fund, Period
from ledger import accounts as acc
from ledger.models import FundPosition, JournalEntry
from ledger.selectors import account_totals
from tests.yearend.conftest import TODAY, close_year
from yearend.services import (
    funder_owed,
    funder_repayment_record,
    funder_repayment_reverse,
    manual_accrual_record,
    year_end_plan,
    year_end_run,
)


def available(fund, year):
    p = FundPosition.objects.get(fund=fund, funding_year=year)
    return from_pence(p.limit_pence - p.committed_pence - p.actual_pence)


def net_debit(year, fund, code, as_at=None):
    debit, credit = account_totals(year=year, as_at=as_at).get((fund.pk, code), (Decimal(0), Decimal(0)))
    return debit - credit


def verify():
    out = StringIO()
    call_command("verify_ledger", stdout=out, stderr=StringIO())
    assert "Ledger OK" in out.getvalue()


def row(plan, code):
    return next(r for r in plan.funds if r.fund.code == code)


def test_plan_lists_accruals_and_each_funds_unspent_money_and_writes_nothing(
    closed_year, director, core_fund, poca_fund, unchanged_database
):
    with unchanged_database():
        plan = year_end_plan(year=closed_year, by=director)
    assert plan.ready, plan.refusal()
    core, poca = row(plan, "MOJ-CORE"), row(plan, "POCA")
    assert core.available == Decimal("440000.00")  # £500,000 award less £60,000 paid (Q4 in April)
    assert [a.amount for a in core.grant_accruals] == [Decimal("15000.00")]  # Q4: delivered, unpaid at 31 March
    assert core.to_return == Decimal("440000.00") and core.to_carry == 0
    assert poca.to_carry == Decimal("37500.00") and poca.to_return == 0
    assert [e.kind for e in plan.entries] == ["accrual", "return", "carry_forward"]
    assert plan.reversal_day == date(2026, 4, 1)


def test_run_posts_in_p13_returns_carries_forward_and_reverses_accruals_on_1_april(
    closed_year, director, core_fund, poca_fund
):
    next_year = FinancialYear.objects.get(start_year=2026)
    before = JournalEntry.objects.count()
    result = year_end_run(year=closed_year, by=director)

    p13 = Period.objects.get(year=closed_year, number=Period.ADJUSTMENTS)
    assert p13.is_closed and p13.is_adjustments
    assert [e.period_id for e in result.posted] == [p13.pk] * 3
    assert {e.date for e in result.posted} == {date(2026, 3, 31)}
    assert JournalEntry.objects.count() == before + 4  # three in P13 and one accrual reversal
    closed_year.refresh_from_db()
    assert closed_year.is_year_ended and closed_year.year_end_by == director

    # Return: MOJ-CORE's unspent money is owed to the MoJ; nothing is left available in 2025/26.
    assert funder_owed(fund=core_fund, year=closed_year) == Decimal("440000.00")
    assert available(core_fund, closed_year) == 0
    # Carry forward: POCA's £37,500 is next year's spending power, brought forward.
    assert available(poca_fund, closed_year) == 0
    assert available(poca_fund, next_year) == Decimal("37500.00")
    assert -net_debit(next_year, poca_fund, acc.RESERVES_BROUGHT_FORWARD) == Decimal("37500.00")
    assert -net_debit(closed_year, poca_fund, acc.RESERVE_CARRIED_FORWARD) == Decimal("37500.00")

    # The accrual is that year's spending at 31 March and reversed on 1 April, in the same funding year.
    assert net_debit(closed_year, core_fund, acc.GRANT_ACCRUALS, as_at=date(2026, 3, 31)) == Decimal("15000.00")
    assert net_debit(closed_year, core_fund, acc.GRANT_ACCRUALS, as_at=date(2026, 4, 1)) == 0
    (reversal,) = result.reversals
    assert reversal.date == date(2026, 4, 1) and reversal.reverses == result.posted[0]
    assert reversal.period.year == next_year and reversal.period.number == 1
    verify()


def test_running_again_writes_nothing(closed_year, director, unchanged_database):
    year_end_run(year=closed_year, by=director)
    with unchanged_database():
        with pytest.raises(ValidationError, match="went through its year end on"):
            year_end_run(year=closed_year, by=director)
        out = StringIO()
        call_command("year_end", year="2025/26", user=director.username, stdout=out)
    assert "nothing to post, nothing written" in out.getvalue()


def test_command_dry_run_prints_the_entries_and_writes_nothing_then_the_real_run_posts_once(
    closed_year, director, unchanged_database
):
    out = StringIO()
    with unchanged_database():
        call_command("year_end", year="2025/26", user=director.username, dry_run=True, stdout=out)
    text = out.getvalue()
    assert "[x] All twelve months closed" in text
    assert "Unspent 2025/26 grant owed back to MoJ: MOJ-CORE" in text
    assert "Dr 4950 MOJ-CORE 2025/26  £440,000.00" in text and "Cr 3000 POCA 2026/27  £37,500.00" in text
    assert "nothing was written" in text
    before = JournalEntry.objects.count()
    call_command("year_end", year="2025/26", user=director.username, stdout=StringIO())
    assert JournalEntry.objects.count() == before + 4
    call_command("year_end", year="2025/26", user=director.username, stdout=StringIO())
    assert JournalEntry.objects.count() == before + 4


def test_refused_with_a_month_still_open(delivered, year, officer, director, unchanged_database):
    periods = Period.objects.filter(year=year, number__lte=11).order_by("number")
    from funds.calendar import periods_close_up_to

    periods_close_up_to(period=periods.last(), by=officer, today=TODAY)
    with unchanged_database():
        with pytest.raises(ValidationError, match=r"All twelve months closed: 1 still open: 2025/26 P12 \(Mar 2026\)"):
            year_end_run(year=year, by=director)
        with pytest.raises(CommandError, match="All twelve months closed"):
            call_command("year_end", year="2025/26", user=director.username, stdout=StringIO())


def test_refused_with_a_monitoring_return_missing(accepted_grant, year, officer, officer2, director, poca_fund,
                                                   unchanged_database):
    from tests.yearend.conftest import accept_return, complete_checks

    complete_checks(accepted_grant, officer)
    for quarter in (1, 2, 3):
        accept_return(accepted_grant, year, quarter, officer, officer2)
    close_year(year, officer)
    with unchanged_database():
        with pytest.raises(ValidationError, match=rf"Returns in: 1 missing: {accepted_grant.reference} Q4 monitoring"):
            year_end_run(year=year, by=director)


def test_refused_for_anyone_but_a_finance_director(closed_year, officer, unchanged_database):
    with unchanged_database():
        with pytest.raises(PermissionDenied, match="Only finance directors may run the year end"):
            year_end_run(year=closed_year, by=officer)
        with pytest.raises(CommandError, match="olivia is not a finance director"):
            call_command("year_end", year="2025/26", user=officer.username, dry_run=True, stdout=StringIO())


@pytest.mark.parametrize("label, message", [("2025-26", "write it like 2025/26"), ("2031/32", "has not been set up")])
def test_command_refuses_a_year_it_cannot_read(year, director, label, message):
    with pytest.raises(CommandError, match=message):
        call_command("year_end", year=label, user=director.username, stdout=StringIO())


def test_a_month_of_an_ended_year_cannot_be_reopened(closed_year, director, unchanged_database):
    year_end_run(year=closed_year, by=director)
    march = Period.objects.get(year=closed_year, number=12)
    with unchanged_database():
        with pytest.raises(ValidationError, match="has been through year end"):
            period_reopen(period=march, by=director, reason="Post a late invoice")


def test_manual_accrual_is_posted_in_p13_and_reduces_what_is_returned(closed_year, director, officer, core_fund):
    accrual = manual_accrual_record(fund=core_fund, year=closed_year, amount="2,500.00", by=officer, today=TODAY,
                                    reason="March helpline invoice not yet received")
    plan = year_end_plan(year=closed_year, by=director)
    assert row(plan, "MOJ-CORE").to_return == Decimal("437500.00")
    year_end_run(year=closed_year, by=director)
    accrual.refresh_from_db()
    assert accrual.entry.period.is_adjustments and accrual.reversal.date == date(2026, 4, 1)
    assert funder_owed(fund=core_fund, year=closed_year) == Decimal("437500.00")
    assert net_debit(closed_year, core_fund, acc.OTHER_ACCRUALS, as_at=date(2026, 3, 31)) == Decimal("2500.00")
    verify()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"year_start": 2026}, "its accruals can be recorded from 01/04/2027"),
        ({"date": date(2025, 11, 15)}, "never in an ordinary month; 15/11/2025 is not the year's last day"),
        ({"amount": "440,000.01"}, r"£440,000.00 available .* £440,000.01 is £0.01 more than that"),
        ({"reason": " "}, "Say what the accrual is for"),
    ],
)
def test_manual_accrual_refusals(closed_year, officer, core_fund, kwargs, message, unchanged_database):
    year = FinancialYear.objects.get(start_year=kwargs.pop("year_start", 2025))
    fields = {"fund": core_fund, "year": year, "amount": "1000.00", "reason": "Invoice due", "by": officer,
              "today": date(2026, 12, 3), **kwargs}
    with unchanged_database():
        with pytest.raises(ValidationError, match=message):
            manual_accrual_record(**fields)


def test_lapse_rule_moves_unspent_money_to_lapsed(closed_year, director, poca_fund):
    Fund.objects.filter(pk=poca_fund.pk).update(year_end_rule=Fund.YearEndRule.LAPSE)
    year_end_run(year=closed_year, by=director)
    assert -net_debit(closed_year, poca_fund, acc.LAPSED) == Decimal("37500.00")
    assert not FundPosition.objects.filter(fund=poca_fund, funding_year__start_year=2026, limit_pence__gt=0).exists()


def test_repayment_clears_what_is_owed_and_more_is_refused(closed_year, director, officer, core_fund,
                                                           unchanged_database):
    year_end_run(year=closed_year, by=director)
    with unchanged_database():
        with pytest.raises(ValidationError, match=r"£440,000.00 is owed to MoJ .* £440,000.01 is £0.01 more"):
            funder_repayment_record(fund=core_fund, year=closed_year, reference="REM-1", date=date(2026, 6, 30),
                                    amount="440,000.01", by=officer)
    repayment = funder_repayment_record(fund=core_fund, year=closed_year, reference="REM-1", date=date(2026, 6, 30),
                                        amount="440000.00", by=officer)
    assert funder_owed(fund=core_fund, year=closed_year) == 0
    funder_repayment_reverse(repayment=repayment, reason="Bank returned the payment", by=officer)
    assert funder_owed(fund=core_fund, year=closed_year) == Decimal("440000.00")
    verify()


def test_nothing_more_is_awarded_or_committed_to_an_ended_year(closed_year, director, officer, core_fund,
                                                              unchanged_database):
    from grants.models import Grant
    from income.services import award_letter_record

    year_end_run(year=closed_year, by=director)
    grant = Grant.objects.get()
    with unchanged_database():
        with pytest.raises(ValidationError, match="2025/26 has been through year end: its figures are final, so no"):
            award_letter_record(fund=core_fund, year=closed_year, reference="LATE-1", letter_date=date(2026, 11, 2),
                                amount="1000.00", by=officer)
        from grants.workflow import _check_years_open

        with pytest.raises(ValidationError, match="draws on 2025/26, which has been through year end"):
            _check_years_open(grant, list(grant.funding_lines.select_related("year")))


def test_a_document_counting_in_an_ended_year_is_not_reversed_and_no_reversal_is_dated_ahead(
    closed_year, director, officer, poca_fund, unchanged_database
):
    from income.models import PocaReceipt
    from income.services import poca_receipt_reverse

    receipt = PocaReceipt.objects.get()
    with unchanged_database():
        with pytest.raises(ValidationError, match="is after today"):
            poca_receipt_reverse(receipt=receipt, reason="Typed twice", by=officer, on=date(2099, 1, 1))
    year_end_run(year=closed_year, by=director)
    with unchanged_database():
        with pytest.raises(ValidationError, match="counts against POCA 2025/26, which has been through year end"):
            poca_receipt_reverse(receipt=receipt, reason="Typed twice", by=officer)


@pytest.mark.parametrize("code", [acc.ACCRUALS, acc.OTHER_ACCRUALS, acc.RESERVES_BROUGHT_FORWARD,
                                  acc.FUNDER_CREDITOR, acc.TREASURY_CREDITOR])
def test_a_correcting_journal_cannot_make_accruals_balances_or_creditors(year, officer, core_fund, code,
                                                                          unchanged_database):
    from ledger.corrections import correcting_journal_prepare

    with unchanged_database():
        with pytest.raises(ValidationError, match=f"Line 1: a correcting journal cannot move account {code}"):
            correcting_journal_prepare(date=date(2026, 11, 2), reason="Try", by=officer, lines=[
                {"account": code, "fund": core_fund, "direction": "D", "amount": "10.00"},
                {"account": acc.CASH, "fund": core_fund, "direction": "C", "amount": "10.00"}])


def test_a_pending_accrual_is_withdrawn_with_a_reason_but_a_posted_one_stays(closed_year, director, officer,
                                                                             core_fund, unchanged_database):
    from yearend.models import ManualAccrual
    from yearend.services import manual_accrual_withdraw

    first = manual_accrual_record(fund=core_fund, year=closed_year, amount="500.00", by=officer, today=TODAY,
                                  reason="Recorded twice")
    with unchanged_database():
        with pytest.raises(ValidationError, match="Say why the accrual is withdrawn"):
            manual_accrual_withdraw(accrual=first, reason="", by=officer)
    manual_accrual_withdraw(accrual=first, reason="Duplicate of the helpline accrual", by=officer)
    assert not ManualAccrual.objects.filter(pk=first.pk).exists()
    assert ManualAccrual.history.filter(id=first.pk, history_type="-").get().history_change_reason.startswith(
        "Withdrawn: Duplicate")
    second = manual_accrual_record(fund=core_fund, year=closed_year, amount="700.00", by=officer, today=TODAY,
                                   reason="March invoice")
    year_end_run(year=closed_year, by=director)
    with unchanged_database():
        with pytest.raises(ValidationError, match="its figures are final, so it is not withdrawn"):
            manual_accrual_withdraw(accrual=second, reason="Too late", by=officer)
