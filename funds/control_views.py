"""Pages for funds' control settings: every fund's thresholds and retained share with the changes waiting and
decided, proposing a change (finance officers and directors), and deciding one (commissioners and directors).
Thin: every rule is in ``funds.controls``; refusals appear next to the field at fault."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.permissions import role_required
from core.redirects import redirect_back
from core.roles import EVERY_ROLE, has_role
from funds import controls
from funds.forms import ControlChangeForm, DecisionForm
from funds.models import ControlChange, Fund

RECENT = 50  # decided changes shown on the list (each fund's history page keeps every one)


def _worded(changes) -> list[ControlChange]:
    """The changes, each with its values worded as its setting is (£ or %)."""
    changes = list(changes)
    for change in changes:
        control = controls.control_for(change.setting)
        change.before_text, change.after_text = control.format(change.value_before), control.format(change.value_after)
    return changes


@role_required(*EVERY_ROLE)
def control_list(request):
    funds = Fund.objects.select_related("funder").order_by("code")
    return render(request, "funds/control_list.html", {
        "controls": list(controls.CONTROLS.values()),
        "funds": [(fund, [control.format(value) for control, value in controls.control_rows(fund)]) for fund in funds],
        "awaiting": _worded(controls.control_changes_awaiting()),
        "decided": _worded(controls.control_changes().exclude(status=ControlChange.Status.PROPOSED)
                           .order_by("-decided_at", "-id")[:RECENT]),
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
