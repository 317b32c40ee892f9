"""Where the second factor is required (production's default, RINGFENCE_REQUIRE_SECOND_FACTOR): a password alone
opens nothing but the steps of signing in and the public pages, for every URL of the project, the admin included."""

import itertools
import re
import time

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import RoutePattern
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.permissions import PUBLIC, PUBLIC_FORM
from core.two_factor import second_factor_enrol

PASSWORD = "correct-horse-battery-9"
KEY = "3132333435363738393031323334353637383930"
#: Pages of signing in itself, open before the code is given (besides the public pages).
SIGNING_IN = {"login", "logout", "two_factor_verify", "two_factor_enrol", "admin:login"}

pytestmark = pytest.mark.usefixtures("required")


@pytest.fixture
def required():
    with override_settings(RINGFENCE_REQUIRE_SECOND_FACTOR=True):
        yield


def app_code(key_hex: str = KEY, steps_ahead: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def enrolled(user):
    return second_factor_enrol(user=user, key_hex=KEY, code=app_code(steps_ahead=-1))


# --- every URL of the project ---------------------------------------------------------------------------------------

SAMPLE_VALUES = ["1", "2026-10", "2025-26", "award-letters", "csv", "grants", "x"]


def every_named_url() -> list[tuple[str, str, object]]:
    """(name, a URL that resolves to it, its view) for every named pattern, admin included, with sample arguments:
    the gate acts before the view, so the objects need not exist."""
    found = []

    def walk(patterns, namespace, params):
        for p in patterns:
            if isinstance(p.pattern, RoutePattern):
                names = list(p.pattern.converters)
            else:  # a regular expression: named groups, else positional ones (None)
                regex = p.pattern.regex
                names = list(regex.groupindex) or [None] * regex.groups
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, ns, params + names)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append((name, params + names, p.callback))

    walk(get_resolver().url_patterns, "", [])
    urls = []
    for name, params, callback in found:
        for values in itertools.product(SAMPLE_VALUES, repeat=len(params)):
            try:
                if None in params:
                    url = reverse(name, args=values)
                else:
                    url = reverse(name, kwargs=dict(zip(params, values, strict=True)))
                urls.append((name, url, callback))
                break
            except NoReverseMatch:
                continue
        else:
            raise AssertionError(f"no sample arguments reverse {name} ({params}): add a value to SAMPLE_VALUES")
    return urls


def is_public(callback) -> bool:
    """Open without signing in: the public pages, and the form accepting a provider-portal invitation (to a person
    signed in it only says to sign out first, and writes nothing)."""
    return getattr(callback, "required_roles", None) in (PUBLIC, PUBLIC_FORM)


def test_the_walk_covers_the_staff_pages_the_admin_and_the_public_pages():
    names = {name for name, _, _ in every_named_url()}
    assert {"home", "grants:detail", "payments:run_pay", "admin:index", "admin:auth_user_changelist",
            "transparency:index", "two_factor_account"} <= names
    assert len(names) > 200


@pytest.mark.parametrize("has_app, step", [(True, "two_factor_verify"), (False, "two_factor_enrol")])
def test_a_password_alone_opens_no_page_but_signing_in_and_the_public_pages(client, admin_user, has_app, step):
    """The admin account is staff and superuser: if the gate let anything through for a password alone, it would
    show here. GET and POST alike are sent to the code step (or to set up an app first)."""
    if has_app:
        enrolled(admin_user)
    response = client.post(reverse("login"), {"username": "adam", "password": PASSWORD})
    assert response.status_code == 302 and response.url == f"{reverse(step)}?next=%2F"
    wrong, opened = [], []
    for name, url, callback in every_named_url():
        if name in SIGNING_IN or is_public(callback):
            opened.append(name)
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(f"{reverse(step)}?next="):
                wrong.append(f"{method.upper()} {url} ({name}): {response.status_code} {location}")
    assert wrong == []
    assert set(opened) - SIGNING_IN == {"transparency:index", "transparency:spending_file",
                                        "transparency:contracts_file", "transparency:decisions_file",
                                        "transparency:decision_log", "transparency:giving360_file",
                                        "portal:invitation_accept"}
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=False).exists()


def test_the_public_pages_and_signing_out_stay_open(client, officer):
    client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert client.get(reverse("transparency:index")).status_code == 200
    response = client.post(reverse("logout"))
    assert (response.status_code, response.url) == (302, reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_admin_is_not_reachable_with_a_password_alone(client, admin_user):
    enrolled(admin_user)
    response = client.post("/admin/login/?next=/admin/", {"username": "adam", "password": PASSWORD,
                                                          "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    gated = client.get("/admin/")
    assert gated.status_code == 302 and gated.url == f"{reverse('two_factor_verify')}?next=%2Fadmin%2F"
    assert client.get("/admin/auth/user/").url.startswith(reverse("two_factor_verify"))

    given = client.post(f"{reverse('two_factor_verify')}?next=/admin/", {"code": app_code(), "next": "/admin/"})

    assert (given.status_code, given.url) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_first_sign_in_sets_up_an_app_then_shows_the_codes_then_opens_the_pages(client, officer):
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD, "next": "/funds/"})
    assert response.url == f"{reverse('two_factor_enrol')}?next=%2Ffunds%2F"
    page = client.get(response.url).content.decode()
    assert "Before you go on, set up an authenticator app" in page
    key = client.session["ringfence_two_factor_pending_key"]

    confirmed = client.post(response.url, {"code": app_code(key), "next": "/funds/"})

    assert confirmed.url == f"{reverse('two_factor_recovery_codes')}?next=%2Ffunds%2F"
    codes_page = client.get(confirmed.url).content.decode()
    assert len(re.findall(r"<li><code>", codes_page)) == 10
    assert '<a class="button" href="/funds/">I have kept them: continue</a>' in codes_page
    assert client.get("/funds/").status_code == 200


def test_a_session_signed_in_before_the_setting_was_on_is_held_back_too(client, officer):
    client.force_login(officer)
    response = client.get(reverse("home"))
    assert response.url == f"{reverse('two_factor_enrol')}?next=%2F"


def test_the_account_page_opens_once_the_session_is_verified(client, officer):
    client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    client.get(reverse("two_factor_enrol"))
    client.post(reverse("two_factor_enrol"), {"code": app_code(client.session["ringfence_two_factor_pending_key"])})
    page = client.get(reverse("two_factor_account")).content.decode()
    assert "You sign in with your password and a code from your authenticator app." in page
