"""The provider portal's pages, and the office's pages that invite providers and write to them.

Every provider page is declared ``role_required(PROVIDER)`` and reads only through the provider's organisation
(``require_provider_organisation``); an object is fetched from a queryset already scoped to it, so another
organisation's grant, return or message is 404, never 403: its existence is not revealed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors, call_service
from core.permissions import public_form_page, role_required
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, PROVIDERS
from documents.services import attachment_add, attachment_check
from funds.models import FinancialYear
from grants.bank_requests import bank_change_request_submit
from grants.models import (
    BankChangeRequest,
    BankDetails,
    Grant,
    MonitoringReturn,
    Organisation,
    OutcomeMeasure,
    ProviderAccount,
)
from grants.outcomes import monitoring_return_submit, return_record_refusal
from grants.providers import require_provider_organisation
from grants.quarters import Quarter
from grants.workflow import grant_offer_accept
from portal import selectors
from portal.accounts import provider_account_deactivate
from portal.forms import (
    BankChangeForm,
    InvitationAcceptForm,
    InvitationForm,
    MessageForm,
    OfferAcceptForm,
    PortalReturnForm,
)
from portal.invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_refusal,
    invitation_withdraw,
)
from portal.messaging import messages_for, portal_message_read, portal_message_send, unread_count
from portal.models import Invitation, PortalMessage


def _posted(request):
    """The form's data on a POST (even an empty one, so an empty submission is refused, not ignored)."""
    return request.POST if request.method == "POST" else None


# --- Provider pages ---------------------------------------------------------------------------------------------


@role_required(*PROVIDERS)
def home(request):
    organisation = require_provider_organisation(request.user)
    return render(request, "portal/home.html", {
        "org": organisation, "home": selectors.home(organisation),
        "messages_list": list(messages_for(organisation)[:5]), "unread": unread_count(organisation),
    })


def _grant(request, pk) -> Grant:
    organisation = require_provider_organisation(request.user)
    return get_object_or_404(selectors.portal_grants(organisation).select_related("organisation"), pk=pk)


@role_required(*PROVIDERS)
def grant_detail(request, pk):
    grant = _grant(request, pk)
    return render(request, "portal/grant_detail.html", {
        "grant": grant, "award": selectors.award_of(grant), "schedule": selectors.schedule(grant),
        "payments": selectors.payments_made([grant]), "quarters": selectors.returns_by_quarter(grant),
        "messages_list": list(messages_for(grant.organisation).filter(grant=grant)[:5]),
    })


@role_required(*PROVIDERS)
def offer_accept(request, pk):
    grant = _grant(request, pk)
    form = OfferAcceptForm(_posted(request)) if grant.status == Grant.Status.APPROVED else None
    if form is not None and request.method == "POST" and form.is_valid():
        done = call_service(form, grant_offer_accept, grant=grant, by=request.user)
        if done:
            messages.success(request, f"You accepted the offer of {done.reference} on behalf of "
                                      f"{done.organisation.name}.")
            return redirect("portal:grant", pk=grant.pk)
    return render(request, "portal/offer_accept.html", {
        "grant": grant, "award": selectors.award_of(grant), "schedule": selectors.schedule(grant), "form": form,
    })


def _measures(grant: Grant) -> list[OutcomeMeasure]:
    return list(OutcomeMeasure.objects.filter(fund__in=grant.funding_lines.values("fund"), is_active=True)
                .order_by("name", "pk"))


@role_required(*PROVIDERS)
def return_submit(request, pk, year_start, quarter):
    grant = _grant(request, pk)
    year = get_object_or_404(FinancialYear, start_year=year_start)
    if quarter not in (1, 2, 3, 4):
        raise Http404("No such quarter.")
    q = Quarter(year.start_year, quarter)
    existing = MonitoringReturn.objects.filter(grant=grant, year=year, quarter=quarter).first()
    refusal = return_record_refusal(grant=grant, year=year, quarter=quarter)
    measures = _measures(grant)
    initial = None
    if existing is not None and existing.status == MonitoringReturn.Status.RETURNED:
        initial = {"spend_reported": f"{existing.spend_reported.amount:.2f}", "rag": existing.rag,
                   "narrative": existing.narrative, "delivery_issues": existing.delivery_issues,
                   **{f"measure_{v.measure_id}": f"{v.value.normalize():f}" for v in existing.values.all()}}
    # The uploaded files go to the form too, so an ``evidence`` FileField added to it (documents.services.
    # attachment_check / attachment_add after the return is saved) needs no change here but passing it on.
    files = request.FILES if request.method == "POST" else None
    form = None if refusal else PortalReturnForm(_posted(request), files, initial=initial, measures=measures)
    if form is not None and request.method == "POST" and form.is_valid():
        ret = _submit_return(form, grant=grant, year=year, quarter=quarter, by=request.user)
        if ret:
            messages.success(request, f"Your {q.label} return for {grant.reference} was sent to the office.")
            return redirect("portal:grant", pk=grant.pk)
    return render(request, "portal/return_form.html", {
        "grant": grant, "quarter": q, "existing": existing, "refusal": refusal, "form": form,
    })


class _Refused(Exception):
    """Rolls the return back when its evidence file was refused."""


