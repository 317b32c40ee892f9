"""Issue 13 in Chromium against the demo: the finance officer explains October's last red line from their home
page; the finance director downloads October's pack (its workbook holds the budget monitoring statement with RAG
and commentary), signs it off, and sees it signed; an anonymous visitor reads the transparency page and October's
spending file, and every one of these pages passes the accessibility check."""

import csv
import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, requires_chromium
from tests.browser.test_pages import serious_violations

pytestmark = [pytest.mark.browser, requires_chromium]

EXPLANATION = "Night-time venues reopened late; the Q3 grants catch up in January."


def test_commentary_sign_off_and_the_public_page(page, live_url, tmp_path):
    # The officer: the red line without commentary is on the home page; the form asks for a reason (October is
    # closed) and says so when none is given; once recorded, the line leaves the home page.
    log_in(page, live_url, "finance")
    link = page.get_by_role("link", name=re.compile("Add commentary on VAWG-PROG Safe spaces at night"))
    link.click()
    assert serious_violations(page) == []
    page.get_by_label("Commentary").fill(EXPLANATION)
    page.get_by_role("button", name="Record commentary").click()
    expect(page.get_by_text(re.compile("October 2026 is closed; give a reason")).first).to_be_visible()
    page.get_by_label("Reason for commenting after the close").fill("Late return from the venues' scheme")
    page.get_by_role("button", name="Record commentary").click()
    expect(page.get_by_text(re.compile("Commentary on VAWG-PROG 'Safe spaces at night' for October 2026"))
           ).to_be_visible()
    page.goto(f"{live_url}/")
    expect(page.get_by_text("Every amber and red line has commentary.")).to_be_visible()
    log_out(page)

    # The director: October's pack waits for sign-off. Its workbook carries the monitoring statement; it was issued
    # before the officer's commentary above, so that line is flagged in it, as issued.
    log_in(page, live_url, "director")
    page.get_by_role("link", name=re.compile(r"Pack \d+: October 2026")).click()
    page.wait_for_url(re.compile(r"/statements/packs/\d+/$"))  # axe measures the new page, not one mid-navigation
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"\.xlsx$")).click()
    path = tmp_path / "october.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path)["Budget monitoring"]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = next(row for row in rows if row and "RAG" in row)
    for title in ("Profiled budget to date", "Actual to date", "Variance to profile £", "RAG", "Commentary"):
        assert title in header
    safe = next(row for row in rows if row and row[1] == "Safe spaces at night")
    assert safe[header.index("RAG")] == "Red"
    assert safe[header.index("Commentary")].startswith("NO COMMENTARY")
    page.get_by_role("link", name=re.compile(r"Sign off pack \d+")).click()
    assert serious_violations(page) == []
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Sign off the pack").click()
    expect(page.get_by_text(re.compile(r"Pack \d+ signed off: SHA-256 [0-9a-f]{64}"))).to_be_visible()
    expect(page.get_by_text(re.compile("Signed off by Margaret Lowe"))).to_be_visible()
    page.goto(f"{live_url}/")
    expect(page.get_by_text("Every current pack is signed off.")).to_be_visible()
    log_out(page)

    # Anyone: the public page, without signing in, lists October's spending file; it downloads and reads back.
    page.goto(f"{live_url}/transparency/")
    assert serious_violations(page) == []
    expect(page.get_by_text("October 2026").first).to_be_visible()
    assert page.get_by_role("button", name="Log out").count() == 0
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("spending.*2026-10|October 2026", re.I)).first.click()
    text = (tmp_path / "spending.csv")
    download.value.save_as(text)
    spending = list(csv.reader(io.StringIO(text.read_text(encoding="utf-8"))))
    assert spending[0][:4] == ["Body name", "Date", "Transaction number", "Beneficiary"]
    assert any(row[9] == "Yes" and row[3] == "REDACTED" for row in spending[1:])
    page.goto(f"{live_url}/transparency/decisions/")
    assert serious_violations(page) == []
