"""A provider asks, through the portal, to be paid into a new account; two people in the office stand between
that request and any payment.

1. ``bank_change_request_submit``: a provider user of the organisation asks (the details, and why). Nothing about
   payments changes: the verified details stay current.
2. ``bank_change_request_enter``: a finance officer confirms the request with the organisation through a channel
   already on file (a call-back to the number held, never one given in the request) and enters it as new bank
   details (``bank_details_submit``), which are pending: payments to the organisation stop.
3. ``bank_details_verify`` (``grants.organisations``): a second person, never the one who entered them, verifies.

Or ``bank_change_request_decline``: the officer declines it and says why; the provider sees the reason.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, PROVIDERS, require_role
from grants.identifiers import normalise_account_number, normalise_sort_code
from grants.models import BankChangeRequest, BankDetails, Organisation
from grants.organisations import bank_details_submit, current_bank_details
from grants.providers import provider_organisation

REQUESTED = BankChangeRequest.Status.REQUESTED


def _required(value: str, *, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    if len(value) > limit:
        raise ValidationError(f"Keep it to {limit} characters (this is {len(value)}).")
    return value


@transaction.atomic
def bank_change_request_submit(
    *, organisation: Organisation, account_name: str, sort_code: str, account_number: str, reason: str, by,
) -> BankChangeRequest:
    """A provider user asks for their organisation to be paid into a new account. One request waits at a time."""
    require_role(by, PROVIDERS, doing="request a change of bank details through the portal")
    if provider_organisation(by) != organisation:
        raise ValidationError("You can only ask to change your own organisation's bank details.")
    lock(Organisation.objects.filter(pk=organisation.pk))
    refusals = Refusals()
    account_name = refusals.check("account_name", _required, account_name, limit=100,
                                  message="Give the name on the account, exactly as the bank holds it.")
    sort_code = refusals.check("sort_code", normalise_sort_code, sort_code)
    account_number = refusals.check("account_number", normalise_account_number, account_number)
    reason = refusals.check("reason", _required, reason, limit=300,
                            message="Say why the account is changing (for example, a move to a new bank).")
    refusals.raise_any()
    waiting = BankChangeRequest.objects.filter(organisation=organisation, status=REQUESTED).first()
    if waiting is not None:
        raise ValidationError(
            f"Your request of {timezone.localtime(waiting.requested_at):%d/%m/%Y} ({waiting.masked}) is still "
            "waiting for the office; they will contact you about it. Ask the office to decline it if it was wrong."
        )
    current = current_bank_details(organisation)
    if (current is not None and current.sort_code == sort_code and current.account_number == account_number
            and current.status != BankDetails.Status.REJECTED):
        raise ValidationError(
            {"account_number": f"These are already your organisation's bank details ({current.masked}); "
                               "nothing needs to change."}
        )
    request = BankChangeRequest(organisation=organisation, account_name=account_name, sort_code=sort_code,
                                account_number=account_number, reason=reason, requested_by=by,
                                requested_at=timezone.now())
    save_with_history(request, by=by, reason=reason)
    record_event("bank_change.requested", by=by, obj=organisation, reason=reason,
                 summary=f"{organisation.name} asked through the portal to change bank details to {request.masked}")
    return request


def _open_request(request: BankChangeRequest) -> BankChangeRequest:
    lock(Organisation.objects.filter(pk=request.organisation_id))
    request = lock(BankChangeRequest.objects.filter(pk=request.pk).select_related("organisation"))[0]
    if request.status != REQUESTED:
        raise ValidationError(f"This request is already {request.get_status_display().lower()}.")
    return request


@transaction.atomic
def bank_change_request_enter(*, request: BankChangeRequest, by, note: str) -> BankDetails:
    """A finance officer, having confirmed the request with the organisation through a channel already on file,
    enters it as new bank details, which then wait for a second person to verify them."""
    require_role(by, FINANCE_OFFICERS, doing="enter bank details requested through the portal")
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": "Say how the request was confirmed with the organisation (for example, a call-back to the "
                     "number already on file, not one given in the request)."}
        )
    request = _open_request(request)
    details = bank_details_submit(
        organisation=request.organisation, account_name=request.account_name, sort_code=request.sort_code,
        account_number=request.account_number, by=by,
        reason=f"Requested through the portal by {request.requested_by.get_full_name() or request.requested_by}: "
               f"{request.reason}",
    )
    request.status = BankChangeRequest.Status.ENTERED
    request.bank_details = details
    request.handled_by, request.handled_at, request.handling_note = by, timezone.now(), note
    save_with_history(request, by=by, reason=note)
    return details


@transaction.atomic
def bank_change_request_decline(*, request: BankChangeRequest, by, reason: str) -> BankChangeRequest:
    """A finance officer declines a request (for example, the organisation did not confirm it), saying why; the
    provider sees the reason. Nothing about the organisation's bank details changes."""
    require_role(by, FINANCE_OFFICERS, doing="decline bank detail change requests")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the request is declined; the provider will see it."})
    request = _open_request(request)
    request.status = BankChangeRequest.Status.DECLINED
    request.handled_by, request.handled_at, request.handling_note = by, timezone.now(), reason
    save_with_history(request, by=by, reason=reason)
    record_event("bank_change.declined", by=by, obj=request.organisation, reason=reason,
                 summary=f"Request to change {request.organisation.name}'s bank details declined")
    return request


def bank_change_requests_open():
    """Requests waiting for a finance officer, oldest first."""
    return (BankChangeRequest.objects.filter(status=REQUESTED).select_related("organisation", "requested_by")
            .order_by("requested_at", "id"))
