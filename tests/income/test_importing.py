"""Bulk import of income: every row recorded through the income services in one transaction, or none at all."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.models import Event
from funds.calendar import periods_close_up_to
from funds.models import Period
from funds.services import fund_create
from income import import_files
from income.importing import income_import
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt
from ledger.models import Balance, FundPosition, JournalEntry, JournalLine
from ledger.selectors import fund_available
from ledger.verification import verify
from tests.income.importing_files import GOOD_ROWS, HEADER, csv_bytes, xlsx_bytes

INCOME = (AwardLetter, CashReceipt, PocaReceipt, FpnReturn, FeeReceipt)


@pytest.fixture
def fees_fund(db, officer, home_office, year):
    return fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)


@pytest.fixture
def funds(core_fund, poca_fund, fpn_fund, fees_fund):
    return {"core": core_fund, "poca": poca_fund, "fpn": fpn_fund, "fees": fees_fund}


def database_state() -> dict:
    """Every table an import could write to, counted."""
    counts = {m.__name__: m.objects.count() for m in (JournalEntry, JournalLine, Balance, FundPosition, Event)}
    for model in INCOME:
        counts[model.__name__] = model.objects.count()
        counts[f"history of {model.__name__}"] = model.history.count()
    return counts


def run(officer, rows=GOOD_ROWS, *, name="income.csv", data=None, dry_run=False, header=HEADER):
    if data is None:
        data = xlsx_bytes(rows, header) if name.endswith(".xlsx") else csv_bytes(rows, header)
    return income_import(name=name, data=data, by=officer, dry_run=dry_run)


GOOD_REPORT = [
    "Imported 5 rows from income.csv (amount column total £783,745.67).",
    "Row 2: award letter MOJ-AWD-2526, MOJ-CORE, 03/04/2025, £500,000.00 - recorded",
    "Row 3: cash receipt BACS-0001, MOJ-CORE, 20/04/2025, £125,000.00, settles award letter MOJ-AWD-2526 for 2025/26 "
    "- recorded",
    "Row 4: proceeds of crime receipt ARIS-0001, POCA, 12/05/2025, £12,345.67 (gross; 18.75% share) - recorded",
    "Row 5: fixed penalty return FPN-2025-05, FPN, 01/05/2025, £138,000.00 - recorded",
    "Row 6: course fee receipt NDORS-0525, ROAD-FEES, 30/05/2025, £8,400.00 - recorded",
]


def test_a_csv_of_every_kind_is_recorded_through_the_services(funds, officer, year):
    report = run(officer)
    assert report.ok and report.written
    assert report.lines() == GOOD_REPORT
    assert AwardLetter.objects.get().amount.amount == Decimal("500000.00")
    assert CashReceipt.objects.get().award_letter == AwardLetter.objects.get()
    poca = PocaReceipt.objects.get()
    assert (poca.gross_recovered.amount, poca.agency_share_percent, poca.amount.amount, poca.case_reference) == (
        Decimal("12345.67"), Decimal("18.75"), Decimal("2314.81"), "T20250001")
    fpn = FpnReturn.objects.get()
    assert (fpn.tickets, fpn.retained.amount, fpn.owed_to_treasury.amount, str(fpn.period.start_date)) == (
        1380, Decimal("34500.00"), Decimal("103500.00"), "2025-05-01")
    assert FeeReceipt.objects.get().courses == 84
    assert fund_available(fund=funds["poca"], year=year) == Decimal("2314.81")
    assert fund_available(fund=funds["fees"], year=year) == Decimal("8400.00")
    assert {d.recorded_by for m in INCOME for d in m.objects.all()} == {officer}
    assert JournalEntry.objects.count() == 5
    assert verify().problems == []


def test_the_import_is_recorded_as_one_event_with_the_file_hash(funds, officer):
    data = csv_bytes(GOOD_ROWS)
    report = run(officer, data=data)
    event = Event.objects.get(kind="income.imported")
    assert event.actor == officer
    assert event.summary == "Imported 5 rows of income from income.csv"
    assert event.data["sha256"] == report.file_sha256 and len(report.file_sha256) == 64
    assert event.data["references"] == ["MOJ-AWD-2526", "BACS-0001", "ARIS-0001", "FPN-2025-05", "NDORS-0525"]


def test_an_xlsx_workbook_is_read_exactly(funds, officer):
    report = run(officer, name="income.xlsx")
    assert report.lines() == [line.replace("income.csv", "income.xlsx") for line in GOOD_REPORT]
    assert CashReceipt.objects.get().amount.amount == Decimal("125000.00")


def test_a_number_cell_is_read_as_the_decimal_a_person_typed(funds, officer):
    """0.1 + 0.2 in binary is 0.30000000000000004: a workbook's numbers are read by their shortest text."""
    rows = [["ROAD-FEES", "30/05/2025", "fee", "F-1", "1234.1", "", "", "", "", "", ""],
            ["ROAD-FEES", "30/05/2025", "fee", "F-2", "0.3", "", "", "", "", "", ""]]
    run(officer, rows, name="fees.xlsx")
    assert [f.amount.amount for f in FeeReceipt.objects.order_by("reference")] == [Decimal("1234.10"), Decimal("0.30")]


