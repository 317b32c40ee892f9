import pytest
from django.contrib import admin
from django.urls import reverse

from grants.models import BankDetails, Clawback, Grant, Instalment, Payment


@pytest.mark.parametrize("model", [Grant, Payment, Clawback, Instalment, BankDetails])
def test_money_moving_and_deciding_records_are_read_only_in_admin(model, rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_admin_pages_open_and_hide_the_full_account_number(client, admin_user, payable_grant, org):
    client.force_login(admin_user)
    for name in ("grants_grant_changelist", "grants_organisation_changelist", "grants_bankdetails_changelist",
                 "grants_instalment_changelist", "grants_checktype_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200
    page = client.get(reverse("admin:grants_grant_change", args=[payable_grant.pk]))
    assert page.status_code == 200 and b"Brindley Survivors Trust" in page.content
    page = client.get(reverse("admin:grants_organisation_change", args=[org.pk])).content.decode()
    assert "******19" in page and "31926819" not in page and "20-45-77" not in page


def test_organisation_numbers_cannot_be_edited_in_admin(rf, admin_user, org):
    request = rf.get("/")
    request.user = admin_user
    readonly = admin.site._registry[type(org)].get_readonly_fields(request, org)
    assert {"charity_number", "company_number", "identifier"} <= set(readonly)
