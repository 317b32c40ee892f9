"""Documents in the admin: read-only, and without the file itself (a link there would bypass the download's
checks and headers; files are fetched only through documents:download)."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from documents.models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    exclude = ("file",)
    list_display = ("original_name", "kind", "content_type", "object_id", "size", "uploaded_by", "uploaded_at",
                    "visible_to_provider", "withdrawn_at")
    list_filter = ("kind", "visible_to_provider")
