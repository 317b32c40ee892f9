"""Suggested matches, confirmed by a person, undone with a reason until the month is signed off."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from banking.matching import match_confirm, match_confirm_all, match_suggestions, match_undo
from banking.models import BankStatementLine, Match, MatchedEntry, MatchedLine
from banking.reconciliation import reconciliation_sign_off
from ledger import accounts as acc
from ledger.posting import Leg, entry_post, entry_reverse
from tests.banking.conftest import banking_rows, pay


def line(statement, number) -> BankStatementLine:
    return statement.lines.get(number=number)


def shown(suggestions):
    return [(s.rule, [line.number for line in s.lines], [i.reference for i in s.items], s.amount) for s in suggestions]


def test_suggestions_by_reference_by_payment_run_and_by_amount_and_date(april_statement):
    assert shown(match_suggestions(april_statement)) == [
        ("Amount and reference", [2], ["BACS-1"], Decimal("100000.00")),
        ("Payment run PR00001", [3], ["PR00001 G00001 Q1 2025/26", "PR00001 G00002 Q1 2025/26"],
         Decimal("-5000.00")),
        ("Amount and date", [4], ["BACS-2"], Decimal("250.00")),
    ]
    assert Match.objects.count() == 0  # suggesting saves nothing


def test_a_payment_run_whose_items_do_not_add_up_is_not_suggested(april, funded_core, april_cash, officer):
    pay(funded_core, reference="PR00001 G00003 Q1 2025/26", day=date(2025, 4, 25), amount="1.00", by=officer)
    from banking.statements import bank_statement_import
    from tests.banking.conftest import APRIL_CLOSING, APRIL_CSV

    statement = bank_statement_import(period=april, content=APRIL_CSV, filename="a.csv", opening_balance="0.00",
                                      closing_balance=APRIL_CLOSING, by=officer)
    assert [s.rule for s in match_suggestions(statement)] == ["Amount and reference", "Amount and date"]


def test_amount_and_date_is_only_suggested_when_unique(april, funded_core, april_cash, officer):
    from banking.statements import bank_statement_import
    from income.services import receipt_record
    from tests.banking.conftest import APRIL_CSV

    receipt_record(fund=funded_core, reference="BACS-3", date=date(2025, 4, 29), amount="250.00", by=officer)
    statement = bank_statement_import(period=april, content=APRIL_CSV, filename="a.csv", opening_balance="0.00",
                                      closing_balance="95237.50", by=officer)
    assert "Amount and date" not in [s.rule for s in match_suggestions(statement)]


def test_an_entry_and_its_reversal_are_suggested_to_cancel(april_statement, funded_core, officer):
    wrong = pay(funded_core, reference="PR00009 G00001", day=date(2025, 4, 10), amount="40.00", by=officer)
    entry_reverse(entry=wrong, date=date(2025, 4, 11), by=officer, reason="Paid twice by mistake")
    last = match_suggestions(april_statement)[-1]
    assert (last.rule, last.lines, [i.amount for i in last.items]) == (
        "Entry and its reversal", [], [Decimal("-40.00"), Decimal("40.00")])
    match = match_confirm(statement=april_statement, lines=[], entries=[i.entry for i in last.items], by=officer)
    assert match.amount.amount == Decimal("0.00")


def test_confirm_all_saves_every_suggestion_with_who_and_when(april_statement, april_cash, officer):
    matches = match_confirm_all(statement=april_statement, by=officer)
    assert [m.rule for m in matches] == ["Amount and reference", "Payment run PR00001", "Amount and date"]
    assert {m.confirmed_by for m in matches} == {officer}
    assert set(MatchedEntry.objects.values_list("entry_id", flat=True)) == {e.pk for e in april_cash.values()}
    assert set(MatchedLine.objects.values_list("line__number", flat=True)) == {2, 3, 4}
    assert matches[1].summary == (f"row 3 of Apr 2025 <-> {april_cash['run1'].reference} (PR00001 G00001 Q1 "
                                  f"2025/26), {april_cash['run2'].reference} (PR00001 G00002 Q1 2025/26)")
    assert match_suggestions(april_statement) == []


def refused(statement, officer, *, lines=(), entries=()):
    before = banking_rows()
    with pytest.raises(ValidationError) as caught:
        match_confirm(statement=statement, lines=list(lines), entries=list(entries), by=officer)
    assert banking_rows() == before
    call_command("verify_ledger")
    return caught.value.messages


def test_unequal_totals_are_refused_saying_the_difference(april_statement, april_cash, officer):
    assert refused(april_statement, officer, lines=[line(april_statement, 3)], entries=[april_cash["run1"]]) == [
        "The statement lines come to -£5,000.00 and the cash items to -£3,000.00: they differ by -£2,000.00. "
        "A match needs equal totals."]


def test_a_line_or_entry_already_matched_is_refused(april_statement, april_cash, officer):
    match_confirm(statement=april_statement, lines=[line(april_statement, 2)], entries=[april_cash["bacs1"]],
                  by=officer)
    messages = refused(april_statement, officer, lines=[line(april_statement, 2)], entries=[april_cash["bacs1"]])
    assert messages[0].startswith("Row 2 (BACS-1 MOJ) is already in match ")
    assert messages[1].startswith(f"Entry {april_cash['bacs1'].reference} is already in match ")


def test_an_entry_after_the_month_end_is_refused(april_statement, funded_core, officer):
    may_payment = pay(funded_core, reference="PR00002 G00001", day=date(2025, 5, 2), amount="12.50", by=officer)
    bank_charge = line(april_statement, 5)
    assert refused(april_statement, officer, lines=[bank_charge], entries=[may_payment]) == [
        f"Entry {may_payment.reference} is dated 02/05/2025, after the end of April 2025 (30/04/2025); match it in "
        "its own month."]


def test_an_entry_moving_cash_between_funds_is_not_a_bank_movement(april_statement, funded_core, dasv_fund, officer):
    transfer = entry_post(date=date(2025, 4, 30), description="Cash moved to DASV", by=officer, legs=[
        Leg(acc.CASH, funded_core, "C", Decimal("12.50")), Leg(acc.INTER_FUND, funded_core, "D", Decimal("12.50")),
        Leg(acc.CASH, dasv_fund, "D", Decimal("12.50")), Leg(acc.INTER_FUND, dasv_fund, "C", Decimal("12.50"))])
    messages = refused(april_statement, officer, lines=[line(april_statement, 5)], entries=[transfer])
    assert messages == [f"Entry {transfer.reference} does not move the bank balance (its cash lines come to £0.00 "
                        "over all funds), so it is not matched to the bank."]


def test_a_single_line_needs_something_to_match(april_statement, officer):
    assert refused(april_statement, officer, lines=[line(april_statement, 5)])[0].startswith(
        "The statement lines come to -£12.50 and the cash items to £0.00")


def test_undo_frees_the_line_and_entries_and_keeps_the_match_marked(april_statement, april_cash, officer):
    match = match_confirm(statement=april_statement, lines=[line(april_statement, 3)],
                          entries=[april_cash["run1"], april_cash["run2"]], by=officer)
    match_undo(match=match, by=officer, reason="Wrong run")
    match.refresh_from_db()
    assert match.is_undone and match.undo_reason == "Wrong run" and match.undone_by == officer
    assert not MatchedLine.objects.exists() and not MatchedEntry.objects.exists()
    deleted = MatchedEntry.history.filter(history_type="-")
    assert deleted.count() == 2 and {h.history_user for h in deleted} == {officer}
    assert "Payment run PR00001" in [s.rule for s in match_suggestions(april_statement)]
    with pytest.raises(ValidationError, match="was already undone"):
        match_undo(match=match, by=officer, reason="Again")


def test_undo_needs_a_reason(april_statement, april_cash, officer):
    match = match_confirm(statement=april_statement, lines=[line(april_statement, 2)], entries=[april_cash["bacs1"]],
                          by=officer)
    with pytest.raises(ValidationError, match="Say why the match is being undone"):
        match_undo(match=match, by=officer, reason="  ")


def test_signed_off_matches_are_frozen(april_statement, april_cash, officer, officer2):
    matches = match_confirm_all(statement=april_statement, by=officer)
    reconciliation_sign_off(statement=april_statement, by=officer2)
    before = banking_rows()
    with pytest.raises(ValidationError, match="is signed off as reconciled; its matches are frozen"):
        match_undo(match=matches[0], by=officer, reason="Late change")
    with pytest.raises(ValidationError, match="is signed off as reconciled; its matches are frozen"):
        match_confirm(statement=april_statement, lines=[line(april_statement, 5)], entries=[], by=officer)
    assert banking_rows() == before


def test_only_finance_officers_match(april_statement, april_cash, director):
    with pytest.raises(PermissionDenied, match="Only finance officers may match bank statement lines"):
        match_confirm(statement=april_statement, lines=[line(april_statement, 2)], entries=[april_cash["bacs1"]],
                      by=director)


def test_the_database_refuses_a_line_in_two_matches(april_statement, april_cash, officer):
    from django.db import IntegrityError, transaction

    match = match_confirm(statement=april_statement, lines=[line(april_statement, 2)], entries=[april_cash["bacs1"]],
                          by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchedLine.objects.create(match=match, line=line(april_statement, 2))
