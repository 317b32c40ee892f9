"""Invoice pages: recording an invoice from its order's page, the invoice's page, approval or rejection (a finance
officer other than the recorder, or a finance director) and reversal (finance officers). No page pays an
invoice: payments leave in payment runs."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import call_service
from core.money import format_gbp
from core.permissions import role_required
from core.roles import EVERY_ROLE, FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, has_role
from spending import invoices as services
from spending.forms import ApproveDateForm, InvoiceForm, RequiredNoteForm, ReverseForm
from spending.models import Invoice, Order
from spending.selectors import order_left_to_invoice
from spending.views.orders import ORDER_ROWS, order_figures

INVOICE_ROWS = ("supplier__organisation", "recorded_by", "decided_by", "entry__year", "reversal__year",
                *[f"order__{f}" for f in ORDER_ROWS])


def _invoice(pk) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related(*INVOICE_ROWS), pk=pk)


@role_required(*FINANCE_OFFICERS)
def invoice_create(request, pk):
    order = get_object_or_404(Order.objects.select_related(*ORDER_ROWS), pk=pk)
    form = InvoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["vat"] = data["vat"] if data["vat"] is not None else "0"
        invoice = call_service(form, services.invoice_record, order=order, by=request.user, **data)
        if invoice:
            messages.success(request, f"{invoice.reference} recorded for {format_gbp(invoice.gross.amount)}; another "
                                      "finance officer or a finance director approves it for payment.")
            return redirect("spending:invoice_detail", pk=invoice.pk)
    back = reverse("spending:order_detail", args=[order.pk])
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record an invoice against {order.reference}", "caption": str(order.supplier),
        "lead": f"{order.reference} ({order.title}) has {format_gbp(order_left_to_invoice(order))} left to invoice. "
                "The budget bears the net, or the gross where the VAT cannot be recovered; an invoice above what is "
                "left is refused.",
        "submit_label": "Record invoice", "back_url": back, "cancel_url": back,
    })


@role_required(*EVERY_ROLE)
def invoice_detail(request, pk):
    invoice = _invoice(pk)
    user = request.user
    awaiting = invoice.status == Invoice.Status.AWAITING_APPROVAL
    return render(request, "spending/invoice_detail.html", {
        "invoice": invoice, "order": invoice.order, **order_figures(invoice.order),
        "payments": invoice.payments.select_related("entry__year", "reversal__year", "bank_details"),
        "can_decide": awaiting and has_role(user, *OFFICERS_AND_DIRECTORS) and invoice.recorded_by_id != user.pk,
        "reverse_refusal": services.invoice_reverse_refusal(invoice),
    })


def _confirm(request, invoice, form, *, title, lead, submit_label, danger=False):
    return render(request, "spending/invoice_confirm.html", {
        "invoice": invoice, "form": form, "title": title, "lead": lead, "submit_label": submit_label,
        "danger": danger, "cancel_url": reverse("spending:invoice_detail", args=[invoice.pk]),
    })


@require_http_methods(["GET", "POST"])
@role_required(*OFFICERS_AND_DIRECTORS)
def invoice_approve(request, pk):
    invoice = _invoice(pk)
    form = ApproveDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approved = call_service(form, services.invoice_approve, invoice=invoice, by=request.user,
                                on=form.cleaned_data["on"])
        if approved:
            messages.success(request, f"{invoice.reference} approved for payment ({approved.entry.reference}).")
            return redirect("spending:invoice_detail", pk=invoice.pk)
    return _confirm(request, invoice, form, title=f"Approve {invoice.reference} for payment",
                    lead=f"Approving posts {format_gbp(invoice.budget_amount)} of spending on "
                         f"{invoice.order.budget_line}, releases as much of {invoice.order.reference}'s commitment, "
                         f"and owes {invoice.supplier} {format_gbp(invoice.gross.amount)}, paid in a payment run.",
                    submit_label="Approve for payment")


@require_http_methods(["GET", "POST"])
@role_required(*OFFICERS_AND_DIRECTORS)
def invoice_reject(request, pk):
    invoice = _invoice(pk)
    form = RequiredNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.invoice_reject, invoice=invoice, by=request.user,
                        note=form.cleaned_data["note"]):
            messages.success(request, f"{invoice.reference} rejected.")
            return redirect("spending:invoice_detail", pk=invoice.pk)
    return _confirm(request, invoice, form, title=f"Reject {invoice.reference}",
                    lead="Nothing was posted; what it took from the order's amount left to invoice comes back.",
                    submit_label="Reject invoice", danger=True)


@require_http_methods(["GET", "POST"])
@role_required(*FINANCE_OFFICERS)
def invoice_reverse(request, pk):
    invoice = _invoice(pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = call_service(form, services.invoice_reverse, invoice=invoice, by=request.user,
                             reason=form.cleaned_data["reason"], on=form.cleaned_data["on"])
        if entry:
            messages.success(request, f"{invoice.reference} reversed by journal entry {entry.reference}; the "
                                      f"commitment on {invoice.order.reference} is back.")
            return redirect("spending:invoice_detail", pk=invoice.pk)
    refusal = services.invoice_reverse_refusal(invoice)
    entry = invoice.entry
    return _confirm(request, invoice, form, title=f"Reverse {invoice.reference}",
                    lead=refusal or (f"Reversing posts the mirror image of journal entry {entry.reference}: the "
                                     "spending, VAT and amount owed are taken back and the order's commitment is "
                                     "restored. The invoice stays, marked reversed."),
                    submit_label="Reverse invoice", danger=True)
