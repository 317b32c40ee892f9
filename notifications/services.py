"""Recording and sending reminders, marking notifications read, and the reminder settings.

``reminders_send`` asks every rule in ``notifications.reminders`` for the day's reminders, records each as a
``Notification`` (one per person, key and day: the database's unique constraint is the guarantee, so a second run
the same day, or two runs at once, send nothing twice) and emails each one recorded with Django's mail (the
console in the demo, SMTP in production: ``config.settings``). People without an email address see the
notification in the application only.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.money import parse_figure
from core.refusals import Refusals
from core.roles import FINANCE_DIRECTORS, require_role
from notifications.models import DAYS_MAX, DAYS_MIN, RETURN_DAYS_MIN, Notification, ReminderSettings
from notifications.reminders import RULES


def reminder_settings() -> ReminderSettings:
    """The reminder settings in force: the saved row, or the defaults (unsaved) before anyone has set them."""
    return ReminderSettings.objects.filter(pk=1).first() or ReminderSettings(pk=1)


# --- Sending -----------------------------------------------------------------------------------------------------

@dataclass
class KindCount:
    """What one kind of reminder did on a run. ``sent`` counts emails sent, ``in_app_only`` notifications recorded
    for people without an email address, ``already`` reminders recorded earlier the same day (nothing sent again),
    ``failed`` emails the mail server refused (the notification stands; the next run that day tries again)."""

    sent: int = 0
    in_app_only: int = 0
    already: int = 0
    failed: int = 0

    @property
    def recorded(self) -> int:
        return self.sent + self.in_app_only + self.failed


@dataclass
class ReminderSummary:
    today: date
    dry_run: bool
    kinds: dict[str, KindCount] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return sum(getattr(count, attribute) for count in self.kinds.values())


def _link(url: str) -> str:
    return f"{django_settings.RINGFENCE_SITE_URL}{url}"


def _email(notification: Notification, connection) -> None:
    body = (f"{notification.body}\n\nOpen it in Ringfence: {_link(notification.url)}\n"
            f"All your notifications: {_link('/notifications/')}\n\n"
            f"{django_settings.RINGFENCE['OWNING_BODY']}. You receive this because of your role in Ringfence; "
            "each reminder is sent at most once a day.")
    EmailMessage(subject=f"Ringfence: {notification.subject}", body=body, to=[notification.recipient.email],
                 connection=connection).send()


def _send_one(notification: Notification, connection, count: KindCount, errors: list[str]) -> None:
    """Email a notification nobody has emailed yet. The row is claimed first (``emailed_at`` set only where it is
    still empty), so of two runs at once only one sends; if the mail server refuses, the claim is undone."""
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now())
    if not claimed:
        count.already += 1
        return
    try:
        _email(notification, connection)
    except Exception as error:  # the mail server's refusal: recorded, tried again by the next run today
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        count.failed += 1
        errors.append(f"{notification.recipient.email}: {notification.subject}: {error}")
    else:
        count.sent += 1


def reminders_send(*, today: date, dry_run: bool = False, connection=None) -> ReminderSummary:
    """Record and email the reminders for ``today``: each (person, key) once that day. A reminder already
    recorded today is not sent again (its email is retried only if it failed). ``dry_run`` writes and sends
    nothing, and counts what would be sent. ``connection`` is an email connection (default: ``EMAIL_BACKEND``)."""
    config = reminder_settings()
    summary = ReminderSummary(today=today, dry_run=dry_run)
    connection = connection or get_connection()
    for kind, rule in RULES.items():
        count = summary.kinds.setdefault(kind, KindCount())
        reminders = list(rule(today, config))
        recorded = {
            (n.recipient_id, n.key): n
            for n in Notification.objects.filter(for_day=today, key__in={r.key for r in reminders})
            .select_related("recipient")
        }
        for reminder in reminders:
            has_email = bool(reminder.recipient.email)
            found = recorded.get((reminder.recipient.pk, reminder.key))
            if dry_run:
                if found is not None:
                    count.already += 1
                elif has_email:
                    count.sent += 1
                else:
                    count.in_app_only += 1
                continue
            created = False
            if found is None:
                with transaction.atomic():  # a savepoint: a run at the same moment may insert it first
                    found, created = Notification.objects.get_or_create(
                        recipient=reminder.recipient, key=reminder.key, for_day=today,
                        defaults={"kind": kind, "subject": reminder.subject[:200], "body": reminder.body,
                                  "url": reminder.url},
                    )
                recorded[(reminder.recipient.pk, reminder.key)] = found
            if not has_email:
                count.in_app_only += created
                count.already += not created
            elif found.emailed_at is None:
                _send_one(found, connection, count, summary.errors)
            else:
                count.already += 1
    return summary


# --- Reading them -------------------------------------------------------------------------------------------------

def unread_count(user) -> int:
    """How many of ``user``'s notifications are unread (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, by, notification: Notification | None = None) -> int:
    """Mark one of ``by``'s own notifications read, or (``notification`` None) all of them; returns how many were
    unread. Another person's notification is refused (pages answer 404 before reaching here)."""
    mine = Notification.objects.filter(recipient=by, read_at__isnull=True)
    if notification is not None:
        if notification.recipient_id != by.pk:
            raise ValidationError("That notification is someone else's.")
        mine = mine.filter(pk=notification.pk)
    return mine.update(read_at=timezone.now())


# --- Settings ------------------------------------------------------------------------------------------------------

def _days(refusals: Refusals, name: str, value, *, minimum: int, what: str) -> int | None:
    figure = refusals.check(name, parse_figure, value, field=name, places=0, maximum=DAYS_MAX, example="7",
                            kind="a whole number of days")
    if figure is None:
        return None
    if figure < minimum:
        refusals.add(name, f"{what} must be from {minimum} to {DAYS_MAX} days, for example 7; {figure} is too few.")
        return None
    return int(figure)


@transaction.atomic
def reminder_settings_set(*, approval_wait_days, by, reason: str, return_due_days=None) -> ReminderSettings:
    """Set how many days an approval may wait before commissioners are reminded (a whole number from 1 to 90)
    and, when given, how many days after a quarter ends its monitoring return is due (0 to 90). Finance
    directors only, with a reason kept in the settings' history."""
    require_role(by, FINANCE_DIRECTORS, doing="change the reminder settings")
    refusals = Refusals()
    wait = _days(refusals, "approval_wait_days", approval_wait_days, minimum=DAYS_MIN,
                 what="The wait before commissioners are reminded")
    due = None
    if return_due_days is not None and return_due_days != "":
        due = _days(refusals, "return_due_days", return_due_days, minimum=RETURN_DAYS_MIN,
                    what="The days after a quarter ends before its return is due")
    reason = (reason or "").strip()
    if not reason:
        refusals.add("reason", "Say why the reminder settings change: it is kept in their history.")
    refusals.raise_any()
    row = ReminderSettings.objects.select_for_update().filter(pk=1).first() or ReminderSettings(pk=1)
    before = (row.approval_wait_days, row.return_due_days)
    row.approval_wait_days = wait
    if due is not None:
        row.return_due_days = due
    row.changed_by, row.changed_at = by, timezone.now()
    save_with_history(row, by=by, reason=reason)
    record_event("notifications.settings_set", by=by, obj=row, reason=reason,
                 summary=f"Reminder settings: approvals after {before[0]} to {row.approval_wait_days} days, returns "
                         f"due {before[1]} to {row.return_due_days} days after the quarter")
    return row
