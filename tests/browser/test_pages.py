"""Each role's home page in Chromium: accessible (axe-core finds nothing serious), usable by keyboard alone,
and a refusal shown as a page that says why. Screenshots of the home pages go to the screenshots folder."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, log_in, log_out, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium]

ROLES = [
    ("finance", "finance-officer", "Needs your attention"),
    ("commissioner", "commissioner", "Waiting for your decision"),
    ("director", "finance-director", "Budget against actual"),
]
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
}


def serious_violations(page) -> list[str]:
    page.wait_for_load_state("load")  # after a click the new page may still be loading: its styles not yet applied
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("username", "name", "heading"), ROLES)
def test_home_page_is_accessible_and_photographed(page, live_url, screenshots_dir, username, name, heading):
    log_in(page, live_url, username)
    expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=str(screenshots_dir / f"home-{name}.png"), full_page=True)
    log_out(page)


DIRECTOR_PAGES = ["/grants/", "/funds/", "/funds/MOJ-CORE/", "/approvals/", "/dashboards/", "/statements/",
                  "/year-end/2025/", "/year-end/2026/", "/ledger/corrections/1/", "/spending/orders/",
                  "/spending/orders/1/", "/payments/runs/", "/payments/runs/4/", "/payments/limits/", "/bank/",
                  "/bank/1/", "/corporate/journal/", "/corporate/mappings/", "/monitoring/", "/monitoring/2026/10/",
                  "/monitoring/thresholds/", "/funder-returns/", "/transparency/manage/", "/statements/packs/4/",
                  "/statements/packs/4/sign-off/"]


def test_main_pages_of_the_director_are_accessible(page, live_url):
    """One sign-in, every page checked; the failure lists each page with what axe found on it."""
    log_in(page, live_url, "director")
    found = {}
    for path in DIRECTOR_PAGES:
        response = page.goto(f"{live_url}{path}")
        assert response.status == 200, path
        found[path] = serious_violations(page)
    assert {path: problems for path, problems in found.items() if problems} == {}


OFFICER_PAGES = ["/grants/", "/organisations/", "/organisations/new/", "/funds/", "/income/", "/income/poca/new/",
                 "/budgets/", "/budgets/new/", "/virements/", "/spending/orders/", "/payments/runs/", "/bank/",
                 "/returns/due/", "/payments/due/", "/ledger/corrections/", "/monitoring/", "/account/password/"]


def _first_link(page, live_url, path, selector) -> str:
    page.goto(f"{live_url}{path}")
    return page.locator(selector).first.get_attribute("href")


def test_main_pages_of_the_officer_are_accessible(page, live_url):
    """The officer's everyday pages, the one-page due diligence of a grant with checks open (shown with errors too)
    and a grant's page."""
    log_in(page, live_url, "finance")
    grant = _first_link(page, live_url, "/grants/?status=approved", "table.data a[href^='/grants/']")
    found = {}
    for path in OFFICER_PAGES + [grant, f"{grant}checks/"]:
        response = page.goto(f"{live_url}{path}")
        assert response.status == 200, path
        found[path] = serious_violations(page)
    page.goto(f"{live_url}{grant}checks/")
    page.get_by_label("Evidence").first.fill("Seen")  # no result, no date: both refused, next to the fields
    page.get_by_role("button", name="Save checks").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the result of")
    found["checks with errors"] = serious_violations(page)
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_the_commissioners_decision_page_is_accessible(page, live_url):
    log_in(page, live_url, "commissioner")
    decide = _first_link(page, live_url, "/approvals/", "table.queue a[href$='/decide/']")
    page.goto(f"{live_url}{decide}")
    expect(page.get_by_role("heading", name="Due diligence")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(": other grants$"))).to_be_visible()
    found = {decide: serious_violations(page)}
    page.get_by_role("button", name="Record decision").click()  # nothing chosen: the errors, linked to fields
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    found["decision with errors"] = serious_violations(page)
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_a_form_with_errors_is_accessible_and_keeps_what_was_typed(page, live_url):
    log_in(page, live_url, "finance")
    page.goto(f"{live_url}/income/poca/new/")
    page.get_by_label("Receipt reference").fill("ARIS-BROWSER-1")
    page.get_by_label("Gross amount recovered").fill("12.345")
    page.get_by_role("button", name="Record proceeds of crime receipt").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("£12.345 has more than two decimal places")
    expect(page.get_by_label("Receipt reference")).to_have_value("ARIS-BROWSER-1")
    assert page.title().startswith("Error: ")
    assert serious_violations(page) == []


def test_logging_in_and_moving_around_with_the_keyboard_alone(page, live_url):
    page.goto(f"{live_url}/login/")
    username = page.get_by_label("Username")
    expect(username).to_be_focused()  # the form is ready to type into
    page.keyboard.type("commissioner")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_url}/")
    expect(page.get_by_role("heading", name=re.compile("Waiting for your decision"))).to_be_visible()

    # First stop: the skip link, shown when focused; it takes the keyboard past the navigation.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The next link is visibly outlined, and Enter follows it.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "({tag: document.activeElement.tagName, outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused == {"tag": "A", "outline": "solid"}
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.url != f"{live_url}/"


def test_a_refusal_is_shown_in_the_page(page, live_url):
    log_in(page, live_url, "commissioner")
    response = page.goto(f"{live_url}/budgets/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot do this")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "This page is for finance officers. You are signed in as a commissioner, so it is not available to you."
    )
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Budgets")).to_be_visible()
    assert "Budgets" in page.get_by_role("navigation", name="Main").inner_text()
    assert "Journal" not in page.get_by_role("navigation", name="Main").inner_text()
