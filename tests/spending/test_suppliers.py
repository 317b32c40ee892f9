"""Recording a supplier: an existing organisation, its VAT number and payment terms."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spending.models import Supplier
from spending.suppliers import supplier_create
from tests.spending.conftest import db_state


def test_an_officer_records_an_organisation_as_a_supplier(organisation, officer):
    supplier = supplier_create(organisation=organisation, vat_number="gb 123 4567 89", payment_terms_days="14",
                               by=officer)
    assert supplier.organisation == organisation
    assert supplier.vat_number == "GB123456789"
    assert supplier.payment_terms_days == 14
    assert supplier.history.count() == 1


def test_a_supplier_without_vat_registration_has_a_blank_number(organisation, officer):
    assert supplier_create(organisation=organisation, by=officer).vat_number == ""


@pytest.mark.parametrize("vat", ["GB12345678", "FR123456789", "GB1234567890", "GBABCDEFGHI"])
def test_a_vat_number_that_is_not_gb_and_nine_digits_is_refused(organisation, officer, vat):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        supplier_create(organisation=organisation, vat_number=vat, by=officer)
    assert refused.value.message_dict["vat_number"][0] == (
        f"'{vat}' is not a UK VAT registration number: write GB followed by nine digits, e.g. GB123456789, or "
        "leave it blank if the supplier is not VAT registered.")
    assert db_state() == before


def test_payment_terms_beyond_120_days_are_refused(organisation, officer):
    with pytest.raises(ValidationError) as refused:
        supplier_create(organisation=organisation, payment_terms_days=180, by=officer)
    assert "from 0 to 120" in refused.value.message_dict["payment_terms_days"][0]
    assert not Supplier.objects.exists()


def test_an_organisation_is_a_supplier_once(supplier, organisation, officer):
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        supplier_create(organisation=organisation, by=officer)
    assert refused.value.message_dict["organisation"] == [
        "Pennine Helpline Ltd is already a supplier; open it from the suppliers list."]
    assert db_state() == before


def test_only_finance_officers_record_suppliers(organisation, commissioner):
    with pytest.raises(PermissionDenied, match="Only finance officers may record suppliers."):
        supplier_create(organisation=organisation, by=commissioner)
