"""core.permissions: each view declares its roles once; the refusal is a page that says why."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.permissions import describe_roles, role_required
from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER
from tests.web.conftest import signed_in, text

MY_NAMESPACES = {"funds", "income", "ledger", "reports", "grants"}


def walk(resolver, namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def test_every_application_view_declares_who_may_open_it():
    views = [(ns, p) for ns, p in walk(get_resolver()) if ns in MY_NAMESPACES or p.name in {"home", "history"}]
    assert len(views) > 20
    undeclared = [f"{ns}:{p.name}" for ns, p in views if not hasattr(p.callback, "required_roles")]
    assert undeclared == []


def test_role_required_refuses_unknown_roles():
    with pytest.raises(ValueError):
        role_required("Treasurer")


def test_describe_roles_reads_as_english():
    assert describe_roles([FINANCE_OFFICER]) == "finance officers"
    assert describe_roles([FINANCE_OFFICER, COMMISSIONER, FINANCE_DIRECTOR]) == (
        "finance officers, commissioners and finance directors"
    )


def test_anonymous_people_are_sent_to_log_in(client, db):
    response = client.get("/funds/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/funds/"


def test_a_refusal_is_a_page_that_says_who_the_page_is_for(commissioner_client):
    response = commissioner_client.get("/budgets/new/")
    assert response.status_code == 403
    page = text(response)
    assert "You cannot do this" in page
    assert (
        "This page is for finance officers. You are signed in as a commissioner, so it is not available to you." in page
    )
    assert "Nothing has been changed." in page


def test_a_person_without_a_role_is_refused_the_funds(db, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-very-long-password-1")
    response = signed_in(nobody).get("/funds/")
    assert response.status_code == 403
    assert "Your account has no Ringfence role" in text(response)


def test_a_service_refusal_by_role_shows_the_same_page(officer_client, year):
    """The view lets finance officers in; the service itself refuses a reopen by anyone but a director."""
    period = year.periods.get(number=1)
    response = officer_client.post(f"/periods/{period.pk}/reopen/", {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    assert "This page is for finance directors." in text(response)
