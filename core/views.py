from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from core.audit import record_event
from core.lockout import LockoutAuthenticationForm


@method_decorator(login_not_required, name="dispatch")
class RingfenceLoginView(LoginView):
    template_name = "registration/login.html"
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True


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

    def form_valid(self, form):
        user = form.save()
        record_event("account.password_changed", by=user, obj=user,
                     summary=f"{user.get_username()} changed their password")
        logout(self.request)
        messages.success(self.request, "Your password has been changed and you have been logged out everywhere. "
                                       "Log in with your new password.")
        return redirect("login")
