"""The commissioner's decision page tells them what they need to decide: the due diligence results, the provider's
other grants with their latest RAG and clawbacks, the fund before and after, and whether a decision number is
required to approve."""

from datetime import date

import pytest

from grants.awards import funding_line_set, grant_create
from grants.checks import CheckEntry, checks_record
from grants.models import Grant
from grants.outcomes import monitoring_return_accept, monitoring_return_submit
from grants.payments import clawback_record, payment_record
from grants.workflow import grant_submit
from tests.web.conftest import text


@pytest.fixture
def second_grant(payable_grant, org, service, officer, funded_core, year):
    """A new £20,000.00 grant to the same provider, submitted, with one check satisfactory and one with concerns."""
    grant = grant_create(
        title="Helpline for survivors", purpose="Evening helpline", organisation=org, service=service,
        senior_responsible_officer="Ruth Kaur", allocation_method="competed", start_date=date(2025, 10, 1),
        end_date=date(2026, 3, 31), by=officer, funding=[(funded_core, year, "20000.00")],
    )
    first, second = list(grant.checks.order_by("check_type__order"))[:2]
    checks_record(grant=grant, by=officer, entries=[
        CheckEntry(first, "satisfactory", "Accounts to 31/03/2025 reviewed", date(2025, 9, 2)),
        CheckEntry(second, "concerns", "Reserves under one month", date(2025, 9, 3)),
    ])
    return grant_submit(grant=grant, by=officer)


def test_the_page_shows_due_diligence_and_the_providers_other_grants(
        commissioner_client, payable_grant, second_grant, officer, officer2, year):
    payment_record(instalment=payable_grant.instalments.order_by("due_date").first(), amount="15000.00",
                   paid_on=date(2025, 7, 30), reference="BACS 000123", by=officer)
    clawback_record(funding_line=payable_grant.funding_lines.get(), amount="2500.00", received_on=date(2025, 9, 1),
                    reason="Q1 underspend", by=officer)
    amber = monitoring_return_submit(grant=payable_grant, year=year, quarter=2, received_on=date(2025, 10, 10),
                                     spend_reported="12000.00", rag="amber", values={}, by=officer,
                                     narrative="Behind on referrals", delivery_issues="Adviser vacancy since August")
    monitoring_return_accept(monitoring_return=amber, by=officer2)

    page = text(commissioner_client.get(f"/grants/{second_grant.pk}/decide/"))

    first, second, third = [c.check_type.label for c in second_grant.checks.order_by("check_type__order")[:3]]
    assert f"{first} Satisfactory 02/09/2025 Accounts to 31/03/2025 reviewed (Olivia)" in page
    assert f"{second} Concerns found 03/09/2025 Reserves under one month (Olivia)" in page
    assert f"{third} Not yet checked" in page
    assert (f"{payable_grant.reference} Independent sexual violence advisers Active (being paid) "
            "01/04/2025 to 31/03/2026 £60,000.00 £15,000.00 AMBER Q2 2025/26 £2,500.00 (1)") in page
    assert "MOJ-CORE 2025/26 £20,000.00 £442,500.00 £422,500.00" in page  # the clawback came back


def test_a_provider_with_no_other_grants_says_so(commissioner_client, submitted_grant):
    page = text(commissioner_client.get(f"/grants/{submitted_grant.pk}/decide/"))
    assert f"No other grants to {submitted_grant.organisation.name}." in page


def test_below_the_threshold_the_decision_number_is_optional(commissioner_client, submitted_grant):
    page = commissioner_client.get(f"/grants/{submitted_grant.pk}/decide/").content.decode()
    assert 'Decision number <span class="optional">(optional)</span>' in page
    assert "required to approve" not in page


def test_above_the_threshold_every_error_shows_at_once(commissioner_client, draft_grant, funded_core, year, officer):
    funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="150000.00", by=officer)
    grant_submit(grant=draft_grant, by=officer)
    url = f"/grants/{draft_grant.pk}/decide/"
    page = commissioner_client.get(url).content.decode()
    assert 'Decision number <span class="optional">(required to approve)</span>' in page
    assert "(optional)</span>" not in page.split('for="id_decision_number"')[1].split("</label>")[0]

    response = commissioner_client.post(url, {"decision": "approve"})  # no number, no tick

    errors = response.context["form"].errors
    assert errors["decision_number"] == [
        "£150,000.00 drawn on MOJ-CORE is above its £100,000.00 approval threshold, so approving "
        f"{draft_grant.reference} needs a recorded decision: give its number (e.g. 042-2025)."]
    assert errors["confirm"] == ["Tick the box to confirm; this action cannot be undone."]
    html = response.content.decode()
    assert 'href="#id_decision_number"' in html and 'href="#id_confirm"' in html
    draft_grant.refresh_from_db()
    assert draft_grant.status == Grant.Status.SUBMITTED


def test_returning_a_grant_above_the_threshold_needs_no_number(commissioner_client, draft_grant, funded_core, year,
                                                               officer):
    funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="150000.00", by=officer)
    grant_submit(grant=draft_grant, by=officer)
    response = commissioner_client.post(f"/grants/{draft_grant.pk}/decide/",
                                        {"decision": "return", "note": "Split across two years", "confirm": "on"})
    assert response.status_code == 302
    draft_grant.refresh_from_db()
    assert draft_grant.status == Grant.Status.RETURNED
