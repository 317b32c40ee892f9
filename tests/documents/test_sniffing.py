"""What a file is, from its bytes: each accepted type, and what is refused with which message."""

import io

import pytest

from documents import sniffing
from documents.sniffing import Refused, extension_of, for_extension, sniff
from tests.documents.conftest import (
    CSV_BYTES,
    GIF_BYTES,
    JPEG_BYTES,
    OLE_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    WEBP_BYTES,
    office_zip,
)


@pytest.mark.parametrize("name, content, content_type", [
    ("Award letter.PDF", PDF_BYTES, "application/pdf"),
    ("photo.png", PNG_BYTES, "image/png"),
    ("scan.jpg", JPEG_BYTES, "image/jpeg"),
    ("scan.jpeg", JPEG_BYTES, "image/jpeg"),
    ("logo.gif", GIF_BYTES, "image/gif"),
    ("photo.webp", WEBP_BYTES, "image/webp"),
    ("agreement.docx", office_zip("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", office_zip("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", office_zip("ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("old.doc", OLE_BYTES, "application/msword"),
    ("old.xls", OLE_BYTES, "application/vnd.ms-excel"),
    ("referrals.csv", CSV_BYTES, "text/csv; charset=utf-8"),
    ("notes.txt", b"\xef\xbb\xbfPlain notes\n", "text/plain; charset=utf-8"),
])
def test_each_accepted_type_is_recognised_by_its_content(name, content, content_type):
    assert for_extension(sniff(io.BytesIO(content)), name).content_type == content_type


@pytest.mark.parametrize("content, what", [
    (b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML page"),
    (b"  <html><script>alert(1)</script></html>", "an HTML page"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "an SVG image"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "an SVG image"),
    (b'<?xml version="1.0"?><note/>', "an XML file"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "a program (an executable)"),
    (b"\x7fELF\x02\x01\x01", "a program (an executable)"),
    (b"#!/bin/sh\nrm -rf /\n", "a script"),
    (b"PK\x03\x04" + b"\x00" * 30, "a damaged or unreadable ZIP archive"),
    (b"\x00\x01\x02binary", "binary data of a kind not recognised"),
    (b"caf\xe9 latin-1", "neither a recognised document nor UTF-8 text"),
])
def test_refused_content_is_named(content, what):
    with pytest.raises(Refused) as refusal:
        sniff(io.BytesIO(content))
    assert str(refusal.value) == (f"The file's content is {what}, which Ringfence does not accept. Accepted: "
                                  f"{sniffing.ACCEPTED}.")


def test_a_zip_that_is_not_an_office_file_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    with pytest.raises(Refused, match="a ZIP archive \\(not a Word, Excel or PowerPoint file\\)"):
        sniff(buffer)


def test_the_name_must_match_the_content():
    with pytest.raises(Refused) as refusal:
        for_extension(sniff(io.BytesIO(PDF_BYTES)), "agreement.docx")
    assert str(refusal.value) == ("The file's content is a PDF but its name ends .docx. Rename it to end .pdf, or "
                                  "choose the file you meant.")
    with pytest.raises(Refused, match="its name has no extension"):
        for_extension(sniff(io.BytesIO(PDF_BYTES)), "agreement")


@pytest.mark.parametrize("name, extension", [
    ("a.PDF", ".pdf"), ("dir/a.b.csv", ".csv"), ("C:\\x\\y.Docx", ".docx"), ("noext", ""), ("trailing.", ""),
])
def test_extension_of(name, extension):
    assert extension_of(name) == extension
