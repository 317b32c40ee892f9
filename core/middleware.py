import contextvars
import secrets

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Send the content security policy from settings on every response (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


# ---- Request id: one per request, on the response and on every log record written while it is handled ----------
#: The id of the request being handled in this thread or task ("-" outside a request); read by the log filter
#: (core.errors.RequestContextFilter) and the error page (core.errors.server_error).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("ringfence_request_id", default="-")
#: The request being handled (None outside one): the log filter reads its path and, if already loaded, its user.
request_var: contextvars.ContextVar = contextvars.ContextVar("ringfence_request", default=None)


def new_request_id() -> str:
    """Twelve hex digits: unique enough to find one request in the logs, short enough to read out on the phone."""
    return secrets.token_hex(6)


class RequestIdMiddleware:
    """Give each request an id, set it as the ``X-Request-ID`` response header and on every log record written while
    the request is handled (500s included), so the reference a person quotes from an error page finds its traceback.
    First in MIDDLEWARE, so an error in any other middleware still carries the id. The id is always generated here:
    one sent by the client is not trusted (it would let anyone write what they like into the logs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id()
        tokens = request_id_var.set(request.request_id), request_var.set(request)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            request_id_var.reset(tokens[0])
            request_var.reset(tokens[1])


class SessionRefreshMiddleware:
    """Push an idle session's expiry forward at most once a minute, instead of writing the session on every request
    (SESSION_SAVE_EVERY_REQUEST). Reading pages then writes nothing, so on SQLite it never waits for a long write (an
    import in the worker) and never fails on one; an idle session still ends after DJANGO_SESSION_SECONDS, give or
    take a minute. After SessionMiddleware and AuthenticationMiddleware."""

    INTERVAL = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and getattr(request, "user", None) is not None:
            import time

            now = int(time.time())
            if request.user.is_authenticated and now - int(session.get("_refreshed", 0)) >= self.INTERVAL:
                session["_refreshed"] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)
