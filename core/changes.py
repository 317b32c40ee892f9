"""The one history-diff engine: django-simple-history records turned into changes a person reads.

Every place that shows what changed (a record's history page, a grant's timeline, the "changes in the period"
statement in all its formats, the admin's history view) asks ``diff_history`` and shows what it returns:

- each change's **label** is the model field's verbose name, capitalised ("Account number", never
  ``account_number``);
- **values** read the British way: dates 31/03/2026, moments 31/03/2026 14:05 (UK time), amounts £1,234.56,
  choices by their label, foreign keys by the record's name (``str()``, a person by their full name), booleans
  Yes/No, percentages 18.75%, JSON snapshots as "Start date: 01/04/2025; Lines: MOJ-CORE 2025/26: £60,000.00",
  and **sensitive fields** (declared on the model, see ``core.sensitive``) masked the one way;
- **who**, **when** and **why** (the change reason) come with each record.

A record is compared with the record before it of the same object in the records given; one with none before it
(its creation, or the oldest of a window) lists every value it holds. Names are loaded once per kind of record
named, whatever the number of changes.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from djmoney.models.fields import CurrencyField
from djmoney.money import Money

from core.money import format_gbp
from core.sensitive import shown

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
NOBODY = "system"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True)
class FieldChange:
    name: str  # the field's name, for code (``account_number``)
    label: str  # what a person reads ("Account number")
    before: str  # "" when there was no value (or no version before)
    after: str


@dataclass(frozen=True)
class RecordChange:
    """One history record: what happened to the object, who did it, when, why, and each value that changed."""

    record: object  # the historical record
    model: type  # the live model it records
    action: str  # Created, Changed or Deleted
    who: object  # the User, or None for the system
    changes: tuple[FieldChange, ...]
    has_before: bool = True  # False when no earlier version of the object was given: every value is listed

    @property
    def at(self) -> datetime:
        return self.record.history_date

    @property
    def why(self) -> str:
        return self.record.history_change_reason or ""

    @property
    def object_id(self):
        return getattr(self.record, self.model._meta.pk.attname)

    @property
    def who_name(self) -> str:
        return person_name(self.who)

    @property
    def changed_nothing(self) -> bool:
        return self.action == "Changed" and not self.changes

    def change(self, name: str) -> FieldChange | None:
        return next((c for c in self.changes if c.name == name), None)


def person_name(user) -> str:
    if user is None:
        return NOBODY
    return user.get_full_name() or user.get_username()


def field_label(model_field) -> str:
    return capfirst(str(model_field.verbose_name))


def compared_fields(model, skip: Iterable[str] = ()) -> list[models.Field]:
    """The fields whose changes are shown: concrete ones, not the primary key, not django-money's currency
    companions, not timestamps the database sets itself (the record's own moment says when), not ``skip``."""
    skip = set(skip)
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "model"):  # fields the history leaves out (e.g. a file's bytes)
        kept = {f.name for f in history.model._meta.concrete_fields}
        skip |= {f.name for f in model._meta.concrete_fields if f.name not in kept}
    return [
        f for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, CurrencyField) and f.name not in skip
        and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]


class Names:
    """Readable names for the records changes refer to (foreign keys, and who made each change), one query per
    kind of record. Subclass ``fetch`` to name some records differently (e.g. as they were known at a moment)."""

    def __init__(self):
        self._wanted: dict[type, set] = defaultdict(set)
        self._names: dict[type, dict] = defaultdict(dict)
        self.users: dict = {}

    def want(self, model, ids: Iterable) -> None:
        self._wanted[model].update(i for i in ids if i is not None)

    def load(self) -> None:
        user_model = get_user_model()
        for model, ids in self._wanted.items():
            missing = [i for i in ids if i not in self._names[model]]
            if not missing:
                continue
            if model is user_model:
                found = model._base_manager.in_bulk(missing)
                self.users.update(found)
                self._names[model].update({pk: person_name(u) for pk, u in found.items()})
            else:
                self._names[model].update(self.fetch(model, missing))
        self._wanted.clear()

    def fetch(self, model, ids: list) -> dict:
        """``{pk: name}`` for ``ids`` of ``model``: each record's ``str()`` (related rows joined in the query)."""
        rows = model._base_manager.select_related().in_bulk(ids)
        return {pk: str(obj) for pk, obj in rows.items()}

    def name(self, model, pk) -> str:
        found = self._names.get(model, {}).get(pk)
        return found if found is not None else f"{model._meta.verbose_name} #{pk} (no longer exists)"


def _decimal_text(model_field, value: Decimal) -> str:
    if "percent" in model_field.name:
        return f"{value.normalize():f}%"
    return f"{value:,f}"


_FIRST_KEYS = ("start_date", "end_date", "amount", "conditions")


def _key_order(pair) -> tuple:
    key = str(pair[0])
    return (_FIRST_KEYS.index(key) if key in _FIRST_KEYS else len(_FIRST_KEYS), key)


