"""Thresholds and commentary are read-only in the admin, with their history: thresholds change only through
``monitoring.services.rag_threshold_set`` (finance directors, with a reason), commentary is added through
``commentary_record`` (finance officers), never changed."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from monitoring.models import BudgetCommentary, RagThreshold


@admin.register(RagThreshold)
class RagThresholdAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "amber_percent", "amber_amount", "red_percent", "red_amount", "set_by", "set_at")
    list_select_related = ("fund", "set_by")


@admin.register(BudgetCommentary)
class BudgetCommentaryAdmin(ReadOnlyAdmin):
    list_display = ("line", "period", "recorded_by", "recorded_at")
    list_filter = ("period__year",)
    list_select_related = ("line__fund", "line__year", "period__year", "recorded_by")
    search_fields = ("text", "line__heading", "line__fund__code")
