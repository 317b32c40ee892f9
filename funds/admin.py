from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin_base import ReadOnlyAdmin
from funds.models import BudgetLine, FinancialYear, Forecast, Fund, Funder, Period, Virement


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "funder", "limit_basis", "ring_fenced", "is_active")
    list_filter = ("limit_basis", "ring_fenced", "income_kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("code", "limit_basis", "income_kind")  # changing these would re-read posted history

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FinancialYear)
class FinancialYearAdmin(ReadOnlyAdmin):
    list_display = ("label",)


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "is_closed", "closed_by", "closed_at")
    list_filter = ("year", "is_closed")


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("fund", "year", "heading", "original")
    list_filter = ("year", "fund")


@admin.register(Virement)
class VirementAdmin(ReadOnlyAdmin):
    list_display = ("from_line", "to_line", "amount", "status", "requested_by", "decided_by")
    list_filter = ("status",)


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ("line", "amount", "made_on", "made_by")
