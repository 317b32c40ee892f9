from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from core.models import Event, LoginAttempt
from core.roles import ALL_ROLES


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "actor", "summary")
    list_filter = ("kind",)
    search_fields = ("summary", "reason", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(EventAdmin):
    list_display = ("at", "username", "address", "outcome")
    list_filter = ("outcome",)
    search_fields = ("username", "address")


class RoleGroupAdmin(GroupAdmin):
    """The three role groups are named in code (core.roles): renaming or deleting one would silently take every
    person's role away, so their names are read-only here and they cannot be deleted."""

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.name in ALL_ROLES:
            return ("name",)
        return ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in ALL_ROLES:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)

# django-otp's own admin pages could read anyone's key or add a device to an account: read-only lists instead.
from core.two_factor_admin import device_admins_register  # noqa: E402

device_admins_register(admin.site)
