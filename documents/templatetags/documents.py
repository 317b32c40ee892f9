"""``{% include "documents/_attachments.html" with record=grant %}`` loads what it shows through ``documents_of``:
the record's documents the person may see, and whether they may add or withdraw, so no view changes for it."""

from django import template

from core.roles import FINANCE_OFFICERS, has_role
from documents.forms import AttachmentForm
from documents.selectors import attachments_for
from documents.services import max_bytes, megabytes
from documents.visibility import is_attachable, is_office, label_of, may_attach

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_of(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    if record is None or not is_attachable(record) or user is None:
        return {"shown": False}
    app_label, model = label_of(record).split(".")
    office = is_office(user)
    return {
        "shown": True,
        "rows": attachments_for(record, user=user),
        "prefix": f"doc-{app_label}-{model}-{record.pk}",
        "app_label": app_label, "model": model, "pk": record.pk,
        "may_attach": may_attach(user, record),
        "may_withdraw": has_role(user, *FINANCE_OFFICERS),
        "office": office,
        "limit_mb": megabytes(max_bytes()),
        "kinds": AttachmentForm(office=office).fields["kind"].choices,
        "next": request.get_full_path() if request is not None else "",
    }


@register.filter
def file_size(size) -> str:
    """1.2 MB, 340 KB, 12 bytes."""
    size = int(size or 0)
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} bytes"
