"""A provider of another organisation reaches nothing of this one: for every portal URL that takes an object id
(found by walking the URL resolver's ``portal`` namespace, so a new URL cannot be missed), GET and POST are answered
404, exactly as for an object that does not exist (never 403: that would reveal that it exists), and nothing is
written."""

from datetime import date

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import Event
from core.roles import PROVIDER
from grants.models import Grant, MonitoringReturn, ProviderAccount, ReturnValue
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from portal.messaging import portal_message_send
from portal.models import Invitation, PortalMessage
from tests.portal.conftest import make_grant, signed_in

pytestmark = pytest.mark.django_db
MISSING = 987654


def portal_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every URL in the ``portal`` namespace, however deeply included."""
    found = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}:{p.namespace}" if namespace and p.namespace
                     else (p.namespace or namespace))
            elif isinstance(p, URLPattern) and namespace == "portal":
                found.append((f"portal:{p.name}", p))

    walk(get_resolver().url_patterns)
    return found


def provider_urls_with_ids() -> list[str]:
    return sorted(name for name, p in portal_patterns()
                  if getattr(p.callback, "required_roles", None) == (PROVIDER,) and p.pattern.converters)


@pytest.fixture
def brindley(org, service, officer, commissioner, funded_core, year, approved_grant, measures):
    """Brindley's records: a grant offered (not yet accepted), a grant running whose Q1 return can be sent, and a
    message."""
    running = make_grant(org, service, officer, [(funded_core, year, "30000.00")], title="Helpline")
    grant_submit(grant=running, by=officer)
    grant_approve(grant=running, by=commissioner, on=date(2025, 5, 1))
    grant_offer_accept(grant=running, accepted_on=date(2025, 5, 12), by=officer)
    message = portal_message_send(organisation=org, subject="Welcome", body="Hello Brindley.", by=officer)
    return {"offered": approved_grant, "running": running, "message": message, "measures": measures}


def kwargs_and_data(name: str, w: dict, *, missing: bool = False) -> tuple[dict, dict]:
    """The URL kwargs pointing at Brindley's object (or at no object), and a POST that would act if it were let
    through. Every provider URL with an id must be here: a new one fails ``test_every_provider_url_is_covered``."""
    def pk(obj):
        return MISSING if missing else obj.pk

    measures = w["measures"]
    table = {
        "portal:grant": ({"pk": pk(w["offered"])}, {}),
        "portal:offer_accept": ({"pk": pk(w["offered"])}, {"confirm": "on"}),
        "portal:return_submit": ({"pk": pk(w["running"]), "year_start": 2025, "quarter": 1},
                                 {"spend_reported": "100.00", "rag": "green", f"measure_{measures[0].pk}": "3"}),
        "portal:message_read": ({"pk": pk(w["message"])}, {}),
    }
    return table[name]


def state() -> dict:
    counts = {model._meta.label: model.objects.count()
              for model in (MonitoringReturn, ReturnValue, ProviderAccount, PortalMessage, Invitation, Event)}
    counts["grant history"] = Grant.history.count()
    counts["statuses"] = sorted(Grant.objects.values_list("pk", "status"))
    counts["read"] = sorted(PortalMessage.objects.values_list("pk", "read_at"))
    try:
        counts["bank change requests"] = apps.get_model("grants", "BankChangeRequest").objects.count()
    except LookupError:
        pass
    return counts


def test_every_provider_url_is_covered():
    names = provider_urls_with_ids()
    assert names, "the walk found no portal URL with an id"
    w = {"offered": Grant(pk=1), "running": Grant(pk=2), "message": PortalMessage(pk=3), "measures": [Grant(pk=4)]}
    for name in names:
        kwargs_and_data(name, w)  # a KeyError names a portal URL the cross-organisation test does not cover


def test_a_provider_of_another_organisation_gets_404_and_writes_nothing(brindley, provider, other_provider):
    outsider = signed_in(other_provider)
    owner = signed_in(provider)
    wrong = []
    for name in provider_urls_with_ids():
        kwargs, data = kwargs_and_data(name, brindley)
        url = reverse(name, kwargs=kwargs)
        missing_url = reverse(name, kwargs=kwargs_and_data(name, brindley, missing=True)[0])
        not_there = outsider.get(missing_url).status_code
        before = state()
        got_get, got_post = outsider.get(url).status_code, outsider.post(url, data).status_code
        if got_get != not_there or got_get not in (404, 405):
            wrong.append(f"GET {url} ({name}): {got_get}, as for no object: {not_there}")
        if got_post != 404:
            wrong.append(f"POST {url} ({name}): {got_post}, expected 404")
        if state() != before:
            wrong.append(f"{name}: something was written")
        if owner.get(url).status_code in (403, 404):
            wrong.append(f"GET {url} ({name}): the organisation's own provider cannot open it either")
    assert wrong == []


def test_the_organisations_own_provider_acts_through_the_same_urls(brindley, provider):
    """The control of the test above: the same POSTs by Brindley's provider do act."""
    owner = signed_in(provider)
    before = state()
    for name in provider_urls_with_ids():
        kwargs, data = kwargs_and_data(name, brindley)
        owner.post(reverse(name, kwargs=kwargs), data)
    assert state() != before
    assert Grant.objects.get(pk=brindley["offered"].pk).status == Grant.Status.OFFER_ACCEPTED
    assert MonitoringReturn.objects.filter(grant=brindley["running"], submitted_through_portal=True).exists()
