"""PDF board pack (reportlab): a cover, each statement as a table whose header row repeats on every page, a
budget-against-actual chart per fund, and on every page the protective marking, the as-at line and "Page x of y".
A statement too wide for one landscape page (``pdf_breaks``) is printed as a table in parts, one after the other,
each repeating the columns that name the row. No code or name in a table is broken inside a word (``_layout``):
each column is at least as wide as its widest word, the type shrinks (to ``SMALLEST_SIZE``) when a table's words
cannot all fit across the page, and only then does a word break, after a hyphen (FPN- / RETAINED).

Built with reportlab's invariant mode (no creation time or random document id in the file), so rebuilding a pack
for the same parameters gives the same bytes.

Fast enough for a large pack (issue 14; at bench tier L, 10,375 table rows on 565 pages, 6.5 times faster than
with a paragraph in every text cell: BENCHMARKS.md). A text cell holds plain lines, broken here as a ``Paragraph``
would break them and drawn by the table where the paragraph would have drawn them; only text a paragraph would lay
out otherwise is still a paragraph (parsing and wrapping one costs far more than drawing a string, and a long
table used to wrap each three times). Styles are made once, and a long table is laid out a page at a time
(``_PagedTable``). Text widths come from reportlab's C accelerators (the ``rl-accel`` package). The pages read
exactly as before: ``pdftotext`` gives the same text, line for line.
"""

import functools
import io
import itertools
import math
import re
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports.cells import display_text
from reports.registry import INTEGER, LINE, MONEY, NUMBER, PERCENT, SUBTOTAL, TEXT, TOTAL
from reports.statements.common import VARIANCE_NOTE

NUMERIC = (MONEY, PERCENT, INTEGER, NUMBER)

PAGE = landscape(A4)
MARGIN = 14 * mm
NAVY = colors.HexColor("#1F3864")
SUBTOTAL_FILL = colors.HexColor("#E7ECF5")
TOTAL_FILL = colors.HexColor("#C9D3E6")
GRID = colors.HexColor("#B4BCCB")
BUDGET_COLOUR = colors.HexColor("#8EA9DB")
ACTUAL_COLOUR = colors.HexColor("#1F3864")

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("rf-title", parent=_styles["Title"], fontSize=24, leading=30, alignment=0, textColor=NAVY)
SUBTITLE = ParagraphStyle("rf-subtitle", parent=_styles["Normal"], fontSize=14, leading=18)
HEADING = ParagraphStyle("rf-heading", parent=_styles["Heading1"], fontSize=15, leading=19, textColor=NAVY,
                         spaceAfter=4)
NOTE = ParagraphStyle("rf-note", parent=_styles["Normal"], fontSize=8, leading=10, textColor=colors.HexColor("#333333"))
BODY = ParagraphStyle("rf-body", parent=_styles["Normal"], fontSize=10, leading=13)


@functools.cache
def _cell_style(size: float, *, bold=False, right=False, white=False) -> ParagraphStyle:
    """The paragraph style of a table cell, made once per combination."""
    return ParagraphStyle(
        f"rf-cell-{size}-{bold}-{right}-{white}", parent=_styles["Normal"], fontSize=size, leading=size + 2,
        fontName="Helvetica-Bold" if bold else "Helvetica", alignment=TA_RIGHT if right else 0,
        textColor=colors.white if white else colors.black,
    )


