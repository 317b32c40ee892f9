"""core.listing: a list's declared columns give ?sort= (ascending, descending, an unknown key ignored, the primary
key as tiebreak) and ?download=csv (every row, UTF-8 with a BOM, dated file name, formula injection neutralised)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory

from core import listing
from core.listing import Column, Listing, csv_text

GROUPS = Listing("groups", (
    Column("name", "Name", order="name"),
    Column("id", "Number", order="id", value="pk", num=True),
    Column("shout", "Shouted", value=lambda g: g.name.upper()),  # computed: not sortable
))


def get(query=""):
    return RequestFactory().get(f"/groups/?{query}")


def names(rows):
    return [g.name for g in rows]


NAMES = ("Beta", "Alpha", "Delta", "Gamma")


def mine():
    return Group.objects.filter(name__in=NAMES)  # the roles' groups exist already


@pytest.fixture
def groups(db):
    # Created out of alphabetical order.
    return [Group.objects.create(name=n) for n in NAMES]


def test_sort_ascending_and_descending_by_a_declared_column(groups):
    qs = mine()
    assert names(GROUPS.sorted(get("sort=name"), qs)) == sorted(names(groups))
    assert names(GROUPS.sorted(get("sort=-name"), qs)) == sorted(names(groups), reverse=True)


@pytest.mark.parametrize("query", ["sort=nonsense", "sort=-nonsense", "sort=shout", "sort=", "sort=--name"])
def test_an_unknown_or_unsortable_key_keeps_the_lists_own_order(groups, query):
    rows = GROUPS.sorted(get(query), mine(), default=("-id",))
    assert names(rows) == [g.name for g in reversed(groups)]


def test_the_primary_key_is_always_the_last_ordering(db):
    ordered = GROUPS.sorted(get("sort=name"), Group.objects.all())
    assert ordered.query.order_by[-1] == "pk"
    assert GROUPS.sorted(get("sort=-name"), Group.objects.all()).query.order_by[-1] == "-pk"
    assert list(GROUPS.sorted(get(), Group.objects.all(), default=("name",)).query.order_by) == ["name", "pk"]


def test_rows_built_in_python_sort_by_the_columns_key_function_and_keep_their_order_on_ties():
    people = Listing("people", (Column("age", "Age", order=lambda r: r["age"]), Column("name", "Name")))
    rows = [{"name": "Ann", "age": 40}, {"name": "Bob", "age": None}, {"name": "Cy", "age": 40},
            {"name": "Di", "age": 7}]
    assert [r["name"] for r in people.sorted(get("sort=age"), rows)] == ["Bob", "Di", "Ann", "Cy"]
    assert [r["name"] for r in people.sorted(get("sort=-age"), rows)] == ["Ann", "Cy", "Di", "Bob"]
    assert [r["name"] for r in people.sorted(get("sort=name"), rows)] == ["Ann", "Bob", "Cy", "Di"]  # not sortable


def test_the_page_is_paged_and_the_download_is_every_row(groups, monkeypatch):
    table = GROUPS.table(get("sort=name"), mine(), per_page=2)
    assert not table.download and names(table.rows) == ["Alpha", "Beta"]
    table = GROUPS.table(get("sort=name&download=csv&page=2"), mine(), per_page=2)
    assert table.download
    body = table.response().content.decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(body))] == ["Name", "Alpha", "Beta", "Delta", "Gamma"]


def test_the_csv_response_is_utf8_with_a_bom_and_a_dated_attachment_name(groups, monkeypatch):
    monkeypatch.setattr(listing.timezone, "localdate", lambda: date(2026, 3, 31))
    response = GROUPS.table(get("download=csv"), mine()).response()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="groups-2026-03-31.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfName,Number,Shouted\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["Beta", str(groups[0].pk), "BETA"]


@pytest.mark.parametrize("text", ["=SUM(1)", "+1", "-1", "@x", "\tcmd"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(db, text):
    Group.objects.create(name=text)
    response = GROUPS.table(get("download=csv"), Group.objects.filter(name=text)).response()
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + text


def test_csv_uses_the_one_neutralising_rule():
    from core import workbooks

    assert listing.neutralise is workbooks.neutralise


def test_csv_values_money_with_two_places_dates_british_and_numbers_untouched():
    assert csv_text(Decimal("1250")) == "1250.00"
    assert csv_text(Decimal("-12.5")) == "-12.50"  # a number, not text: not neutralised
    assert csv_text(date(2026, 3, 31)) == "31/03/2026"
    assert csv_text(datetime(2026, 6, 1, 8, 5, tzinfo=ZoneInfo("UTC"))) == "01/06/2026 09:05"  # UK summer time
    assert csv_text(3) == "3" and csv_text(None) == "" and csv_text(True) == "Yes"
    assert csv_text("Safe Haven CIC") == "Safe Haven CIC"


def render(template: str, query: str, **context):
    request = get(query)
    table = GROUPS.table(request, Group.objects.none())
    return Template("{% load listing %}" + template).render(Context({"table": table, **context}))


def test_a_sortable_header_links_to_sort_keeping_the_filters_and_says_how_it_is_sorted(db):
    html = render('{% sort_th table "name" %}', "q=trust&page=3")
    assert html.startswith('<th scope="col"><a class="sort" href="?q=trust&amp;sort=name">Name')
    assert "aria-sort" not in html  # not the sorted column; the page number is dropped (sorting starts again)
    html = render('{% sort_th table "name" %}', "q=trust&sort=name")
    assert 'aria-sort="ascending"' in html and "sort=-name" in html and "q=trust" in html
    html = render('{% sort_th table "name" %}', "sort=-name")
    assert 'aria-sort="descending"' in html and 'href="?sort=name"' in html


def test_an_unsortable_column_is_a_plain_header_and_numbers_are_right_aligned(db):
    assert render('{% sort_th table "shout" %}', "") == '<th scope="col">Shouted</th>'
    assert render('{% sort_th table "id" %}', "").startswith('<th scope="col" class="num"><a')


def test_the_download_link_keeps_the_filters_and_the_sort_but_not_the_page(db):
    html = render("{% csv_link table %}", "q=trust&sort=-name&page=2")
    assert 'href="?q=trust&amp;sort=-name&amp;download=csv"' in html and "Download CSV" in html
