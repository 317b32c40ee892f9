"""The funds pages: fund positions (served by ledger.views, under the same URLs), budgets, forecasts, virements and
the calendar."""

from decimal import Decimal

import pytest

from funds.budgets import budget_line_create, virement_request
from funds.models import BudgetLine, Forecast, Period, Virement
from tests.web.conftest import text


@pytest.fixture
def lines(funded_core, year, officer):
    hubs = budget_line_create(
        fund=funded_core, year=year, heading="Victim support hubs", amount="300000.00", by=officer
    )
    rj = budget_line_create(fund=funded_core, year=year, heading="Restorative justice", amount="200000.00", by=officer)
    return hubs, rj


def test_fund_list_shows_each_funds_position_for_the_chosen_year(officer_client, funded_core, poca_fund, year):
    page = text(officer_client.get("/funds/?year=2025"))
    assert "Fund positions for 2025/26" in page
    assert "MOJ-CORE Victims' services core grant MoJ Award £500,000.00 £0.00 £0.00 £500,000.00" in page
    assert "POCA Proceeds of crime fund HO Cash received £0.00 £0.00 £0.00 £0.00" in page


def test_fund_list_search(officer_client, funded_core, poca_fund, year):
    page = text(officer_client.get("/funds/?year=2025&q=proceeds"))
    assert "POCA" in page and "MOJ-CORE" not in page


def test_fund_detail_shows_budget_and_the_funds_journal_lines(director_client, lines, year):
    response = director_client.get("/funds/MOJ-CORE/?year=2025")
    page = text(response)
    assert "MOJ-CORE Victims' services core grant" in page
    assert "Restorative justice £200,000.00 £0.00 £200,000.00 £0.00 £0.00 £200,000.00 –" in page
    # Lines without a forecast count as on budget.
    assert "Total £500,000.00 £0.00 £0.00 £500,000.00 £0.00 0.00%" in page
    assert (
        "03/04/2025 2025/26/000001 Award letter MOJ-AWD-2526: MOJ-CORE 2025/26 1100 Grant awards receivable £500,000.00"
        in page
    )
    assert 'href="/journal/' in response.content.decode()


def test_unknown_fund_is_not_found(officer_client, year):
    assert officer_client.get("/funds/NOPE/").status_code == 404


def test_budget_line_is_set_through_the_form(officer_client, funded_core, year):
    response = officer_client.post(
        "/budgets/new/",
        {
            "fund": funded_core.pk,
            "year": year.pk,
            "heading": "ISVA services",
            "amount": "£120,000.00",
            "phasing": "quarterly",
        },
    )
    line = BudgetLine.objects.get(heading="ISVA services")
    assert response.status_code == 302 and response["Location"] == f"/budgets/{line.pk}/"
    assert line.original.amount == Decimal("120000.00")
    assert [p.amount.amount for p in line.phases.all()] == [Decimal("30000.00")] * 4
    page = text(officer_client.get(response["Location"]))
    assert "Budget line 'ISVA services' set for MOJ-CORE 2025/26." in page
    assert "Q1 £30,000.00 Q2 £30,000.00 Q3 £30,000.00 Q4 £30,000.00" in page


