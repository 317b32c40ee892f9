"""python manage.py send_reminders: the table of what it sent, once a day, and a clear refusal of a bad --today."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from notifications.models import Notification


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row(output: str, label: str) -> list[str]:
    return next(line.split()[-4:] for line in output.splitlines() if line.strip().startswith(label))


def test_the_command_sends_once_and_prints_what_it_did(accepted_grant, provider, staff):
    first = run("--today", "10/07/2025")
    assert "Reminders for 10/07/2025:" in first
    assert row(first, "Monitoring return due soon") == ["3", "0", "0", "0"]
    assert row(first, "Total") == ["3", "0", "0", "0"]
    assert len(mail.outbox) == 3
    again = run("--today", "2025-07-10")
    assert row(again, "Monitoring return due soon") == ["0", "0", "3", "0"]
    assert len(mail.outbox) == 3 and Notification.objects.count() == 3


def test_a_dry_run_prints_what_would_be_sent(accepted_grant, provider, staff):
    output = run("--today", "10/07/2025", "--dry-run")
    assert "dry run: nothing recorded or sent" in output and "Would email" in output
    assert row(output, "Total") == ["3", "0", "0", "0"]
    assert Notification.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize("text, message", [
    ("31/02/2025", "is not a date; give the day as DD/MM/YYYY or YYYY-MM-DD"),
    ("tomorrow", "is not a date"),
    ("01/01/1800", "outside the dates Ringfence records"),
    ("31/12/2199", "is after today"),
])
def test_a_bad_today_is_refused_clearly(db, text, message):
    with pytest.raises(CommandError, match=message):
        run("--today", text)
    assert Notification.objects.count() == 0
