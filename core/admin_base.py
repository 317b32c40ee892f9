"""Admin for back-office staff. Anything that moves money or changes a decision is read-only here: those
changes go through the services (and their pages), which check the rules the admin would bypass."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from core.changes import HistoryAdminMixin


class HistoryAdmin(HistoryAdminMixin, SimpleHistoryAdmin):
    """Every admin of a domain model: its history view shows the changes the history pages show (core.changes),
    with sensitive fields masked. An old version can be looked at, never saved back: django-simple-history's
    "revert" form saves a POST after checking only the view permission, whole, read-only fields included, with no
    reason and no business event."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(HistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
