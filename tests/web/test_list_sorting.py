"""The list pages: every one sorts by each of its sortable columns and downloads as CSV; sorting changes the order,
the CSV holds every row the filters select (not just the page) and follows the page's role gate."""

import csv
import io

import pytest
from django.urls import reverse

from banking.views import STATEMENTS
from core.listing import PER_PAGE
from corporate.views import GL_MONTHS, MAPPINGS
from funds.views import BUDGETS, PERIODS, VIREMENTS
from grants.views.money import PAYMENTS_DUE
from grants.views.organisations import ORGANISATIONS
from grants.views.records import GRANTS
from grants.views.returns import RETURNS_DUE
from grants.views.variations import DECISIONS
from income.views import KINDS, PAID_OUT, kind_listing
from jobs.views import JOBS
from ledger.correction_views import CORRECTIONS
from ledger.views import FUND_LINES, FUNDS, JOURNAL
from monitoring.views import MONTHS
from payments.views import LIMITS, RUNS
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
    ("ledger:entry_list", (), JOURNAL),
    ("ledger:correction_list", (), CORRECTIONS),
    ("spending:supplier_list", (), SUPPLIERS),
    ("spending:order_list", (), ORDERS),
    ("payments:run_list", (), RUNS),
    ("banking:index", (), STATEMENTS),
    ("jobs:list", (), JOBS),
    ("funds:period_list", (), PERIODS),
    ("payments:limits", (), LIMITS),
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


@pytest.mark.parametrize("name, args, listing", LISTS, ids=[f"{n}{''.join(a)}" for n, a, _ in LISTS])
def test_every_list_sorts_by_each_column_and_downloads_csv(name, args, listing, officer_client, accepted_grant):
    url = reverse(name, args=args)
    page = officer_client.get(url)
    assert page.status_code == 200
    if listing is not STATEMENTS:  # the bank page shows its table and link once a statement is imported
        assert "Download CSV" in page.content.decode()
    for column in listing.columns:
        if column.sortable:
            for sort in (column.key, f"-{column.key}"):
                assert officer_client.get(url, {"sort": sort}).status_code == 200, sort
    assert officer_client.get(url, {"sort": "no-such-column"}).status_code == 200
    rows = rows_of(officer_client.get(url, {"download": "csv", "sort": "-" + listing.columns[0].key}))
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
