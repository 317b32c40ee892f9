"""What a grant allows now, for one person: the one answer every grant page, link and button reads.

``grant_actions`` does not know the rules; it asks the services that enforce them (the transition table in
``grants.workflow``, ``grants.payments.instalment_pay_refusal``, ``grants.outcomes.return_record_refusal``,
``grants.awards.require_editable``, ``grants.variations.require_variable`` and each service's ``require_role``)
and keeps each one's own refusal message. So a page never offers what the service would refuse, and where it
helps, it says why not in the service's words.

Each action is an ``Allowed``: ``allowed`` or not, the ``reason`` when not, and ``explain``, true when the action
is this person's to take at this stage of the grant but a rule still stops it (the page then shows the reason in
place of the button). A refusal for want of the role, or because the grant is at another stage, is not explained:
it would only clutter the page.

The services import ``grants.selectors`` (which re-exports this), so they are imported here when asked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.roles import COMMISSIONERS, FINANCE_OFFICERS, OFFICERS_AND_COMMISSIONERS, require_role
from grants.models import Grant, Instalment
from grants.quarters import quarters_within


@dataclass(frozen=True)
class Allowed:
    allowed: bool
    reason: str = ""
    explain: bool = False

    def __bool__(self) -> bool:
        return self.allowed


YES = Allowed(True)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _ask(*, role: Callable[[], object], stage: Callable[[], object] | tuple[Callable[[], object], ...] = (),
         rules: tuple[Callable[[], object], ...] = ()) -> Allowed:
    """Ask a service's checks in its own order: a check refuses by raising (ValidationError or PermissionDenied)
    or by returning a refusal message; ``None`` means it passes."""
    stages = stage if isinstance(stage, tuple) else (stage,)
    for kind, checks in (("role", (role,)), ("stage", stages), ("rule", rules)):
        for check in checks:
            try:
                refusal = check()
            except (ValidationError, PermissionDenied) as error:
                refusal = _message(error)
            if isinstance(refusal, str) and refusal:
                return Allowed(False, refusal, explain=kind == "rule")
    return YES


def _stage(allowed: bool, message: str) -> Callable[[], str | None]:
    return lambda: None if allowed else message


@dataclass(frozen=True)
class GrantActions:
    """What ``user`` may do to ``grant`` now. ``pay`` maps each instalment's id to whether this person may pay it;
    ``pay_refusals`` to why nobody may pay it today (``None``: it may be paid), for showing to every role;
    ``returns_open`` lists the (year, quarter number) pairs whose monitoring return can be recorded now."""

    grant: Grant
    edit: Allowed
    submit: Allowed
    decide: Allowed
    accept_offer: Allowed
    checks: Allowed
    returns: Allowed
    vary: Allowed
    clawback: Allowed
    targets: Allowed
    review: Allowed
    schedule: Allowed
    close: Allowed
    withdraw: Allowed
    pay: dict[int, Allowed] = field(default_factory=dict)
    pay_refusals: dict[int, str | None] = field(default_factory=dict)
    returns_open: list[tuple] = field(default_factory=list)

    def pay_for(self, instalment: Instalment) -> Allowed:
        return self.pay.get(instalment.pk, Allowed(False, "This instalment is not part of the grant."))

    @property
    def payable(self) -> frozenset[int]:
        """The ids of the instalments this person may pay now."""
        return frozenset(pk for pk, allowed in self.pay.items() if allowed)

    def explained(self) -> list[Allowed]:
        """The refusals worth showing, in the order of the grant's life (payments are explained per instalment)."""
        order = (self.submit, self.decide, self.accept_offer, self.returns, self.vary, self.close, self.withdraw)
        seen, shown = set(), []
        for item in order:
            if item.explain and item.reason not in seen:
                seen.add(item.reason)
                shown.append(item)
        return shown


def _returns(grant: Grant, user, on: Date) -> tuple[Allowed, list[tuple]]:
    """Whether any quarter's monitoring return can be recorded now, asking the service quarter by quarter."""
    from funds.models import FinancialYear
    from grants.outcomes import REPORTING, return_record_refusal

    role = _ask(role=lambda: require_role(user, FINANCE_OFFICERS, doing="enter monitoring returns"))
    if not role:
        return role, []
    years = FinancialYear.objects.filter(start_year__gte=grant.start_date.year - 1, start_year__lte=grant.end_date.year)
    open_quarters, refusals = [], []
    for year in years.order_by("start_year"):
        for quarter in quarters_within(year, grant.start_date, grant.end_date):
            refusal = return_record_refusal(grant=grant, year=year, quarter=quarter.number, on=on)
            if refusal is None:
                open_quarters.append((year, quarter.number))
            else:
                refusals.append((quarter, refusal))
            if grant.status not in REPORTING:  # the grant's stage refuses every quarter alike
                return Allowed(False, refusal or ""), []
    if open_quarters:
        return YES, open_quarters
    waiting = [r for q, r in refusals if not q.has_ended(on)]
    reason = (waiting or [r for _, r in refusals] or [f"{grant.reference} has no quarters to report on."])[0]
    return Allowed(False, reason, explain=True), []