def test_a_dry_run_reports_what_would_be_written_and_writes_nothing(funds, officer):
    before = database_state()
    report = run(officer, dry_run=True)
    assert report.ok and not report.written
    assert report.lines() == [
        "Dry run: 5 rows of income.csv would be recorded (amount column total £783,745.67). Nothing was written.",
        *[line.replace("- recorded", "- would be recorded") for line in GOOD_REPORT[1:]],
    ]
    assert database_state() == before


def test_reimporting_the_same_file_writes_nothing_new(funds, officer):
    run(officer)
    before = database_state()
    report = run(officer)
    assert report.ok and not report.written
    assert report.lines() == [
        "Imported 0 rows from income.csv (amount column total £0.00); 5 already imported, skipped.",
        *[line.replace("- recorded", "- already imported, skipped") for line in GOOD_REPORT[1:]],
    ]
    assert database_state() == before


def test_a_file_with_old_and_new_rows_records_only_the_new(funds, officer):
    run(officer, GOOD_ROWS[:2])
    report = run(officer)
    assert [p.reference for p in report.already] == ["MOJ-AWD-2526", "BACS-0001"]
    assert [p.reference for p in report.recorded] == ["ARIS-0001", "FPN-2025-05", "NDORS-0525"]
    assert JournalEntry.objects.count() == 5


def test_a_reference_already_used_for_something_else_is_an_error(funds, officer):
    run(officer, GOOD_ROWS[:1])
    changed = [["MOJ-CORE", "03/04/2025", "award", "MOJ-AWD-2526", "500000.01", "", "", "", "", "", ""]]
    before = database_state()
    report = run(officer, changed)
    assert [str(p) for p in report.problems] == [
        "Row 2, reference: 'MOJ-AWD-2526' is already recorded for a different document (award letter of MOJ-CORE "
        "dated 03/04/2025 for £500,000.00). Give this row its own reference, or correct it to match."
    ]
    assert database_state() == before


