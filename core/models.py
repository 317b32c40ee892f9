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
        # Counted as a failure from the moment it starts until it is settled (core.lockout), so attempts in
        # flight at the same moment cannot together get past the limit; one that never settles stays a failure.
        CHECKING = "checking", "Being checked"
        PASSWORD = "password", "Password accepted; second factor awaited"
        BAD_CODE = "bad_code", "Wrong second-factor code"

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} from {self.address}: {self.get_outcome_display()}"


class LoginGate(models.Model):
    """One row per user name and per address that has tried to sign in. Each attempt updates its rows (``attempts =
    attempts + 1``) inside the transaction that reads the recent failures and records the attempt, so that update's
    row lock (PostgreSQL) or write lock (SQLite) makes concurrent attempts on one name or address take turns: none
    can read the count before another has recorded itself (core.lockout)."""

    class Scope(models.TextChoices):
        USER = "user", "User name"
        ADDRESS = "address", "Address"

    scope = models.CharField(max_length=7, choices=Scope.choices)
    key = models.CharField(max_length=150)
    attempts = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_logingate_one_per_key")]

    def __str__(self):
        return f"{self.get_scope_display()} {self.key}: {self.attempts} attempts"
