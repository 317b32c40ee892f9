"""The second factor at sign-in: a code from an authenticator app (TOTP), or a single-use recovery code.

A password alone is not enough for a system that pays out public money. After the password, a person who has set
up an authenticator app is asked for its code (or one of their recovery codes) before any other page opens; when
``RINGFENCE_REQUIRE_SECOND_FACTOR`` is on (by default in production) a person who has not set one up is taken to
set it up first. ``core.two_factor_gate`` holds every other page back until then; the admin too.

The devices are django-otp's: a confirmed ``TOTPDevice`` (the app) and a ``StaticDevice`` holding the ten
recovery codes, each deleted when used. Setting up keeps the new key in the session, not the database, until the
person proves their app shows the right code, so a page view never leaves a half-made device behind.

Every code checked at sign-in, and when recovery codes are remade, goes through the lock-out
(``core.lockout.login_attempt_begin``): wrong codes count with wrong passwords. django-otp's own back-off (1, 2, 4,
8 ... seconds between tries after consecutive wrong codes, reset only by a right one) stays on, so someone who knows
the password cannot go on guessing codes at five per lock-out window for ever.
"""

import re
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from core.audit import record_event
from core.lockout import (
    LoginAttempt,
    failures_allowed_per_user,
    lock_for,
    log,
    login_attempt_begin,
    login_attempt_settle,
)

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
Outcome = LoginAttempt.Outcome

TOTP_SHAPE = re.compile(r"[0-9]{6}")
RECOVERY_SHAPE = re.compile(r"[a-z2-7]{8}")  # django-otp's StaticToken.random_token(): 5 random bytes, base32


def second_factor_required() -> bool:
    return bool(getattr(settings, "RINGFENCE_REQUIRE_SECOND_FACTOR", False))


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_pending(user) -> str | None:
    """What a signed-in person whose session is not yet verified must do before any other page: ``"verify"``
    (enter a code), ``"enrol"`` (set up an app first) or None (nothing: the second factor is optional for them)."""
    if second_factor_enrolled(user):
        return "verify"
    if second_factor_required():
        return "enrol"
    return None


# --- codes as typed ---------------------------------------------------------------------------------------------

CODE_SHAPES = ("Enter the 6-digit code your authenticator app shows now (for example 123456), or one of your "
               "recovery codes (8 letters and digits, for example abcd 2345).")
APP_CODE_SHAPE = ("Enter the 6-digit code your authenticator app shows now, for example 123456 (a recovery code "
                  "cannot be used here).")


def _typed(code: str) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).lower()


def code_kind(code: str) -> tuple[str, str]:
    """("app" or "recovery", the code as stored) for a code as typed, spaces and hyphens ignored; a code of neither
    shape is refused here, before it can count as a failed attempt."""
    typed = _typed(code)
    if TOTP_SHAPE.fullmatch(typed):
        return "app", typed
    if RECOVERY_SHAPE.fullmatch(typed):
        return "recovery", typed
    raise ValidationError({"code": ValidationError(CODE_SHAPES, code="shape")})


def format_recovery_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def format_key(key_hex: str) -> str:
    """The key as an app's "enter a setup key" screen takes it: base32, in groups of four."""
    text = b32encode(unhexlify(key_hex)).decode()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


# --- checking a code at sign-in -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    device: TOTPDevice | StaticDevice
    recovery_codes_left: int | None  # None when the app's code was used


def _wrong_code_message() -> str:
    return (f"That code is not right. Enter the code your authenticator app shows now (a new one appears every 30 "
            f"seconds, and each works once) or an unused recovery code. After {failures_allowed_per_user()} failed "
            f"attempts, signing in is paused for {settings.LOCKOUT_MINUTES} minutes.")


def _wait_message(until) -> str:
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return (f"Several wrong codes in a row: wait {seconds} second{'s' if seconds != 1 else ''}, then enter the code "
            f"your app shows then, or use a recovery code.")


