"""Pages for funds' control settings: every fund's thresholds and retained share with the changes waiting and
decided, proposing a change (finance officers and directors), and deciding one (commissioners and directors).
Thin: every rule is in ``funds.controls``; refusals appear next to the field at fault."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing, proposal_columns
from core.permissions import role_required
from core.redirects import redirect_back
from core.roles import EVERY_ROLE, has_role
from funds import controls
from funds.forms import ControlChangeForm, DecisionForm
from funds.models import ControlChange, Fund

RECENT = 50  # decided changes shown on the list, in the order chosen (the CSV has every one; so does each history)


def _worded(changes) -> list[ControlChange]:
    """The changes, each with its values worded as its setting is (£ or %)."""
    changes = list(changes)
    for change in changes:
        control = controls.control_for(change.setting)
        change.before_text, change.after_text = control.format(change.value_before), control.format(change.value_after)
    return changes


def _plain(value) -> str:
    """A setting's value for CSV as the number it is (250000.00, 25.5): money to the penny, a percentage exact."""
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():f}"


def _changes(name, prefix, when_key, when_title, when_field, *, decided=False):
    columns = [
        Column(when_key, when_title, order=when_field, value=when_field),
        Column("fund", "Fund", order="fund__code", value="fund.code"),
        Column("setting", "Setting", order="setting", value="get_setting_display"),
        Column("before", "Now" if not decided else "From", value=lambda c: _plain(c.value_before), num=True),
        Column("after", "Proposed" if not decided else "To", value=lambda c: _plain(c.value_after), num=True),
    ] + proposal_columns(decided=decided)
    return Listing(name, tuple(columns), prefix=prefix)


CHANGES_AWAITING = _changes("control-changes-awaiting", "awaiting", "proposed", "Proposed", "proposed_at")
CHANGES_DECIDED = _changes("control-changes-decided", "decided", "decided", "Decided", "decided_at", decided=True)
FUND_SETTINGS = Listing("fund-control-settings", (
    Column("fund", "Fund", order="code", value="code"),
    Column("name", "Name", order="name", value="name"),
    *(Column(setting, control.label, order=setting,
             value=lambda f, c=control: _plain(controls.control_current(f, c.setting)), num=True)
      for setting, control in controls.CONTROLS.items()),
), prefix="funds")


@role_required(*EVERY_ROLE)
def control_list(request):
    awaiting = CHANGES_AWAITING.table(request, controls.control_changes_awaiting(), per_page=None, prepare=_worded)
    funds = FUND_SETTINGS.table(request, Fund.objects.select_related("funder"), default=("code",), per_page=None)
    decided = CHANGES_DECIDED.table(request, controls.control_changes().exclude(status=ControlChange.Status.PROPOSED),
                                    default=("-decided_at", "-id"), first=RECENT, prepare=_worded)
    for table in (awaiting, funds, decided):
        if table.download:
            return table.response()
    return render(request, "funds/control_list.html", {
        "controls": list(controls.CONTROLS.values()),
        "funds_table": funds,
        "funds": [(fund, [control.format(value) for control, value in controls.control_rows(fund)])
                  for fund in funds.rows],
        "awaiting_table": awaiting,
        "awaiting": awaiting.rows,
        "decided_table": decided,
        "decided": decided.rows,
        "can_propose": has_role(request.user, *controls.PROPOSERS),
        "can_decide": has_role(request.user, *controls.DECIDERS),
    })


@role_required(*controls.PROPOSERS)
def control_propose(request):
    initial = {"fund": Fund.objects.filter(code=request.GET.get("fund", "")).first(),
               "setting": request.GET.get("setting") if request.GET.get("setting") in controls.CONTROLS else None}
    form = ControlChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        change = call_service(form, controls.control_change_propose, by=request.user, **form.cleaned_data)
        if change:
            messages.success(request, f"Change proposed. {change.fund.code}'s setting stays as it is until a "
                                      "commissioner or finance director other than you approves it.")
            return redirect("funds:control_detail", pk=change.pk)
    return render(request, "core/form_page.html", {
        "form": form,
        "title": "Propose a change to a control setting",
        "submit_label": "Propose the change",
        "cancel_url": reverse("funds:control_list"),
        "lead": "A fund's thresholds decide when a second person must look; its retained share decides what it keeps "
                "of fines. A change takes effect only when a commissioner or finance director other than you "
                "approves it.",
    })


def _detail(request, change, form=None, status=200):
    control = controls.control_for(change.setting)
    refusal = controls.decision_refusal(change, request.user)
    can_decide = has_role(request.user, *controls.DECIDERS) and refusal is None
    return render(request, "funds/control_detail.html", {
        "change": change,
        "control": control,
        "before": control.format(change.value_before),
        "after": control.format(change.value_after),
        "now": control.format(controls.control_current(change.fund, change.setting)),
        "pending": change.status == ControlChange.Status.PROPOSED,
        "can_decide": can_decide,
        "refusal": refusal if has_role(request.user, *controls.DECIDERS) else None,
        "form": form if form is not None else (DecisionForm() if can_decide else None),
    }, status=status)


@role_required(*EVERY_ROLE)
def control_detail(request, pk):
    return _detail(request, get_object_or_404(controls.control_changes(), pk=pk))


@role_required(*controls.DECIDERS)
def control_decide(request, pk):
    change = get_object_or_404(controls.control_changes(), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decided = call_service(form, controls.control_change_decide, change=change, by=request.user,
                               approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
        if decided:
            messages.success(request, f"Change {decided.get_status_display().lower()}.")
            return redirect_back(request, reverse("funds:control_detail", args=[decided.pk]))
    if request.method == "POST":
        return _detail(request, change, form=form, status=400)
    return _detail(request, change, form=form)
