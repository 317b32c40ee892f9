"""The list pages: every one sorts by each of its sortable columns and downloads as CSV; sorting changes the order,
the CSV holds every row the filters select (not just the page) and follows the page's role gate."""

import csv
import io
from datetime import UTC

import pytest
from django.urls import reverse

from banking.views import STATEMENTS
from core.listing import PER_PAGE
from corporate.views import GL_MONTHS, MAPPINGS
from funds.control_views import CHANGES_AWAITING, CHANGES_DECIDED, FUND_SETTINGS
from funds.views import BUDGETS, PERIODS, VIREMENTS
from grants.views.money import PAYMENTS_DUE
from grants.views.organisations import ORGANISATIONS
from grants.views.records import GRANTS
from grants.views.returns import RETURNS_DUE
from grants.views.variations import DECISIONS
from income.views import KINDS, PAID_OUT, kind_listing
from jobs.views import JOBS
from ledger.correction_views import CORRECTIONS
from ledger.views import FUND_BUDGET, FUND_LINES, FUNDS, JOURNAL
from monitoring.views import MONTHS
from notifications.views import NOTIFICATIONS
from payments.views import LIMITS, LIMITS_AWAITING, LIMITS_DECIDED, RUNS
from reports.downloads import PACKS
from spending.views.orders import ORDERS
from spending.views.suppliers import SUPPLIERS
from transparency.views import PUBLICATIONS
from yearend.views import YEARS

pytestmark = pytest.mark.django_db

LISTS = [
    ("grants:list", (), GRANTS),
    ("grants:organisation_list", (), ORGANISATIONS),
    ("grants:returns_due", (), RETURNS_DUE),
    ("grants:payments_due", (), PAYMENTS_DUE),
    ("grants:decision_list", (), DECISIONS),
    ("funds:budget_list", (), BUDGETS),
    ("funds:virement_list", (), VIREMENTS),
    ("funds:list", (), FUNDS),
    ("funds:detail", ("MOJ-CORE",), FUND_LINES),
    ("funds:detail", ("MOJ-CORE",), FUND_BUDGET),
    ("funds:control_list", (), CHANGES_AWAITING),
    ("funds:control_list", (), FUND_SETTINGS),
    ("funds:control_list", (), CHANGES_DECIDED),
    ("notifications:list", (), NOTIFICATIONS),
    ("ledger:entry_list", (), JOURNAL),
    ("ledger:correction_list", (), CORRECTIONS),
    ("spending:supplier_list", (), SUPPLIERS),
    ("spending:order_list", (), ORDERS),
    ("payments:run_list", (), RUNS),
    ("banking:index", (), STATEMENTS),
    ("jobs:list", (), JOBS),
    ("funds:period_list", (), PERIODS),
    ("payments:limits", (), LIMITS),
    ("payments:limits", (), LIMITS_AWAITING),
    ("payments:limits", (), LIMITS_DECIDED),
    ("corporate:mapping_list", (), MAPPINGS),
    ("corporate:journal_list", (), GL_MONTHS),
    ("reports:downloads", (), PACKS),
    ("transparency:manage", (), PUBLICATIONS),
    ("monitoring:index", (), MONTHS),
    ("yearend:index", (), YEARS),
    *[("income:list", (slug,), kind_listing(kind)) for slug, kind in {**KINDS, **PAID_OUT}.items()],
]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("name, args, listing", LISTS,
                         ids=[f"{n}{''.join(a)}-{lst.prefix or 'main'}" for n, a, lst in LISTS])
def test_every_list_sorts_by_each_column_and_downloads_csv(name, args, listing, officer_client, accepted_grant):
    url = reverse(name, args=args)
    page = officer_client.get(url)
    assert page.status_code == 200
    if listing not in (STATEMENTS, FUND_BUDGET):  # these show their table and link once there are rows
        assert f"download={listing.download_value}" in page.content.decode()
    sort = listing.sort_param
    for column in listing.columns:
        if column.sortable:
            for asked in (column.key, f"-{column.key}"):
                assert officer_client.get(url, {sort: asked}).status_code == 200, asked
    assert officer_client.get(url, {sort: "no-such-column"}).status_code == 200
    rows = rows_of(officer_client.get(url, {"download": listing.download_value, sort: "-" + listing.columns[0].key}))
    assert rows[0] == [c.title for c in listing.columns]


def make_organisations(officer, count):
    from grants.organisations import organisation_create

    for n in range(count):
        organisation_create(name=f"Trust {n:02d}", address="1 High Street, Walsall", postcode="WS1 1AA", by=officer)


