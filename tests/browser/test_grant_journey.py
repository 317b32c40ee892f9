"""The journey the product exists for, in Chromium against the demo: a finance officer records a provider and
drafts and submits a grant; the commissioner verifies the provider's bank details and approves the grant; the
finance officer records the offer's acceptance, the due diligence and the provider's first monitoring return, and
prepares a payment run that pays the first instalment, which the finance director authorises (downloading the
bank's payment file) before the officer marks it paid; the finance director sees the figures move and downloads
the fund statement, which the test opens and checks against the page."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, requires_chromium
from tests.browser.test_pages import serious_violations
from tests.reports.sheets import evaluate

pytestmark = [pytest.mark.browser, requires_chromium]

YEAR = "2026/27"  # the demo's current year: MOJ-CORE holds its £3,412,000.00 award for it
ORG = "Browser Lane Refuge Trust"
TODAY = date.today().strftime("%d/%m/%Y")


def money(text: str) -> Decimal:
    return Decimal(text.strip().replace("£", "").replace(",", ""))


@pytest.fixture
def session_for(browser, browser_context_args, live_url):
    """A separate browser session per person, signed in through the login page."""
    contexts = []

    def open_as(username):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def moj_core_figures(page, live_url) -> dict[str, Decimal]:
    page.goto(f"{live_url}/dashboards/?year=2026")
    table = page.locator("table", has=page.get_by_text("Budget against actual, 2026/27"))
    cells = table.get_by_role("row", name=re.compile("^MOJ-CORE")).get_by_role("cell").all_inner_texts()
    # Revised budget, spending limit, committed, actual, actual as % of budget, available
    return {"committed": money(cells[2]), "actual": money(cells[3]), "available": money(cells[5])}


def expect_message(page, text):
    expect(page.get_by_role("status")).to_contain_text(text)


def test_grant_from_draft_to_first_payment_and_the_statement(session_for, live_url, tmp_path):
    director = session_for("director")
    before = moj_core_figures(director, live_url)

    # --- The finance officer records the provider, its service and bank details ----------------------------------
    officer = session_for("finance")
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    officer.get_by_role("link", name="Record an organisation").click()
    officer.get_by_label("Legal name").fill(ORG)
    officer.get_by_label("Address").fill("1 Browser Lane, Wolverhampton")
    officer.get_by_label("Postcode").fill("wv1 1aa")
    officer.get_by_role("button", name="Record organisation").click()
    expect_message(officer, f"{ORG} recorded as 360G-")
    org_url = officer.url
    officer.get_by_role("link", name="Add a service").click()
    officer.get_by_label("Service name").fill("Refuge support")
    officer.get_by_label("Kind of area").select_option(label="Local authority")
    officer.get_by_label("Area served").fill("Wolverhampton")
    officer.get_by_role("button", name="Add service").click()
    officer.get_by_role("link", name="Enter new bank details").click()
    officer.get_by_label("Name on the account").fill(ORG)
    officer.get_by_label("Sort code").fill("20-45-77")
    officer.get_by_label("Account number").fill("55667788")
    officer.get_by_role("button", name="Enter bank details").click()
    expect_message(officer, "wait until a second person verifies them")

    # --- ... drafts the grant and submits it -----------------------------------------------------------------------
    officer.goto(f"{live_url}/grants/new/")  # the grant form in five steps
    officer.get_by_label("Organisation and service").select_option(label="Refuge support (Wolverhampton)")
    officer.get_by_label("Title").fill("Refuge support, Wolverhampton 2026/27")
    officer.get_by_label("Purpose").fill("Safe accommodation and support for women and children.")
    officer.get_by_label("Senior responsible officer").fill("Ruth Kaur")
    officer.get_by_label("Competed").check()
    officer.get_by_label("Start date").fill("01/04/2026")
    officer.get_by_label("End date").fill("31/03/2027")
    officer.get_by_label("Low", exact=True).check()
    officer.get_by_role("button", name="Continue").click()
    officer.get_by_label("Fund", exact=True).select_option(label="MOJ-CORE – Victims' services core grant")
    officer.get_by_label("Financial year").select_option(label=YEAR)
    officer.get_by_label("Amount", exact=True).fill("12,000.00")
    officer.get_by_label("Budget line (optional)").select_option(label=f"MOJ-CORE {YEAR}: Victim support hubs")
    officer.get_by_role("button", name="Add the funding line").click()
    officer.get_by_role("button", name="Continue").click()
    officer.get_by_role("button", name="Continue").click()  # the schedule's terms as offered: 30 days, returns
    officer.get_by_role("button", name="Continue").click()  # no outcome targets yet
    officer.get_by_role("button", name="Create the draft grant").click()
    expect_message(officer, "drafted")
    reference = re.search(r"G\d{5}", officer.get_by_role("heading", level=1).inner_text()).group(0)
    grant_url = officer.url
    officer.get_by_role("link", name="Submit for approval").click()
    officer.get_by_role("button", name="Submit for approval").click()
    expect(officer.get_by_role("alert")).to_contain_text("Tick the box to confirm")  # nothing is submitted unticked
    officer.get_by_label("I confirm the grant is ready").check()
    officer.get_by_role("button", name="Submit for approval").click()
    expect_message(officer, f"{reference} submitted for approval")

    # --- The commissioner verifies the bank details and approves the grant from the queue -----------------------
    commissioner = session_for("commissioner")
    queue = commissioner.get_by_role("table")
    expect(queue).to_contain_text(f"New bank details for {ORG}")
    commissioner.get_by_role("link", name=f"New bank details for {ORG}").click()
    commissioner.get_by_label("Verify: the details are correct").check()
    commissioner.get_by_label("How you checked them").fill("Called the number on the charity's website")
    commissioner.get_by_label("I confirm I checked these details").check()
    commissioner.get_by_role("button", name="Record decision").click()
    expect_message(commissioner, "verified")

    commissioner.goto(f"{live_url}/")
    commissioner.get_by_role("link", name=re.compile(reference)).click()
    decision_table = commissioner.locator("table", has=commissioner.get_by_text("What approval would commit"))
    row = decision_table.get_by_role("row", name=re.compile("MOJ-CORE 2026.27")).get_by_role("cell").all_inner_texts()
    assert money(row[0]) == Decimal("12000.00")
    # Amount, available now, (available with the items above in the queue approved,) available after approval.
    assert money(row[1]) == before["available"]
    assert money(row[-2]) - money(row[-1]) == Decimal("12000.00")
    commissioner.get_by_label("Approve and commit the money").check()
    commissioner.get_by_label("I confirm this decision").check()
    commissioner.get_by_role("button", name="Record decision").click()
    expect_message(commissioner, f"{reference} approved")

    # --- The finance officer records acceptance, due diligence, the first return, and pays ----------------------
    officer.goto(grant_url)
    officer.get_by_role("link", name="Record offer accepted").click()
    officer.get_by_label("Date the recipient accepted the offer").fill(TODAY)
    officer.get_by_role("button", name="Record acceptance").click()
    expect_message(officer, "offer accepted")
    officer.get_by_role("link", name=re.compile(r"Due diligence \(\d+ open\)")).click()
    checks = officer.locator("fieldset.check-group")  # every check on one page, saved together
    for i in range(checks.count()):
        group = checks.nth(i)
        group.get_by_label("Satisfactory").check()
        group.get_by_label("Evidence").fill("Seen and filed")
        group.get_by_label("Date checked").fill(TODAY)
    assert serious_violations(officer) == []
    officer.get_by_role("button", name="Save checks").click()
    expect_message(officer, "satisfactory, 0 with concerns")
    expect(officer.locator("fieldset.check-group")).to_have_count(0)
    officer.goto(grant_url)
    officer.get_by_role("link", name="Record a monitoring return").click()
    officer.get_by_label("Quarter").select_option(label=f"Q1 {YEAR} (01/04/2026 to 30/06/2026)")
    officer.get_by_label("Date received").fill(TODAY)
    officer.get_by_label("Spend reported").fill("3000.00")
    officer.get_by_label("Green: on track").check()
    officer.get_by_label("Narrative").fill("Twelve families supported.")
    officer.get_by_role("button", name="Record return").click()
    expect_message(officer, "return recorded")
    officer.get_by_label("Accept: instalments waiting for it can be paid").check()
    officer.get_by_role("button", name="Record review").click()
    expect_message(officer, "return accepted")

    officer.goto(grant_url)
    officer.get_by_role("link", name=f"Ready for a run Q1 {YEAR} MOJ-CORE").click()
    expect(officer.get_by_text("This instalment can be paid today.")).to_be_visible()

    # --- Payments leave in a run: the officer prepares it, the finance director authorises it, it is paid -------
    officer.get_by_role("link", name="Payment runs").first.click()
    officer.get_by_role("link", name="Prepare a payment run").click()
    officer.get_by_label("Payment date").fill(TODAY)
    officer.get_by_role("button", name=re.compile("^Prepare")).click()
    expect(officer.get_by_role("row", name=re.compile(ORG))).to_contain_text("£3,000.00")
    run_url = officer.url
    # Anything else payable today is taken out, so the figures below move by this grant's payment alone.
    def others():
        payee = officer.get_by_label("Payee")
        names = payee.locator("option").all_inner_texts() if payee.count() else []
        return [name for name in names if name not in ("Choose the payee", ORG)]

    while others():
        officer.get_by_label("Payee").select_option(label=others()[0])
        officer.get_by_label("Reason").first.fill("Paid in the next run")
        officer.get_by_role("button", name="Take the payee out of the run").click()
    director.goto(run_url)
    director.get_by_label(re.compile("I have checked the payments above")).check()
    director.get_by_role("button", name=re.compile("^Authorise PR")).click()
    expect(director.get_by_text("Authorised, awaiting payment")).to_be_visible()
    with director.expect_download() as info:
        director.get_by_role("link", name="Download the payment file (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Payee", "Sort code", "Account number", "Amount (pence)", "Payment reference", "Run reference"]
    assert rows[-1][0] == "TRAILER" and rows[-1][3] == "300000" and rows[-1][4] == "1"
    officer.goto(run_url)
    officer.get_by_label(re.compile("The bank has made these payments")).check()
    officer.get_by_role("button", name=re.compile("^Mark PR.* paid$")).click()
    expect(officer.get_by_text("Paid", exact=True).first).to_be_visible()
    officer.goto(grant_url)
    expect(officer.get_by_text("Active (being paid)")).to_be_visible()

    # --- The finance director sees the figures move and downloads the statement ---------------------------------
    after = moj_core_figures(director, live_url)
    assert after["committed"] - before["committed"] == Decimal("9000.00")  # £12,000 committed, £3,000 paid out of it
    assert after["actual"] - before["actual"] == Decimal("3000.00")
    assert before["available"] - after["available"] == Decimal("12000.00")

    director.get_by_role("navigation", name="Main").get_by_role("link", name="Statements").click()
    director.get_by_label("Financial year").select_option(label=YEAR)
    director.get_by_label("Statement (optional)").select_option(label="Fund statement")
    director.get_by_label("Excel workbook (.xlsx)").check()
    with director.expect_download() as info:
        director.get_by_role("button", name="Download").click()
    download = info.value
    assert re.fullmatch(r"ringfence-2026-27-as-at-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path)["Fund statement"]
    header = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Fund")
    total = next(
        row for row in sheet.iter_rows(values_only=True) if row[0] == "MOJ-CORE" and str(row[2]).startswith("Total")
    )
    figures = dict(zip(header, total, strict=True))
    # Committed and actual are live sums of the budget lines above the total: evaluated as Excel would.
    assert evaluate(sheet, figures["Committed"]) == after["committed"]
    assert evaluate(sheet, figures["Actual"]) == after["actual"]
    assert Decimal(str(figures["Available"])) == after["available"]

    # The grant's timeline tells the same story.
    director.goto(f"{grant_url}timeline/")
    for step in ("approved and £12,000.00 committed", "offer accepted", "return accepted", "£3,000.00 paid to"):
        expect(director.get_by_role("main")).to_contain_text(step)
    director.goto(org_url)
    expect(director.get_by_text("Verified", exact=True).first).to_be_visible()
