"""Delegated limits: the largest payment run each person may authorise, held as data (the scheme of delegation).

A limit is a control setting: raised by one person alone it would let a run through that the scheme says needs
someone more senior. So it changes in two steps (the rules shared with funds' control settings, ``funds.controls``):

- ``limit_change_propose``: a finance director or commissioner proposes a new limit for a finance officer or
  finance director, with a reason (e.g. the paragraph of the scheme), from £0.00 (withdraws the authority) to
  £10,000,000.00. Never for themselves; one change per person waiting at a time.
- ``limit_change_decide``: a finance director or commissioner who neither proposed it nor holds the limit approves it
  (the limit changes then) or rejects it with a note. Both steps are kept with their history.

``delegated_limit_set`` writes a limit directly: it is what an approved change applies, and what the demo and the
test fixtures use to set limits up. No page, command or admin reaches it.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount, quantize
from core.roles import COMMISSIONERS_AND_DIRECTORS, FINANCE_DIRECTORS, OFFICERS_AND_DIRECTORS, has_role, require_role
from funds.controls import decision_refusal, reason_required, rejection_note
from payments.models import LIMIT_MAXIMUM, DelegatedLimit, LimitChange

PROPOSERS = COMMISSIONERS_AND_DIRECTORS
DECIDERS = COMMISSIONERS_AND_DIRECTORS


def person_name(user) -> str:
    return user.get_full_name() or user.username


def _holder_check(user) -> None:
    if user is None or not getattr(user, "pk", None):
        raise ValidationError({"user": "Choose the person whose limit is being set."})
    if not has_role(user, *OFFICERS_AND_DIRECTORS):
        raise ValidationError(
            {"user": f"{person_name(user)} is not a finance officer or finance director, who are the only people "
                     "who authorise payment runs; give them one of those roles first."}
        )


def limit_amount_parse(amount) -> Decimal:
    """A limit typed by a person, in its allowed range, or a refusal on ``amount`` that says the range."""
    rule = f"A delegated limit is from £0.00 to {format_gbp(LIMIT_MAXIMUM)}"
    if isinstance(amount, str) and amount.strip().startswith(("-", "(")):
        raise ValidationError({"amount": f"{rule}: it cannot be negative; '{amount.strip()}' was given."})
    try:
        value = parse_amount(amount, field="amount", allow_zero=True)
    except ValidationError as error:
        raise ValidationError({"amount": f"{error.message_dict['amount'][0]} {rule}."}) from None
    if value > LIMIT_MAXIMUM:
        raise ValidationError({"amount": f"{rule}; {format_gbp(value)} was given."})
    return value


@transaction.atomic
def delegated_limit_set(*, user, amount, by, note: str = "") -> DelegatedLimit:
    """Write the largest run ``user`` may authorise: what an approved ``LimitChange`` applies, and how the demo and
    fixtures set limits up. Zero withdraws the authority while keeping the record. Only a finance director (or the
    back-office administrator, for the demo's finance director) and never for themselves; pages propose changes
    instead (``limit_change_propose``)."""
    if not getattr(by, "is_superuser", False):
        require_role(by, FINANCE_DIRECTORS, doing="set delegated limits")
    if user is not None and getattr(user, "pk", None) == by.pk:
        raise ValidationError(
            {"user": "Nobody sets their own delegated limit; another finance director must set yours."}
        )
    _holder_check(user)
    value = limit_amount_parse(amount)
    return _limit_write(user=user, value=value, by=by, note=note)


def _limit_write(*, user, value: Decimal, by, note: str) -> DelegatedLimit:
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


# ---- Changes: proposed by one person, approved by another ---------------------------------------------------------


def limit_changes():
    return LimitChange.objects.select_related("user", "proposed_by", "decided_by")


def limit_changes_awaiting():
    """Changes waiting for a decision, oldest first (the deciders' queue)."""
    return limit_changes().filter(status=LimitChange.Status.PROPOSED).order_by("proposed_at", "id")


def limit_decision_refusal(change: LimitChange, by) -> str | None:
    """Why ``by`` may not decide ``change`` now (None: they may, role permitting)."""
    if refusal := decision_refusal(change, by):
        return refusal
    if change.user_id == getattr(by, "pk", None):
        return "This is your own delegated limit, so someone else must approve or reject the change."
    return None


@transaction.atomic
def limit_change_propose(*, user, amount, reason, by) -> LimitChange:
    """Propose a new delegated limit for ``user``; nothing changes until someone else approves it."""
    require_role(by, PROPOSERS, doing="propose changes to delegated limits")
    _holder_check(user)
    if user.pk == by.pk:
        raise ValidationError({"user": "Nobody proposes their own delegated limit; someone else must propose yours."})
    reason = reason_required(reason, what="the change to the limit")
    value = limit_amount_parse(amount)
    lock(get_user_model().objects.filter(pk=user.pk))  # one proposal at a time per person
    current = delegated_limit(user)
    if current == value:
        raise ValidationError({"amount": f"{person_name(user)}'s limit is already {format_gbp(value)}; propose a "
                                         "different amount."})
    waiting = limit_changes().filter(user=user, status=LimitChange.Status.PROPOSED).first()
    if waiting is not None:
        raise ValidationError({"user": (
            f"A change of {person_name(user)}'s limit to {format_gbp(waiting.amount.amount)}, proposed by "
            f"{person_name(waiting.proposed_by)} on {timezone.localtime(waiting.proposed_at):%d/%m/%Y}, is already "
            "awaiting a decision; it must be approved or rejected first.")})
    change = LimitChange(user=user, amount_before=None if current is None else gbp(current), amount=gbp(value),
                         reason=reason, proposed_by=by)
    save_with_history(change, by=by, reason=reason)
    was = "none" if current is None else format_gbp(current)
    record_event("payments.limit_proposed", by=by, obj=change, reason=reason,
                 summary=f"Delegated limit of {person_name(user)}: {was} to {format_gbp(value)} proposed",
                 data={"user": user.pk, "amount": str(value), "before": None if current is None else str(current)})
    return change


@transaction.atomic
def limit_change_decide(*, change: LimitChange, approve: bool, by, note: str = "") -> LimitChange:
    """Approve (the limit changes now) or reject (with a note) a proposed change to a delegated limit."""
    require_role(by, DECIDERS, doing="decide changes to delegated limits")
    (change,) = lock(LimitChange.objects.select_related("user").filter(pk=change.pk))  # no nullable join: FOR UPDATE
    if refusal := limit_decision_refusal(change, by):
        raise ValidationError(refusal)
    note = rejection_note(approve, note)
    before = None if change.amount_before is None else change.amount_before.amount
    if approve:
        if delegated_limit(change.user) != (None if before is None else quantize(before)):
            raise ValidationError(f"{person_name(change.user)}'s limit has changed since this was proposed; reject "
                                  "this change and propose again.")
        _holder_check(change.user)
        _limit_write(user=change.user, value=quantize(change.amount.amount), by=by,
                     note=f"{change.reason} (proposed by {person_name(change.proposed_by)}, change {change.pk})")
    change.status = LimitChange.Status.APPROVED if approve else LimitChange.Status.REJECTED
    change.decided_by, change.decided_at, change.decision_note = by, timezone.now(), note
    save_with_history(change, by=by, reason=note or "Approved")
    record_event(f"payments.limit_change_{change.status}", by=by, obj=change, reason=note,
                 summary=f"Delegated limit of {person_name(change.user)} to {format_gbp(change.amount.amount)} "
                         f"{change.status}",
                 data={"user": change.user_id, "amount": str(change.amount.amount),
                       "proposed_by": change.proposed_by_id})
    return change
