from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds.calendar import period_close, period_reopen, year_for_date, year_label_parse, year_open
from funds.models import Period


def test_year_has_twelve_periods_april_to_march(year):
    periods = list(year.periods.order_by("number"))
    assert year.label == "2025/26"
    assert [(p.name, p.start_date, p.end_date) for p in (periods[0], periods[10], periods[11])] == [
        ("P1", date(2025, 4, 1), date(2025, 4, 30)),
        ("P11", date(2026, 2, 1), date(2026, 2, 28)),
        ("P12", date(2026, 3, 1), date(2026, 3, 31)),
    ]
    assert [p.quarter for p in periods] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_opening_a_year_twice_changes_nothing(year):
    assert year_open(start_year=2025) == year
    assert Period.objects.filter(year=year).count() == 12


def test_year_labels_are_parsed_strictly():
    assert year_label_parse("2025/26") == 2025
    for bad in ("2025-26", "2025/27", "25/26", "", "abcd/ef"):
        with pytest.raises(ValidationError, match="write it like 2025/26"):
            year_label_parse(bad)


def test_year_for_date_turns_on_first_of_april():
    assert year_for_date(date(2026, 3, 31)) == 2025
    assert year_for_date(date(2026, 4, 1)) == 2026


def test_officer_closes_and_only_director_reopens_with_reason(year, officer, director):
    period = Period.objects.get(year=year, number=1)
    period_close(period=period, by=officer)
    period.refresh_from_db()
    assert period.is_closed and period.closed_by == officer
    assert period.history.first().history_user == officer
    with pytest.raises(PermissionDenied, match="Only finance directors may reopen"):
        period_reopen(period=period, by=officer, reason="Late invoice")
    with pytest.raises(ValidationError, match="Say why"):
        period_reopen(period=period, by=director, reason="  ")
    period_reopen(period=period, by=director, reason="Late MoJ adjustment")
    period.refresh_from_db()
    assert not period.is_closed
    latest = period.history.first()
    assert (latest.history_user, latest.history_change_reason) == (director, "Late MoJ adjustment")


def test_commissioner_cannot_close_a_period(year, commissioner):
    with pytest.raises(PermissionDenied):
        period_close(period=Period.objects.get(year=year, number=2), by=commissioner)
