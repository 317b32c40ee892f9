"""The second factor at sign-in: setting up an app, the code step, recovery codes, and wrong codes counted by the
lock-out. These run with the default setting of a development machine (the demo: not required); what changes when
it is required is in test_two_factor_required.py."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Event, LoginAttempt
from core.two_factor import second_factor_enrol

PASSWORD = "correct-horse-battery-9"  # the fixtures' password
ADDRESS = "192.0.2.10"
WRONG_CODE = ("That code is not right. Enter the code your authenticator app shows now (a new one appears every 30 "
              "seconds, and each works once) or an unused recovery code. After 5 failed attempts, signing in is "
              "paused for 15 minutes.")
LOCKED = "Too many failed attempts; try again in 15 minutes."


def app_code(key_hex: str, steps_ahead: int = 0) -> str:
    """What the person's app shows now (or that many 30-second steps later), computed from the key as an app does."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Someone who has set up an app: the code used to confirm it is an earlier step's, so the current one is fresh."""
    key = "3132333435363738393031323334353637383930"
    return second_factor_enrol(user=user, key_hex=key, code=app_code(key, steps_ahead=-1))


def sign_in(client, username="olivia", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS)


def give_code(client, code, next_url="/"):
    return client.post(f"{reverse('two_factor_verify')}?next={next_url}", {"code": code, "next": next_url},
                       REMOTE_ADDR=ADDRESS)


def code_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.errors.get("code", [])] + [str(e) for e in form.non_field_errors()]


def outcomes(username="olivia") -> list[str]:
    return list(LoginAttempt.objects.filter(username=username).order_by("id").values_list("outcome", flat=True))


def is_verified(client) -> bool:
    return "otp_device_id" in client.session


# --- setting up ---------------------------------------------------------------------------------------------------

def test_in_the_demo_a_person_without_an_app_signs_in_with_the_password_alone(client, officer):
    response = sign_in(client)
    assert (response.status_code, response.url) == (302, reverse("home"))
    assert client.get(reverse("home")).status_code == 200
    assert outcomes() == ["success"]


def test_the_account_page_offers_to_set_it_up_in_the_demo(client, officer):
    sign_in(client)
    page = client.get(reverse("two_factor_account")).content.decode()
    assert "You sign in with your password alone." in page
    assert f'href="{reverse("two_factor_enrol")}"' in page


def test_setting_up_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client, officer):
    sign_in(client)
    response = client.get(reverse("two_factor_enrol"))
    page = response.content.decode()
    key = client.session["ringfence_two_factor_pending_key"]
    # The QR code is an image in a data: address (the content security policy allows those, and no inline style or
    # script), and the same key is written out for typing, as base32 in groups of four.
    assert re.search(r'<img src="data:image/svg\+xml;charset=utf-8,%3Csvg[^"]+" alt="QR code that adds Ringfence', page)
    shown = re.search(r'<code id="setup-key">([A-Z2-7 ]+)</code>', page).group(1)
    from base64 import b32decode

    assert b32decode(shown.replace(" ", "")).hex() == key
    assert "style=" not in page and "<script" not in page
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
    assert not TOTPDevice.objects.exists()  # nothing is saved until the app proves it has the key

    confirm = client.post(reverse("two_factor_enrol"), {"code": app_code(key), "next": "/"})

    assert confirm.status_code == 302 and confirm.url.startswith(reverse("two_factor_recovery_codes"))
    device = TOTPDevice.objects.get(user=officer)
    assert (device.confirmed, device.key, device.name) == (True, key, "Authenticator app")
    assert is_verified(client)
    assert Event.objects.filter(kind="account.second_factor_enrolled", actor=officer).count() == 1


def test_the_issuer_the_app_shows_is_the_owning_body(client, officer):
    device, _ = enrolled(officer)
    assert device.config_url.startswith("otpauth://totp/West%20Midlands%20OPCC%3Aolivia?secret=")
    assert device.config_url.endswith("&issuer=West%20Midlands%20OPCC")


def test_the_ten_recovery_codes_are_shown_once(client, officer):
    sign_in(client)
    client.get(reverse("two_factor_enrol"))
    key = client.session["ringfence_two_factor_pending_key"]
    response = client.post(reverse("two_factor_enrol"), {"code": app_code(key), "next": "/"}, follow=True)
    page = response.content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", page)
    stored = sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(shown) == 10 and sorted(code.replace(" ", "") for code in shown) == stored
    assert "This is the only time they are shown." in page
    again = client.get(reverse("two_factor_recovery_codes")).content.decode()
    assert re.findall(r"<li><code>", again) == [] and "Recovery codes are shown once" in again


def test_a_wrong_code_when_setting_up_says_what_to_check_and_saves_nothing(client, officer):
    sign_in(client)
    client.get(reverse("two_factor_enrol"))
    key = client.session["ringfence_two_factor_pending_key"]
    wrong = f"{(int(app_code(key)) + 500000) % 1000000:06d}"
    response = client.post(reverse("two_factor_enrol"), {"code": wrong, "next": "/"})
    assert response.status_code == 200
    assert code_errors(response) == [
        "That code does not match the key. Check that the app shows the account you just added, then enter the "
        "code it shows now (it changes every 30 seconds)."
    ]
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    assert client.session["ringfence_two_factor_pending_key"] == key  # the same key: the app already has it


def test_someone_with_an_app_cannot_set_up_another_with_a_password_alone(client, officer):
    enrolled(officer)
    sign_in(client)
    response = client.get(reverse("two_factor_enrol"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))


# --- the code step ------------------------------------------------------------------------------------------------

def test_someone_who_has_set_up_an_app_is_asked_for_their_code_in_the_demo_too(client, officer):
    device, _ = enrolled(officer)
    response = sign_in(client)
    assert (response.status_code, response.url) == (302, f"{reverse('two_factor_verify')}?next=%2F")
    # Every other page waits for the code.
    assert client.get(reverse("funds:list")).url == f"{reverse('two_factor_verify')}?next=%2Ffunds%2F"
    assert outcomes() == ["password"]

    response = give_code(client, app_code(device.key), next_url="/funds/")

    assert (response.status_code, response.url) == (302, "/funds/")
    assert is_verified(client) and client.get(reverse("funds:list")).status_code == 200
    assert outcomes() == ["password", "success"]


def test_a_wrong_code_is_refused_with_a_clear_message(client, officer):
    device, _ = enrolled(officer)
    sign_in(client)
    wrong = f"{(int(app_code(device.key)) + 500000) % 1000000:06d}"
    response = give_code(client, wrong)
    assert response.status_code == 200 and code_errors(response) == [WRONG_CODE]
    assert not is_verified(client)
    assert outcomes() == ["password", "bad_code"]


def test_a_code_of_the_wrong_shape_says_what_is_right_and_is_not_counted(client, officer):
    enrolled(officer)
    sign_in(client)
    response = give_code(client, "12345")
    assert code_errors(response) == [
        "Enter the 6-digit code your authenticator app shows now (for example 123456), or one of your recovery "
        "codes (8 letters and digits, for example abcd 2345)."
    ]
    assert outcomes() == ["password"]


def test_a_code_works_once(client, officer):
    device, _ = enrolled(officer)
    code = app_code(device.key)
    sign_in(client)
    assert give_code(client, code).status_code == 302
    client.post(reverse("logout"))
    sign_in(client)
    assert code_errors(give_code(client, code)) == [WRONG_CODE]


def test_a_recovery_code_signs_in_once(client, officer):
    _, codes = enrolled(officer)
    sign_in(client)
    response = give_code(client, f"{codes[3][:4]} {codes[3][4:].upper()}")  # as printed; case does not matter
    assert response.status_code == 302 and is_verified(client)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["You signed in with a recovery code, which cannot be used again. You have 9 left."]
    assert not StaticToken.objects.filter(token=codes[3]).exists()

    client.post(reverse("logout"))
    sign_in(client)
    assert code_errors(give_code(client, codes[3])) == [WRONG_CODE]
    assert outcomes() == ["password", "success", "logout", "password", "bad_code"]


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # the app's own back-off is tested below; here, only the lock-out
def test_wrong_codes_count_toward_the_lock_out_and_a_password_does_not_reset_them(client, officer):
    device, _ = enrolled(officer)
    wrong = f"{(int(app_code(device.key)) + 500000) % 1000000:06d}"
    sign_in(client)
    for _ in range(3):
        assert code_errors(give_code(client, wrong)) == [WRONG_CODE]
    # Signing in with the password again is not a complete sign-in: the wrong codes still count.
    client.post(reverse("logout"))
    sign_in(client)
    assert code_errors(give_code(client, wrong)) == [WRONG_CODE]
    assert code_errors(give_code(client, wrong)) == [LOCKED]  # the fifth
    # Locked: the right code is refused unchecked, and so is the right password.
    assert code_errors(give_code(client, app_code(device.key))) == [LOCKED]
    assert not is_verified(client)
    client.post(reverse("logout"))
    refused = sign_in(client)
    assert refused.status_code == 200 and [str(e) for e in refused.context["form"].non_field_errors()] == [LOCKED]
    assert outcomes() == ["password", "bad_code", "bad_code", "bad_code", "logout", "password", "bad_code",
                          "bad_code", "locked", "logout", "locked"]


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_lock_from_wrong_codes_ends_with_the_window(client, officer):
    device, _ = enrolled(officer)
    wrong = f"{(int(app_code(device.key)) + 500000) % 1000000:06d}"
    sign_in(client)
    for _ in range(5):
        give_code(client, wrong)
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert give_code(client, app_code(device.key)).status_code == 302 and is_verified(client)


def test_after_many_wrong_codes_the_app_waits_and_the_wait_is_not_counted(client, officer):
    """django-otp's back-off (1, 2, 4 ... seconds after consecutive wrong codes, reset only by a right one) keeps
    someone who knows the password from guessing codes for ever at the lock-out's pace."""
    device, codes = enrolled(officer)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=20,
                                                   throttling_failure_timestamp=timezone.now())
    sign_in(client)
    response = give_code(client, app_code(device.key))
    [message] = code_errors(response)
    assert re.fullmatch(r"Several wrong codes in a row: wait \d+ seconds, then enter the code your app shows then, or "
                        r"use a recovery code\.", message)
    assert outcomes() == ["password", "locked"]  # refused unchecked: not a wrong code
    assert give_code(client, codes[0]).status_code == 302  # the recovery codes have their own count


