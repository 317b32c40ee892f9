"""Failed-login lock-out and the security log of every login, failed login, lock-out and logout.

The rule (numbers in settings, so they are data):

- **Per user name**: ``LOCKOUT_FAILURES`` failed logins for one user name within ``LOCKOUT_MINUTES``, since that
  user's last successful login, lock that user name until ``LOCKOUT_MINUTES`` after the latest of those failures.
- **Per address**: ``LOCKOUT_ADDRESS_FAILURES`` failed logins from one address within ``LOCKOUT_MINUTES`` (for any
  user names, and not reset by a success, so an attacker cannot clear it by logging in to their own account) lock
  that address the same way. It is higher than the per-user number because an office shares one address.

While locked, the password is not even checked: the right password is refused too. The refusal says only "Too many
failed attempts; try again in N minutes", whether or not the user name exists, and failures are counted for
unknown user names exactly as for real ones, so the lock-out cannot be used to discover accounts. Attempts refused
while locked are recorded but do not extend the lock, so an attacker cannot keep a real user locked out for ever by
retrying faster.

Enforcement sits in the authentication backend (``LockoutBackend``), so every path that authenticates (the login
page, the admin's login page, ``Client.login`` in tests) obeys it; the login forms check first only to show the
clear message.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.dispatch import receiver
from django.utils import timezone

from core.models import LoginAttempt

log = logging.getLogger("ringfence.security")
Outcome = LoginAttempt.Outcome
USERNAME_MAX = LoginAttempt._meta.get_field("username").max_length


def failures_allowed_per_user() -> int:
    return settings.LOCKOUT_FAILURES


def failures_allowed_per_address() -> int:
    return getattr(settings, "LOCKOUT_ADDRESS_FAILURES", 4 * settings.LOCKOUT_FAILURES)


def window() -> timedelta:
    return timedelta(minutes=settings.LOCKOUT_MINUTES)


def client_address(request) -> str | None:
    """The address the request came from.

    Behind ``RINGFENCE_PROXY_COUNT`` trusted reverse proxies, the client is the entry that many places from the
    right of ``X-Forwarded-For`` (entries further left are written by the client and cannot be trusted). With no
    proxy configured the header is ignored: anyone can send it.
    """
    if request is None:
        return None
    proxies = getattr(settings, "RINGFENCE_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return _valid_address(forwarded[-proxies])
    return _valid_address(request.META.get("REMOTE_ADDR"))


def _valid_address(value: str | None) -> str | None:
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(value or "")
    except ValidationError:
        return None
    return value


def _clean_username(username) -> str:
    return str(username or "")[:USERNAME_MAX]


@dataclass(frozen=True)
class Lock:
    until: datetime

    def minutes_left(self, now: datetime | None = None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))

    def message(self, now: datetime | None = None) -> str:
        n = self.minutes_left(now)
        return f"Too many failed attempts; try again in {n} minute{'s' if n != 1 else ''}."


def _lock_from(failures, allowed: int) -> datetime | None:
    """When the lock made by these failures (newest first) ends, or None if there are too few of them."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:allowed])
    if len(times) < allowed:
        return None
    return times[0] + window()


def lock_for(*, username: str, address: str | None, now: datetime | None = None) -> Lock | None:
    """The lock on this user name or address, if any (the later-ending one when both are locked)."""
    now = now or timezone.now()
    since = now - window()
    username = _clean_username(username)
    ends = []
    if username:
        by_user = LoginAttempt.objects.filter(username=username)
        last_success = by_user.filter(outcome=Outcome.SUCCESS).aggregate(at=Max("at"))["at"]
        failures = by_user.filter(outcome=Outcome.FAILURE, at__gte=max(since, last_success) if last_success else since)
        ends.append(_lock_from(failures, failures_allowed_per_user()))
    if address:
        failures = LoginAttempt.objects.filter(address=address, outcome=Outcome.FAILURE, at__gte=since)
        ends.append(_lock_from(failures, failures_allowed_per_address()))
    ends = [end for end in ends if end is not None and end > now]
    return Lock(until=max(ends)) if ends else None


def login_attempt_record(*, username, address: str | None, outcome: str) -> LoginAttempt:
    username = _clean_username(username)
    attempt = LoginAttempt.objects.create(username=username, address=address, outcome=outcome)
    level = logging.INFO if outcome in (Outcome.SUCCESS, Outcome.LOGOUT) else logging.WARNING
    log.log(level, "login %s: user=%r address=%s", outcome, username, address or "-")
    return attempt


class LockoutBackend(ModelBackend):
    """Django's model backend, refusing (without checking the password) a locked user name or address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is not None and lock_for(username=username, address=client_address(request)):
            # Stops every backend; Django then sends user_login_failed, which records the refusal as "locked".
            raise PermissionDenied("Too many failed attempts.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="ringfence.lockout.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    username = credentials.get("username", credentials.get(get_user_model().USERNAME_FIELD, ""))
    address = client_address(request)
    # Locked before this attempt: the backend refused it unchecked. Otherwise the password was wrong.
    outcome = Outcome.LOCKED if lock_for(username=username, address=address) else Outcome.FAILURE
    login_attempt_record(username=username, address=address, outcome=outcome)


@receiver(user_logged_in, dispatch_uid="ringfence.lockout.logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    login_attempt_record(username=user.get_username(), address=client_address(request), outcome=Outcome.SUCCESS)


@receiver(user_logged_out, dispatch_uid="ringfence.lockout.logged_out")
def _on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        login_attempt_record(username=user.get_username(), address=client_address(request), outcome=Outcome.LOGOUT)


class LockoutFormMixin:
    """Checks the lock before the password so a locked user sees why, and tells them at once when the failure
    they just made locked them."""

    def get_invalid_login_error(self):
        return ValidationError(
            f"That user name and password do not match. Check them and try again: after "
            f"{failures_allowed_per_user()} failed attempts, logging in is paused for "
            f"{settings.LOCKOUT_MINUTES} minutes.",
            code="invalid_login",
        )

    def clean(self):
        username = self.cleaned_data.get("username")
        address = client_address(self.request)
        if username is not None:
            lock = lock_for(username=username, address=address)
            if lock:
                login_attempt_record(username=username, address=address, outcome=Outcome.LOCKED)
                raise ValidationError(lock.message(), code="locked")
        try:
            return super().clean()
        except ValidationError:
            lock = lock_for(username=username, address=address) if username is not None else None
            if lock:
                raise ValidationError(lock.message(), code="locked")
            raise


class LockoutAuthenticationForm(LockoutFormMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutFormMixin, AdminAuthenticationForm):
    pass
