"""Setting up funders and funds."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.money import gbp, parse_amount
from core.roles import OFFICERS_AND_DIRECTORS, require_role
from funds.controls import control_value_parse
from funds.models import Fund, Funder


@transaction.atomic
def funder_create(*, name: str, kind: str, short_name: str = "", by) -> Funder:
    if not getattr(by, "is_superuser", False):
        require_role(by, OFFICERS_AND_DIRECTORS, doing="set up funders")
    funder = Funder(name=name.strip(), short_name=short_name.strip(), kind=kind)
    return save_with_history(funder, by=by, reason="Funder set up")


@transaction.atomic
def fund_create(
    *, code: str, name: str, funder: Funder, purpose: str, limit_basis: str, year_end_rule: str, by,
    ring_fenced: bool = True, income_kind: str = Fund.IncomeKind.GRANT, retained_share_percent="0",
    grant_approval_threshold="0", virement_threshold="0", order_approval_threshold="0",
) -> Fund:
    """Set up a fund. Its first thresholds and retained share are set here, by the finance officer or director
    setting it up, in the allowed range (``funds.controls``); every later change is a proposal approved by someone
    else (``funds.controls.control_change_propose``)."""
    if not getattr(by, "is_superuser", False):
        require_role(by, OFFICERS_AND_DIRECTORS, doing="set up funds")
    first = {"grant_approval_threshold": grant_approval_threshold, "virement_threshold": virement_threshold,
             "order_approval_threshold": order_approval_threshold}
    for setting, raw in first.items():
        try:
            control_value_parse(setting, raw)
        except ValidationError as error:
            raise ValidationError({setting: error.message_dict["value"]}) from None
    fund = Fund(
        code=code.strip().upper(), name=name.strip(), funder=funder, purpose=purpose.strip(), ring_fenced=ring_fenced,
        limit_basis=limit_basis, income_kind=income_kind, year_end_rule=year_end_rule,
        retained_share_percent=retained_share_percent,
        grant_approval_threshold=gbp(parse_amount(grant_approval_threshold, allow_zero=True)),
        virement_threshold=gbp(parse_amount(virement_threshold, allow_zero=True)),
        order_approval_threshold=gbp(parse_amount(order_approval_threshold, allow_zero=True)),
    )
    save_with_history(fund, by=by, reason="Fund set up")
    record_event("fund.created", by=by, obj=fund, summary=f"Fund {fund.code} set up")
    return fund
