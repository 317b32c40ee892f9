"""Transparency pages.

- Public (no login, GET and HEAD only, a layout without the signed-in navigation): the transparency page and the
  published files, served from the stored bytes. An address with nothing public behind it answers 404 with the same
  page whatever the reason (never published, withdrawn, superseded, no such month), so nothing is revealed.
- Management (signed in): finance officers and finance directors see every publication and its history; only
  finance directors publish and withdraw (``transparency.publications`` checks it again).
"""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import public_page, role_required
from core.roles import FINANCE_DIRECTORS, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from funds.models import Period
from transparency import publications as services
from transparency.forms import PublishForm, WithdrawForm
from transparency.models import Publication
from transparency.selectors import (
    decision_log_rows,
    public_file,
    public_listing,
    public_slug,
    publication_history,
)


def _file_response(publication: Publication) -> HttpResponse:
    response = HttpResponse(bytes(publication.content), content_type=publication.content_type)
    response["Content-Disposition"] = f'attachment; filename="{publication.filename}"'
    response["X-Content-SHA256"] = publication.sha256
    return response


def _not_found(request) -> HttpResponse:
    return render(request, "transparency/public_404.html", status=404)


@public_page
def index(request):
    listing = public_listing()
    for record in listing.spending + listing.giving360:
        record.slug = public_slug(record)
    return render(request, "transparency/public.html", {"listing": listing})


@public_page
def spending_file(request, month):
    publication = public_file(kind=Publication.Kind.SPENDING, slug=month)
    return _file_response(publication) if publication else _not_found(request)


@public_page
def contracts_file(request):
    publication = public_file(kind=Publication.Kind.CONTRACTS)
    return _file_response(publication) if publication else _not_found(request)


@public_page
def decisions_file(request):
    publication = public_file(kind=Publication.Kind.DECISIONS)
    return _file_response(publication) if publication else _not_found(request)


@public_page
def decision_log(request):
    """The published decision log as a page (each decision has an anchor, ``#decision-042-2025``, which the
    360Giving package links to), read from the published file's bytes."""
    publication = public_file(kind=Publication.Kind.DECISIONS)
    if publication is None:
        return _not_found(request)
    return render(request, "transparency/decision_log.html",
                  {"publication": publication, "rows": decision_log_rows(publication)})


@public_page
def giving360_file(request, year):
    publication = public_file(kind=Publication.Kind.GIVING360, slug=year)
    return _file_response(publication) if publication else _not_found(request)


# --- management -----------------------------------------------------------------------------------------------


def _unpublished_months(public_keys: set[str]) -> list[Period]:
    """Months closed in the last year with no public spending file: what a finance director still has to publish."""
    today = timezone.localdate()
    periods = (Period.objects.filter(Period.MONTHS, is_closed=True, end_date__gte=today - timedelta(days=366))
               .select_related("year"))
    return [p for p in periods.order_by("-start_date")
            if f"{Publication.Kind.SPENDING}:{p.start_date:%Y-%m}" not in public_keys]


PUBLICATIONS = Listing("publications", (
    Column("file", "File", order="kind", value="title"),
    Column("status", "Status", order="status", value="get_status_display"),
    Column("published", "Published", order="published_at", value="published_at"),
    Column("published_by", "Published by", order="published_by__last_name", value=lambda p: person(p.published_by)),
    Column("rows", "Rows", order="rows", value="rows", num=True),
    Column("size", "Size (bytes)", order="size", value="size", num=True),
    Column("sha256", "SHA-256", value="sha256"),
    Column("stored", "Stored copy", order="filename", value="filename"),
    Column("withdrawn", "Withdrawn", order="withdrawn_at", value="withdrawn_at"),
    Column("withdrawal_reason", "Reason withdrawn", value="withdrawal_reason"),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def manage(request):
    table = PUBLICATIONS.table(request, publication_history(), per_page=None)
    if table.download:
        return table.response()
    history = table.rows
    public = [p for p in history if p.is_public]
    for record in public:
        record.slug = public_slug(record)
    return render(request, "transparency/manage.html", {
        "public": public,
        "history": history,
        "table": table,
        "unpublished_months": _unpublished_months({p.key for p in public}),
        "can_publish": has_role(request.user, *FINANCE_DIRECTORS),
    })


@role_required(*FINANCE_DIRECTORS)
def publish(request):
    initial = {key: request.GET[key] for key in ("kind", "month") if request.GET.get(key)}
    form = PublishForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        publication = call_service(form, services.publication_publish, by=request.user, **form.service_arguments())
        if publication:
            messages.success(request, f"{publication.title} is published: {publication.rows} rows, "
                                      f"SHA-256 {publication.sha256}.")
            return redirect("transparency:manage")
    back = reverse("transparency:manage")
    return render(request, "core/form_page.html", {
        "form": form, "title": "Publish a transparency file", "caption": "Transparency",
        "lead": "The file is produced now, from the ledger as it stands, and kept exactly as published with its "
                "SHA-256. Publishing a file that is already public replaces the public copy; the earlier copy is kept, "
                "marked superseded. Redactions (do-not-publish grants, individuals) are applied to every file.",
        "submit_label": "Publish", "back_url": back, "back_label": "the publications", "cancel_url": back,
    }, status=400 if form.errors else 200)


@role_required(*FINANCE_DIRECTORS)
def withdraw(request, pk):
    publication = get_object_or_404(Publication.objects.defer("content"), pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.publication_withdraw, publication=publication, by=request.user,
                            **form.cleaned_data)
        if done:
            messages.success(request, f"{done.title} is withdrawn from the public page; the record is kept.")
            return redirect("transparency:manage")
    back = reverse("transparency:manage")
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Withdraw {publication.title}", "caption": "Transparency",
        "lead": f"Published {timezone.localtime(publication.published_at):%d/%m/%Y %H:%M}. Withdrawing takes it off "
                "the public page at once (its address answers 'not found'); the record and its bytes are kept.",
        "submit_label": "Withdraw", "danger": True, "back_url": back, "back_label": "the publications",
        "cancel_url": back,
    }, status=400 if form.errors else 200)


@role_required(*OFFICERS_AND_DIRECTORS)
def manage_file(request, pk):
    """Any publication's stored bytes (superseded and withdrawn ones too), for the people who manage them."""
    return _file_response(get_object_or_404(Publication, pk=pk))
