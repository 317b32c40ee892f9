"""Drafting a grant in five steps (grants.views.grant_steps): every answer checked when given, nothing written
until the last step, which writes it all through the services or nothing at all."""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Grant, OutcomeTarget
from grants.outcomes import outcome_measure_create
from grants.workflow import grant_approve, grant_submit
from income.services import award_letter_record
from tests.rules.conftest import database_state
from tests.web.conftest import text

DETAILS = {
    "title": "Counselling for survivors",
    "purpose": "Specialist counselling",
    "senior_responsible_officer": "Ruth Kaur",
    "allocation_method": "competed",
    "start_date": "01/04/2025",
    "end_date": "31/03/2026",
    "risk_rating": "low",
    "conditions": "Quarterly reports to the PCC",
}


@pytest.fixture
def funded_dasv(dasv_fund, year, officer):
    """MOJ-DASV with a £300,000.00 award for 2025/26."""
    award_letter_record(fund=dasv_fund, year=year, reference="DASV-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="300000.00", by=officer)
    return dasv_fund


@pytest.fixture
def referrals(funded_core, officer):
    return outcome_measure_create(fund=funded_core, code="referrals", name="Referrals received", unit="referrals",
                                  by=officer)


def start(client) -> str:
    """Open /grants/new/ and return the first step's address."""
    response = client.get("/grants/new/")
    assert response.status_code == 302 and response["Location"].endswith("/details/")
    return response["Location"]


def step(url: str, name: str) -> str:
    return url.rsplit("/", 2)[0] + f"/{name}/"


def details(service, **extra):
    return {"service": service.pk, **DETAILS, **extra}


def walk_to_check(client, service, core, dasv, year, measure) -> str:
    """Answer steps 1 to 4 as a finance officer would; return the check page's address."""
    first = start(client)
    assert client.post(first, details(service))["Location"] == step(first, "funding-lines")
    funding = step(first, "funding-lines")
    for fund, amount in ((core, "45,000.00"), (dasv, "12,500.50")):
        added = client.post(funding, {"action": "add", "fund": fund.pk, "year": year.pk, "amount": amount})
        assert added["Location"] == funding
    assert client.post(funding, {"action": "continue"})["Location"] == step(first, "schedule")
    schedule = step(first, "schedule")
    assert client.post(schedule, {"payment_terms_days": "14"})["Location"] == step(first, "outcomes")
    outcomes = step(first, "outcomes")
    client.post(outcomes, {"action": "add", "measure": measure.pk, "year": year.pk, "target": "120"})
    assert client.post(outcomes, {"action": "continue"})["Location"] == step(first, "check")
    return step(first, "check")


def test_the_five_steps_draft_the_grant_exactly_as_answered_and_nothing_before(
    officer_client, service, funded_core, funded_dasv, year, referrals, commissioner
):
    before = database_state()
    check = walk_to_check(officer_client, service, funded_core, funded_dasv, year, referrals)
    page = text(officer_client.get(check))
    assert database_state() == before  # four steps answered and the answers checked: nothing written
    assert "Step 5 of 5 Check your answers" in page
    assert "MOJ-CORE 2025/26 No budget line £45,000.00" in page
    assert "MOJ-DASV 2025/26 No budget line £12,500.50" in page
    assert "Payment terms 14 days after each quarter ends Waits for the quarter's return No" in page
    assert "MOJ-CORE: Referrals received 2025/26 120 referrals" in page

    response = officer_client.post(check)
    grant = Grant.objects.get()
    assert response["Location"] == f"/grants/{grant.pk}/"
    assert f"{grant.reference} drafted." in text(officer_client.get(response["Location"]))
    assert (grant.status, grant.title, grant.organisation.name, grant.service, grant.risk_rating) == (
        Grant.Status.DRAFT, "Counselling for survivors", "Brindley Survivors Trust", service, "low")
    assert (grant.start_date, grant.end_date, grant.conditions) == (
        date(2025, 4, 1), date(2026, 3, 31), "Quarterly reports to the PCC")
    assert (grant.payment_terms_days, grant.returns_required) == (14, False)
    assert sorted((line.fund.code, line.year.label, line.amount.amount) for line in grant.funding_lines.all()) == [
        ("MOJ-CORE", "2025/26", Decimal("45000.00")), ("MOJ-DASV", "2025/26", Decimal("12500.50"))]
    assert [(t.measure.code, t.year.label, t.target) for t in OutcomeTarget.objects.filter(grant=grant)] == [
        ("referrals", "2025/26", Decimal("120"))]
    assert grant.checks.count() > 0  # drafted by grant_create: its due diligence checklist came with it
    assert "grant_drafts" in officer_client.session and not officer_client.session["grant_drafts"]

    # The schedule's terms are the ones approval makes the instalments from.
    grant_approve(grant=grant_submit(grant=grant, by=grant.created_by), by=commissioner, on=date(2025, 5, 1))
    core = grant.instalments.filter(funding_line__fund=funded_core).order_by("quarter")
    assert [(i.due_date, i.amount.amount, i.requires_return) for i in core] == [
        (date(2025, 7, 14), Decimal("11250.00"), False), (date(2025, 10, 14), Decimal("11250.00"), False),
        (date(2026, 1, 14), Decimal("11250.00"), False), (date(2026, 4, 14), Decimal("11250.00"), False)]


def test_each_step_shows_where_it_is_and_the_way_back(officer_client, service, funded_core, year):
    first = start(officer_client)
    page = text(officer_client.get(first))
    assert "Step 1 of 5 Grant details" in page
    assert officer_client.get(first).context["back_url"] == "/grants/"
    officer_client.post(first, details(service))
    funding = officer_client.get(step(first, "funding-lines"))
    assert "Step 2 of 5 Funding lines" in text(funding)
    assert funding.context["back_url"] == first


def test_a_later_step_cannot_be_opened_before_the_earlier_ones(officer_client, service):
    first = start(officer_client)
    assert officer_client.get(step(first, "schedule"))["Location"] == first
    assert officer_client.get(step(first, "check"))["Location"] == first


def test_a_refused_detail_is_shown_next_to_its_field_and_keeps_what_was_typed(officer_client, service, year):
    first = start(officer_client)
    response = officer_client.post(first, details(service, allocation_method="direct"))
    assert response.status_code == 200
    assert response.context["form"].errors["direct_award_reason"] == [
        "A direct award needs the reason it was not competed (e.g. the only specialist provider in the area)."
    ]
    assert response.context["form"]["title"].value() == "Counselling for survivors"
    late = officer_client.post(first, details(service, end_date="31/03/2025"))
    assert late.context["form"].errors["end_date"] == [
        "The grant ends (31/03/2025) before it starts (01/04/2025); the end date must be on or after the start date."
    ]
    assert text(late).startswith("Error:")


def test_a_funding_line_the_fund_cannot_cover_is_refused_naming_what_is_available(
    officer_client, service, funded_core, year
):
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk, "amount": "45000"})
    response = officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk,
                                             "amount": "600,000.00"})
    assert response.context["form"].errors["amount"] == [
        "MOJ-CORE (Victims' services core grant) has £500,000.00 available for 2025/26; £600,000.00 is more than it "
        "can cover."
    ]
    assert response.context["form"]["amount"].value() == "600,000.00"
    assert [row["amount"] for _, row in response.context["rows"]] == [Decimal("45000.00")]  # the line kept
    assert officer_client.get(first).context["form"]["title"].value() == "Counselling for survivors"


