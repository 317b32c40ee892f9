"""Drafting grants: the award record, its funding lines, and the decisions that approve large grants.

A grant is edited only while it is a draft or has been returned for changes; after approval it changes only
through a variation (``grants.variations``). Status changes live in ``grants.workflow``.
"""

from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import format_gbp, gbp, parse_amount
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_COMMISSIONERS, require_role
from funds.budgets import default_budget_line
from funds.models import BudgetLine, FinancialYear, Fund
from grants.models import (
    CheckType,
    CommissionedService,
    Decision,
    FundingLine,
    Grant,
    GrantCheck,
    Organisation,
    ServiceCategory,
    validate_decision_number,
)
from grants.quarters import require_set_up, year_overlaps
from ledger.selectors import fund_available

EDITABLE = (Grant.Status.DRAFT, Grant.Status.RETURNED)
UNSET = object()


def require_editable(grant: Grant) -> None:
    if grant.status not in EDITABLE:
        raise ValidationError(
            f"{grant.reference} is {grant.get_status_display().lower()}, so it can no longer be edited; "
            "once approved, a grant changes only through a variation."
        )


def _validate(grant: Grant) -> None:
    """Every rule on the award record, reported together, field by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for field, what in (("title", "Give the grant a title."), ("purpose", "Say what the grant is for."),
                        ("senior_responsible_officer", "Name the senior responsible officer.")):
        setattr(grant, field, (getattr(grant, field) or "").strip())
        if not getattr(grant, field):
            add(field, what)
    if grant.allocation_method not in Grant.AllocationMethod.values:
        add("allocation_method", "Choose how the grant was allocated: competed, direct award or formula.")
    grant.direct_award_reason = (grant.direct_award_reason or "").strip()
    if grant.allocation_method == Grant.AllocationMethod.DIRECT and not grant.direct_award_reason:
        add("direct_award_reason", "A direct award needs the reason it was not competed (e.g. the only specialist "
                                   "provider in the area).")
    grant.do_not_publish_reason = (grant.do_not_publish_reason or "").strip()
    if grant.do_not_publish and not grant.do_not_publish_reason:
        add("do_not_publish_reason", "Give the reason this grant must not be published (e.g. safety: the service "
                                     "runs a refuge).")
    if grant.risk_rating not in Grant.Risk.values:
        add("risk_rating", "Choose a risk rating: low, medium or high.")
    if grant.service_id and grant.organisation_id and grant.service.organisation_id != grant.organisation_id:
        add("service", f"'{grant.service}' is delivered by {grant.service.organisation}, not {grant.organisation}.")
    if not isinstance(grant.start_date, Date) or not isinstance(grant.end_date, Date):
        add("start_date", "Give the start and end dates, e.g. 01/04/2025 to 31/03/2026.")
    else:
        if grant.end_date < grant.start_date:
            add("end_date", f"The grant ends ({grant.end_date:%d/%m/%Y}) before it starts "
                            f"({grant.start_date:%d/%m/%Y}); the end date must be on or after the start date.")
        for field in ("start_date", "end_date"):
            try:
                require_set_up(getattr(grant, field), field=field)
            except ValidationError as exc:
                add(field, exc.message_dict[field][0])
    if not isinstance(grant.payment_terms_days, int) or not 0 <= grant.payment_terms_days <= 180:
        add("payment_terms_days", "Payment terms are between 0 and 180 days after the quarter's end.")
    if errors:
        raise ValidationError(errors)


def award_record_errors(**fields) -> dict[str, list[str]]:
    """Every refusal ``_validate`` gives the award record made of ``fields`` (the rest left at their defaults),
    by field, writing nothing: a form that is refused already (a required field blank) asks it, so its other
    fields' refusals come in the same submission."""
    fields.setdefault("payment_terms_days", 30)
    fields.setdefault("risk_rating", Grant.Risk.MEDIUM)
    grant = Grant(**{name: ("" if value is None and name not in ("start_date", "end_date", "service") else value)
                     for name, value in fields.items()})
    try:
        _validate(grant)
    except ValidationError as refusal:
        return refusal.message_dict
    return {}


def _check_lines_within_dates(grant: Grant, lines) -> None:
    for line in lines:
        if not year_overlaps(line.year, grant.start_date, grant.end_date):
            raise ValidationError(
                {"end_date": f"The grant runs {grant.start_date:%d/%m/%Y} to {grant.end_date:%d/%m/%Y}, outside "
                             f"{line.year.label}, yet it draws on {line.fund.code} for {line.year.label}; change the "
                             "dates or that funding line."}
            )