class _Furniture:
    """What every page carries: marking top and bottom, the pack's title, as-at line, page x of y."""

    def __init__(self, pack):
        p = pack.params
        from reports.cells import local_naive

        self.marking = settings.RINGFENCE["PROTECTIVE_MARKING"]
        self.body = settings.RINGFENCE["OWNING_BODY_SHORT"]
        self.title = f"{pack.title}, {p.year.label}"
        self.as_at = f"As at {p.as_at:%d/%m/%Y}; known at {local_naive(p.known_at):%d/%m/%Y %H:%M}"
        self.note = VARIANCE_NOTE  # the sign convention, at the foot of every page

    def draw(self, canv, page: int, pages: int):
        width, height = PAGE
        canv.saveState()
        canv.setFont("Helvetica-Bold", 10)
        canv.drawCentredString(width / 2, height - 9 * mm, self.marking)
        canv.drawCentredString(width / 2, 6 * mm, self.marking)
        canv.setFont("Helvetica", 8)
        canv.drawString(MARGIN, height - 9 * mm, self.body)
        canv.drawRightString(width - MARGIN, height - 9 * mm, self.title)
        canv.drawString(MARGIN, 6 * mm, self.as_at)
        canv.drawRightString(width - MARGIN, 6 * mm, f"Page {page} of {pages}")
        canv.setFont("Helvetica", 7)
        if self.note:
            canv.drawCentredString(width / 2, 2.5 * mm, self.note)
        canv.setStrokeColor(GRID)
        canv.line(MARGIN, height - 10.5 * mm, width - MARGIN, height - 10.5 * mm)
        canv.line(MARGIN, 9.5 * mm, width - MARGIN, 9.5 * mm)
        canv.restoreState()


def _canvas_maker(furniture: _Furniture):
    class NumberedCanvas(canvas.Canvas):
        """Holds each page until the end, so every page can say how many pages there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                furniture.draw(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _cover(pack) -> list:
    from reports.cells import local_naive

    ring = settings.RINGFENCE
    p = pack.params
    facts = [
        ("Owning body", ring["OWNING_BODY"]),
        ("Financial year", p.year.label),
        ("As at (accounting date)", f"{p.as_at:%d/%m/%Y}"),
        ("Known at (figures as recorded by)", f"{local_naive(p.known_at):%d/%m/%Y %H:%M:%S}"),
        ("Issued by" if pack.issued else "Produced by", pack.issued_by or ""),
        ("Issued at" if pack.issued else "Produced at", f"{local_naive(pack.issued_at):%d/%m/%Y %H:%M}"),
        ("Pack hash (SHA-256 of the figures)", pack.figures_hash),
        ("Protective marking", ring["PROTECTIVE_MARKING"]),
    ]
    if not pack.issued:
        facts.append(("Status", "Not an issued pack: produced on request, not recorded as issued."))
    label = _cell_style(10, bold=True)
    value = _cell_style(10)
    table = Table([[Paragraph(escape(a), label), Paragraph(escape(b), value)] for a, b in facts],
                  colWidths=[70 * mm, 170 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    contents = [Paragraph(f"<b>{i}. {escape(b.statement.title)}</b>", BODY) for i, b in enumerate(pack.statements, 1)]
    return [
        Spacer(1, 12 * mm),
        Paragraph(escape(pack.title), TITLE),
        Paragraph(escape(ring["OWNING_BODY"]), SUBTITLE),
        Spacer(1, 8 * mm),
        table,
        Spacer(1, 8 * mm),
        Paragraph("<b>Contents</b>", BODY),
        Spacer(1, 2 * mm),
        *contents,
        Spacer(1, 6 * mm),
        Paragraph("Figures are in pounds sterling. Rebuilding this pack for the same year, as-at date and known-at "
                  "moment gives the same figures and the same pack hash. " + escape(VARIANCE_NOTE), NOTE),
        PageBreak(),
    ]


def _parts(statement) -> list[list[int]]:
    """The column indexes of each part of a statement's table. A statement too wide for one page names in
    ``pdf_breaks`` the columns that begin a new part; each part repeats the leading text columns (up to three:
    what the row is), so every figure is printed beside its row's name."""
    columns = statement.columns
    keys = [c.key for c in columns]
    breaks = sorted(keys.index(k) for k in getattr(statement, "pdf_breaks", ()) if k in keys)
    if not breaks:
        return [list(range(len(columns)))]
    lead = 0
    while lead < min(3, len(columns)) and columns[lead].type == TEXT:
        lead += 1
    bounds = [lead, *[b for b in breaks if b > lead], len(columns)]
    return [list(range(lead)) + list(range(start, end))
            for start, end in itertools.pairwise(bounds) if end > start]


