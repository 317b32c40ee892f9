"""Failed-login lock-out and the security log of every login, failed login, lock-out and logout.

The rule (numbers in settings, so they are data):

- **Per user name**: ``LOCKOUT_FAILURES`` failed attempts for one user name within ``LOCKOUT_MINUTES``, since that
  user's last complete sign-in, lock that user name until ``LOCKOUT_MINUTES`` after the latest of those failures. A
  failed attempt is a wrong password or a wrong second-factor code (``core.two_factor``): a right password alone is
  not a complete sign-in when a code is needed, so it does not reset the count, and knowing the password does not
  buy unlimited guesses at the code.
- **Per address**: ``LOCKOUT_ADDRESS_FAILURES`` failed attempts from one address within ``LOCKOUT_MINUTES`` (for
  any user names, and not reset by a success, so an attacker cannot clear it by logging in to their own account)
  lock that address the same way. It is higher than the per-user number because an office shares one address.

While locked, the password is not even checked: the right password is refused too. The refusal says only "Too many
failed attempts; try again in N minutes", whether or not the user name exists, and failures are counted for
unknown user names exactly as for real ones, so the lock-out cannot be used to discover accounts. Attempts refused
while locked are recorded but do not extend the lock, so an attacker cannot keep a real user locked out for ever by
retrying faster.

**Concurrent attempts** (many threads, processes or servers at once) cannot together get past the limit. An attempt
begins in one short transaction that first updates the ``LoginGate`` rows of its user name and address
(``attempts = attempts + 1``, locking them in a fixed order: PostgreSQL's row lock, SQLite's write lock), then
counts the recent failures and records itself as ``checking``, which counts as a failure until the password or code
has been checked and the attempt settled as what it was. So each attempt sees every attempt that began before it,
including those still being checked, and once the limit is reached nothing more is checked until the window
passes. An attempt whose process dies while checking stays ``checking``: a failure, as it should be.

Enforcement sits in the authentication backend (``LockoutBackend``), so every path that authenticates (the login
page, the admin's login page, ``Client.login`` in tests) obeys it; the code step (``core.two_factor``) goes through
the same ``login_attempt_begin`` and ``login_attempt_settle``.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.dispatch import receiver
from django.utils import timezone

from core.forms import ErrorSummaryMixin
from core.models import LoginAttempt, LoginGate

log = logging.getLogger("ringfence.security")
Outcome = LoginAttempt.Outcome
USERNAME_MAX = LoginAttempt._meta.get_field("username").max_length
#: Outcomes that count toward the lock: wrong passwords, wrong codes, and attempts still being checked.
COUNTED = (Outcome.FAILURE, Outcome.BAD_CODE, Outcome.CHECKING)


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


class LockedOut(Exception):
    """An attempt refused, unchecked, because its user name or address is locked."""

    def __init__(self, lock: Lock):
        super().__init__(lock.message())
        self.lock = lock


def _lock_from(failures, allowed: int) -> datetime | None:
    """When the lock made by these failures (newest first) ends, or None if there are too few of them."""
    times = list(failures.order_by("-at").values_list("at", flat=True)[:allowed])
    if len(times) < allowed:
        return None
    return times[0] + window()


def lock_for(*, username: str, address: str | None, now: datetime | None = None) -> Lock | None:
    """The lock on this user name or address, if any (the later-ending one when both are locked).

    A plain read: enough to explain a refusal on a page. Deciding whether an attempt may go ahead is
    ``login_attempt_begin``'s job, which reads this under the gates' locks."""
    now = now or timezone.now()
    since = now - window()
    username = _clean_username(username)
    ends = []
    if username:
        by_user = LoginAttempt.objects.filter(username=username)
        last_success = by_user.filter(outcome=Outcome.SUCCESS).aggregate(at=Max("at"))["at"]
        failures = by_user.filter(outcome__in=COUNTED, at__gte=max(since, last_success) if last_success else since)
        ends.append(_lock_from(failures, failures_allowed_per_user()))
    if address:
        failures = LoginAttempt.objects.filter(address=address, outcome__in=COUNTED, at__gte=since)
        ends.append(_lock_from(failures, failures_allowed_per_address()))
    ends = [end for end in ends if end is not None and end > now]
    return Lock(until=max(ends)) if ends else None


def _log(username: str, address: str | None, outcome: str) -> None:
    if outcome == Outcome.CHECKING:
        level = logging.DEBUG  # every attempt is logged once more when settled
    else:
        level = logging.INFO if outcome in (Outcome.SUCCESS, Outcome.LOGOUT, Outcome.PASSWORD) else logging.WARNING
    log.log(level, "login %s: user=%r address=%s", outcome, username, address or "-")


def login_attempt_record(*, username, address: str | None, outcome: str) -> LoginAttempt:
    """Record something that is not an attempt to be checked (a logout)."""
    username = _clean_username(username)
    attempt = LoginAttempt.objects.create(username=username, address=address, outcome=outcome)
    _log(username, address, outcome)
    return attempt


def _take_gates(*, username: str, address: str | None) -> None:
    """Lock this attempt's gate rows, address before user name (one order for everyone, so no deadlock)."""
    keys = sorted(
        ([(LoginGate.Scope.ADDRESS, address)] if address else []) + ([(LoginGate.Scope.USER, username)] if username
                                                                      else [])
    )
    LoginGate.objects.bulk_create([LoginGate(scope=s, key=k) for s, k in keys], ignore_conflicts=True)
    for scope, key in keys:
        LoginGate.objects.filter(scope=scope, key=key).update(attempts=F("attempts") + 1)


