"""Holds every page back from a signed-in person whose session still owes its second factor.

Installed right after django-otp's ``OTPMiddleware`` (which tells whether the session is verified), so it covers
every view the URLconf reaches, the Django admin included: the admin is not reachable with a password alone. The
only pages left open are those that need no sign-in at all (``login_not_required``: the login pages and the public
transparency pages) and the steps of signing in themselves (``second_factor_step``: the code step, setting up an
app, the recovery codes and signing out).
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from core.two_factor import second_factor_pending

STEP_URLS = {"verify": "two_factor_verify", "enrol": "two_factor_enrol"}


def second_factor_step(view):
    """Mark a view as part of signing in: open to a signed-in person who has not yet given their code."""
    view.second_factor_step = True
    return view


def is_open_before_second_factor(view_func) -> bool:
    return getattr(view_func, "login_required", True) is False or getattr(view_func, "second_factor_step", False)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or is_open_before_second_factor(view_func):
            return None
        step = second_factor_pending(user)
        if step is None:
            return None
        return redirect(f"{reverse(STEP_URLS[step])}?{urlencode({'next': request.get_full_path()})}")