def grant_build(
    *, title: str, purpose: str, organisation: Organisation, service: CommissionedService,
    senior_responsible_officer: str, allocation_method: str, start_date: Date, end_date: Date,
    direct_award_reason: str = "", conditions: str = "", risk_rating: str = Grant.Risk.MEDIUM,
    do_not_publish: bool = False, do_not_publish_reason: str = "", payment_terms_days: int = 30,
    returns_required: bool = True, service_category: ServiceCategory | None = None,
    funding: list[tuple[Fund, FinancialYear, object]] = (),
) -> Grant:
    """The award record ``grant_create`` saves, checked by every rule it applies to the record (and to the
    ``funding`` lines given with it), every field's refusal at once, and not saved: ``grant_create`` calls it, and
    the stepped form (``grants.grant_steps``) calls it to check an answer before anything is written. Raises the same
    ``ValidationError`` either way."""
    grant = Grant(
        title=title, purpose=purpose, organisation=organisation, service=service,
        senior_responsible_officer=senior_responsible_officer, allocation_method=allocation_method,
        direct_award_reason=direct_award_reason, start_date=start_date, end_date=end_date,
        conditions=(conditions or "").strip(), risk_rating=risk_rating, do_not_publish=do_not_publish,
        do_not_publish_reason=do_not_publish_reason, payment_terms_days=payment_terms_days,
        returns_required=returns_required, service_category=service_category,
    )
    refusals = Refusals()  # the award's fields and its funding lines' are reported together
    refusals.check(None, _validate, grant)
    refusals.check("service_category", require_category_in_use, service_category)
    for fund, year, amount, *budget_line in funding:
        _line_check(refusals, grant, fund=fund, year=year, amount=amount,
                    budget_line=budget_line[0] if budget_line else None)
    refusals.raise_any()
    return grant


@transaction.atomic
def grant_create(
    *, title: str, purpose: str, organisation: Organisation, service: CommissionedService,
    senior_responsible_officer: str, allocation_method: str, start_date: Date, end_date: Date, by,
    direct_award_reason: str = "", conditions: str = "", risk_rating: str = Grant.Risk.MEDIUM,
    do_not_publish: bool = False, do_not_publish_reason: str = "", payment_terms_days: int = 30,
    returns_required: bool = True, funding: list[tuple[Fund, FinancialYear, object]] = (),
    service_category: ServiceCategory | None = None,
) -> Grant:
    """Draft a grant, with its due diligence checklist, and optionally its funding lines given as
    ``(fund, year, amount)`` triples, or ``(fund, year, amount, budget_line)`` (each checked as ``funding_line_set``
    would)."""
    require_role(by, FINANCE_OFFICERS, doing="draft grants")
    grant = grant_build(
        title=title, purpose=purpose, organisation=organisation, service=service,
        senior_responsible_officer=senior_responsible_officer, allocation_method=allocation_method,
        direct_award_reason=direct_award_reason, start_date=start_date, end_date=end_date,
        conditions=conditions, risk_rating=risk_rating, do_not_publish=do_not_publish,
        do_not_publish_reason=do_not_publish_reason, payment_terms_days=payment_terms_days,
        returns_required=returns_required, service_category=service_category, funding=funding,
    )
    grant.created_by = by
    save_with_history(grant, by=by, reason="Grant drafted")
    for check_type in CheckType.objects.filter(is_active=True):
        save_with_history(GrantCheck(grant=grant, check_type=check_type), by=by, reason="Checklist item", clean=False)
    record_event("grant.created", by=by, obj=grant,
                 summary=f"{grant.reference} '{grant.title}' drafted for {organisation}")
    for fund, year, amount, *budget_line in funding:
        _line_set(grant, fund=fund, year=year, amount=amount, by=by,
                  budget_line=budget_line[0] if budget_line else None)
    return grant


