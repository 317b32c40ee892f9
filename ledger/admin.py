from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from ledger.models import Account, CorrectingJournal, CorrectingJournalLine, JournalEntry, JournalLine


class NoWrites(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = ("account", "fund", "funding_year", "direction", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(NoWrites):
    list_display = ("reference", "date", "description", "posted_by", "posted_at")
    list_filter = ("year",)
    search_fields = ("description", "source_reference")
    inlines = [JournalLineInline]


@admin.register(Account)
class AccountAdmin(NoWrites):
    list_display = ("code", "name", "type", "role")


class CorrectingJournalLineInline(admin.TabularInline):
    model = CorrectingJournalLine
    fields = ("account", "fund", "funding_year", "direction", "amount", "narrative")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CorrectingJournal)
class CorrectingJournalAdmin(ReadOnlyAdmin):
    """Read-only: correcting journals are prepared, approved and rejected only through ledger.corrections."""

    list_display = ("reference", "date", "status", "prepared_by", "decided_by", "entry")
    list_filter = ("status",)
    search_fields = ("reason",)
    inlines = [CorrectingJournalLineInline]
