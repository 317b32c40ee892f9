"""Rule x path matrix for the calendar and virements (issue 10, items 4 and 5).

Rules:
- a month closes only once it has ended, and only when every earlier month (earlier years' too) is closed;
- only finance directors reopen, and months reopen from the latest closed one back;
- a virement's need for approval is decided by the total moved out of its line in the year, so two virements
  under the threshold that add up to more than it cannot both be approved on request.

Paths: the service call, the web page (the test client signed in as the role the page is for), and the Django
admin, where periods and virements are registered: it must change neither a period's ``is_closed`` nor a
virement's status, neither through the change form nor through django-simple-history's "revert" form. Each
refusal gives the same message on every path, and a refused attempt writes nothing (``unchanged_database``).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from funds.budgets import budget_line_create, revised_budget, virement_request
from funds.calendar import period_close, period_reopen, periods_close_up_to
from funds.models import BudgetLine, Period, Virement
from tests.rules.conftest import page_text

TODAY = date(2026, 11, 29)

NOT_ENDED = (
    "2026/27 P8 (Nov 2026) has not ended yet: a month can be closed once its last day has passed, so P8 can be "
    "closed from 01/12/2026."
)
OUT_OF_ORDER = (
    "Close 2026/27 P7 (Oct 2026) first: months close in order, and 2026/27 P7 (Oct 2026) is the earliest month "
    "still open before 2026/27 P8 (Nov 2026)."
)
EARLIER_YEAR_OPEN = (
    "Close 2024/25 P1 (Apr 2024) first: months close in order, and 2024/25 P1 (Apr 2024) is the earliest month "
    "still open before 2025/26 P3 (Jun 2025)."
)
REOPEN_LATEST_FIRST = (
    "Reopen 2026/27 P6 (Sep 2026) first: months reopen from the latest closed one back, so that every month "
    "before a closed month stays closed."
)
ONLY_DIRECTORS_REOPEN = "Only finance directors may reopen a closed period."
SECOND_WAITS = (
    "Waits for a commissioner or finance director: £90,000.00 moved out of 'Victim support hubs' in 2025/26, "
    "this virement of £45,000.00 included, is above the fund's £50,000.00 threshold."
)
FIRST_APPROVED = (
    "Approved on request: £45,000.00 moved out of 'Victim support hubs' in 2025/26, this virement of £45,000.00 "
    "included, is within the fund's £50,000.00 threshold."
)


@pytest.fixture(autouse=True)
def today_is_29_november_2026(monkeypatch):
    """Pages ask the services with no date, so 'today' is pinned where they read it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def month(start_year: int, number: int) -> Period:
    return Period.objects.select_related("year").get(year__start_year=start_year, number=number)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def service_refusal(call) -> list[str]:
    with pytest.raises((ValidationError, PermissionDenied)) as refused:
        call()
    error = refused.value
    return error.messages if isinstance(error, ValidationError) else [str(error)]


@pytest.fixture
def closed_to_october(year, officer):
    """Every month from April 2024 to October 2026 closed, November 2026 (this month) open."""
    periods_close_up_to(period=month(2026, 7), by=officer, today=TODAY)


@pytest.fixture
def closed_to_september(year, officer):
    """Every month from April 2024 to September 2026 closed; October 2026 (ended) and November 2026 open."""
    periods_close_up_to(period=month(2026, 6), by=officer, today=TODAY)


# ---- Rule: a month closes only once it has ended ---------------------------------------------------------------


def test_not_ended_by_the_service(closed_to_october, officer, unchanged_database):
    with unchanged_database():
        assert service_refusal(lambda: period_close(period=month(2026, 8), by=officer)) == [NOT_ENDED]


@pytest.mark.parametrize("who", ["officer", "director"])
def test_not_ended_through_the_page(closed_to_october, who, request, unchanged_database):
    client = client_for(request.getfixturevalue(who))
    with unchanged_database():
        response = client.post(f"/periods/{month(2026, 8).pk}/close/", {"reason": "Month-end", "confirm": "on"})
    assert response.status_code == 200
    assert NOT_ENDED in page_text(response)


