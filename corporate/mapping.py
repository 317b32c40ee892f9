"""Keeping the mapping to the corporate chart, and looking a posting up in it.

A finance officer adds, changes and removes mappings, each change with who and why in its history and a business
event. Removal is allowed, with a reason: a fund's own mapping made in error must be able to go back to the
account's all-funds mapping, the deleted row stays in the history, and the journal refuses any posting left
without a mapping, so a removal can never drop postings from the corporate ledger silently.

Lookup: the fund's own mapping for the account first, else the account's all-funds mapping, else none.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import FINANCE_OFFICERS, require_role
from corporate.models import GLMapping
from funds.models import Fund
from ledger.models import Account


def _codes(cost_centre, subjective) -> tuple[str, str]:
    return (cost_centre or "").strip(), (subjective or "").strip()


def _for_whom(account: Account, fund: Fund | None) -> str:
    return f"{account.code} {account.name} on {fund.code if fund else 'all funds'}"


def mapping_existing(*, account: Account, fund: Fund | None) -> GLMapping | None:
    """The mapping held for exactly this account and fund (or the all-funds one when ``fund`` is None)."""
    return GLMapping.objects.filter(account=account, fund=fund).select_related("account", "fund").first()


@transaction.atomic
def mapping_create(
    *, account: Account, fund: Fund | None = None, cost_centre: str, subjective: str, by, reason: str = ""
) -> GLMapping:
    """Map postings on ``account`` (for ``fund`` alone, or for every fund without its own mapping when ``fund``
    is None) to a corporate cost centre and subjective code."""
    require_role(by, FINANCE_OFFICERS, doing="change the corporate ledger mapping")
    cost_centre, subjective = _codes(cost_centre, subjective)
    existing = mapping_existing(account=account, fund=fund)
    if existing is not None:
        raise ValidationError(
            f"{_for_whom(account, fund)} is already mapped to {existing.target}; change that mapping instead."
        )
    mapping = GLMapping(account=account, fund=fund, cost_centre=cost_centre, subjective=subjective)
    save_with_history(mapping, by=by, reason=(reason or "").strip() or "Mapping added")
    record_event(
        "corporate.mapping_added", by=by, obj=mapping, reason=reason,
        summary=f"{_for_whom(account, fund)} mapped to {mapping.target}",
    )
    return mapping


def _reason(reason: str, *, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": f"Say why the mapping is being {doing}: it changes where postings land in the corporate "
                       "ledger, and the reason is kept in its history."}
        )
    return reason


@transaction.atomic
def mapping_update(*, mapping: GLMapping, cost_centre: str, subjective: str, by, reason: str) -> GLMapping:
    """Change the codes a mapping points to (its account and fund stay: map another pair as a new mapping)."""
    require_role(by, FINANCE_OFFICERS, doing="change the corporate ledger mapping")
    reason = _reason(reason, doing="changed")
    lock(GLMapping.objects.filter(pk=mapping.pk))  # alone: PostgreSQL locks no row of an outer join's nullable side
    mapping = GLMapping.objects.select_related("account", "fund").get(pk=mapping.pk)
    cost_centre, subjective = _codes(cost_centre, subjective)
    before = mapping.target
    mapping.cost_centre, mapping.subjective = cost_centre, subjective
    save_with_history(mapping, by=by, reason=reason)
    record_event(
        "corporate.mapping_changed", by=by, obj=mapping, reason=reason,
        summary=f"{_for_whom(mapping.account, mapping.fund)} now mapped to {mapping.target} (was {before})",
    )
    return mapping


@transaction.atomic
def mapping_delete(*, mapping: GLMapping, by, reason: str) -> None:
    """Remove a mapping, with a reason. Postings it covered fall back to the account's all-funds mapping, or are
    refused by the journal until mapped again."""
    require_role(by, FINANCE_OFFICERS, doing="change the corporate ledger mapping")
    reason = _reason(reason, doing="removed")
    lock(GLMapping.objects.filter(pk=mapping.pk))  # alone: PostgreSQL locks no row of an outer join's nullable side
    mapping = GLMapping.objects.select_related("account", "fund").get(pk=mapping.pk)
    summary = f"Mapping of {_for_whom(mapping.account, mapping.fund)} to {mapping.target} removed"
    record_event("corporate.mapping_removed", by=by, obj=mapping, reason=reason, summary=summary)
    mapping._history_user = by
    mapping._change_reason = reason[:100]
    mapping.delete()


class MappingLookup:
    """Every mapping, read once, answering "where does this account and fund go?" without further queries."""

    def __init__(self):
        self.by_key = {(m.account_id, m.fund_id): m for m in GLMapping.objects.select_related("account", "fund")}

    def find(self, account_id: int, fund_id: int) -> GLMapping | None:
        return self.by_key.get((account_id, fund_id)) or self.by_key.get((account_id, None))
