from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds.calendar import (
    period_close,
    period_close_refusal,
    period_last_closed,
    period_next_to_close,
    period_reopen,
    period_reopen_refusal,
    periods_close_up_to,
    year_for_date,
    year_label_parse,
    year_open,
)
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


TODAY = date(2026, 11, 29)


def month(start_year: int, number: int) -> Period:
    return Period.objects.get(year__start_year=start_year, number=number)


def closed_months() -> list[str]:
    return [str(p) for p in Period.objects.filter(is_closed=True).order_by("start_date")]


def test_officer_closes_and_only_director_reopens_with_reason(year, officer, director):
    period = month(2024, 1)  # April 2024, the earliest month set up
    period_close(period=period, by=officer, today=TODAY)
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
        period_close(period=month(2024, 1), by=commissioner, today=TODAY)


def test_months_close_in_order_naming_the_earliest_open_month(year, officer):
    periods_close_up_to(period=month(2026, 6), by=officer, today=TODAY)  # April 2024 to September 2026
    with pytest.raises(ValidationError) as refused:
        period_close(period=month(2026, 8), by=officer, today=TODAY)  # November 2026, while October is open
    assert refused.value.messages == [
        "2026/27 P8 (Nov 2026) has not ended yet: a month can be closed once its last day has passed, so P8 can "
        "be closed from 01/12/2026."
    ]
    with pytest.raises(ValidationError) as refused:
        period_close(period=month(2026, 8), by=officer, today=date(2026, 12, 5))  # ended, but October is open
    assert refused.value.messages == [
        "Close 2026/27 P7 (Oct 2026) first: months close in order, and 2026/27 P7 (Oct 2026) is the earliest "
        "month still open before 2026/27 P8 (Nov 2026)."
    ]
    period_close(period=month(2026, 7), by=officer, today=TODAY)
    assert closed_months()[-1] == "2026/27 P7 (Oct 2026)"


def test_a_later_month_is_refused_while_an_earlier_one_is_open(year, officer):
    periods_close_up_to(period=month(2025, 2), by=officer, today=TODAY)  # to May 2025
    with pytest.raises(ValidationError) as refused:
        period_close(period=month(2025, 4), by=officer, today=TODAY)  # July, with June open
    assert refused.value.messages == [
        "Close 2025/26 P3 (Jun 2025) first: months close in order, and 2025/26 P3 (Jun 2025) is the earliest "
        "month still open before 2025/26 P4 (Jul 2025)."
    ]
    assert closed_months()[-1] == "2025/26 P2 (May 2025)"


def test_earlier_financial_years_close_first(year, officer):
    with pytest.raises(ValidationError, match=r"^\['Close 2024/25 P1 \(Apr 2024\) first"):
        period_close(period=month(2025, 1), by=officer, today=TODAY)
    periods_close_up_to(period=month(2024, 11), by=officer, today=TODAY)  # to February 2025
    with pytest.raises(ValidationError, match="Close 2024/25 P12 \\(Mar 2025\\) first"):
        period_close(period=month(2025, 1), by=officer, today=TODAY)
    period_close(period=month(2024, 12), by=officer, today=TODAY)
    period_close(period=month(2025, 1), by=officer, today=TODAY)
    assert len(closed_months()) == 13


def test_a_month_closes_from_the_day_after_its_last_day(year, officer):
    periods_close_up_to(period=month(2026, 7), by=officer, today=TODAY)  # to October 2026
    november = month(2026, 8)
    with pytest.raises(ValidationError, match="can be closed from 01/12/2026"):
        period_close(period=november, by=officer, today=date(2026, 11, 30))  # its last day: still running
    period_close(period=november, by=officer, today=date(2026, 12, 1))
    assert Period.objects.get(pk=november.pk).is_closed


def test_a_closed_month_cannot_be_closed_again(year, officer):
    first = period_close(period=month(2024, 1), by=officer, today=TODAY)
    with pytest.raises(ValidationError, match=r"2024/25 P1 \(Apr 2024\) is already closed\."):
        period_close(period=first, by=officer, today=TODAY)


def test_reopening_goes_back_from_the_latest_closed_month(year, officer, director):
    periods_close_up_to(period=month(2025, 3), by=officer, today=TODAY)  # to June 2025
    with pytest.raises(ValidationError) as refused:
        period_reopen(period=month(2025, 1), by=director, reason="Late invoice from Safe Haven")
    assert refused.value.messages == [
        "Reopen 2025/26 P3 (Jun 2025) first: months reopen from the latest closed one back, so that every month "
        "before a closed month stays closed."
    ]
    for number in (3, 2, 1):
        period_reopen(period=month(2025, number), by=director, reason="Late invoice from Safe Haven")
    assert closed_months()[-1] == "2024/25 P12 (Mar 2025)"


def test_an_open_month_cannot_be_reopened(year, director):
    with pytest.raises(ValidationError, match=r"2025/26 P1 \(Apr 2025\) is not closed\."):
        period_reopen(period=month(2025, 1), by=director, reason="Check")


def test_closing_a_backlog_is_all_or_nothing(year, officer):
    with pytest.raises(ValidationError, match="2026/27 P8 \\(Nov 2026\\) has not ended yet"):
        periods_close_up_to(period=month(2026, 8), by=officer, today=TODAY)
    assert closed_months() == []
    closed = periods_close_up_to(period=month(2024, 3), by=officer, today=TODAY)
    assert [str(p) for p in closed] == ["2024/25 P1 (Apr 2024)", "2024/25 P2 (May 2024)", "2024/25 P3 (Jun 2024)"]


def test_the_list_offers_only_the_month_that_can_be_closed_and_the_one_that_can_be_reopened(year, officer):
    assert period_next_to_close(today=TODAY) == month(2024, 1)
    assert period_last_closed() is None
    periods_close_up_to(period=month(2026, 7), by=officer, today=TODAY)  # to October 2026
    assert period_next_to_close(today=TODAY) is None  # November 2026 has not ended
    assert period_next_to_close(today=date(2026, 12, 1)) == month(2026, 8)
    assert period_last_closed() == month(2026, 7)
    assert period_close_refusal(period=month(2026, 8), today=date(2026, 12, 1)) is None
    assert period_reopen_refusal(period=month(2026, 7)) is None
