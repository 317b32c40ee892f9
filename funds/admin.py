from django.contrib import admin

from core.admin_base import HistoryAdmin, ReadOnlyAdmin
from funds.models import BudgetLine, FinancialYear, Forecast, Fund, Funder, Period, Virement


@admin.register(Funder)
class FunderAdmin(HistoryAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Fund)
class FundAdmin(HistoryAdmin):
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
    """Months close and reopen only through funds.calendar (in order, once ended; reopening by finance directors
    from the latest closed month back), so nothing about them is editable here, the revert form included."""

    list_display = ("__str__", "is_closed", "closed_by", "closed_at")
    list_filter = ("year", "is_closed")
    readonly_fields = ("is_closed", "closed_by", "closed_at")


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("fund", "year", "heading", "original")
    list_filter = ("year", "fund")


@admin.register(Virement)
class VirementAdmin(ReadOnlyAdmin):
    """Virements are requested and decided only through funds.budgets (the running total moved out of a line
    against the fund's threshold decides whether approval is needed), so none can be added or approved here."""

    list_display = ("from_line", "to_line", "amount", "status", "requested_by", "decided_by")
    list_filter = ("status",)
    readonly_fields = ("status", "decided_by", "decided_at", "decision_note")


@admin.register(Forecast)
class ForecastAdmin(ReadOnlyAdmin):
    list_display = ("line", "amount", "made_on", "made_by")
