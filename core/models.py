from django.conf import settings
from django.db import models


class Event(models.Model):
    """A business event (``grant.approved``, ``payment.recorded``) written by a service in its own transaction.

    django-simple-history records *what* changed on each row; events record *what happened* in the words of
    the domain, with who did it and the reason they gave. Events are only ever added.
    """

    kind = models.CharField(max_length=60, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.kind}: {self.summary}"


class LoginAttempt(models.Model):
    """Every login, failed login and lock-out, for the security log and the lock-out rule."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Logged in"
        FAILURE = "failure", "Failed login"
        LOCKED = "locked", "Refused: locked out"
        LOGOUT = "logout", "Logged out"

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} from {self.address}: {self.get_outcome_display()}"
