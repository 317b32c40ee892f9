"""Pages for budgets, virements, forecasts and the financial calendar. Thin: they read through selectors,
write through funds.budgets / funds.calendar, and show refusals next to the field at fault.

The fund-position pages (``funds:list``, ``funds:detail``) read the ledger, so they live in ``ledger.views``: funds
imports nothing to its right (core <- funds <- ledger <- income <- grants <- yearend <- reports <- demo)."""

from django.contrib import messages
from django.db.models import DecimalField, ExpressionWrapper, F
from django.shortcuts import get_list_or_404, get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.redirects import redirect_back
from core.roles import (
    COMMISSIONERS_AND_DIRECTORS,
    EVERY_ROLE,
    FINANCE_DIRECTOR,
    FINANCE_DIRECTORS,
    FINANCE_OFFICER,
    FINANCE_OFFICERS,
    has_role,
)
from core.templatetags.ringfence import person
from funds import budgets, calendar
from funds.forms import (
    VIREMENT_STATUS_CHOICES,
    BudgetLineForm,
    DecisionForm,
    ForecastForm,
    PeriodCloseForm,
    PeriodReopenForm,
    VirementForm,
    YearFundFilter,
)
from funds.models import BudgetLine, FinancialYear, Period, Virement
from funds.selectors import budget_lines, budget_rows, current_year, virements, year_by_start

CLOSERS = (FINANCE_OFFICER, FINANCE_DIRECTOR)


def _year(filters) -> FinancialYear | None:
    return year_by_start(filters.value("year"))


# ---- Budgets and forecasts ------------------------------------------------------------------------------------


def _variance(part):
    return lambda row: getattr(row.forecast_variance, part) if row.forecast_variance else None


REVISED = ExpressionWrapper(F("original") + F("moved_in") - F("moved_out"), output_field=DecimalField())
BUDGETS = Listing("budgets", (
    Column("fund", "Fund", order="fund__code", value="line.fund.code"),
    Column("year", "Year", order="year__start_year", value="line.year.label"),
    Column("heading", "Heading", order="heading", value="line.heading"),
    Column("original", "Original", order="original", num=True),
    Column("in", "Virements in", order="moved_in", value="virements_in", num=True),
    Column("out", "Virements out", order="moved_out", value="virements_out", num=True),
    Column("revised", "Revised", order=REVISED, num=True),
    Column("forecast", "Forecast outturn", order="latest_forecast", num=True),
    Column("variance", "Forecast variance", value=_variance("amount"), num=True),
    Column("percent", "Variance %", value=_variance("percent"), num=True),
))


@role_required(*EVERY_ROLE)
def budget_list(request):
    filters = YearFundFilter(request.GET, search_label="Search headings")
    qs = BudgetLine.objects.all()
    if year := _year(filters):
        qs = qs.filter(year=year)
    if code := filters.value("fund"):
        qs = qs.filter(fund__code=code)
    if text := filters.value("q"):
        qs = qs.filter(heading__icontains=text)
    table = BUDGETS.table(request, budget_lines(qs), default=("year__start_year", "fund__code", "heading"),
                          prepare=budget_rows)
    if table.download:
        return table.response()
    return render(
        request,
        "funds/budget_list.html",
        {"filters": filters, "table": table, "rows": table.rows, "page_obj": table.page_obj, "year": year},
    )


@role_required(*FINANCE_OFFICERS)
def budget_create(request):
    year = current_year()
    form = BudgetLineForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        line = call_service(
            form,
            budgets.budget_line_create,
            by=request.user,
            fund=form.cleaned_data["fund"],
            year=form.cleaned_data["year"],
            heading=form.cleaned_data["heading"],
            amount=form.cleaned_data["amount"],
            phasing=form.cleaned_data["phasing"],
        )
        if line:
            messages.success(request, f"Budget line '{line.heading}' set for {line.fund.code} {line.year.label}.")
            return redirect("funds:budget_detail", pk=line.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Add a budget line",
            "submit_label": "Set budget",
            "cancel_url": reverse("funds:budget_list"),
            "lead": "The original budget is fixed once set: later changes are virements, and forecasts sit beside it.",
        },
    )


