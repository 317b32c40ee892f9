"""A grant's service category (what funder returns report spending by): chosen when drafting or editing a draft,
and set at any later point with a reason, by finance officers only; a retired category is not given to a grant."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import save_with_history
from core.models import Event
from grants.awards import grant_service_category_set, grant_update
from grants.models import Grant, ServiceCategory
from tests.grants.conftest import make_grant
from tests.web.conftest import signed_in, text


@pytest.fixture
def isva(db):
    return ServiceCategory.objects.filter(code="isva").first() or ServiceCategory.objects.create(
        code="isva", name="ISVA (independent sexual violence advisers)")


@pytest.fixture
def retired(officer):
    category = ServiceCategory.objects.create(code="outreach-old", name="Outreach (retired)")
    category.is_active = False
    save_with_history(category, by=officer, reason="Merged into other services")
    return category


def test_the_migration_seeds_the_standard_categories(db):
    assert {"isva", "idva", "counselling", "helpline", "refuge", "restorative-justice", "other"} <= set(
        ServiceCategory.objects.values_list("code", flat=True))
    assert ServiceCategory.history.filter(code="refuge", history_type="+").exists()


def test_a_draft_takes_a_category_and_its_edit_changes_it(org, service, officer, funded_core, year, isva, retired):
    grant = make_grant(org, service, officer, [(funded_core, year, "1000.00")], service_category=isva)
    assert grant.service_category == isva
    grant_update(grant=grant, by=officer, service_category=None)
    assert Grant.objects.get(pk=grant.pk).service_category is None
    with pytest.raises(ValidationError) as refused:
        grant_update(grant=grant, by=officer, service_category=retired)
    message = refused.value.message_dict["service_category"][0]
    assert "'Outreach (retired)' is no longer in use" in message and isva.name in message


def test_an_approved_grant_is_categorised_with_a_reason_kept_in_its_history(approved_grant, officer, isva):
    grant = grant_service_category_set(grant=approved_grant, service_category=isva, by=officer,
                                       reason="Categorised for the MoJ return")
    assert grant.service_category == isva and grant.status == Grant.Status.APPROVED
    assert grant.history.first().history_change_reason == "Categorised for the MoJ return"
    assert Event.objects.filter(kind="grant.category_set", object_id=str(grant.pk)).exists()


@pytest.mark.parametrize("who,reason,error", [
    ("officer", "", "Say why the category is set"),
    ("officer", "Again", "is already in ISVA"),
    ("commissioner", "Categorised", "Only finance officers may set a grant's service category."),
])
def test_setting_a_category_is_refused_writing_nothing(approved_grant, officer, commissioner, isva, who, reason,
                                                       error, unchanged_database):
    grant_service_category_set(grant=approved_grant, service_category=isva, by=officer, reason="First")
    people = {"officer": officer, "commissioner": commissioner}
    with unchanged_database(), pytest.raises((ValidationError, PermissionDenied)) as refused:
        grant_service_category_set(grant=approved_grant, service_category=isva, by=people[who], reason=reason)
    assert error in " ".join(getattr(refused.value, "messages", [str(refused.value)]))


def test_the_grant_page_shows_the_category_and_officers_change_it(approved_grant, officer, commissioner, isva):
    client = signed_in(officer)
    assert "Service category Not categorised Change the service category" in text(
        client.get(f"/grants/{approved_grant.pk}/"))
    response = client.post(f"/grants/{approved_grant.pk}/category/",
                           {"service_category": isva.pk, "reason": "Categorised for the MoJ return"})
    assert response["Location"] == f"/grants/{approved_grant.pk}/"
    assert f"Service category {isva.name}" in text(client.get(response["Location"]))
    assert signed_in(commissioner).get(f"/grants/{approved_grant.pk}/category/").status_code == 403


def test_the_draft_form_offers_the_categories_in_use(officer, draft_grant, isva, retired):
    page = signed_in(officer).get(f"/grants/{draft_grant.pk}/edit/").content.decode()
    assert isva.name in page and "Outreach (retired)" not in page