def test_a_bad_amount_is_shown_next_to_the_field_and_what_was_typed_is_kept(officer_client, funded_core, year):
    response = officer_client.post(
        "/budgets/new/",
        {
            "fund": funded_core.pk,
            "year": year.pk,
            "heading": "ISVA services",
            "amount": "12.345",
            "phasing": "quarterly",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Add a budget line" in html
    assert '<a href="#id_amount">£12.345 has more than two decimal places; amounts are in whole pence.</a>' in html
    assert 'value="12.345"' in html and 'value="ISVA services"' in html
    assert not BudgetLine.objects.filter(heading="ISVA services").exists()


def test_a_service_refusal_lands_on_its_field(officer_client, lines, funded_core, year):
    response = officer_client.post(
        "/budgets/new/",
        {
            "fund": funded_core.pk,
            "year": year.pk,
            "heading": "victim support hubs",
            "amount": "1.00",
            "phasing": "monthly",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["heading"] == [
        "MOJ-CORE already has a 'victim support hubs' budget line for 2025/26."
    ]
    assert BudgetLine.objects.count() == 2


def test_budget_list_filters_by_fund_and_shows_original_beside_revised(officer_client, lines, poca_fund, officer, year):
    hubs, rj = lines
    virement_request(from_line=rj, to_line=hubs, amount="5000.00", reason="More referrals", by=officer)
    page = text(officer_client.get("/budgets/?year=2025&fund=MOJ-CORE"))
    assert "Restorative justice £200,000.00 £0.00 £5,000.00 £195,000.00" in page
    assert "Victim support hubs £300,000.00 £5,000.00 £0.00 £305,000.00" in page


def test_forecast_is_added_beside_the_earlier_ones(officer_client, lines):
    hubs, _ = lines
    response = officer_client.post(
        f"/budgets/{hubs.pk}/forecast/",
        {
            "amount": "290000.00",
            "made_on": "15/10/2025",
            "note": "Q2 review",
        },
    )
    assert response.status_code == 302
    assert Forecast.objects.get().amount.amount == Decimal("290000.00")
    page = text(officer_client.get(f"/budgets/{hubs.pk}/"))
    assert "Latest forecast outturn £290,000.00" in page
    assert "15/10/2025 £290,000.00 Olivia Q2 review" in page
    budgets = text(officer_client.get("/budgets/?year=2025"))
    assert "Variance: positive = underspend, negative = overspend (budget less outturn)." in budgets
    assert "Victim support hubs £300,000.00 £0.00 £0.00 £300,000.00 £290,000.00 £10,000.00 3.33%" in budgets
    assert "Restorative justice £200,000.00 £0.00 £0.00 £200,000.00 – – –" in budgets  # no forecast made yet


def test_virement_above_threshold_waits_and_a_commissioner_approves_it(
    officer_client, commissioner_client, lines, commissioner
):
    hubs, rj = lines
    response = officer_client.post(
        "/virements/new/",
        {
            "from_line": rj.pk,
            "to_line": hubs.pk,
            "amount": "30000.00",
            "reason": "Hub referrals up",
        },
    )
    virement = Virement.objects.get()
    assert virement.status == Virement.Status.REQUESTED
    assert "this virement of £30,000.00 included, is above the fund's £25,000.00 threshold" in text(
        officer_client.get(response["Location"])
    )

    detail = text(commissioner_client.get(f"/virements/{virement.pk}/"))
    assert "Restorative justice £200,000.00 £170,000.00" in detail
    assert "Victim support hubs £300,000.00 £330,000.00" in detail
    assert "A virement moves budget, not cash: what MOJ-CORE has available to commit is unchanged" in detail

    unconfirmed = commissioner_client.post(f"/virements/{virement.pk}/decide/", {"decision": "approve"})
    assert unconfirmed.status_code == 200
    assert unconfirmed.context["form"].errors["confirm"] == ["Tick the box to confirm; this action cannot be undone."]
    virement.refresh_from_db()
    assert virement.status == Virement.Status.REQUESTED

    done = commissioner_client.post(f"/virements/{virement.pk}/decide/", {"decision": "approve", "confirm": "on"})
    assert done.status_code == 302
    virement.refresh_from_db()
    assert (virement.status, virement.decided_by) == (Virement.Status.APPROVED, commissioner)


def test_rejecting_a_virement_needs_a_reason_next_to_the_note(director_client, lines, officer):
    hubs, rj = lines
    virement = virement_request(from_line=rj, to_line=hubs, amount="30000.00", reason="More", by=officer)
    response = director_client.post(f"/virements/{virement.pk}/decide/", {"decision": "reject", "confirm": "on"})
    assert response.context["form"].errors["note"] == ["Give the reason for rejecting the virement."]


def test_finance_officers_cannot_decide_virements(officer2_client, lines, officer):
    hubs, rj = lines
    virement = virement_request(from_line=rj, to_line=hubs, amount="30000.00", reason="More", by=officer)
    assert (
        officer2_client.post(f"/virements/{virement.pk}/decide/", {"decision": "approve", "confirm": "on"}).status_code
        == 403
    )
    assert "Record decision" not in text(officer2_client.get(f"/virements/{virement.pk}/"))


def test_virement_list_filters_by_status(officer_client, lines, officer):
    hubs, rj = lines
    virement_request(from_line=rj, to_line=hubs, amount="100.00", reason="Small move", by=officer)
    virement_request(from_line=rj, to_line=hubs, amount="30000.00", reason="Big move", by=officer)
    page = text(officer_client.get("/virements/?status=requested"))
    assert "£30,000.00 Awaiting approval" in page and "£100.00" not in page


def test_closing_a_period_asks_for_confirmation(officer_client, year, officer):
    from funds.calendar import periods_close_up_to

    periods_close_up_to(period=Period.objects.get(year=year, number=2), by=officer)  # months close in order
    period = Period.objects.get(year=year, number=3)
    page = text(officer_client.get(f"/periods/{period.pk}/close/"))
    assert "Close P3 (June 2025)" in page
    assert "Closing P3 stops any further posting dated 01/06/2025 to 30/06/2025." in page

    refused = officer_client.post(f"/periods/{period.pk}/close/", {"reason": "Month-end close"})
    assert refused.status_code == 200
    period.refresh_from_db()
    assert not period.is_closed

    done = officer_client.post(f"/periods/{period.pk}/close/", {"reason": "Month-end close", "confirm": "on"})
    assert done["Location"] == "/periods/?year=2025"
    period.refresh_from_db()
    assert (period.is_closed, period.closed_by) == (True, officer)
    listing = text(officer_client.get("/periods/?year=2025"))
    assert "P3 (Q1) June 2025 01/06/2025 to 30/06/2025 Closed Olivia" in listing


def test_only_a_director_reopens_and_must_say_why(officer_client, director_client, year, officer):
    from funds.calendar import periods_close_up_to

    period = periods_close_up_to(period=Period.objects.get(year=year, number=3), by=officer)[-1]
    assert "Reopen" not in text(officer_client.get("/periods/?year=2025"))
    assert officer_client.get(f"/periods/{period.pk}/reopen/").status_code == 403

    no_reason = director_client.post(f"/periods/{period.pk}/reopen/", {"reason": "", "confirm": "on"})
    assert no_reason.context["form"].errors["reason"] == ["This field is required."]
    done = director_client.post(
        f"/periods/{period.pk}/reopen/", {"reason": "Late invoice from Safe Haven", "confirm": "on"}
    )
    assert done.status_code == 302
    period.refresh_from_db()
    assert not period.is_closed


def test_commissioners_do_not_manage_periods(commissioner_client, year):
    assert commissioner_client.get("/periods/").status_code == 403


def test_the_fund_pages_are_served_by_the_ledger_under_the_funds_urls(director_client, lines, year):
    from django.urls import resolve, reverse

    from ledger import views as ledger_views

    assert reverse("funds:list") == "/funds/" and reverse("funds:detail", args=["MOJ-CORE"]) == "/funds/MOJ-CORE/"
    assert resolve("/funds/").func is ledger_views.fund_list
    assert resolve("/funds/MOJ-CORE/").func is ledger_views.fund_detail
    assert resolve("/budgets/").namespace == "funds"
