"""Commentary on a budget line for a month: versions kept, and each refusal writing nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from funds.models import Period
from monitoring.models import BudgetCommentary
from monitoring.services import commentary_record


def month(start: date) -> Period:
    return Period.objects.select_related("year").get(start_date=start)


@pytest.fixture
def line(scenario):
    return scenario.lines["hubs"]


def test_each_commentary_is_a_new_version_with_who_and_when(scenario, line):
    october = month(date(2025, 10, 1))
    first = commentary_record(line=line, period=october, text=" One hub opened late. ", by=scenario.officer,
                              today=date(2025, 11, 1))
    second = commentary_record(line=line, period=october, text="One hub opened late; rent paid quarterly.",
                               by=scenario.officer2)
    assert first.text == "One hub opened late." and first.recorded_by == scenario.officer
    assert list(BudgetCommentary.objects.filter(line=line, period=october).order_by("recorded_at")) == [first,
                                                                                                       second]
    assert first.history.count() == 1 and first.history.get().history_user == scenario.officer
    assert Event.objects.filter(kind="monitoring.commentary_recorded").count() == 2


def test_a_closed_month_takes_commentary_with_a_reason(scenario, line):
    october = month(date(2025, 10, 1))
    Period.objects.filter(start_date__lte=october.start_date).update(is_closed=True)
    october.refresh_from_db()
    done = commentary_record(line=line, period=october, text="One hub opened late.", by=scenario.officer,
                             reason="Budget holder back from leave after the close")
    assert done.reason == "Budget holder back from leave after the close"


@pytest.mark.parametrize("case, field, message", [
    ("not ended", "period", "October 2025 has not ended: commentary on it can be written from 01/11/2025."),
    ("empty", "text", "Write the commentary: what explains 'Victim support hubs' against its budget in October "
                      "2025"),
    ("other year", "period", "'Victim support hubs' is a 2025/26 budget line and October 2026 is in 2026/27: choose "
                             "a month of 2025/26."),
    ("closed", "reason", "October 2025 is closed; give a reason for commenting after the close."),
    ("too long", "text", "The commentary is 2,001 characters long; keep it to 2,000"),
])
def test_bad_commentary_is_refused_writing_nothing(scenario, line, nothing_written, case, field, message):
    october = month(date(2025, 10, 1))
    kwargs = {"line": line, "period": october, "text": "One hub opened late.", "by": scenario.officer}
    if case == "not ended":
        kwargs["today"] = date(2025, 10, 31)
    elif case == "empty":
        kwargs["text"] = "   "
    elif case == "other year":
        kwargs["period"] = month(date(2026, 10, 1))
    elif case == "closed":
        Period.objects.filter(start_date__lte=october.start_date).update(is_closed=True)
        october.refresh_from_db()
    elif case == "too long":
        kwargs["text"] = "x" * 2001
    with nothing_written(), pytest.raises(ValidationError) as refused:
        commentary_record(**kwargs)
    assert message in " ".join(refused.value.message_dict[field])


def test_only_finance_officers_write_commentary(scenario, line, nothing_written):
    with nothing_written(), pytest.raises(PermissionDenied, match="Only finance officers may write budget "
                                                                  "commentary"):
        commentary_record(line=line, period=month(date(2025, 10, 1)), text="Noted.", by=scenario.director)
