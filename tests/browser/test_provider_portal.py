"""Issue 15's journey in Chromium against the demo: a finance officer invites a person from a provider; the person
opens the emailed link, sets a password and is signed in to the portal; they accept their organisation's waiting
offer and send an overdue monitoring return with an evidence file; the officer accepts the return and its
instalment becomes ready to pay; ``send_reminders`` emails what is due, once, and sends nothing more the same day.
Every portal page passes the accessibility check."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, requires_chromium
from tests.browser.test_pages import serious_violations

pytestmark = [pytest.mark.browser, requires_chromium]

NEW_PASSWORD = "Canal-side lanterns 2026"
EMAIL = "ruth.okafor@example.org"
CONSOLE = "django.core.mail.backends.console.EmailBackend"

# What the journey works on, read from the live demo: an organisation with a waiting offer, and one of its grants
# whose quarter has ended with no return sent and whose instalment waits for that return.
FIND = r"""
import json
from django.utils import timezone
from grants.models import Grant
from grants.payments import instalment_pay_refusal
from grants.selectors import instalments_due, returns_due
today = timezone.localdate()
waiting = {}
for row in instalments_due(today):
    refusal = instalment_pay_refusal(instalment=row.instalment, on=today) or ""
    if "return" in refusal.lower():
        waiting.setdefault(row.instalment.grant_id, row.instalment)
found = None
for row in returns_due(today):
    g = row.grant
    if row.monitoring_return is not None or g.pk not in waiting:
        continue
    offer = Grant.objects.filter(organisation=g.organisation, status=Grant.Status.APPROVED).order_by("pk").first()
    if offer is None:
        continue
    found = {"org": g.organisation.pk, "org_name": g.organisation.name, "offer": offer.reference,
             "grant": g.reference, "grant_pk": g.pk, "quarter": row.quarter.label,
             "year": row.year.start_year, "q": row.quarter.number, "instalment": waiting[g.pk].pk}
    break