@transaction.atomic
def grant_update(
    *, grant: Grant, by, reason: str = "Draft edited", title=UNSET, purpose=UNSET, service=UNSET,
    senior_responsible_officer=UNSET, allocation_method=UNSET, direct_award_reason=UNSET, start_date=UNSET,
    end_date=UNSET, conditions=UNSET, risk_rating=UNSET, do_not_publish=UNSET, do_not_publish_reason=UNSET,
    payment_terms_days=UNSET, returns_required=UNSET, service_category=UNSET,
) -> Grant:
    """Edit a draft (or returned) grant. Only the keyword arguments given change. The recipient is fixed: a
    grant to someone else is a new grant."""
    given = dict(locals())
    require_role(by, FINANCE_OFFICERS, doing="edit grants")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    require_editable(grant)
    changes = {k: v for k, v in given.items() if k in _EDITABLE_FIELDS and v is not UNSET}
    if not changes:
        raise ValidationError("Nothing to change: give at least one field.")
    refusals = Refusals()  # every field at fault is reported at once
    if "service_category" in changes and changes["service_category"] != grant.service_category:
        refusals.check("service_category", require_category_in_use, changes["service_category"])
    for field, value in changes.items():
        setattr(grant, field, value.strip() if isinstance(value, str) else value)
    refusals.check(None, _validate, grant)
    if not refusals.refused("start_date", "end_date"):
        refusals.check("end_date", _check_lines_within_dates, grant, grant.funding_lines.select_related("fund", "year"))
    refusals.raise_any()
    save_with_history(grant, by=by, reason=reason)
    record_event("grant.edited", by=by, obj=grant, summary=f"{grant.reference} edited: {', '.join(sorted(changes))}",
                 reason=reason)
    return grant


_EDITABLE_FIELDS = {
    "title", "purpose", "service", "senior_responsible_officer", "allocation_method", "direct_award_reason",
    "start_date", "end_date", "conditions", "risk_rating", "do_not_publish", "do_not_publish_reason",
    "payment_terms_days", "returns_required", "service_category",
}


def require_category_in_use(category: ServiceCategory | None, *, field: str = "service_category") -> None:
    """A grant is given only a category still in use (retired ones stay on the grants that have them)."""
    if category is not None and not category.is_active:
        names = ", ".join(ServiceCategory.objects.filter(is_active=True).values_list("name", flat=True))
        raise ValidationError({field: f"'{category.name}' is no longer in use as a service category; choose one of: "
                                      f"{names or 'none is set up: add them in the admin'}."})


