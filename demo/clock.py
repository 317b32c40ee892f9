"""The demo's clock: while the demo is seeded, ``django.utils.timezone.now`` tells the time of the demo's story.

The services stamp the moment they act (history rows, events, ``*_at`` fields, the ledger's recorded moments, which
the hash chain and the as-known-at queries rely on), and they take "today" from that moment (the ledger refuses a
posting dated after it). So the demo does its work through the real services at the moments a finance team would
have: the seeder moves the clock to each step's moment (``clock.at(date(2025, 4, 3), "09:12")``) and the services
read it as they always do.

The clock never goes back: a step asking for a moment the clock has passed is done a minute later instead, so the
recorded moments keep increasing with the ledger's entry ids. Each reading moves it on by a millisecond, so no two
rows share a moment. It never passes the real moment it was started at, and the real clock is back when the block
ends, whatever happens inside it.

Only what reads the time through ``django.utils.timezone`` follows the clock (everything in this project and in
django-simple-history does; ``User.date_joined``, whose default Django captured at import, keeps the real moment).
Nothing in the database stamps a time of its own.
"""

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

TICK = timedelta(milliseconds=1)
BUMP = timedelta(minutes=1)


class DemoClock:
    def __init__(self, *, until: datetime):
        self.until = until
        self.moment: datetime | None = None
        self.late: list[tuple[datetime, datetime]] = []  # (asked for, given) where a step came after its moment

    def at(self, day: date, hhmm: str = "09:00") -> datetime:
        """Move to ``hhmm`` on ``day`` (local time), or a minute on when the clock has passed it."""
        # In UTC, as Django's own clock gives it (USE_TZ): code that formats a moment may rely on that.
        wanted = timezone.make_aware(datetime.combine(day, time.fromisoformat(hhmm))).astimezone(UTC)
        moment = wanted
        if self.moment is not None and moment <= self.moment:
            moment = self.moment + BUMP
            if moment - wanted > timedelta(hours=1):
                self.late.append((wanted, moment))
        if moment > self.until:
            raise ValueError(f"The demo asked for {timezone.localtime(moment):%d/%m/%Y %H:%M}, after the real moment "
                             f"it was loaded ({timezone.localtime(self.until):%d/%m/%Y %H:%M}): nothing in the demo "
                             "may be dated in the future.")
        self.moment = moment
        return moment

    def now(self) -> datetime:
        if self.moment is None:
            raise RuntimeError("The demo clock was read before it was set: call clock.at(...) first.")
        self.moment = min(self.moment + TICK, self.until)
        return self.moment


@contextmanager
def demo_clock(*, until: datetime | None = None):
    """Within the block, ``timezone.now()`` (and so ``timezone.localdate()``) is the demo clock's moment."""
    real = timezone.now
    clock = DemoClock(until=until or real())
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real
