"""A funder return (``reports.funder_returns.FunderReturn``) as Excel and as PDF, in the house style of the statement
renderers (their fonts, fills, page furniture and deterministic output are reused, not copied).

Excel: one sheet; amounts are numbers in the £ format; each category row's total and the totals of the category
table are live ``SUM`` formulas, spent is the table's total, and unspent is received less spent, so a funder can
follow every figure; those are its only live formulas, and every name in it is a string cell that shows exactly as
written (``reports.cells.excel_set``). The header states the sign convention and the definitions. Both files are
built only from the return and its moment of production (document dates included), so the same return gives the same
bytes.
"""

import io
import math
from datetime import UTC
from xml.sax.saxutils import escape

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

from core.money import format_gbp
from reports.cells import Formula, excel_set, local_naive
from reports.funder_returns import DEFINITIONS, SIGN_CONVENTION
from reports.renderers import pdf, xlsx

TEXT_WIDTH = 52
FIGURE_WIDTH = 18
WRAP = Alignment(wrap_text=True, vertical="top")
CATEGORY_HEADINGS = ("Service category", "Grants funded", "Grant payments less clawbacks", "Supplier spending",
                     "Total spent")
OUTCOME_HEADINGS = ("Outcome measure", "Unit", "Achieved", "Accepted returns reporting it")


def _count_format(value) -> str:
    return xlsx.INTEGER_FORMAT if value == value.to_integral_value() else xlsx.NUMBER_FORMAT


def _facts(ret) -> list[tuple[str, object, str | None]]:
    ring = settings.RINGFENCE
    return [
        ("Fund", f"{ret.fund.code} {ret.fund.name}", None),
        ("Funder", ret.funder, None),
        ("Financial year", ret.year.label, None),
        ("Period", ret.period_label, None),
        ("Period starts", ret.period_start, xlsx.DATE_FORMAT),
        ("Period ends", ret.period_end, xlsx.DATE_FORMAT),
        ("Produced at (figures as recorded by)", local_naive(ret.produced_at).replace(microsecond=0),
         xlsx.MOMENT_FORMAT),
        ("Owning body", ring["OWNING_BODY"], None),
        ("Protective marking", ring["PROTECTIVE_MARKING"], None),
    ]


