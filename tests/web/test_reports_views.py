"""reports.views: each role's home page, the approval queue and the director's dashboards."""

from funds.budgets import budget_line_create, virement_request
from income.services import fpn_return_record, poca_receipt_record
from tests.web.conftest import signed_in, text


def test_officer_home_shows_funds_available_and_what_needs_attention(officer_client, funded_core, year):
    page = text(officer_client.get("/"))
    assert "Hello, Olivia" in page
    assert "Needs your attention" in page
    assert "Virements awaiting approval 0" in page
    assert "Funds available" in page and "MOJ-CORE" in page


def test_commissioner_home_is_the_approval_queue(commissioner_client, funded_core, officer, year):
    hubs = budget_line_create(fund=funded_core, year=year, heading="Hubs", amount="300000.00", by=officer)
    rj = budget_line_create(fund=funded_core, year=year, heading="RJ", amount="200000.00", by=officer)
    virement_request(from_line=rj, to_line=hubs, amount="30000.00", reason="Hub referrals up", by=officer)
    page = text(commissioner_client.get("/"))
    assert "Waiting for your decision (1)" in page
    assert "Virement RJ → Hubs £30,000.00 MOJ-CORE 2025/26 £500,000.00 £500,000.00 Olivia" in page
    assert "Virement RJ → Hubs" in text(commissioner_client.get("/approvals/"))


def test_director_home_has_an_accessible_chart_and_its_table(director_client, funded_core, officer, year):
    budget_line_create(fund=funded_core, year=year, heading="Hubs", amount="300000.00", by=officer)
    html = director_client.get("/dashboards/?year=2025").content.decode()
    assert '<svg class="chart" role="img" aria-labelledby="budget-chart-title budget-chart-desc"' in html
    # A year that has ended is shown as at its last day.
    assert '<title id="budget-chart-title">Budget against actual per fund, 2025/26, as at 31/03/2026</title>' in html
    page = text(director_client.get("/dashboards/?year=2025"))
    assert "MOJ-CORE Victims' services core grant £300,000.00 £500,000.00 £0.00 £0.00 0.0% £500,000.00" in page


def test_dashboard_shows_retained_income_and_what_other_rates_would_give(
    director_client, poca_fund, fpn_fund, officer, year
):
    poca_receipt_record(
        fund=poca_fund,
        reference="ARIS-1",
        case_reference="T1",
        date=year.start_date,
        gross_recovered="186000.00",
        agency_share_percent="18.75",
        by=officer,
    )
    fpn_return_record(
        fund=fpn_fund, reference="FPN-1", month_start=year.start_date, tickets=1400, gross_value="140000.00", by=officer
    )
    page = text(director_client.get("/dashboards/?year=2025"))
    assert "Proceeds of crime: gross recovered £186,000.00" in page
    assert "Proceeds of crime: returned to us £34,875.00" in page
    assert ("Fixed penalties: retained £35,000.00 Fixed penalties: HM Treasury's share £105,000.00 "
            "Owed to HM Treasury on 31/03/2026 (not yet paid over) £105,000.00") in page
    assert "50% £70,000.00" in page


def test_dashboards_are_for_finance_directors(officer_client, commissioner_client, db):
    assert officer_client.get("/dashboards/").status_code == 403
    assert commissioner_client.get("/dashboards/").status_code == 403


def test_the_approval_queue_is_for_approvers(officer_client, director_client, db):
    assert officer_client.get("/approvals/").status_code == 403
    assert director_client.get("/approvals/").status_code == 200


def test_someone_without_a_role_is_told_so_and_staff_are_pointed_to_the_admin(admin_user):
    page = text(signed_in(admin_user).get("/"))
    assert "Your account has no Ringfence role, so there is no work for you here." in page
    assert "Back-office tasks are in the admin site." in page


def test_navigation_shows_each_role_its_work(officer_client, commissioner_client, director_client, db):
    def nav(client):
        html = client.get("/").content.decode()
        return text_of_nav(html)

    assert nav(officer_client) == [
        "Home",
        "Grants",
        "Organisations",
        "Funds",
        "Income",
        "Budgets",
        "Control settings",
        "Monitoring",
        "Spending",
        "Payment runs",
        "Bank",
        "Journal",
        "Periods",
        "Corrections",
        "Year end",
        "Corporate ledger",
        "Transparency",
        "Statements",
        "Funder returns",
        "My jobs",
    ]
    assert nav(commissioner_client) == ["Home", "Approvals", "Grants", "Organisations", "Funds", "Budgets",
                                        "Control settings", "Monitoring", "Spending"]
    assert nav(director_client) == [
        "Home",
        "Approvals",
        "Dashboards",
        "Statements",
        "Grants",
        "Organisations",
        "Funds",
        "Income",
        "Budgets",
        "Control settings",
        "Monitoring",
        "Spending",
        "Payment runs",
        "Bank",
        "Journal",
        "Periods",
        "Corrections",
        "Year end",
        "Corporate ledger",
        "Transparency",
        "Funder returns",
        "My jobs",
    ]


def text_of_nav(html):
    import re

    block = html.split('<nav aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", block)]
