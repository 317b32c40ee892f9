"""The bank reconciliation report, "Bank reconciliation <month>", as Excel and PDF.

Both show the balance statement (the bank's closing balance, each kind of unmatched item added or taken off, the
cash account it comes to, the cash account per the ledger and the difference), the matched lines, and the
unmatched lists. In Excel the amounts are numbers ('£#,##0.00'), every total is a live formula (=SUM(...)) over
the rows it adds, each balance-statement line refers to its list's total, and the "Reconciled" check is a formula,
so the sheet recalculates in Excel or LibreOffice; text from a bank file is a string cell, never run as a formula
(``reports.cells.excel_set``). Both files depend only on the data: the same reconciliation
gives the same bytes (fixed document times, reportlab's invariant mode).
"""

import io
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from banking.reconciliation import Reconciliation
from core.money import format_gbp
from core.workbooks import Formula, excel_set, workbook_fixed

MONEY_FORMAT = "£#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
BOLD = Font(bold=True)
TOTAL_LINES = Border(top=Side(style="thin"), bottom=Side(style="double"))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def title(result: Reconciliation) -> str:
    return f"Bank reconciliation {result.statement.month_name}"


def filename(result: Reconciliation, extension: str) -> str:
    return f"bank-reconciliation-{result.statement.period.start_date:%Y-%m}.{extension}"


def _text(value) -> str:
    """Text from a bank file or a person; ``put`` writes it as a string cell, never run as a formula."""
    return "" if value is None else str(value)


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _facts(result: Reconciliation) -> list[str]:
    s = result.statement
    facts = [
        f"{settings.RINGFENCE['OWNING_BODY']}. Cash at bank (ledger account 1000, all funds) against the bank "
        f"statement for {s.month_name} ({s.period.start_date:%d/%m/%Y} to {s.period.end_date:%d/%m/%Y}).",
        f"Statement file {s.file_name} (SHA-256 {s.file_sha256}), imported by {_person(s.imported_by)} on "
        f"{timezone.localtime(s.imported_at):%d/%m/%Y}; opening balance {format_gbp(s.opening_balance.amount)}, "
        f"closing balance {format_gbp(s.closing_balance.amount)}.",
    ]
    if s.is_reconciled:
        facts.append(f"Signed off as reconciled by {_person(s.reconciled_by)} on "
                     f"{timezone.localtime(s.reconciled_at):%d/%m/%Y %H:%M}; figures as known then.")
    else:
        facts.append("Not signed off: figures as currently recorded.")
    return facts


def _sections(result: Reconciliation):
    """The unmatched lists, by kind, as (key, heading, rows of (date, reference, description, amount, source))."""
    def items(found):
        return [(i.date, i.reference, i.description, i.amount,
                 f"Entry {i.entry.reference}; {', '.join(i.funds)}") for i in found]

    def lines(found):
        return [(line.date, line.reference, line.description, line.amount.amount,
                 f"Statement {line.statement.month_name} row {line.number}") for line in found]

    return [
        ("lodgements", "Outstanding lodgements: received in the cash account, not yet in the bank",
         items(result.outstanding_lodgements)),
        ("unpresented", "Unpresented payments: paid in the cash account, not yet through the bank",
         items(result.unpresented_payments)),
        ("bank_receipts", "Receipts in the bank not yet in the cash account", lines(result.bank_receipts_unrecorded)),
        ("bank_payments", "Payments from the bank not yet in the cash account",
         lines(result.bank_payments_unrecorded)),
    ]


def _matched_rows(result: Reconciliation):
    """(match number, side, date, reference, description, bank amount, cash amount) for every matched line/item."""
    rows = []
    for view in result.matches:
        number = f"Match {view.match.pk}" + (f" ({view.match.rule})" if view.match.rule else "")
        for line in view.lines:
            rows.append((number, f"Bank row {line.number}", line.date, line.reference, line.description,
                         line.amount.amount, None))
        for item in view.items:
            rows.append((number, f"Entry {item.entry.reference}", item.date, item.reference, item.description,
                         None, item.amount))
    return rows


# --- Excel -------------------------------------------------------------------------------------------------------

def _stamp(result: Reconciliation) -> datetime:
    s = result.statement
    return (s.reconciled_at or s.imported_at).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _deterministic_zip(data: bytes, when: datetime) -> bytes:
    """One fixed timestamp on every zip member and as the document's modification time (openpyxl stamps the moment
    of saving), so the same reconciliation gives the same bytes; valid XML with or without lxml (core.workbooks)."""
    return workbook_fixed(data, when)


