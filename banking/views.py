"""Bank reconciliation pages: the statements by month, importing one, matching, the reconciliation and its
sign-off, and the report. Finance officers import, match and sign off; finance directors read, download and sign
off. Every rule is in the services (``banking.statements``, ``banking.matching``, ``banking.reconciliation``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from banking import report
from banking.forms import ReasonForm, StatementImportForm
from banking.matching import match_confirm, match_confirm_all, match_suggestions, match_undo
from banking.models import BankStatement, BankStatementLine, Match
from banking.reconciliation import reconciliation, reconciliation_sign_off, sign_off_refusal
from banking.statement_files import COLUMNS, OPTIONAL_COLUMNS
from banking.statements import bank_statement_import, bank_statement_withdraw, latest_statement, next_month
from core.forms import call_service
from core.listing import Column, Listing
from core.money import format_gbp
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from ledger.models import JournalEntry

READERS = OFFICERS_AND_DIRECTORS


def _statement(pk) -> BankStatement:
    return get_object_or_404(
        BankStatement.objects.select_related("period__year", "imported_by", "reconciled_by", "withdrawn_by"), pk=pk)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _status(statement) -> str:
    if statement.is_withdrawn:
        return "Withdrawn"
    return "Reconciled" if statement.is_reconciled else "Not signed off"


STATEMENTS = Listing("bank-statements", (
    Column("month", "Month", order="period__start_date", value="month_name"),
    Column("period", "Period", order="period__start_date",
           value=lambda s: f"{s.period.year.label} P{s.period.number}"),
    Column("opening", "Opening balance", order="opening_balance", value="opening_balance.amount", num=True),
    Column("closing", "Closing balance", order="closing_balance", value="closing_balance.amount", num=True),
    Column("file", "File", order="file_name", value="file_name"),
    Column("imported", "Imported", order="imported_at", value="imported_at"),
    Column("imported_by", "Imported by", order="imported_by__last_name", value=lambda s: person(s.imported_by)),
    Column("status", "Status", value=_status),
    Column("reconciled", "Reconciled", order="reconciled_at", value="reconciled_at"),
    Column("reconciled_by", "Reconciled by", order="reconciled_by__last_name",
           value=lambda s: person(s.reconciled_by) if s.reconciled_by else ""),
))


@role_required(*READERS)
def statement_list(request):
    table = STATEMENTS.table(request, BankStatement.objects.select_related("period__year", "imported_by",
                                                                            "reconciled_by"),
                             default=("-period__start_date", "-id"), per_page=None)
    if table.download:
        return table.response()
    return render(request, "banking/index.html", {
        "table": table, "statements": table.rows, "is_officer": has_role(request.user, *FINANCE_OFFICERS)})


@role_required(*FINANCE_OFFICERS)
def statement_import(request):
    latest = latest_statement()
    initial = {}
    if latest is not None:
        following = next_month(latest)
        initial = {"period": following.pk if following else None,
                   "opening_balance": f"{latest.closing_balance.amount:.2f}"}
    form = StatementImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        statement = call_service(
            form, bank_statement_import, period=form.cleaned_data["period"], content=upload.read(),
            filename=upload.name, opening_balance=form.cleaned_data["opening_balance"],
            closing_balance=form.cleaned_data["closing_balance"], by=request.user)
        if statement:
            messages.success(request, f"{statement} imported: {statement.lines.count()} lines. Check the suggested "
                                      "matches below.")
            return redirect("banking:statement", pk=statement.pk)
    back = reverse("banking:index")
    return render(request, "banking/import.html", {
        "form": form, "title": "Import a bank statement", "caption": "Bank reconciliation", "multipart": True,
        "submit_label": "Import the statement", "back_url": back, "cancel_url": back,
        "columns": COLUMNS, "optional_columns": OPTIONAL_COLUMNS,
        "lead": "The bank's statement for one month, as a CSV file. The file is taken whole or not at all: every "
                "row with a problem is named, and nothing is written until the whole file is right.",
    })


@role_required(*READERS)
def statement_detail(request, pk):
    statement = _statement(pk)
    is_officer = has_role(request.user, *FINANCE_OFFICERS)
    result = reconciliation(statement)
    open_for_matching = not statement.is_reconciled and not statement.is_withdrawn
    return render(request, "banking/statement.html", {
        "statement": statement,
        "result": result,
        "lines": list(statement.lines.all()),
        "suggestions": match_suggestions(statement) if open_for_matching else [],
        "can_match": is_officer and open_for_matching,
        "sign_off_refusal": sign_off_refusal(statement, request.user),
        "is_officer": is_officer,
    })


@require_POST
@role_required(*FINANCE_OFFICERS)
def match_confirm_view(request, pk):
    statement = _statement(pk)
    lines = list(BankStatementLine.objects.filter(pk__in=_ids(request.POST.getlist("line"))))
    entries = list(JournalEntry.objects.filter(pk__in=_ids(request.POST.getlist("entry"))).select_related("year"))
    try:
        match = match_confirm(statement=statement, lines=lines, entries=entries, by=request.user,
                              rule=request.POST.get("rule", "")[:60])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Matched {format_gbp(match.amount.amount)}: {match.summary}.")
    return redirect("banking:statement", pk=statement.pk)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@require_POST
@role_required(*FINANCE_OFFICERS)
def match_confirm_all_view(request, pk):
    statement = _statement(pk)
    try:
        matches = match_confirm_all(statement=statement, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{len(matches)} suggested match{'es' if len(matches) != 1 else ''} confirmed.")
    return redirect("banking:statement", pk=statement.pk)


@require_POST
@role_required(*FINANCE_OFFICERS)
def match_undo_view(request, pk):
    match = get_object_or_404(Match, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            match_undo(match=match, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, f"Match {match.pk} undone; its lines and items are unmatched again.")
    else:
        messages.error(request, "Say why the match is being undone.")
    return redirect("banking:statement", pk=match.statement_id)


@require_POST
@role_required(*READERS)
def sign_off_view(request, pk):
    statement = _statement(pk)
    try:
        reconciliation_sign_off(statement=statement, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{statement} signed off as reconciled. Its matches are now frozen.")
    return redirect("banking:statement", pk=statement.pk)


@require_POST
@role_required(*FINANCE_OFFICERS)
def withdraw_view(request, pk):
    statement = _statement(pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            bank_statement_withdraw(statement=statement, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, f"{statement} withdrawn; import the right file for {statement.month_name}.")
            return redirect("banking:index")
    else:
        messages.error(request, "Say why the statement is being withdrawn.")
    return redirect("banking:statement", pk=statement.pk)


def _download(result, extension: str, content_type: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, report.filename(result, extension))
    response["Content-Length"] = str(len(content))
    return response


@role_required(*READERS)
def report_xlsx(request, pk):
    result = reconciliation(_statement(pk))
    return _download(result, "xlsx", report.XLSX, report.xlsx(result))


@role_required(*READERS)
def report_pdf(request, pk):
    result = reconciliation(_statement(pk))
    return _download(result, "pdf", report.PDF, report.pdf(result))
