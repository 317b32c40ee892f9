"""The workbooks Ringfence writes are well-formed namespaced XML whichever XML library openpyxl ran on, and open in
openpyxl with xml.etree and with lxml (core.workbooks)."""

import io
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from xml.etree import ElementTree

import openpyxl
import pytest
from django.conf import settings

from core.workbooks import NAMESPACES, workbook_fixed

WHEN = datetime(2026, 3, 31, 17, 45, 0)
# docProps/core.xml as openpyxl writes it when lxml is installed: each namespace declared on the element using it.
LXML_STYLE_CORE = (
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
    b'<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">West Midlands OPCC</dc:creator>'
    b'<dcterms:created xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xsi:type="dcterms:W3CDTF">2026-03-31T17:45:00Z</dcterms:created>'
    b'<dcterms:modified xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xsi:type="dcterms:W3CDTF">2026-12-03T09:12:57Z</dcterms:modified>'
    b'<cp:lastModifiedBy>Diana</cp:lastModifiedBy></cp:coreProperties>'
)


def saved_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Fund statement"
    book.properties.creator = "West Midlands OPCC"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_core(data: bytes, core: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, core if info.filename == "docProps/core.xml" else source.read(info.filename))
    return out.getvalue()


def core_of(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("docProps/core.xml")


def test_a_core_part_written_the_lxml_way_stays_well_formed():
    """The earlier text edit dropped the declarations of dcterms and xsi that lxml puts on the element itself."""
    fixed = core_of(workbook_fixed(with_core(saved_workbook(), LXML_STYLE_CORE), WHEN))
    root = ElementTree.fromstring(fixed)  # an unbound prefix would be a ParseError here
    assert root.find("dcterms:modified", NAMESPACES).text == "2026-03-31T17:45:00Z"
    assert root.find("dcterms:modified", NAMESPACES).get(f"{{{NAMESPACES['xsi']}}}type") == "dcterms:W3CDTF"
    assert root.find("dcterms:created", NAMESPACES).text == "2026-03-31T17:45:00Z"
    assert root.find("dc:creator", NAMESPACES).text == "West Midlands OPCC"
    assert root.find("cp:lastModifiedBy", NAMESPACES).text == "Diana"
    head = fixed.split(b">", 2)[1]  # the root element's start tag declares the prefix xsi:type's value names
    assert b'xmlns:dcterms="http://purl.org/dc/terms/"' in head


def test_the_bytes_do_not_depend_on_which_xml_library_wrote_the_part():
    """The same properties written the xml.etree way (declarations on the root) give the same file."""
    etree_style = (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>West Midlands OPCC</dc:creator>'
        b'<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-31T17:45:00Z</dcterms:created>'
        b'<dcterms:modified xsi:type="dcterms:W3CDTF">2026-12-03T09:14:02Z</dcterms:modified>'
        b'<cp:lastModifiedBy>Diana</cp:lastModifiedBy></cp:coreProperties>'
    )
    book = saved_workbook()
    assert workbook_fixed(with_core(book, etree_style), WHEN) == workbook_fixed(with_core(book, LXML_STYLE_CORE), WHEN)


def test_every_member_carries_the_one_timestamp():
    with zipfile.ZipFile(io.BytesIO(workbook_fixed(saved_workbook(), WHEN))) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 31, 17, 45, 0)}


def test_the_part_parses_with_lxml_too():
    etree = pytest.importorskip("lxml.etree")
    fixed = core_of(workbook_fixed(with_core(saved_workbook(), LXML_STYLE_CORE), WHEN))
    root = etree.fromstring(fixed)
    assert root.find("dcterms:modified", NAMESPACES).text == "2026-03-31T17:45:00Z"


OPEN = """
import io, sys, openpyxl
book = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))
print(openpyxl.LXML, book.properties.modified.isoformat(), book.active["A1"].value)
"""


@pytest.mark.parametrize("lxml", ["False", "True"])
def test_openpyxl_opens_the_workbook_with_and_without_lxml(lxml):
    """openpyxl reads with lxml when it is installed (OPENPYXL_LXML=True, its default) and with xml.etree otherwise;
    a fresh process for each, since openpyxl chooses once, on import."""
    if lxml == "True":
        pytest.importorskip("lxml.etree")
    data = workbook_fixed(with_core(saved_workbook(), LXML_STYLE_CORE), WHEN)
    opened = subprocess.run([sys.executable, "-c", OPEN], input=data, capture_output=True, check=True,
                            env={**os.environ, "OPENPYXL_LXML": lxml}, cwd=settings.BASE_DIR)
    assert opened.stdout.decode().split() == [lxml, "2026-03-31T17:45:00", "Fund", "statement"]