def xlsx(result: Reconciliation) -> bytes:
    """One sheet: balance statement at the top (column D), then the matched lines, then each unmatched list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Reconciliation"
    stamp = _stamp(result)
    wb.properties.creator = settings.RINGFENCE["OWNING_BODY_SHORT"]
    wb.properties.title = title(result)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    for column, width in zip("ABCDEF", (14, 30, 44, 16, 16, 40), strict=True):
        ws.column_dimensions[column].width = width

    def put(row, column, value, *, number_format=None, font=None, border=None):
        cell = excel_set(ws.cell(row=row, column=column), value)  # text stays text; only a Formula is live
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        if border:
            cell.border = border
        return cell

    put(1, 1, title(result), font=Font(bold=True, size=14))
    row = 2
    for fact in _facts(result):
        put(row, 1, _text(fact))
        row += 1
    row += 1
    put(row, 1, "Balance statement", font=Font(bold=True, size=12))
    row += 1
    balance_rows = result.balance_statement()
    first = row
    kind_row = {}
    for balance in balance_rows:
        label = balance.label + (f" ({balance.count})" if balance.count is not None else "")
        put(row, 1, label)
        kind_row[balance.key] = row
        put(row, 4, balance.amount, number_format=MONEY_FORMAT)  # the kinds become formulas below
        row += 1
    reconciled_row = row
    put(row, 1, "Cash account balance as reconciled", font=BOLD)
    put(row, 4, Formula(f"=SUM(D{first}:D{row - 1})"), number_format=MONEY_FORMAT, font=BOLD, border=TOTAL_LINES)
    ledger_row = row + 1
    put(ledger_row, 1, f"Cash account balance per ledger at {result.month_end:%d/%m/%Y} (account 1000, all funds)")
    put(ledger_row, 4, result.cash_balance, number_format=MONEY_FORMAT)
    difference_row = row + 2
    put(difference_row, 1, "Difference (as reconciled less per ledger)", font=BOLD)
    put(difference_row, 4, Formula(f"=ROUND(D{reconciled_row}-D{ledger_row},2)"), number_format=MONEY_FORMAT,
        font=BOLD)
    check_row = row + 3
    put(check_row, 1, "Reconciled", font=BOLD)
    put(check_row, 4, Formula(f'=IF(D{difference_row}=0,"Yes","No")'), font=BOLD)
    row = check_row + 2

    put(row, 1, "Matched", font=Font(bold=True, size=12))
    row += 1
    for column, heading in enumerate(("Date", "Reference", "Description", "Bank", "Cash account", "Match"), start=1):
        put(row, column, heading, font=BOLD)
    row += 1
    top = row
    for number, side, day, reference, description, bank, cash in _matched_rows(result):
        put(row, 1, day, number_format=DATE_FORMAT)
        put(row, 2, _text(reference))
        put(row, 3, _text(description))
        put(row, 4, bank, number_format=MONEY_FORMAT)
        put(row, 5, cash, number_format=MONEY_FORMAT)
        put(row, 6, f"{number}: {side}")
        row += 1
    if row == top:
        put(row, 2, "Nothing matched")
        row += 1
    put(row, 1, "Total", font=BOLD)
    put(row, 4, Formula(f"=SUM(D{top}:D{row - 1})"), number_format=MONEY_FORMAT, font=BOLD, border=TOTAL_LINES)
    put(row, 5, Formula(f"=SUM(E{top}:E{row - 1})"), number_format=MONEY_FORMAT, font=BOLD, border=TOTAL_LINES)
    row += 2

    signs = {"lodgements": "", "unpresented": "", "bank_receipts": "-", "bank_payments": "-"}
    for key, heading, rows in _sections(result):
        put(row, 1, heading, font=Font(bold=True, size=12))
        row += 1
        for column, name in enumerate(("Date", "Reference", "Description", "Amount", "", "Source"), start=1):
            if name:
                put(row, column, name, font=BOLD)
        row += 1
        top = row
        for day, reference, description, amount, source in rows:
            put(row, 1, day, number_format=DATE_FORMAT)
            put(row, 2, _text(reference))
            put(row, 3, _text(description))
            put(row, 4, amount, number_format=MONEY_FORMAT)
            put(row, 6, _text(source))
            row += 1
        if not rows:
            put(row, 2, "None")
            row += 1
        put(row, 1, "Total", font=BOLD)
        put(row, 4, Formula(f"=SUM(D{top}:D{row - 1})"), number_format=MONEY_FORMAT, font=BOLD, border=TOTAL_LINES)
        put(kind_row[key], 4, Formula(f"={signs[key]}D{row}"), number_format=MONEY_FORMAT)
        row += 2
    buffer = io.BytesIO()
    wb.save(buffer)
    return _deterministic_zip(buffer.getvalue(), stamp)


# --- PDF ---------------------------------------------------------------------------------------------------------

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("bank-title", parent=_styles["Title"], fontSize=18, leading=22, alignment=0)
HEADING = ParagraphStyle("bank-heading", parent=_styles["Heading2"], fontSize=12, leading=15, spaceBefore=6)
BODY = ParagraphStyle("bank-body", parent=_styles["Normal"], fontSize=9, leading=11)
CELL = ParagraphStyle("bank-cell", parent=_styles["Normal"], fontSize=8, leading=10)
NUMBER = ParagraphStyle("bank-number", parent=CELL, alignment=TA_RIGHT)
GRID = colors.HexColor("#B4BCCB")


def _numbered_canvas(footer: str):
    class NumberedCanvas(canvas.Canvas):
        """Holds each page until the end, so every page can say how many pages there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.drawString(15 * mm, 8 * mm, footer)
                self.drawRightString(A4[0] - 15 * mm, 8 * mm, f"Page {number} of {len(self._pages)}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _table(rows, widths, *, money_columns=(), total=False):
    data = [[Paragraph(escape(str(c)), NUMBER if i in money_columns and r else CELL) if c != "" else ""
             for i, c in enumerate(row)] for r, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.3, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E7ECF5"))]
    if total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
    table.setStyle(TableStyle(style))
    return table


def _gbp(value) -> str:
    return "" if value is None else format_gbp(value)


def pdf(result: Reconciliation) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title(result), author=settings.RINGFENCE["OWNING_BODY"],
                            subject=settings.RINGFENCE["PROTECTIVE_MARKING"], creator="Ringfence", invariant=1)
    story = [Paragraph(escape(title(result)), TITLE)]
    story += [Paragraph(escape(fact), BODY) for fact in _facts(result)]
    story.append(Paragraph("Balance statement", HEADING))
    rows = [("", "Amount")]
    rows += [(b.label + (f" ({b.count})" if b.count is not None else ""), format_gbp(b.amount))
             for b in result.balance_statement()]
    rows += [("Cash account balance as reconciled", format_gbp(result.reconciled_cash)),
             (f"Cash account balance per ledger at {result.month_end:%d/%m/%Y} (account 1000, all funds)",
              format_gbp(result.cash_balance)),
             ("Difference (as reconciled less per ledger)", format_gbp(result.reconciled_cash - result.cash_balance)),
             ("Reconciled", "Yes" if result.is_balanced else "No")]
    story.append(_table(rows, [140 * mm, 40 * mm], money_columns=(1,)))

    story.append(Paragraph("Matched", HEADING))
    matched = [("Match", "Date", "Reference", "Description", "Bank", "Cash account")]
    matched += [(f"{number}: {side}", f"{day:%d/%m/%Y}", reference, description, _gbp(bank), _gbp(cash))
                for number, side, day, reference, description, bank, cash in _matched_rows(result)]
    if len(matched) == 1:
        story.append(Paragraph("Nothing matched.", BODY))
    else:
        story.append(_table(matched, [42 * mm, 18 * mm, 34 * mm, 46 * mm, 20 * mm, 20 * mm], money_columns=(4, 5)))
    for _key, heading, found in _sections(result):
        story.append(Paragraph(escape(heading), HEADING))
        if not found:
            story.append(Paragraph("None.", BODY))
            continue
        rows = [("Date", "Reference", "Description", "Amount", "Source")]
        rows += [(f"{day:%d/%m/%Y}", reference, description, format_gbp(amount), source)
                 for day, reference, description, amount, source in found]
        rows.append(("Total", "", "", format_gbp(sum(r[3] for r in found)), ""))
        story.append(_table(rows, [18 * mm, 36 * mm, 56 * mm, 24 * mm, 46 * mm], money_columns=(3,), total=True))
    story.append(Spacer(1, 4 * mm))
    footer = f"{settings.RINGFENCE['PROTECTIVE_MARKING']} - {title(result)}"
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
