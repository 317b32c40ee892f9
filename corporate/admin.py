"""The mapping is read-only in the admin, with its history: it changes only through ``corporate.mapping`` (the
pages), which records who changed it, why, and a business event."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from corporate.models import GLMapping


@admin.register(GLMapping)
class GLMappingAdmin(ReadOnlyAdmin):
    list_display = ("account", "fund", "cost_centre", "subjective")
    list_filter = ("fund",)
    search_fields = ("account__code", "cost_centre", "subjective")