def _tables(built, width: float) -> list:
    """The statement's table, in parts one above the other when it is too wide for one page."""
    parts = _parts(built.statement)
    flow = []
    for index, part in enumerate(parts):
        if index:
            flow += [Spacer(1, 4 * mm), CondPageBreak(30 * mm)]  # a part's header is not left alone at a page foot
        flow.append(_table(built, width, [built.statement.columns[i] for i in part]))
    return flow


CELL_PADDING = 3  # left and right padding of every table cell, in points
TABLE_SIZE = 7.5  # the type of a statement's table, in points
WIDE_TABLE_SIZE = 6.5  # of one with more than 12 columns
SMALLEST_SIZE = 5.5  # the smallest a table's type is made so that every word fits in its column (``_layout``)
HYPHENATED = re.compile(r"[^-]*-+|[^-]+")  # a word's parts, each up to and with its hyphen


def _plain_breaking(style: ParagraphStyle) -> bool:
    """Whether a paragraph in this style breaks plain text only at spaces (no hyphenation, no shaping): then
    ``_lines`` gives the same lines."""
    return not (style.hyphenationLang or style.uriWasteReduce or style.embeddedHyphenation or style.wordWrap
                or style.endDots or style.shaping or style.leftIndent or style.rightIndent or style.firstLineIndent)


