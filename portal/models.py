"""The provider portal's own records: invitations to open a provider account, and messages from the office.

An invitation keeps only the SHA-256 of its token: the token itself is in the emailed link and nowhere else, so a
copy of the database does not open anyone's invitation.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.models import Grant, Organisation


class Invitation(models.Model):
    """A single-use, expiring link a finance officer sends to a person at a commissioned organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token in the link.")
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="portal_invitation", help_text="The account the invitation opened.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(used_at__isnull=True) | Q(withdrawn_at__isnull=True),
                                   name="portal_invitation_used_or_withdrawn"),
            models.CheckConstraint(condition=Q(used_at__isnull=True, user__isnull=True)
                                   | Q(used_at__isnull=False, user__isnull=False),
                                   name="portal_invitation_used_has_user"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="portal_invitation_expires_later"),
        ]

    def __str__(self):
        return f"Invitation for {self.email} ({self.organisation.name})"

    def is_open(self, now) -> bool:
        return self.used_at is None and self.withdrawn_at is None and self.expires_at > now


class PortalMessage(models.Model):
    """A message from the office to a provider organisation, optionally about one of its grants."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="portal_messages")
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.PROTECT, related_name="portal_messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(read_at__isnull=True, read_by__isnull=True)
                                   | Q(read_at__isnull=False, read_by__isnull=False),
                                   name="portal_message_read_by_someone"),
            models.CheckConstraint(condition=~Q(subject="") & ~Q(body=""), name="portal_message_not_empty"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.organisation.name})"