# ---- Rule: months close in order, earlier years first ---------------------------------------------------------


def test_out_of_order_by_the_service(closed_to_september, officer, unchanged_database):
    with unchanged_database():
        assert service_refusal(
            lambda: period_close(period=month(2026, 8), by=officer, today=date(2026, 12, 1))
        ) == [OUT_OF_ORDER]
        assert service_refusal(lambda: period_close(period=month(2026, 8), by=officer)) == [NOT_ENDED]


def test_earlier_year_open_by_the_service_and_the_page(year, officer, unchanged_database):
    client = client_for(officer)
    with unchanged_database():
        assert service_refusal(lambda: period_close(period=month(2025, 3), by=officer)) == [EARLIER_YEAR_OPEN]
        response = client.post(
            f"/periods/{month(2025, 3).pk}/close/", {"reason": "Month-end", "confirm": "on"}
        )
    assert EARLIER_YEAR_OPEN in page_text(response)


def test_out_of_order_through_the_page(closed_to_september, officer, monkeypatch, unchanged_database):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 1))
    client = client_for(officer)
    with unchanged_database():
        response = client.post(
            f"/periods/{month(2026, 8).pk}/close/", {"reason": "Month-end", "confirm": "on"}
        )
    assert response.status_code == 200
    assert OUT_OF_ORDER in page_text(response)


def test_the_period_list_offers_close_only_on_the_month_that_can_be_closed(closed_to_september, officer):
    page = client_for(officer).get("/periods/?year=2026").content.decode()
    assert f'href="/periods/{month(2026, 7).pk}/close/"' in page
    assert f'href="/periods/{month(2026, 8).pk}/close/"' not in page
    assert page.count("/close/") == 1


# ---- Rule: reopening stays with finance directors, from the latest closed month back ----------------------------


def test_only_directors_reopen_by_the_service_and_the_page(closed_to_september, officer, unchanged_database):
    september = month(2026, 6)
    client = client_for(officer)
    with unchanged_database():
        assert service_refusal(lambda: period_reopen(period=september, by=officer, reason="Late invoice")) == [
            ONLY_DIRECTORS_REOPEN
        ]
        response = client.post(
            f"/periods/{september.pk}/reopen/", {"reason": "Late invoice", "confirm": "on"}
        )
    assert response.status_code == 403


def test_reopen_latest_first_by_the_service_and_the_page(closed_to_september, director, unchanged_database):
    august = month(2026, 5)
    client = client_for(director)
    with unchanged_database():
        assert service_refusal(lambda: period_reopen(period=august, by=director, reason="Late invoice")) == [
            REOPEN_LATEST_FIRST
        ]
        response = client.post(
            f"/periods/{august.pk}/reopen/", {"reason": "Late invoice", "confirm": "on"}
        )
    assert response.status_code == 200
    assert REOPEN_LATEST_FIRST in page_text(response)
    listing = client_for(director).get("/periods/?year=2026").content.decode()
    assert listing.count("/reopen/") == 1 and f'href="/periods/{month(2026, 6).pk}/reopen/"' in listing


# ---- The admin changes neither periods nor virements -------------------------------------------------------------


def _admin_attempts(client, obj, data: dict) -> list[int]:
    """POST a change through the admin's change form and through its history "revert" form."""
    label = f"{obj._meta.app_label}/{obj._meta.model_name}"
    version = obj.history.order_by("history_id").first()
    return [
        client.post(f"/admin/{label}/{obj.pk}/change/", data).status_code,
        client.post(f"/admin/{label}/{obj.pk}/history/{version.history_id}/", data).status_code,
    ]