@role_required(*EVERY_ROLE)
def budget_detail(request, pk):
    (row,) = budget_rows(get_list_or_404(budget_lines(BudgetLine.objects.filter(pk=pk))))
    line = row.line
    return render(
        request,
        "funds/budget_detail.html",
        {
            "row": row,
            "line": line,
            "phases": line.phases.all(),
            "moves": virements(Virement.objects.filter(from_line=line) | Virement.objects.filter(to_line=line)),
            "forecasts": line.forecasts.select_related("made_by").order_by("-made_on", "-id"),
        },
    )


@role_required(*FINANCE_OFFICERS)
def forecast_create(request, pk):
    line = get_object_or_404(BudgetLine.objects.select_related("fund", "year"), pk=pk)
    form = ForecastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        forecast = call_service(
            form,
            budgets.forecast_record,
            line=line,
            by=request.user,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
            made_on=form.cleaned_data["made_on"],
        )
        if forecast:
            messages.success(request, f"Forecast outturn recorded for {line.heading}.")
            return redirect("funds:budget_detail", pk=line.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record a forecast outturn",
            "caption": f"{line.fund.code} {line.year.label} · {line.heading}",
            "submit_label": "Record forecast",
            "cancel_url": reverse("funds:budget_detail", args=[line.pk]),
            "lead": "A new forecast is added beside the earlier ones; none is overwritten.",
        },
    )


# ---- Virements ------------------------------------------------------------------------------------------------


VIREMENTS = Listing("virements", (
    Column("requested", "Requested", order="requested_at", value="requested_at"),
    Column("fund", "Fund", order="from_line__fund__code",
           value=lambda v: f"{v.from_line.fund.code} {v.from_line.year.label}"),
    Column("from", "From", order="from_line__heading", value="from_line.heading"),
    Column("to", "To", order="to_line__heading", value="to_line.heading"),
    Column("amount", "Amount", order="amount", value="amount.amount", num=True),
    Column("status", "Status", order="status", value="get_status_display"),
    Column("requested_by", "Requested by", order="requested_by__last_name", value=lambda v: person(v.requested_by)),
    Column("decided_by", "Decided by", order="decided_by__last_name",
           value=lambda v: person(v.decided_by) if v.decided_by else ""),
    Column("reason", "Reason", value="reason"),
))


@role_required(*EVERY_ROLE)
def virement_list(request):
    filters = YearFundFilter(
        request.GET, status_choices=VIREMENT_STATUS_CHOICES, all_years=True, search_label="Search reasons"
    )
    qs = Virement.objects.all()
    if year := _year(filters):
        qs = qs.filter(from_line__year=year)
    if code := filters.value("fund"):
        qs = qs.filter(from_line__fund__code=code)
    if status := filters.value("status"):
        qs = qs.filter(status=status)
    if text := filters.value("q"):
        qs = qs.filter(reason__icontains=text)
    table = VIREMENTS.table(request, virements(qs), default=("-requested_at", "-id"))
    if table.download:
        return table.response()
    return render(request, "funds/virement_list.html",
                  {"filters": filters, "table": table, "page_obj": table.page_obj})


