"""A 500 in production (DEBUG=False): the person sees the request's id and a plain explanation, the response carries
the id as ``X-Request-ID``, and the log keeps a record with the id, the path, the user and the traceback
(core.errors, core.middleware.RequestIdMiddleware, LOGGING in config/settings.py). Until this, with DJANGO_DEBUG=0
no 500 was logged at all.

The failing views below are this module's own URLconf, with the project's real ``handler500`` and middleware."""

import errno
import logging

import psycopg
import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

import config.urls
from core.errors import BUSY, DATABASE_UNAVAILABLE, DISK_FULL, UNKNOWN, failure_kind, server_error
from tests.web.conftest import text

handler500 = config.urls.handler500


def wrapped(driver_error, message=None):
    """What Django raises for a driver's error: its own OperationalError, caused by the driver's."""
    try:
        raise driver_error
    except Exception as cause:
        try:
            raise OperationalError(message or str(cause)) from cause
        except OperationalError as error:
            return error


FAILURES = {
    "boom": ValueError("kaboom: a bug"),
    "locked": OperationalError("database is locked"),
    "sqlite-full": OperationalError("database or disk is full"),
    "disk-full": OSError(errno.ENOSPC, "No space left on device"),
    "postgres-full": wrapped(psycopg.errors.DiskFull('could not extend file "base/16384/2619"')),
    "postgres-serialization": wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
    "postgres-down": OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
                                      "Connection refused"),
    "closed": InterfaceError("connection already closed"),
}


def failing(name):
    def view(request):
        raise FAILURES[name]

    return login_not_required(view)


urlpatterns = [path(f"fail/{name}/", failing(name), name=f"fail-{name}") for name in FAILURES]
urlpatterns.append(path("fail-signed-in/", lambda request: (_ for _ in ()).throw(ValueError("kaboom: signed in"))))
urlpatterns += config.urls.urlpatterns  # the project's own pages too



@pytest.fixture(autouse=True)
def production_error_pages(settings):
    """These URLs, with the project's handler500, as in production (DEBUG off)."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


def test_the_project_registers_the_error_page():
    assert config.urls.handler500 == "core.errors.server_error"


@pytest.mark.django_db
def test_a_500_shows_its_id_sends_it_as_a_header_and_logs_it_with_path_user_and_traceback(officer, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/fail-signed-in/")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 12 and int(request_id, 16) >= 0
    page = text(response)
    assert f"Reference: {request_id}" in page
    assert "Something went wrong; try again, and if it happens again quote this reference." in page

    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert (record.levelname, record.getMessage()) == ("ERROR", "Internal Server Error: /fail-signed-in/")
    assert (record.request_id, record.request_path, record.user_id) == (request_id, "/fail-signed-in/",
                                                                        str(officer.pk))
    assert record.exc_info[0] is ValueError
    # The line the production handler writes (LOGGING's "console" handler and its formatter):
    (handler,) = logging.getLogger("django").handlers
    line = handler.format(record)
    assert f"ERROR django.request request_id={request_id} user_id={officer.pk} path=/fail-signed-in/ " \
           "Internal Server Error: /fail-signed-in/" in line
    assert "Traceback (most recent call last):" in line and line.endswith("ValueError: kaboom: signed in")


@pytest.mark.parametrize("name, title, explanation", [
    ("boom", "Something went wrong", "try again, and if it happens again quote this reference"),
    ("locked", "The database is busy", "Try again in a moment."),
    ("postgres-serialization", "The database is busy", "Try again in a moment."),
    ("sqlite-full", "The server's disk is full", "There is no space left to save anything."),
    ("disk-full", "The server's disk is full", "There is no space left to save anything."),
    ("postgres-full", "The server's disk is full", "There is no space left to save anything."),
    ("postgres-down", "The database is unavailable", "Ringfence cannot reach its database just now."),
    ("closed", "The database is unavailable", "Ringfence cannot reach its database just now."),
])
def test_the_page_explains_the_failure_plainly_without_touching_the_database(name, title, explanation):
    """No database fixture: pytest-django refuses any query here, so a page that rendered proves the 500 page
    needs no database (no context processor that queries, no session)."""
    response = Client(raise_request_exception=False).get(f"/fail/{name}/")
    assert response.status_code == 500
    page = text(response)
    assert page.startswith(f"{title} – Ringfence {title} ")
    assert explanation in page and f"Reference: {response['X-Request-ID']}" in page
    assert "Nothing has been half-saved: every change is made whole or not at all." in page


def test_each_failure_is_classified_from_the_exception_and_its_cause():
    assert [failure_kind(FAILURES[name]) for name in FAILURES] == [
        UNKNOWN, BUSY, DISK_FULL, DISK_FULL, DISK_FULL, BUSY, DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE]
    assert failure_kind(wrapped(psycopg.errors.LockNotAvailable("could not obtain lock"))) == BUSY
    assert failure_kind(OSError(errno.EACCES, "Permission denied")) == UNKNOWN
    assert failure_kind(None) == UNKNOWN


def test_the_page_renders_even_outside_an_exception_with_the_id_it_is_given(rf):
    request = rf.get("/")
    request.request_id = "abc123def456"
    response = server_error(request)
    assert response.status_code == 500 and "Reference: abc123def456" in text(response)


@pytest.mark.django_db
def test_every_response_carries_a_fresh_id_and_log_records_during_the_request_carry_it(caplog):
    client = Client()
    first, second = client.get("/login/"), client.get("/login/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    with caplog.at_level(logging.INFO, logger="ringfence.security"):
        response = client.post("/login/", {"username": "nobody", "password": "wrong-password-12"})
    records = [r for r in caplog.records if r.name == "ringfence.security"]
    assert records and {r.request_id for r in records} == {response["X-Request-ID"]}
    assert {r.request_path for r in records} == {"/login/"}


def test_with_django_debug_0_a_500_is_logged_to_stderr_with_its_id(tmp_path):
    """The finding itself, in a production process (DJANGO_DEBUG=0, as deployed): the 500 leaves a log line with the
    request id, the path, the user and the traceback on stderr (gunicorn's error log)."""
    import subprocess
    import sys

    from django.conf import settings

    from tests.config.test_settings import HOST, SECRET, production_env

    script = ("import django; django.setup()\n"
              "from django.test import Client, override_settings\n"
              "with override_settings(ROOT_URLCONF='tests.core.test_errors'):\n"
              f"    response = Client(HTTP_HOST={HOST!r}, raise_request_exception=False).get('/fail/locked/', "
              "secure=True)\n"
              "print(response.status_code, response['X-Request-ID'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=120, env=production_env(
                                DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS=HOST,
                                DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                                RINGFENCE_ANCHOR_PATH=str(tmp_path / "anchors"),
                                RINGFENCE_ANCHOR_KEY="a-key-for-this-test-only-0123456789abcdef"))
    assert result.returncode == 0, result.stderr[-3000:]
    status, request_id = result.stdout.split()
    assert status == "500"
    assert (f"ERROR django.request request_id={request_id} user_id=anonymous path=/fail/locked/ Internal Server "
            "Error: /fail/locked/") in result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "django.db.utils.OperationalError: database is locked" in result.stderr
