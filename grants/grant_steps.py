"""Drafting a grant in steps: (1) details, (2) funding lines, (3) schedule, (4) outcome targets, (5) check.

The answers are plain data (what the person typed, per step), kept by the page between steps; nothing is written
until ``grant_steps_finish``, which calls the services used everywhere else (``awards.grant_create``,
``awards.funding_line_set``, ``outcomes.outcome_target_set``) in one transaction. Each step is checked when it is
answered by those services' own rules, writing nothing (``awards.grant_build``, ``awards.funding_line_check``,
``outcomes.outcome_target_check``), so a step accepts only what the last step will. A refusal names the step
at fault, the line or target in it, and the service's message per field (``StepRefusal``).

The schedule step sets the terms the instalments are made from (payment terms, whether each instalment waits
for its quarter's return): a draft has no instalments; approval makes them (``schedule.schedule_generate``), and
after approval they are changed on the schedule page. The step shows what approval would make
(``schedule.schedule_preview``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from core.money import gbp
from grants import awards, outcomes
from grants.forms_steps import (
    SCHEDULE_FIELDS,
    DetailsStepForm,
    FundingLineStepForm,
    ScheduleStepForm,
    TargetStepForm,
)
from grants.models import FundingLine, Grant, Instalment
from grants.schedule import schedule_preview

STEPS = ("details", "funding", "schedule", "outcomes", "check")
TITLES = {
    "details": "Grant details",
    "funding": "Funding lines",
    "schedule": "Payment schedule",
    "outcomes": "Outcome targets",
    "check": "Check your answers",
}
#: Step 3's answers until it is answered (the defaults of the grant's own form).
DEFAULT_SCHEDULE = {"payment_terms_days": "30", "returns_required": "on"}
DETAIL_FIELDS = (
    "title", "purpose", "service", "senior_responsible_officer", "allocation_method", "direct_award_reason",
    "start_date", "end_date", "conditions", "risk_rating", "do_not_publish", "do_not_publish_reason",
    "service_category",
)


def new_answers(*, service: str = "") -> dict:
    """Nothing answered yet (``service``: the service to offer first, from the organisation's page)."""
    return {"details": {"service": service} if service else {}, "lines": [], "schedule": {}, "targets": [],
            "done": []}


def answers_of(form) -> dict:
    """What the person typed into ``form``, as kept between steps (an unticked box kept as blank)."""
    return {name: form.data.get(name, "") for name in form.fields if name != "index"}


@dataclass
class StepRefusal(Exception):
    """The step at fault, the line or target in it (``index``), and the messages per field."""

    step: str
    index: int | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_error(self) -> ValidationError:
        return ValidationError(self.errors)


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


def _cleaned(form, step: str, index: int | None = None) -> dict:
    if not form.is_valid():
        raise StepRefusal(step, index, {name: list(errors) for name, errors in form.errors.items()})
    return {name: value for name, value in form.cleaned_data.items() if name != "index"}


def _grant_refusal(error: ValidationError) -> StepRefusal:
    messages = messages_of(error)
    step = "schedule" if set(messages) & set(SCHEDULE_FIELDS) else "details"
    return StepRefusal(step, None, messages)


def grant_kwargs(details: dict, schedule: dict) -> dict:
    """The keyword arguments of ``grant_build`` and ``grant_create`` from the cleaned answers of steps 1 and 3."""
    kwargs = {name: details.get(name) for name in DETAIL_FIELDS}
    kwargs["organisation"] = details["service"].organisation
    kwargs.update({name: schedule[name] for name in SCHEDULE_FIELDS})
    return kwargs


def _details(answers: dict) -> dict:
    return _cleaned(DetailsStepForm(answers["details"]), "details")


def _schedule(answers: dict) -> dict:
    return _cleaned(ScheduleStepForm(answers["schedule"] or DEFAULT_SCHEDULE), "schedule")


def grant_check(answers: dict, *, details: dict | None = None, schedule: dict | None = None) -> Grant:
    """The grant the answers to steps 1 and 3 describe (``details``, ``schedule``: cleaned answers of a step being
    answered, in place of those kept), checked by ``grant_build`` and not saved."""
    details = _details(answers) if details is None else details
    schedule = _schedule(answers) if schedule is None else schedule
    try:
        return awards.grant_build(**grant_kwargs(details, schedule))
    except ValidationError as error:
        raise _grant_refusal(error) from None


def line_check(grant: Grant, values: dict) -> FundingLine:
    """One funding line of the unsaved ``grant``, checked by ``funding_line_check`` and not saved."""
    amount, budget_line = awards.funding_line_check(grant=grant, **values)
    return FundingLine(grant=grant, fund=values["fund"], year=values["year"], amount=gbp(amount),
                       original_amount=gbp(amount), budget_line=budget_line)


def target_check(grant: Grant, lines: list[FundingLine], values: dict) -> Decimal:
    """One outcome target of the unsaved ``grant`` drawing on ``lines``, checked by ``outcome_target_check``."""
    return outcomes.outcome_target_check(grant=grant, fund_ids={line.fund_id for line in lines}, **values)


def _line_values(answers: dict) -> list[dict]:
    return [_cleaned(FundingLineStepForm(raw), "funding", i) for i, raw in enumerate(answers["lines"])]


def _target_values(answers: dict) -> list[dict]:
    return [_cleaned(TargetStepForm(raw, wide=True), "outcomes", i) for i, raw in enumerate(answers["targets"])]


@dataclass
class CheckedDraft:
    """Every answer, checked by the services' rules, nothing saved: what the check page shows."""

    grant: Grant
    lines: list[FundingLine]
    targets: list[tuple[dict, Decimal]]
    instalments: list[Instalment]


def lines_check(answers: dict, grant: Grant) -> list[FundingLine]:
    lines = []
    for i, values in enumerate(_line_values(answers)):
        try:
            lines.append(line_check(grant, values))
        except ValidationError as error:
            raise StepRefusal("funding", i, messages_of(error)) from None
    return lines


def targets_check(answers: dict, grant: Grant, lines: list[FundingLine]) -> list[tuple[dict, Decimal]]:
    targets = []
    for i, values in enumerate(_target_values(answers)):
        try:
            targets.append((values, target_check(grant, lines, values)))
        except ValidationError as error:
            raise StepRefusal("outcomes", i, messages_of(error)) from None
    return targets


def draft_check(answers: dict) -> CheckedDraft:
    """Every answer checked as each step checks it; raises ``StepRefusal`` for the first at fault."""
    grant = grant_check(answers)
    lines = lines_check(answers, grant)
    targets = targets_check(answers, grant, lines)
    return CheckedDraft(grant, lines, targets, schedule_preview(grant=grant, lines=lines))


def grant_steps_finish(answers: dict, *, by) -> Grant:
    """Draft the grant the answers describe, in one transaction, through the services used everywhere else:
    create it, add each funding line, then set each target (the schedule's terms are the grant's own). Any
    refusal writes nothing and raises ``StepRefusal`` naming the step at fault."""
    details, schedule = _details(answers), _schedule(answers)
    lines, targets = _line_values(answers), _target_values(answers)
    at = StepRefusal("details", None)  # where a refusal would be, as the calls go on
    try:
        with transaction.atomic():
            grant = awards.grant_create(by=by, **grant_kwargs(details, schedule))
            for i, values in enumerate(lines):
                at = StepRefusal("funding", i)
                awards.funding_line_set(grant=grant, by=by, **values)
            for i, values in enumerate(targets):
                at = StepRefusal("outcomes", i)
                outcomes.outcome_target_set(grant=grant, by=by, **values)
    except ValidationError as error:
        if at.step == "details":
            raise _grant_refusal(error) from None
        raise StepRefusal(at.step, at.index, messages_of(error)) from None
    return grant
