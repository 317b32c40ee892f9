"""Recipients: organisations, the services they deliver, and their bank details.

A change of bank details is the classic grant fraud, so new details are pending until a second person (a
commissioner or another finance officer, never the one who entered them) verifies them, and no payment goes to
an organisation whose current details are not verified (see ``current_bank_details``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_COMMISSIONERS, require_role
from grants.identifiers import (
    normalise_account_number,
    normalise_area_code,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
    normalise_sort_code,
    organisation_identifier,
)
from grants.models import BankDetails, CommissionedService, Organisation


def _text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _numbers(refusals: Refusals, charity_number: str, company_number: str) -> tuple[str | None, str | None]:
    """Both numbers normalised; either is ``None`` when refused (its refusal is in ``refusals``)."""
    return (refusals.check("charity_number", normalise_charity_number, charity_number),
            refusals.check("company_number", normalise_company_number, company_number))


@transaction.atomic
def organisation_create(
    *, name: str, address: str, postcode: str, by, charity_number: str = "", company_number: str = "",
    identifier: str = "", is_individual: bool = False,
) -> Organisation:
    """Record a recipient. Numbers are normalised (spaces removed, leading zeros kept); the identifier is derived
    from them (GB-CHC-, else GB-COH-, else an internal 360G- one) unless given, in which case it must agree."""
    require_role(by, FINANCE_OFFICERS, doing="record organisations")
    refusals = Refusals()
    name = refusals.check("name", _text, name, field="name",
                          message="Give the organisation's legal name, as on its register entry.")
    address = refusals.check("address", _text, address, field="address", message="Give the organisation's address.")
    postcode = refusals.check("postcode", normalise_postcode, postcode)
    charity, company = _numbers(refusals, charity_number, company_number)
    if is_individual and ((charity_number or "").strip() or (company_number or "").strip()):
        refusals.add("is_individual", "A person has no charity or company number; untick 'A person' or leave both "
                                      "numbers blank.")
    if not refusals.refused("name", "charity_number", "company_number"):
        ident = refusals.check("identifier", organisation_identifier, charity_number=charity, company_number=company,
                               given=identifier, name=name)
        if ident and Organisation.objects.filter(identifier=ident).exists():
            refusals.add("identifier", f"An organisation with identifier {ident} is already recorded.")
    refusals.raise_any()
    org = Organisation(name=name, address=address, postcode=postcode, charity_number=charity, company_number=company,
                       identifier=ident, is_individual=bool(is_individual), created_by=by)
    save_with_history(org, by=by, reason="Organisation recorded")
    record_event("organisation.created", by=by, obj=org, summary=f"{org.name} ({org.identifier}) recorded")
    return org


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, by, reason: str, name: str | None = None, address: str | None = None,
    postcode: str | None = None, charity_number: str | None = None, company_number: str | None = None,
    identifier: str | None = None, is_individual: bool | None = None,
) -> Organisation:
    """Change an organisation's registered details (``None`` leaves a field as it is). Bank details change
    through ``bank_details_submit``, never here."""
    require_role(by, FINANCE_OFFICERS, doing="change organisations")
    refusals = Refusals()
    reason = refusals.check("reason", _text, reason, field="reason",
                            message="Say why the organisation's details are changing.")
    org = lock(Organisation.objects.filter(pk=organisation.pk))[0]
    if name is not None:
        org.name = refusals.check("name", _text, name, field="name", message="Give the organisation's legal name.")
    if address is not None:
        org.address = refusals.check("address", _text, address, field="address",
                                     message="Give the organisation's address.")
    if postcode is not None:
        org.postcode = refusals.check("postcode", normalise_postcode, postcode)
    charity, company = _numbers(
        refusals,
        org.charity_number if charity_number is None else charity_number,
        org.company_number if company_number is None else company_number,
    )
    if is_individual is not None:
        org.is_individual = bool(is_individual)
    if org.is_individual and (charity or company or refusals.refused("charity_number", "company_number")):
        refusals.add("is_individual", "A person has no charity or company number; untick 'A person' or remove the "
                                      "numbers.")
    if not refusals.refused("name", "charity_number", "company_number"):
        numbers_changed = (charity, company) != (org.charity_number, org.company_number)
        org.charity_number, org.company_number = charity, company
        if identifier is not None or numbers_changed:
            keep_internal = identifier is None and org.identifier.startswith("360G-") and not (charity or company)
            if not keep_internal:
                org.identifier = refusals.check(
                    "identifier", organisation_identifier, charity_number=charity, company_number=company,
                    given=identifier or "", name=org.name)
    refusals.raise_any()
    save_with_history(org, by=by, reason=reason)
    record_event("organisation.updated", by=by, obj=org, summary=f"{org.name} details changed", reason=reason)
    return org


@transaction.atomic
def service_create(
    *, organisation: Organisation, name: str, area_type: str, area_name: str, by, area_code: str = "",
    description: str = "",
) -> CommissionedService:
    """Record what an organisation delivers and where (``area_type`` from CommissionedService.AreaType)."""
    require_role(by, FINANCE_OFFICERS, doing="record commissioned services")
    refusals = Refusals()
    name = refusals.check("name", _text, name, field="name", message="Name the service, e.g. 'ISVA service'.")
    if area_type not in CommissionedService.AreaType.values:
        kinds = ", ".join(CommissionedService.AreaType.labels)
        refusals.add("area_type", f"Choose the kind of area: {kinds}.")
    area_name = refusals.check("area_name", _text, area_name, field="area_name",
                               message="Say which area the service covers, e.g. Birmingham.")
    area_code = refusals.check("area_code", normalise_area_code, area_code)
    refusals.raise_any()
    service = CommissionedService(organisation=organisation, name=name, area_type=area_type, area_name=area_name,
                                  area_code=area_code, description=(description or "").strip())
    save_with_history(service, by=by, reason="Service recorded")
    record_event("service.created", by=by, obj=service, summary=f"{service} recorded for {organisation.name}")
    return service


# --- Bank details -----------------------------------------------------------------------------------------------

def current_bank_details(organisation: Organisation) -> BankDetails | None:
    """The organisation's current details: its latest record that was not rejected (possibly still pending)."""
    return (
        BankDetails.objects.filter(organisation=organisation)
        .exclude(status=BankDetails.Status.REJECTED).order_by("-id").first()
    )


