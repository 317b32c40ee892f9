"""A grant's story, read back: every history row of the grant and of everything that belongs to it, merged with
the business events the services recorded, in the order they happened. Who, when, what, why, and the values
before and after each change.

The number of queries is fixed (one per history table, one for events, one per kind of related row named in the
changes), whatever the length of the story.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from core.models import Event
from core.money import format_gbp

HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
                  "history_relation"}
SKIPPED = {"id", "created_at", "recorded_at", "entered_at", "requested_at", "submitted_at"}
ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: object  # a User, or None for the system
    what: str
    why: str = ""
    changes: list[Change] = field(default_factory=list)
    kind: str = "change"  # "change" (a history row) or "event" (a business event)
    object_label: str = ""

    @property
    def who_name(self) -> str:
        if self.who is None:
            return "system"
        return self.who.get_full_name() or self.who.get_username()


def _children():
    from grants.models import (
        AnnualReview,
        Clawback,
        FundingLine,
        GrantCheck,
        GrantVariation,
        Instalment,
        MonitoringReturn,
        OutcomeTarget,
        Payment,
    )

    return [FundingLine, GrantCheck, Instalment, Payment, Clawback, GrantVariation, MonitoringReturn, OutcomeTarget,
            AnnualReview]


def _label(obj) -> str:
    from grants.models import BankDetails, FundingLine, Instalment
    from ledger.models import JournalEntry

    if isinstance(obj, FundingLine):
        return f"{obj.fund.code} {obj.year.label}"
    if isinstance(obj, Instalment):
        return f"Q{obj.quarter} {obj.year.label}"
    if isinstance(obj, JournalEntry):
        return f"journal {obj.reference}"
    if isinstance(obj, BankDetails):
        return f"{obj.sort_code} {obj.masked_account_number}"
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


_SELECT = {"grants.fundingline": ("fund", "year"), "grants.instalment": ("year",), "ledger.journalentry": ("year",),
           "grants.outcomemeasure": ("fund",), "grants.grantvariation": ("grant",)}


def _tracked_fields(model) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields
        if f.name not in SKIPPED and not f.name.endswith("_currency")
    ]


def _display(f: models.Field, value, related: dict) -> str:
    if value is None or value == "":
        return ""
    if f.is_relation:
        obj = related.get(f.related_model._meta.label_lower, {}).get(value)
        return _label(obj) if obj is not None else f"#{value}"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if hasattr(value, "amount"):  # a Money value
        return format_gbp(value.amount)
    return str(value)


def grant_timeline(grant) -> list[TimelineEntry]:
    """Everything that happened to ``grant`` and the rows that belong to it, oldest first."""
    from grants.models import Grant, GrantVariation, MonitoringReturn, ReturnValue, VariationLine

    sources: list[tuple[type, list]] = []
    sources.append((Grant, list(Grant.history.filter(id=grant.pk).order_by("history_date", "history_id"))))
    child_ids: dict[str, set] = defaultdict(set)
    child_ids["grants.grant"].add(grant.pk)
    for model in _children():
        rows = list(model.history.model.objects.filter(grant_id=grant.pk).order_by("history_date", "history_id"))
        sources.append((model, rows))
        child_ids[model._meta.label_lower].update(r.id for r in rows)
    for model, parent, key in ((VariationLine, GrantVariation, "variation_id"),
                               (ReturnValue, MonitoringReturn, "monitoring_return_id")):
        parents = child_ids[parent._meta.label_lower]
        history = model.history.model.objects.filter(**{f"{key}__in": parents})
        rows = list(history.order_by("history_date", "history_id"))
        sources.append((model, rows))

    # Everything the changes refer to, fetched once per related model.
    wanted: dict[str, set] = defaultdict(set)
    user_model = get_user_model()
    for model, rows in sources:
        for f in _tracked_fields(model):
            if f.is_relation:
                label = f.related_model._meta.label_lower
                wanted[label].update(getattr(r, f.attname) for r in rows if getattr(r, f.attname) is not None)
        wanted[user_model._meta.label_lower].update(r.history_user_id for r in rows if r.history_user_id)
    events = list(Event.objects.filter(
        Q(*[Q(object_type=label, object_id__in=[str(i) for i in ids]) for label, ids in child_ids.items() if ids],
          _connector=Q.OR)
    ).order_by("at", "id"))
    wanted[user_model._meta.label_lower].update(e.actor_id for e in events if e.actor_id)
    related = {}
    from django.apps import apps

    for label, ids in wanted.items():
        if not ids:
            continue
        model = apps.get_model(label)
        qs = model._default_manager.select_related(*_SELECT.get(label, ()))
        related[label] = qs.in_bulk(list(ids))
    users = related.get(user_model._meta.label_lower, {})

    entries: list[TimelineEntry] = []
    for model, rows in sources:
        fields = _tracked_fields(model)
        name = model._meta.verbose_name
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            for f in fields:
                new = getattr(row, f.attname)
                old = getattr(before, f.attname) if before is not None else None
                if before is None and row.history_type == "+" and (new is None or new == "" or new is False):
                    continue
                if row.history_type == "-" or (before is not None and old == new):
                    continue
                label = f.verbose_name
                changes.append(Change(label, _display(f, old, related) if before is not None else "",
                                      _display(f, new, related)))
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue  # a save that changed nothing
            object_label = f"{name} {row.id}" if model is not Grant else grant.reference
            entries.append(TimelineEntry(
                at=row.history_date, who=users.get(row.history_user_id),
                what=f"{name.capitalize()} {ACTIONS[row.history_type]}",
                why=row.history_change_reason or "", changes=changes, kind="change", object_label=object_label,
            ))
    for event in events:
        entries.append(TimelineEntry(at=event.at, who=users.get(event.actor_id), what=event.summary,
                                     why=event.reason, kind="event", object_label=event.kind))
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "change" else 1))
    return entries
