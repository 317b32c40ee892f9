"""Spreadsheets for the import tests, built in memory: fixed, readable rows."""

import csv
import io
from datetime import datetime

import openpyxl

HEADER = ["fund_code", "date", "kind", "reference", "amount", "description", "award_reference", "share",
          "case_reference", "tickets", "courses"]

# One row of every kind, as a finance officer's spreadsheet would hold them.
GOOD_ROWS = [
    ["MOJ-CORE", "03/04/2025", "award", "MOJ-AWD-2526", "500000.00", "Core grant 2025/26", "", "", "", "", ""],
    ["MOJ-CORE", "20/04/2025", "receipt", "BACS-0001", "125,000.00", "Q1 instalment", "MOJ-AWD-2526", "", "", "", ""],
    ["POCA", "12/05/2025", "poca", "ARIS-0001", "12345.67", "Confiscation order", "", "18.75", "T20250001", "", ""],
    ["FPN", "15/05/2025", "fpn", "FPN-2025-05", "138000.00", "May tickets", "", "", "", "1380", ""],
    ["ROAD-FEES", "30/05/2025", "fee", "NDORS-0525", "8400.00", "May courses", "", "", "", "", "84"],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    """A workbook as Excel would save it: amounts as numbers, dates as dates, tickets as whole numbers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Income"
    sheet.append(header)
    for row in rows:
        cells = list(row)
        cells[1] = datetime.strptime(cells[1], "%d/%m/%Y")
        cells[4] = float(cells[4].replace(",", ""))
        for i in (9, 10):
            cells[i] = int(cells[i]) if cells[i] else None
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
