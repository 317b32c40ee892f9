"""An order's service category (funder returns report supplier spending by it): chosen when raising the order, and
set later with a reason by finance officers; shown on the order's page. Service categories are data in the admin."""

from datetime import date

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError

from grants.models import ServiceCategory
from spending.models import Order
from spending.orders import order_raise, order_service_category_set
from tests.web.conftest import signed_in, text


@pytest.fixture
def helpline(db):
    return ServiceCategory.objects.filter(code="helpline").first() or ServiceCategory.objects.create(
        code="helpline", name="Helpline")


def test_an_order_is_raised_with_its_category_from_the_form(officer, supplier, running_line, helpline):
    response = signed_in(officer).post("/spending/orders/new/", {
        "supplier": supplier.pk, "budget_line": running_line.pk, "kind": "order", "title": "Out-of-hours helpline",
        "start_date": "01/04/2025", "end_date": "31/03/2026", "amount": "1,000.00", "service_category": helpline.pk})
    order = Order.objects.get()
    assert response["Location"] == f"/spending/orders/{order.pk}/" and order.service_category == helpline
    assert "Service category Helpline Change the service category" in text(signed_in(officer).get(
        response["Location"]))


def test_a_retired_category_is_refused_when_raising(officer, supplier, running_line, helpline):
    helpline.is_active = False
    helpline.save()
    with pytest.raises(ValidationError) as refused:
        order_raise(supplier=supplier, budget_line=running_line, title="Helpline", start_date=date(2025, 4, 1),
                    end_date=date(2026, 3, 31), amount="1000.00", by=officer, service_category=helpline)
    assert "'Helpline' is no longer in use" in refused.value.message_dict["service_category"][0]
    assert not Order.objects.exists()


def test_an_approved_order_is_categorised_with_a_reason(contract, officer, commissioner, helpline):
    client = signed_in(officer)
    response = client.post(f"/spending/orders/{contract.pk}/category/", {"service_category": helpline.pk,
                                                                        "reason": ""})
    assert response.status_code == 200 and text(response).startswith("Error:")  # the reason is required
    contract.refresh_from_db()
    assert contract.service_category is None
    order_service_category_set(order=contract, service_category=helpline, reason="For the MoJ return", by=officer)
    contract.refresh_from_db()
    assert contract.service_category == helpline and contract.status == Order.Status.APPROVED
    assert contract.history.first().history_change_reason == "For the MoJ return"
    assert signed_in(commissioner).get(f"/spending/orders/{contract.pk}/category/").status_code == 403


def test_service_categories_are_added_in_the_admin_never_deleted(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[ServiceCategory]
    assert model_admin.has_add_permission(request) and not model_admin.has_delete_permission(request)
