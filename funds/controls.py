"""Control settings: the values that decide when a second person must look, and how fines are split.

A fund's **grant approval threshold** (above it an approval needs a published decision), **virement threshold**
(above it a virement waits for a commissioner or finance director) and **order approval threshold** (above it an
order waits for one) switch a second-person check off for everything below them; its **retained share** of fixed
penalties decides what the fund keeps and what is owed to HM Treasury. Raised by one person alone, any of them
would quietly remove a check (the back office once raised a fund's thresholds to £99,999,999 this way).

So they change in two steps, never through the admin:

- ``control_change_propose``: a finance officer or finance director proposes one new value with a reason. The
  value must be in the allowed range (thresholds £0.00 to £1,000,000.00, the share 0% to 100%), different from the
  current one, and no other change of the same setting of the same fund may be waiting.
- ``control_change_decide``: a commissioner or finance director who did not propose it approves it (the fund
  changes then, its history naming the approver and the change) or rejects it with a note. A change already
  decided, or one whose setting has moved since it was proposed, is refused.

The rules both steps share (``reason_required``, ``decision_refusal``) are used for delegated limits too
(``payments.limits``). A fund's first thresholds are set when it is created (``funds.services.fund_create``, by a
finance officer or director, in the same range); a fund added in the admin starts at £0.00 and 0%, the strictest.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount, parse_figure, quantize
from core.roles import COMMISSIONERS_AND_DIRECTORS, OFFICERS_AND_DIRECTORS, require_role
from funds.models import THRESHOLD_MAXIMUM, ControlChange, Fund

PROPOSERS = OFFICERS_AND_DIRECTORS
DECIDERS = COMMISSIONERS_AND_DIRECTORS
SHARE_MAXIMUM = Decimal("100")
Setting = ControlChange.Setting


@dataclass(frozen=True)
class Control:
    setting: str
    label: str
    is_money: bool
    maximum: Decimal
    effect: str  # what the setting decides, in a sentence, for pages

    @property
    def allowed(self) -> str:
        return f"from {self.format(Decimal(0))} to {self.format(self.maximum)}"

    def format(self, value) -> str:
        if self.is_money:
            return format_gbp(value)
        return f"{Decimal(value).normalize():f}%"


CONTROLS: dict[str, Control] = {
    Setting.GRANT_APPROVAL_THRESHOLD.value: Control(
        Setting.GRANT_APPROVAL_THRESHOLD.value, "Grant approval threshold", True, THRESHOLD_MAXIMUM,
        "A grant or variation drawing more than this on the fund needs a published decision to be approved."),
    Setting.VIREMENT_THRESHOLD.value: Control(
        Setting.VIREMENT_THRESHOLD.value, "Virement threshold", True, THRESHOLD_MAXIMUM,
        "Virements moving more than this out of a budget line in a year wait for a commissioner or finance director "
        "other than the requester."),
    Setting.ORDER_APPROVAL_THRESHOLD.value: Control(
        Setting.ORDER_APPROVAL_THRESHOLD.value, "Order approval threshold", True, THRESHOLD_MAXIMUM,
        "Orders and contracts above this (net) wait for a commissioner or finance director other than the raiser."),
    Setting.RETAINED_SHARE_PERCENT.value: Control(
        Setting.RETAINED_SHARE_PERCENT.value, "Retained share of fixed penalties", False, SHARE_MAXIMUM,
        "The share of each month's fixed penalties the fund keeps; the rest is owed to HM Treasury."),
}


def person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "nobody"


# ---- Rules every control change shares (fund settings here, delegated limits in payments.limits) ---------------


def reason_required(reason, *, field: str = "reason", what: str = "the change") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: f"Give the reason for {what}; it is kept with it and in the history."})
    return reason


def decision_refusal(change, by) -> str | None:
    """Why ``by`` may not decide ``change`` now, or None: it must still await a decision and be someone else's."""
    if change.status != ControlChange.Status.PROPOSED:
        return (f"This change is already {change.get_status_display().lower()} (by {person(change.decided_by)} on "
                f"{timezone.localtime(change.decided_at):%d/%m/%Y}); nothing more can be decided on it.")
    if change.proposed_by_id == getattr(by, "pk", None):
        return "You proposed this change, so someone else must approve or reject it."
    return None


def rejection_note(approve: bool, note) -> str:
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": "Give the reason for rejecting the change; it is kept with it."})
    return note


# ---- A fund's control settings ------------------------------------------------------------------------------------


def control_for(setting) -> Control:
    try:
        return CONTROLS[setting]
    except KeyError:
        names = ", ".join(c.label.lower() for c in CONTROLS.values())
        raise ValidationError({"setting": f"Choose one of the fund's control settings: {names}."}) from None


def control_current(fund: Fund, setting) -> Decimal:
    value = getattr(fund, control_for(setting).setting)
    return quantize(value) if control_for(setting).is_money else Decimal(value)