def login_attempt_begin(*, username, address: str | None) -> LoginAttempt:
    """Start an attempt (a password or a code) for this user name from this address: either it is recorded as
    ``checking`` and returned, to be checked and then settled, or it is recorded as ``locked`` and ``LockedOut`` is
    raised. Holding the gates while reading the count and recording the attempt is what makes the count exact
    under concurrency (see the module's docstring)."""
    username = _clean_username(username)
    with transaction.atomic():
        _take_gates(username=username, address=address)
        lock = lock_for(username=username, address=address)
        outcome = Outcome.LOCKED if lock else Outcome.CHECKING
        attempt = LoginAttempt.objects.create(username=username, address=address, outcome=outcome)
    _log(username, address, outcome)
    if lock:
        raise LockedOut(lock)
    return attempt


def login_attempt_settle(*, attempt: LoginAttempt, outcome: str) -> None:
    """Say what a ``checking`` attempt turned out to be (one UPDATE: it only ever stops counting, or keeps on)."""
    LoginAttempt.objects.filter(pk=attempt.pk, outcome=Outcome.CHECKING).update(outcome=outcome)
    attempt.outcome = outcome
    _log(attempt.username, attempt.address, outcome)


class LockoutBackend(ModelBackend):
    """Django's model backend, refusing (without checking the password) a locked user name or address, and
    recording every attempt it checks."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        try:
            attempt = login_attempt_begin(username=username, address=client_address(request))
        except LockedOut:
            raise PermissionDenied("Too many failed attempts.")  # stops every backend; recorded as "locked"
        user = None
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        finally:
            login_attempt_settle(attempt=attempt, outcome=self._outcome(user))
        if user is not None:
            user.ringfence_login_recorded = True  # so logging them in does not record it twice
        return user

    @staticmethod
    def _outcome(user) -> str:
        if user is None:
            return Outcome.FAILURE
        from core.two_factor import second_factor_enrolled, second_factor_required

        # With a code still to come, the right password is not yet a sign-in: it must not reset the count.
        return Outcome.PASSWORD if second_factor_required() or second_factor_enrolled(user) else Outcome.SUCCESS

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_logged_in, dispatch_uid="ringfence.lockout.logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    """A login that did not come through the backend (``Client.force_login``, a login made in code) is kept too."""
    if not getattr(user, "ringfence_login_recorded", False):
        login_attempt_record(username=user.get_username(), address=client_address(request),
                             outcome=LockoutBackend._outcome(user))


@receiver(user_logged_out, dispatch_uid="ringfence.lockout.logged_out")
def _on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        login_attempt_record(username=user.get_username(), address=client_address(request), outcome=Outcome.LOGOUT)


class LockoutFormMixin:
    """Tells a locked user why they were refused, and tells them at once when the failure they just made locked
    them. (The backend has already refused and recorded the attempt; this only chooses the message.)"""

    def get_invalid_login_error(self):
        return ValidationError(
            f"That user name and password do not match. Check them and try again: after "
            f"{failures_allowed_per_user()} failed attempts, logging in is paused for "
            f"{settings.LOCKOUT_MINUTES} minutes.",
            code="invalid_login",
        )

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username")
            lock = lock_for(username=username, address=client_address(self.request)) if username else None
            if lock:
                raise ValidationError(lock.message(), code="locked")
            raise


class LockoutAuthenticationForm(ErrorSummaryMixin, LockoutFormMixin, AuthenticationForm):
    """The login page's form, with the shared error summary (a missing user name links to its field)."""


class LockoutAdminAuthenticationForm(LockoutFormMixin, AdminAuthenticationForm):
    pass