print(json.dumps(found))
"""


def mail_to(live_app, address: str) -> str:
    """The newest email the application wrote (file-based backend) that is addressed to ``address``."""
    folder = live_app.folder / "mail"
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        text = path.read_text()
        if f"To: {address}" in text:
            return text
    raise AssertionError(f"No email to {address} in {sorted(p.name for p in folder.glob('*'))}")


def test_invited_provider_accepts_an_offer_and_sends_a_return_the_office_accepts(page, live_app, tmp_path):
    live_url = live_app.url
    found = live_app.manage("shell", "--no-imports", "-c", FIND).stdout
    world = json.loads(next(line for line in found.splitlines() if line.startswith(("{", "null"))))
    assert world, "the demo has no organisation with a waiting offer and an overdue return whose instalment waits"

    # The officer invites a person from the organisation, from its page.
    log_in(page, live_url, "finance")
    page.goto(f"{live_url}/organisations/{world['org']}/")
    page.get_by_role("link", name="Invite someone from this organisation").click()
    assert serious_violations(page) == []
    page.get_by_label("Full name").fill("Ruth Okafor")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name=re.compile("Send the invitation|Invite|Send")).click()
    expect(page.get_by_text(f"Invitation sent to {EMAIL}")).to_be_visible()
    log_out(page)

    # The emailed link: single use. The person chooses a name and a password under the office's rules.
    email = mail_to(live_app, EMAIL)
    path = re.search(r"https?://[^/\s]+(/portal/invitation/[^/\s]+/)", email).group(1)
    page.goto(f"{live_url}{path}")
    expect(page.get_by_text(world["org_name"]).first).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Choose a user name").fill("ruth")
    page.get_by_label("Choose a password").fill("password")
    page.get_by_label("Type the password again").fill("password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text(re.compile("too common|too short")).first).to_be_visible()  # the same rules as the office
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text(re.compile("Your account is ready"))).to_be_visible()
    expect(page.get_by_role("heading", name=world["org_name"], level=1)).to_be_visible()
    assert serious_violations(page) == []
    # No fund figure and no other organisation on the provider's home page.
    assert "Available" not in page.content()

    # The offer: read, confirmed, accepted on behalf of the organisation, with the person's name and the moment.
    page.get_by_role("link", name=re.compile(world["offer"])).first.click()
    assert serious_violations(page) == []
    page.get_by_label(re.compile("I have read the offer")).check()
    page.get_by_role("button", name=re.compile("Accept the offer on behalf of")).click()
    expect(page.get_by_text(re.compile(f"You accepted the offer of {world['offer']}"))).to_be_visible()

    # The overdue return, with counts per measure, spend, RAG, delivery issues and an evidence file.
    page.goto(f"{live_url}/portal/")
    page.get_by_role("link", name=re.compile(f"Send the return.*{world['grant']}")).click()
    assert serious_violations(page) == []
    for box in page.locator("input[name^='measure_']").all():
        box.fill("12")
    page.get_by_label("Spend in the quarter").fill("18,250.00")
    page.get_by_label(re.compile("Amber: some concerns")).check()
    page.get_by_label("Delivery issues").fill("One adviser on long-term sick leave; cover from January.")
    page.get_by_label("What happened this quarter").fill("Referrals steady; two new GP surgeries referring.")
    evidence = tmp_path / "referrals.csv"
    evidence.write_text("month,referrals\nJuly,4\nAugust,4\nSeptember,4\n")
    page.get_by_label(re.compile("Evidence")).set_input_files(str(evidence))
    page.get_by_role("button", name="Send the return").click()
    expect(page.get_by_text(re.compile(f"return for {world['grant']} was sent to the office"))).to_be_visible()
    log_out(page)

    # The officer: the instalment waits for the return until it is accepted, then it is ready for a run.
    log_in(page, live_url, "finance")
    page.goto(f"{live_url}/payments/due/")
    row = page.locator("tr", has=page.get_by_role("link", name=re.compile(
        f"{world['grant']} Q\\d")))
    expect(row.first).not_to_contain_text("Nothing: ready to pay")
    page.goto(f"{live_url}/returns/due/")
    page.locator("tr", has_text=world["grant"]).get_by_role("link").last.click()
    # the evidence sent with it
    expect(page.get_by_role("link", name=re.compile("referrals.csv")).first).to_be_visible()
    page.get_by_label(re.compile("Accept: instalments waiting")).check()
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text(re.compile("accepted", re.I)).first).to_be_visible()
    page.goto(f"{live_url}/payments/due/")
    expect(page.locator("tr", has_text=world["grant"]).filter(has_text=f"Q{world['q']}").first
           ).to_contain_text("Nothing: ready to pay")

    # The reminders: emailed once (the console backend prints them), nothing again the same day.
    console = {**live_app.env, "RINGFENCE_EMAIL_BACKEND": CONSOLE}
    first = live_app.manage("send_reminders", env=console).stdout
    emailed, already = totals(first)
    assert emailed > 0 and already == 0, first
    emails = first.split("Content-Type: text/plain")[1:]
    assert len(emails) == emailed
    # Office staff are @ringfence.example in the demo; providers' addresses are their own organisations'.
    overdue_to_providers = [e for e in emails if "Subject: Ringfence: Overdue:" in e
                            and re.search(r"To: (?!\S+@ringfence\.example)\S+@\S+", e)]
    assert overdue_to_providers, "no provider was reminded of an overdue return"
    assert f"Overdue: {world['quarter']} monitoring return, {world['grant']}\n" not in first  # sent and accepted
    again = live_app.manage("send_reminders", env=console).stdout
    assert totals(again) == (0, emailed), again
    assert "Subject: " not in again


def totals(output: str) -> tuple[int, int]:
    """(emailed, already sent today) from the Total row of send_reminders' table."""
    row = next(line for line in output.splitlines() if line.strip().startswith("Total"))
    numbers = [int(n) for n in row.split()[1:]]
    return numbers[0], numbers[2]
