from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from spending.models import Invoice, Order, Supplier, SupplierPayment

# Read-only: suppliers, orders, invoices and payments change only through spending's services (and payment runs).
for model in (Supplier, Order, Invoice, SupplierPayment):
    admin.site.register(model, ReadOnlyAdmin)
