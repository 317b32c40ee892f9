"""Reminders and notifications: what each person was told, and the one setting the reminders read.

A ``Notification`` is one reminder to one person on one day. ``(recipient, key, for_day)`` is unique in the
database, so a reminder is recorded, and emailed, at most once a day whoever runs ``send_reminders`` and however
often (two runs at once included: the second one's insert fails and it sends nothing).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

APPROVAL_WAIT_DEFAULT = 7
RETURN_DUE_DEFAULT = 14
DAYS_MIN, DAYS_MAX = 1, 90
RETURN_DAYS_MIN = 0


class Notification(models.Model):
    """One reminder to one person for one day, shown in the application and emailed once when it is recorded.

    No ``history``: a notification is itself a record of something the system did (it is written once, by the
    reminders, and only its ``emailed_at`` and ``read_at`` stamps change afterwards, each a moment already kept on
    the row). A history row per stamp would double every row and record nothing a person decided."""

    class Kind(models.TextChoices):
        RETURN_DUE = "return_due", "Monitoring return due soon"
        RETURN_OVERDUE = "return_overdue", "Monitoring return overdue"
        APPROVAL_WAITING = "approval_waiting", "Approval waiting"
        INSTALMENT_DUE = "instalment_due", "Instalment due"
        RUN_TO_AUTHORISE = "run_to_authorise", "Payment run to authorise"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    key = models.CharField(max_length=200, help_text="What the reminder is about, e.g. return-due:12:2025:Q1.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, help_text="A path within Ringfence, e.g. /grants/12/.")
    for_day = models.DateField(help_text="The day the reminder is for: at most one per person, key and day.")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="Empty until the email is sent.")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-for_day", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key", "for_day"], name="notification_once_a_day"),
            models.CheckConstraint(condition=Q(url__startswith="/"), name="notification_url_is_a_path"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.subject} ({self.for_day:%d/%m/%Y})"


class ReminderSettings(models.Model):
    """The one row of reminder settings (``id`` 1): how long an approval may wait before commissioners are
    reminded, and when a quarter's monitoring return falls due. Changed only through
    ``notifications.services.reminder_settings_set`` (finance directors, with a reason kept in the history)."""

    approval_wait_days = models.PositiveSmallIntegerField(
        default=APPROVAL_WAIT_DEFAULT,
        help_text="Commissioners are reminded of an approval waiting more than this many days.")
    return_due_days = models.PositiveSmallIntegerField(
        default=RETURN_DUE_DEFAULT,
        help_text="A quarter's monitoring return is due this many days after the quarter ends for the grant.")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="reminder_settings_single_row"),
            models.CheckConstraint(condition=Q(approval_wait_days__gte=DAYS_MIN, approval_wait_days__lte=DAYS_MAX),
                                   name="reminder_approval_wait_days_range"),
            models.CheckConstraint(condition=Q(return_due_days__gte=RETURN_DAYS_MIN, return_due_days__lte=DAYS_MAX),
                                   name="reminder_return_due_days_range"),
        ]

    def __str__(self):
        return f"Approvals after {self.approval_wait_days} days; returns due {self.return_due_days} days after"