def test_every_failing_row_is_listed_by_row_and_column_and_nothing_is_written(funds, officer, year):
    periods_close_up_to(period=Period.objects.get(year=year, number=1), by=officer)  # up to April 2025 closed
    rows = [
        GOOD_ROWS[3],                                                                                 # row 2: fine
        ["MOJ-COR", "03/05/2025", "award", "A-1", "10.00", "", "", "", "", "", ""],                   # unknown fund
        ["MOJ-CORE", "03/04/2025", "award", "A-2", "10.00", "", "", "", "", "", ""],                  # closed period
        ["MOJ-CORE", "03/04/2019", "award", "A-3", "10.00", "", "", "", "", "", ""],                  # no such year
        ["MOJ-CORE", "31/02/2025", "award", "A-4", "10.00", "", "", "", "", "", ""],                  # not a date
        ["MOJ-CORE", "03/05/2025", "award", "A-5", "12.345", "", "", "", "", "", ""],                 # 3 decimals
        ["MOJ-CORE", "03/05/2025", "award", "A-6", "-5.00", "", "", "", "", "", ""],                  # negative
        ["MOJ-CORE", "03/05/2025", "award", "A-7", "0", "", "", "", "", "", ""],                      # zero
        ["MOJ-CORE", "03/05/2025", "award", "A-8", "1O0.00", "", "", "", "", "", ""],             # not a number
        ["MOJ-CORE", "03/05/2025", "award", "A-9", "$10.00", "", "", "", "", "", ""],                 # not GBP
        ["MOJ-CORE", "03/05/2025", "grant", "A-10", "10.00", "", "", "", "", "", ""],                 # unknown kind
        ["POCA", "03/05/2025", "award", "A-11", "10.00", "", "", "", "", "", ""],                     # wrong fund
        ["FPN", "15/05/2025", "fpn", "FPN-2025-05", "1.00", "", "", "", "", "1", ""],                 # dup in file
        ["POCA", "12/05/2025", "poca", "ARIS-2", "100.00", "", "", "", "", "", ""],                   # no share/case
        ["FPN", "15/06/2025", "fpn", "FPN-2025-06", "100.00", "", "", "", "", "many", ""],            # bad tickets
        ["", "", "", "", "", "", "", "", "", "", ""],                                                   # blank: skipped
        ["MOJ-CORE", "", "", "", "", "", "", "", "", "", ""],                                           # row 18
    ]
    before = database_state()
    report = run(officer, rows)
    assert not report.ok and not report.written
    assert report.lines() == [
        "Refused: 15 of 16 rows in income.csv have problems, listed below. Nothing was written; correct the file and "
        "import it again.",
        "Row 3, fund_code: There is no fund with the code 'MOJ-COR'. Known funds: FPN, MOJ-CORE, POCA, ROAD-FEES.",
        "Row 4, date: 2025/26 P1 (Apr 2025) is closed, so nothing can be posted on 03/04/2025. Post the correction "
        "into an open period, or ask a finance director to reopen it.",
        "Row 5, date: 03/04/2019 is not in any financial year. Financial years set up: 2024/25 to 2026/27.",
        "Row 6, date: '31/02/2025' is not a date; enter it as day/month/year, for example 31/03/2026.",
        "Row 7, amount: £12.345 has more than two decimal places; amounts are in whole pence.",
        "Row 8, amount: The amount must be more than £0.00; '-5.00' was given (a mistake is corrected by a reversal).",
        "Row 9, amount: The amount must be more than £0.00; £0.00 was given.",
        "Row 10, amount: '1O0.00' is not an amount; enter pounds and pence, for example 1250.00 or £1,250.00.",
        "Row 11, amount: Only pounds sterling (GBP) are accepted; '$10.00' is not in pounds.",
        "Row 12, kind: 'grant' is not a kind of income; use one of award, receipt, poca, fpn, fee.",
        "Row 13, fund_code: POCA takes only proceeds of crime receipts, not award letters. Record this as a proceeds "
        "of crime receipt instead.",
        "Row 14, reference: 'FPN-2025-05' is also on row 2; each row needs its own reference.",
        "Row 15, share: A proceeds of crime row needs the agency share percentage in the 'share' column, for example "
        "18.75; the amount is the gross recovered.",
        "Row 15, case_reference: A proceeds of crime row needs the court case reference of the order in the "
        "'case_reference' column.",
        "Row 16, tickets: 'many' is not a whole number of tickets; write it with the digits 0-9, for example 1380.",
        "Row 18, date: Enter the date, for example 31/03/2026.",
        "Row 18, kind: Nothing is not a kind of income; use one of award, receipt, poca, fpn, fee.",
        "Row 18, reference: Enter the document's own reference, for example the award letter number.",
        "Row 18, amount: Enter an amount in pounds, for example 1250.00 or £1,250.00.",
    ]
    assert database_state() == before


