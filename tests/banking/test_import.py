"""Importing a month's bank statement: taken whole, or refused whole with every bad row named."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from banking.models import BankStatementLine
from banking.statements import bank_statement_import, bank_statement_withdraw
from tests.banking.conftest import APRIL_CLOSING, APRIL_CSV, banking_rows

HEADER = "Date,Amount,Reference,Description\n"


def refused(april, officer, unchanged_database, content, *, opening="0.00", closing="100.00", period=None):
    """Import and expect a refusal that writes nothing; the messages per field."""
    before = banking_rows()
    with unchanged_database(), pytest.raises(ValidationError) as caught:
        bank_statement_import(period=period or april, content=content, filename="bad.csv", opening_balance=opening,
                              closing_balance=closing, by=officer)
    assert banking_rows() == before
    call_command("verify_ledger")
    return caught.value.message_dict


def test_a_statement_is_imported_with_its_lines_balances_and_file_hash(april, april_cash, officer):
    statement = bank_statement_import(period=april, content=APRIL_CSV, filename="april.csv", opening_balance="0.00",
                                      closing_balance=APRIL_CLOSING, by=officer)
    assert statement.file_sha256 == hashlib.sha256(APRIL_CSV).hexdigest()
    assert statement.file_name == "april.csv"
    assert statement.closing_balance.amount == Decimal("95237.50")
    rows = [(line.number, line.date, line.amount.amount, line.reference, line.description)
            for line in statement.lines.order_by("number")]
    assert rows == [
        (2, date(2025, 4, 21), Decimal("100000.00"), "BACS-1 MOJ", "Ministry of Justice grant"),
        (3, date(2025, 4, 25), Decimal("-5000.00"), "PR00001", "Payment run"),
        (4, date(2025, 4, 30), Decimal("250.00"), "GIRO 99812", "Giro credit"),
        (5, date(2025, 4, 30), Decimal("-12.50"), "", "Bank charges April"),
    ]


def test_bom_spaces_iso_dates_pound_signs_and_no_description_column_are_accepted(april, officer):
    content = ("\ufeff Reference , Date ,Amount \n"
               "REF-1 , 2025-04-02 , \"£1,234.56\" \n"
               "\n"
               "REF-2,03/04/2025,-£34.56\n").encode()
    statement = bank_statement_import(period=april, content=content, filename="x.csv", opening_balance="-100.00",
                                      closing_balance="1,100.00", by=officer)
    assert statement.opening_balance.amount == Decimal("-100.00")
    assert [(line.number, line.date, line.amount.amount, line.reference, line.description)
            for line in statement.lines.all()] == [
        (2, date(2025, 4, 2), Decimal("1234.56"), "REF-1", ""),
        (4, date(2025, 4, 3), Decimal("-34.56"), "REF-2", ""),
    ]


def test_a_header_only_file_is_a_quiet_month(april, officer):
    statement = bank_statement_import(period=april, content=b"Date,Amount,Reference\n", filename="quiet.csv",
                                      opening_balance="10.00", closing_balance="10.00", by=officer)
    assert statement.lines.count() == 0


def test_bad_rows_are_all_named_and_nothing_is_written(april, officer, unchanged_database):
    content = (HEADER
               + "31/02/2026,10.00,A,\n"        # row 2: not a date
               + "01/05/2025,10.00,B,\n"        # row 3: outside April
               + "02/04/2025,ten,C,\n"          # row 4: not an amount
               + "02/04/2025,0.00,D,\n"         # row 5: zero
               + "02/04/2025,1.234,E,\n"        # row 6: more than two decimal places
               + "03/04/2025,5.00,F,\n"         # row 7
               + "04/04/2025,6.00,G,\n"         # row 8
               + "03/04/2025,5.00,f,\n"         # row 9: same as row 7
               + ",7.00,H,\n").encode()         # row 10: no date
    messages = refused(april, officer, unchanged_database, content)["file"]
    assert messages[0].startswith("row 2: '31/02/2026' is not a date")
    assert messages[1].startswith("row 3: 01/05/2025 is outside the statement's month (01/04/2025 to 30/04/2025)")
    assert messages[2].startswith("row 4: 'ten' is not an amount")
    assert messages[3].startswith("row 5: the amount is £0.00")
    assert messages[4] == "row 6: £1.234 has more than two decimal places; amounts are in whole pence."
    assert messages[5].startswith("rows 7 and 9 are the same line (03/04/2025, £5.00, 'f')")
    assert messages[6].startswith("row 10: the date is empty")
    assert len(messages) == 7


def test_missing_and_unknown_columns_are_refused_by_name(april, officer, unchanged_database):
    messages = refused(april, officer, unchanged_database, b"Date,Value,Balance\n01/04/2025,1.00,1.00\n")["file"]
    assert messages == [
        "row 1: the header has no Amount, Reference columns; it must name Date, Amount and Reference (and "
        "optionally Description), e.g. 'Date,Amount,Reference,Description'.",
        "row 1: unknown columns 'Value', 'Balance'; the columns are Date, Amount, Reference and optionally "
        "Description.",
    ]


@pytest.mark.parametrize("content", [b"", b"  \n\n", "\ufeff".encode()])
def test_an_empty_file_is_refused(april, officer, unchanged_database, content):
    messages = refused(april, officer, unchanged_database, content)["file"]
    assert messages[0].startswith("The file is empty.")


def test_a_file_that_is_not_utf8_is_refused(april, officer, unchanged_database):
    messages = refused(april, officer, unchanged_database, "Date,Amount,Reference\n01/04/2025,£1.00,x\n"
                       .encode("latin-1"))["file"]
    assert "is not UTF-8 text" in messages[0]


def test_balances_that_do_not_add_up_say_the_difference(april, officer, unchanged_database):
    content = (HEADER + "02/04/2025,100.00,A,\n03/04/2025,-30.00,B,\n").encode()
    messages = refused(april, officer, unchanged_database, content, opening="50.00", closing="125.00")["file"]
    assert messages == [
        "The opening balance £50.00 plus the 2 lines (£70.00) comes to £120.00, not the closing balance £125.00: "
        "a difference of £5.00. Check the balances and that the file holds every line."]


def test_bad_balances_are_refused_on_their_field(april, officer, unchanged_database):
    errors = refused(april, officer, unchanged_database, (HEADER + "02/04/2025,1.00,A,\n").encode(),
                     opening="abc", closing="1e3")
    assert errors["opening_balance"][0].startswith("'abc' is not an amount")
    assert errors["closing_balance"][0].startswith("'1e3' is written with an exponent")


def test_a_month_that_already_has_a_statement_is_refused(april_statement, april, officer, unchanged_database):
    errors = refused(april, officer, unchanged_database, APRIL_CSV, closing=APRIL_CLOSING)
    assert errors["period"][0].startswith("April 2025 (2025/26 P1) already has a bank statement (april.csv, imported ")


def test_the_next_month_opens_at_the_previous_closing_balance(april_statement, may, officer, unchanged_database):
    content = (HEADER + "02/05/2025,1.00,A,\n").encode()
    errors = refused(may, officer, unchanged_database, content, opening="95000.00", closing="95001.00",
                     period=may)
    assert errors == {"opening_balance": [
        "The opening balance must be £95,237.50, the closing balance of April 2025's statement; £95,000.00 was given."]}
    statement = bank_statement_import(period=may, content=content, filename="may.csv", opening_balance="95237.50",
                                      closing_balance="95238.50", by=officer)
    assert statement.lines.count() == 1


def test_months_are_imported_in_order(april_statement, year, officer, unchanged_database):
    from funds.models import Period

    june = Period.objects.get(year=year, number=3)
    errors = refused(june, officer, unchanged_database, b"Date,Amount,Reference\n", opening=APRIL_CLOSING,
                     closing=APRIL_CLOSING, period=june)
    assert errors["period"] == ["Statements are imported month by month: the latest is April 2025 (2025/26 P1), so "
                                "the next is May 2025 (2025/26 P2)."]


def test_only_finance_officers_import(april, director):
    with pytest.raises(PermissionDenied, match="Only finance officers may import bank statements"):
        bank_statement_import(period=april, content=APRIL_CSV, filename="a.csv", opening_balance="0.00",
                              closing_balance=APRIL_CLOSING, by=director)


def test_a_withdrawn_statement_makes_way_for_the_right_file(april_statement, april, officer):
    bank_statement_withdraw(statement=april_statement, by=officer, reason="Wrong account's statement")
    again = bank_statement_import(period=april, content=APRIL_CSV, filename="april-right.csv",
                                  opening_balance="0.00", closing_balance=APRIL_CLOSING, by=officer)
    assert again.pk != april_statement.pk
    assert BankStatementLine.objects.filter(statement=april_statement).count() == 4  # kept, marked withdrawn
    april_statement.refresh_from_db()
    assert april_statement.is_withdrawn and april_statement.withdrawn_reason == "Wrong account's statement"