def second_factor_check(*, user, code: str, address: str | None, allow_recovery: bool = True) -> Verified:
    """Check a code for this person, counted by the lock-out like a password. Returns what verified them, or
    raises ``core.lockout.LockedOut`` (locked: nothing checked) or ``ValidationError`` saying what to do."""
    kind, token = code_kind(code)
    if kind == "recovery" and not allow_recovery:
        raise ValidationError({"code": ValidationError(APP_CODE_SHAPE, code="shape")})
    model = TOTPDevice if kind == "app" else StaticDevice
    attempt = login_attempt_begin(username=user.get_username(), address=address)
    outcome, refusal, verified = Outcome.BAD_CODE, None, None
    try:
        with transaction.atomic():
            # Locked for the check: a code verified here cannot be verified again by a request running alongside.
            devices = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk")
            for device in devices:
                allowed, info = device.verify_is_allowed()
                if not allowed:
                    outcome = Outcome.LOCKED  # refused unchecked, so it does not count as a wrong code
                    refusal = _wait_message(info["locked_until"])
                    break
                if device.verify_token(token):
                    outcome = Outcome.SUCCESS
                    verified = device
                    break
    finally:
        login_attempt_settle(attempt=attempt, outcome=outcome)
    if verified is not None:
        left = StaticToken.objects.filter(device=verified).count() if kind == "recovery" else None
        return Verified(device=verified, recovery_codes_left=left)
    if refusal:
        raise ValidationError({"code": ValidationError(refusal, code="wait")})
    lock = lock_for(username=user.get_username(), address=address)
    if lock:
        raise ValidationError({"code": ValidationError(lock.message(), code="locked")})
    raise ValidationError({"code": ValidationError(_wrong_code_message(), code="wrong")})


# --- setting up, recovery codes, reset ------------------------------------------------------------------------

def enrolment_key_new() -> str:
    """A new secret key (20 random bytes, hex, as django-otp stores it), kept in the session until confirmed."""
    return random_hex(20)


def enrolment_device(*, user, key_hex: str) -> TOTPDevice:
    """The device being set up, unsaved: for its QR code and ``otpauth://`` address."""
    return TOTPDevice(user=user, name=APP_NAME, key=key_hex, confirmed=False)


def _recovery_codes_replace(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


def second_factor_enrol(*, user, key_hex: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app being set up with a code it shows, and make the person's recovery codes.

    Returns the confirmed device and the recovery codes (to be shown once: only the person sees them). A code that
    does not match writes nothing; it is not a sign-in attempt (whoever is setting up already sees the key), so the
    lock-out does not count it."""
    if second_factor_enrolled(user):
        raise ValidationError("You already have an authenticator app set up. To replace it, ask the administrator "
                              "to reset your second factor.", code="enrolled")
    typed = _typed(code)
    if not TOTP_SHAPE.fullmatch(typed):
        raise ValidationError({"code": ValidationError(
            "Enter the 6-digit code your authenticator app shows for Ringfence, for example 123456.", code="shape")})
    device = enrolment_device(user=user, key_hex=key_hex)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(typed), tolerance=device.tolerance):
        raise ValidationError({"code": ValidationError(
            "That code does not match the key. Check that the app shows the account you just added, then enter the "
            "code it shows now (it changes every 30 seconds).", code="wrong")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()  # any left unconfirmed by an older version or the admin
        device.confirmed = True
        device.drift = totp.drift
        device.last_t = totp.t()  # the code just used cannot be used again to sign in
        device.save()
        codes = _recovery_codes_replace(user=user)
        record_event("account.second_factor_enrolled", by=user, obj=user,
                     summary=f"{user.get_username()} set up an authenticator app and {len(codes)} recovery codes")
    log.info("second factor set up: user=%r", user.get_username())
    return device, codes


def recovery_codes_regenerate(*, user, code: str, address: str | None) -> list[str]:
    """New recovery codes in place of the old ones, after a fresh code from the person's app (counted by the
    lock-out like any code)."""
    if not second_factor_enrolled(user):
        raise ValidationError("Set up an authenticator app first: recovery codes come with it.", code="not_enrolled")
    second_factor_check(user=user, code=code, address=address, allow_recovery=False)
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
        record_event("account.recovery_codes_regenerated", by=user, obj=user,
                     summary=f"{user.get_username()} made {len(codes)} new recovery codes; the old ones no longer "
                             f"work")
    return codes


def second_factor_reset(*, user, reason: str, operator: str) -> dict[str, int]:
    """Remove a person's app and recovery codes (a lost or replaced phone), with the reason, for the record.

    Their sessions stop being verified at once (the device they were verified with is gone); they set up a new app
    at their next sign-in where the second factor is required, or from their account page where it is not."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the reset, e.g. --reason \"Phone lost, reported 3/12/2026\".",
                              code="reason")
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).count()
        codes = StaticToken.objects.filter(device__user=user).count()
        if not apps and not StaticDevice.objects.filter(user=user).exists():
            raise ValidationError(f"{user.get_username()} has no second factor set up: there is nothing to reset.",
                                  code="nothing")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        event = record_event(
            "account.second_factor_reset", by=None, obj=user, reason=reason,
            summary=f"The administrator reset {user.get_username()}'s second factor: {apps} authenticator app(s) "
                    f"and {codes} unused recovery code(s) removed",
            data={"operator": operator, "apps_removed": apps, "recovery_codes_removed": codes},
        )
    log.warning("second factor reset: user=%r operator=%r reason=%r", user.get_username(), operator, reason)
    return {"apps": apps, "recovery_codes": codes, "event": event.pk}