class _Sheet:
    """Appends rows to a worksheet, keeping count of the row number."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 0

    def add(self, *values, formats=(), font=None, fill=None, border=None) -> int:
        self.row += 1
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = excel_set(self.ws.cell(row=self.row, column=column), value)  # text stays text; a Formula is live
            if column - 1 < len(formats) and formats[column - 1]:
                cell.number_format = formats[column - 1]
            if font:
                cell.font = font
            if fill:
                cell.fill = fill
            if border:
                cell.border = border
        return self.row

    def text(self, text: str, *, font=None, label: str | None = None) -> int:
        """A paragraph across the sheet (after an optional bold label in column A), wrapped, tall enough to read."""
        self.row += 1
        first = 2 if label else 1
        if label:
            excel_set(self.ws.cell(row=self.row, column=1), label).font = xlsx.BOLD
            self.ws.cell(row=self.row, column=1).alignment = WRAP
        cell = excel_set(self.ws.cell(row=self.row, column=first), text)
        cell.alignment = WRAP
        if font:
            cell.font = font
        self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=5)
        width = (TEXT_WIDTH if first == 1 else 0) + 4 * FIGURE_WIDTH
        self.ws.row_dimensions[self.row].height = 14 * max(1, math.ceil(len(text) * 1.1 / width))
        return self.row

    def blank(self):
        self.row += 1


def render_xlsx(ret) -> bytes:
    ring = settings.RINGFENCE
    wb = Workbook()
    ws = wb.active
    ws.title = "Funder return"
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = TEXT_WIDTH
    for letter in "BCDE":
        ws.column_dimensions[letter].width = FIGURE_WIDTH
    s = _Sheet(ws)
    heading = Font(bold=True, size=13)

    s.add(ret.title, font=Font(bold=True, size=16))
    s.add(f"{ret.funder}, {ret.period_label}", font=Font(size=12))
    s.add(f"{ring['OWNING_BODY']}; produced {local_naive(ret.produced_at):%d/%m/%Y %H:%M}; "
          f"{ring['PROTECTIVE_MARKING']}")
    s.text(f"Sign convention: {SIGN_CONVENTION}", font=xlsx.BOLD)
    s.blank()
    s.add("Definitions", font=heading)
    for label, text in DEFINITIONS:
        s.text(text, label=label)
    s.blank()

    s.add("About this return", font=heading)
    for label, value, fmt in _facts(ret):
        s.add(label, value, formats=(None, fmt))
        ws.cell(row=s.row, column=1).font = xlsx.BOLD
    s.blank()

    s.add("Money received and spent", font=heading)
    received = s.add("Money received in the period", ret.received, formats=(None, xlsx.MONEY_FORMAT))
    if ret.awarded is not None:
        s.add("Awarded for the year (for information)", ret.awarded, formats=(None, xlsx.MONEY_FORMAT))
    money_rows = (s.row + 1, s.row + 2)
    s.row += 2  # spent and unspent: written once the category table's total row is known
    s.blank()

    s.add("Spent by service category", font=heading)
    s.add(*CATEGORY_HEADINGS, font=xlsx.HEADER_FONT, fill=xlsx.HEADER_FILL)
    first = s.row + 1
    for row in ret.categories:
        r = s.row + 1
        if row.is_other:
            s.add(row.name, row.grants, None, None, row.total,
                  formats=(None, xlsx.INTEGER_FORMAT, None, None, xlsx.MONEY_FORMAT))
        else:
            s.add(row.name, row.grants, row.grant_spending, row.supplier_spending, Formula(f"=SUM(C{r}:D{r})"),
                  formats=(None, xlsx.INTEGER_FORMAT, xlsx.MONEY_FORMAT, xlsx.MONEY_FORMAT, xlsx.MONEY_FORMAT))
    last = s.row
    total = s.add("Total spent", *(Formula(f"=SUM({c}{first}:{c}{last})") for c in "BCDE"),
                  formats=(None, xlsx.INTEGER_FORMAT, xlsx.MONEY_FORMAT, xlsx.MONEY_FORMAT, xlsx.MONEY_FORMAT),
                  font=xlsx.BOLD, fill=xlsx.TOTAL_FILL, border=xlsx.TOTAL_LINES)
    s.add("The fund's actual spending in the ledger for the period (the total above equals it)", None, None, None,
          ret.ledger_actual, formats=(None, None, None, None, xlsx.MONEY_FORMAT))
    ws.cell(row=s.row, column=1).alignment = WRAP
    ws.row_dimensions[s.row].height = 28

    spent_row, unspent_row = money_rows
    for row_number, label, value in ((spent_row, "Spent in the period", Formula(f"=E{total}")),
                                     (unspent_row, "Unspent (received less spent)",
                                      Formula(f"=B{received}-B{spent_row}"))):
        excel_set(ws.cell(row=row_number, column=1), label)
        cell = excel_set(ws.cell(row=row_number, column=2), value)
        cell.number_format = xlsx.MONEY_FORMAT
        if row_number == unspent_row:
            ws.cell(row=row_number, column=1).font = xlsx.BOLD
            cell.font = xlsx.BOLD
    s.blank()

    s.add("Services funded", font=heading)
    for label, value in (("Grants funded", ret.grants_funded), ("Commissioned services funded", ret.services_funded),
                         ("Providers funded", ret.providers_funded)):
        s.add(label, value, formats=(None, xlsx.INTEGER_FORMAT))
    s.blank()

    s.add("People supported and outcomes achieved", font=heading)
    s.add(*OUTCOME_HEADINGS, font=xlsx.HEADER_FONT, fill=xlsx.HEADER_FILL)
    for row in ret.outcomes:
        s.add(row.name, row.unit, row.achieved, row.returns,
              formats=(None, None, _count_format(row.achieved), xlsx.INTEGER_FORMAT))
    if not ret.outcomes:
        s.add("The fund has no outcome measures.")
    s.add("Accepted monitoring returns counted", ret.returns_counted, formats=(None, xlsx.INTEGER_FORMAT))
    s.add("Returns for the period not counted (not yet accepted)", ret.returns_not_counted,
          formats=(None, xlsx.INTEGER_FORMAT))
    if ret.notes:
        s.blank()
        s.add("Notes", font=heading)
        for note in ret.notes:
            s.text(note)
    s.blank()

    s.add("Signed", font=heading)
    for label, value, fmt in (("Signed by", ret.signed_by_name, None), ("Title", ret.signed_by_title, None),
                              ("Date", local_naive(ret.produced_at).date(), xlsx.DATE_FORMAT),
                              ("For", ring["OWNING_BODY"], None)):
        s.add(label, value, formats=(None, fmt))
        ws.cell(row=s.row, column=1).font = xlsx.BOLD

    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = ring["PROTECTIVE_MARKING"]
    ws.oddFooter.left.text = ret.half_label
    ws.oddFooter.center.text = ring["PROTECTIVE_MARKING"]
    ws.oddFooter.right.text = "Page &P of &N"

    stamp = ret.produced_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # openpyxl: naive UTC
    wb.properties.creator = ring["OWNING_BODY_SHORT"]
    wb.properties.title = f"{ret.title}, {ret.half_label}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.lastModifiedBy = ""
    buffer = io.BytesIO()
    wb.save(buffer)
    return xlsx._deterministic_zip(buffer.getvalue(), stamp)


# --- PDF ---------------------------------------------------------------------------------------------------------

class _Furniture(pdf._Furniture):
    """The statements' page furniture (marking top and bottom, body, title, the period line, page x of y), for a
    return rather than a pack."""

    def __init__(self, ret):  # the statements' furniture reads a pack; a return sets the same lines itself
        self.marking = settings.RINGFENCE["PROTECTIVE_MARKING"]
        self.body = settings.RINGFENCE["OWNING_BODY_SHORT"]
        self.title = f"Funder return {ret.fund.code}, {ret.half_label}"
        self.as_at = f"{ret.period_label}; figures as recorded by {local_naive(ret.produced_at):%d/%m/%Y %H:%M}"
        self.note = ("Sign convention: money received and spent are positive; unspent = received less spent "
                     "(positive: less was spent than received).")


def _canvas_maker(ret):
    """The statements' numbered canvas, with the document's dates set to the moment of production (reportlab's
    invariant mode would write a fixed date), so the file depends on nothing but the return."""
    base = pdf._canvas_maker(_Furniture(ret))
    stamp = ret.produced_at.astimezone(UTC)

    class ReturnCanvas(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_: f"D:{stamp:%Y%m%d%H%M%S}+00'00'")

    return ReturnCanvas


def _table(rows, widths, *, header: bool = True, total: bool = False, numeric=(), size: float = 9) -> Table:
    """A table in the statements' style: navy header row, thin rules, figures right-aligned, the total shaded."""
    plain, bold = pdf._cell_style(size), pdf._cell_style(size, bold=True)
    head, head_right = pdf._cell_style(size, bold=True, white=True), pdf._cell_style(size, bold=True, white=True,
                                                                                     right=True)
    data = []
    for index, row in enumerate(rows):
        is_head = header and index == 0
        is_total = total and index == len(rows) - 1
        cells = []
        for column, value in enumerate(row):
            text = escape("" if value is None else str(value))
            if is_head:
                cells.append(Paragraph(text, head_right if column in numeric else head))
            elif column in numeric:
                cells.append(text)
            else:
                cells.append(Paragraph(text, bold if is_total or (not header and column == 0) else plain))
        data.append(cells)
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, pdf.GRID),
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"), ("FONTSIZE", (0, 0), (-1, -1), size),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in numeric]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), pdf.NAVY))
    if total:
        commands += [("BACKGROUND", (0, -1), (-1, -1), pdf.TOTAL_FILL),
                     ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
                     ("LINEBELOW", (0, -1), (-1, -1), 1.5, colors.black)]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
    table.setStyle(TableStyle(commands))
    return table


