"""Home pages per role, the approval queue and the finance director's dashboards."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import call_service
from core.permissions import any_signed_in, role_required
from core.roles import (
    COMMISSIONER,
    COMMISSIONERS_AND_DIRECTORS,
    FINANCE_DIRECTOR,
    FINANCE_DIRECTORS,
    FINANCE_OFFICER,
    OFFICE_ROLES,
    PROVIDER,
    roles_of,
)
from funds.selectors import current_year, periods_due_to_close, virements_awaiting_approval
from grants.bank_requests import bank_change_requests_open
from grants.payments import instalment_pay_refusal
from grants.selectors import bank_details_awaiting_verification, instalments_due, returns_due
from ledger.selectors import fund_positions
from monitoring.selectors import month_due
from payments.models import PaymentRun
from reports.approvals import approval_queue
from reports.dashboard import (
    budget_against_actual,
    budget_chart,
    dashboard_figures,
    dashboard_parameters,
    grants_at_risk,
    retained_income,
)
from reports.dashboard_forms import DashboardFilter
from reports.signoff import packs_awaiting_sign_off
from reports.statements.monitoring import lines_needing_commentary
from spending.models import Invoice


def _officer_context(year, today):
    due_periods = list(periods_due_to_close(today=today))
    due_instalments = instalments_due(today)
    # "Ready to pay" is the payment service's own answer, so the home page never promises what it would refuse.
    ready = sum(1 for row in due_instalments if instalment_pay_refusal(instalment=row.instalment, on=today) is None)
    attention = [
        {
            "label": "Monitoring returns due",
            "count": len(returns_due(today)),
            "url": "grants:returns_due",
            "query": "",
            "help": "Quarters ended without an accepted return",
        },
        {
            "label": "Instalments due",
            "count": len(due_instalments),
            "url": "grants:payments_due",
            "query": "",
            "help": f"{ready} ready for a payment run; the rest wait for a return, checks or bank details",
        },
        {
            "label": "Supplier invoices awaiting approval",
            "count": Invoice.objects.filter(status=Invoice.Status.AWAITING_APPROVAL, reversal__isnull=True).count(),
            "url": "spending:order_list",
            "query": "",
            "help": "Approved by an officer other than the one who recorded them",
        },
        {
            "label": "Payment runs not yet paid",
            "count": PaymentRun.objects.filter(status__in=[PaymentRun.Status.PREPARED,
                                                           PaymentRun.Status.AUTHORISED]).count(),
            "url": "payments:run_list",
            "query": "",
            "help": "Prepared runs wait for authorisation; authorised ones are paid once the bank has paid",
        },
        {
            "label": "Bank details to verify",
            "count": len(bank_details_awaiting_verification()),
            "url": "grants:organisation_list",
            "query": "",
            "help": "A second person must check each change",
        },
        {
            "label": "Bank detail change requests",
            "count": len(requests := list(bank_change_requests_open())),
            "url": "grants:organisation_list",
            "href": reverse("grants:bank_change_request_decide", args=[requests[0].pk]) if len(requests) == 1 else "",
            "query": "",
            "help": ("Asked for through the portal by "
                     + ", ".join(r.organisation.name for r in requests[:3]) + ("..." if len(requests) > 3 else "")
                     + "; confirm each through contact details on file, then enter or decline it")
            if requests else "Asked for by providers through the portal",
        },
        {
            "label": "Virements awaiting approval",
            "count": len(virements_awaiting_approval()),
            "url": "funds:virement_list",
            "query": "?status=requested",
            "help": "Waiting for a commissioner or director",
        },
        {
            "label": "Months to close",
            "count": len(due_periods),
            "url": "funds:period_list",
            "query": f"?year={due_periods[0].year.start_year}" if due_periods else "",
            "help": "Ended but still open for posting",
        },
    ]
    # Budget monitoring: the latest closed (else ended) month's amber and red lines still without commentary.
    monitored = month_due(today=today)
    monitoring = {"period": monitored, "rows": lines_needing_commentary(monitored) if monitored else []}
    return {"positions": fund_positions(year=year) if year else [], "attention": attention, "monitoring": monitoring}


def _director_context(year):
    rows = budget_against_actual(year=year) if year else []
    return {
        "budget_rows": rows,
        "chart": budget_chart(rows, year) if year else None,
        "retained": retained_income(year=year) if year else None,
        "at_risk": grants_at_risk(year=year, as_at=min(timezone.localdate(), year.end_date)) if year else [],
        "packs_to_sign": packs_awaiting_sign_off(),
    }


@any_signed_in
def home(request):
    """Each person lands on the work of their role: a person with several roles sees each section."""
    today = timezone.localdate()
    year = current_year(today)
    mine = roles_of(request.user)
    if PROVIDER in mine and not mine.intersection(OFFICE_ROLES):
        return redirect("portal:home")  # a provider's home is the portal, scoped to their organisation
    context = {"year": year, "today": today}
    if FINANCE_OFFICER in mine:
        context["officer"] = _officer_context(year, today)
    if COMMISSIONER in mine:
        context["queue"] = approval_queue(request.user)
    if FINANCE_DIRECTOR in mine:
        context["director"] = _director_context(year)
    return render(request, "reports/home.html", context)


@role_required(*COMMISSIONERS_AND_DIRECTORS)
def approvals(request):
    items = approval_queue(request.user)
    return render(request, "reports/approvals.html", {"items": items})


@role_required(*FINANCE_DIRECTORS)
def dashboard(request):
    """Every panel for one year as at one date; a year or date the service refuses is shown on the form."""
    form = DashboardFilter(request.GET)
    params = None
    if form.is_valid():
        params = call_service(form, dashboard_parameters, year=form.cleaned_data["year"],
                              as_at=form.cleaned_data["as_at"])
    context = {"form": form, "params": params}
    if params is not None:
        context["form"] = DashboardFilter(initial={"year": str(params.year.start_year), "as_at": params.as_at})
        context.update(dashboard_figures(params))
    return render(request, "reports/dashboard.html", context)
