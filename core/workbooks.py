"""The workbooks Ringfence writes (statements, packs, funder returns, reconciliations): the same content gives the
same bytes, and every spreadsheet reader opens them.

openpyxl stamps the moment of saving as the document's modification time, so ``workbook_fixed`` rewrites it (and
every zip member's time) to the moment the document is of. The time is set by parsing ``docProps/core.xml`` as
namespaced XML and writing it back with each prefix declared where it is used: openpyxl writes that part with the
namespaces declared on the root when it runs on xml.etree, but on each element when lxml is installed, so editing
the text (as an earlier version did) left ``dcterms:`` and ``xsi:`` unbound under lxml and the file unreadable.
"""

import io
import zipfile
from datetime import datetime
from xml.etree import ElementTree

CORE_PROPERTIES = "docProps/core.xml"
NAMESPACES = {  # the prefixes Office uses for the core properties (ECMA-376 part 2)
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
W3CDTF = {f"{{{NAMESPACES['xsi']}}}type": "dcterms:W3CDTF"}


def core_properties_dated(content: bytes, when: datetime) -> bytes:
    """``docProps/core.xml`` with its modification time set to ``when`` (naive UTC), as well-formed namespaced
    XML: every prefix it uses, including the ``dcterms`` named inside ``xsi:type``, is declared on the root."""
    root = ElementTree.fromstring(content)
    modified = root.find("dcterms:modified", NAMESPACES)
    if modified is None:
        modified = ElementTree.SubElement(root, f"{{{NAMESPACES['dcterms']}}}modified", W3CDTF)
    modified.text = f"{when:%Y-%m-%dT%H:%M:%SZ}"
    for prefix, uri in NAMESPACES.items():
        # ElementTree declares each namespace it writes on the root, under the prefix registered for it: these are
        # the prefixes Office and openpyxl use, and xsi:type's value names dcterms, so that one must be kept.
        ElementTree.register_namespace(prefix, uri)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{body}'.encode()


def workbook_fixed(data: bytes, when: datetime) -> bytes:
    """Rewrite a saved workbook so equal content gives equal bytes: one fixed timestamp (``when``, naive UTC) on
    every zip member and as the document's modification time."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == CORE_PROPERTIES:
                content = core_properties_dated(content, when)
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, content)
    return out.getvalue()


# ---- Text that looks like a formula (the rule every Excel and CSV writer applies; see reports.cells) ----------

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return isinstance(text, str) and text.startswith(DANGEROUS_STARTS)


def neutralise(text):
    """For CSV: text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if looks_like_formula(text):
        return "'" + text
    return text


class Formula(str):
    """A live formula a renderer writes itself (``=SUM(B5:B9)``); every other string goes into a cell as text."""


def excel_set(cell, value):
    """Put ``value`` into an openpyxl cell (a worksheet's or a write-only one) and return the cell.

    A ``Formula`` stays a live formula; numbers, dates and empty cells are written as they are. Any other text is an
    explicit string cell (``data_type`` "s": openpyxl would otherwise make text beginning with ``=`` a formula and
    ``#N/A`` an error), exactly as given; text that begins like a formula also gets the ``quotePrefix`` style, so
    Excel and LibreOffice show it without an apostrophe and keep it text when someone edits it."""
    if isinstance(value, Formula):
        cell.value = str(value)
        return cell
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell
