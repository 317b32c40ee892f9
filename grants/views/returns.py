"""Monitoring returns: recording a provider's quarterly return, accepting it or sending it back."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import COMMISSIONER, EVERY_ROLE, FINANCE_OFFICER, FINANCE_OFFICERS, has_role
from funds.models import FinancialYear
from grants import outcomes
from grants.forms import AnnualReviewForm, ReturnForm, ReturnReviewForm, TargetForm
from grants.models import MonitoringReturn, OutcomeMeasure
from grants.selectors import returns_due
from grants.views.common import grant_for, visible_grants


def _form(request, grant, data=None, initial=None):
    years = FinancialYear.objects.filter(
        start_year__lte=grant.end_date.year, start_year__gte=grant.start_date.year - 1
    ).order_by("start_year")
    measures = (
        OutcomeMeasure.objects.filter(fund__in=grant.funding_lines.values("fund"), is_active=True)
        .select_related("fund")
        .order_by("fund__code", "code")
    )
    return ReturnForm(data, initial=initial, grant=grant, years=years, measures=measures)


@role_required(*FINANCE_OFFICERS)
def return_create(request, pk):
    grant = grant_for(request.user, pk)
    initial = {"received_on": timezone.localdate()}
    if key := request.GET.get("quarter"):
        initial["quarter"] = key
    form = _form(request, grant, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        year, quarter = data["quarter"]
        ret = call_service(
            form,
            outcomes.monitoring_return_submit,
            field_map={"values": "quarter"},
            grant=grant,
            by=request.user,
            year=year,
            quarter=quarter.number,
            received_on=data["received_on"],
            spend_reported=data["spend_reported"],
            rag=data["rag"],
            values=form.values(),
            narrative=data["narrative"],
            delivery_issues=data["delivery_issues"],
        )
        if ret:
            messages.success(
                request,
                f"{quarter.label} return recorded for {grant.reference}. Review it to accept it or send it back.",
            )
            return redirect("grants:return_detail", pk=ret.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record a monitoring return",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Record return",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": (
                f"The quarterly return {grant.organisation.name} sent: spend, RAG status and the outcome measures "
                "of the funds the grant draws on. A return is recorded once its quarter has ended, and one that was "
                "sent back is corrected by recording it again."
            ),
        },
    )


@role_required(*EVERY_ROLE)
def return_detail(request, pk):
    ret = get_object_or_404(
        MonitoringReturn.objects.filter(grant__in=visible_grants(request.user)).select_related(
            "grant__organisation", "year", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    form = None
    if has_role(request.user, FINANCE_OFFICER) and ret.status == MonitoringReturn.Status.SUBMITTED:
        form = ReturnReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            if accept:
                done = call_service(
                    form,
                    outcomes.monitoring_return_accept,
                    monitoring_return=ret,
                    by=request.user,
                    note=form.cleaned_data["reason"],
                )
            else:
                done = call_service(
                    form,
                    outcomes.monitoring_return_send_back,
                    monitoring_return=ret,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            if done:
                messages.success(
                    request,
                    f"Q{done.quarter} {done.year.label} return "
                    f"{'accepted' if accept else 'sent back to the provider'}.",
                )
                return redirect("grants:return_detail", pk=ret.pk)
    elif request.method == "POST":
        raise PermissionDenied("Only finance officers review monitoring returns, and only while one awaits review.")
    return render(
        request,
        "grants/return_detail.html",
        {
            "ret": ret,
            "values": ret.values.select_related("measure"),
            "form": form,
        },
    )


@role_required(*FINANCE_OFFICERS)
def returns_due_list(request):
    table = RETURNS_DUE.table(request, returns_due(timezone.localdate()), per_page=None)
    if table.download:
        return table.response()
    return render(request, "grants/returns_due.html", {"table": table, "rows": table.rows})


RETURNS_DUE = Listing("returns-due", (
    Column("quarter", "Quarter", order=lambda r: (r.quarter.end, r.grant.pk), value="quarter.label"),
    Column("ended", "Quarter ended", order=lambda r: (r.quarter.end, r.grant.pk), value="quarter.end"),
    Column("grant", "Grant", order=lambda r: r.grant.pk, value="grant.reference"),
    Column("organisation", "Organisation", order=lambda r: r.grant.organisation.name.lower(),
           value="grant.organisation.name"),
    Column("state", "Return", order=lambda r: str(r.state), value="state"),
))


def _years(grant):
    return FinancialYear.objects.filter(
        start_year__lte=grant.end_date.year, start_year__gte=grant.start_date.year - 1
    ).order_by("start_year")


@role_required(*FINANCE_OFFICERS)
def target_set(request, pk):
    grant = grant_for(request.user, pk)
    measures = OutcomeMeasure.objects.filter(fund__in=grant.funding_lines.values("fund"), is_active=True)
    form = TargetForm(
        request.POST or None,
        measures=measures.select_related("fund").order_by("fund__code", "code"),
        years=_years(grant),
    )
    if request.method == "POST" and form.is_valid():
        target = call_service(form, outcomes.outcome_target_set, grant=grant, by=request.user, **form.cleaned_data)
        if target:
            messages.success(request, f"Target for '{target.measure.name}' in {target.year.label} set.")
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Set an outcome target",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Set target",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": (
                "A target for one of the outcome measures of the funds the grant draws on. Setting it again for "
                "the same measure and year changes it; the earlier value stays in the history."
            ),
        },
    )


@role_required(FINANCE_OFFICER, COMMISSIONER)
def review_create(request, pk):
    grant = grant_for(request.user, pk)
    form = AnnualReviewForm(request.POST or None, years=_years(grant))
    if request.method == "POST" and form.is_valid():
        review = call_service(form, outcomes.annual_review_record, grant=grant, by=request.user, **form.cleaned_data)
        if review:
            messages.success(request, f"{review} recorded.")
            return redirect("grants:detail", pk=grant.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record the annual review",
            "caption": f"{grant.reference} {grant.title}",
            "submit_label": "Record review",
            "cancel_url": reverse("grants:detail", args=[grant.pk]),
            "lead": "Continue, amend (then request a variation) or stop (then withdraw or close the grant).",
        },
    )