def test_the_code_step_sends_on_only_to_this_site(client, officer):
    device, _ = enrolled(officer)
    sign_in(client)
    response = give_code(client, app_code(device.key), next_url="https://evil.example/")
    assert (response.status_code, response.url) == (302, reverse("home"))


def test_verifying_gives_the_session_a_new_key(client, officer):
    device, _ = enrolled(officer)
    sign_in(client)
    before = client.session.session_key
    give_code(client, app_code(device.key))
    assert client.session.session_key != before


# --- recovery codes remade -----------------------------------------------------------------------------------------

def test_recovery_codes_are_remade_after_a_fresh_code(client, officer):
    device, old = enrolled(officer)
    sign_in(client)
    give_code(client, app_code(device.key))
    account = reverse("two_factor_account")
    assert "Recovery codes left</dt><dd>10 of 10" in client.get(account).content.decode()

    response = client.post(account, {"regenerate-code": app_code(device.key, steps_ahead=1)}, follow=True)

    new = [c.replace(" ", "") for c in re.findall(r"<li><code>([a-z2-7 ]{9})</code></li>", response.content.decode())]
    assert len(new) == 10 and not set(new) & set(old)
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(new)
    assert Event.objects.filter(kind="account.recovery_codes_regenerated", actor=officer).count() == 1


