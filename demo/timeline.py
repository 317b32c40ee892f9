"""The demo's timeline: each part of the demo is a story, a generator that yields the moment of its next step
(``yield at(date(2025, 4, 14), "11:00")``) and does the step when resumed. ``run_stories`` interleaves the stories
in the order of their moments, moving the demo clock (``demo.clock``) to each, so the year is recorded in the order a
finance team lived it: award letters and budgets in April, grants drafted, submitted and approved, returns and
payments each quarter, month-end closes a few working days after each month, and so on.

Without a clock (a test seeding one part of the demo) the stories still run in date order, stamped with the real
time. Steps at the same moment run in the order the stories were given."""

import heapq
from datetime import date, timedelta


def at(day: date, hhmm: str = "09:00") -> tuple[date, str]:
    return day, hhmm


def working_day(year: int, month: int, n: int) -> date:
    """The ``n``-th working day (Monday to Friday) of a month."""
    day, seen = date(year, month, 1), 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == n:
                return day
        day += timedelta(days=1)


def next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def run_stories(stories, *, clock=None) -> None:
    queue: list = []

    def resume(seq, story):
        try:
            moment = next(story)
        except StopIteration:
            return
        heapq.heappush(queue, (moment, seq, story))

    for seq, story in enumerate(stories):
        resume(seq, story)
    while queue:
        (day, hhmm), seq, story = heapq.heappop(queue)
        if clock is not None:
            clock.at(day, hhmm)
        resume(seq, story)
