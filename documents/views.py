"""Downloading, attaching and withdrawing documents. Thin: the rules are in ``documents.services`` and
``documents.visibility``; a record a person may not see, or of a kind that takes no documents, is not found."""

from django.apps import apps
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from core.forms import call_service
from core.permissions import role_required
from core.roles import ALL_ROLES, FINANCE_OFFICERS
from documents.forms import AttachmentForm, WithdrawForm
from documents.models import Attachment
from documents.services import attachment_add, attachment_withdraw
from documents.sniffing import NEVER_SERVED
from documents.visibility import ATTACHABLE, is_office, may_see, may_see_attachment, record_url

#: Sent with every download: a file is never shown in the page, never sniffed, and runs nothing if opened.
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def _back(request, record) -> str:
    """Where to return: a ``next`` on this site (the portal's pages pass one), else the record's page."""
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return record_url(record)


def _attachment(request, pk) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    if not may_see_attachment(request.user, attachment):
        raise Http404("No such document.")
    return attachment


@role_required(*ALL_ROLES)
@require_safe
def download(request, pk):
    attachment = _attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except OSError:
        raise Http404("The document's file cannot be found in the store.") from None
    content_type = attachment.detected_type
    if content_type.split(";")[0].strip().lower() in NEVER_SERVED:
        content_type = "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(*ALL_ROLES)
def attach(request, app_label, model, pk):
    label = f"{app_label}.{model}".lower()
    if label not in ATTACHABLE:
        raise Http404("Documents cannot be attached here.")
    record = get_object_or_404(apps.get_model(app_label, model), pk=pk)
    if not may_see(request.user, record):
        raise Http404("No such record.")
    office = is_office(request.user)
    form = AttachmentForm(request.POST, request.FILES, office=office)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(form, attachment_add, record=record, upload=data["file"], kind=data["kind"],
                            by=request.user, visible_to_provider=data.get("visible_to_provider", False),
                            description=data["description"])
        if done:
            messages.success(request, f"{done.original_name} attached to {record}.")
            return redirect(_back(request, record))
    back = _back(request, record)
    return render(request, "core/form_page.html", {
        "form": form, "title": "Attach a document", "caption": str(record), "multipart": True,
        "lead": "Choose the file again: a refused file is not kept.", "submit_label": "Attach document",
        "back_url": back, "cancel_url": back,
    }, status=400)


@require_POST
@role_required(*FINANCE_OFFICERS)
def withdraw(request, pk):
    attachment = _attachment(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        done = call_service(form, attachment_withdraw, attachment=attachment, by=request.user,
                            reason=form.cleaned_data["reason"])
        if done:
            messages.success(request, f"{done.original_name} withdrawn. It is kept, marked withdrawn.")
            return redirect(_back(request, attachment.record))
    back = _back(request, attachment.record)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Withdraw {attachment.original_name}", "caption": str(attachment.record),
        "submit_label": "Withdraw document", "danger": True, "back_url": back, "cancel_url": back,
    }, status=400)
