"""The PDF pack's fast layout (issue 14) lays text out exactly as reportlab's paragraphs did, and a long table keeps
every row, in order, with its header on every page. Run with reportlab's C accelerators, as production is."""

import re
import shutil
import subprocess
from xml.sax.saxutils import escape

import pytest
from reportlab.platypus import Paragraph

from funds.budgets import budget_line_create
from reports.exports import render
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
    "Name: Bordesley Community Group; Identifier: 360G-wmopcc-ORG-bordesley-community-group",
    "commissioner2",  # wider than the column: the paragraph splits the word
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
