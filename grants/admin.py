"""Admin for back-office staff. Reference data (checklist items, outcome measures) and the plain details of
organisations and services can be edited here. Everything that moves money, decides, verifies or changes a
grant's state is read-only: those changes go through the services, which enforce the rules the admin would
bypass (second-person verification, no self-approval, the ledger postings)."""

from django.contrib import admin

from core.admin_base import HistoryAdmin, ReadOnlyAdmin
from grants.models import (
    AnnualReview,
    BankDetails,
    CheckType,
    Clawback,
    CommissionedService,
    Decision,
    FundingLine,
    Grant,
    GrantCheck,
    GrantVariation,
    Instalment,
    MonitoringReturn,
    Organisation,
    OutcomeMeasure,
    OutcomeTarget,
    Payment,
    ReturnValue,
    ServiceCategory,
    VariationLine,
)


class MaskedBankDetails:
    """The sort code and account number (BankDetails.sensitive_fields) as anyone may see them."""

    @admin.display(description="Sort code")
    def sort_code_shown(self, obj):
        return obj.masked_sort_code

    @admin.display(description="Account number")
    def account_number_shown(self, obj):
        return obj.masked_account_number


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FundingLineInline(ReadOnlyInline):
    model = FundingLine
    fields = ("fund", "year", "original_amount", "amount", "released")
    readonly_fields = fields


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ("funding_line", "quarter", "period_start", "period_end", "due_date", "amount", "requires_return")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("instalment", "amount", "paid_on", "reference", "entry", "recorded_by")
    readonly_fields = fields


class CheckInline(ReadOnlyInline):
    model = GrantCheck
    fields = ("check_type", "is_complete", "result", "checked_on", "evidence", "completed_by", "completed_at")
    readonly_fields = fields


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "organisation", "status", "allocation_method", "start_date", "end_date")
    list_filter = ("status", "allocation_method", "risk_rating", "do_not_publish")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)
    inlines = [FundingLineInline, CheckInline, InstalmentInline, PaymentInline]


class BankDetailsInline(MaskedBankDetails, ReadOnlyInline):
    model = BankDetails
    fields = ("account_name", "sort_code_shown", "account_number_shown", "status", "entered_by", "verified_by",
              "verified_at")
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    """Name, address and postcode may be corrected here (validated by the model). The charity and company
    numbers and the identifier that derives from them change only through the service; bank details only
    through a second-person verified change."""

    list_display = ("name", "identifier", "charity_number", "company_number", "postcode")
    search_fields = ("name", "identifier", "charity_number", "company_number")
    readonly_fields = ("charity_number", "company_number", "identifier", "created_by", "created_at")
    inlines = [BankDetailsInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CommissionedService)
class CommissionedServiceAdmin(HistoryAdmin):
    list_display = ("name", "organisation", "area_type", "area_name", "is_active")
    list_filter = ("area_type", "is_active")
    search_fields = ("name", "organisation__name", "area_name")
    readonly_fields = ("organisation",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckType)
class CheckTypeAdmin(HistoryAdmin):
    """The standard checklist is data: items may be added or retired (is_active), never deleted."""

    list_display = ("label", "kind", "order", "is_active")
    list_filter = ("kind", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(HistoryAdmin):
    """The kinds of service grants and orders are classified by for funder returns (ISVA, IDVA, counselling, ...):
    data. Categories may be added, renamed or retired (is_active); never deleted, as grants and orders keep them."""

    list_display = ("name", "code", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(HistoryAdmin):
    list_display = ("fund", "code", "name", "unit", "is_active")
    list_filter = ("fund", "is_active")

    def get_readonly_fields(self, request, obj=None):
        return ("fund", "code") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankDetails)
class BankDetailsAdmin(MaskedBankDetails, ReadOnlyAdmin):
    """The sort code and account number (the model's ``sensitive_fields``) appear only masked: in the list, on the
    form, in a historical version and in the history view."""

    list_display = ("organisation", "sort_code_shown", "account_number_shown", "status", "entered_by",
                    "verified_by")
    list_filter = ("status",)
    readonly_fields = ("sort_code_shown", "account_number_shown")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "date", "decision_maker", "is_public")


@admin.register(GrantVariation)
class GrantVariationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "requested_by", "decided_by", "decision")
    list_filter = ("status",)


@admin.register(MonitoringReturn)
class MonitoringReturnAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "rag", "status", "received_on", "reviewed_by")
    list_filter = ("status", "rag", "quarter")


for model in (FundingLine, GrantCheck, Instalment, Payment, Clawback, VariationLine, OutcomeTarget, ReturnValue,
              AnnualReview):
    admin.site.register(model, ReadOnlyAdmin)