def current_bank_details_many(organisation_ids) -> dict[int, BankDetails]:
    """Each organisation's current details (as ``current_bank_details``), one query for them all; organisations
    with none are left out."""
    current = {}
    for details in (BankDetails.objects.filter(organisation_id__in=list(organisation_ids))
                    .exclude(status=BankDetails.Status.REJECTED).order_by("organisation_id", "-id")):
        current.setdefault(details.organisation_id, details)
    return current


def require_verified_bank_details(organisation: Organisation) -> BankDetails:
    """The verified details to pay, or a refusal that says what is missing."""
    details = current_bank_details(organisation)
    if details is None:
        raise ValidationError(
            {"bank_details": f"{organisation.name} has no bank details; enter them and have a second person verify "
                             "them before any payment."}
        )
    if details.status != BankDetails.Status.VERIFIED:
        raise ValidationError(
            {"bank_details": f"{organisation.name}'s bank details were changed on {details.entered_at:%d/%m/%Y} and "
                             "await verification by a second person; no payment can be made until they are verified."}
        )
    return details


@transaction.atomic
def bank_details_submit(
    *, organisation: Organisation, account_name: str, sort_code: str, account_number: str, by, reason: str = "",
) -> BankDetails:
    """Enter new bank details for an organisation. They stay pending, and payments stop, until someone else
    verifies them. Only one change may wait at a time."""
    require_role(by, FINANCE_OFFICERS, doing="enter bank details")
    lock(Organisation.objects.filter(pk=organisation.pk))
    refusals = Refusals()
    account_name = refusals.check("account_name", _text, account_name, field="account_name",
                                  message="Give the name on the account, exactly as the bank holds it.")
    sort_code = refusals.check("sort_code", normalise_sort_code, sort_code)
    account_number = refusals.check("account_number", normalise_account_number, account_number)
    refusals.raise_any()
    pending = BankDetails.objects.filter(organisation=organisation, status=BankDetails.Status.PENDING).first()
    if pending is not None:
        raise ValidationError(
            f"{organisation.name} already has a change of bank details entered on {pending.entered_at:%d/%m/%Y} "
            "awaiting verification; verify or reject it first."
        )
    details = BankDetails(organisation=organisation, account_name=account_name, sort_code=sort_code,
                          account_number=account_number, entered_by=by, change_reason=(reason or "").strip()[:300])
    save_with_history(details, by=by, reason=reason or "Bank details entered")
    record_event("bank_details.submitted", by=by, obj=organisation,
                 summary=f"New bank details for {organisation.name} ({details.masked}) await verification",
                 reason=reason)
    return details


def _decide_bank_details(details: BankDetails, *, by, note: str, verify: bool) -> BankDetails:
    require_role(by, OFFICERS_AND_COMMISSIONERS, doing="verify bank details")
    lock(Organisation.objects.filter(pk=details.organisation_id))
    details = lock(BankDetails.objects.filter(pk=details.pk))[0]
    if details.status != BankDetails.Status.PENDING:
        raise ValidationError(f"These bank details are already {details.get_status_display().lower()}.")
    if details.entered_by_id == by.pk:
        raise ValidationError(
            "You entered these bank details, so a second person (a commissioner or another finance officer) must "
            "verify or reject them."
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": "Say how the details were checked (e.g. call-back to the number on file)" if verify
             else "Say why the details are rejected."}
        )
    details.status = BankDetails.Status.VERIFIED if verify else BankDetails.Status.REJECTED
    details.verified_by = by
    details.verified_at = timezone.now()
    details.verification_note = note
    save_with_history(details, by=by, reason=note)
    record_event(f"bank_details.{details.status}", by=by, obj=details.organisation,
                 summary=f"Bank details for {details.organisation.name} {details.status}", reason=note)
    return details


@transaction.atomic
def bank_details_verify(*, details: BankDetails, by, note: str) -> BankDetails:
    """A second person confirms the details (say how: e.g. a call-back to the number already on file)."""
    return _decide_bank_details(details, by=by, note=note, verify=True)


@transaction.atomic
def bank_details_reject(*, details: BankDetails, by, note: str) -> BankDetails:
    """A second person refuses the details; the previous verified details (if any) stay current."""
    return _decide_bank_details(details, by=by, note=note, verify=False)