@role_required(*FINANCE_OFFICERS)
def virement_create(request):
    # Lines of every year that still has an open month: a virement can still be made there.
    open_years = Period.objects.filter(is_closed=False).values("year_id")
    lines_qs = budget_lines(BudgetLine.objects.filter(year_id__in=open_years)).order_by(
        "fund__code", "year__start_year", "heading"
    )
    form = VirementForm(request.POST or None, lines_qs=lines_qs, initial={"from_line": request.GET.get("from_line")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        virement = call_service(
            form,
            budgets.virement_request,
            by=request.user,
            from_line=data["from_line"],
            to_line=data["to_line"],
            amount=data["amount"],
            reason=data["reason"],
        )
        if virement:
            messages.success(request, f"{virement}. {virement.decision_note}")
            return redirect("funds:virement_detail", pk=virement.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Request a virement",
            "submit_label": "Request virement",
            "cancel_url": reverse("funds:virement_list"),
            "lead": (
                "Move budget between two lines of the same fund and year. " + budgets.VIREMENT_RULE
            ),
        },
    )


def _virement_context(virement):
    rows = {
        row.line.pk: row
        for row in budget_rows(
            budget_lines(BudgetLine.objects.filter(pk__in=[virement.from_line_id, virement.to_line_id]))
        )
    }
    amount = virement.amount.amount
    pending = virement.status == Virement.Status.REQUESTED
    from_row, to_row = rows[virement.from_line_id], rows[virement.to_line_id]
    return {
        "virement": virement,
        "from_row": from_row,
        "to_row": to_row,
        "pending": pending,
        "from_after": from_row.revised - amount if pending else from_row.revised,
        "to_after": to_row.revised + amount if pending else to_row.revised,
    }


@role_required(*EVERY_ROLE)
def virement_detail(request, pk):
    virement = get_object_or_404(virements(), pk=pk)
    context = _virement_context(virement)
    context["can_decide"] = (
        context["pending"]
        and has_role(request.user, *COMMISSIONERS_AND_DIRECTORS)
        and virement.requested_by_id != request.user.pk
    )
    context["form"] = DecisionForm() if context["can_decide"] else None
    return render(request, "funds/virement_detail.html", context)


@role_required(*COMMISSIONERS_AND_DIRECTORS)
def virement_decide(request, pk):
    virement = get_object_or_404(virements(), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        decided = call_service(
            form,
            budgets.virement_decide,
            field_map={"note": "note"},
            virement=virement,
            approve=approve,
            by=request.user,
            note=form.cleaned_data["note"],
        )
        if decided:
            messages.success(request, f"{decided}: {decided.get_status_display().lower()}.")
            return redirect_back(request, reverse("funds:virement_detail", args=[decided.pk]))
    context = _virement_context(virement)
    context.update(form=form, can_decide=True)
    return render(request, "funds/virement_detail.html", context)


# ---- Financial calendar ----------------------------------------------------------------------------------------


def _period_name(p) -> str:
    return "P13 year-end adjustments" if p.is_adjustments else f"P{p.number} (Q{p.quarter})"


PERIODS = Listing("periods", (
    Column("period", "Period", order="number", value=_period_name),
    Column("month", "Month", order="start_date", value=lambda p: "" if p.is_adjustments else f"{p.start_date:%B %Y}"),
    Column("start", "Starts", order="start_date", value="start_date"),
    Column("end", "Ends", order="end_date", value="end_date"),
    Column("status", "Status", order="is_closed", value=lambda p: "Closed" if p.is_closed else "Open"),
    Column("closed_by", "Closed by", order="closed_by__last_name",
           value=lambda p: person(p.closed_by) if p.is_closed else ""),
    Column("closed_at", "Closed at", order="closed_at", value=lambda p: p.closed_at if p.is_closed else None),
))


@role_required(*CLOSERS)
def period_list(request):
    filters = YearFundFilter(request.GET)
    del filters.fields["fund"], filters.fields["q"]
    year = _year(filters) or current_year()
    table = PERIODS.table(request, Period.objects.filter(year=year).select_related("closed_by") if year
                          else Period.objects.none(), default=("number",), per_page=None)
    if table.download:
        return table.response()
    periods = table.rows
    return render(
        request,
        "funds/period_list.html",
        {
            "filters": filters,
            "year": year,
            "periods": periods,
            "table": table,
            "can_reopen": has_role(request.user, *FINANCE_DIRECTORS),
            "next_to_close": calendar.period_next_to_close(),
            "last_closed": calendar.period_last_closed(),
        },
    )


@role_required(*CLOSERS)
def period_close(request, pk):
    period = get_object_or_404(Period.objects.select_related("year"), pk=pk)
    form = PeriodCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            calendar.period_close,
            period=period,
            by=request.user,
            reason=form.cleaned_data["reason"] or "Month-end close",
        )
        if done:
            messages.success(request, f"{done} is closed. Nothing more can be posted into it.")
            return redirect(f"{reverse('funds:period_list')}?year={period.year.start_year}")
    return render(request, "funds/period_confirm.html", {"form": form, "period": period, "action": "close"})


@role_required(*FINANCE_DIRECTORS)
def period_reopen(request, pk):
    period = get_object_or_404(Period.objects.select_related("year"), pk=pk)
    form = PeriodReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form, calendar.period_reopen, period=period, by=request.user, reason=form.cleaned_data["reason"]
        )
        if done:
            messages.success(request, f"{done} is open again. The reason is kept in its history.")
            return redirect(f"{reverse('funds:period_list')}?year={period.year.start_year}")
    return render(request, "funds/period_confirm.html", {"form": form, "period": period, "action": "reopen"})