def test_sorting_the_organisations_changes_their_order_and_the_header_says_so(officer_client, officer):
    make_organisations(officer, 3)
    url = reverse("grants:organisation_list")
    ascending = officer_client.get(url, {"sort": "name"}).content.decode()
    descending = officer_client.get(url, {"sort": "-name"}).content.decode()
    assert ascending.index("Trust 00") < ascending.index("Trust 02")
    assert descending.index("Trust 02") < descending.index("Trust 00")
    assert 'aria-sort="ascending"' in ascending and 'aria-sort="descending"' in descending


def test_the_csv_holds_every_row_across_pages_in_the_current_order(officer_client, officer):
    make_organisations(officer, PER_PAGE + 3)
    url = reverse("grants:organisation_list")
    page = officer_client.get(url, {"sort": "-name"}).content.decode()
    assert "Trust 00" not in page  # on page 2
    assert "sort=-name&amp;page=2" in page  # the next page keeps the sort (and any filters)
    rows = rows_of(officer_client.get(url, {"sort": "-name", "download": "csv"}))
    names = [r[0] for r in rows[1:]]
    assert len(names) == PER_PAGE + 3
    assert names == sorted(names, reverse=True)
    assert officer_client.get(url, {"download": "csv"})["Content-Disposition"].startswith(
        'attachment; filename="organisations-')


def test_the_csv_contains_only_what_the_filters_select(officer_client, officer):
    make_organisations(officer, 12)
    rows = rows_of(officer_client.get(reverse("grants:organisation_list"), {"q": "Trust 1", "download": "csv"}))
    assert sorted(r[0] for r in rows[1:]) == [f"Trust {n}" for n in range(10, 12)]