def grant_actions(grant: Grant, user, *, on: Date | None = None) -> GrantActions:
    """What ``user`` may do to ``grant`` on ``on`` (default today), each action asked of the service that does it."""
    from grants import awards, checks, outcomes, schedule, variations, workflow
    from grants.payments import instalment_pay_refusal
    from grants.selectors import grant_totals

    on = on or timezone.localdate()
    S = Grant.Status

    def role(roles, doing):
        return lambda: require_role(user, roles, doing=doing)

    def move(to):
        return lambda: workflow.check_move(grant, to)

    status = grant.get_status_display().lower()
    closed_for = f"{grant.reference} is {status}"

    totals = grant_totals(grant) if grant.is_committed else None
    returns, returns_open = _returns(grant, user, on)
    refusals = {}
    for instalment in grant.instalments.select_related("year", "funding_line__fund").order_by("due_date", "id"):
        instalment.grant = grant
        refusals[instalment.pk] = instalment_pay_refusal(instalment=instalment, on=on)
    may_pay = _ask(role=role(FINANCE_OFFICERS, "record payments"))
    pay = {pk: Allowed(False, refusal, explain=True) if may_pay and refusal else may_pay
           for pk, refusal in refusals.items()}
    return GrantActions(
        grant=grant,
        edit=_ask(role=role(FINANCE_OFFICERS, "edit grants"), stage=lambda: awards.require_editable(grant)),
        submit=_ask(role=role(FINANCE_OFFICERS, "submit grants"), stage=move(S.SUBMITTED),
                    rules=(lambda: workflow.require_submittable(grant),)),
        decide=_ask(role=role(COMMISSIONERS, "approve grants"), stage=move(S.APPROVED),
                    rules=(lambda: workflow._require_other_person(grant, user),)),
        accept_offer=_ask(role=role(FINANCE_OFFICERS, "record acceptance of grant offers"),
                          stage=move(S.OFFER_ACCEPTED)),
        checks=_ask(role=role(FINANCE_OFFICERS, "complete due diligence checks"),
                    stage=(_stage(grant.status in checks.OPEN, f"{closed_for}; its checks are closed."),
                           lambda: None if grant.checks.filter(is_complete=False).exists()
                           else f"Every due diligence check on {grant.reference} is complete.")),
        returns=returns,
        vary=_ask(role=role(FINANCE_OFFICERS, "request variations"),
                  stage=_stage(grant.status in variations.VARIABLE, f"{closed_for}; it cannot be varied."),
                  rules=(lambda: variations.require_variable(grant),)),
        clawback=_ask(role=role(FINANCE_OFFICERS, "record clawbacks"),
                      stage=_stage(totals is not None and totals.paid > totals.clawed_back,
                                   f"Nothing paid on {grant.reference} is left to claw back.")),
        targets=_ask(role=role(FINANCE_OFFICERS, "set outcome targets"),
                     # a target is for a measure of a fund the grant draws on
                     stage=(_stage(grant.status in outcomes.LIVE, f"{closed_for}; its targets are closed."),
                            lambda: None if grant.funding_lines.exists()
                            else f"{grant.reference} draws on no fund yet, so it has no measures to target.")),
        review=_ask(role=role(OFFICERS_AND_COMMISSIONERS, "record annual reviews"),
                    # the statuses grants.outcomes.annual_review_record accepts
                    stage=_stage(grant.status in (S.APPROVED, S.OFFER_ACCEPTED, S.ACTIVE, S.CLOSED),
                                 f"{closed_for}; only awarded grants are reviewed.")),
        schedule=_ask(role=role(FINANCE_OFFICERS, "change payment schedules"),
                      stage=_stage(grant.status in schedule.SCHEDULED,
                                   f"{closed_for}; its schedule can no longer change.")),
        close=_ask(role=role(FINANCE_OFFICERS, "close grants"), stage=move(S.CLOSED),
                   rules=(lambda: workflow._no_open_variation(grant, "closing it"),)),
        withdraw=_ask(role=role(OFFICERS_AND_COMMISSIONERS, "withdraw grants"), stage=move(S.WITHDRAWN),
                      rules=(lambda: workflow._no_open_variation(grant, "withdrawing it"),)),
        pay=pay,
        pay_refusals=refusals,
        returns_open=returns_open,
    )
