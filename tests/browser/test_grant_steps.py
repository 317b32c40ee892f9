"""Drafting a grant in five steps, in Chromium against the demo, as the demo finance officer: each step answered
(two funding lines and a target added with "add another", one amount refused next to its field), a Change link
from the check page, and the draft created; axe-core finds nothing serious or critical on any step."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, requires_chromium
from tests.browser.test_pages import serious_violations

pytestmark = [pytest.mark.browser, requires_chromium]

YEAR = "2026/27"


def add_line(page, fund: str, amount: str, budget_line: str) -> None:
    page.get_by_label("Fund", exact=True).select_option(label=fund)
    page.get_by_label("Financial year").select_option(label=YEAR)
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Budget line (optional)").select_option(label=budget_line)
    page.get_by_role("button", name="Add the funding line").click()


def test_a_grant_drafted_in_five_accessible_steps(page, live_url):
    log_in(page, live_url, "finance")
    found = {}
    page.goto(f"{live_url}/grants/new/")

    # Step 1: the details
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grant details")
    found["details"] = serious_violations(page)
    page.get_by_label("Organisation and service").select_option(label="Counselling for survivors (Birmingham)")
    page.get_by_label("Title").fill("Counselling in steps 2026/27")
    page.get_by_label("Purpose").fill("Specialist counselling for survivors of sexual violence.")
    page.get_by_label("Senior responsible officer").fill("Ruth Kaur")
    page.get_by_label("Competed").check()
    page.get_by_label("Start date").fill("01/04/2026")
    page.get_by_label("End date").fill("31/03/2027")
    page.get_by_role("button", name="Continue").click()

    # Step 2: two funding lines, one amount refused first
    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    found["funding"] = serious_violations(page)
    add_line(page, "MOJ-CORE – Victims' services core grant", "99,000,000.00",
             f"MOJ-CORE {YEAR}: Specialist counselling")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(re.compile(r"MOJ-CORE \(Victims' services core grant\) has £[\d,]+\.\d\d "
                                               r"available for 2026/27; £99,000,000\.00 is more than it can cover"))
    expect(page.get_by_label("Amount", exact=True)).to_have_value("99,000,000.00")
    found["funding refused"] = serious_violations(page)
    page.get_by_label("Amount", exact=True).fill("24,000.00")
    page.get_by_role("button", name="Add the funding line").click()
    expect(page.get_by_role("status")).to_contain_text("The funding line was added")
    add_line(page, "MOJ-DASV – Domestic abuse and sexual violence grant", "8,000.00", f"MOJ-DASV {YEAR}: ISVA services")
    lines = page.get_by_role("table")
    expect(lines).to_contain_text("£24,000.00")
    expect(lines).to_contain_text("£8,000.00")
    found["funding, two lines"] = serious_violations(page)
    page.get_by_role("button", name="Continue").click()

    # Step 3: the schedule's terms, with what approval would make
    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("£6,000.00")  # MOJ-CORE's £24,000.00 over four quarters
    found["schedule"] = serious_violations(page)
    page.get_by_label("Payment terms (days)").fill("20")
    page.get_by_role("button", name="Continue").click()

    # Step 4: a target
    expect(page.get_by_text("Step 4 of 5")).to_be_visible()
    found["outcomes"] = serious_violations(page)
    page.get_by_label("Outcome measure").select_option(label="MOJ-CORE: Referrals received (referrals)")
    page.get_by_label("Financial year").select_option(label=YEAR)
    page.get_by_label("Target").fill("150")
    page.get_by_role("button", name="Add the target").click()
    expect(page.get_by_role("table")).to_contain_text("150 referrals")
    page.get_by_role("button", name="Continue").click()

    # Step 5: check the answers, change one, create the draft
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_text("20 days after each quarter ends")).to_be_visible()
    found["check"] = serious_violations(page)
    page.get_by_role("link", name="Change the grant details").click()
    expect(page.get_by_label("Title")).to_have_value("Counselling in steps 2026/27")
    page.get_by_label("Title").fill("Counselling in five steps 2026/27")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    page.get_by_role("button", name="Create the draft grant").click()

    expect(page.get_by_role("status")).to_contain_text("drafted")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Counselling in five steps 2026/27")
    expect(page.get_by_role("row", name=re.compile("MOJ-CORE 2026.27"))).to_contain_text("£24,000.00")
    expect(page.get_by_role("row", name=re.compile("MOJ-DASV 2026.27"))).to_contain_text("£8,000.00")
    assert {step: problems for step, problems in found.items() if problems} == {}
