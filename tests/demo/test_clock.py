"""The demo clock: services read the demo's moment through django.utils.timezone, it never goes back, it refuses the
future, and the real clock is back after the block, even when the block fails."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from demo.clock import demo_clock
from demo.timeline import at, run_stories, working_day


def test_the_clock_moves_forward_only_and_ticks():
    with demo_clock() as clock:
        clock.at(date(2025, 4, 3), "09:12")
        assert timezone.localtime(timezone.now()).strftime("%d/%m/%Y %H:%M") == "03/04/2025 09:12"
        assert timezone.localdate() == date(2025, 4, 3)
        first, second = timezone.now(), timezone.now()
        assert second > first and second.tzinfo == UTC  # as Django's own clock: aware, in UTC
        clock.at(date(2025, 4, 2), "10:00")  # a passed moment: a minute on instead
        assert timezone.localtime(clock.moment).strftime("%d/%m/%Y %H:%M") == "03/04/2025 09:13"
        assert clock.late and clock.late[0][0] < clock.late[0][1]


def test_the_clock_refuses_the_future_and_the_real_clock_comes_back_after_an_error():
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValueError, match="nothing in the demo may be dated in the future"):
        with demo_clock() as clock:
            clock.at(date(2025, 4, 3))
            clock.at(tomorrow)
    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_stories_run_in_the_order_of_their_moments():
    done = []

    def story(name, *days):
        for day in days:
            yield at(day, "10:00")
            done.append((name, day))

    with demo_clock() as clock:
        run_stories([story("a", date(2025, 4, 1), date(2025, 6, 1)), story("b", date(2025, 5, 1))], clock=clock)
        assert timezone.localdate() == date(2025, 6, 1)
    assert done == [("a", date(2025, 4, 1)), ("b", date(2025, 5, 1)), ("a", date(2025, 6, 1))]


def test_working_days_skip_weekends():
    assert working_day(2026, 11, 1) == date(2026, 11, 2)  # 01/11/2026 is a Sunday
    assert working_day(2026, 11, 4) == date(2026, 11, 5)