def test_the_admin_cannot_close_or_reopen_a_period(closed_to_september, admin_user, unchanged_database):
    november, september = month(2026, 8), month(2026, 6)
    close = {"year": november.year_id, "number": 8, "start_date": "2026-11-01", "end_date": "2026-11-30",
             "is_closed": "on"}
    reopen = {"year": september.year_id, "number": 6, "start_date": "2026-09-01", "end_date": "2026-09-30"}
    client = client_for(admin_user)
    with unchanged_database():
        assert _admin_attempts(client, november, close) == [403, 403]
        assert _admin_attempts(client, september, reopen) == [403, 403]
    assert not month(2026, 8).is_closed and month(2026, 6).is_closed
    version = november.history.order_by("history_id").first()
    assert client.get(f"/admin/funds/period/{november.pk}/history/{version.history_id}/").status_code == 200
    page = client.get(f"/admin/funds/period/{november.pk}/change/").content.decode()
    assert 'name="is_closed"' not in page  # shown, not editable


# ---- Rule: virement thresholds cannot be split ----------------------------------------------------------------


@pytest.fixture
def lines(core_fund, year, officer):
    core_fund.virement_threshold = Money("50000.00", "GBP")
    core_fund.save()
    hubs = budget_line_create(fund=core_fund, year=year, heading="Victim support hubs", amount="300000.00", by=officer)
    rj = budget_line_create(fund=core_fund, year=year, heading="Restorative justice", amount="200000.00", by=officer)
    return hubs, rj


def test_split_virement_waits_by_the_service(lines, officer):
    hubs, rj = lines
    first = virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    second = virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    assert (first.status, first.decision_note) == (Virement.Status.APPROVED, FIRST_APPROVED)
    assert (second.status, second.decision_note) == (Virement.Status.REQUESTED, SECOND_WAITS)
    assert revised_budget(hubs) == Decimal("255000.00")


def test_split_virement_waits_through_the_page(lines, officer):
    hubs, rj = lines
    client = client_for(officer)
    form = {"from_line": hubs.pk, "to_line": rj.pk, "amount": "45000.00", "reason": "Waiting list"}
    first = client.post("/virements/new/", form, follow=True)
    assert FIRST_APPROVED in page_text(first)
    second = client.post("/virements/new/", form, follow=True)
    assert SECOND_WAITS in page_text(second)
    assert [v.status for v in Virement.objects.order_by("pk")] == [Virement.Status.APPROVED, Virement.Status.REQUESTED]
    assert revised_budget(hubs) == Decimal("255000.00")


def test_the_form_says_the_threshold_and_what_has_been_moved_out(lines, officer):
    hubs, rj = lines
    virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    page = page_text(client_for(officer).get(f"/virements/new/?from_line={hubs.pk}"))
    assert (
        "MOJ-CORE's threshold is £50,000.00 in total moved out of a line in a year. £45,000.00 has already been "
        "moved out of 'Victim support hubs' in 2025/26 (approved or awaiting approval), so a virement of up to "
        "£5,000.00 from it is approved on request; more waits for a commissioner or finance director."
    ) in page
    assert (
        "Victim support hubs (revised £255,000.00; moved out this year £45,000.00 of the £50,000.00 threshold)"
    ) in page
    budget_page = client_for(officer).get(f"/budgets/{hubs.pk}/").content.decode()
    assert f'href="/virements/new/?from_line={hubs.pk}"' in budget_page


def test_the_admin_cannot_add_or_approve_a_virement(lines, officer, admin_user, unchanged_database):
    hubs, rj = lines
    virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    waiting = virement_request(from_line=hubs, to_line=rj, amount="45000.00", reason="Waiting list", by=officer)
    approve = {"from_line": hubs.pk, "to_line": rj.pk, "amount_0": "45000.00", "amount_1": "GBP",
               "reason": "Waiting list", "status": "approved", "requested_by": officer.pk, "decided_by": admin_user.pk,
               "decision_note": "Approved in the admin"}
    client = client_for(admin_user)
    with unchanged_database():
        assert _admin_attempts(client, waiting, approve) == [403, 403]
        assert client.post("/admin/funds/virement/add/", approve).status_code == 403
    assert Virement.objects.get(pk=waiting.pk).status == Virement.Status.REQUESTED
    page = client.get(f"/admin/funds/virement/{waiting.pk}/change/").content.decode()
    assert 'name="status"' not in page and "Awaiting approval" in page  # shown, not editable
    assert BudgetLine.objects.count() == 2