def _json_text(value, nested: bool = False) -> str:
    if isinstance(value, dict):
        parts = []
        # PostgreSQL's jsonb keeps keys in its own order, SQLite in the order written: read them in one order.
        for key, item in sorted(value.items(), key=_key_order):
            key = str(key)
            label = capfirst(key.replace("_", " ")) if _SNAKE.match(key) else key
            parts.append(f"{label}: {_json_text(item, nested=True)}")
        return (", " if nested else "; ").join(parts)
    if isinstance(value, (list, tuple)):
        return ", ".join(_json_text(item, nested=True) for item in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    text = str(value)
    if _ISO_DATE.match(text):
        return f"{date.fromisoformat(text):%d/%m/%Y}"
    if _PLAIN_AMOUNT.match(text):
        return format_gbp(Decimal(text))
    return text


def render_value(model_field, value, names: Names) -> str:
    """``value`` of ``model_field`` as a person reads it ("" when empty). Not masked: see ``shown_value``."""
    if value is None or value == "" or value == {} or value == []:
        return ""
    if model_field.is_relation:
        return names.name(model_field.related_model, value)
    if isinstance(value, Money):
        return format_gbp(value.amount)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return _decimal_text(model_field, value)
    if isinstance(model_field, models.JSONField) or isinstance(value, (dict, list)):
        return _json_text(value)
    return str(value)


def shown_value(model, model_field, value, names: Names) -> str:
    """The value as anyone may see it: rendered, then masked when the model declares the field sensitive."""
    return shown(model, model_field.name, render_value(model_field, value, names))


def _value(record, model_field):
    return getattr(record, model_field.attname)


def _live_model(model):
    return getattr(model, "instance_type", model)


def _diff(model, record, previous, fields, names: Names) -> RecordChange:
    changes = []
    if record.history_type != "-":
        for f in fields:
            after = _value(record, f)
            if previous is None:
                if after in (None, "", {}, []):
                    continue
                changes.append(FieldChange(f.name, field_label(f), "", shown_value(model, f, after, names)))
                continue
            before = _value(previous, f)
            if before != after:
                changes.append(FieldChange(f.name, field_label(f), shown_value(model, f, before, names),
                                           shown_value(model, f, after, names)))
    user_id = record.history_user_id
    return RecordChange(record=record, model=model, action=ACTIONS.get(record.history_type, record.history_type),
                        who=names.users.get(user_id) if user_id else None, changes=tuple(changes),
                        has_before=previous is not None)


def diff_history(
    sources: Iterable[tuple[type, list]], *, skip: dict | None = None, names: Names | None = None,
) -> list[list[RecordChange]]:
    """For each ``(model, history records)`` in ``sources``, the records (in the order given) as changes.

    Each record is compared with the latest earlier record of the same object among those given, so give the
    version before the first one you show when there is one. ``skip`` maps a model to field names left out (e.g.
    the journal entry a workflow links). Names of related records are loaded once, for all sources together."""
    skip = skip or {}
    names = names or Names()
    user_model = get_user_model()
    prepared = []
    for model, records in sources:
        model = _live_model(model)
        records = list(records)
        fields = compared_fields(model, skip.get(model, ()))
        for f in fields:
            if f.is_relation:
                names.want(f.related_model, (_value(r, f) for r in records))
        names.want(user_model, (r.history_user_id for r in records))
        prepared.append((model, records, fields))
    names.load()
    result = []
    for model, records, fields in prepared:
        pk = model._meta.pk.attname
        previous: dict[int, object] = {}
        ordered = sorted(records, key=lambda r: (getattr(r, pk), r.history_date, r.history_id))
        before_of = {}
        for record in ordered:
            before_of[id(record)] = previous.get(getattr(record, pk))
            previous[getattr(record, pk)] = record
        result.append([_diff(model, r, before_of[id(r)], fields, names) for r in records])
    return result


def diff_records(model, records: list, *, skip: Iterable[str] = (), names: Names | None = None) -> list[RecordChange]:
    """``diff_history`` for one model's records."""
    model = _live_model(model)
    return diff_history([(model, records)], skip={model: skip}, names=names)[0]


class HistoryAdminMixin:
    """For a ``SimpleHistoryAdmin``: the admin's history view shows the changes this engine reads (labels, readable
    values, sensitive fields masked) instead of django-simple-history's raw values, and the fields the model
    declares sensitive are never on its change form or a historical version's form."""

    def get_exclude(self, request, obj=None):
        return tuple(super().get_exclude(request, obj) or ()) + tuple(getattr(self.model, "sensitive_fields", ()))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        # The oldest record on the page has no version before it here, so (as in simple-history) it lists nothing.
        for change in diff_records(self.model, records)[:-1]:
            change.record.history_delta_changes = [
                {"field": c.label, "old": c.before or "—", "new": c.after or "—"} for c in change.changes
            ]
