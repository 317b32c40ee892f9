"""The dates Ringfence accepts (core.dates): 1900 to 2199, refused with the range on a form, in a file and on the
command line, so no service does date arithmetic that overflows at year 9999 or year 1."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from core.dates import argument_date, date_in_range, text_date_in_range
from core.forms import Form, UKDateField

RANGE = "enter a date from 01/01/1900 to 31/12/2199."


def test_dates_of_the_two_centuries_are_accepted():
    assert date_in_range(date(1900, 1, 1)) == date(1900, 1, 1)
    assert date_in_range(date(2199, 12, 31)) == date(2199, 12, 31)


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(2200, 1, 1), date(1899, 12, 31)])
def test_dates_outside_them_are_refused_with_the_range(day):
    with pytest.raises(ValidationError) as refused:
        date_in_range(day, field="date")
    shown = f"{day.day:02}/{day.month:02}/{day.year:04}"
    assert refused.value.message_dict["date"] == [f"{shown} is outside the dates Ringfence records; {RANGE}"]


class DateForm(Form):
    day = UKDateField()


@pytest.mark.parametrize("typed, error", [
    ("31/12/9999", f"31/12/9999 is outside the dates Ringfence records; {RANGE}"),
    ("9999-12-31", f"31/12/9999 is outside the dates Ringfence records; {RANGE}"),
    ("01/01/0001", f"01/01/0001 is outside the dates Ringfence records; {RANGE}"),
    ("29/02/2025", "Enter a real date as day/month/year, for example 31/03/2026."),
    ("1e26", "Enter a real date as day/month/year, for example 31/03/2026."),
    ("３１/０３/２０２６", "Enter a real date as day/month/year, for example 31/03/2026."),
    ("9" * 5000, "Enter a real date as day/month/year, for example 31/03/2026."),
])
def test_a_form_refuses_a_date_outside_them_on_the_field(typed, error):
    form = DateForm({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == [error]


def test_a_form_takes_a_date_within_them():
    form = DateForm({"day": "31/03/2026"})
    assert form.is_valid() and form.cleaned_data["day"] == date(2026, 3, 31)


@pytest.mark.parametrize("text", ["9999-12", "12/9999", "31/12/9999", "9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_typed_month_or_moment_outside_them_is_refused(text):
    with pytest.raises(ValidationError, match="outside the dates Ringfence records"):
        text_date_in_range(text)


@pytest.mark.parametrize("text", ["2026-10", "31/03/2026", "2026-01-05T09:00", "not a date", "", "9" * 100])
def test_other_text_is_left_for_the_service_to_read(text):
    assert text_date_in_range(text) == text
    assert argument_date(text) == text


@pytest.mark.parametrize("command, arguments", [
    ("issue_pack", ["--year", "2025/26", "--user", "diana", "--month", "9999-12"]),
    ("issue_pack", ["--year", "2025/26", "--user", "diana", "--as-at", "31/12/9999"]),
    ("export_spending", ["--month", "9999-12", "--output", "spending.csv"]),
    ("export_statement", ["--year", "2025/26", "--as-at", "9999-12-31", "--format", "csv", "--output", "out"]),
    ("export_360giving", ["--year", "2025/26", "--as-at", "0001-01-01", "--output", "giving.json"]),
    ("export_gl_journal", ["--period", "9999-12", "--output", "journal.csv"]),
])
def test_a_command_refuses_such_a_date_with_the_option_and_the_range(db, command, arguments):
    """Each was a traceback (OverflowError) before: the service added a day to 31/12/9999."""
    with pytest.raises(CommandError) as refused:
        call_command(command, *arguments, stdout=StringIO(), stderr=StringIO())
    assert "outside the dates Ringfence records; enter a date from 01/01/1900 to 31/12/2199." in str(refused.value)
    assert "--" in str(refused.value)  # argparse names the option at fault


def test_the_forms_that_take_a_month_or_a_moment_as_text_refuse_one_outside_them(db):
    from reports.forms import StatementForm
    from transparency.forms import PublishForm

    publish = PublishForm({"kind": "spending", "month": "9999-12", "confirm": "on"})
    assert not publish.is_valid()
    assert publish.errors["month"] == [f"01/12/9999 is outside the dates Ringfence records; {RANGE}"]
    statement = StatementForm({"format": "csv", "known_at": "31/12/9999 23:59"}, statements=[])
    assert not statement.is_valid()
    assert statement.errors["known_at"] == [f"31/12/9999 is outside the dates Ringfence records; {RANGE}"]
