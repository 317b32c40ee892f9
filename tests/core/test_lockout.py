"""Lock-out after repeated failed logins, per user name and per address, and the log of every attempt."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.lockout import client_address, lock_for
from core.models import LoginAttempt

PASSWORD = "correct-horse-battery-9"  # the fixtures' password
LOCKED = "Too many failed attempts; try again in 15 minutes."
WRONG = "That user name and password do not match."


def log_in(client, username, password, address="192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def outcomes(**filters):
    return list(LoginAttempt.objects.filter(**filters).order_by("id").values_list("outcome", flat=True))


def errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def test_a_login_is_recorded_with_its_address(client, officer):
    response = log_in(client, "olivia", PASSWORD, address="192.0.2.10")
    assert response.status_code == 302 and response.url == reverse("home")
    assert list(LoginAttempt.objects.values_list("username", "address", "outcome")) == [
        ("olivia", "192.0.2.10", "success")
    ]


def test_a_failed_login_is_recorded_and_says_what_to_do(client, officer):
    response = log_in(client, "olivia", "wrong-password")
    assert response.status_code == 200
    assert errors(response) == [
        "That user name and password do not match. Check them and try again: after 5 failed attempts, "
        "logging in is paused for 15 minutes."
    ]
    assert outcomes() == ["failure"]


def test_a_logout_is_recorded(client, officer):
    log_in(client, "olivia", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.10")
    assert outcomes() == ["success", "logout"]


def test_five_failures_lock_the_user_even_with_the_right_password(client, officer):
    for _ in range(4):
        assert WRONG in errors(log_in(client, "olivia", "wrong-password"))[0]
    # The fifth failure locks at once, and says so.
    assert errors(log_in(client, "olivia", "wrong-password")) == [LOCKED]
    response = log_in(client, "olivia", PASSWORD)
    assert response.status_code == 200 and errors(response) == [LOCKED]
    assert "_auth_user_id" not in client.session
    assert outcomes(username="olivia") == ["failure"] * 5 + ["locked"]


def test_the_lock_is_per_user_name_from_any_address(client, officer, officer2):
    for n in range(5):
        log_in(client, "olivia", "wrong-password", address=f"192.0.2.{n + 1}")
    assert errors(log_in(client, "olivia", PASSWORD, address="198.51.100.7")) == [LOCKED]
    # Someone else at the same addresses is unaffected.
    assert log_in(client, "oscar", PASSWORD, address="192.0.2.1").status_code == 302


def test_the_lock_does_not_reveal_whether_a_user_name_exists(client, officer):
    for _ in range(5):
        log_in(client, "olivia", "wrong-password", address="192.0.2.1")
        log_in(client, "nobody-by-this-name", "wrong-password", address="192.0.2.2")
    real = errors(log_in(client, "olivia", "anything", address="192.0.2.1"))
    unknown = errors(log_in(client, "nobody-by-this-name", "anything", address="192.0.2.2"))
    assert real == unknown == [LOCKED]


def test_unknown_and_real_user_names_get_the_same_failure_message(client, officer):
    assert errors(log_in(client, "olivia", "wrong-password")) == errors(log_in(client, "nobody", "wrong-password"))


def test_twenty_failures_from_one_address_lock_the_address_for_every_user_name(client, officer, officer2):
    for n in range(20):  # four failures each for five user names: no single user name is locked
        log_in(client, f"guess{n % 5}", "wrong-password", address="203.0.113.9")
    assert errors(log_in(client, "oscar", PASSWORD, address="203.0.113.9")) == [LOCKED]
    assert log_in(client, "oscar", PASSWORD, address="203.0.113.10").status_code == 302


def test_a_success_resets_the_user_count_but_not_the_address_count(client, officer):
    for _ in range(4):
        log_in(client, "olivia", "wrong-password")
    assert log_in(client, "olivia", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert WRONG in errors(log_in(client, "olivia", "wrong-password"))[0]
    assert lock_for(username="olivia", address=None) is None
    assert LoginAttempt.objects.filter(address="192.0.2.10", outcome="failure").count() == 5


def test_the_lock_ends_after_the_lockout_minutes(client, officer):
    for _ in range(5):
        log_in(client, "olivia", "wrong-password")
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=10, seconds=30))
    assert errors(log_in(client, "olivia", PASSWORD)) == ["Too many failed attempts; try again in 5 minutes."]
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert log_in(client, "olivia", PASSWORD).status_code == 302


def test_retrying_while_locked_does_not_extend_the_lock(client, officer):
    for _ in range(5):
        log_in(client, "olivia", "wrong-password")
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=14, seconds=30))
    for _ in range(3):
        refusal = errors(log_in(client, "olivia", "wrong-password"))
        assert refusal == ["Too many failed attempts; try again in 1 minute."]
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert log_in(client, "olivia", PASSWORD).status_code == 302


@override_settings(LOCKOUT_FAILURES=2, LOCKOUT_MINUTES=30)
def test_the_numbers_are_settings(client, officer):
    log_in(client, "olivia", "wrong-password")
    assert errors(log_in(client, "olivia", "wrong-password")) == ["Too many failed attempts; try again in 30 minutes."]


def test_the_backend_enforces_the_lock_on_every_path(client, officer):
    """Client.login (no login page, no request) and the admin's login page obey it too."""
    for _ in range(5):
        assert authenticate(username="olivia", password="wrong-password") is None
    assert authenticate(username="olivia", password=PASSWORD) is None
    assert client.login(username="olivia", password=PASSWORD) is False
    assert outcomes(username="olivia") == ["failure"] * 5 + ["locked", "locked"]


def test_the_admin_login_page_obeys_the_lock_and_says_so(client, admin_user):
    for _ in range(5):
        client.post("/admin/login/", {"username": "adam", "password": "wrong-password"})
    response = client.post("/admin/login/", {"username": "adam", "password": PASSWORD})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()


@pytest.mark.parametrize(
    "proxies, forwarded, remote, expected",
    [
        (0, "198.51.100.1", "192.0.2.1", "192.0.2.1"),  # no proxy configured: the header is ignored
        (1, "198.51.100.1", "192.0.2.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "192.0.2.1", "198.51.100.1"),  # the client's own entry is not trusted
        (1, "", "192.0.2.1", "192.0.2.1"),
        (0, "", "not-an-address", None),
    ],
)
def test_client_address(rf, settings, proxies, forwarded, remote, expected):
    settings.RINGFENCE_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == expected
