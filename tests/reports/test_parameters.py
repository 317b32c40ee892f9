from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.parameters import parameters_parse


def test_defaults_known_now_and_as_at_the_year_end_once_it_has_passed(year):
    now = timezone.make_aware(datetime(2026, 5, 2, 12, 0))
    params = parameters_parse(year="2025/26", now=now)
    assert (params.as_at, params.known_at) == (date(2026, 3, 31), now)


def test_default_as_at_is_the_known_at_day_within_the_year(year):
    params = parameters_parse(year="2025/26", known_at="2025-12-05T09:00",
                              now=timezone.make_aware(datetime(2026, 5, 2)))
    assert params.as_at == date(2025, 12, 5)
    assert timezone.localtime(params.known_at).replace(tzinfo=None) == datetime(2025, 12, 5, 9, 0)


def test_dates_in_either_form(year):
    params = parameters_parse(year="2025/26", as_at="31/12/2025", known_at="05/01/2026 09:00",
                              now=timezone.make_aware(datetime(2026, 5, 2)))
    assert params.as_at == date(2025, 12, 31)


@pytest.mark.parametrize("kwargs, message", [
    ({"year": "2031/32"}, "There is no financial year 2031/32. Years set up: 2024/25, 2025/26, 2026/27."),
    ({"year": "2025"}, "'2025' is not a financial year; write it like 2025/26."),
    ({"year": "2025/26", "as_at": "31-12-2025"}, "'31-12-2025' is not a date; write it like 31/12/2025."),
    ({"year": "2025/26", "as_at": "2025-03-31"}, "As-at 31/03/2025 is before 2025/26 began"),
    ({"year": "2025/26", "known_at": "yesterday"}, "'yesterday' is not a moment; write it like 05/01/2026 09:00"),
    ({"year": "2025/26", "known_at": "2099-01-01T00:00"}, "Known-at 01/01/2099 00:00 is in the future"),
])
def test_bad_parameters_are_refused_with_what_would_be_right(year, kwargs, message):
    with pytest.raises(ValidationError) as caught:
        parameters_parse(**kwargs)
    assert message in " ".join(caught.value.messages)


def test_the_moment_is_typed_the_way_its_error_asks_for_it(year):
    """The refusal shows the British form (05/01/2026 09:00), and that form is accepted."""
    with pytest.raises(ValidationError) as caught:
        parameters_parse(year="2025/26", known_at="5th Jan")
    shown = " ".join(caught.value.messages).split("write it like ")[1].split(" (")[0]
    params = parameters_parse(year="2025/26", known_at=shown, now=timezone.make_aware(datetime(2026, 5, 2)))
    assert timezone.localtime(params.known_at).replace(tzinfo=None) == datetime(2026, 1, 5, 9, 0)


def test_an_as_at_date_after_the_year_and_after_today_is_refused_with_the_dates_that_would_do(year):
    """Issue 16: 01/01/2030 was accepted for 2026/27. After a year has ended, a date up to today still counts what
    came in late for it (issue 17's statements as at today); a date past both is refused."""
    now = timezone.make_aware(datetime(2026, 11, 29, 12, 0))
    with pytest.raises(ValidationError) as caught:
        parameters_parse(year="2026/27", as_at="01/01/2030", now=now)
    assert caught.value.messages == [
        "As-at 01/01/2030 is after 2026/27 ended (31/03/2027) and after today; give a date from 01/04/2026 to "
        "31/03/2027."]
    with pytest.raises(ValidationError) as caught:
        parameters_parse(year="2025/26", as_at="2026-12-01", now=now)
    assert caught.value.messages == [
        "As-at 01/12/2026 is after 2025/26 ended (31/03/2026) and after today; give a date from 01/04/2025 to "
        "29/11/2026."]
    assert parameters_parse(year="2025/26", as_at="2026-11-29", now=now).as_at == date(2026, 11, 29)
    assert parameters_parse(year="2026/27", as_at="2027-03-31", now=now).as_at == date(2027, 3, 31)