def test_a_funding_line_outside_the_grants_dates_is_refused_on_the_year(officer_client, service, funded_core, year):
    first = start(officer_client)
    officer_client.post(first, details(service))
    later = year.__class__.objects.get(start_year=2026)
    response = officer_client.post(step(first, "funding-lines"), {"action": "add", "fund": funded_core.pk,
                                                                  "year": later.pk, "amount": "1000.00"})
    assert response.context["form"].errors["year"] == [
        "The grant runs 01/04/2025 to 31/03/2026, which is outside 2026/27 (01/04/2026 to 31/03/2027); choose a "
        "year the grant runs in, or change its dates."
    ]


def test_the_same_fund_and_year_again_changes_that_line_as_the_service_would(
    officer_client, service, funded_core, year
):
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk, "amount": "45000"})
    officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk, "amount": "50000"})
    rows = officer_client.get(funding).context["rows"]
    assert [(row["fund"].code, row["amount"]) for _, row in rows] == [("MOJ-CORE", Decimal("50000.00"))]


def test_a_funding_line_is_removed_from_the_list(officer_client, service, funded_core, funded_dasv, year):
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    for fund in (funded_core, funded_dasv):
        officer_client.post(funding, {"action": "add", "fund": fund.pk, "year": year.pk, "amount": "1000"})
    officer_client.post(funding, {"action": "remove", "index": "0"})
    assert [row["fund"].code for _, row in officer_client.get(funding).context["rows"]] == ["MOJ-DASV"]


def test_refused_payment_terms_are_shown_on_their_field(officer_client, service, funded_core, year):
    first = start(officer_client)
    officer_client.post(first, details(service))
    officer_client.post(step(first, "funding-lines"), {"action": "continue"})
    response = officer_client.post(step(first, "schedule"), {"payment_terms_days": "200", "returns_required": "on"})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["payment_terms_days"]
    assert response.context["form"]["returns_required"].value() is True


def test_a_refused_target_is_shown_on_its_field(officer_client, service, funded_core, year, referrals):
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk, "amount": "45000"})
    officer_client.post(funding, {"action": "continue"})
    officer_client.post(step(first, "schedule"), {"payment_terms_days": "30", "returns_required": "on"})
    response = officer_client.post(step(first, "outcomes"), {"action": "add", "measure": referrals.pk,
                                                             "year": year.pk, "target": "12.345"})
    assert list(response.context["form"].errors) == ["target"]
    assert response.context["form"]["measure"].value() == str(referrals.pk)


