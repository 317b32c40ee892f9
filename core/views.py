from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from core.audit import record_event
from core.lockout import LockoutAuthenticationForm
from core.password_forms import PasswordChangeForm
from core.two_factor import second_factor_pending
from core.two_factor_gate import STEP_URLS


@method_decorator(login_not_required, name="dispatch")
class RingfenceLoginView(LoginView):
    """The password. Then, for whoever owes a second factor (core.two_factor), the code step or setting up an app,
    carrying on to where they were going; core.two_factor_gate holds every other page back until then."""

    template_name = "registration/login.html"
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        step = second_factor_pending(form.get_user())
        if step is None:
            return response
        return redirect(f"{reverse(STEP_URLS[step])}?{urlencode({'next': self.get_success_url()})}")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


class RingfencePasswordChangeView(PasswordChangeView):
    """Change one's own password, then log out everywhere, this session included.

    Changing the password changes the session hash, so every other session of the user ends at its next request
    (Django checks the hash on each one). Django's own view would then keep this session alive; ours ends it too,
    so whoever changed the password proves they know it by logging in again.
    """

    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm

    def form_valid(self, form):
        user = form.save()
        record_event("account.password_changed", by=user, obj=user,
                     summary=f"{user.get_username()} changed their password")
        logout(self.request)
        messages.success(self.request, "Your password has been changed and you have been logged out everywhere. "
                                       "Log in with your new password.")
        return redirect("login")