def service_category_change(record, *, service_category: ServiceCategory | None, reason: str, by, event: str):
    """The one step behind ``grant_service_category_set`` and ``spending.orders.order_service_category_set``: on a
    record its service already locked, refuse no reason, no change and a retired category, then save it with the
    reason in its history and record ``event``. The category classifies; it changes nothing committed or paid."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the category is set or changed, e.g. 'Categorised for the MoJ "
                                         "return'; the reason is kept in the record's history."})
    before = record.service_category
    if before == service_category:
        raise ValidationError({"service_category": f"{record.reference} is already "
                                                   f"{'in ' + before.name if before else 'not categorised'}; choose "
                                                   "another category to change it."})
    require_category_in_use(service_category)
    record.service_category = service_category
    save_with_history(record, by=by, reason=reason)
    record_event(event, by=by, obj=record, reason=reason,
                 summary=f"{record.reference} service category: {before or 'none'} -> {service_category or 'none'}")
    return record


@transaction.atomic
def grant_service_category_set(*, grant: Grant, service_category: ServiceCategory | None, reason: str, by) -> Grant:
    """Set (or clear) the kind of service a grant pays for, at any point of its life: the category classifies
    the grant for funder returns and changes no term of the award, so it needs no variation. Finance officers
    only, with a reason kept in the history; refused when nothing changes or the category is retired."""
    require_role(by, FINANCE_OFFICERS, doing="set a grant's service category")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    return service_category_change(grant, service_category=service_category, reason=reason, by=by,
                                   event="grant.category_set")


def check_fund_can_cover(fund: Fund, year: FinancialYear, amount: Decimal, *, field: str = "amount") -> None:
    """Refuse a draw that the fund cannot cover today, naming what is available. (Approval checks again under
    the fund's lock, when the money is actually committed.)"""
    available = fund_available(fund=fund, year=year)
    if amount > available:
        raise ValidationError(
            {field: f"{fund.code} ({fund.name}) has {format_gbp(available)} available for {year.label}; "
                    f"{format_gbp(amount)} is more than it can cover."}
        )


def _budget_line_for(fund: Fund, year: FinancialYear, budget_line: BudgetLine | None) -> BudgetLine | None:
    """The budget line a funding line draws on: the one named (of that fund and year), else the fund's only line."""
    if budget_line is None:
        return default_budget_line(fund=fund, year=year)
    if budget_line.fund_id != fund.pk or budget_line.year_id != year.pk:
        headings = ", ".join(BudgetLine.objects.filter(fund=fund, year=year).values_list("heading", flat=True))
        raise ValidationError(
            {"budget_line": f"'{budget_line.heading}' is a budget line of {budget_line.fund.code} "
                            f"{budget_line.year.label}; choose one of {fund.code}'s lines for {year.label}"
                            + (f": {headings}." if headings else " (it has none yet).")}
        )
    return budget_line


def _line_check(refusals: Refusals, grant: Grant, *, fund: Fund, year: FinancialYear, amount,
                budget_line: BudgetLine | None) -> tuple:
    """A funding line's amount and budget line, each field's refusal put in ``refusals`` (all of them at once)."""
    value = refusals.check("amount", parse_amount, amount)
    if not fund.is_active:
        refusals.add("fund", f"{fund.code} is closed to new grants.")
    dated = isinstance(grant.start_date, Date) and isinstance(grant.end_date, Date)
    if dated and not year_overlaps(year, grant.start_date, grant.end_date):
        refusals.add("year", f"The grant runs {grant.start_date:%d/%m/%Y} to {grant.end_date:%d/%m/%Y}, which is "
                             f"outside {year.label} ({year.start_date:%d/%m/%Y} to {year.end_date:%d/%m/%Y}); choose a "
                             "year the grant runs in, or change its dates.")
    if value is not None:
        refusals.check("amount", check_fund_can_cover, fund, year, value)
    chosen = refusals.check("budget_line", _budget_line_for, fund, year, budget_line)
    return value, chosen


def funding_line_check(*, grant: Grant, fund: Fund, year: FinancialYear, amount,
                       budget_line: BudgetLine | None = None) -> tuple[Decimal, BudgetLine | None]:
    """Every rule ``funding_line_set`` applies to a line of ``grant`` (saved or not: only its dates are read),
    writing nothing, every field's refusal at once: the amount in pounds, the fund open to new grants, a year the
    grant runs in, the amount available in the fund now, and the budget line. Returns the amount and the budget
    line it would draw on."""
    refusals = Refusals()
    value, chosen = _line_check(refusals, grant, fund=fund, year=year, amount=amount, budget_line=budget_line)
    refusals.raise_any()
    return value, chosen


def _line_set(grant: Grant, *, fund: Fund, year: FinancialYear, amount, by,
              budget_line: BudgetLine | None = None) -> FundingLine:
    value, chosen = funding_line_check(grant=grant, fund=fund, year=year, amount=amount, budget_line=budget_line)
    line = FundingLine.objects.filter(grant=grant, fund=fund, year=year).first()
    if line is None:
        line = FundingLine(grant=grant, fund=fund, year=year)
        what = "added"
    else:
        what = f"changed from {format_gbp(line.amount.amount)}"
    if budget_line is not None or line.budget_line_id is None:
        line.budget_line = chosen
    line.original_amount = gbp(value)
    line.amount = gbp(value)
    save_with_history(line, by=by, reason=f"Funding line {what}")
    record_event("grant.funding_line_set", by=by, obj=grant,
                 summary=f"{grant.reference}: {format_gbp(value)} from {fund.code} for {year.label} ({what})")
    return line


@transaction.atomic
def funding_line_set(*, grant: Grant, fund: Fund, year: FinancialYear, amount, by,
                     budget_line: BudgetLine | None = None) -> FundingLine:
    """Add a funding line to a draft grant, or change its amount. The year must overlap the grant's dates and
    the fund must have the amount available now. It draws on ``budget_line`` (one of the fund's lines for that
    year), or, when none is named, on the fund's only line for the year; with several, submitting the grant asks
    for one (``grants.workflow``)."""
    require_role(by, FINANCE_OFFICERS, doing="edit grants")
    grant = lock(Grant.objects.filter(pk=grant.pk))[0]
    require_editable(grant)
    return _line_set(grant, fund=fund, year=year, amount=amount, by=by, budget_line=budget_line)


@transaction.atomic
def funding_line_remove(*, line: FundingLine, by) -> None:
    """Take a funding line off a draft grant."""
    require_role(by, FINANCE_OFFICERS, doing="edit grants")
    grant = lock(Grant.objects.filter(pk=line.grant_id))[0]
    require_editable(grant)
    summary = f"{grant.reference}: funding from {line.fund.code} for {line.year.label} removed"
    line._history_user = by
    line._change_reason = "Funding line removed"
    line.delete()
    record_event("grant.funding_line_removed", by=by, obj=grant, summary=summary)


@transaction.atomic
def decision_record(
    *, number: str, date: Date, decision_maker, summary: str, by, is_public: bool = True, title: str = "",
    confidential_reason: str = "",
) -> Decision:
    """Record a decision (number ``NNN-YYYY``, e.g. ``042-2025``) so that approvals above a fund's threshold
    can cite it. ``title`` heads it in the published decision log (else the summary's first sentence does); a
    confidential decision needs ``confidential_reason``, which the log shows in its place."""
    require_role(by, OFFICERS_AND_COMMISSIONERS, doing="record decisions")
    refusals = Refusals()  # every field at fault is reported at once
    number = (number or "").strip()
    refusals.check("number", validate_decision_number, number)
    if not refusals.refused("number"):
        existing = Decision.objects.filter(number=number).first()
        if existing is not None:
            refusals.add("number", f"Decision {number} is already recorded (dated {existing.date:%d/%m/%Y}).")
    if not isinstance(date, Date):
        refusals.add("date", "Give the date of the decision, e.g. 14/05/2025.")
    elif date > timezone.localdate():
        refusals.add("date", f"A decision is recorded once taken; {date:%d/%m/%Y} is in the future.")
    if decision_maker is None or not getattr(decision_maker, "pk", None):
        refusals.add("decision_maker", "Name who took the decision.")
    summary = (summary or "").strip()
    if not summary:
        refusals.add("summary", "Summarise the decision as it will be published.")
    confidential_reason = (confidential_reason or "").strip()
    if not is_public and not confidential_reason:
        refusals.add("confidential_reason", "Give the reason this decision is confidential, e.g. 'Safety: it names a "
                                            "refuge'; the published decision log shows it.")
    if is_public and confidential_reason:
        refusals.add("confidential_reason", "A published decision has no reason to be confidential: clear the reason, "
                                            "or untick Published if it is confidential.")
    refusals.raise_any()
    decision = Decision(number=number, date=date, decision_maker=decision_maker, summary=summary,
                        is_public=is_public, recorded_by=by, title=(title or "").strip(),
                        confidential_reason=confidential_reason)
    save_with_history(decision, by=by, reason="Decision recorded")
    record_event("decision.recorded", by=by, obj=decision, summary=f"Decision {number} recorded")
    return decision


def decisions_needed(amount_by_fund: dict[Fund, Decimal]) -> list[str]:
    """For each fund drawn on above its grant approval threshold, a line saying so (empty: no decision needed)."""
    return [
        f"{format_gbp(amount)} drawn on {fund.code} is above its {format_gbp(fund.grant_approval_threshold.amount)} "
        "approval threshold"
        for fund, amount in sorted(amount_by_fund.items(), key=lambda item: item[0].code)
        if amount > fund.grant_approval_threshold.amount
    ]


def resolve_decision(decision: "Decision | str | None") -> Decision | None:
    """Accept a Decision, its number as text (``'042-2025'``), or nothing."""
    if decision is None or isinstance(decision, Decision):
        return decision
    number = str(decision).strip()
    if not number:
        return None
    try:
        validate_decision_number(number)
    except ValidationError as exc:
        raise ValidationError({"decision": exc.messages})
    found = Decision.objects.filter(number=number).first()
    if found is None:
        raise ValidationError({"decision": f"Decision {number} has not been recorded; record it before citing it."})
    return found


def decision_missing(amount_by_fund: dict[Fund, Decimal], *, what: str) -> str | None:
    """Why approving ``what`` needs a recorded decision (None: it does not). Pages ask it to mark the decision
    number required and to say so with the rest of a form's errors."""
    reasons = decisions_needed(amount_by_fund)
    if not reasons:
        return None
    return f"{'; '.join(reasons)}, so approving {what} needs a recorded decision: give its number (e.g. 042-2025)."


def require_decision(amount_by_fund: dict[Fund, Decimal], decision: Decision | None, *, on: Date, what: str) -> None:
    if decision is None and (missing := decision_missing(amount_by_fund, what=what)):
        raise ValidationError({"decision": missing})
    if decision is not None and decision.date > on:
        raise ValidationError(
            {"decision": f"Decision {decision.number} is dated {decision.date:%d/%m/%Y}, after the approval date "
                         f"{on:%d/%m/%Y}; an approval can only cite a decision already taken."}
        )
