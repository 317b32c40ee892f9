"""The reconciliation report read back independently: openpyxl (formulas evaluated by tests.reports.sheets) and
pdftotext."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest

from banking.matching import match_confirm_all
from banking.reconciliation import reconciliation, reconciliation_sign_off
from banking.report import filename, pdf, xlsx
from tests.banking.conftest import pay
from tests.reports.sheets import evaluate, load, row_of, value_of


@pytest.fixture
def reconciled(april_statement, funded_core, officer, director):
    """April matched, with the £12.50 bank charge and an unpresented payment of £700.00 left, signed off."""
    pay(funded_core, reference="PR00002 G00001 Q1 2025/26", day=date(2025, 4, 30), amount="700.00", by=officer)
    match_confirm_all(statement=april_statement, by=officer)
    return reconciliation(reconciliation_sign_off(statement=april_statement, by=director))


def test_the_workbook_balance_statement_is_live_formulas_that_reconcile(reconciled):
    ws = load(xlsx(reconciled))["Reconciliation"]
    assert ws["A1"].value == "Bank reconciliation April 2025"
    bank = row_of(ws, "A", "Balance per bank statement at 30/04/2025")
    assert ws[f"D{bank}"].value == 95237.5 and ws[f"D{bank}"].number_format == "£#,##0.00"
    unpresented = row_of(ws, "A", "Less: unpresented payments (paid in the cash account, not yet through the bank) (1)")
    charges = row_of(ws, "A", "Add: payments from the bank not yet in the cash account (e.g. bank charges) (1)")
    assert ws[f"D{unpresented}"].value.startswith("=D") and ws[f"D{charges}"].value.startswith("=-D")
    assert value_of(ws, ws[f"D{unpresented}"]) == Decimal("-700.00")
    assert value_of(ws, ws[f"D{charges}"]) == Decimal("12.50")
    as_reconciled = row_of(ws, "A", "Cash account balance as reconciled")
    assert ws[f"D{as_reconciled}"].value == f"=SUM(D{bank}:D{as_reconciled - 1})"
    assert value_of(ws, ws[f"D{as_reconciled}"]) == Decimal("94550.00")
    ledger = row_of(ws, "A", "Cash account balance per ledger at 30/04/2025 (account 1000, all funds)")
    assert ws[f"D{ledger}"].value == 94550
    difference = row_of(ws, "A", "Difference (as reconciled less per ledger)")
    assert value_of(ws, ws[f"D{difference}"]) == Decimal("0")
    check = row_of(ws, "A", "Reconciled")
    assert ws[f"D{check}"].value == f'=IF(D{difference}=0,"Yes","No")'


def test_the_workbook_lists_matched_and_unmatched_lines_with_sum_totals(reconciled):
    ws = load(xlsx(reconciled))["Reconciliation"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    matched = row_of(ws, "A", "Matched")
    assert rows[matched][:6] == ["Date", "Reference", "Description", "Bank", "Cash account", "Match"]
    first = rows[matched + 1]
    assert first[1:5] == ["BACS-1 MOJ", "Ministry of Justice grant", 100000, None]
    assert first[0].date() == date(2025, 4, 21)
    totals = [r for r in range(matched + 1, ws.max_row + 1) if ws[f"A{r}"].value == "Total"][0]
    assert evaluate(ws, ws[f"D{totals}"].value) == evaluate(ws, ws[f"E{totals}"].value) == Decimal("95250.00")
    payments = row_of(ws, "A", "Payments from the bank not yet in the cash account")
    assert [c.value for c in ws[payments + 2]][1:4] == [None, "Bank charges April", -12.5]
    assert ws[f"F{payments + 2}"].value == "Statement April 2025 row 5"
    assert ws[f"A{payments + 3}"].value == "Total"
    assert ws[f"D{payments + 3}"].value == f"=SUM(D{payments + 2}:D{payments + 2})"
    lodgements = row_of(ws, "A", "Outstanding lodgements: received in the cash account, not yet in the bank")
    assert ws[f"B{lodgements + 2}"].value == "None" and evaluate(ws, ws[f"D{lodgements + 3}"].value) == 0


def test_reports_are_the_same_bytes_every_time(reconciled):
    assert xlsx(reconciled) == xlsx(reconciliation(reconciled.statement))
    assert pdf(reconciled) == pdf(reconciliation(reconciled.statement))
    assert filename(reconciled, "pdf") == "bank-reconciliation-2025-04.pdf"


def test_the_pdf_reads_as_text(reconciled, tmp_path):
    path = tmp_path / "rec.pdf"
    path.write_bytes(pdf(reconciled))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Bank reconciliation April 2025" in text
    for expected in ["Balance per bank statement at 30/04/2025", "£95,237.50", "Cash account balance as reconciled",
                     "£94,550.00", "Reconciled", "PR00002 G00001 Q1 2025/26", "-£700.00", "Bank charges April",
                     "Unpresented payments: paid in the cash account, not yet through the bank", "-£12.50",
                     "Signed off as reconciled by Diana", "Page 1 of"]:
        assert expected in text, expected
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(line.startswith("Difference (as reconciled less per ledger) £0.00") for line in lines)
    assert any(line.startswith("Reconciled Yes") for line in lines)


def test_a_bank_line_written_like_a_formula_shows_exactly_as_written_and_stays_text(april, april_cash, officer):
    from banking.statements import bank_statement_import
    from tests.banking.conftest import APRIL_CLOSING, APRIL_CSV

    content = APRIL_CSV.replace(b"Bank charges April", b"=2+3 Formula Trust")
    statement = bank_statement_import(period=april, content=content, filename="april.csv", opening_balance="0.00",
                                      closing_balance=APRIL_CLOSING, by=officer)
    ws = load(xlsx(reconciliation(statement)))["Reconciliation"]
    found = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "Formula Trust" in c.value]
    assert [(c.value, c.data_type, c.quotePrefix) for c in found] == [("=2+3 Formula Trust", "s", True)]
