from django.contrib import admin

from core.models import Event, LoginAttempt


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
