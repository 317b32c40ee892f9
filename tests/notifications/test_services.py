"""Recording and sending: once a day per person and key, nothing on a dry run, in the application only for people
without an email address; and the settings service's refusals, which write nothing."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from notifications.models import Notification, ReminderSettings
from notifications.services import notifications_mark_read, reminder_settings, reminder_settings_set, reminders_send

DUE_DAY = date(2025, 7, 10)  # Brindley's Q1 return is due in four days


def test_sending_twice_the_same_day_sends_nothing_the_second_time(accepted_grant, provider, staff):
    first = reminders_send(today=DUE_DAY)
    assert first.kinds[Notification.Kind.RETURN_DUE].sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["olivia@ringfence.example", "oscar@ringfence.example",
                                                    "pat@brindley.example"]
    message = next(m for m in mail.outbox if m.to == ["olivia@ringfence.example"])
    assert message.subject.startswith("Ringfence: Due 14/07/2025: Q1 2025/26 monitoring return")
    assert f"https://ringfence.example/grants/{accepted_grant.pk}/" in message.body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 3

    again = reminders_send(today=DUE_DAY)
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3
    assert again.total("sent") == 0 and again.kinds[Notification.Kind.RETURN_DUE].already == 3

    reminders_send(today=date(2025, 7, 11))  # the next day: again, once
    assert len(mail.outbox) == 6
    assert Notification.objects.count() == 6


def test_a_dry_run_writes_and_sends_nothing(accepted_grant, provider, staff):
    summary = reminders_send(today=DUE_DAY, dry_run=True)
    assert summary.kinds[Notification.Kind.RETURN_DUE].sent == 3
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_people_without_an_email_address_see_the_notification_only(accepted_grant, provider, officer, officer2):
    officer2.email = "oscar@ringfence.example"
    officer2.save()
    summary = reminders_send(today=DUE_DAY)
    counts = summary.kinds[Notification.Kind.RETURN_DUE]
    assert (counts.sent, counts.in_app_only) == (2, 1)  # Olivia has no address
    assert Notification.objects.get(recipient=officer).emailed_at is None
    assert sorted(m.to[0] for m in mail.outbox) == ["oscar@ringfence.example", "pat@brindley.example"]
    assert reminders_send(today=DUE_DAY).kinds[Notification.Kind.RETURN_DUE].already == 3


def test_a_failed_email_is_tried_again_by_the_next_run_that_day(accepted_grant, staff, settings, monkeypatch):
    from notifications import services

    monkeypatch.setattr(services, "_email", lambda n, c: (_ for _ in ()).throw(OSError("Connection refused")))
    failed = reminders_send(today=DUE_DAY)
    assert failed.kinds[Notification.Kind.RETURN_DUE].failed == 2 and len(failed.errors) == 2
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    monkeypatch.undo()
    retried = reminders_send(today=DUE_DAY)
    assert retried.kinds[Notification.Kind.RETURN_DUE].sent == 2 and len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_marking_read_touches_only_ones_own(accepted_grant, provider, staff, officer, officer2):
    reminders_send(today=DUE_DAY)
    mine = Notification.objects.get(recipient=officer)
    with pytest.raises(ValidationError):
        notifications_mark_read(by=officer2, notification=mine)
    assert notifications_mark_read(by=officer) == 1
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def state():
    return (ReminderSettings.objects.count(), ReminderSettings.history.count(),
            reminder_settings().approval_wait_days)


@pytest.mark.parametrize("days, message", [
    ("0", "from 1 to 90 days"),
    ("91", "90"),
    ("seven", "whole number of days"),
    ("7.5", "whole number of days"),
    ("", "whole number of days"),
])
def test_the_settings_refuse_a_wait_outside_one_to_ninety_days_and_write_nothing(director, days, message):
    before = state()
    with pytest.raises(ValidationError) as refusal:
        reminder_settings_set(approval_wait_days=days, by=director, reason="Testing")
    assert message in " ".join(refusal.value.message_dict["approval_wait_days"])
    assert state() == before


def test_the_settings_need_a_reason_and_a_finance_director(director, officer, commissioner):
    before = state()
    with pytest.raises(ValidationError) as refusal:
        reminder_settings_set(approval_wait_days="10", by=director, reason=" ")
    assert "reason" in refusal.value.message_dict
    for person in (officer, commissioner):
        with pytest.raises(PermissionDenied, match="Only finance directors may change the reminder settings"):
            reminder_settings_set(approval_wait_days="10", by=person, reason="Faster")
    assert state() == before


def test_the_settings_change_with_history(director):
    assert reminder_settings().approval_wait_days == 7 and ReminderSettings.objects.count() == 0
    reminder_settings_set(approval_wait_days="10", by=director, reason="Board meets fortnightly")
    reminder_settings_set(approval_wait_days=5, return_due_days="21", by=director, reason="Faster")
    row = reminder_settings()
    assert (row.approval_wait_days, row.return_due_days) == (5, 21)
    assert [h.history_change_reason for h in ReminderSettings.history.order_by("history_date")] == [
        "Board meets fortnightly", "Faster"]
