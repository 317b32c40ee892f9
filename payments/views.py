"""Payment run pages: the list, preparing a run (finance officers), a run with its actions (authorise, take a
payee out, pay, cancel, download the payment file) and the delegated limits. Every rule is in ``payments.runs``,
``payments.limits`` and ``payments.bank_file``; these pages show what they say. Bank details appear masked."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import call_service
from core.listing import Column, Listing, proposal_columns
from core.money import format_gbp
from core.permissions import role_required
from core.roles import EVERY_ROLE, FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from core.templatetags.ringfence import person
from grants.models import Organisation
from payments import limits
from payments import runs as services
from payments.bank_file import payment_file
from payments.forms import AuthoriseForm, CancelForm, LimitDecisionForm, LimitForm, PayForm, PrepareForm, WithholdForm
from payments.limits import delegated_limit, limits_covering
from payments.models import LimitChange, PaymentRun
from payments.selectors import delegated_limits, runs_with_totals


def _name(user):
    return person(user).lower() if user else ""


RUNS = Listing("payment-runs", (  # rows built in Python (runs_with_totals), so sorted in Python
    Column("run", "Run", order=lambda r: r.pk, value="reference"),
    Column("pay_on", "Pay on", order=lambda r: r.pay_on, value="pay_on"),
    Column("status", "Status", order=lambda r: r.get_status_display(), value="get_status_display"),
    Column("count", "Payments", order=lambda r: r.count, value="count", num=True),
    Column("total", "Total", order=lambda r: r.total, value="total", num=True),
    Column("prepared_by", "Prepared by", order=lambda r: _name(r.prepared_by), value=lambda r: person(r.prepared_by)),
    Column("authorised_by", "Authorised by", order=lambda r: _name(r.authorised_by),
           value=lambda r: person(r.authorised_by) if r.authorised_by else ""),
))


@role_required(*OFFICERS_AND_DIRECTORS)
def run_list(request):
    table = RUNS.table(request, runs_with_totals(), per_page=None)
    if table.download:
        return table.response()
    return render(request, "payments/run_list.html", {
        "table": table, "runs": table.rows, "can_prepare": has_role(request.user, *FINANCE_OFFICERS),
    })


@role_required(*FINANCE_OFFICERS)
def run_prepare(request):
    form = PrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = call_service(form, services.payment_run_prepare, by=request.user, **form.cleaned_data)
        if run:
            messages.success(request, f"{run.reference} prepared for {run.pay_on:%d/%m/%Y}. Someone else must now "
                                      "authorise it.")
            return redirect("payments:run_detail", pk=run.pk)
    back = reverse("payments:run_list")
    return render(request, "core/form_page.html", {
        "form": form, "title": "Prepare a payment run", "caption": "Payment runs",
        "lead": "Gathers every grant instalment that may be paid on that date and every approved supplier invoice "
                "due by then, except what another unpaid run holds. Someone other than you authorises the run "
                "within their delegated limit; only then can the file go to the bank and the run be paid.",
        "submit_label": "Prepare run", "back_url": back, "cancel_url": back,
    })


def _run(pk) -> PaymentRun:
    return get_object_or_404(PaymentRun.objects.select_related("prepared_by", "authorised_by", "paid_by",
                                                               "cancelled_by"), pk=pk)


def _detail_context(request, run, **forms):
    items = services.run_items(run, included_only=False)
    included = [i for i in items if i.status == "included"]
    total = services.run_total(included)
    payees = sorted({i.organisation for i in included}, key=lambda o: o.name)
    unpaid = run.status in (PaymentRun.Status.PREPARED, PaymentRun.Status.AUTHORISED)
    prepared = run.status == PaymentRun.Status.PREPARED
    limit = delegated_limit(request.user)
    context = {
        "run": run, "items": items, "total": total, "count": len(included), "payees": payees,
        "my_limit": limit,
        "covering": limits_covering(total, excluding=[run.prepared_by_id]) if prepared else [],
        "can_authorise": prepared and run.prepared_by_id != request.user.pk and included,
        "can_pay": run.status == PaymentRun.Status.AUTHORISED and included,
        "can_change": unpaid,
        "can_download": run.status in (PaymentRun.Status.AUTHORISED, PaymentRun.Status.PAID) and included,
        "changed": services.changed_details_refusal(included, doing="paid")
        if run.status == PaymentRun.Status.AUTHORISED and included else None,
        "authorise_form": forms.get("authorise_form") or AuthoriseForm(),
        "pay_form": forms.get("pay_form") or PayForm(),
        "withhold_form": forms.get("withhold_form") or WithholdForm(payees=payees),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "refused_forms": [f for f in forms.values() if f.errors],
    }
    return context


@role_required(*OFFICERS_AND_DIRECTORS)
def run_detail(request, pk):
    run = _run(pk)
    return render(request, "payments/run_detail.html", _detail_context(request, run))


def _act(request, run, form, key, service, success, extra=None):
    if form.is_valid():
        result = call_service(form, service, run=run, by=request.user, **(extra(form) if extra else {}))
        if result is not None:
            messages.success(request, success)
            return redirect("payments:run_detail", pk=run.pk)
    run = _run(run.pk)
    return render(request, "payments/run_detail.html", _detail_context(request, run, **{key: form}), status=400)


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def run_authorise(request, pk):
    run = _run(pk)
    return _act(request, run, AuthoriseForm(request.POST), "authorise_form", services.payment_run_authorise,
                f"{run.reference} authorised; the payment file can now go to the bank.")


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def run_pay(request, pk):
    run = _run(pk)
    return _act(request, run, PayForm(request.POST), "pay_form", services.payment_run_pay,
                f"{run.reference} paid: every payment in it is posted.")


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def run_withhold(request, pk):
    run = _run(pk)
    payees = sorted({i.organisation for i in services.run_items(run)}, key=lambda o: o.name)
    form = WithholdForm(request.POST, payees=payees)

    def kwargs(f):
        return {"organisation": get_object_or_404(Organisation, pk=f.cleaned_data["organisation"]),
                "reason": f.cleaned_data["reason"]}

    return _act(request, run, form, "withhold_form", services.payment_run_withhold, extra=kwargs,
                success="Payee taken out of the run; what they were to be paid can go in a later run.")


@require_POST
@role_required(*OFFICERS_AND_DIRECTORS)
def run_cancel(request, pk):
    run = _run(pk)
    form = CancelForm(request.POST)
    return _act(request, run, form, "cancel_form", services.payment_run_cancel,
                extra=lambda f: {"reason": f.cleaned_data["reason"]},
                success=f"{run.reference} cancelled; everything in it can go in another run.")


@role_required(*OFFICERS_AND_DIRECTORS)
def run_file(request, pk):
    run = _run(pk)
    try:
        content = payment_file(run, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payments:run_detail", pk=run.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payment-run-{run.reference}.csv"'
    return response


LIMITS = Listing("delegated-limits", (  # rows built in Python (selectors.delegated_limits), sorted in Python
    Column("person", "Person", order=lambda d: _name(d.user), value=lambda d: person(d.user)),
    Column("limit", "Limit", order=lambda d: d.amount.amount, value="amount.amount", num=True),
    Column("reason", "Reason", value="note"),
    Column("approved_by", "Approved by", order=lambda d: _name(d.set_by), value=lambda d: person(d.set_by)),
    Column("when", "When", order=lambda d: d.set_at, value="set_at"),
))


def _before(change):
    return change.amount_before.amount if change.amount_before else None


def _limit_changes(name, prefix, when_key, when_title, when_field, *, decided=False):
    columns = [
        Column(when_key, when_title, order=when_field, value=when_field),
        Column("person", "Person", order="user__last_name", value=lambda c: person(c.user)),
        Column("before", "Now" if not decided else "From", order="amount_before", value=_before, num=True),
        Column("amount", "Proposed" if not decided else "To", order="amount", value="amount.amount", num=True),
    ] + proposal_columns(decided=decided)
    return Listing(name, tuple(columns), prefix=prefix)


LIMITS_AWAITING = _limit_changes("delegated-limit-changes-awaiting", "awaiting", "proposed", "Proposed", "proposed_at")
LIMITS_DECIDED = _limit_changes("delegated-limit-changes-decided", "decided", "decided", "Decided", "decided_at",
                                decided=True)
RECENT_DECIDED = 50  # decided changes shown on the page, in the order chosen; the CSV has every one


def _limit_tables(request):
    return (
        LIMITS.table(request, delegated_limits(), per_page=None),
        LIMITS_AWAITING.table(request, limits.limit_changes_awaiting(), per_page=None),
        LIMITS_DECIDED.table(request, limits.limit_changes().exclude(status=LimitChange.Status.PROPOSED),
                             default=("-decided_at", "-id"), first=RECENT_DECIDED),
    )


def _limits_page(request, form=None, status=200):
    can_propose = has_role(request.user, *limits.PROPOSERS)
    table, awaiting, decided = _limit_tables(request)
    return render(request, "payments/limits.html", {
        "table": table,
        "limits": table.rows,
        "awaiting_table": awaiting,
        "awaiting": awaiting.rows,
        "decided_table": decided,
        "decided": decided.rows,
        "can_propose": can_propose,
        "form": form if form is not None else (LimitForm(exclude_user=request.user) if can_propose else None),
    }, status=status)


@role_required(*EVERY_ROLE)
def limit_list(request):
    for table in _limit_tables(request):
        if table.download:
            return table.response()
    return _limits_page(request)


@require_POST
@role_required(*limits.PROPOSERS)
def limit_propose(request):
    form = LimitForm(request.POST, exclude_user=request.user)
    if form.is_valid():
        change = call_service(form, limits.limit_change_propose, by=request.user, **form.cleaned_data)
        if change:
            messages.success(request, f"New limit of {format_gbp(change.amount.amount)} for "
                                      f"{limits.person_name(change.user)} proposed. It takes effect when someone "
                                      "other than you (and other than them) approves it.")
            return redirect("payments:limit_change", pk=change.pk)
    return _limits_page(request, form=form, status=400)


def _change_page(request, change, form=None, status=200):
    refusal = limits.limit_decision_refusal(change, request.user)
    decider = has_role(request.user, *limits.DECIDERS)
    can_decide = decider and refusal is None
    return render(request, "payments/limit_change.html", {
        "change": change,
        "pending": change.status == LimitChange.Status.PROPOSED,
        "now": limits.delegated_limit(change.user),
        "can_decide": can_decide,
        "refusal": refusal if decider else None,
        "form": form if form is not None else (LimitDecisionForm() if can_decide else None),
    }, status=status)


@role_required(*EVERY_ROLE)
def limit_change(request, pk):
    return _change_page(request, get_object_or_404(limits.limit_changes(), pk=pk))


@role_required(*limits.DECIDERS)
def limit_change_decide(request, pk):
    change = get_object_or_404(limits.limit_changes(), pk=pk)
    form = LimitDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decided = call_service(form, limits.limit_change_decide, change=change, by=request.user,
                               approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
        if decided:
            messages.success(request, f"Change to {limits.person_name(decided.user)}'s limit "
                                      f"{decided.get_status_display().lower()}.")
            return redirect("payments:limit_change", pk=decided.pk)
    return _change_page(request, change, form=form, status=400 if request.method == "POST" else 200)
