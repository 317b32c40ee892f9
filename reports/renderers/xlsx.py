"""Excel: one workbook, a cover sheet and one sheet per statement (openpyxl, write-only so large packs stream).

Subtotal and total rows are live ``SUM`` formulas over the rows they add up, so a finance director can follow every
total; by construction (see ``reports.registry``) each formula's result equals the figure the statement computed.
Variances a statement declares (``variances``) are live formulas too, with the one sign convention of
``funds.selectors.variance``: on each line, variance = budget - outturn; on every row, variance % = ROUND(variance /
budget, 4), written only where the statement gave a figure. Where a fund's lines do not carry a figure (ledger
figures are per fund, not per budget line), the subtotal cell holds the figure itself. Those formulas are the only
live ones: every text cell is a string cell, and text that begins like a formula (``=2+3 Formula Trust``) carries
the ``quotePrefix`` style, so it shows exactly as written and is never evaluated (``reports.cells.excel_set``). The
file is built deterministically (fixed document and zip timestamps), so rebuilding a pack for the same parameters
gives the same bytes.
"""

import io
from datetime import UTC, datetime

from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.workbooks import workbook_fixed
from reports.cells import Formula, excel_set, local_naive
from reports.registry import DATE, INTEGER, LINE, MOMENT, MONEY, NUMBER, PERCENT, SUBTOTAL, TEXT, TOTAL
from reports.statements.common import VARIANCE_NOTE