def _count(value) -> str:
    return f"{value.normalize():,f}" if hasattr(value, "normalize") else f"{value:,}"


def render_pdf(ret) -> bytes:
    ring = settings.RINGFENCE
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=pdf.PAGE, leftMargin=pdf.MARGIN, rightMargin=pdf.MARGIN, topMargin=16 * mm,
        bottomMargin=14 * mm, title=f"{ret.title}, {ret.half_label}", author=ring["OWNING_BODY"],
        subject=ring["PROTECTIVE_MARKING"], creator="Ringfence", invariant=1,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[
        Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")])])
    label_width = 90 * mm
    figure = 34 * mm

    def heading(text):
        return Paragraph(escape(text), pdf.HEADING)

    facts = [(label, f"{value:%d/%m/%Y}" if fmt == xlsx.DATE_FORMAT else
              f"{value:%d/%m/%Y %H:%M}" if fmt == xlsx.MOMENT_FORMAT else value) for label, value, fmt in _facts(ret)]
    money = [("Money received in the period", format_gbp(ret.received))]
    if ret.awarded is not None:
        money.append(("Awarded for the year (for information)", format_gbp(ret.awarded)))
    money += [("Spent in the period", format_gbp(ret.spent)), ("Unspent (received less spent)",
                                                                 format_gbp(ret.unspent))]
    categories = [CATEGORY_HEADINGS]
    for row in ret.categories:
        categories.append((row.name, f"{row.grants:,}", "" if row.is_other else format_gbp(row.grant_spending),
                           "" if row.is_other else format_gbp(row.supplier_spending), format_gbp(row.total)))
    categories.append(("Total spent", f"{sum(r.grants for r in ret.categories):,}",
                       format_gbp(sum(r.grant_spending for r in ret.categories if not r.is_other)),
                       format_gbp(sum(r.supplier_spending for r in ret.categories if not r.is_other)),
                       format_gbp(ret.spent)))
    outcomes = [OUTCOME_HEADINGS] + [(r.name, r.unit, _count(r.achieved), f"{r.returns:,}") for r in ret.outcomes]
    story = [
        Paragraph(escape(ret.title), pdf.TITLE),
        Paragraph(escape(f"{ret.funder}, {ret.period_label}"), pdf.SUBTITLE),
        Spacer(1, 4 * mm),
        _table(facts, [label_width, doc.width - label_width], header=False),
        Spacer(1, 3 * mm),
        Paragraph(f"<b>Sign convention.</b> {escape(SIGN_CONVENTION)}", pdf.NOTE),
        KeepTogether([heading("Money received and spent"),
                      _table(money, [label_width, figure], header=False, numeric=(1,))]),
        KeepTogether([
            heading("Spent by service category"),
            _table(categories, [doc.width - 4 * figure, figure, figure, figure, figure], total=True,
                   numeric=(1, 2, 3, 4)),
            Spacer(1, 2 * mm),
            Paragraph(escape(f"The fund's actual spending in the ledger for the period is "
                             f"{format_gbp(ret.ledger_actual)}: the total above equals it."), pdf.NOTE),
        ]),
        KeepTogether([
            heading("Services funded"),
            _table([("Grants funded", f"{ret.grants_funded:,}"),
                    ("Commissioned services funded", f"{ret.services_funded:,}"),
                    ("Providers funded", f"{ret.providers_funded:,}")], [label_width, figure], header=False,
                   numeric=(1,)),
        ]),
        KeepTogether([
            heading("People supported and outcomes achieved"),
            _table(outcomes, [doc.width - 40 * mm - figure - 50 * mm, 40 * mm, figure, 50 * mm], numeric=(2, 3))
            if ret.outcomes else Paragraph("The fund has no outcome measures.", pdf.BODY),
            Spacer(1, 2 * mm),
            Paragraph(escape(f"Accepted monitoring returns counted: {ret.returns_counted:,}. Returns for the period "
                             f"not counted (not yet accepted): {ret.returns_not_counted:,}."), pdf.NOTE),
        ]),
    ]
    if ret.notes:
        story.append(KeepTogether([heading("Notes")] + [Paragraph(escape(note), pdf.BODY) for note in ret.notes]))
    story.append(KeepTogether([
        heading("Signed"),
        _table([("Signed by", ret.signed_by_name), ("Title", ret.signed_by_title),
                ("Date", f"{local_naive(ret.produced_at):%d/%m/%Y}"), ("For", ring["OWNING_BODY"])],
               [label_width, doc.width - label_width], header=False),
    ]))
    story.append(KeepTogether(
        [heading("Definitions")]
        + [Paragraph(f"<b>{escape(label)}.</b> {escape(text)}", pdf.NOTE) for label, text in DEFINITIONS]))
    doc.build(story, canvasmaker=_canvas_maker(ret))
    return buffer.getvalue()
