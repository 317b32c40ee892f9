"""Due diligence and fraud-risk checks. Every item must be complete, with its evidence, before the first payment."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import FINANCE_OFFICERS, require_role
from grants.models import Grant, GrantCheck

OPEN = (Grant.Status.DRAFT, Grant.Status.SUBMITTED, Grant.Status.RETURNED, Grant.Status.APPROVED,
        Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE)


@transaction.atomic
def check_complete(*, check: GrantCheck, evidence: str, by) -> GrantCheck:
    """Tick one checklist item, recording the evidence seen, who checked and when."""
    require_role(by, FINANCE_OFFICERS, doing="complete due diligence checks")
    check = lock(GrantCheck.objects.filter(pk=check.pk).select_related("grant", "check_type"))[0]
    if check.grant.status not in OPEN:
        raise ValidationError(
            f"{check.grant.reference} is {check.grant.get_status_display().lower()}; its checks are closed."
        )
    if check.is_complete:
        raise ValidationError(
            f"'{check.check_type.label}' was already completed by {check.completed_by} "
            f"on {check.completed_at:%d/%m/%Y}."
        )
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": f"Record the evidence for '{check.check_type.label}', e.g. "
                                           "'Accounts to 31/03/2025 reviewed, reserves 4 months'."})
    check.is_complete = True
    check.evidence = evidence
    check.completed_by = by
    check.completed_at = timezone.now()
    save_with_history(check, by=by, reason=f"Checked: {check.check_type.label}", clean=False)
    record_event("grant.check_completed", by=by, obj=check.grant,
                 summary=f"{check.grant.reference}: '{check.check_type.label}' checked", reason=evidence)
    return check


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
