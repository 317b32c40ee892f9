"""Drafting a grant in five steps (GOV.UK question pages, then "check your answers"). The answers are kept in
the person's session under a draft id of their own, so two browser tabs drafting two grants do not mix; nothing
is written until the last step (``grants.grant_steps``)."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from core.forms import apply_service_errors
from core.permissions import role_required
from core.roles import FINANCE_OFFICERS
from grants import grant_steps as steps
from grants.forms_steps import DetailsStepForm, FundingLineStepForm, ScheduleStepForm, TargetStepForm
from grants.grant_steps import STEPS, TITLES, StepRefusal
from grants.schedule import schedule_preview

SESSION_KEY = "grant_drafts"
KEEP = 5  # drafts kept per session: the newest, so an abandoned form does not grow the session for ever
URL_NAMES = {step: f"grants:create_{step}" for step in STEPS}
FILLED = ("details", "funding", "schedule", "outcomes")


def _url(draft: str, step: str, **query) -> str:
    url = reverse(URL_NAMES[step], kwargs={"draft": draft})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _save(request) -> None:
    request.session.modified = True


@role_required(*FINANCE_OFFICERS)
def grant_create(request):
    """Start the steps: a new draft id, keeping the person's newest other drafts (other tabs)."""
    drafts = request.session.get(SESSION_KEY, {})
    for old in list(drafts)[: max(0, len(drafts) - KEEP + 1)]:
        del drafts[old]
    draft = secrets.token_hex(8)
    drafts[draft] = steps.new_answers(service=request.GET.get("service", "")[:12])
    request.session[SESSION_KEY] = drafts
    return redirect(_url(draft, "details"))


def _step_open(answers: dict, step: str):
    """The first earlier step not yet answered (to go to instead), or None."""
    for earlier in FILLED[: STEPS.index(step)]:
        if earlier not in answers["done"]:
            return earlier
    return None


def _done(request, draft: str, answers: dict, step: str):
    """Mark ``step`` answered and go on: to the check page once every step is answered, else to the next."""
    if step not in answers["done"]:
        answers["done"].append(step)
    _save(request)
    if all(s in answers["done"] for s in FILLED):
        return redirect(_url(draft, "check"))
    return redirect(_url(draft, STEPS[STEPS.index(step) + 1]))


def _refusal(answers: dict, step: str) -> StepRefusal | None:
    """The refusal the last step sent back to ``step``, once (shown, then forgotten)."""
    kept = answers.get("refusal")
    if kept and kept["step"] == step:
        del answers["refusal"]
        return StepRefusal(kept["step"], kept["index"], kept["errors"])
    return None


def _send_back(request, draft: str, answers: dict, refusal: StepRefusal):
    answers["refusal"] = {"step": refusal.step, "index": refusal.index, "errors": refusal.errors}
    _save(request)
    query = {"item": refusal.index} if refusal.index is not None else {}
    return redirect(_url(draft, refusal.step, **query))


def _page(request, draft: str, step: str, context: dict, template: str = "core/form_page.html"):
    number = STEPS.index(step) + 1
    back = reverse("grants:list") if number == 1 else _url(draft, STEPS[number - 2])
    return render(request, template, {
        "title": TITLES[step], "caption": f"Step {number} of {len(STEPS)}", "draft": draft, "back_url": back,
        "back_label": "the grants" if number == 1 else f"step {number - 1}", "cancel_url": reverse("grants:list"),
        "submit_label": "Continue", **context,
    })


def _bound_with(form_class, data: dict, refusal: StepRefusal | None, **kwargs):
    """A form showing kept answers: unbound (values only), or bound with the refusal on its fields."""
    if refusal is None:
        return form_class(initial=data, **kwargs)
    form = form_class(data, **kwargs)
    form.is_valid()
    for name in refusal.errors:  # the service's words, in place of the form's own on the same field
        form.errors.pop(name, None)
    apply_service_errors(form, refusal.as_error())
    return form


def _gone(request):
    messages.info(request, "That grant form is no longer open (it was finished, or the session ended); "
                           "start again here.")
    return redirect("grants:create")