MONEY_FORMAT = '"£"#,##0.00'
PERCENT_FORMAT = "0.00%"
INTEGER_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_ROW = 4  # title, as-at line, description, then the column headings
MAX_SUM_ARGS = 250  # Excel allows 255 arguments per function
MAX_FORMULA = 8000  # and 8,192 characters per formula

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SUBTOTAL_FILL = PatternFill("solid", fgColor="E7ECF5")
TOTAL_FILL = PatternFill("solid", fgColor="C9D3E6")
TOP_LINE = Border(top=Side(style="thin"))
TOTAL_LINES = Border(top=Side(style="thin"), bottom=Side(style="double"))
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell(ws, value, *, number_format=None, font=None, fill=None, border=None):
    """A styled cell: text stays text whatever it begins with, only a ``Formula`` is live (``reports.cells``)."""
    cell = excel_set(WriteOnlyCell(ws), value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if border:
        cell.border = border
    return cell


def excel_value(value, column_type):
    """A value as an Excel cell holds it: numbers as numbers, text as text (``_cell`` writes it as a string cell,
    inert even when it begins with ``=``), moments in UK local time."""
    if value is None or value == "":
        return None
    if column_type == PERCENT:
        return value / 100
    if column_type == MOMENT and isinstance(value, datetime):
        return local_naive(value)
    if column_type in (MONEY, INTEGER, NUMBER, DATE):
        return value
    return str(value)


FORMATS = {MONEY: MONEY_FORMAT, PERCENT: PERCENT_FORMAT, INTEGER: INTEGER_FORMAT, NUMBER: NUMBER_FORMAT,
           DATE: DATE_FORMAT, MOMENT: MOMENT_FORMAT}


def sum_formula(refs: list[str]) -> str | None:
    """=SUM(...) over cell references and ranges, nested when there are more than Excel takes in one call."""
    if not refs:
        return None
    if len(refs) <= MAX_SUM_ARGS:
        formula = f"=SUM({','.join(refs)})"
    else:
        chunks = [refs[i:i + MAX_SUM_ARGS] for i in range(0, len(refs), MAX_SUM_ARGS)]
        formula = "=SUM(" + ",".join(f"SUM({','.join(chunk)})" for chunk in chunks) + ")"
    return Formula(formula) if len(formula) <= MAX_FORMULA else None


def _cover(wb, pack):
    ring = settings.RINGFENCE
    ws = wb.create_sheet("Cover")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws.sheet_view.showGridLines = False
    ws.append([_cell(ws, pack.title, font=Font(bold=True, size=18))])
    ws.append([_cell(ws, ring["OWNING_BODY"], font=Font(size=13))])
    ws.append([])
    facts = [
        ("Owning body", ring["OWNING_BODY"], None),
        ("Financial year", pack.params.year.label, None),
        ("As at (accounting date)", pack.params.as_at, DATE_FORMAT),
        ("Known at (figures as recorded by)", local_naive(pack.params.known_at), MOMENT_FORMAT),
        ("Issued by" if pack.issued else "Produced by", pack.issued_by or "", None),
        ("Issued at" if pack.issued else "Produced at", local_naive(pack.issued_at), MOMENT_FORMAT),
        ("Pack hash (SHA-256 of the figures)", pack.figures_hash, None),
        ("Protective marking", ring["PROTECTIVE_MARKING"], None),
    ]
    if not pack.issued:
        facts.append(("Status", "Not an issued pack: produced on request, not recorded as issued.", None))
    for label, value, fmt in facts:
        ws.append([_cell(ws, label, font=BOLD), _cell(ws, value, number_format=fmt)])
    ws.append([])
    ws.append([_cell(ws, "Contents", font=Font(bold=True, size=13))])
    for built in pack.statements:
        ws.append([_cell(ws, built.statement.short_title or built.statement.title, font=BOLD),
                   _cell(ws, built.statement.description)])
    ws.append([])
    ws.append([_cell(ws, "Figures are in pounds sterling. Rebuilding this pack for the same year, as-at date and "
                         "known-at moment gives the same figures and the same pack hash.")])
    ws.append([_cell(ws, VARIANCE_NOTE)])
    _page_setup(ws, pack, landscape=False)


def _page_setup(ws, pack, *, landscape=True):
    marking = settings.RINGFENCE["PROTECTIVE_MARKING"]
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = marking
    ws.oddHeader.center.font = "Arial,Bold"
    ws.oddFooter.left.text = f"As at {pack.params.as_at:%d/%m/%Y}"
    ws.oddFooter.center.text = marking
    ws.oddFooter.right.text = "Page &P of &N"


def _statement_sheet(wb, pack, built):
    statement = built.statement
    columns = statement.columns
    ws = wb.create_sheet(_sheet_name(statement))
    leading_text = 0
    for column in columns:
        if column.type != TEXT or leading_text >= 3:
            break
        leading_text += 1
    ws.freeze_panes = f"{get_column_letter(leading_text + 1)}{HEADER_ROW + 1}"
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width + 2
    last_col = get_column_letter(len(columns))
    p = pack.params
    ws.append([_cell(ws, f"{statement.title}: {p.year.label}", font=TITLE_FONT)])
    ws.append([_cell(ws, f"As at {p.as_at:%d/%m/%Y}; known at {local_naive(p.known_at):%d/%m/%Y %H:%M}; "
                         f"{settings.RINGFENCE['PROTECTIVE_MARKING']}")])
    ws.append([_cell(ws, statement.description)])
    ws.append([_cell(ws, c.title, font=HEADER_FONT, fill=HEADER_FILL) for c in columns])

    letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
    letter_of = {c.key: letter for c, letter in zip(columns, letters, strict=True)}
    variance_formulas = _variance_formulas(statement, letter_of)
    row_number = HEADER_ROW
    group_start = HEADER_ROW + 1
    group_has = set()  # columns for which the current group's lines carry a figure
    subtotal_rows = []
    for row in built.rows:
        row_number += 1
        cells = []
        for letter, column in zip(letters, columns, strict=True):
            value = excel_value(row[column.key], column.type)
            if column.summable and row.kind == SUBTOTAL and column.key in group_has:
                value = Formula(f"=SUM({letter}{group_start}:{letter}{row_number - 1})")
            elif column.summable and row.kind == TOTAL:
                refs = ([f"{letter}{r}" for r in subtotal_rows] if subtotal_rows
                        else [f"{letter}{HEADER_ROW + 1}:{letter}{row_number - 1}"] if row_number > HEADER_ROW + 1
                        else [])
                value = sum_formula(refs) or value
            if value is not None and column.key in variance_formulas:
                value = variance_formulas[column.key](row, row_number) or value
            style = {}
            if row.kind == SUBTOTAL:
                style = {"font": BOLD, "fill": SUBTOTAL_FILL, "border": TOP_LINE}
            elif row.kind == TOTAL:
                style = {"font": BOLD, "fill": TOTAL_FILL, "border": TOTAL_LINES}
            cells.append(_cell(ws, value, number_format=FORMATS.get(column.type), **style))
        ws.append(cells)
        if row.kind == LINE:
            group_has.update(c.key for c in columns if c.summable and row[c.key] is not None)
        elif row.kind == SUBTOTAL:
            subtotal_rows.append(row_number)
            group_start = row_number + 1
            group_has = set()
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(row_number, HEADER_ROW + 1)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _page_setup(ws, pack)


def _variance_formulas(statement, letter_of: dict[str, str]) -> dict:
    """Per variance column, a function (row, row number) -> formula or None: the difference on detail lines (their
    subtotals stay SUMs of the lines) and the percentage on every row, so each shows how its sign arises."""
    formulas = {}
    for v in getattr(statement, "variances", ()):
        amount, budget, outturn = letter_of[v.amount], letter_of[v.budget], letter_of[v.outturn]

        def difference(row, n, budget=budget, outturn=outturn, v=v):
            if row.kind == LINE and row[v.budget] is not None and row[v.outturn] is not None:
                return Formula(f"={budget}{n}-{outturn}{n}")
            return None

        def ratio(row, n, amount=amount, budget=budget):
            return Formula(f"=ROUND({amount}{n}/{budget}{n},4)")

        formulas[v.amount] = difference
        formulas[v.percent] = ratio
    return formulas


def _sheet_name(statement) -> str:
    name = statement.short_title or statement.title
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:31]


def _deterministic_zip(data: bytes, when: datetime) -> bytes:
    """One fixed timestamp on every zip member and as the document's modification time (openpyxl stamps the moment
    of saving), so equal content gives equal bytes; ``docProps/core.xml`` stays valid namespaced XML whether
    openpyxl wrote it with xml.etree or lxml (``core.workbooks``)."""
    return workbook_fixed(data, when)


def render(pack) -> bytes:
    wb = Workbook(write_only=True)
    stamp = pack.issued_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # openpyxl: naive UTC
    wb.properties.creator = settings.RINGFENCE["OWNING_BODY_SHORT"]
    wb.properties.title = f"{pack.title} {pack.params.year.label} as at {pack.params.as_at:%d/%m/%Y}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.lastModifiedBy = pack.issued_by or ""
    _cover(wb, pack)
    for built in pack.statements:
        _statement_sheet(wb, pack, built)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _deterministic_zip(buffer.getvalue(), stamp)