def control_value_parse(setting, raw) -> Decimal:
    """The value typed for ``setting``, in its allowed range, or a refusal on ``value`` saying the range."""
    control = control_for(setting)
    text = raw.strip() if isinstance(raw, str) else raw
    rule = f"{control.label} is {control.allowed}"
    if isinstance(text, str) and text.startswith(("-", "(")):
        raise ValidationError({"value": f"{rule}: it cannot be negative; '{text}' was given."})
    try:
        if control.is_money:
            value = parse_amount(raw, field="value", allow_zero=True)
        else:
            value = parse_figure(raw, field="value", places=3, example="25", kind="a percentage")
    except ValidationError as error:
        raise ValidationError({"value": f"{error.message_dict['value'][0]} {rule}."}) from None
    if value > control.maximum:
        raise ValidationError({"value": f"{rule}; {control.format(value)} was given. A higher value would switch "
                                        "its check off."})
    return value


def control_rows(fund: Fund) -> list[tuple[Control, Decimal]]:
    return [(control, control_current(fund, setting)) for setting, control in CONTROLS.items()]


def control_changes():
    return ControlChange.objects.select_related("fund", "proposed_by", "decided_by")


def control_changes_awaiting():
    """Changes waiting for a decision, oldest first (the deciders' queue)."""
    return control_changes().filter(status=ControlChange.Status.PROPOSED).order_by("proposed_at", "id")


@transaction.atomic
def control_change_propose(*, fund: Fund, setting, value, reason, by) -> ControlChange:
    """Propose a new value for one of ``fund``'s control settings; nothing changes until someone else approves."""
    require_role(by, PROPOSERS, doing="propose changes to a fund's control settings")
    control = control_for(setting)
    reason = reason_required(reason)
    new = control_value_parse(setting, value)
    (fund,) = lock(Fund.objects.filter(pk=fund.pk))
    current = control_current(fund, setting)
    if new == current:
        raise ValidationError({"value": f"{fund.code}'s {control.label.lower()} is already "
                                        f"{control.format(current)}; propose a different value."})
    waiting = control_changes().filter(fund=fund, setting=setting, status=ControlChange.Status.PROPOSED).first()
    if waiting is not None:
        raise ValidationError({"setting": (
            f"A change of {fund.code}'s {control.label.lower()} to {control.format(waiting.value_after)}, proposed "
            f"by {person(waiting.proposed_by)} on {timezone.localtime(waiting.proposed_at):%d/%m/%Y}, is already "
            "awaiting a decision; it must be approved or rejected first.")})
    change = ControlChange(fund=fund, setting=control.setting, value_before=current, value_after=new, reason=reason,
                           proposed_by=by)
    save_with_history(change, by=by, reason=reason)
    record_event("fund.control_proposed", by=by, obj=change, reason=reason,
                 summary=f"{fund.code} {control.label.lower()}: {control.format(current)} to {control.format(new)} "
                         "proposed",
                 data={"fund": fund.code, "setting": control.setting, "before": str(current), "after": str(new)})
    return change


@transaction.atomic
def control_change_decide(*, change: ControlChange, approve: bool, by, note: str = "") -> ControlChange:
    """Approve (the fund's setting changes now) or reject (with a note) a proposed change; never one's own."""
    require_role(by, DECIDERS, doing="decide changes to a fund's control settings")
    (fund,) = lock(Fund.objects.filter(pk=change.fund_id))  # the fund first: the one lock order
    (change,) = lock(ControlChange.objects.filter(pk=change.pk))  # no nullable join under FOR UPDATE (PostgreSQL)
    change.fund = fund
    if refusal := decision_refusal(change, by):
        raise ValidationError(refusal)
    note = rejection_note(approve, note)
    control = control_for(change.setting)
    before, after = control.format(change.value_before), control.format(change.value_after)
    if approve:
        current = control_current(fund, change.setting)
        if current != change.value_before:
            raise ValidationError(
                f"{fund.code}'s {control.label.lower()} has changed since this was proposed (it was {before}, it is "
                f"now {control.format(current)}); reject this change and propose again.")
        setattr(fund, control.setting, gbp(change.value_after) if control.is_money else change.value_after)
        save_with_history(fund, by=by, reason=f"{control.label} {before} to {after} (change {change.pk})")
    change.status = ControlChange.Status.APPROVED if approve else ControlChange.Status.REJECTED
    change.decided_by, change.decided_at, change.decision_note = by, timezone.now(), note
    save_with_history(change, by=by, reason=note or "Approved")
    record_event(f"fund.control_{change.status}", by=by, obj=change, reason=note,
                 summary=f"{fund.code} {control.label.lower()}: {before} to {after} {change.status}",
                 data={"fund": fund.code, "setting": control.setting, "before": str(change.value_before),
                       "after": str(change.value_after), "proposed_by": change.proposed_by_id})
    return change
