"""Delegated limits: the largest payment run each person may authorise, held as data (the scheme of delegation).

Only a finance director sets a limit, never their own; a limit is for a finance officer or a finance director (the
people who authorise runs). Each change is kept in the limit's history, with who set it and why."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount, quantize
from core.roles import FINANCE_DIRECTORS, OFFICERS_AND_DIRECTORS, has_role, require_role
from payments.models import DelegatedLimit


def person_name(user) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def delegated_limit_set(*, user, amount, by, note: str = "") -> DelegatedLimit:
    """Set (or change) the largest run ``user`` may authorise, as the scheme of delegation says. Zero is allowed: it
    withdraws the authority while keeping the record. A finance director sets it, never their own; the back-office
    administrator records a finance director's (nobody above them uses Ringfence)."""
    if not getattr(by, "is_superuser", False):
        require_role(by, FINANCE_DIRECTORS, doing="set delegated limits")
    if user is None or not getattr(user, "pk", None):
        raise ValidationError({"user": "Choose the person whose limit is being set."})
    if user.pk == by.pk:
        raise ValidationError(
            {"user": "Nobody sets their own delegated limit; another finance director must set yours."}
        )
    if not has_role(user, *OFFICERS_AND_DIRECTORS):
        raise ValidationError(
            {"user": f"{person_name(user)} is not a finance officer or finance director, who are the only people "
                     "who authorise payment runs; give them one of those roles first."}
        )
    try:
        value = parse_amount(amount, field="amount", allow_zero=True)
    except ValidationError as error:
        raise ValidationError({"amount": error.messages})
    note = (note or "").strip()[:300]
    found = lock(DelegatedLimit.objects.filter(user=user))
    limit = found[0] if found else DelegatedLimit(user=user)
    before = None if not found else limit.amount.amount
    limit.amount, limit.set_by, limit.note = gbp(value), by, note
    change = (f"from {format_gbp(before)} to {format_gbp(value)}" if before is not None
              else f"set at {format_gbp(value)}")
    save_with_history(limit, by=by, reason=note or f"Delegated limit {change}")
    record_event("payments.limit_set", by=by, obj=limit, reason=note,
                 summary=f"Delegated limit of {person_name(user)} {change}",
                 data={"user": user.pk, "amount": str(value), "before": None if before is None else str(before)})
    return limit


def delegated_limit(user) -> Decimal | None:
    """The largest run ``user`` may authorise, or None when no limit has been set for them."""
    amount = DelegatedLimit.objects.filter(user_id=getattr(user, "pk", None)).values_list("amount", flat=True).first()
    return None if amount is None else quantize(amount)


def limits_covering(total: Decimal, *, excluding=()) -> list[tuple[object, Decimal]]:
    """The people (with their limits, largest first) whose limit covers ``total``, leaving out ``excluding``
    (user ids: for a run, its preparer) and anyone no longer a finance officer or director."""
    rows = (DelegatedLimit.objects.filter(amount__gte=total).exclude(user_id__in=list(excluding))
            .select_related("user").prefetch_related("user__groups").order_by("-amount", "user__username"))
    covering = []
    for row in rows:
        roles = {g.name for g in row.user.groups.all()}
        if row.user.is_active and roles & set(OFFICERS_AND_DIRECTORS):
            covering.append((row.user, row.amount.amount))
    return covering