def test_recovery_codes_are_not_remade_with_a_used_code_or_a_recovery_code(client, officer):
    device, old = enrolled(officer)
    sign_in(client)
    used = app_code(device.key)
    give_code(client, used)
    account = reverse("two_factor_account")
    assert code_errors(client.post(account, {"regenerate-code": used})) == [WRONG_CODE]
    assert code_errors(client.post(account, {"regenerate-code": old[0]})) == [
        "Enter the 6-digit code your authenticator app shows now, for example 123456 (a recovery code cannot be "
        "used here)."
    ]
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(old)
    assert not Event.objects.filter(kind="account.recovery_codes_regenerated").exists()


# --- the lock-out's view of attempts in flight ------------------------------------------------------------------

def test_an_attempt_that_never_settled_counts_as_a_failure(client, officer):
    """A process that dies while checking leaves its attempt "checking": it counts, as a failure would."""
    LoginAttempt.objects.bulk_create([LoginAttempt(username="olivia", address=ADDRESS, outcome="checking")] * 5)
    response = sign_in(client)
    assert [str(e) for e in response.context["form"].non_field_errors()] == [LOCKED]


@pytest.mark.parametrize("outcome", ["password", "locked", "logout"])
def test_outcomes_that_are_not_failures_do_not_count(client, officer, outcome):
    LoginAttempt.objects.bulk_create([LoginAttempt(username="olivia", address=ADDRESS, outcome=outcome)] * 5)
    assert sign_in(client).status_code == 302
