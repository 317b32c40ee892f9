from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Ringfence core"

    def ready(self):
        from django.contrib import admin

        from core import lockout  # noqa: F401  connects the login, failed-login and logout receivers

        # The admin's own login page obeys the lock-out too, and says so in the same words.
        admin.site.login_form = lockout.LockoutAdminAuthenticationForm
