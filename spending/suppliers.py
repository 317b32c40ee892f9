"""Suppliers: organisations paid for goods and services. A supplier is a ``grants.Organisation`` (one record, one
set of verified bank details, shared with any grants it holds); this adds its VAT number and payment terms."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.roles import FINANCE_OFFICERS, require_role
from grants.models import Organisation
from spending.models import Supplier

MAX_TERMS = 120


def normalise_vat_number(value: str) -> str:
    """A UK VAT registration number as GB followed by nine digits (spaces removed), or blank when not registered."""
    text = re.sub(r"[\s-]", "", value or "").upper()
    if not text:
        return ""
    if text.isdigit() and len(text) == 9:
        text = f"GB{text}"
    if not re.fullmatch(r"GB\d{9}", text):
        raise ValidationError(
            {"vat_number": f"'{value.strip()}' is not a UK VAT registration number: write GB followed by nine digits, "
                           "e.g. GB123456789, or leave it blank if the supplier is not VAT registered."}
        )
    return text


def _terms(value) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= MAX_TERMS:
        raise ValidationError(
            {"payment_terms_days": f"Give the payment terms as a whole number of days from 0 to {MAX_TERMS}, "
                                   f"not '{value}' (30 is usual)."}
        )
    return days


@transaction.atomic
def supplier_create(*, organisation: Organisation, by, vat_number: str = "", payment_terms_days=30) -> Supplier:
    """Record an existing organisation as a supplier. Its bank details stay on the organisation, verified by a
    second person there (``grants.organisations``); nothing is paid to it until they are."""
    require_role(by, FINANCE_OFFICERS, doing="record suppliers")
    errors = {}
    try:
        vat = normalise_vat_number(vat_number)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        days = _terms(payment_terms_days)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if Supplier.objects.filter(organisation_id=organisation.pk).exists():
        raise ValidationError(
            {"organisation": f"{organisation.name} is already a supplier; open it from the suppliers list."}
        )
    supplier = Supplier(organisation=organisation, vat_number=vat, payment_terms_days=days, created_by=by)
    save_with_history(supplier, by=by, reason="Supplier recorded")
    record_event("supplier.created", by=by, obj=supplier,
                 summary=f"{organisation.name} recorded as a supplier ({days} days' terms)")
    return supplier
