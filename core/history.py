"""Every record's history page: who changed what, when and why, with the values before and after.

One generic view works for any model tracked by django-simple-history in the domain apps: it reads the record's
historical rows (newest first) and shows them as the one history-diff engine (``core.changes``) reads them
(labels, readable values, sensitive fields masked), with the business events (``core.models.Event``) written for
the same record. Related objects named in the values are fetched in one query per related model, whatever the
number of changes.
"""

from django.apps import apps
from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from core.changes import RecordChange, diff_records
from core.listing import paginate
from core.models import Event
from core.permissions import role_required
from core.roles import EVERY_ROLE

# Apps whose models have a history page. (Ledger entries are append-only and carry no history of their own.)
HISTORY_APPS = ("funds", "income", "grants", "corporate", "spending", "payments", "banking", "monitoring",
                "documents", "transparency")

# Some records are not visible to everyone (e.g. a grant still in draft): apps register a function
# ``scope(user, queryset) -> queryset`` for such models, keyed by their label ("grants.grant").
_scopes = {}


def register_scope(model_label: str, scope) -> None:
    _scopes[model_label.lower()] = scope


def tracked_model(app_label: str, model_name: str):
    """The live model for a history URL, or 404 when it is not a tracked domain model."""
    if app_label not in HISTORY_APPS:
        raise Http404("There is no history for that kind of record.")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404("There is no history for that kind of record.")
    if not hasattr(model, "history") or model._meta.abstract:
        raise Http404("There is no history for that kind of record.")
    return model


def history_rows(model, records: list) -> list[RecordChange]:
    """``records`` (newest first) as changes (core.changes), each compared with the one before it. ``records``
    should include one record older than the page, when there is one, so the oldest shown can be compared (the
    caller leaves that one out)."""
    return diff_records(model, records)


@role_required(*EVERY_ROLE)
def object_history(request, app_label: str, model_name: str, pk: int):
    model = tracked_model(app_label, model_name)
    label = model._meta.label_lower
    live = model._default_manager.filter(pk=pk)
    if label in _scopes:
        live = _scopes[label](request.user, live)
        if not live.exists():
            raise Http404("No such record.")
    records = model.history.filter(**{model._meta.pk.attname: pk}).order_by("-history_date", "-history_id")
    page = paginate(request, records, per_page=30)
    if not page.paginator.count:
        raise Http404("No such record.")
    start = page.start_index() - 1
    window = list(records[start : start + len(page.object_list) + 1])
    rows = history_rows(model, window)[: len(page.object_list)]
    obj = live.first()
    events = Event.objects.filter(object_type=label, object_id=str(pk)).select_related("actor")[:100]
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(
        request,
        "core/history.html",
        {
            "obj": obj,
            "title": str(obj) if obj is not None else f"{model._meta.verbose_name} #{pk}",
            "kind": model._meta.verbose_name,
            "rows": rows,
            "page_obj": page,
            "events": events,
            "back": back,
        },
    )


def history_url_for(obj) -> str:
    from django.urls import reverse

    return reverse("history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])
