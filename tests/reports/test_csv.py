"""CSV read back with the csv module: one file per statement, exact text."""

import csv
import io
import zipfile

from reports.exports import render


def read(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_statement_is_one_csv_file(scenario):
    name, content_type, content = render("csv", year="2025/26", as_at="2026-03-31", known_at=scenario.known_at,
                                         statement="fund")
    assert (name, content_type) == ("ringfence-2025-26-as-at-2026-03-31-fund.csv", "text/csv; charset=utf-8")
    rows = read(content)
    assert rows[0] == ["Row", "Fund", "Funder", "Budget line", "Original budget", "Virements", "Revised budget",
                       "Brought forward", "Income awarded", "Income received", "Committed", "Actual", "Accrued",
                       "Available", "Owed to funder", "Repaid to funder", "Carried forward", "Lapsed",
                       "Owed to HM Treasury", "Forecast outturn", "Forecast made", "Variance £ (positive = underspend)",
                       "Variance % (of budget)"]
    # Committed and actual are per budget line; the other ledger figures (brought forward to owed to HM Treasury)
    # are per fund. The scenario's commitment and payments name no line, so they have a line of their own.
    spent = ["", "", "", "0.00", "0.00", *[""] * 7]
    assert rows[1:] == [
        ["subtotal", "FPN", "HO", "Total Retained fixed penalties", "0.00", "0.00", "0.00", "0.00", "69525.00",
         "69525.00", "0.00", "0.00", "0.00", "69525.00", "0.00", "0.00", "0.00", "0.00", "208575.00", "0.00", "",
         "0.00", ""],
        ["line", "MOJ-CORE", "MoJ", "Restorative justice", "50000.00", "-10000.00", "40000.00", *spent,
         "40000.00", "", "0.00", "0.00"],
        ["line", "MOJ-CORE", "MoJ", "Specialist counselling", "150000.00", "10000.00", "160000.00", *spent,
         "160000.00", "", "0.00", "0.00"],
        ["line", "MOJ-CORE", "MoJ", "Victim support hubs", "300000.00", "0.00", "300000.00", *spent,
         "290000.00", "2025-10-15", "10000.00", "3.33"],
        ["line", "MOJ-CORE", "MoJ", "Not assigned to a budget line", "", "", "", "", "", "", "110000.00", "90000.00",
         *[""] * 11],
        ["subtotal", "MOJ-CORE", "MoJ", "Total Victims' services core grant", "500000.00", "0.00", "500000.00",
         "0.00", "500000.00", "125000.00", "110000.00", "90000.00", "0.00", "300000.00", "0.00", "0.00", "0.00", "0.00",
         "0.00", "490000.00", "", "10000.00", "2.00"],
        ["line", "POCA", "HO", "Helping Communities Fund", "40000.00", "0.00", "40000.00", *spent,
         "40000.00", "", "0.00", "0.00"],
        ["subtotal", "POCA", "HO", "Total Proceeds of crime fund", "40000.00", "0.00", "40000.00", "0.00",
         "44531.25", "44531.25", "0.00", "0.00", "0.00", "44531.25", "0.00", "0.00", "0.00", "0.00", "0.00",
         "40000.00", "", "0.00", "0.00"],
        ["total", "All funds", "", "Total all funds", "540000.00", "0.00", "540000.00", "0.00", "614056.25",
         "239056.25", "110000.00", "90000.00", "0.00", "414056.25", "0.00", "0.00", "0.00", "0.00", "208575.00",
         "530000.00", "", "10000.00", "1.85"],
    ]


def test_the_whole_pack_is_a_zip_of_one_csv_per_statement(scenario):
    name, content_type, content = render("csv", year="2025/26", as_at="2026-03-31", known_at=scenario.known_at)
    assert (name, content_type) == ("ringfence-2025-26-as-at-2026-03-31-csv.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        retained = read(archive.read("ringfence-2025-26-as-at-2026-03-31-retained.csv"))
        quarterly = read(archive.read("ringfence-2025-26-as-at-2026-03-31-quarterly.csv"))
    assert names == [f"ringfence-2025-26-as-at-2026-03-31-{key}.csv"
                     for key in ("fund", "monitoring", "grants", "quarterly", "retained", "changes")]
    assert retained[1] == ["line", "FPN", "Fixed penalties", "FPN-P01", "P1 Apr 2025", "2025-04-01", "1387",
                           "138700.00", "25.00", "34675.00", "", "", "104025.00", "", "", "0.00", "34675.00",
                           "69350.00", "104025.00", "138700.00"]
    # What other rates would give: proceeds of crime only up to ARIS's 50%, so the 75% and 100% totals are fines'.
    assert retained[-1] == ["total", "All funds", "Total", "", "", "", "2781", "541350.00", "", "114056.25",
                            "131625.00", "87093.75", "208575.00", "0.00", "208575.00", "0.00", "135337.50",
                            "270675.00", "208575.00", "278100.00"]
    assert ["line", "MOJ-CORE", "Q2 Jul-Sep 2025", "125000.00", "60000.00", "65000.00", "52.00", ""] in quarterly