def test_a_grant_list_csv_has_money_as_plain_decimals_and_british_dates(officer_client, accepted_grant):
    rows = rows_of(officer_client.get(reverse("grants:list"), {"download": "csv"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Grant"] == accepted_grant.reference
    assert row["Dates"] == accepted_grant.start_date.strftime("%d/%m/%Y")
    assert row["Award"].replace(".", "").isdigit() and row["Award"].endswith(tuple(f".{n:02d}" for n in range(100)))
    assert "£" not in row["Award"] and "," not in row["Award"]


def test_a_name_that_looks_like_a_formula_is_neutralised_in_the_csv(officer_client, officer):
    from grants.organisations import organisation_create

    organisation_create(name="=HYPERLINK(\"http://x\",\"y\")", address="1 High Street", postcode="WS1 1AA", by=officer)
    rows = rows_of(officer_client.get(reverse("grants:organisation_list"), {"download": "csv"}))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\",\"y\")"]


@pytest.mark.parametrize("name", ["grants:payments_due", "grants:returns_due", "ledger:correction_list"])
def test_the_csv_keeps_the_pages_role_gate(name, commissioner_client):
    response = commissioner_client.get(reverse(name), {"download": "csv"})
    assert response.status_code == 403
    assert not response["Content-Type"].startswith("text/csv")


def test_a_commissioners_grant_csv_leaves_out_drafts_as_their_page_does(commissioner_client, officer_client,
                                                                       draft_grant):
    assert len(rows_of(officer_client.get(reverse("grants:list"), {"download": "csv"}))) == 2
    assert len(rows_of(commissioner_client.get(reverse("grants:list"), {"download": "csv"}))) == 1


def test_the_filters_form_keeps_the_sort(officer_client):
    page = officer_client.get(reverse("ledger:entry_list"), {"sort": "-date"}).content.decode()
    assert '<input type="hidden" name="sort" value="-date">' in page


# ---- Notifications: one's own only -------------------------------------------------------------------------------


def notify(user, subject, day, read=False):
    from datetime import date, datetime

    from notifications.models import Notification

    return Notification.objects.create(
        recipient=user, key=f"test:{subject}", kind=Notification.Kind.RETURN_DUE, subject=subject, body="Details.",
        url="/grants/", for_day=date(2026, 4, day),
        read_at=datetime(2026, 4, day, 9, tzinfo=UTC) if read else None)


def test_the_notifications_sort_and_their_csv_holds_only_ones_own(officer_client, officer, officer2):
    notify(officer, "Beta return due", 2, read=True)
    notify(officer, "Alpha return due", 3)
    notify(officer2, "Someone else's", 4)
    url = reverse("notifications:list")
    page = officer_client.get(url).content.decode()
    assert page.index("Alpha return due") < page.index("Beta return due")  # newest first
    assert "Someone else" not in page
    page = officer_client.get(url, {"sort": "subject"}).content.decode()
    assert page.index("Alpha return due") < page.index("Beta return due")
    page = officer_client.get(url, {"sort": "-subject"}).content.decode()
    assert page.index("Beta return due") < page.index("Alpha return due")
    page = officer_client.get(url, {"sort": "-status"}).content.decode()  # read first, unread last
    assert page.index("Beta return due") < page.index("Alpha return due")
    response = officer_client.get(url, {"download": "csv", "sort": "for"})
    rows = rows_of(response)
    assert rows[0] == ["For", "Kind", "Notification", "Details", "Read", "Emailed", "Link"]
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [("02/04/2026", "Beta return due", "02/04/2026 10:00"),
                                                      ("03/04/2026", "Alpha return due", "")]
    assert 'filename="notifications-' in response["Content-Disposition"]


def test_the_notifications_csv_needs_signing_in(client):
    response = client.get(reverse("notifications:list"), {"download": "csv"})
    assert response.status_code == 302 and not response["Content-Type"].startswith("text/csv")


# ---- Two lists on the fund's page -------------------------------------------------------------------------------


@pytest.fixture
def budget(funded_core, year, officer):
    from funds.budgets import budget_line_create

    for heading, amount in (("Victim support hubs", "300000.00"), ("Restorative justice", "150000.00"),
                            ("Advocacy", "50000.00")):
        budget_line_create(fund=funded_core, year=year, heading=heading, amount=amount, by=officer)


def test_the_funds_budget_lines_sort_by_their_own_parameter_and_download_whole(officer_client, budget):
    url = reverse("funds:detail", args=["MOJ-CORE"])
    page = officer_client.get(url, {"year": "2025", "budget-sort": "-original"}).content.decode()
    assert page.index("Victim support hubs") < page.index("Restorative justice") < page.index(">Advocacy<")
    assert 'aria-sort="descending"' in page
    page = officer_client.get(url, {"year": "2025", "budget-sort": "heading", "sort": "-date"}).content.decode()
    assert page.index(">Advocacy<") < page.index("Restorative justice") < page.index("Victim support hubs")
    assert "budget-sort=heading&amp;sort=date" in page  # sorting the journal lines keeps the budget's sort
    response = officer_client.get(url, {"year": "2025", "download": "budget-csv", "budget-sort": "revised"})
    rows = rows_of(response)
    assert rows[0] == [c.title for c in FUND_BUDGET.columns]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [("Advocacy", "50000.00", "50000.00"),
                                                      ("Restorative justice", "150000.00", "150000.00"),
                                                      ("Victim support hubs", "300000.00", "300000.00")]
    assert 'filename="fund-MOJ-CORE-budget-lines-' in response["Content-Disposition"]


def test_the_funds_journal_lines_csv_is_named_after_the_fund(officer_client, funded_core, year):
    url = reverse("funds:detail", args=["MOJ-CORE"])
    response = officer_client.get(url, {"year": "2025", "download": "csv"})
    rows = rows_of(response)
    assert rows[0] == [c.title for c in FUND_LINES.columns] and len(rows) > 1  # the award letter's lines
    assert 'filename="fund-MOJ-CORE-journal-lines-' in response["Content-Disposition"]


# ---- Changes awaiting and decided: delegated limits and control settings ---------------------------------------


def test_decided_limit_changes_show_the_first_ones_and_the_csv_holds_every_one(officer_client, director,
                                                                               commissioner, officer2,
                                                                               monkeypatch):
    from payments import views
    from payments.limits import limit_change_decide, limit_change_propose

    monkeypatch.setattr(views, "RECENT_DECIDED", 2)
    for n, amount in enumerate(("1000.00", "3000.00", "2000.00")):
        change = limit_change_propose(user=officer2, amount=amount, reason=f"Scheme {n}", by=director)
        limit_change_decide(change=change, approve=True, by=commissioner)
    limit_change_propose(user=officer2, amount="9000.00", reason="Scheme 9", by=director)
    url = reverse("payments:limits")
    page = officer_client.get(url, {"decided-sort": "-amount"}).content.decode()
    assert "The first 2 of 3 decided changes. The CSV has every one." in page
    decided = page[page.index("<h2>Decided</h2>"):]
    shown = [decided.index(f'£{a}</td><td><span class="status') if f'£{a}</td><td><span class="status' in decided
             else None for a in ("3,000.00", "2,000.00", "1,000.00")]  # the To column, before the status
    assert shown[0] < shown[1] and shown[2] is None
    rows = rows_of(officer_client.get(url, {"decided-sort": "amount", "download": "decided-csv"}))
    assert rows[0][:5] == ["Decided", "Person", "From", "To", "Status"]
    assert [r[3] for r in rows[1:]] == ["1000.00", "2000.00", "3000.00"]
    awaiting = rows_of(officer_client.get(url, {"download": "awaiting-csv"}))
    assert [r[3] for r in awaiting[1:]] == ["9000.00"] and awaiting[1][-1] == "Scheme 9"
    assert rows_of(officer_client.get(url, {"download": "csv"}))[0] == [c.title for c in LIMITS.columns]


def test_control_changes_sort_and_download_awaiting_decided_and_every_funds_settings(officer_client, officer,
                                                                                     commissioner, core_fund,
                                                                                     poca_fund):
    from funds.controls import control_change_decide, control_change_propose

    for code, value in (("MOJ-CORE", "20000"), ("POCA", "10000")):
        change = control_change_propose(fund=core_fund if code == "MOJ-CORE" else poca_fund,
                                        setting="virement_threshold", value=value, reason="Review", by=officer)
        control_change_decide(change=change, approve=True, by=commissioner)
    control_change_propose(fund=poca_fund, setting="retained_share_percent", value="12.5", reason="=cmd", by=officer)
    url = reverse("funds:control_list")
    page = officer_client.get(url, {"decided-sort": "fund"}).content.decode()
    decided = page[page.index('id="decided-h"'):]
    assert decided.index("MOJ-CORE") < decided.index("POCA")
    decided = officer_client.get(url, {"decided-sort": "-fund"}).content.decode()
    decided = decided[decided.index('id="decided-h"'):]
    assert decided.index("POCA") < decided.index("MOJ-CORE")
    rows = rows_of(officer_client.get(url, {"download": "decided-csv", "decided-sort": "fund"}))
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [("MOJ-CORE", "Virement threshold", "20000.00"),
                                                      ("POCA", "Virement threshold", "10000.00")]
    assert rows[1][3] == "25000.00"  # the value it had, as a plain number
    rows = rows_of(officer_client.get(url, {"download": "awaiting-csv"}))
    assert rows[1][1:5] == ["POCA", "Retained share of fixed penalties", rows[1][3], "12.50"]
    assert rows[1][-1] == "'=cmd"  # a reason a spreadsheet would run is neutralised
    rows = rows_of(officer_client.get(url, {"download": "funds-csv", "funds-sort": "-virement_threshold"}))
    assert rows[0][:2] == ["Fund", "Name"] and [r[0] for r in rows[1:]] == ["MOJ-CORE", "POCA"]


@pytest.mark.parametrize("name, download", [("payments:limits", "decided-csv"), ("payments:limits", "awaiting-csv"),
                                            ("funds:control_list", "awaiting-csv"), ("funds:control_list", "funds-csv"),
                                            ("funds:control_list", "decided-csv")])
def test_the_new_csvs_keep_their_pages_role_gate(name, download, client):
    from core.roles import PROVIDER
    from tests.conftest import make_user

    client.force_login(make_user("pat", PROVIDER))  # office pages: a provider is refused
    response = client.get(reverse(name), {"download": download})
    assert response.status_code == 403 and not response["Content-Type"].startswith("text/csv")


def test_spending_on_no_budget_line_stays_after_the_lines_in_any_order_and_in_the_csv(officer_client, budget,
                                                                                      funded_core, year, officer):
    from datetime import date

    from ledger import accounts as acc
    from ledger.posting import CREDIT, DEBIT, Leg, entry_post

    entry_post(date=date(2025, 6, 1), description="Commit, no line", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, "700.00", year),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, "700.00", year)])
    url = reverse("funds:detail", args=["MOJ-CORE"])
    for sort in ("heading", "-heading"):
        page = officer_client.get(url, {"year": "2025", "budget-sort": sort}).content.decode()
        assert page.index("Victim support hubs") < page.index("Not assigned to a budget line")
        assert page.index(">Advocacy<") < page.index("Not assigned to a budget line")
    rows = rows_of(officer_client.get(url, {"year": "2025", "download": "budget-csv", "budget-sort": "-heading"}))
    assert [r[0] for r in rows[1:]] == ["Victim support hubs", "Restorative justice", "Advocacy",
                                        "Not assigned to a budget line"]
    assert rows[-1][1:5] == ["", "", "", "700.00"]
