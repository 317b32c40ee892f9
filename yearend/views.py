"""Year-end pages: the checklist and plan of each year, the run (finance directors), manual accruals and repayments
to funders (finance officers). Every rule is in ``yearend.services``; these pages show what it says."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.background import YEAR_END, background_start
from core.forms import call_service
from core.listing import Column, Listing
from core.money import ZERO, format_gbp
from core.permissions import role_required
from core.roles import FINANCE_DIRECTORS, FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from funds.models import FinancialYear, Fund
from ledger.reversals import reversal_refusal
from yearend import services
from yearend.forms import FunderRepaymentForm, ManualAccrualForm, ReverseForm, YearEndRunForm
from yearend.models import FunderRepayment, ManualAccrual


def _year(start_year: int) -> FinancialYear:
    return get_object_or_404(FinancialYear, start_year=start_year)


YEARS = Listing("year-ends", (
    Column("year", "Year", order="start_year", value="label"),
    Column("done", "Year end", order="year_end_at", value=lambda y: "Done" if y.is_year_ended else "Not yet"),
    Column("at", "Year end run", order="year_end_at", value=lambda y: y.year_end_at if y.is_year_ended else None),
    Column("by", "Run by", order="year_end_by__last_name",
           value=lambda y: person(y.year_end_by) if y.is_year_ended else ""),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def year_end_index(request):
    table = YEARS.table(request, FinancialYear.objects.select_related("year_end_by"), default=("-start_year",),
                        per_page=None)
    if table.download:
        return table.response()
    years = table.rows
    owed = [(year, fund, amount) for year in years if year.is_year_ended
            for fund, amount in services.owed_to_funders(year=year)]
    return render(request, "yearend/index.html", {"years": years, "owed": owed, "table": table})


@role_required(*OFFICERS_AND_DIRECTORS)
def year_end_year(request, start_year):
    year = _year(start_year)
    return render(request, "yearend/year.html", _year_context(request, year, YearEndRunForm()))


def _year_context(request, year, form):
    plan = services.year_end_plan(year=year, by=request.user if has_role(request.user, *FINANCE_DIRECTORS) else None)
    repayments = list(FunderRepayment.objects.filter(year=year).select_related("fund", "entry__year", "reversal__year"))
    accruals = list(ManualAccrual.objects.filter(year=year).select_related("fund", "recorded_by", "entry__year"))
    totals = {
        "available": sum((r.available for r in plan.funds), ZERO),
        "grant_accrued": sum((r.grant_accrued for r in plan.funds), ZERO),
        "manual_accrued": sum((r.manual_accrued for r in plan.funds), ZERO),
        "to_return": sum((r.to_return for r in plan.funds), ZERO),
        "to_carry": sum((r.to_carry for r in plan.funds), ZERO),
        "to_lapse": sum((r.to_lapse for r in plan.funds), ZERO),
    }
    return {
        "year": year,
        "plan": plan,
        "totals": totals,
        "form": form,
        "can_run": has_role(request.user, *FINANCE_DIRECTORS) and plan.ready,
        "is_director": has_role(request.user, *FINANCE_DIRECTORS),
        "is_officer": has_role(request.user, *FINANCE_OFFICERS),
        "owed": services.owed_to_funders(year=year) if year.is_year_ended else [],
        "repayments": [(r, reversal_refusal(r, what="repayment to a funder", of_year_end=True)) for r in repayments],
        "accruals": accruals,
        "reversal_count": sum(e.kind in ("accrual", "manual_accrual") for e in plan.entries),
    }


@require_POST
@role_required(*FINANCE_DIRECTORS)
def year_end_run_view(request, start_year):
    """The year end posts every fund's entries: it runs in the background (``core.background``). A checklist that
    is not met is refused here at once, in the plan's own words; the service checks everything again when it runs."""
    year = _year(start_year)
    form = YearEndRunForm(request.POST)
    if form.is_valid():
        plan = services.year_end_plan(year=year, by=request.user)
        if plan.done:
            form.add_error(None, f"{year.label} has already been through its year end; nothing more is posted.")
        elif not plan.ready:
            form.add_error(None, plan.refusal())
        else:
            started = background_start(kind=YEAR_END, by=request.user, parameters={
                "start_year": year.start_year, "year_label": year.label})
            if started.already_queued:
                messages.info(request, f"The year end of {year.label} is already queued or running (job "
                                       f"{started.number}); nothing more was queued.")
            else:
                messages.success(request, f"The year end of {year.label} is queued as job {started.number}. This "
                                          "page shows its progress and then its result.")
            return redirect(started.url)
    return render(request, "yearend/year.html", _year_context(request, year, form), status=400)


