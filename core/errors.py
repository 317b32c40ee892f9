"""When a request fails with an unhandled exception (HTTP 500): what the person sees, and what the log keeps.

- ``server_error`` (``handler500`` in config/urls.py) shows templates/500.html with the request's id (the reference to
  quote) and a plain explanation chosen from the exception: the database is busy (try again in a moment), the disk
  is full, the database is unavailable, or something else went wrong. It renders with no request context, so no
  context processor, session or database is touched: it works when the database is the thing that failed.
- ``RequestContextFilter`` puts the request's id, path and user id on every log record (LOGGING in
  config/settings.py), so the reference on the page finds the traceback Django logs to ``django.request``.
The id itself is made per request by ``core.middleware.RequestIdMiddleware``.

Nothing here imports a model: LOGGING loads this module before the apps are ready.
"""

import errno
import logging
import sys
from html import escape

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.template import loader

from core.middleware import request_id_var, request_var

BUSY, DISK_FULL, DATABASE_UNAVAILABLE, UNKNOWN = "busy", "disk_full", "database_unavailable", "unknown"

NOT_HALF_SAVED = "Nothing has been half-saved: every change is made whole or not at all."
EXPLANATIONS = {
    BUSY: ("The database is busy",
           "Another piece of work was writing to the database and this page could not wait for it. "
           f"{NOT_HALF_SAVED} Try again in a moment."),
    DISK_FULL: ("The server's disk is full",
                f"There is no space left to save anything. {NOT_HALF_SAVED} Try again later; if it keeps happening, "
                "tell the back-office team and quote this reference."),
    DATABASE_UNAVAILABLE: ("The database is unavailable",
                           f"Ringfence cannot reach its database just now. {NOT_HALF_SAVED} Try again in a few "
                           "minutes; if it keeps happening, tell the back-office team and quote this reference."),
    UNKNOWN: ("Something went wrong",
              f"Something went wrong; try again, and if it happens again quote this reference. {NOT_HALF_SAVED}"),
}

# PostgreSQL error codes (SQLSTATE): the database is busy (serialization failure, deadlock, lock not available) or its
# disk is full.
BUSY_SQLSTATES = {"40001", "40P01", "55P03"}
DISK_FULL_SQLSTATE = "53100"


def _chain(exc):
    """``exc`` and what caused it (Django wraps the driver's exception), at most ten deep."""
    seen = []
    while exc is not None and len(seen) < 10 and all(exc is not s for s in seen):
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def failure_kind(exc) -> str:
    """Which plain explanation fits ``exc``: BUSY, DISK_FULL, DATABASE_UNAVAILABLE or UNKNOWN."""
    chain = _chain(exc)
    for cause in chain:
        text = str(cause).lower()
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if (isinstance(cause, OSError) and cause.errno == errno.ENOSPC) or sqlstate == DISK_FULL_SQLSTATE \
                or "database or disk is full" in text or "no space left on device" in text:
            return DISK_FULL
        if "database is locked" in text or "database table is locked" in text or sqlstate in BUSY_SQLSTATES:
            return BUSY
    if any(isinstance(cause, OperationalError | InterfaceError) for cause in chain):
        return DATABASE_UNAVAILABLE
    return UNKNOWN


def current_request_id(request=None) -> str:
    return getattr(request, "request_id", None) or request_id_var.get()


def server_error(request, template_name: str = "500.html"):
    """The 500 page: the request id and a plain explanation. Called by Django inside its ``except`` block, so the
    exception is ``sys.exc_info()``'s. Rendered from a plain dict (no RequestContext: no context processors, no
    session, no query); if even the template cannot be read, a minimal page says the same."""
    kind = failure_kind(sys.exc_info()[1])
    title, explanation = EXPLANATIONS[kind]
    context = {"title": title, "explanation": explanation, "request_id": current_request_id(request), "kind": kind}
    try:
        body = loader.get_template(template_name).render(context)
    except Exception:  # noqa: BLE001 (the error page must never fail in turn)
        body = (f"<!DOCTYPE html><html lang=\"en-GB\"><title>{escape(title)}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(explanation)}</p><p>Reference: {escape(context['request_id'])}</p></html>")
    return HttpResponseServerError(body)


def _user_id(request) -> str:
    """The signed-in user's id, read only from what the request has already loaded (never a query: the database
    may be what failed); 'anonymous', or '-' when the user was never looked at."""
    user = getattr(request, "_cached_user", None)
    if user is not None:
        return str(user.pk) if getattr(user, "is_authenticated", False) else "anonymous"
    cache = getattr(getattr(request, "session", None), "_session_cache", None)
    if isinstance(cache, dict) and "_auth_user_id" in cache:
        return str(cache["_auth_user_id"])
    return "-"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``request_path`` and ``user_id`` to every record: from the record's request when Django
    attached one (``django.request``), else from the request being handled (``core.middleware``), else '-'."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not hasattr(request, "META"):  # none attached (django.server attaches a socket): the current request
            request = request_var.get()
        has_request = request is not None
        record.request_id = current_request_id(request)
        record.request_path = request.path if has_request else "-"
        record.user_id = _user_id(request) if has_request else "-"
        return True
