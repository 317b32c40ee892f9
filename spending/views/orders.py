"""Order pages: the list, raising an order, its page (committed, invoiced, left to invoice, the budget line's
available), approval or rejection (commissioners and finance directors), and closing (finance officers)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import call_service
from core.listing import Column, Listing
from core.money import format_gbp
from core.permissions import role_required
from core.roles import COMMISSIONERS_AND_DIRECTORS, EVERY_ROLE, FINANCE_OFFICERS, has_role
from core.templatetags.ringfence import person
from grants.forms import ServiceCategoryForm
from spending import orders as services
from spending.forms import CloseForm, DecisionNoteForm, OrderForm, RequiredNoteForm
from spending.models import Order
from spending.selectors import (
    budget_line_position,
    order_awaiting,
    order_invoiced,
    order_left_to_invoice,
    order_outstanding,
)

ORDER_ROWS = ("supplier__organisation", "budget_line__fund", "budget_line__year", "raised_by", "decided_by",
              "commitment_entry__year", "service_category")


def _order(pk) -> Order:
    return get_object_or_404(Order.objects.select_related(*ORDER_ROWS), pk=pk)


ORDERS = Listing("orders", (
    Column("order", "Order", order="id", value="reference"),
    Column("supplier", "Supplier", order="supplier__organisation__name", value=lambda o: str(o.supplier)),
    Column("what", "What", order="title", value="title"),
    Column("kind", "Kind", order="kind", value="get_kind_display"),
    Column("line", "Budget line", order="budget_line__heading", value=lambda o: str(o.budget_line)),
    Column("amount", "Amount", order="amount", value="amount.amount", num=True),
    Column("raised", "Raised", order="raised_at", value="raised_at"),
    Column("raised_by", "Raised by", order="raised_by__last_name", value=lambda o: person(o.raised_by)),
    Column("status", "Status", order="status", value="get_status_display"),
))


@role_required(*EVERY_ROLE)
def order_list(request):
    status = request.GET.get("status") or ""
    qs = Order.objects.select_related(*ORDER_ROWS)
    if status in Order.Status.values:
        qs = qs.filter(status=status)
    table = ORDERS.table(request, qs, default=("-id",))
    if table.download:
        return table.response()
    return render(request, "spending/order_list.html", {
        "table": table, "page_obj": table.page_obj, "statuses": Order.Status.choices, "status": status})


@role_required(*FINANCE_OFFICERS)
def order_create(request):
    initial = {"supplier": request.GET.get("supplier")} if request.GET.get("supplier") else None
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        order = call_service(form, services.order_raise, by=request.user, **form.cleaned_data)
        if order:
            if order.status == Order.Status.APPROVED:
                messages.success(request, f"{order.reference} raised and {format_gbp(order.amount.amount)} committed "
                                          f"on {order.budget_line} ({order.commitment_entry.reference}).")
            else:
                messages.success(request, f"{order.reference} raised. It is above the fund's order approval "
                                          "threshold, so a commissioner or finance director must approve it before "
                                          "it is committed.")
            return redirect("spending:order_detail", pk=order.pk)
    back = reverse("spending:order_list")
    return render(request, "core/form_page.html", {
        "form": form, "title": "Raise an order or contract", "caption": "Supplier spending",
        "lead": "The order commits its net amount against one budget line, which must have that much available "
                "(revised budget less committed less spent). At or below the fund's order approval threshold it is "
                "committed at once; above it, a commissioner or finance director other than you approves it first.",
        "submit_label": "Raise order", "back_url": back, "cancel_url": back,
    })


def order_figures(order: Order) -> dict:
    return {
        "outstanding": order_outstanding(order),
        "invoiced": order_invoiced(order),
        "awaiting": order_awaiting(order),
        "left": order_left_to_invoice(order),
        "line": budget_line_position(order.budget_line),
    }


@role_required(*EVERY_ROLE)
def order_detail(request, pk):
    order = _order(pk)
    invoices = order.invoices.select_related("recorded_by", "decided_by", "entry__year", "reversal__year")
    return render(request, "spending/order_detail.html", {
        "order": order, "invoices": invoices, **order_figures(order),
        "can_decide": (has_role(request.user, *COMMISSIONERS_AND_DIRECTORS)
                       and order.status == Order.Status.AWAITING_APPROVAL and order.raised_by_id != request.user.pk),
        "close_refusal": services.order_close_refusal(order),
    })


def _confirm(request, order, form, *, title, lead, submit_label, danger=False, status=200):
    return render(request, "spending/order_confirm.html", {
        "order": order, "form": form, "title": title, "lead": lead, "submit_label": submit_label, "danger": danger,
        "cancel_url": reverse("spending:order_detail", args=[order.pk]), **order_figures(order),
    }, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*COMMISSIONERS_AND_DIRECTORS)
def order_approve(request, pk):
    order = _order(pk)
    form = DecisionNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.order_approve, order=order, by=request.user, note=form.cleaned_data["note"]):
            messages.success(request, f"{order.reference} approved and {format_gbp(order.amount.amount)} committed.")
            return redirect("spending:order_detail", pk=order.pk)
    return _confirm(request, order, form, title=f"Approve {order.reference}",
                    lead=f"Approving commits {format_gbp(order.amount.amount)} on {order.budget_line} today.",
                    submit_label="Approve and commit")


@require_http_methods(["GET", "POST"])
@role_required(*COMMISSIONERS_AND_DIRECTORS)
def order_reject(request, pk):
    order = _order(pk)
    form = RequiredNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.order_reject, order=order, by=request.user, note=form.cleaned_data["note"]):
            messages.success(request, f"{order.reference} rejected.")
            return redirect("spending:order_detail", pk=order.pk)
    return _confirm(request, order, form, title=f"Reject {order.reference}",
                    lead="A rejected order commits nothing and takes no invoices.", submit_label="Reject order",
                    danger=True)


@require_http_methods(["GET", "POST"])
@role_required(*FINANCE_OFFICERS)
def order_close(request, pk):
    order = _order(pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        closed = call_service(form, services.order_close, order=order, by=request.user,
                              reason=form.cleaned_data["reason"], on=form.cleaned_data["on"])
        if closed:
            messages.success(request, f"{order.reference} closed; {format_gbp(closed.released.amount)} released to "
                                      f"{order.budget_line}.")
            return redirect("spending:order_detail", pk=order.pk)
    return _confirm(request, order, form, title=f"Close {order.reference}",
                    lead=f"Closing takes no more invoices and gives back what the order still commits "
                         f"({format_gbp(order_outstanding(order))}) to {order.budget_line}.",
                    submit_label="Close order", danger=True)


@require_http_methods(["GET", "POST"])
@role_required(*FINANCE_OFFICERS)
def order_category(request, pk):
    """Set an order's service category at any point of its life (it classifies its spending for funder returns)."""
    order = _order(pk)
    form = ServiceCategoryForm(request.POST or None, initial={"service_category": order.service_category_id},
                               current_id=order.service_category_id)
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.order_service_category_set, order=order, by=request.user,
                            **form.cleaned_data)
        if done:
            category = done.service_category
            messages.success(request, f"{done.reference} is now "
                                      f"{'in ' + category.name if category else 'not categorised'}.")
            return redirect("spending:order_detail", pk=order.pk)
    back = reverse("spending:order_detail", args=[order.pk])
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Service category of {order.reference}", "caption": order.title,
        "lead": "The kind of service the order or contract pays for. Funder returns report supplier spending by it; "
                "it changes nothing committed or invoiced. The reason is kept in the order's history.",
        "submit_label": "Save category", "back_url": back, "cancel_url": back,
    })
