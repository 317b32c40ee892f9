"""Pages for the corporate ledger: the mapping to the corporate chart (finance officers keep it, finance directors
may read it) and the monthly summary journal to download. Every rule is in ``corporate.mapping`` and
``corporate.journal``; these pages show what they say."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from corporate import mapping as services
from corporate.forms import MappingCreateForm, MappingDeleteForm, MappingUpdateForm, YearFilter
from corporate.journal import gl_journal, gl_journal_csv, gl_period, sha256
from corporate.models import GLMapping
from corporate.selectors import gl_months, mapping_coverage, mappings
from funds.selectors import current_year, year_by_start

MAPPINGS = Listing("corporate-mappings", (  # rows built in Python (selectors.mappings), sorted in Python
    Column("account", "Account", order=lambda m: m.account.code, value="account.code"),
    Column("account_name", "Account name", value="account.name"),
    Column("fund", "Fund", order=lambda m: m.fund.code if m.fund_id else "", value="fund_label"),
    Column("cost_centre", "Cost centre", order=lambda m: m.cost_centre, value="cost_centre"),
    Column("subjective", "Subjective", order=lambda m: m.subjective, value="subjective"),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def mapping_list(request):
    table = MAPPINGS.table(request, mappings(), per_page=None)
    if table.download:
        return table.response()
    coverage = mapping_coverage()
    return render(request, "corporate/mapping_list.html", {
        "coverage": coverage,
        "missing": [row for row in coverage if row.mapping is None],
        "table": table,
        "mappings": table.rows,
        "can_edit": has_role(request.user, *FINANCE_OFFICERS),
    })


def _form_page(request, form, *, title, lead, submit_label, danger=False, status=200):
    back = reverse("corporate:mapping_list")
    return render(request, "core/form_page.html", {
        "form": form, "title": title, "caption": "Corporate ledger mapping", "lead": lead,
        "submit_label": submit_label, "back_url": back, "back_label": "the mapping", "cancel_url": back,
        "danger": danger,
    }, status=status)


@role_required(*FINANCE_OFFICERS)
def mapping_create(request):
    initial = {key: request.GET[key] for key in ("account", "fund") if request.GET.get(key, "").isdigit()}
    form = MappingCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        mapping = call_service(form, services.mapping_create, by=request.user, **form.cleaned_data)
        if mapping:
            messages.success(request, f"Mapped {mapping.account} on {mapping.fund_label} to {mapping.target}.")
            return redirect("corporate:mapping_list")
    return _form_page(
        request, form, title="Add a corporate ledger mapping", submit_label="Add mapping",
        lead="Postings on the account (for the fund chosen, or for every fund without a mapping of its own) go to "
             "this cost centre and subjective code in the monthly journal for the corporate ledger.",
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE_OFFICERS)
def mapping_update(request, pk):
    mapping = get_object_or_404(GLMapping.objects.select_related("account", "fund"), pk=pk)
    form = MappingUpdateForm(request.POST or None,
                             initial={"cost_centre": mapping.cost_centre, "subjective": mapping.subjective})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.mapping_update, mapping=mapping, by=request.user, **form.cleaned_data)
        if done:
            messages.success(request, f"{done.account} on {done.fund_label} now goes to {done.target}.")
            return redirect("corporate:mapping_list")
    return _form_page(
        request, form, title=f"Change the mapping of {mapping.account} on {mapping.fund_label}",
        submit_label="Save mapping",
        lead=f"Now {mapping.target}. The new codes apply to every journal made from now on, including a closed "
             "month's journal downloaded again.",
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE_OFFICERS)
def mapping_delete(request, pk):
    mapping = get_object_or_404(GLMapping.objects.select_related("account", "fund"), pk=pk)
    form = MappingDeleteForm(request.POST or None)
    described = f"{mapping.account} on {mapping.fund_label} ({mapping.target})"
    if request.method == "POST" and form.is_valid():
        call_service(form, services.mapping_delete, mapping=mapping, by=request.user, **form.cleaned_data)
        if not form.errors:
            messages.success(request, f"The mapping of {described} is removed; the reason is kept in its history.")
            return redirect("corporate:mapping_list")
    return _form_page(
        request, form, title=f"Remove the mapping of {mapping.account} on {mapping.fund_label}",
        submit_label="Remove mapping", danger=True,
        lead=f"{described}. Postings it covers fall back to the account's all-funds mapping, or the journal is "
             "refused, naming them, until they are mapped again.",
        status=400 if form.errors else 200,
    )


def _month_status(month) -> str:
    if month.journal:
        return "Ready"
    return f"{'Not mapped' if month.period.is_closed else 'Open'}: {month.refusal}"


GL_MONTHS = Listing("corporate-journals", (  # rows built in Python (selectors.gl_months), sorted in Python
    Column("period", "Period", order=lambda m: m.period.number, value=lambda m: f"P{m.period.number}"),
    Column("month", "Month", order=lambda m: m.period.start_date, value=lambda m: f"{m.period.start_date:%B %Y}"),
    Column("journal", "Journal", value=lambda m: m.journal.reference if m.journal else ""),
    Column("lines", "Lines", order=lambda m: m.journal.line_count if m.journal else None,
           value=lambda m: m.journal.line_count if m.journal else None, num=True),
    Column("total", "Control total", order=lambda m: m.journal.control_total if m.journal else None,
           value=lambda m: m.journal.control_total if m.journal else None, num=True),
    Column("status", "Status", value=_month_status),
    Column("sha256", "SHA-256", value="sha256"),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def journal_list(request):
    filters = YearFilter(request.GET)
    year = year_by_start(filters.value("year")) or current_year()
    table = GL_MONTHS.table(request, gl_months(year=year) if year else [], per_page=None)
    if table.download:
        return table.response()
    return render(request, "corporate/journal_list.html", {
        "filters": filters,
        "year": year,
        "table": table,
        "months": table.rows,
    })


@role_required(*OFFICERS_AND_DIRECTORS)
def journal_download(request, year, month):
    try:
        period = gl_period(f"{year:04d}-{month:02d}")
    except ValidationError:
        raise Http404("No such month in Ringfence.")
    try:
        journal = gl_journal(period=period)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('corporate:journal_list')}?year={period.year.start_year}")
    data = gl_journal_csv(journal)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journal.filename}"'
    response["X-Content-SHA256"] = sha256(data)
    return response
