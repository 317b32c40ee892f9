"""python manage.py import_income PATH [--dry-run] [--user USERNAME]"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from income.models import AwardLetter, FeeReceipt
from ledger.models import JournalEntry
from tests.income.importing_files import GOOD_ROWS, csv_bytes, xlsx_bytes


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "awards.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[:2]))
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import_income", *map(str, args), stdout=out)
    return out.getvalue()


def test_imports_a_file_in_the_name_of_a_finance_officer(core_fund, officer, sheet):
    assert run(sheet, "--user", "olivia").splitlines() == [
        "Imported 2 rows from awards.csv (amount column total £625,000.00).",
        "Row 2: award letter MOJ-AWD-2526, MOJ-CORE, 03/04/2025, £500,000.00 - recorded",
        "Row 3: cash receipt BACS-0001, MOJ-CORE, 20/04/2025, £125,000.00, settles award letter MOJ-AWD-2526 for "
        "2025/26 - recorded",
    ]
    assert AwardLetter.objects.get().recorded_by == officer
    assert JournalEntry.objects.count() == 2


def test_dry_run_writes_nothing(core_fund, officer, sheet):
    assert run(sheet, "--dry-run", "--user", "olivia").splitlines()[0] == (
        "Dry run: 2 rows of awards.csv would be recorded (amount column total £625,000.00). Nothing was written."
    )
    assert not JournalEntry.objects.exists()


def test_running_twice_writes_nothing_new(core_fund, officer, sheet):
    run(sheet, "--user", "olivia")
    assert run(sheet, "--user", "olivia").splitlines()[0] == (
        "Imported 0 rows from awards.csv (amount column total £0.00); 2 already imported, skipped."
    )
    assert JournalEntry.objects.count() == 2


def test_the_user_can_come_from_the_environment(core_fund, officer, sheet, monkeypatch):
    monkeypatch.setenv("RINGFENCE_USER", "olivia")
    assert run(sheet).startswith("Imported 2 rows")


def test_a_refused_file_exits_non_zero_listing_every_row(core_fund, officer, tmp_path):
    path = tmp_path / "bad.xlsx"
    rows = [GOOD_ROWS[0], ["MOJ-CORE", "20/04/2025", "receipt", "BACS-0001", "12.345", "", "", "", "", "", ""]]
    path.write_bytes(xlsx_bytes(rows))
    out = StringIO()
    with pytest.raises(CommandError, match=r"Refused: 1 of 2 rows in bad.xlsx has problems, listed below. "
                                           r"Nothing was written"):
        call_command("import_income", str(path), "--user", "olivia", stdout=out)
    assert out.getvalue().splitlines() == [
        "Row 3, amount: £12.345 has more than two decimal places; amounts are in whole pence."
    ]
    assert not JournalEntry.objects.exists()


def test_a_file_of_another_type_is_refused(core_fund, officer, tmp_path):
    path = tmp_path / "income.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(CommandError, match=r"Refused: income.pdf is not a .csv or .xlsx file.*Nothing was written."):
        run(path, "--user", "olivia")


def test_a_file_over_10_mb_is_refused_before_it_is_read(core_fund, officer, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(10 * 1024 * 1024 + 1)
    with pytest.raises(CommandError, match=r"Refused: huge.csv is 10.0 MB; the largest file accepted is 10 MB"):
        run(path, "--user", "olivia")


def test_a_missing_file_is_named(officer, tmp_path):
    with pytest.raises(CommandError, match="There is no file at .*nowhere.csv"):
        run(tmp_path / "nowhere.csv", "--user", "olivia")


@pytest.mark.parametrize("username", ["carla", "nobody"])
def test_only_a_finance_officer_can_be_named(core_fund, commissioner, sheet, username):
    with pytest.raises(CommandError, match=f"No active finance officer is called '{username}'"):
        run(sheet, "--user", username)
    assert not FeeReceipt.objects.exists() and not JournalEntry.objects.exists()


def test_odd_figures_and_amounts_are_errors_on_their_row_not_a_traceback(core_fund, fpn_fund, officer, tmp_path):
    """Each of these was a traceback of the command (decimal.InvalidOperation, or a message with a rounded
    figure): now each is a message on its row and column, and nothing is written."""
    path = tmp_path / "odd.csv"
    rows = [["FPN", f"15/0{month}/2025", "fpn", f"FPN-{month}", "1380.00", "", "", "", "", tickets, ""]
            for month, tickets in ((5, "²"), (6, "1" * 30 + ".5"), (7, "１２"))]
    rows.append(["MOJ-CORE", "31/12/9999", "award", "AWD-9", "1e26", "", "", "", "", "", ""])
    path.write_bytes(csv_bytes(rows))
    out = StringIO()
    with pytest.raises(CommandError, match="Refused: 4 of 4 rows in odd.csv have problems"):
        call_command("import_income", str(path), "--user", "olivia", stdout=out)
    assert out.getvalue().splitlines() == [
        "Row 2, tickets: '²' is not a whole number of tickets; write it with the digits 0-9, for example 1380.",
        f"Row 3, tickets: '{'1' * 30}.5' is more than the largest accepted (10000000); for example 1380.",
        "Row 4, tickets: '１２' is not a whole number of tickets; write it with the digits 0-9, for example 1380.",
        "Row 5, date: 31/12/9999 is outside the dates Ringfence records; enter a date from 01/01/1900 to 31/12/2199.",
        "Row 5, amount: '1e26' is written with an exponent; write every digit, for example 1000000.00 for a million.",
    ]
    assert not JournalEntry.objects.exists()
