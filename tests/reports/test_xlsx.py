"""The Excel pack read back with openpyxl: cover, sheets, live SUM totals that equal the figures, formats."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.utils import timezone

from reports.exports import pack_build, render
from reports.parameters import parameters_parse
from reports.registry import LINE, PERCENT
from tests.reports.sheets import evaluate, load, row_of, value_of

MONEY_FORMAT = '"£"#,##0.00'


@pytest.fixture
def workbook(scenario):
    name, content_type, content = render("xlsx", year="2025/26", as_at="2026-03-31", known_at=scenario.known_at,
                                         user=scenario.director)
    assert name == "ringfence-2025-26-as-at-2026-03-31.xlsx"
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load(content)


def test_cover_sheet_names_the_pack(workbook, scenario):
    cover = workbook["Cover"]
    facts = {row[0]: row[1] for row in cover.iter_rows(min_row=4, max_row=12, values_only=True)}
    assert cover["A1"].value == "Statements for the finance directors' group"
    assert facts["Owning body"] == settings.RINGFENCE["OWNING_BODY"]
    assert facts["Financial year"] == "2025/26"
    assert facts["As at (accounting date)"].date() == date(2026, 3, 31)
    known = timezone.localtime(scenario.known_at).replace(tzinfo=None)
    assert abs((facts["Known at (figures as recorded by)"] - known).total_seconds()) < 0.001
    assert facts["Produced by"] == "Diana"
    assert facts["Protective marking"] == "OFFICIAL"
    expected = pack_build(parameters_parse(year="2025/26", as_at="2026-03-31", known_at=scenario.known_at))
    assert facts["Pack hash (SHA-256 of the figures)"] == expected.figures_hash
    assert workbook.sheetnames == ["Cover", "Fund statement", "Budget monitoring", "Grants statement",
                                   "Quarterly profile", "Retained income", "Changes in the period"]


def test_fund_sheet_totals_are_live_sums_equal_to_the_figures(workbook):
    ws = workbook["Fund statement"]
    assert [c.value for c in ws[4]][:6] == ["Fund", "Funder", "Budget line", "Original budget", "Virements",
                                             "Revised budget"]
    core = row_of(ws, "C", "Total Victims' services core grant")
    first = row_of(ws, "C", "Restorative justice")
    assert ws[f"D{core}"].value == f"=SUM(D{first}:D{core - 1})"
    assert evaluate(ws, ws[f"D{core}"].value) == D("500000.00")
    assert evaluate(ws, ws[f"S{core}"].value) == D("490000.00")  # forecast outturn
    # Income and available are per fund: the figure itself, no budget-line breakdown to add up.
    assert [ws[f"{c}{core}"].value for c in "HIM"] == [500000, 125000, 300000]
    # Committed and actual are per budget line (with a line for postings that name none): live sums of the lines.
    for letter, figure in (("J", "110000.00"), ("K", "90000.00")):
        assert ws[f"{letter}{core}"].value == f"=SUM({letter}{first}:{letter}{core - 1})"
        assert evaluate(ws, ws[f"{letter}{core}"].value) == D(figure)
    total = row_of(ws, "C", "Total all funds")
    for letter, figure in zip("DFHIJKMSU", ["540000.00", "540000.00", "614056.25", "239056.25", "110000.00",
                                            "90000.00", "414056.25", "530000.00", "10000.00"], strict=True):
        assert ws[f"{letter}{total}"].value.startswith("=SUM("), letter
        assert value_of(ws, ws[f"{letter}{total}"]) == D(figure), letter
    assert ws[f"V{total}"].value == f"=ROUND(U{total}/F{total},4)"
    assert value_of(ws, ws[f"V{total}"]) == D("0.0185")
    assert ws[f"V{total}"].number_format == "0.00%"


def test_variances_are_live_formulas_of_revised_budget_less_forecast(workbook):
    ws = workbook["Fund statement"]
    assert ws["U4"].value == "Variance £ (positive = underspend)"
    assert "Variance: positive = underspend" in ws["A3"].value
    hubs = row_of(ws, "C", "Victim support hubs")
    assert ws[f"U{hubs}"].value == f"=F{hubs}-S{hubs}"  # revised budget less forecast outturn
    assert value_of(ws, ws[f"U{hubs}"]) == D("10000.00")
    assert ws[f"V{hubs}"].value == f"=ROUND(U{hubs}/F{hubs},4)" and value_of(ws, ws[f"V{hubs}"]) == D("0.0333")
    quarterly = workbook["Quarterly profile"]
    q2 = next(c.row for c in quarterly["B"]
              if c.value == "Q2 Jul-Sep 2025" and quarterly[f"A{c.row}"].value == "MOJ-CORE")
    assert quarterly[f"E{q2}"].value == f"=C{q2}-D{q2}"  # phased budget less actual
    assert value_of(quarterly, quarterly[f"E{q2}"]) == D("65000.00")
    cover = [c for (c,) in workbook["Cover"].iter_rows(min_col=1, max_col=1, values_only=True) if c]
    assert any(str(c).startswith("Variance: positive = underspend") for c in cover)


def test_every_formula_in_the_workbook_computes_the_statements_figure(workbook, scenario):
    pack = pack_build(parameters_parse(year="2025/26", as_at="2026-03-31", known_at=scenario.known_at))
    formulas = 0
    for built in pack.statements:
        ws = workbook[built.statement.short_title]
        for offset, row in enumerate(built.rows):
            for index, column in enumerate(built.statement.columns, start=1):
                cell = ws.cell(row=5 + offset, column=index)
                if cell.data_type == "f":
                    formulas += 1
                    figure = D(row[column.key] or 0)
                    if column.type == PERCENT:  # variance %, a fraction in Excel
                        assert cell.value.startswith("=ROUND(")
                        figure = figure / 100
                    elif row.kind == LINE:  # a variance on a detail line
                        assert column.key in {v.amount for v in built.statement.variances}
                        assert cell.value.count("-") == 1
                    else:
                        assert column.summable and cell.value.startswith("=SUM(")
                    assert evaluate(ws, cell.value) == figure, (ws.title, cell.coordinate)
    assert formulas >= 40


def test_sheets_are_formatted_for_print_and_for_reading(workbook):
    for title in ("Fund statement", "Quarterly profile", "Retained income", "Changes in the period"):
        ws = workbook[title]
        assert ws.print_title_rows == "$4:$4"
        assert ws.page_setup.orientation == "landscape"
        assert ws.auto_filter.ref.startswith("A4:")
        assert ws.oddHeader.center.text == "OFFICIAL"
        assert ws.oddFooter.right.text == "Page &P of &N"
    fund = workbook["Fund statement"]
    assert fund.freeze_panes == "D5"
    assert fund.auto_filter.ref == "A4:V13"  # header, 8 rows as before and the MOJ-CORE "not assigned" line
    core = row_of(fund, "C", "Total Victims' services core grant")
    assert {fund[f"{c}{core}"].number_format for c in "DEFGHIJKLMNOPQRSU"} == {MONEY_FORMAT}
    assert fund[f"{'T'}{row_of(fund, 'C', 'Victim support hubs')}"].number_format == "dd/mm/yyyy"
    assert fund[f"D{core}"].font.b
    retained = workbook["Retained income"]
    assert retained["F5"].number_format == "#,##0"
    assert retained["H5"].value == 0.25 and retained["H5"].number_format == "0.00%"


def test_rebuilding_gives_the_same_bytes(scenario):
    params = parameters_parse(year="2025/26", as_at="2026-03-31", known_at=scenario.known_at)
    from reports.renderers import xlsx

    first = pack_build(params, issued_by="Diana")
    again = pack_build(params, issued_by="Diana", issued_at=first.issued_at)
    assert xlsx.render(first) == xlsx.render(again)


def test_the_pack_is_namespaced_xml_that_lxml_reads_too(scenario):
    """openpyxl reads with lxml when it is installed; the pack's document properties must be valid namespaced XML
    for it (they once had unbound prefixes: issue 14). Read here with xml.etree and, when installed, with lxml."""
    import io
    import zipfile
    from xml.etree import ElementTree

    _name, _type, content = render("xlsx", year="2025/26", as_at="2026-03-31", known_at=scenario.known_at,
                                   user=scenario.director)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name.endswith((".xml", ".rels"))}
    for part in parts.values():
        ElementTree.fromstring(part)
    etree = pytest.importorskip("lxml.etree")
    for part in parts.values():
        etree.fromstring(part)
