from django.contrib import admin

from core.admin_base import HistoryAdmin, ReadOnlyAdmin
from funds.controls import CONTROLS
from funds.models import BudgetLine, ControlChange, FinancialYear, Forecast, Fund, Funder, Period, Virement


@admin.register(Funder)
class FunderAdmin(HistoryAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Fund)
class FundAdmin(HistoryAdmin):
    """The back office may correct a fund's name, funder, purpose, ring-fencing, year-end rule and whether it is
    active. Its control settings (the three approval thresholds and the retained share of fines) are read-only here,
    when adding too: each changes only by a proposal that someone else approves (``funds.controls``), so nobody can
    switch a second-person check off alone. A fund added here starts at £0.00 and 0%: every virement and order
    waits for a second person, every grant needs a decision, until a change is approved."""

    list_display = ("code", "name", "funder", "limit_basis", "ring_fenced", "is_active")
    list_filter = ("limit_basis", "ring_fenced", "income_kind", "is_active")
    search_fields = ("code", "name")
    def get_readonly_fields(self, request, obj=None):
        # code, limit_basis, income_kind are set when the fund is added: changing them would re-read posted history.
        return ("code", "limit_basis", "income_kind", *CONTROLS) if obj else tuple(CONTROLS)

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


@admin.register(ControlChange)
class ControlChangeAdmin(ReadOnlyAdmin):
    """Changes to funds' control settings are proposed and decided only through funds.controls (a second person,
    with the deciding role, approves), so none can be added or decided here."""

    list_display = ("fund", "setting", "value_before", "value_after", "status", "proposed_by", "decided_by")
    list_filter = ("status", "setting")
