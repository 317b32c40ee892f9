"""The equation: bank closing = cash account + unmatched statement lines - unmatched cash items (+ difference)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from banking.matching import match_confirm_all, match_suggestions
from banking.reconciliation import reconciliation, reconciliation_sign_off
from banking.statements import bank_statement_import
from tests.banking.conftest import APRIL_CLOSING, APRIL_CSV, banking_rows, pay, receive


def test_a_month_reconciles_to_zero_with_the_bank_charge_listed(april_statement, officer):
    match_confirm_all(statement=april_statement, by=officer)
    result = reconciliation(april_statement)
    assert result.bank_closing == Decimal("95237.50")
    assert result.cash_balance == Decimal("95250.00")
    assert [(line.number, line.amount.amount) for line in result.unmatched_lines] == [(5, Decimal("-12.50"))]
    assert result.unmatched_items == []
    assert result.difference == Decimal("0.00") and result.is_balanced
    assert [(r.amount, r.count) for r in result.balance_statement()] == [
        (Decimal("95237.50"), None), (Decimal("0.00"), 0), (Decimal("0.00"), 0), (Decimal("0.00"), 0),
        (Decimal("12.50"), 1)]
    assert result.reconciled_cash == result.cash_balance


def test_sign_off_by_someone_other_than_the_importer(april_statement, officer, director):
    match_confirm_all(statement=april_statement, by=officer)
    before = banking_rows()
    with pytest.raises(ValidationError, match="You imported Bank statement April 2025; a different finance officer"):
        reconciliation_sign_off(statement=april_statement, by=officer)
    assert banking_rows() == before
    reconciliation_sign_off(statement=april_statement, by=director)
    april_statement.refresh_from_db()
    assert april_statement.reconciled_by == director and april_statement.is_reconciled
    with pytest.raises(ValidationError, match="was already signed off"):
        reconciliation_sign_off(statement=april_statement, by=director)


def test_commissioners_do_not_sign_off(april_statement, commissioner):
    with pytest.raises(PermissionDenied, match="Only finance officers or finance directors may sign off"):
        reconciliation_sign_off(statement=april_statement, by=commissioner)


def test_unmatched_items_on_both_sides_and_a_difference(april, funded_core, april_cash, officer, officer2):
    """Cash of £1,000.00 received in March, before reconciliation began, while the bank's April opening balance is
    £900.00; and a payment of £700.00 on 30/04 not yet through the bank."""
    receive(funded_core, reference="MARCH-1", day=date(2025, 3, 31), amount="1000.00", by=officer)
    pay(funded_core, reference="PR00002 G00001", day=date(2025, 4, 30), amount="700.00", by=officer)
    statement = bank_statement_import(period=april, content=APRIL_CSV, filename="a.csv", opening_balance="900.00",
                                      closing_balance="96137.50", by=officer)
    match_confirm_all(statement=statement, by=officer)
    result = reconciliation(statement)
    assert result.cash_balance == Decimal("95550.00")
    assert result.unmatched_lines_total == Decimal("-12.50")
    assert [(i.reference, i.amount, i.kind) for i in result.unmatched_items] == [
        ("PR00002 G00001", Decimal("-700.00"), "Unpresented payment")]
    assert result.explained_bank_balance == Decimal("96237.50")  # 95,550.00 - 12.50 + 700.00
    assert result.difference == Decimal("-100.00")
    assert result.bank_closing == (result.cash_balance + result.unmatched_lines_total - result.unmatched_items_total
                                   + result.difference)
    before = banking_rows()
    with pytest.raises(ValidationError) as caught:
        reconciliation_sign_off(statement=statement, by=officer2)
    assert caught.value.messages == [
        "Bank statement April 2025 does not reconcile: the bank's closing balance is £96,137.50, but the cash account "
        "(£95,550.00) plus unmatched statement lines (-£12.50) less unmatched cash items (-£700.00) comes to "
        "£96,237.50: a difference of -£100.00. Match or record the missing items first."]
    assert banking_rows() == before


@pytest.fixture
def april_signed_off(april_statement, funded_core, officer, officer2):
    """April with an unpresented payment of £700.00 (PR00002) and the unrecorded bank charge, signed off."""
    pay(funded_core, reference="PR00002 G00001 Q1 2025/26", day=date(2025, 4, 30), amount="700.00", by=officer)
    match_confirm_all(statement=april_statement, by=officer)
    return reconciliation_sign_off(statement=april_statement, by=officer2)


MAY_CSV = b"Date,Amount,Reference\n02/05/2025,-700.00,PR00002\n"


def test_unmatched_items_carry_forward_and_clear_in_the_next_month(april_signed_off, may, funded_core, officer,
                                                                   officer2):
    pay(funded_core, reference="Bank charges April", day=date(2025, 5, 2), amount="12.50", by=officer)
    may_statement = bank_statement_import(period=may, content=MAY_CSV, filename="may.csv",
                                          opening_balance=APRIL_CLOSING, closing_balance="94537.50", by=officer)
    before = reconciliation(may_statement)
    assert [line.number for line in before.unmatched_lines] == [5, 2]  # April's charge, then May's line
    assert sorted(i.reference for i in before.unmatched_items) == ["Bank charges April", "PR00002 G00001 Q1 2025/26"]
    assert before.is_balanced
    assert [(s.rule, [line.statement.period.number for line in s.lines]) for s in match_suggestions(may_statement)] == [
        ("Amount and date", [1]), ("Amount and reference", [2])][::-1]
    match_confirm_all(statement=may_statement, by=officer)
    after = reconciliation(may_statement)
    assert after.unmatched_lines == [] and after.unmatched_items == [] and after.is_balanced
    reconciliation_sign_off(statement=may_statement, by=officer2)
    april = reconciliation(april_signed_off)  # April as signed: its charge and payment still unmatched there
    assert [line.number for line in april.unmatched_lines] == [5]
    assert [i.amount for i in april.unmatched_items] == [Decimal("-700.00")]


def test_a_signed_off_month_keeps_its_figures_when_entries_are_posted_later(april_signed_off, funded_core, officer):
    signed = reconciliation(april_signed_off)
    pay(funded_core, reference="LATE-1", day=date(2025, 4, 30), amount="99.00", by=officer)
    again = reconciliation(april_signed_off)
    assert (again.cash_balance, again.unmatched_items_total) == (signed.cash_balance, signed.unmatched_items_total)


def test_months_are_signed_off_in_order(april_statement, may, officer, officer2):
    match_confirm_all(statement=april_statement, by=officer)
    may_statement = bank_statement_import(period=may, content=b"Date,Amount,Reference\n", filename="may.csv",
                                          opening_balance=APRIL_CLOSING, closing_balance=APRIL_CLOSING, by=officer)
    with pytest.raises(ValidationError, match="Sign off Bank statement April 2025 first: months are signed off in"):
        reconciliation_sign_off(statement=may_statement, by=officer2)
