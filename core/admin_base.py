"""Admin for back-office staff. Anything that moves money or changes a decision is read-only here: those
changes go through the services (and their pages), which check the rules the admin would bypass."""

from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