def test_a_target_left_without_its_funds_line_goes_back_to_the_targets_with_the_services_message(
    officer_client, service, funded_core, funded_dasv, year, referrals
):
    check = walk_to_check(officer_client, service, funded_core, funded_dasv, year, referrals)
    funding = step(check, "funding-lines")
    officer_client.post(funding, {"action": "remove", "index": "0"})  # MOJ-CORE, whose measure the target is
    response = officer_client.get(check)
    assert response["Location"] == step(check, "outcomes") + "?item=0"
    page = officer_client.get(response["Location"])
    assert page.context["form"].errors["measure"] == [
        "'Referrals received' is a measure of MOJ-CORE, which the grant does not draw on."]


def test_a_refusal_at_the_last_step_writes_nothing_and_goes_back_to_the_step_at_fault(
    officer_client, service, funded_core, funded_dasv, year, referrals, submitted_grant, commissioner
):
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    officer_client.post(funding, {"action": "add", "fund": funded_dasv.pk, "year": year.pk, "amount": "1000"})
    officer_client.post(funding, {"action": "add", "fund": funded_core.pk, "year": year.pk, "amount": "450,000.00"})
    officer_client.post(funding, {"action": "continue"})
    officer_client.post(step(first, "schedule"), {"payment_terms_days": "30", "returns_required": "on"})
    officer_client.post(step(first, "outcomes"), {"action": "continue"})
    # Meanwhile another grant is approved: MOJ-CORE now has £440,000.00 available, less than the second line.
    grant_approve(grant=submitted_grant, by=commissioner, on=date(2025, 5, 1))
    before = database_state()

    response = officer_client.post(step(first, "check"))  # the grant and the first line are written, then undone

    assert database_state() == before
    assert response["Location"] == funding + "?item=1"
    page = officer_client.get(response["Location"])
    assert page.context["form"].errors["amount"] == [
        "MOJ-CORE (Victims' services core grant) has £440,000.00 available for 2025/26; £450,000.00 is more than it "
        "can cover."
    ]
    assert page.context["form"]["amount"].value() == "450,000.00"
    assert len(page.context["rows"]) == 2
    assert Grant.objects.count() == 1  # only the other grant


def test_change_links_return_to_a_step_with_its_answers_and_then_to_the_check_page(
    officer_client, service, funded_core, funded_dasv, year, referrals
):
    check = walk_to_check(officer_client, service, funded_core, funded_dasv, year, referrals)
    page = officer_client.get(check)
    urls = page.context["urls"]
    for name in ("details", "funding", "schedule", "outcomes"):
        assert f'href="{urls[name]}"' in page.content.decode()
    form = officer_client.get(urls["details"]).context["form"]
    assert (form["title"].value(), form["start_date"].value(), form["risk_rating"].value()) == (
        "Counselling for survivors", "01/04/2025", "low")
    assert officer_client.get(urls["schedule"]).context["form"]["payment_terms_days"].value() == "14"
    line = officer_client.get(urls["funding"] + "?item=1").context["form"]
    assert (line["fund"].value(), line["amount"].value(), line["index"].value()) == (
        str(funded_dasv.pk), "12,500.50", 1)

    changed = officer_client.post(urls["details"], details(service, title="Counselling and advocacy"))
    assert changed["Location"] == check
    assert "Counselling and advocacy" in text(officer_client.get(check))


def test_two_drafts_in_two_tabs_keep_their_own_answers(officer_client, service, year):
    one, two = start(officer_client), start(officer_client)
    officer_client.post(one, details(service, title="First tab"))
    officer_client.post(two, details(service, title="Second tab"))
    assert officer_client.get(one).context["form"]["title"].value() == "First tab"
    assert officer_client.get(two).context["form"]["title"].value() == "Second tab"


def test_a_draft_the_session_does_not_hold_starts_again(officer_client):
    response = officer_client.get("/grants/new/0123456789abcdef/funding-lines/")
    assert response["Location"] == "/grants/new/"


def test_the_service_named_on_the_organisation_page_is_offered_first(officer_client, service):
    first = officer_client.get(f"/grants/new/?service={service.pk}")["Location"]
    assert officer_client.get(first).context["form"]["service"].value() == str(service.pk)


def test_continue_adds_a_line_typed_but_not_added_and_refuses_a_bad_one(officer_client, service, funded_core, year):
    """Pressing Continue with a funding line typed in never drops it: a good one is added, a bad one is refused next
    to its field and the person stays on the step."""
    first = start(officer_client)
    officer_client.post(first, details(service))
    funding = step(first, "funding-lines")
    refused = officer_client.post(funding, {"action": "continue", "fund": funded_core.pk, "year": year.pk,
                                            "amount": "12.345"})
    assert refused.status_code == 200
    assert "£12.345 has more than two decimal places" in text(refused)
    moved = officer_client.post(funding, {"action": "continue", "fund": funded_core.pk, "year": year.pk,
                                          "amount": "45,000.00"})
    assert moved["Location"] == step(first, "schedule")
    page = text(officer_client.get(funding))
    assert "MOJ-CORE 2025/26 The fund's only line for the year £45,000.00" in page
    assert not Grant.objects.exists()
