"""The dates Ringfence accepts from a person, a file or a command line: 1 January 1900 to 31 December 2199.

Python's dates end at 31/12/9999 and begin at 01/01/0001, and the services do arithmetic on the dates they are given
(the day after a month, the financial year after a date, a quarter's end): at the edges that arithmetic overflows
and the person sees a server error instead of a message. No document of a public body's ring-fenced funds is dated
outside these two centuries, so a date outside them is refused where it comes in, with the range it must fall in.
"""

import argparse
from datetime import date, datetime

from django.core.exceptions import ValidationError

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
RANGE_TEXT = f"from {EARLIEST:%d/%m/%Y} to {LATEST:%d/%m/%Y}"

# What the commands' date, month and moment arguments accept (reports.parameters, transparency.spending): a text
# that reads as one of these is checked for its range here; any other text is left for the service to refuse.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%Y-%m", "%m/%Y", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


def date_in_range(day: date, *, field: str | None = None) -> date:
    """``day`` if Ringfence accepts it, else a ValidationError (on ``field`` when given) saying the range."""
    if isinstance(day, datetime):
        day_only = day.date()
    else:
        day_only = day
    if EARLIEST <= day_only <= LATEST:
        return day
    shown = f"{day_only.day:02}/{day_only.month:02}/{day_only.year:04}"  # strftime writes year 1 as '1'
    message = f"{shown} is outside the dates Ringfence records; enter a date {RANGE_TEXT}."
    raise ValidationError({field: message} if field else message)


def _read(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def text_date_in_range(text, *, field: str | None = None):
    """A date, month or moment typed as text, left as it is for the service that reads it, unless it reads as a
    date outside the range (then a ValidationError saying the range). Text that reads as no date is left for the
    service to refuse in its own words."""
    day = _read(str(text or "").strip()) if len(str(text or "")) <= 40 else None
    if day is not None:
        date_in_range(day, field=field)
    return text


def argument_date(text: str) -> str:
    """An argparse ``type`` for a command's date, month or moment: refuses a readable date outside the range (argparse
    turns the refusal into a CommandError naming the option); returns the text unchanged for the service to read."""
    try:
        return text_date_in_range(text)
    except ValidationError as refusal:
        raise argparse.ArgumentTypeError(refusal.messages[0]) from None
