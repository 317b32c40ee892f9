from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Ringfence core"

    def ready(self):
        from django.contrib import admin

        from core import lockout  # noqa: F401  connects the login, failed-login and logout receivers

        # The admin's own login page obeys the lock-out too, and says so in the same words.
        admin.site.login_form = lockout.LockoutAdminAuthenticationForm
        # The admin's "Change password" is Ringfence's own page, which ends every session after a change.
        admin.site.password_change = _password_change_elsewhere


def _password_change_elsewhere(request, extra_context=None):
    from django.shortcuts import redirect

    return redirect("password_change")
