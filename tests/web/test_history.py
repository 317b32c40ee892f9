"""core.history: every tracked record's history page shows who, when, why, and values before and after."""

from funds.calendar import period_reopen, periods_close_up_to
from funds.models import Period
from ledger.models import JournalEntry
from tests.web.conftest import text


def test_period_history_shows_each_change_with_who_why_and_values(officer_client, officer, director, year):
    period = Period.objects.get(year=year, number=4)
    periods_close_up_to(period=period, by=officer, reason="July close")  # months close in order
    period_reopen(period=period, by=director, reason="Late invoice from Safe Haven")
    page = text(officer_client.get(f"/history/funds/period/{period.pk}/?next=/periods/"))
    assert "History of 2025/26 P4 (Jul 2025)" in page
    newest, older = page.index("Changed"), page.index("July close")
    assert newest < older
    assert "by Diana Reason: Late invoice from Safe Haven" in page
    assert "Field Before After Is closed Yes No Changed" in page
    assert "by Olivia Reason: July close" in page
    assert "Field Before After Is closed No Yes Closed by — Olivia Closed at — " in page
    assert "Start date — 01/07/2025 End date — 31/07/2025" in page
    assert "2025/26 P4 (Jul 2025) reopened Late invoice from Safe Haven" in page
    assert (
        '<a href="/periods/">Back'
        in officer_client.get(f"/history/funds/period/{period.pk}/?next=/periods/").content.decode()
    )


def test_history_of_a_fund_starts_with_its_creation_and_lists_its_events(director_client, core_fund):
    page = text(director_client.get(f"/history/funds/fund/{core_fund.pk}/"))
    assert "Created" in page and "Reason: Fund set up" in page
    assert "Code — MOJ-CORE" in page
    assert "Grant approval threshold — £100,000.00" in page
    assert "Fund MOJ-CORE set up" in page  # the business event


def test_history_of_an_income_document(officer_client, funded_core):
    from income.models import AwardLetter

    letter = AwardLetter.objects.get()
    page = text(officer_client.get(f"/history/income/awardletter/{letter.pk}/"))
    assert "Reason: Award letter recorded" in page
    assert "Amount — £500,000.00" in page
    assert "Fund — MOJ-CORE Victims' services core grant" in page


def test_the_back_link_only_goes_to_this_site(officer_client, core_fund):
    html = officer_client.get(f"/history/funds/fund/{core_fund.pk}/?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_untracked_or_unknown_records_have_no_history_page(officer_client, funded_core):
    entry = JournalEntry.objects.get()
    assert officer_client.get(f"/history/ledger/journalentry/{entry.pk}/").status_code == 404
    assert officer_client.get("/history/funds/nothing/1/").status_code == 404
    assert officer_client.get("/history/auth/user/1/").status_code == 404
    assert officer_client.get("/history/funds/fund/999999/").status_code == 404


def test_records_link_to_their_history(officer_client, core_fund, year):
    html = officer_client.get("/funds/MOJ-CORE/?year=2025").content.decode()
    assert f'href="/history/funds/fund/{core_fund.pk}/?next=%2Ffunds%2FMOJ-CORE%2F%3Fyear%3D2025"' in html
