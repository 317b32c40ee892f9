"""The PDF pack's fast layout (issue 14) lays text out exactly as reportlab's paragraphs did, and a long table keeps
every row, in order, with its header on every page; no fund code or name is broken inside a word (issue 16): each
column is as wide as its widest word, the type shrinks when they cannot all fit, and only then does a word break,
after a hyphen. Run with reportlab's C accelerators, as production is."""

import re
import shutil
import subprocess
from xml.sax.saxutils import escape

import pytest
from reportlab.platypus import Paragraph

from core.audit import save_with_history
from funds.budgets import budget_line_create
from funds.models import Fund
from reports.exports import render
from reports.registry import MONEY, TEXT, Column
from reports.renderers import pdf


def test_reportlab_uses_its_c_accelerators():
    from reportlab.lib import rl_accel
    from reportlab.pdfbase import pdfmetrics

    assert rl_accel._py_funcs == {}, f"pure-Python fallbacks in use: {sorted(rl_accel._py_funcs)} (install rl-accel)"
    assert type(pdfmetrics.instanceStringWidthT1).__name__ == "builtin_function_or_method"


def paragraph_lines(text: str, width: float, style) -> list[str]:
    """The lines reportlab's own Paragraph breaks ``text`` into, in a table cell of ``width``."""
    paragraph = Paragraph(escape(text), style)
    paragraph.wrap(width - 2 * pdf.CELL_PADDING, 10_000)
    return [" ".join(words) for _, words in paragraph.blPara.lines]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("text", [
    "Victim support hubs",
    "Call-back to the number on the register",
    "commissioner2",  # wider than the column and no hyphen to break at: the paragraph splits the word
    "Account name: Bordesley Trust; Sort code: ******68; Account number: ******76; Status: Awaiting verification",
    "Two  spaces and\na line break",  # the paragraph collapses them
    "£1,234.56 owed to the Ministry of Justice — repaid on 31/03/2026",
])
def test_cells_break_into_the_lines_a_paragraph_would(text, bold):
    size, width = 7.5, 60.0
    style = pdf._cell_style(size, bold=bold)
    cell = pdf._cell(text, width, "Helvetica-Bold" if bold else "Helvetica", size, style)
    assert isinstance(cell, str)  # plain text, drawn by the table: no paragraph to parse and wrap on every page
    assert cell.split("\n") == paragraph_lines(text, width, style)


def test_text_the_paragraph_parses_into_fragments_stays_a_paragraph():
    """``&``, ``<`` and ``>`` reach a paragraph escaped, and its parser makes separate fragments of them, which it
    lays out by another rule: such a cell is left to the paragraph."""
    style = pdf._cell_style(7.5)
    cell = pdf._cell("Smith & Jones <Advice> Trust for survivors of abuse", 60.0, "Helvetica", 7.5, style)
    assert isinstance(cell, Paragraph)


def test_a_line_the_paragraph_would_squeeze_stays_a_paragraph():
    """A paragraph lets a line run a little past the column and narrows its spaces to fit; the table cannot."""
    size, text = 7.5, "Domestic abuse and sexual violence grant"
    style = pdf._cell_style(size)
    width = pdf._width(text, "Helvetica", size) + 2 * pdf.CELL_PADDING - 0.3  # 0.3 pt too narrow: still one line
    assert paragraph_lines(text, width, style) == [text]
    assert isinstance(pdf._cell(text, width, "Helvetica", size, style), Paragraph)


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")
def test_a_table_over_many_pages_keeps_every_row_once_in_order(scenario, tmp_path):
    names = [f"Locality service {n:03d}" for n in range(130)]
    for name in names:
        budget_line_create(fund=scenario.core, year=scenario.year, heading=name, amount="1000.00", by=scenario.officer)
    _name, _type, content = render("pdf", year="2025/26", statement="fund")
    path = tmp_path / "fund.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    found = [m.group(0) for m in re.finditer(r"Locality service \d{3}", text)]
    assert found == names + names  # the budget part, then the year-end part: each row once in each, in order
    table_pages = [page for page in pages if "Locality service" in page]
    assert len(table_pages) >= 6
    assert all(re.search(r"Fund\s+Funder\s+Budget line", page) for page in table_pages)


