"""Organisations, their services and their bank details (a change waits for a second person to verify it)."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import COMMISSIONER, EVERY_ROLE, FINANCE_OFFICER, FINANCE_OFFICERS, has_role
from funds.forms import FilterForm
from grants import bank_requests
from grants import organisations as services
from grants.forms import (
    BankChangeRequestDecisionForm,
    BankDecisionForm,
    BankDetailsForm,
    OrganisationEditForm,
    OrganisationForm,
    ServiceForm,
)
from grants.models import BankChangeRequest, BankDetails, Organisation
from grants.selectors import grants_with_totals
from grants.views.common import visible_grants
from grants.views.records import GRANTS

VERIFIERS = (FINANCE_OFFICER, COMMISSIONER)


class OrganisationFilter(FilterForm):
    q = forms.CharField(label="Search name, identifier or number", required=False, max_length=100)


ORGANISATIONS = Listing("organisations", (
    Column("name", "Legal name", order="name"),
    Column("identifier", "Identifier", order="identifier"),
    Column("charity", "Charity no.", order="charity_number", value="charity_number"),
    Column("company", "Company no.", order="company_number", value="company_number"),
    Column("postcode", "Postcode", order="postcode"),
    Column("grants", "Grants", order="grant_count", value="grant_count", num=True),
    Column("bank", "Bank details", order="bank_pending",
           value=lambda o: "Change awaiting verification" if o.bank_pending else ""),
))


@role_required(*EVERY_ROLE)
def organisation_list(request):
    filters = OrganisationFilter(request.GET)
    filters.full_clean()
    pending = BankDetails.objects.filter(organisation=OuterRef("pk"), status=BankDetails.Status.PENDING)
    qs = Organisation.objects.annotate(grant_count=Count("grants", distinct=True), bank_pending=Exists(pending))
    if text := filters.value("q"):
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(identifier__icontains=text)
            | Q(charity_number__icontains=text)
            | Q(company_number__icontains=text)
            | Q(postcode__icontains=text)
        )
    table = ORGANISATIONS.table(request, qs, default=("name",))
    if table.download:
        return table.response()
    return render(request, "grants/organisation_list.html",
                  {"filters": filters, "table": table, "page_obj": table.page_obj})


@role_required(*FINANCE_OFFICERS)
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = call_service(form, services.organisation_create, by=request.user, **form.cleaned_data)
        if org:
            messages.success(request, f"{org.name} recorded as {org.identifier}. Add its services and bank details.")
            return redirect("grants:organisation_detail", pk=org.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Record an organisation",
            "submit_label": "Record organisation",
            "cancel_url": reverse("grants:organisation_list"),
            "lead": "A recipient of grants, under its legal name. Bank details are entered separately and must be "
            "verified by a second person before any payment.",
        },
    )


@role_required(*EVERY_ROLE)
def organisation_detail(request, pk):
    org = get_object_or_404(Organisation.objects.select_related("created_by"), pk=pk)
    bank = list(
        BankDetails.objects.filter(organisation=org).select_related("entered_by", "verified_by").order_by("-id")
    )
    current = next((b for b in bank if b.status != BankDetails.Status.REJECTED), None)
    grants = grants_with_totals(visible_grants(request.user, org.grants.all()).order_by("-start_date", "-id"))
    return render(
        request,
        "grants/organisation_detail.html",
        {
            "org": org,
            "services": org.services.all(),
            "bank": bank,
            "current": current,
            "grants": grants,
            "grant_listing": GRANTS,  # the grants list's columns, shown here without sorting
            "can_verify": has_role(request.user, *VERIFIERS),
            "change_requests": BankChangeRequest.objects.filter(organisation=org)
            .select_related("requested_by", "handled_by")[:10],
        },
    )


@role_required(*FINANCE_OFFICERS)
def organisation_edit(request, pk):
    org = get_object_or_404(Organisation, pk=pk)
    initial = {
        f: getattr(org, f)
        for f in ("name", "charity_number", "company_number", "identifier", "address", "postcode", "is_individual")
    }
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["identifier"] == org.identifier:
            data["identifier"] = None
        done = call_service(form, services.organisation_update, organisation=org, by=request.user, **data)
        if done:
            messages.success(request, f"{done.name}'s details changed.")
            return redirect("grants:organisation_detail", pk=org.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": f"Change {org.name}",
            "submit_label": "Save changes",
            "caption": org.identifier,
            "cancel_url": reverse("grants:organisation_detail", args=[org.pk]),
            "lead": "Registered details only: a change of bank details is entered separately and verified by a second "
            "person.",
        },
    )


@role_required(*FINANCE_OFFICERS)
def service_create(request, pk):
    org = get_object_or_404(Organisation, pk=pk)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = call_service(form, services.service_create, organisation=org, by=request.user, **form.cleaned_data)
        if service:
            messages.success(request, f"{service} recorded for {org.name}.")
            return redirect("grants:organisation_detail", pk=org.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Add a commissioned service",
            "caption": org.name,
            "submit_label": "Add service",
            "cancel_url": reverse("grants:organisation_detail", args=[org.pk]),
        },
    )


@role_required(*FINANCE_OFFICERS)
def bank_details_create(request, pk):
    org = get_object_or_404(Organisation, pk=pk)
    form = BankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = call_service(
            form, services.bank_details_submit, organisation=org, by=request.user, **form.cleaned_data
        )
        if details:
            messages.success(
                request,
                f"New bank details for {org.name} entered. Payments to {org.name} wait until "
                "a second person verifies them.",
            )
            return redirect("grants:organisation_detail", pk=org.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": "Enter new bank details",
            "caption": org.name,
            "submit_label": "Enter bank details",
            "cancel_url": reverse("grants:organisation_detail", args=[org.pk]),
            "lead": "A change of bank details is the most common grant fraud. The new details stay pending, and no "
            "payment is made, until a commissioner or another finance officer verifies them.",
        },
    )


@role_required(*VERIFIERS)
def bank_details_decide(request, pk):
    details = get_object_or_404(BankDetails.objects.select_related("organisation", "entered_by"), pk=pk)
    form = BankDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = (
            services.bank_details_verify if form.cleaned_data["decision"] == "verify" else services.bank_details_reject
        )
        done = call_service(form, service, details=details, by=request.user, note=form.cleaned_data["note"])
        if done:
            messages.success(
                request, f"Bank details for {details.organisation.name}: {done.get_status_display().lower()}."
            )
            return redirect("grants:organisation_detail", pk=details.organisation_id)
    previous = (
        BankDetails.objects.filter(organisation=details.organisation, status=BankDetails.Status.VERIFIED)
        .exclude(pk=details.pk)
        .order_by("-id")
        .first()
    )
    return render(
        request,
        "grants/bank_decide.html",
        {
            "form": form,
            "details": details,
            "previous": previous,
            "own": details.entered_by_id == request.user.pk,
        },
    )


@role_required(*FINANCE_OFFICERS)
def bank_change_request_decide(request, pk):
    """A provider's request to change bank details: enter it (after confirming it with the organisation) or
    decline it."""
    change = get_object_or_404(BankChangeRequest.objects.select_related("organisation", "requested_by"), pk=pk)
    form = BankChangeRequestDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        if form.cleaned_data["decision"] == "enter":
            done = call_service(form, bank_requests.bank_change_request_enter, request=change, by=request.user,
                                note=note)
            if done:
                messages.success(request, f"New bank details for {change.organisation.name} entered from the request. "
                                          "Payments wait until a second person verifies them.")
        else:
            done = call_service(form, bank_requests.bank_change_request_decline, request=change, by=request.user,
                                reason=note)
            if done:
                messages.success(request, f"The request from {change.organisation.name} was declined.")
        if done:
            return redirect("grants:organisation_detail", pk=change.organisation_id)
    current = services.current_bank_details(change.organisation)
    return render(request, "grants/bank_request_decide.html",
                  {"form": form, "change": change, "current": current})
