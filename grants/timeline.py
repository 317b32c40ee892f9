"""A grant's story, read back: every history row of the grant and of everything that belongs to it, merged with
the business events the services recorded, in the order they happened. Who, when, what, why, and the values
before and after each change, as the one history-diff engine (``core.changes``) reads them.

The number of queries is fixed (one per history table, one for events, one per kind of related row named in the
changes), whatever the length of the story.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from core.changes import FieldChange, Names, diff_history, person_name
from core.models import Event

ACTIONS = {"Created": "added", "Changed": "changed", "Deleted": "deleted"}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: object  # a User, or None for the system
    what: str
    why: str = ""
    changes: tuple[FieldChange, ...] = field(default_factory=tuple)  # labels and values from core.changes
    kind: str = "change"  # "change" (a history row) or "event" (a business event)
    object_label: str = ""

    @property
    def who_name(self) -> str:
        return person_name(self.who)


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


def grant_timeline(grant) -> list[TimelineEntry]:
    """Everything that happened to ``grant``, the rows that belong to it and, from the grant's start, the bank
    details of its organisation (where its money goes; shown masked), oldest first."""
    from grants.models import BankDetails, Grant, GrantVariation, MonitoringReturn, ReturnValue, VariationLine

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
    bank = BankDetails.history.filter(organisation_id=grant.organisation_id)
    sources.append((BankDetails, list(bank.order_by("history_date", "history_id"))))

    events = list(Event.objects.filter(
        Q(*[Q(object_type=label, object_id__in=[str(i) for i in ids]) for label, ids in child_ids.items() if ids],
          _connector=Q.OR)
    ).order_by("at", "id"))
    names = Names()
    names.want(get_user_model(), (e.actor_id for e in events))
    diffs = diff_history(sources, names=names)

    entries: list[TimelineEntry] = []
    began = sources[0][1][0].history_date if sources[0][1] else None
    for (model, _rows), changes in zip(sources, diffs, strict=True):
        name = model._meta.verbose_name
        for change in changes:
            if change.changed_nothing:
                continue  # a save that changed nothing
            if model is BankDetails and (began is None or change.at < began):
                continue  # compared with what came before, shown from the grant's start
            if model is Grant:
                object_label = grant.reference
            elif model is BankDetails:
                object_label = f"{grant.organisation.name}'s bank details"
            else:
                object_label = f"{name} {change.object_id}"
            entries.append(TimelineEntry(
                at=change.at, who=change.who, what=f"{name.capitalize()} {ACTIONS[change.action]}",
                why=change.why, changes=change.changes, kind="change", object_label=object_label,
            ))
    for event in events:
        entries.append(TimelineEntry(at=event.at, who=names.users.get(event.actor_id), what=event.summary,
                                     why=event.reason, kind="event", object_label=event.kind))
    entries.sort(key=lambda e: (e.at, 0 if e.kind == "change" else 1))
    return entries
