"""Pages of the second factor: the code step after the password, setting up an app (QR code and key), the recovery
codes shown once, and the account page where codes are remade. Thin: the rules are in ``core.two_factor``."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from core.forms import call_service
from core.lockout import LockedOut, client_address
from core.permissions import any_signed_in
from core.two_factor import (
    app_device,
    enrolment_device,
    enrolment_key_new,
    format_key,
    format_recovery_code,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_enrol,
    second_factor_enrolled,
    second_factor_pending,
    second_factor_required,
)
from core.two_factor_forms import AppCodeForm, SignInCodeForm
from core.two_factor_gate import second_factor_step

PENDING_KEY = "ringfence_two_factor_pending_key"  # the key being set up, until the app proves it has it
NEW_CODES = "ringfence_two_factor_new_codes"  # recovery codes just made, shown once then forgotten


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified(request, device) -> None:
    """The session is now verified by ``device``; a new session key, as at any change of privilege."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@require_http_methods(["GET", "POST"])
@second_factor_step
@any_signed_in
def verify(request):
    user, next_url = request.user, _next_url(request)
    step = None if user.is_verified() else second_factor_pending(user)
    if step != "verify":
        return redirect(_with_next("two_factor_enrol", next_url) if step == "enrol" else next_url)
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = call_service(form, second_factor_check, user=user, code=form.cleaned_data["code"],
                                    address=client_address(request))
        except LockedOut as locked:
            form.add_error(None, locked.lock.message())
            verified = None
        if verified is not None:
            _verified(request, verified.device)
            left = verified.recovery_codes_left
            if left is not None:
                messages.warning(request, f"You signed in with a recovery code, which cannot be used again. You have "
                                          f"{left} left." + (" Make new ones on your account page (Two-step sign-in)."
                                                             if left <= 3 else ""))
            return redirect(next_url)
    return render(request, "two_factor/verify.html", {"form": form, "next": next_url})


@never_cache
@require_http_methods(["GET", "POST"])
@second_factor_step
@any_signed_in
def enrol(request):
    user, next_url = request.user, _next_url(request)
    if second_factor_enrolled(user):
        if not user.is_verified():
            return redirect(_with_next("two_factor_verify", next_url))
        messages.info(request, "You already have an authenticator app set up.")
        return redirect("two_factor_account")
    key = request.session.get(PENDING_KEY) or enrolment_key_new()
    request.session[PENDING_KEY] = key
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = call_service(form, second_factor_enrol, user=user, key_hex=key, code=form.cleaned_data["code"])
        if result is not None:
            device, codes = result
            del request.session[PENDING_KEY]
            _verified(request, device)
            request.session[NEW_CODES] = codes
            return redirect(_with_next("two_factor_recovery_codes", next_url))
    device = enrolment_device(user=user, key_hex=key)
    symbol = segno.make(device.config_url, error="m")
    qr, (qr_size, _) = symbol.svg_data_uri(scale=5, border=4), symbol.symbol_size(scale=5, border=4)
    return render(request, "two_factor/enrol.html", {
        "form": form, "next": next_url, "qr": qr, "qr_size": qr_size, "key_text": format_key(key),
        "issuer": settings.OTP_TOTP_ISSUER, "required": second_factor_required(),
    })


@never_cache
@require_http_methods(["GET"])
@any_signed_in
def recovery_codes(request):
    codes = request.session.pop(NEW_CODES, None)
    return render(request, "two_factor/recovery_codes.html", {
        "codes": [format_recovery_code(c) for c in codes or []], "next": _next_url(request),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@any_signed_in
def account(request):
    user = request.user
    device = app_device(user)
    form = AppCodeForm(request.POST or None, prefix="regenerate") if device else None
    if request.method == "POST":
        if form is None:
            return redirect("two_factor_enrol")
        if form.is_valid():
            try:
                codes = call_service(form, recovery_codes_regenerate, user=user, code=form.cleaned_data["code"],
                                     address=client_address(request))
            except LockedOut as locked:
                form.add_error(None, locked.lock.message())
                codes = None
            if codes:
                request.session[NEW_CODES] = codes
                return redirect(_with_next("two_factor_recovery_codes", reverse("two_factor_account")))
    return render(request, "two_factor/account.html", {
        "device": device, "codes_left": recovery_codes_left(user) if device else 0, "form": form,
        "required": second_factor_required(),
    })
