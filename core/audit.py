"""Attribution for every write: the acting user and the reason, on history rows and business events.

django-simple-history's middleware only knows the user during a web request. Services are also called from
commands, the admin and tests, so they pass the user and reason explicitly through these helpers.
"""

from django.contrib.auth.models import AbstractBaseUser

from core.models import Event


def save_with_history(obj, *, by: AbstractBaseUser | None, reason: str, clean: bool = True):
    """Validate and save a domain row, recording who changed it and why on its history row."""
    obj._history_user = by
    obj._change_reason = reason[:100]
    if clean:
        obj.full_clean()
    obj.save()
    return obj


def record_event(kind: str, *, by, obj=None, summary: str, reason: str = "", data: dict | None = None) -> Event:
    return Event.objects.create(
        kind=kind,
        actor=by,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        reason=reason,
        data=data or {},
    )