def _step_view(step: str):
    """A step's page: finance officers only; its draft from the session (else start again); an earlier step not
    yet answered is asked first; a refusal about another step sends the person there with it."""

    def decorator(body):
        @wraps(body)
        def view(request, draft):
            answers = request.session.get(SESSION_KEY, {}).get(draft)
            if answers is None:
                return _gone(request)
            if (earlier := _step_open(answers, step)) is not None:
                return redirect(_url(draft, earlier))
            try:
                return body(request, draft, answers)
            except StepRefusal as refusal:
                return _send_back(request, draft, answers, refusal)

        return role_required(*FINANCE_OFFICERS)(view)

    return decorator


@_step_view("details")
def step_details(request, draft, answers):
    if request.method == "POST":
        form = DetailsStepForm(request.POST)
        if form.is_valid():
            try:
                steps.grant_check(answers, details=form.cleaned_data)
            except StepRefusal as refusal:
                apply_service_errors(form, refusal.as_error())
            else:
                answers["details"] = steps.answers_of(form)
                return _done(request, draft, answers, "details")
    else:
        initial = answers["details"] if answers["details"].get("title") else {"risk_rating": "medium",
                                                                              **answers["details"]}
        form = _bound_with(DetailsStepForm, initial, _refusal(answers, "details"))
        _save(request)
    return _page(request, draft, "details", {
        "form": form,
        "lead": "What the grant is for and who delivers it. Nothing is saved until you check your answers at step "
                "5; the draft can then be changed freely until it is submitted.",
    })


@dataclass(frozen=True)
class ListStep:
    """Steps 2 and 4: a list of items (funding lines, targets) with Change and Remove, and a form to add one."""

    step: str
    key: str  # where the answers keep the items
    noun: str
    form_class: type
    check_one: Callable  # (answers, cleaned values) -> None, raising StepRefusal
    check_all: Callable  # (answers) -> None, raising StepRefusal for the first item at fault
    form_kwargs: Callable = lambda answers: {}
    preview_kwargs: Callable = lambda: {}
    template: str = ""
    lead: str = ""


def _list_step(request, draft: str, answers: dict, spec: ListStep):
    items = answers[spec.key]
    form = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            index = request.POST.get("index", "")
            if index.isdigit() and int(index) < len(items):
                items.pop(int(index))
                messages.success(request, f"The {spec.noun} was removed.")
            _save(request)
            return redirect(_url(draft, spec.step))
        form = spec.form_class(request.POST, **spec.form_kwargs(answers))
        if action == "continue" and not _typed(form):
            spec.check_all(answers)
            return _done(request, draft, answers, spec.step)
        # Adding, or continuing with an item typed but not added: it is added first (never silently dropped).
        if form.is_valid():
            try:
                spec.check_one(answers, {k: v for k, v in form.cleaned_data.items() if k != "index"})
            except StepRefusal as refusal:
                apply_service_errors(form, refusal.as_error())
            else:
                _keep_item(request, items, form, spec)
                _save(request)
                if action == "continue":
                    spec.check_all(answers)
                    return _done(request, draft, answers, spec.step)
                return redirect(_url(draft, spec.step))
    else:
        item = request.GET.get("item", "")
        index = int(item) if item.isdigit() and int(item) < len(items) else None
        data = {**items[index], "index": index} if index is not None else {}
        form = _bound_with(spec.form_class, data, _refusal(answers, spec.step), **spec.form_kwargs(answers))
        _save(request)
    rows = []
    for i, raw in enumerate(items):
        shown = spec.form_class(raw, **spec.preview_kwargs())
        shown.is_valid()
        rows.append((i, shown.cleaned_data))
    return _page(request, draft, spec.step, {
        "form": form, "rows": rows, "changing": form["index"].value() not in (None, ""), "lead": spec.lead,
    }, template=spec.template)


def _typed(form) -> bool:
    """Whether the person typed or chose anything in the add form (``index`` aside)."""
    return any(str(form.data.get(form.add_prefix(name), "")).strip() for name in form.fields if name != "index")


def _keep_item(request, items: list, form, spec: ListStep) -> None:
    """Add the item, or change the one the form was opened for. An item with the same fund and year (line) or
    measure and year (target) is replaced, as the service would change that line's amount or that target."""
    index = form.cleaned_data.get("index")
    raw = steps.answers_of(form)
    keys = ("fund", "year") if spec.step == "funding" else ("measure", "year")
    same = [i for i, item in enumerate(items) if i != index and all(item.get(k) == raw.get(k) for k in keys)]
    if index is not None and index < len(items):
        items[index] = raw
        what = "changed"
    else:
        items.append(raw)
        what = "added"
    for other in sorted(same, reverse=True):
        items.pop(other)
        what = "changed: it replaces the one for the same " + (
            "fund and year" if spec.step == "funding" else "measure and year")
    messages.success(request, f"The {spec.noun} was {what}.")


