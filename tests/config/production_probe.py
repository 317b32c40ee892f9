"""Run by tests/config/test_settings.py in a subprocess with DJANGO_DEBUG=0: migrates a throw-away SQLite
database, collects static files into a throw-away folder, then requests pages through Django's test client and
prints what a browser would see (status, headers, cookie flags, page text) as JSON on stdout.

Not a test module itself (no ``test_`` prefix): production settings are read once per process, so they can only be
tried in a process of their own.
"""

import json
import os
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import clear_url_caches, path

    import config.urls

    def boom(request):
        raise RuntimeError("probe: an unexpected error with a secret in it: SECRET-IN-TRACEBACK")

    config.urls.urlpatterns.append(path("probe-boom/", boom))
    clear_url_caches()

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    User.objects.create_user(username="probe", password="probe-password-long-enough-1")
    User.objects.create_superuser(username="probe-admin", password="probe-password-long-enough-2")

    host = settings.ALLOWED_HOSTS[0]
    out = {"debug": settings.DEBUG, "second_factor_required": settings.RINGFENCE_REQUIRE_SECOND_FACTOR}

    def describe(response):
        return {
            "status": response.status_code,
            "location": response.get("Location", ""),
            "headers": {k: v for k, v in response.headers.items()},
            "cookies": {
                name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"],
                       "max_age": c["max-age"], "expires": c["expires"]}
                for name, c in response.cookies.items()
            },
            "text": response.content.decode(errors="replace") if not response.streaming else "",
        }

    browser = Client(HTTP_HOST=host, raise_request_exception=False)
    out["http_login"] = describe(browser.get("/login/"))
    out["https_login"] = describe(browser.get("/login/", secure=True))
    out["anonymous_page"] = describe(browser.get("/", secure=True))
    out["anonymous_missing"] = describe(browser.get("/no-such-page/", secure=True))
    out["log_in"] = describe(browser.post("/login/", {"username": "probe", "password": "probe-password-long-enough-1"},
                                          secure=True))
    # A password alone opens nothing: every page waits for the second factor, this one too.
    out["password_only_home"] = describe(browser.get("/", secure=True))
    out["password_only_error"] = describe(browser.get("/probe-boom/", secure=True))
    out["enrol_page"], out["enrolled"] = enrol(browser, describe)
    out["verified_home"] = describe(browser.get("/", secure=True))
    out["missing"] = describe(browser.get("/no-such-page/", secure=True))
    out["error"] = describe(browser.get("/probe-boom/", secure=True))
    admin = Client(HTTP_HOST=host, raise_request_exception=False)
    out["admin_log_in"] = describe(admin.post("/admin/login/?next=/admin/", {
        "username": "probe-admin", "password": "probe-password-long-enough-2", "next": "/admin/"}, secure=True))
    out["admin_password_only"] = describe(admin.get("/admin/", secure=True))
    enrol(admin, describe)
    out["admin_verified"] = describe(admin.get("/admin/", secure=True))
    out["bad_host"] = describe(Client(HTTP_HOST="evil.example", raise_request_exception=False).get("/login/",
                                                                                                       secure=True))
    from django.contrib.staticfiles.storage import staticfiles_storage

    css = staticfiles_storage.url("css/ringfence.css")
    out["static_css"] = {"url": css, **describe(Client(HTTP_HOST=host).get(css, secure=True))}
    out["static_css"]["text"] = ""
    json.dump(out, sys.stdout)


def enrol(browser, describe):
    """Set up an authenticator app as a person would: read the key off the page, compute the app's code from it."""
    import re
    import time
    from base64 import b32decode

    from django_otp.oath import TOTP

    page = browser.get("/account/two-step/set-up/?next=/", secure=True)
    key = re.search(r'<code id="setup-key">([A-Z2-7 ]+)</code>', page.content.decode()).group(1).replace(" ", "")
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    done = browser.post("/account/two-step/set-up/", {"code": f"{totp.token():06d}", "next": "/"}, secure=True)
    return describe(page), describe(done)


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main()
