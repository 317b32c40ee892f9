from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin_base import HistoryAdmin, ReadOnlyAdmin
from core.money import parse_amount, parse_figure
from funds.models import BudgetLine, FinancialYear, Forecast, Fund, Funder, Period, Virement


@admin.register(Funder)
class FunderAdmin(HistoryAdmin):
    list_display = ("name", "short_name", "kind")


class FundAdminForm(forms.ModelForm):
    """The back office edits a fund's thresholds and retained share with the same grammar as every other path
    (``core.money``): the admin's own number fields would take '1e6' or Arabic-Indic digits."""

    class Meta:
        model = Fund
        fields = "__all__"  # noqa: DJ007 (the ModelAdmin chooses the fields it shows)

    def _raw(self, name: str):
        return self.data.get(f"{name}_0", self.data.get(name))

    def _amount(self, name: str):
        value = self.cleaned_data.get(name)
        if self._raw(name) is not None:
            try:
                parse_amount(self._raw(name), field=name, allow_zero=True)
            except ValidationError as error:
                raise ValidationError(error.message_dict[name])
        return value

    def clean_grant_approval_threshold(self):
        return self._amount("grant_approval_threshold")

    def clean_virement_threshold(self):
        return self._amount("virement_threshold")

    def clean_retained_share_percent(self):
        raw = self._raw("retained_share_percent")
        if raw is None:
            return self.cleaned_data.get("retained_share_percent")
        try:
            return parse_figure(raw, field="share", places=3, maximum=100, example="25")
        except ValidationError as error:
            raise ValidationError(error.message_dict["share"])


@admin.register(Fund)
class FundAdmin(HistoryAdmin):
    form = FundAdminForm
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
