"""The second factor in the Django admin: who has set one up, read only.

django-otp registers its own admin pages, which let the admin add a device with a key of their choosing to anyone's
account (and so sign in past that person's second factor) or read a key as a QR code. Here they are replaced by
lists that show who has an app or recovery codes and when they were last used, and nothing else: a reset is done
with ``manage.py reset_second_factor``, which asks for the reason and records it. ``core.admin`` calls
``device_admins_register(admin.site)``.
"""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


class ReadOnlyDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def device_admins_register(site: admin.AdminSite) -> None:
    """Put the read-only lists in place of django-otp's own admin pages on ``site``."""
    for model in (TOTPDevice, StaticDevice):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, ReadOnlyDeviceAdmin)
