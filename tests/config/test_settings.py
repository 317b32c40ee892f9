"""Production settings, tried the way they are deployed: in fresh processes with DJANGO_DEBUG=0 and the
environment variables of README's "Deployment" section."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
SECRET = "k7Qz-production-test-key-4f9c1b2a7e6d5c3b8a9f0e1d2c3b4a5f6e7d8c9b"  # 60 characters, varied
HOST = "ringfence.example.gov.uk"


def production_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "RINGFENCE_"))}
    env.update({"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONDONTWRITEBYTECODE": "1",
                # Production also needs the ledger's anchor file and its key (README, "Anchoring the ledger").
                "RINGFENCE_ANCHOR_PATH": str(Path(tempfile.gettempdir()) / "ringfence-settings-test-anchors.jsonl"),
                "RINGFENCE_ANCHOR_KEY": "settings-test-anchor-key-not-a-real-one-0123456789abcdef"})
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(
    "missing, message",
    [
        ({"DJANGO_ALLOWED_HOSTS": HOST}, "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0."),
        ({"DJANGO_SECRET_KEY": SECRET}, "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0 (comma-separated)."),
        ({"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_a_secret_key_and_allowed_hosts(missing, message):
    result = manage("check", env=production_env(**missing))
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS=HOST))
    assert (result.returncode, result.stdout.strip(), result.stderr.strip()) == (
        0, "System check identified no issues (0 silenced).", ""
    )


def test_check_deploy_does_flag_a_weak_secret_key():
    """The clean result above means something: the same check catches a short key."""
    result = manage("check", "--deploy", env=production_env(DJANGO_SECRET_KEY="too-short", DJANGO_ALLOWED_HOSTS=HOST))
    assert "security.W009" in result.stderr


def test_development_defaults_are_not_production():
    """With no environment at all the project runs for a developer: debug on, a key that says it is insecure."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
                               "print(s.DEBUG, s.SECRET_KEY.startswith('django-insecure'), s.ALLOWED_HOSTS)"],
        cwd=BASE, env=production_env(DJANGO_DEBUG=None), capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "True True ['127.0.0.1', 'localhost', 'testserver']"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """What a browser sees from the application running with production settings (one process for all checks)."""
    tmp = tmp_path_factory.mktemp("production")
    static_root = str(tmp / "static")
    (tmp / "probe_settings.py").write_text(f"from config.settings import *  # noqa\nSTATIC_ROOT = {static_root!r}\n")
    env = production_env(
        DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS=HOST, DJANGO_SETTINGS_MODULE="probe_settings",
        DATABASE_URL=f"sqlite:///{tmp / 'probe.sqlite3'}", PYTHONPATH=f"{tmp}{os.pathsep}{BASE}",
    )
    result = subprocess.run([sys.executable, str(BASE / "tests" / "config" / "production_probe.py")], cwd=BASE,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_probe_ran_in_production_mode(production):
    assert production["debug"] is False


def test_plain_http_is_redirected_to_https(production):
    assert production["http_login"]["status"] == 301
    assert production["http_login"]["location"] == f"https://{HOST}/login/"


def test_security_headers_on_every_page(production):
    for page in ("https_login", "anonymous_page", "missing", "error"):
        headers = production[page]["headers"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", page
        assert headers["X-Frame-Options"] == "DENY", page
        assert headers["X-Content-Type-Options"] == "nosniff", page
        assert headers["Referrer-Policy"] == "same-origin", page
        assert headers["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, page


def test_the_content_security_policy_allows_only_this_site():
    policy = dict(part.strip().split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline scripts, no eval
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in settings.CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in settings.CONTENT_SECURITY_POLICY


def test_csrf_cookie_is_secure_and_http_only(production):
    cookie = production["https_login"]["cookies"]["csrftoken"]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


def test_session_cookie_is_secure_http_only_and_ends_with_the_browser(production):
    assert production["log_in"]["status"] == 302
    cookie = production["log_in"]["cookies"]["sessionid"]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")
    assert (cookie["max_age"], cookie["expires"]) == ("", "")  # no persistent cookie: ends when the browser closes


def test_anonymous_visitors_are_sent_to_log_in(production):
    page = production["anonymous_page"]
    assert (page["status"], page["location"]) == (302, "/login/?next=/")


def test_an_unknown_address_is_a_plain_404_for_anonymous_visitors(production):
    """A pattern that exists sends them to log in (so object ids reveal nothing); one that does not is a 404 page
    that shows no navigation and nothing about the application."""
    page = production["anonymous_missing"]
    assert page["status"] == 404
    assert "<h1>Page not found</h1>" in page["text"]
    assert 'aria-label="Main"' not in page["text"] and "Log out" not in page["text"]


def test_no_debug_page_for_a_missing_page(production):
    page = production["missing"]
    assert page["status"] == 404
    assert "<h1>Page not found</h1>" in page["text"]
    for leak in ("URLconf", "Traceback", "DEBUG = True", "config.urls", "django"):
        assert leak not in page["text"]


def test_no_debug_page_for_an_error(production):
    page = production["error"]
    assert page["status"] == 500
    assert "<h1>Something went wrong</h1>" in page["text"]
    for leak in ("Traceback", "SECRET-IN-TRACEBACK", "RuntimeError", "DEBUG", "django"):
        assert leak not in page["text"]


def test_a_host_not_allowed_is_refused(production):
    page = production["bad_host"]
    assert page["status"] == 400
    assert "evil.example" not in page["text"] and "ALLOWED_HOSTS" not in page["text"]


def test_static_files_are_served_to_anyone_with_a_hashed_name(production):
    css = production["static_css"]
    assert css["status"] == 200
    assert css["url"].startswith("/static/css/ringfence.") and css["url"] != "/static/css/ringfence.css"


def test_production_requires_a_second_factor_and_development_does_not():
    def required(**env) -> str:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; "
                                   "print(s.RINGFENCE_REQUIRE_SECOND_FACTOR, s.OTP_TOTP_ISSUER)"],
            cwd=BASE, env=production_env(**env), capture_output=True, text=True, timeout=60,
        )
        return result.stdout.strip()

    production = {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": HOST}
    assert required(**production) == "True West Midlands OPCC"
    assert required(DJANGO_DEBUG=None) == "False West Midlands OPCC"  # the demo: optional
    assert required(DJANGO_DEBUG=None, RINGFENCE_REQUIRE_SECOND_FACTOR="1", RINGFENCE_OWNING_BODY_SHORT="WMCA") == (
        "True WMCA")


def test_in_production_a_password_alone_opens_no_page(production):
    assert production["second_factor_required"] is True
    assert production["log_in"]["location"] == "/account/two-step/set-up/?next=%2F"
    for page in ("password_only_home", "password_only_error"):
        assert production[page]["status"] == 302, page
        assert production[page]["location"].startswith("/account/two-step/set-up/?next="), page


def test_in_production_the_admin_is_not_reachable_with_a_password_alone(production):
    assert (production["admin_log_in"]["status"], production["admin_log_in"]["location"]) == (302, "/admin/")
    gated = production["admin_password_only"]
    assert (gated["status"], gated["location"]) == (302, "/account/two-step/set-up/?next=%2Fadmin%2F")
    assert production["admin_verified"]["status"] == 200


def test_setting_up_the_app_in_production_keeps_the_content_security_policy(production):
    page = production["enrol_page"]
    assert page["status"] == 200
    assert page["headers"]["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "no-store" in page["headers"]["Cache-Control"]  # the key is on this page
    assert '<img src="data:image/svg+xml;' in page["text"]  # allowed by img-src 'self' data:
    assert "style=" not in page["text"] and "<script" not in page["text"]
    assert (production["enrolled"]["status"], production["enrolled"]["location"]) == (
        302, "/account/two-step/recovery-codes/?next=%2F")
    assert production["verified_home"]["status"] == 200
