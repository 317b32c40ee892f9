"""What a file is, read from its bytes, never from its name.

Small on purpose (no python-magic): the first bytes of each accepted type, the members of an Office zip, and for text
a whole-file UTF-8 check. HTML, SVG, XML, scripts and executables are named when refused, so the message says what the
file was; anything else is refused naming what is accepted. Nothing here writes anything.
"""

import codecs
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class DetectedType:
    """An accepted type: how a person calls it, the content type it is served with, and the extensions it may have
    (the first is the one a file should be renamed to)."""

    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = DetectedType("a PDF", "application/pdf", (".pdf",))
PNG = DetectedType("a PNG image", "image/png", (".png",))
JPEG = DetectedType("a JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = DetectedType("a GIF image", "image/gif", (".gif",))
WEBP = DetectedType("a WebP image", "image/webp", (".webp",))
DOCX = DetectedType("a Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    (".docx",))
XLSX = DetectedType("an Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    (".xlsx",))
PPTX = DetectedType("a PowerPoint presentation",
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
# Legacy Office (Word 97-2003 and its kin) share one container; which program made it is taken from the extension.
OLE_TYPES = {
    ".doc": DetectedType("a Word 97-2003 document", "application/msword", (".doc",)),
    ".xls": DetectedType("an Excel 97-2003 workbook", "application/vnd.ms-excel", (".xls",)),
    ".ppt": DetectedType("a PowerPoint 97-2003 presentation", "application/vnd.ms-powerpoint", (".ppt",)),
}
OLE = DetectedType("a Word, Excel or PowerPoint 97-2003 file", "application/octet-stream", tuple(OLE_TYPES))
CSV = DetectedType("a CSV file", "text/csv; charset=utf-8", (".csv",))
TEXT = DetectedType("plain text", "text/plain; charset=utf-8", (".txt",))
PLAIN = DetectedType("text (CSV or plain text)", "text/plain; charset=utf-8", (".csv", ".txt"))

ACCEPTED = ("PDF, images (PNG, JPEG, GIF, WebP), Word, Excel and PowerPoint files (including 97-2003 ones), "
            "and CSV or plain text")
#: Content types never served, whatever the database says (an uploaded page must not run in our origin).
NEVER_SERVED = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
                          "text/javascript", "application/javascript"})

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXECUTABLES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_MARKUP = (
    (b"<svg", "an SVG image"), (b"<!doctype html", "an HTML page"), (b"<html", "an HTML page"),
    (b"<head", "an HTML page"), (b"<body", "an HTML page"), (b"<script", "an HTML page"), (b"<iframe", "an HTML page"),
    (b"<?xml", "an XML file"), (b"<!doctype", "an XML file"), (b"<!entity", "an XML file"),
)
TEXT_SNIFF_BYTES = 4096  # how much of a text file's start is searched for markup


class Refused(Exception):
    """The content is not accepted; ``str()`` is the message for the person."""


def _refuse_kind(what: str) -> Refused:
    return Refused(f"The file's content is {what}, which Ringfence does not accept. Accepted: {ACCEPTED}.")


def _office_zip(handle) -> DetectedType:
    try:
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:  # reads the directory only, nothing is decompressed
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse_kind("a damaged or unreadable ZIP archive") from None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        if "ppt/presentation.xml" in names:
            return PPTX
    raise _refuse_kind("a ZIP archive (not a Word, Excel or PowerPoint file)")


def _text(handle, head: bytes) -> DetectedType:
    """UTF-8 text without NUL bytes, not markup, not a script."""
    start = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    lowered = start[:TEXT_SNIFF_BYTES].lstrip().lower()
    if lowered.startswith(b"#!"):
        raise _refuse_kind("a script")
    for marker, what in _MARKUP:
        if marker in lowered:
            raise _refuse_kind(what)
    decoder = codecs.getincrementaldecoder("utf-8")()
    handle.seek(0)
    try:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            if b"\x00" in chunk:
                raise _refuse_kind("binary data of a kind not recognised")
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _refuse_kind("neither a recognised document nor UTF-8 text") from None
    return PLAIN


def sniff(handle) -> DetectedType:
    """The type of the open binary file ``handle`` (seekable), read from its content, or ``Refused``.

    For legacy Office files and text the result may stand for several types (``OLE``, ``PLAIN``): the extension
    then picks one (``for_extension``)."""
    handle.seek(0)
    head = handle.read(TEXT_SNIFF_BYTES)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(handle)
    if head.startswith(_OLE_MAGIC):
        return OLE
    if head.startswith(_EXECUTABLES):
        raise _refuse_kind("a program (an executable)")
    return _text(handle, head)


def extension_of(name: str) -> str:
    """``.pdf`` from ``Award letter.PDF``; empty when there is none."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base:
        return ""
    extension = base.rsplit(".", 1)[1].strip().lower()
    return f".{extension}" if extension else ""


def for_extension(detected: DetectedType, name: str) -> DetectedType:
    """The detected type, refined by and checked against the name's extension: a PDF named ``.docx`` is refused."""
    extension = extension_of(name)
    if extension not in detected.extensions:
        ends = f"ends {extension}" if extension else "has no extension"
        raise Refused(f"The file's content is {detected.label} but its name {ends}. Rename it to end "
                      f"{detected.extensions[0]}, or choose the file you meant.")
    if detected is OLE:
        return OLE_TYPES[extension]
    if detected is PLAIN:
        return CSV if extension == ".csv" else TEXT
    return detected