def test_a_word_wider_than_its_column_breaks_after_a_hyphen_never_inside_a_word():
    size, width = 7.5, 60.0
    text = "Name: Bordesley Community Group; Identifier: 360G-wmopcc-ORG-bordesley-community-group"
    cell = pdf._cell(text, width, "Helvetica", size, pdf._cell_style(size))
    lines = cell.split("\n")
    assert lines == ["Name:", "Bordesley", "Community", "Group;", "Identifier: 360G-", "wmopcc-ORG-", "bordesley-",
                     "community-", "group"]  # a paragraph's lines: "Identifier: 360", "G-wmopcc-OR", ...
    assert all(pdf._width(line, "Helvetica", size) <= width - 2 * pdf.CELL_PADDING for line in lines)
    narrow = pdf._cell("FPN-RETAINED", 45.0, "Helvetica", size, pdf._cell_style(size))  # a paragraph splits a word
    assert narrow == "FPN-\nRETAINED"


CODES = [Column("fund", "Fund", TEXT, width=6), Column("name", "Name", TEXT, width=30),
         Column("amount", "Amount", MONEY, width=12)]


def test_a_code_column_is_as_wide_as_its_longest_code_and_the_rest_share_what_is_left():
    texts = [["FPN-RETAINED", "Retained fixed penalty income", "£1,000.00"], ["POCA", "Proceeds of crime", "£5.00"]]
    size, widths = pdf._layout(CODES, texts, [False, False], 200.0)
    assert size == pdf.TABLE_SIZE
    code = pdf._width("FPN-RETAINED", "Helvetica", size) + 2 * pdf.CELL_PADDING
    assert widths[0] == pytest.approx(code, abs=0.02) and widths[0] > 6 / 48 * 200  # wider than its share
    assert widths[1] / widths[2] == pytest.approx(30 / 12) and sum(widths) == pytest.approx(200.0)
    # When every word fits in its share, the widths are the shares, exactly as before.
    assert pdf._layout(CODES, [["POCA", "Proceeds", "£5.00"]], [False], 480.0) == (
        pdf.TABLE_SIZE, [6 * 480.0 / 48, 30 * 480.0 / 48, 12 * 480.0 / 48])


def test_the_type_shrinks_to_fit_every_word_and_words_break_after_hyphens_only_below_the_smallest_size():
    texts = [["FPN-RETAINED", "Retained", "£1,000,000.00"]]
    needed = sum(pdf._unit_needs(CODES, texts, [True], at_hyphens=False))
    room = needed * 6.5 + 3 * (2 * pdf.CELL_PADDING + 0.01)  # the words fit at 6.5 pt, not at 7.5
    size, widths = pdf._layout(CODES, texts, [True], room)
    assert size == 6.5 and sum(widths) == pytest.approx(room)
    assert widths[0] >= pdf._width("FPN-RETAINED", "Helvetica-Bold", 6.5) + 2 * pdf.CELL_PADDING
    too_narrow = needed * (pdf.SMALLEST_SIZE - 0.2) + 3 * (2 * pdf.CELL_PADDING + 0.01)
    size, widths = pdf._layout(CODES, texts, [True], too_narrow)
    assert size >= pdf.SMALLEST_SIZE
    assert widths[0] < pdf._width("FPN-RETAINED", "Helvetica-Bold", size) + 2 * pdf.CELL_PADDING
    assert widths[0] >= pdf._width("RETAINED", "Helvetica-Bold", size) + 2 * pdf.CELL_PADDING
    cell = pdf._cell("FPN-RETAINED", widths[0], "Helvetica-Bold", size, pdf._cell_style(size, bold=True))
    assert cell == "FPN-\nRETAINED"


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")
def test_no_fund_code_is_broken_in_any_statement_of_the_pack(scenario, tmp_path):
    """The demo's codes (FPN-RETAINED used to print as FPN-RETAINE / D in the retained income statement)."""
    codes = {scenario.fpn.pk: "FPN-RETAINED", scenario.poca.pk: "SPEED-FEES"}
    for pk, code in codes.items():
        fund = Fund.objects.get(pk=pk)
        fund.code = code
        save_with_history(fund, by=scenario.officer, reason="The demo's codes")
    _name, _type, content = render("pdf", year="2025/26", as_at="2026-03-31")
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    words = text.split()
    for code in ("MOJ-CORE", "FPN-RETAINED", "SPEED-FEES"):
        assert code in words, code
        fragments = {code[:n] for n in range(1, len(code))} | {code[n:] for n in range(1, len(code))}
        fragments.discard("FPN")  # the fund's code before it was renamed, in the audit trail
        assert not fragments & set(words), (code, sorted(fragments & set(words)))
    # The retained income statement's two fixed penalty returns, in both parts of its table, each on one line.
    assert len(re.findall(r"^\s*FPN-RETAINED\s+Fixed penalties\s+FPN-P0[12]\s", text, re.M)) == 4