@role_required(*FINANCE_OFFICERS)
def accrual_create(request, start_year):
    year = _year(start_year)
    form = ManualAccrualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accrual = call_service(form, services.manual_accrual_record, field_map={"year": "__all__"}, year=year,
                               by=request.user, **form.cleaned_data)
        if accrual:
            messages.success(request, f"{accrual} recorded: {format_gbp(accrual.amount.amount)} will be accrued "
                                      f"at the year end of {year.label}.")
            return redirect("yearend:year", start_year=year.start_year)
    back = reverse("yearend:year", args=[year.start_year])
    not_yet = services.accrual_year_refusal(year, timezone.localdate())
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record an accrual for {year.label}", "caption": "Year end",
        "lead": (f"{not_yet} " if not_yet else "") + (
                 f"Spending that belongs to {year.label} and is not yet paid, which no grant instalment covers "
                 "(instalments delivered and unpaid are accrued by the year end itself). It is posted at the year "
                 f"end, dated {year.end_date:%d/%m/%Y} in the adjustments period, and reversed at the start of "
                 "the next year."),
        "submit_label": "Record accrual", "back_url": back, "cancel_url": back,
    })


@require_POST
@role_required(*FINANCE_OFFICERS)
def accrual_withdraw(request, pk):
    accrual = get_object_or_404(ManualAccrual.objects.select_related("year"), pk=pk)
    start_year = accrual.year.start_year
    form = ReverseForm(request.POST)
    if form.is_valid():
        described = str(accrual)
        call_service(form, services.manual_accrual_withdraw, accrual=accrual, by=request.user,
                     reason=form.cleaned_data["reason"])
        if not form.errors:
            messages.success(request, f"{described} withdrawn; the reason is kept in its history.")
            return redirect("yearend:year", start_year=start_year)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("yearend:year", start_year=start_year)


@role_required(*FINANCE_OFFICERS)
def repayment_create(request, start_year, fund_pk):
    year = _year(start_year)
    fund = get_object_or_404(Fund, pk=fund_pk)
    form = FunderRepaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        repayment = call_service(form, services.funder_repayment_record, fund=fund, year=year, by=request.user,
                                 **form.cleaned_data)
        if repayment:
            messages.success(request, f"{repayment} recorded and posted as entry {repayment.entry.reference}.")
            return redirect("yearend:year", start_year=year.start_year)
    back = reverse("yearend:year", args=[year.start_year])
    owed = services.funder_owed(fund=fund, year=year)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record a repayment to {fund.funder}", "caption": f"{fund.code} {year.label}",
        "lead": f"{format_gbp(owed)} of unspent {year.label} grant is owed to {fund.funder} on {fund.code}.",
        "submit_label": "Record repayment", "back_url": back, "cancel_url": back,
    })


@require_POST
@role_required(*FINANCE_OFFICERS)
def repayment_reverse(request, pk):
    repayment = get_object_or_404(FunderRepayment.objects.select_related("year"), pk=pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        entry = call_service(form, services.funder_repayment_reverse, repayment=repayment, by=request.user,
                             reason=form.cleaned_data["reason"])
        if entry:
            messages.success(request, f"{repayment} reversed by entry {entry.reference}.")
            return redirect("yearend:year", start_year=repayment.year.start_year)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("yearend:year", start_year=repayment.year.start_year)