@functools.lru_cache(maxsize=100_000)
def _width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in points (reportlab's C accelerator; the same words recur on every page)."""
    return stringWidth(text, font, size)


def _lines(text: str, font: str, size: float, width: float, shrinkage: float) -> list[str] | None:
    """The lines a ``Paragraph`` would break ``text`` into at ``width`` (reportlab's own rule for one font: words
    are added while the line, with a space between words, is no wider than ``width`` plus a ``shrinkage`` of a
    space per space already on it; a line holds at least one word). None when the paragraph would do more than
    that: collapse runs of spaces or line breaks, split a word wider than a line, hyphenate at a soft hyphen,
    narrow the spaces of a line that came out wider than ``width``, or lay out the separate fragments its markup
    parser makes of ``&``, ``<`` and ``>``."""
    if text != " ".join(text.split()) or "\xad" in text or "&" in text or "<" in text or ">" in text:
        return None
    if _width(text, font, size) <= width - 1e-6:  # the whole text fits: one line (the margin covers rounding)
        return [text]
    space = _width(" ", font, size)
    lines, line, used = [], [], -space
    for word in text.split(" "):
        word_width = _width(word, font, size)
        wider = used + space + word_width
        limit = width + shrinkage * space * len(line)
        if wider > limit and word_width > width:
            return None
        if wider <= limit or not line:
            line.append(word)
            used = wider
        else:
            if used > width + 1e-8:
                return None
            lines.append(" ".join(line))
            line, used = [word], word_width
    if used > width + 1e-8:
        return None
    lines.append(" ".join(line))
    return lines


def _pieces(word: str) -> list[str]:
    """A word as the parts it may be broken into at the end of a line: after each hyphen (FPN- / RETAINED)."""
    return HYPHENATED.findall(word) or [word]


def _lines_at_hyphens(text: str, font: str, size: float, width: float) -> list[str] | None:
    """``text`` in lines no wider than ``width``, broken at spaces and, in a word wider than a line, after its
    hyphens; None when a piece of a word is still wider than a line."""
    lines, line = [], ""
    for word in text.split():
        if line and _width(f"{line} {word}", font, size) <= width:
            line = f"{line} {word}"
            continue
        if _width(word, font, size) <= width:
            if line:
                lines.append(line)
            line = word
            continue
        for index, piece in enumerate(_pieces(word)):
            if _width(piece, font, size) > width:
                return None
            joined = f"{line}{' ' if index == 0 else ''}{piece}"
            if line and _width(joined, font, size) <= width:
                line = joined
            else:
                if line:
                    lines.append(line)
                line = piece
    if line:
        lines.append(line)
    return lines


def _cell(text: str, width: float, font: str, size: float, style: ParagraphStyle):
    """What a table cell holds: its text as plain lines, which the table draws in the row's font exactly where a
    paragraph in ``style`` would put them (first baseline a font size below the top padding, then a line every
    leading). The lines are the paragraph's own: worked out here for plain words, or asked of the paragraph once
    for the rest (runs of spaces). A word wider than the column (which ``_layout`` avoids) is broken after its
    hyphens, never inside a word as the paragraph would break it; only a word with no hyphen to break at is left to
    the paragraph. A paragraph that is more than plain lines in one font stays a paragraph."""
    available = width - 2 * CELL_PADDING
    plain = _plain_breaking(style)
    if plain:
        lines = _lines(text, font, size, available, style.spaceShrinkage)
        if lines is None and any(_width(word, font, size) > available for word in text.split()):
            lines = _lines_at_hyphens(text, font, size, available)  # the paragraph would split the word anywhere
        if lines is not None:
            return "\n".join(lines)
    paragraph = Paragraph(escape(text), style)
    if plain:
        paragraph.wrap(available, PAGE[1])
        laid_out = paragraph.blPara
        if (laid_out.kind == 0 and laid_out.lines and laid_out.fontName == font and laid_out.fontSize == size
                and all(unused > -1e-8 for unused, _ in laid_out.lines)):  # no line drawn with narrowed spaces
            return "\n".join(" ".join(words) for _, words in laid_out.lines)
    return paragraph


def _header_cell(title: str, width: float, size: float, right: bool):
    """A column title: plain text when it is one line on the left; otherwise the paragraph it always was. (A
    right-aligned paragraph puts its text a hundred-thousandth of a point away from where the table would, which
    can move it a character in pdftotext's layout; the header is only a few cells a page.)"""
    style = _cell_style(size, bold=True, white=True, right=right)
    available = width - 2 * CELL_PADDING
    if not right and _plain_breaking(style):
        lines = _lines(title, "Helvetica-Bold", size, available, style.spaceShrinkage)
        if lines is not None and len(lines) == 1:
            return title
    if any(_width(word, "Helvetica-Bold", size) > available for word in title.split()):
        lines = _lines_at_hyphens(title, "Helvetica-Bold", size, available)
        if lines is not None:
            return Paragraph("<br/>".join(escape(line) for line in lines), style)
    return Paragraph(escape(title), style)


DIGITS_AS_NOUGHTS = str.maketrans("123456789", "000000000")


@functools.cache
def _tabular_figures(font: str) -> bool:
    """Whether every digit of ``font`` is as wide as every other (true of Helvetica)."""
    return len({stringWidth(digit, font, 1) for digit in "0123456789"}) == 1


def _widest(words: set[str], font: str) -> float:
    """The width of the widest of ``words`` in type of one point. A long table's figures and references are nearly
    all different, and measuring each would cost a tenth of the pack's time; where every digit is as wide as
    every other, words that differ only in their digits are as wide, so each shape is measured once."""
    if _tabular_figures(font):
        words = {word.translate(DIGITS_AS_NOUGHTS) for word in words}
    return max((stringWidth(word, font, 1) for word in words), default=0.0)


def _unit_needs(columns, texts: list[list[str]], bolds: list[bool], *, at_hyphens: bool) -> list[float]:
    """Per column, the width of its widest unbroken word (of a cell, in the row's font, or of the column title)
    in type of one point: a figure is one word; a text breaks at spaces, and after hyphens when ``at_hyphens``."""
    needs = []
    for index, column in enumerate(columns):
        words = {"Helvetica": set(), "Helvetica-Bold": set(column.title.split())}
        for row, bold in zip(texts, bolds, strict=True):
            text = row[index]
            if text:
                words["Helvetica-Bold" if bold else "Helvetica"].update(
                    text.split() if column.type == TEXT else (text,))
        if at_hyphens:
            words = {font: {piece for word in found for piece in _pieces(word)} for font, found in words.items()}
        needs.append(max(_widest(found, font) for font, found in words.items()))
    return needs


def _widths(weights: list[float], needs: list[float], width: float) -> list[float]:
    """Column widths adding up to ``width``, in proportion to ``weights`` except that no column is narrower than
    its ``need`` (which together fit in ``width``): a column that would be is given its need, and the others share
    the rest in proportion. When no column is short, the widths are exactly the proportional ones."""
    fixed: dict[int, float] = {}
    while len(fixed) < len(weights):
        free = [i for i in range(len(weights)) if i not in fixed]
        scale = (width - sum(fixed.values())) / sum(weights[i] for i in free)
        short = [i for i in free if weights[i] * scale < needs[i]]
        if not short:
            return [fixed[i] if i in fixed else weights[i] * scale for i in range(len(weights))]
        fixed.update((i, needs[i]) for i in short)
    extra = (width - sum(needs)) / sum(weights)
    return [need + weight * extra for need, weight in zip(needs, weights, strict=True)]


def _layout(columns, texts: list[list[str]], bolds: list[bool], width: float) -> tuple[float, list[float]]:
    """The type size and column widths of a table, so that no word is broken across lines: every column is at
    least as wide as its widest word (a fund code such as FPN-RETAINED, a figure, a word of its title). When the
    words cannot all fit across the page at the table's size, the type is made smaller, down to
    ``SMALLEST_SIZE``; if they still cannot, words may break after their hyphens (FPN- / RETAINED), never inside
    a word. Only a table that cannot fit even so keeps the proportional widths at the smallest size."""
    size = WIDE_TABLE_SIZE if len(columns) > 12 else TABLE_SIZE
    weights = [max(c.width, 6) for c in columns]
    padding = 2 * CELL_PADDING + 0.01  # a hundredth of a point over the word, so rounding never breaks it
    for at_hyphens in (False, True):
        units = _unit_needs(columns, texts, bolds, at_hyphens=at_hyphens)
        room = width - padding * len(columns)
        fits = size if sum(units) * size <= room else math.floor(room / sum(units) * 10) / 10
        if fits >= SMALLEST_SIZE:
            return fits, _widths(weights, [unit * fits + padding for unit in units], width)
    scale = width / sum(weights)
    return SMALLEST_SIZE, [w * scale for w in weights]


def _table(built, width: float, columns) -> "_PagedTable":
    texts = [[display_text(row[c.key], c.type) for c in columns] for row in built.rows]
    bolds = [row.kind != LINE for row in built.rows]
    size, col_widths = _layout(columns, texts, bolds, width)
    numeric = [c.type in NUMERIC for c in columns]
    header = [_header_cell(c.title, w, size, right) for c, w, right in zip(columns, col_widths, numeric, strict=True)]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTNAME", (0, 1), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size + 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    commands += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, right in enumerate(numeric) if right]
    rows, kinds = [], []
    for row, row_texts, bold in zip(built.rows, texts, bolds, strict=True):
        font = "Helvetica-Bold" if bold else "Helvetica"
        style = _cell_style(size, bold=bold)
        cells = []
        for c, w, text in zip(columns, col_widths, row_texts, strict=True):
            cells.append(_cell(text, w, font, size, style) if c.type == TEXT and text else text)
        rows.append(cells)
        kinds.append(row.kind)
    if not rows:
        rows.append([Paragraph("Nothing to report for these dates.", _cell_style(size))] + [""] * (len(columns) - 1))
        kinds.append(LINE)
    return _PagedTable(header, rows, kinds, col_widths, commands, min_row_height=size + 2 + 4)  # leading + padding


def _row_commands(number: int, kind: str) -> list:
    """How a subtotal or total row stands out (``number`` is its row in the table, the header being 0)."""
    if kind == SUBTOTAL:
        return [("BACKGROUND", (0, number), (-1, number), SUBTOTAL_FILL),
                ("FONTNAME", (0, number), (-1, number), "Helvetica-Bold"),
                ("LINEABOVE", (0, number), (-1, number), 0.5, colors.black)]
    if kind == TOTAL:
        return [("BACKGROUND", (0, number), (-1, number), TOTAL_FILL),
                ("FONTNAME", (0, number), (-1, number), "Helvetica-Bold"),
                ("LINEABOVE", (0, number), (-1, number), 0.75, colors.black),
                ("LINEBELOW", (0, number), (-1, number), 1.5, colors.black)]
    return []


class _Table(LongTable):
    """reportlab's long table, which draws nothing for an empty cell rather than an empty string (a fifth of a
    large pack's cells are empty)."""

    def _drawCell(self, cellval, cellstyle, pos, size):
        if cellval == "":
            return
        super()._drawCell(cellval, cellstyle, pos, size)


class _PagedTable(Flowable):
    """A statement's table, its header row repeated on every page, laid out a page at a time.

    reportlab splits a long table at each page foot by building the rest of it anew (its cells, styles and row
    positions), so a table of n rows over p pages costs n x p: 8,500 rows over 170 pages spent most of a 22-second
    pack there. This flowable gives reportlab a table of only the rows that can reach the current page (as many
    as the space would hold at the lowest row height, and two more), lets reportlab split that just as it would
    have split the whole table, and keeps the rows that did not fit for the next page: the same rows on the same
    pages."""

    def __init__(self, header, rows, kinds, col_widths, commands, min_row_height: float, start: int = 0):
        super().__init__()
        self.header, self.rows, self.kinds = header, rows, kinds
        self.col_widths, self.commands, self.min_row_height, self.start = col_widths, commands, min_row_height, start
        self.hAlign = "LEFT"
        self._part = None
        self._stop = start
        self._filled = None  # (available width, height) -> the part's size

    def _table(self, stop: int) -> _Table:
        """The header and our rows up to ``stop``, styled."""
        commands = list(self.commands)
        for number, kind in enumerate(self.kinds[self.start:stop], start=1):
            commands += _row_commands(number, kind)
        table = _Table([self.header, *self.rows[self.start:stop]], colWidths=self.col_widths, repeatRows=1,
                          hAlign="LEFT")
        table.setStyle(TableStyle(commands))
        return table

    def _fill(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Lay out enough rows to overflow ``avail_height`` (or all that are left); return the table's size. No
        row is lower than ``min_row_height``, so that many rows and two more always overflow a page."""
        if self._filled and self._filled[0] == (avail_width, avail_height):
            return self._filled[1]
        step = int(avail_height // self.min_row_height) + 2
        while True:
            stop = min(len(self.rows), self.start + step)
            if self._part is None or stop > self._stop:
                self._part, self._stop = self._table(stop), stop
            size = self._part.wrapOn(getattr(self, "canv", None), avail_width, avail_height)
            if size[1] > avail_height or self._stop == len(self.rows):
                self._filled = ((avail_width, avail_height), size)
                return size
            step *= 2

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self._fill(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        """This page's rows, cut by reportlab's own split of the rows laid out, and a table of the rest."""
        self._fill(avail_width, avail_height)
        parts = self._part.splitOn(getattr(self, "canv", None), avail_width, avail_height)
        if not parts:
            return []
        first = parts[0]
        taken = len(first._cellvalues) - 1  # rows of ours on this page (the first row is the header)
        if self.start + taken >= len(self.rows):
            return [first]
        return [first, _PagedTable(self.header, self.rows, self.kinds, self.col_widths, self.commands,
                                   self.min_row_height, self.start + taken)]

    def drawOn(self, canv, x, y, _sW=0):
        self._part.drawOn(canv, x, y, _sW)


def _axis_label(value) -> str:
    value = float(value)  # axis labels only: figures in the tables are exact
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m"
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:.0f}"


def fund_chart(code: str, name: str, quarters: list[str], budget: list, actual: list) -> Drawing:
    """Budget (phased) against actual, by quarter, for one fund."""
    width, height = 84 * mm, 58 * mm
    drawing = Drawing(width, height)
    title = f"{code} {name}"
    drawing.add(String(0, height - 9, title if len(title) <= 52 else title[:51] + "…", fontName="Helvetica-Bold",
                       fontSize=8))
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 16
    chart.width, chart.height = width - 40, height - 44
    chart.data = [[float(v or 0) for v in budget], [float(v or 0) for v in actual]]  # drawing only
    chart.categoryAxis.categoryNames = quarters
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.valueAxis.valueMax = max(chart.data[0] + chart.data[1] + [1.0]) * 1.12  # headroom above the tallest bar
    chart.bars[0].fillColor = BUDGET_COLOUR
    chart.bars[1].fillColor = ACTUAL_COLOUR
    chart.bars.strokeColor = None
    chart.groupSpacing = 8
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 4, height - 15
    legend.fontSize = 7
    legend.columnMaximum = 1
    legend.deltax = 48
    legend.dx, legend.dy = 7, 7
    legend.alignment = "right"
    legend.colorNamePairs = [(BUDGET_COLOUR, "Budget (phased)"), (ACTUAL_COLOUR, "Actual")]
    drawing.add(legend)
    return drawing


def _charts(pack) -> list:
    built = pack.get("quarterly")
    if built is None:
        return []
    funds = {}
    for row in built.rows:
        if row.kind == LINE:
            entry = funds.setdefault(row["fund"], {"name": row["fund_name"] or "", "q": [], "b": [], "a": []})
            entry["q"].append(row["quarter"].split(" ")[0])
            entry["b"].append(row["budget"])
            entry["a"].append(row["actual"])
    drawings = [fund_chart(code, f["name"], f["q"], f["b"], f["a"]) for code, f in funds.items()
                if any(f["b"]) or any(f["a"])]
    idle = [code for code, f in funds.items() if not (any(f["b"]) or any(f["a"]))]
    if not drawings and not idle:
        return []
    flow = [CondPageBreak(80 * mm), Paragraph("Budget against actual by fund", HEADING),
            Paragraph("Phased budget and actual spending per quarter, from the quarterly profile. Quarters after the "
                      "as-at date show no actual."
                      + (f" No budget or spending to chart for {escape(', '.join(idle))}." if idle else ""), NOTE),
            Spacer(1, 3 * mm)]
    per_row = 3
    for i in range(0, len(drawings), per_row):
        row = drawings[i:i + per_row]
        grid = Table([row + [""] * (per_row - len(row))], colWidths=[88 * mm] * per_row, hAlign="LEFT")
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        flow.append(KeepTogether([grid, Spacer(1, 3 * mm)]))
    return flow


def render(pack) -> bytes:
    buffer = io.BytesIO()
    furniture = _Furniture(pack)
    doc = BaseDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm, bottomMargin=14 * mm,
        title=f"{pack.title} {pack.params.year.label} as at {pack.params.as_at:%d/%m/%Y}",
        author=settings.RINGFENCE["OWNING_BODY"], subject=settings.RINGFENCE["PROTECTIVE_MARKING"],
        creator="Ringfence", invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = _cover(pack)
    for index, built in enumerate(pack.statements):
        if index:
            story.append(PageBreak())
        story += [Paragraph(escape(built.statement.title), HEADING),
                  Paragraph(escape(built.statement.description), NOTE), Spacer(1, 3 * mm),
                  *_tables(built, doc.width)]
        if built.statement.key == "quarterly":
            story += _charts(pack)
    doc.build(story, canvasmaker=_canvas_maker(furniture))
    return buffer.getvalue()