def test_a_rule_only_the_service_knows_still_fails_the_whole_file(funds, officer):
    """The award letter and the first receipt are fine; the second receipt is more than is still owed, so the
    services refuse it after the first two rows were posted, and those are undone too."""
    rows = GOOD_ROWS[:2] + [
        ["MOJ-CORE", "21/04/2025", "receipt", "BACS-0002", "375000.01", "", "MOJ-AWD-2526", "", "", "", ""],
        ["MOJ-CORE", "21/04/2025", "receipt", "BACS-0003", "1.00", "", "NO-SUCH-LETTER", "", "", "", ""],
    ]
    before = database_state()
    report = run(officer, rows)
    assert [str(p) for p in report.problems] == [
        "Row 4, amount: Only £375,000.00 of award letter MOJ-AWD-2526 is still to be received; £375,000.01 is more "
        "than that.",
        "Row 5, award_reference: No award letter has the reference 'NO-SUCH-LETTER'.",
    ]
    assert database_state() == before


def test_two_returns_for_one_month_fail_on_the_second(funds, officer):
    rows = [GOOD_ROWS[3], ["FPN", "02/05/2025", "fpn", "FPN-2025-05b", "10.00", "", "", "", "", "1", ""]]
    report = run(officer, rows)
    assert [str(p) for p in report.problems] == [
        "Row 3, date: FPN already has a fixed penalty return for 2025/26 P2 (May 2025)."
    ]
    assert not FpnReturn.objects.exists()


def test_only_finance_officers_import(funds, commissioner):
    with pytest.raises(PermissionDenied, match="Only finance officers may import income"):
        run(commissioner)


def test_a_windows_excel_csv_with_pound_signs_is_read(funds, officer):
    rows = [["ROAD-FEES", "30/05/2025", "fee", "F-1", "£1,250.00", "Café courses", "", "", "", "", ""]]
    report = run(officer, rows, data=csv_bytes(rows, encoding="cp1252"))
    assert report.ok
    fee = FeeReceipt.objects.get()
    assert (fee.amount.amount, fee.description) == (Decimal("1250.00"), "Café courses")


def test_headers_are_matched_loosely_and_unknown_columns_are_ignored(funds, officer):
    header = ["Fund code", "Date", "KIND", "Reference", "Amount", "Description", "Notes"]
    rows = [["road-fees", "2025-05-30", "Fee", "F-1", "10.00", "", "ask Sam"]]
    report = run(officer, rows, header=header)
    assert report.lines()[:2] == ["Imported 1 row from income.csv (amount column total £10.00).",
                                  "Columns not used by the import, ignored: notes."]


