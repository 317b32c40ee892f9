"""Attribution for every write: the acting user and the reason, on history rows and business events.

django-simple-history's middleware only knows the user during a web request. Services are also called from
commands, the admin and tests, so they pass the user and reason explicitly through these helpers.

A caller that records thousands of rows in one transaction (the income import) may ask, with
``attribution_deferred``, for the history rows and events to be written in bulk when its block ends, instead of
one round trip each as each row is saved.
"""

import copy
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import groupby

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from core.models import Event

# Within ``attribution_deferred``: what the block has saved, in order, as ("history", update, row) and
# ("event", None, event).
_deferred: ContextVar[list | None] = ContextVar("core_audit_deferred", default=None)
BULK_BATCH = 500


def fields_validate(obj) -> None:
    """``full_clean`` without a query: each field's own rules and the model's ``clean()``, but not what Django asks
    the database (one query per foreign key, unique field and constraint, several round trips a row).

    For a caller that records many rows in one transaction (the income import) and has itself made sure, under its
    locks, that each foreign key points at a row and the unique fields and constraints hold; it then saves with
    ``clean=False``. The database still enforces every constraint, whoever saves. Refuses as ``full_clean`` does,
    in the same words."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def save_with_history(obj, *, by: AbstractBaseUser | None, reason: str, clean: bool = True):
    """Validate and save a domain row, recording who changed it and why on its history row."""
    obj._history_user = by
    obj._change_reason = reason[:100]
    if clean:
        obj.full_clean()
    deferred = _deferred.get()
    if deferred is None or not hasattr(obj._meta, "simple_history_manager_attribute"):
        obj.save()
        return obj
    update = not obj._state.adding
    obj.skip_history_when_saving = True  # django-simple-history's own switch: no history row from this save
    try:
        obj.save()
    finally:
        del obj.skip_history_when_saving
    row = copy.copy(obj)  # the row as saved, whatever happens to ``obj`` next
    row._history_date = timezone.now()  # the moment simple-history would have stamped on its history row
    deferred.append(("history", update, row))
    return obj


def record_event(kind: str, *, by, obj=None, summary: str, reason: str = "", data: dict | None = None) -> Event:
    """Record a business event. Within ``attribution_deferred`` the event is returned unsaved and written when the
    block ends."""
    event = Event(
        kind=kind,
        actor=by,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        reason=reason,
        data=data or {},
    )
    deferred = _deferred.get()
    if deferred is None:
        event.save(force_insert=True)
    else:
        deferred.append(("event", None, event))
    return event


@contextmanager
def attribution_deferred():
    """Within the block, ``save_with_history`` and ``record_event`` keep the history rows and events they would
    write, and write them in bulk, in the order they were made, when the block ends without an error (a block that
    ends in an error writes none: its transaction is to be rolled back). Two round trips a row fewer, and none of
    django-simple-history's per-save work, for a caller that records many rows in one transaction.

    Each history row holds the row as it was saved, by whom, why and when, as simple-history would have written it
    at the save. An event's ``at`` is the moment the block writes it, seconds later at most, before the block's
    own summary event and in the same transaction. Use it only inside a transaction, and only where nothing in the
    block reads the history or events it makes, and where a row saved in the block is never undone on its own while
    the block goes on to end well (the income import: a refused row refuses the whole file)."""
    if _deferred.get() is not None:  # inside a block already: the outer one writes
        yield
        return
    kept: list = []
    token = _deferred.set(kept)
    try:
        yield
    finally:
        _deferred.reset(token)
    _write(kept)


def _write(kept: list) -> None:
    """Write what ``attribution_deferred`` kept: the events in one bulk insert per ``BULK_BATCH``, the history rows
    with django-simple-history's ``bulk_history_create``, a run of one model and kind (added or changed) at a time."""
    Event.objects.bulk_create([item for what, _, item in kept if what == "event"], batch_size=BULK_BATCH)
    histories = [(update, row) for what, update, row in kept if what == "history"]
    for (model, update), run in groupby(histories, key=lambda pair: (type(pair[1]), pair[0])):
        manager = getattr(model, model._meta.simple_history_manager_attribute)
        manager.bulk_history_create([row for _, row in run], batch_size=BULK_BATCH, update=update)
