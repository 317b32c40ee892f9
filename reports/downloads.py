"""Pages to download statements (any year, as at any date, as known at any past moment) and issued packs."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.background import PACK_ISSUE, background_start
from core.forms import apply_service_errors, call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import FINANCE_DIRECTOR, FINANCE_OFFICER, has_role
from core.templatetags.ringfence import person
from funds.selectors import current_year, year_by_start
from reports import exports, packs, signoff
from reports.forms import PackIssueForm, PackSignOffForm, StatementForm
from reports.models import IssuedPack, IssuedPackFile
from reports.registry import statement_classes

#: Finance directors read the statements; finance officers prepare and issue them.
STATEMENT_READERS = (FINANCE_DIRECTOR, FINANCE_OFFICER)


def attachment(filename: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(content))
    return response


def _with_statuses(packs):
    statuses = signoff.pack_statuses(packs)
    return [(pack, statuses[pack.pk]) for pack in packs]


def _signed(row) -> str:
    pack, status = row
    text = (f"Signed {status.sign_off.signed_by_name}, {status.sign_off.signed_at:%d/%m/%Y}" if status.sign_off
            else "Not signed off")
    return text + (f"; superseded by pack {status.superseded_by.pk}" if status.superseded_by else "")


PACKS = Listing("statement-packs", (  # rows are (pack, its sign-off status)
    Column("pack", "Pack", order="id", value=lambda r: f"Pack {r[0].pk}"),
    Column("month", "Month", order="as_at", value=lambda r: f"{r[0].as_at:%B %Y} ({r[0].year.label})"),
    Column("as_at", "As at", order="as_at", value=lambda r: r[0].as_at),
    Column("known_at", "Known at", order="known_at", value=lambda r: r[0].known_at),
    Column("issued", "Issued", order="issued_at", value=lambda r: r[0].issued_at),
    Column("issued_by", "Issued by", order="issued_by__last_name", value=lambda r: person(r[0].issued_by)),
    Column("sign_off", "Sign-off", value=_signed),
    Column("files", "Files", value=lambda r: ", ".join(f.filename for f in r[0].files.all())),
    Column("note", "Note", value=lambda r: r[0].note),
))


@role_required(*STATEMENT_READERS)
def downloads(request):
    year = current_year()
    initial = {"year": str(year.start_year) if year else "", "format": "xlsx"}
    data = request.GET if "format" in request.GET else None
    form = StatementForm(data, initial=initial, statements=statement_classes())
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        try:
            filename, content_type, content = exports.render(
                cleaned["format"],
                year=year_by_start(cleaned["year"]),
                as_at=cleaned["as_at"],
                known_at=cleaned["known_at"] or None,
                user=request.user,
                statement=cleaned["statement"] or None,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return attachment(filename, content_type, content)
    issue_form = PackIssueForm(today=timezone.localdate())
    table = PACKS.table(request, IssuedPack.objects.select_related("year", "issued_by").prefetch_related(
        Prefetch("files", queryset=IssuedPackFile.objects.defer("content"))), default=("-issued_at", "-id"),
        prepare=_with_statuses)
    if table.download:
        return table.response()
    return render(request, "reports/downloads.html", {
        "form": form, "issue_form": issue_form, "table": table, "page_obj": table.page_obj, "rows": table.rows,
    })


@role_required(*STATEMENT_READERS)
def pack_issue(request):
    """Issuing renders every statement in every format: it runs in the background (``core.background``), and the
    page sends the person to the job's page, which links to the pack once it is issued."""
    form = PackIssueForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        month = datetime.strptime(data["month"], "%Y-%m").date()
        started = background_start(kind=PACK_ISSUE, by=request.user, parameters={
            "month": data["month"], "month_label": f"{month:%B %Y}", "note": data["note"]})
        if started.already_queued:
            messages.info(request, f"The pack for {month:%B %Y} is already being issued (job {started.number}); "
                                   "nothing more was queued.")
        else:
            messages.success(request, f"The pack for {month:%B %Y} is queued as job {started.number}. This page "
                                      "shows its progress and then links to the pack.")
        return redirect(started.url)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Issue a statement pack",
            "submit_label": "Issue pack",
            "lead": "Produces every statement in Excel, PDF and CSV for a month that has ended, as known when it "
            "runs, and keeps the files with their SHA-256 so the pack can be shown and rebuilt exactly later. It "
            "runs in the background: you are taken to a page that follows it.",
        },
    )


@role_required(*STATEMENT_READERS)
def pack_detail(request, pk):
    pack = get_object_or_404(IssuedPack.objects.select_related("year", "issued_by"), pk=pk)
    previous = packs.pack_previous(pack)
    lines = packs.pack_movement(pack=pack, previous=previous)
    keys = [key for key, _ in packs.FIGURES]
    status = signoff.pack_statuses([pack])[pack.pk]
    return render(
        request,
        "reports/pack_detail.html",
        {
            "pack": pack,
            "status": status,
            "supersedes": signoff.pack_supersedes(pack),
            "pack_sha256": signoff.pack_digest(pack),
            "can_sign": has_role(request.user, FINANCE_DIRECTOR) and not status.sign_off and not status.superseded_by,
            "files": pack.files.defer("content"),
            "previous": previous,
            "headings": [label for _, label in packs.FIGURES],
            "current": [(line, [line.current[k] for k in keys]) for line in lines],
            "movement": [(line, [line.movement[k] for k in keys]) for line in lines],
        },
    )


@role_required(FINANCE_DIRECTOR)
def pack_sign_off(request, pk):
    pack = get_object_or_404(IssuedPack.objects.select_related("year"), pk=pk)
    form = PackSignOffForm(request.POST or None, initial={"statement": signoff.STATEMENT_OF_REVIEW})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, signoff.pack_sign_off, pack=pack, by=request.user,
                            statement=form.cleaned_data["statement"])
        if done:
            messages.success(request, f"Pack {pack.pk} signed off: SHA-256 {done.pack_sha256}.")
            return redirect("reports:pack_detail", pk=pack.pk)
    back = reverse("reports:pack_detail", args=[pack.pk])
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Sign off pack {pack.pk}",
        "caption": f"{signoff.month_label(pack)} · {pack.year.label}",
        "submit_label": "Sign off the pack", "back_url": back, "back_label": f"pack {pack.pk}", "cancel_url": back,
        "lead": f"The pack is rebuilt from its parameters first; it is signed off only if every file is the same. "
                f"Its SHA-256 is {signoff.pack_digest(pack)}.",
    })


@role_required(*STATEMENT_READERS)
def pack_file(request, pk, file_pk):
    stored = get_object_or_404(IssuedPackFile, pk=file_pk, pack_id=pk)
    return attachment(stored.filename, stored.content_type, bytes(stored.content))
