"""Due diligence and fraud-risk checks. Every item must be complete, with its evidence, before the first payment.

A check is recorded with its result (satisfactory, or concerns found), the evidence seen and the date it was done.
``checks_record`` records any number of a grant's checks together, all or none, and refuses with every problem of
every check at once, keyed by ``check_field(check, name)``: the names the one-page form uses for its fields.
``check_entry_errors`` is the rule for one check; the form asks it too, so a page reports everything in one pass.
"""

from dataclasses import dataclass
from datetime import date as Date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import FINANCE_OFFICERS, require_role
from grants.models import Grant, GrantCheck

OPEN = (Grant.Status.DRAFT, Grant.Status.SUBMITTED, Grant.Status.RETURNED, Grant.Status.APPROVED,
        Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)
Result = GrantCheck.Result


@dataclass(frozen=True)
class CheckEntry:
    """What a person recorded for one check: its result, the evidence seen, and the day the check was done."""

    check: GrantCheck
    result: str
    evidence: str
    checked_on: Date | None


def check_field(check: GrantCheck | int, name: str) -> str:
    """The key of one check's ``name`` (result, evidence, checked_on) in a refusal and on the one-page form."""
    return f"c{getattr(check, 'pk', check)}-{name}"


def grant_checks_refusal(grant: Grant) -> str | None:
    if grant.status not in OPEN:
        return f"{grant.reference} is {grant.get_status_display().lower()}; its checks are closed."
    return None


def check_entry_errors(check: GrantCheck, *, result: str, evidence: str, checked_on: Date | None,
                       today: Date | None = None) -> dict[str, str]:
    """Everything wrong with recording ``result`` for ``check`` (by field: result, evidence, checked_on)."""
    today = today or timezone.localdate()
    label = check.check_type.label
    errors = {}
    if check.is_complete:
        errors["result"] = (f"'{label}' was already completed by {check.completed_by} on "
                            f"{check.checked_on or timezone.localtime(check.completed_at).date():%d/%m/%Y}.")
        return errors
    if result not in Result.values:
        errors["result"] = f"Choose the result of '{label}': satisfactory, or concerns found."
    if not (evidence or "").strip():
        errors["evidence"] = (f"Record the evidence for '{label}', e.g. "
                              "'Accounts to 31/03/2025 reviewed, reserves 4 months'.")
    if checked_on is None:
        errors["checked_on"] = f"Give the date '{label}' was done, for example {today:%d/%m/%Y}."
    elif checked_on > today:
        errors["checked_on"] = (f"The date '{label}' was done cannot be after today: "
                                f"{checked_on:%d/%m/%Y} is later than {today:%d/%m/%Y}.")
    return errors


def _record(check: GrantCheck, *, result: str, evidence: str, checked_on: Date, by) -> GrantCheck:
    check.result = result
    check.is_complete = result == Result.SATISFACTORY
    check.evidence = evidence.strip()
    check.checked_on = checked_on
    check.completed_by = by
    check.completed_at = timezone.now()
    verdict = "satisfactory" if check.is_complete else "concerns found"
    save_with_history(check, by=by, reason=f"Checked: {check.check_type.label} ({verdict})", clean=False)
    record_event("grant.check_completed" if check.is_complete else "grant.check_concerns", by=by, obj=check.grant,
                 summary=f"{check.grant.reference}: '{check.check_type.label}' checked on "
                         f"{checked_on:%d/%m/%Y}, {verdict}",
                 reason=check.evidence)
    return check


@transaction.atomic
def checks_record(*, grant: Grant, entries: list[CheckEntry], by) -> list[GrantCheck]:
    """Record the results of several of ``grant``'s checks together: all of them, or (with every problem of every
    check in one refusal) none."""
    require_role(by, FINANCE_OFFICERS, doing="record due diligence checks")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    if refusal := grant_checks_refusal(grant):
        raise ValidationError(refusal)
    if not entries:
        raise ValidationError("Nothing was recorded: give the result, evidence and date of at least one check.")
    locked = {c.pk: c for c in lock(GrantCheck.objects.filter(grant=grant, pk__in=[e.check.pk for e in entries])
                                    .select_related("grant", "check_type"))}
    errors = {}
    for entry in entries:
        check = locked.get(entry.check.pk)
        if check is None:
            raise ValidationError(f"'{entry.check}' is not one of {grant.reference}'s checks.")
        for name, message in check_entry_errors(check, result=entry.result, evidence=entry.evidence,
                                                checked_on=entry.checked_on).items():
            errors[check_field(check, name)] = message
    if errors:
        raise ValidationError(errors)
    return [_record(locked[e.check.pk], result=e.result, evidence=e.evidence, checked_on=e.checked_on, by=by)
            for e in entries]


@transaction.atomic
def check_complete(*, check: GrantCheck, evidence: str, by, checked_on: Date | None = None) -> GrantCheck:
    """Record one check as satisfactory, with the evidence seen, done on ``checked_on`` (today if not given)."""
    require_role(by, FINANCE_OFFICERS, doing="complete due diligence checks")
    check = lock(GrantCheck.objects.filter(pk=check.pk).select_related("grant", "check_type"))[0]
    if refusal := grant_checks_refusal(check.grant):
        raise ValidationError(refusal)
    checked_on = checked_on or timezone.localdate()
    errors = check_entry_errors(check, result=Result.SATISFACTORY, evidence=evidence, checked_on=checked_on)
    if "result" in errors:  # already complete: about the whole check, not a field of it
        raise ValidationError(errors.pop("result"))
    if errors:
        raise ValidationError(errors)
    return _record(check, result=Result.SATISFACTORY, evidence=evidence, checked_on=checked_on, by=by)


@transaction.atomic
def check_reopen(*, check: GrantCheck, reason: str, by) -> GrantCheck:
    """Untick an item (e.g. the evidence has expired); payments wait until it is completed again."""
    require_role(by, FINANCE_OFFICERS, doing="reopen due diligence checks")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the check must be done again."})
    check = lock(GrantCheck.objects.filter(pk=check.pk).select_related("grant", "check_type"))[0]
    if not check.is_complete:
        raise ValidationError(f"'{check.check_type.label}' is not complete.")
    check.is_complete = False
    check.result = ""
    check.checked_on = None
    check.evidence = ""
    check.completed_by = None
    check.completed_at = None
    save_with_history(check, by=by, reason=reason)
    record_event("grant.check_reopened", by=by, obj=check.grant,
                 summary=f"{check.grant.reference}: '{check.check_type.label}' reopened", reason=reason)
    return check


def require_checks_complete(grant: Grant) -> None:
    missing = list(grant.checks.filter(is_complete=False).select_related("check_type").values_list(
        "check_type__label", flat=True))
    if missing:
        raise ValidationError(
            f"Due diligence for {grant.reference} is not complete: {'; '.join(missing)} still to be checked. "
            "Every check must be complete, with evidence, before the first payment."
        )