def _submit_return(form, *, grant, year, quarter, by):
    """Send the return and attach its evidence file, together or not at all; every refusal (the return's fields and
    the file) is shown on the form at once."""
    data = form.cleaned_data
    upload = data.get("evidence")
    refusals = Refusals()
    if upload:
        refusals.check(None, attachment_check, upload=upload)
    ret = None
    try:
        with transaction.atomic():
            ret = monitoring_return_submit(grant=grant, year=year, quarter=quarter, by=by,
                                           spend_reported=data["spend_reported"], rag=data["rag"],
                                           values=form.values(), narrative=data["narrative"],
                                           delivery_issues=data["delivery_issues"])
            if refusals.refused():
                raise _Refused
            if upload:
                attachment_add(record=ret, upload=upload, kind="evidence", by=by, visible_to_provider=True,
                               description=f"Evidence for the Q{quarter} {year.label} return")
    except _Refused:
        ret = None
    except ValidationError as error:
        refusals.add(None, error)
        ret = None
    if ret is None:
        apply_service_errors(form, ValidationError(refusals.errors), {"file": "evidence", "kind": "evidence"})
    return ret


@role_required(*PROVIDERS)
def message_list(request):
    organisation = require_provider_organisation(request.user)
    return render(request, "portal/messages.html", {"org": organisation,
                                                    "messages_list": list(messages_for(organisation))})


@require_POST
@role_required(*PROVIDERS)
def message_read(request, pk):
    organisation = require_provider_organisation(request.user)
    message = get_object_or_404(PortalMessage.objects.filter(organisation=organisation), pk=pk)
    portal_message_read(message=message, by=request.user)
    return redirect(f"{reverse('portal:messages')}#message-{message.pk}")


@role_required(*PROVIDERS)
def bank_details(request):
    """The organisation's bank details as the office holds them (masked), its requests to change them, and the
    form to ask for a change: a request changes nothing until two people in the office have dealt with it."""
    organisation = require_provider_organisation(request.user)
    form = BankChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(form, bank_change_request_submit, organisation=organisation, by=request.user,
                            account_name=data["account_name"], sort_code=data["sort_code"],
                            account_number=data["account_number"], reason=data["reason"])
        if done:
            messages.success(request, f"Your request to be paid into {done.masked} was sent to the office. Nothing "
                                      "changes until the office has confirmed it with you and a second person has "
                                      "checked it.")
            return redirect("portal:bank_details")
    details = BankDetails.objects.filter(organisation=organisation).exclude(
        status=BankDetails.Status.REJECTED).order_by("-id")
    return render(request, "portal/bank_details.html", {
        "org": organisation, "form": form,
        "verified": details.filter(status=BankDetails.Status.VERIFIED).first(),
        "pending": details.filter(status=BankDetails.Status.PENDING).first(),
        "requests": list(BankChangeRequest.objects.filter(organisation=organisation).select_related("requested_by")),
    })


# --- Accepting an invitation (no account yet) --------------------------------------------------------------------


@public_form_page
def invitation_accept_page(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return render(request, "portal/invitation.html", {"refusal": invitation_refusal(None)}, status=404)
    if request.user.is_authenticated:
        return render(request, "portal/invitation.html", {"signed_in": True, "invitation": invitation})
    refusal = invitation_refusal(invitation)
    form = None if refusal else InvitationAcceptForm(_posted(request))
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = call_service(form, invitation_accept, token=token, username=data["username"],
                            password1=data["password1"], password2=data["password2"])
        if user:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, f"Your account is ready. You are signed in as {user.get_username()}, for "
                                      f"{invitation.organisation.name}.")
            return redirect("portal:home")
    return render(request, "portal/invitation.html", {"invitation": invitation, "refusal": refusal, "form": form})


# --- The office's side: inviting people and writing to them ------------------------------------------------------


@role_required(*FINANCE_OFFICERS)
def invite(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = InvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = call_service(form, invitation_create, organisation=organisation, email=form.cleaned_data["email"],
                            full_name=form.cleaned_data["full_name"], by=request.user)
        if done:
            invitation, _token = done
            messages.success(request, f"Invitation sent to {invitation.email}. The link works once and expires on "
                                      f"{timezone.localtime(invitation.expires_at):%d/%m/%Y %H:%M}.")
            return redirect("grants:organisation_detail", pk=organisation.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": "Invite someone from this organisation", "caption": organisation.name,
        "submit_label": "Send the invitation", "cancel_url": reverse("grants:organisation_detail", args=[pk]),
        "lead": (f"They will get an email with a link to choose a user name and password for the provider portal, "
                 f"where they see only {organisation.name}'s grants: offers to accept, the schedule, payments, "
                 "returns to send and messages from the office."),
    })


@require_POST
@role_required(*FINANCE_OFFICERS)
def invitation_withdraw_view(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation_withdraw(invitation=invitation, by=request.user)
        messages.success(request, f"The invitation for {invitation.email} was withdrawn; its link no longer works.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("grants:organisation_detail", pk=invitation.organisation_id)


@require_POST
@role_required(*FINANCE_OFFICERS)
def account_deactivate(request, pk):
    """Make a provider user's account inactive (they left the organisation), with a reason."""
    account = get_object_or_404(ProviderAccount.objects.select_related("user"), pk=pk)
    try:
        provider_account_deactivate(account=account, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, f"{account.user.get_username()}'s portal account is inactive; they can no longer "
                                  "sign in.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("grants:organisation_detail", pk=account.organisation_id)


@role_required(*FINANCE_OFFICERS)
def message_send(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    form = MessageForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = call_service(form, portal_message_send, organisation=organisation, subject=data["subject"],
                            body=data["body"], grant=data["grant"], by=request.user)
        if sent:
            messages.success(request, f"Message sent to {organisation.name}.")
            return redirect("grants:organisation_detail", pk=organisation.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": "Send a message to the provider", "caption": organisation.name,
        "submit_label": "Send the message", "cancel_url": reverse("grants:organisation_detail", args=[pk]),
        "lead": f"Everyone with a provider account at {organisation.name} reads it in the portal.",
    })