def _refused_item(step: str, check) -> None:
    try:
        check()
    except ValidationError as error:
        raise StepRefusal(step, None, steps.messages_of(error)) from None


FUNDING = ListStep(
    step="funding", key="lines", noun="funding line", form_class=FundingLineStepForm,
    check_one=lambda answers, values: _refused_item(
        "funding", lambda: steps.line_check(steps.grant_check(answers), values)),
    check_all=lambda answers: steps.lines_check(answers, steps.grant_check(answers)),
    template="grants/steps/funding.html",
    lead="The amount the grant draws on each fund in each financial year it runs in. The fund must have the amount "
         "available now; approval commits it. A grant can be drafted without funding lines, but needs one before "
         "it is submitted.",
)


def _target_one(answers, values):
    grant = steps.grant_check(answers)
    lines = steps.lines_check(answers, grant)
    _refused_item("outcomes", lambda: steps.target_check(grant, lines, values))


def _target_all(answers):
    grant = steps.grant_check(answers)
    steps.targets_check(answers, grant, steps.lines_check(answers, grant))


def _target_choices(answers):
    grant = steps.grant_check(answers)
    return {"fund_ids": {line.fund_id for line in steps.lines_check(answers, grant)}, "grant": grant}


OUTCOMES = ListStep(
    step="outcomes", key="targets", noun="target", form_class=TargetStepForm, check_one=_target_one,
    check_all=_target_all, form_kwargs=_target_choices, preview_kwargs=lambda: {"wide": True},
    template="grants/steps/outcomes.html",
    lead="Targets for the outcome measures of the funds the grant draws on, per financial year it runs in. They "
         "can also be set later, from the grant's page.",
)


@_step_view("funding")
def step_funding(request, draft, answers):
    return _list_step(request, draft, answers, FUNDING)


@_step_view("outcomes")
def step_outcomes(request, draft, answers):
    return _list_step(request, draft, answers, OUTCOMES)


@_step_view("schedule")
def step_schedule(request, draft, answers):
    if request.method == "POST":
        form = ScheduleStepForm(request.POST)
        if form.is_valid():
            try:
                steps.grant_check(answers, schedule=form.cleaned_data)
            except StepRefusal as refusal:
                apply_service_errors(form, refusal.as_error())
            else:
                answers["schedule"] = steps.answers_of(form)
                return _done(request, draft, answers, "schedule")
    else:
        form = _bound_with(ScheduleStepForm, answers["schedule"] or steps.DEFAULT_SCHEDULE,
                           _refusal(answers, "schedule"))
        _save(request)
    try:
        grant = steps.grant_check(answers)
        instalments = schedule_preview(grant=grant, lines=steps.lines_check(answers, grant))
    except StepRefusal as refusal:
        if refusal.step != "schedule":
            raise
        instalments = None  # the kept terms are refused: shown on the form, no preview
    return _page(request, draft, "schedule", {
        "form": form, "instalments": instalments, "terms_kept": bool(answers["schedule"]),
        "lead": "The terms the instalments are made from. They are made when the grant is approved: one for each "
                "quarter of a funding line's year that the grant runs in, paid in arrears. After approval each "
                "instalment can be changed (amount, due date, paid in advance) on the grant's schedule page.",
    }, template="grants/steps/schedule.html")


@_step_view("check")
def step_check(request, draft, answers):
    if request.method == "POST":
        grant = steps.grant_steps_finish(answers, by=request.user)  # a refusal goes back to its step
        del request.session[SESSION_KEY][draft]
        _save(request)
        messages.success(request, f"{grant.reference} drafted. Submit it for approval when it is ready.")
        return redirect("grants:detail", pk=grant.pk)
    checked = steps.draft_check(answers)
    return _page(request, draft, "check", {
        "checked": checked, "grant": checked.grant, "submit_label": "Create the draft grant",
        "urls": {step: _url(draft, step) for step in FILLED},
    }, template="grants/steps/check.html")
