"""Every record's history page: who changed what, when and why, with the values before and after.

One generic view works for any model tracked by django-simple-history in the domain apps: it reads the record's
historical rows (newest first), compares each with the one before it field by field, and shows the business
events (``core.models.Event``) written for the same record. Related objects named in the values are fetched in one
query per related model, whatever the number of changes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from djmoney.models.fields import CurrencyField
from djmoney.money import Money

from core.listing import paginate
from core.models import Event
from core.money import format_gbp
from core.permissions import role_required
from core.roles import EVERY_ROLE

# Apps whose models have a history page. (Ledger entries are append-only and carry no history of their own.)
HISTORY_APPS = ("funds", "income", "grants")
SKIPPED_FIELDS = {"id"}
EMPTY = "—"

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


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryRow:
    record: object
    kind: str
    changes: list[Change] = field(default_factory=list)


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and not isinstance(f, CurrencyField)]


def _display(f, value, related) -> str:
    if value is None or value == "":
        return EMPTY
    if f.is_relation:
        obj = related.get(f.related_model, {}).get(value)
        if obj is None:
            return f"#{value} (no longer exists)"
        if hasattr(obj, "get_full_name"):
            return obj.get_full_name() or obj.get_username()
        return str(obj)
    if isinstance(value, Money):
        return format_gbp(value.amount)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def history_rows(model, records: list) -> list[HistoryRow]:
    """Rows for ``records`` (newest first), each compared with the one before it. ``records`` should include one
    record older than the page, when there is one, so the oldest shown can be compared; it is not returned."""
    fields = _fields(model)
    ids: dict = {}
    for f in fields:
        if f.is_relation:
            ids.setdefault(f.related_model, set()).update(
                getattr(r, f.attname) for r in records if getattr(r, f.attname) is not None
            )
    related = {m: m._default_manager.in_bulk(list(pks)) for m, pks in ids.items() if pks}
    rows = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        kind = {"+": "Created", "~": "Changed", "-": "Deleted"}.get(record.history_type, record.history_type)
        row = HistoryRow(record=record, kind=kind)
        for f in fields:
            after = getattr(record, f.attname)
            if older is None:
                if after not in (None, "") and record.history_type == "+":
                    row.changes.append(Change(str(f.verbose_name).capitalize(), EMPTY, _display(f, after, related)))
                continue
            before = getattr(older, f.attname)
            if before != after:
                row.changes.append(
                    Change(str(f.verbose_name).capitalize(), _display(f, before, related), _display(f, after, related))
                )
        rows.append(row)
    return rows


@role_required(*EVERY_ROLE)
def object_history(request, app_label: str, model_name: str, pk: int):
    model = tracked_model(app_label, model_name)
    label = model._meta.label_lower
    live = model._default_manager.filter(pk=pk)
    if label in _scopes:
        live = _scopes[label](request.user, live)
        if not live.exists():
            raise Http404("No such record.")
    records = model.history.filter(**{model._meta.pk.attname: pk}).select_related("history_user")
    records = records.order_by("-history_date", "-history_id")
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
