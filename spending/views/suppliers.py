"""Supplier pages: the list, recording an existing organisation as a supplier, and a supplier's orders, invoices
and (masked) bank details."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import call_service
from core.listing import Column, Listing
from core.permissions import role_required
from core.roles import EVERY_ROLE, FINANCE_OFFICERS
from grants.organisations import current_bank_details
from spending import suppliers as services
from spending.forms import SupplierForm
from spending.models import Supplier

SUPPLIERS = Listing("suppliers", (
    Column("supplier", "Supplier", order="organisation__name", value="organisation.name"),
    Column("vat", "VAT number", order="vat_number", value=lambda s: s.vat_number or "Not registered"),
    Column("terms", "Terms (days)", order="payment_terms_days", value="payment_terms_days", num=True),
    Column("status", "Status", order="is_active", value=lambda s: "Active" if s.is_active else "Inactive"),
))


@role_required(*EVERY_ROLE)
def supplier_list(request):
    table = SUPPLIERS.table(request, Supplier.objects.select_related("organisation"), default=("organisation__name",))
    if table.download:
        return table.response()
    return render(request, "spending/supplier_list.html", {"table": table, "page_obj": table.page_obj})


@role_required(*FINANCE_OFFICERS)
def supplier_create(request):
    initial = {"organisation": request.GET.get("organisation")} if request.GET.get("organisation") else None
    form = SupplierForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        supplier = call_service(form, services.supplier_create, by=request.user, **form.cleaned_data)
        if supplier:
            messages.success(request, f"{supplier} recorded as a supplier.")
            return redirect("spending:supplier_detail", pk=supplier.pk)
    back = reverse("spending:supplier_list")
    create_org = reverse("grants:organisation_create")
    return render(request, "spending/supplier_form.html", {
        "form": form, "title": "Record a supplier", "caption": "Supplier spending",
        "lead": "Choose an organisation already recorded: one that also receives grants keeps its one record and "
                "its one set of verified bank details.",
        "submit_label": "Record supplier", "back_url": back, "cancel_url": back,
        "create_org_url": create_org,
    })


@role_required(*EVERY_ROLE)
def supplier_detail(request, pk):
    supplier = get_object_or_404(Supplier.objects.select_related("organisation", "created_by"), pk=pk)
    orders = supplier.orders.select_related("budget_line__fund", "budget_line__year").order_by("-id")
    invoices = supplier.invoices.select_related("order").order_by("-invoice_date", "-id")
    return render(request, "spending/supplier_detail.html", {
        "supplier": supplier, "org": supplier.organisation, "orders": orders, "invoices": invoices,
        "bank": current_bank_details(supplier.organisation),
    })