def test_rows_keep_the_numbers_seen_in_the_spreadsheet(funds, officer):
    data = b"\r\n" + csv_bytes([GOOD_ROWS[4], ["", "", "", "", "", "", "", "", "", "", ""],
                                ["ROAD-FEES", "30/05/2025", "fee", "F-9", "x", "", "", "", "", "", ""]])
    report = run(officer, data=data)
    assert [str(p) for p in report.problems] == [
        "Row 5, amount: 'x' is not an amount; enter pounds and pence, for example 1250.00 or £1,250.00."
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BAD_FILES = [
    pytest.param("income.csv", b"x" * (10 * 1024 * 1024 + 1),
                 "income.csv is 10.0 MB; the largest file accepted is 10 MB. Split it into smaller files.",
                 id="over 10 MB"),
    pytest.param("income.txt", csv_bytes(GOOD_ROWS),
                 "income.txt is not a .csv or .xlsx file. Save the spreadsheet as CSV (comma-separated) or as an "
                 "Excel workbook (.xlsx) and try again.", id="another extension"),
    pytest.param("income.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
                 "income.xls is not a .csv or .xlsx file.", id="old excel extension"),
    pytest.param("income.csv", b"fund_code,date\x00\x01\x02,kind\n",
                 "income.csv is named .csv but holds binary data, not comma-separated text.", id="binary csv"),
    pytest.param("income.csv", xlsx_bytes(GOOD_ROWS),
                 "income.csv is named .csv but is an Excel workbook or other zip file, not comma-separated text.",
                 id="workbook named csv"),
    pytest.param("income.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
                 "income.csv is named .csv but is a PDF, not comma-separated text.", id="pdf named csv"),
    pytest.param("income.csv", b"fund_code,date,kind,reference,amount,description\x1b[31m\n",
                 "income.csv holds control characters, so it is not a plain CSV file.", id="control characters"),
    pytest.param("income.csv", b"fund_code,date,kind,reference,amount,description\n\x81\x8d\x8f\x90,\n",
                 "income.csv is not readable text.", id="undecodable csv"),
    pytest.param("income.csv", b'fund_code,date,kind,reference,amount,description\n"unclosed,quote\n',
                 "income.csv is not well-formed CSV", id="malformed csv"),
    pytest.param("income.xlsx", csv_bytes(GOOD_ROWS),
                 "income.xlsx is named .xlsx but is not an Excel workbook. Save it from Excel as 'Excel Workbook "
                 "(.xlsx)', or export it as CSV.", id="csv named xlsx"),
    pytest.param("income.xlsx", _zip({"hello.txt": b"not a workbook"}),
                 "income.xlsx is named .xlsx but is not an Excel workbook.", id="zip that is not a workbook"),
    pytest.param("income.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<broken"}),
                 "income.xlsx could not be read as an Excel workbook; it may be damaged.", id="damaged workbook"),
    pytest.param("income.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>",
                                      "xl/bomb.xml": b"0" * (101 * 1024 * 1024)}),
                 "income.xlsx would unpack to more than 100.0 MB", id="zip bomb"),
    pytest.param("income.csv", b"", "income.csv is empty.", id="empty file"),
    pytest.param("income.csv", b"\r\n\r\n,,,\r\n", "income.csv is empty.", id="only blank lines"),
    pytest.param("income.csv", csv_bytes([]), "income.csv has a header row but no rows of income under it.",
                 id="header only"),
    pytest.param("income.csv", csv_bytes(GOOD_ROWS, header=["fund", "date", "type", "reference", "amount",
                                                             "description", "", "", "", "", ""]),
                 "income.csv is missing the column(s): fund_code, kind. The first row must name the columns "
                 "fund_code, date, kind, reference, amount, description (description may be left empty on each row).",
                 id="missing columns"),
    pytest.param("income.xlsx", xlsx_bytes([], header=["fund_code", "date", "kind", "reference", "amount"]),
                 "income.xlsx is missing the column(s): description.", id="missing column in a workbook"),
    pytest.param("income.csv", csv_bytes(GOOD_ROWS, header=HEADER[:5] + ["amount"] + HEADER[6:]),
                 "income.csv names the column(s) amount more than once. Each column must appear once.",
                 id="duplicate column"),
    pytest.param("income.csv", csv_bytes([GOOD_ROWS[0] + ["stray"]]),
                 "Row 2 of income.csv has values beyond the last named column.", id="stray values"),
]


@pytest.mark.parametrize("name, data, message", BAD_FILES)
def test_bad_files_are_refused_whole_and_leave_the_database_unchanged(funds, officer, name, data, message):
    before = database_state()
    report = income_import(name=name, data=data, by=officer)
    assert not report.ok and report.refused.startswith(message)
    assert report.lines() == [f"Refused: {report.refused} Nothing was written."]
    assert database_state() == before


def test_a_file_with_too_many_rows_is_refused(funds, officer, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    rows = [["ROAD-FEES", "30/05/2025", "fee", f"F-{n}", "1.00", "", "", "", "", "", ""] for n in range(4)]
    before = database_state()
    report = run(officer, rows)
    assert report.refused == "income.csv has more than 3 rows; one import takes at most 3. Split it into smaller files."
    assert database_state() == before


def test_the_path_of_a_file_name_is_not_echoed(funds, officer):
    report = income_import(name="../../etc/passwd", data=b"root:x:0:0", by=officer)
    assert report.refused.startswith("passwd is not a .csv or .xlsx file.")


def test_dates_in_an_fpn_row_mean_the_month(funds, officer):
    run(officer, [GOOD_ROWS[3]])
    assert FpnReturn.objects.get().period.start_date == date(2025, 5, 1)
