"""The PDF pack read back with pdftotext (poppler-utils): page furniture on every page, the figures, charts."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from funds.budgets import budget_line_create
from reports.exports import render

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed: apt-get install poppler-utils")


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.fixture
def pages(scenario, tmp_path):
    name, content_type, content = render("pdf", year="2025/26", as_at="2026-03-31", known_at=scenario.known_at,
                                         user=scenario.director)
    assert (name, content_type) == ("ringfence-2025-26-as-at-2026-03-31.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    return pdf_pages(content, tmp_path)


def test_every_page_carries_marking_as_at_and_page_x_of_y(pages, scenario):
    known = f"{timezone.localtime(scenario.known_at):%d/%m/%Y %H:%M}"
    total = len(pages)
    assert total >= 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert page.count("OFFICIAL") >= 2  # top and bottom
        assert f"As at 31/03/2026; known at {known}" in page


def test_cover_names_the_pack(pages):
    cover = pages[0]
    assert "Statements for the finance directors' group" in cover
    assert "Office of the West Midlands Police and Crime Commissioner" in cover
    assert "2025/26" in cover and "Produced by" in cover and "Diana" in cover
    assert re.search(r"Pack hash \(SHA-256 of the figures\)\s+[0-9a-f]{64}", cover)


def test_statements_show_exact_figures(pages):
    text = "\n".join(pages)
    assert "Fund statement" in text and "Quarterly profile" in text and "Retained income" in text
    # The fund statement is too wide for one page: it is printed in two parts, each naming the fund and line.
    # The fund statement comes first in the pack (the monitoring statement after it has a total row of that name too).
    core_budget, core_year_end = [line for line in text.splitlines() if "Total Victims' services core" in line][:2]
    assert re.findall(r"-?£[\d,]+\.\d\d", core_budget) == [
        "£500,000.00", "£0.00", "£500,000.00", "£0.00", "£500,000.00", "£125,000.00", "£110,000.00", "£90,000.00",
        "£0.00", "£300,000.00"]  # original to available
    assert re.findall(r"-?£[\d,]+\.\d\d", core_year_end) == [
        "£0.00", "£0.00", "£0.00", "£0.00", "£0.00", "£490,000.00", "£10,000.00"]  # variance: positive = underspend
    assert "2.00%" in core_year_end and "-2.00%" not in core_year_end
    grand = next(line for line in text.splitlines() if "Total all funds" in line and "£614,056.25" in line)
    assert "£414,056.25" in grand
    fpn_total = next(line for line in text.splitlines() if "Total Retained fixed penalties" in line
                     and "£208,575.00" in line)
    assert re.findall(r"-?£[\d,]+\.\d\d", fpn_total)[:5] == ["£0.00", "£0.00", "£0.00", "£0.00", "£208,575.00"]
    fpn, fpn_rates = [line for line in text.splitlines() if "FPN-P01" in line]
    assert re.findall(r"-?£[\d,]+\.\d\d", fpn) == ["£138,700.00", "£34,675.00", "£104,025.00"]
    assert re.findall(r"-?£[\d,]+\.\d\d", fpn_rates)[:2] == ["£0.00", "£34,675.00"]
    assert "Budget against actual by fund" in text
    assert "MOJ-CORE Victims' services core grant" in text  # the chart's title
    assert "No budget or spending to chart for FPN" in text


def test_long_tables_repeat_their_header_on_every_page(scenario, tmp_path):
    for n in range(70):
        budget_line_create(fund=scenario.core, year=scenario.year, heading=f"Locality service {n:02d}",
                           amount="1000.00", by=scenario.officer)
    _name, _type, content = render("pdf", year="2025/26", statement="fund")
    pages = pdf_pages(content, tmp_path)
    table_pages = [p for p in pages if "Locality service" in p]
    assert len(table_pages) >= 2
    budget = r"Fund\s+Funder\s+Budget line\s+Original(\s+budget)?\s+Virements\s+Revised"
    year_end = r"Fund\s+Funder\s+Budget line\s+Owed to funder\s+Repaid to\s+Carried forward\s+Lapsed"
    parts = {"budget": 0, "year end": 0}  # the table is printed in two parts: each page shows its part's header
    for page in table_pages:
        found = {"budget": re.search(budget, page), "year end": re.search(year_end, page)}
        assert any(found.values())
        for part, header in found.items():
            parts[part] += bool(header)
    assert parts["budget"] >= 2 and parts["year end"] >= 2
