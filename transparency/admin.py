"""Publications are read-only in the admin, with their history: they are published and withdrawn only through
``transparency.publications`` (the management page), which checks that a finance director does it and records why."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from transparency.models import Publication


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("key", "status", "filename", "size", "published_by", "published_at")
    list_filter = ("kind", "status")
    search_fields = ("key", "filename", "sha256")
    exclude = ("content",)
