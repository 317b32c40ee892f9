"""Pages for correcting journals: the list, preparing one, and its page, where someone other than the preparer
approves (posts) or rejects it. Thin: the rules are ``ledger.corrections``'s, and its refusals are shown on the
form, with nothing written."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from ledger import corrections
from ledger.correction_forms import ApproveForm, CorrectingJournalForm, CorrectionLineFormSet, RejectForm
from ledger.models import CorrectingJournal


def _with_totals(journals):
    return [(journal, corrections.journal_totals(journal)) for journal in journals]


CORRECTIONS = Listing("correcting-journals", (  # rows are (journal, total)
    Column("journal", "Journal", order="id", value=lambda r: r[0].reference),
    Column("date", "Date", order="date", value=lambda r: r[0].date),
    Column("funds", "Funds", value=lambda r: ", ".join(sorted({line.fund.code for line in r[0].lines.all()}))),
    Column("reason", "Reason", order="reason", value=lambda r: r[0].reason),
    Column("amount", "Amount", value=lambda r: r[1], num=True),
    Column("status", "Status", order="status", value=lambda r: r[0].get_status_display()),
    Column("prepared_by", "Prepared by", order="prepared_by__last_name", value=lambda r: person(r[0].prepared_by)),
    Column("decided_by", "Decided by", order="decided_by__last_name",
           value=lambda r: person(r[0].decided_by) if r[0].decided_by else ""),
    Column("entry", "Entry", order="entry__number", value=lambda r: r[0].entry.reference if r[0].entry else ""),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def correction_list(request):
    table = CORRECTIONS.table(request, corrections.correcting_journals(), default=("-id",), prepare=_with_totals)
    if table.download:
        return table.response()
    return render(request, "ledger/correction_list.html",
                  {"table": table, "page_obj": table.page_obj, "rows": table.rows})


@role_required(*FINANCE_OFFICERS)
def correction_create(request):
    form = CorrectingJournalForm(request.POST or None)
    lines = CorrectionLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        journal = call_service(
            form,
            corrections.correcting_journal_prepare,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
            lines=lines.lines(),
            by=request.user,
        )
        if journal:
            messages.success(request, f"{journal.reference} prepared: someone else must approve it before it posts.")
            return redirect("ledger:correction_detail", pk=journal.pk)
    summary = form.error_summary() + (lines.error_summary() if lines.is_bound else [])
    return render(
        request,
        "ledger/correction_form.html",
        {"form": form, "lines": lines, "summary": summary, "cancel_url": reverse("ledger:correction_list")},
    )


def _detail(request, journal, *, approve_form=None, reject_form=None, status=200):
    pending = journal.status == CorrectingJournal.Status.PREPARED
    can_decide = pending and journal.prepared_by_id != request.user.pk and has_role(
        request.user, *OFFICERS_AND_DIRECTORS
    )
    context = {
        "journal": journal,
        "lines": list(journal.lines.select_related("account", "fund", "funding_year").order_by("id")),
        "effects": corrections.correcting_journal_effects(journal),
        "total": corrections.journal_totals(journal),
        "pending": pending,
        "can_decide": can_decide,
        "approve_form": approve_form or ApproveForm(prefix="approve"),
        "reject_form": reject_form or RejectForm(prefix="reject"),
    }
    return render(request, "ledger/correction_detail.html", context, status=status)


def _journal(pk):
    return get_object_or_404(corrections.correcting_journals(), pk=pk)


@role_required(*OFFICERS_AND_DIRECTORS)
def correction_detail(request, pk):
    return _detail(request, _journal(pk))


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def correction_approve(request, pk):
    journal = _journal(pk)
    form = ApproveForm(request.POST, prefix="approve")
    if form.is_valid():
        done = call_service(
            form, corrections.correcting_journal_approve, journal=journal, by=request.user,
            note=form.cleaned_data["note"],
        )
        if done:
            messages.success(request, f"{done.reference} approved and posted as entry {done.entry.reference}.")
            return redirect("ledger:correction_detail", pk=done.pk)
    return _detail(request, _journal(pk), approve_form=form)


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def correction_reject(request, pk):
    journal = _journal(pk)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        done = call_service(
            form, corrections.correcting_journal_reject, journal=journal, by=request.user,
            note=form.cleaned_data["note"],
        )
        if done:
            messages.success(request, f"{done.reference} rejected.")
            return redirect("ledger:correction_detail", pk=done.pk)
    return _detail(request, _journal(pk), reject_form=form)
