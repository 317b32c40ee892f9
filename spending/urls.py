from django.urls import path

from spending.views import invoices, orders, suppliers

app_name = "spending"

urlpatterns = [
    path("spending/suppliers/", suppliers.supplier_list, name="supplier_list"),
    path("spending/suppliers/new/", suppliers.supplier_create, name="supplier_create"),
    path("spending/suppliers/<int:pk>/", suppliers.supplier_detail, name="supplier_detail"),
    path("spending/orders/", orders.order_list, name="order_list"),
    path("spending/orders/new/", orders.order_create, name="order_create"),
    path("spending/orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("spending/orders/<int:pk>/approve/", orders.order_approve, name="order_approve"),
    path("spending/orders/<int:pk>/reject/", orders.order_reject, name="order_reject"),
    path("spending/orders/<int:pk>/close/", orders.order_close, name="order_close"),
    path("spending/orders/<int:pk>/category/", orders.order_category, name="order_category"),
    path("spending/orders/<int:pk>/invoices/new/", invoices.invoice_create, name="invoice_create"),
    path("spending/invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("spending/invoices/<int:pk>/approve/", invoices.invoice_approve, name="invoice_approve"),
    path("spending/invoices/<int:pk>/reject/", invoices.invoice_reject, name="invoice_reject"),
    path("spending/invoices/<int:pk>/reverse/", invoices.invoice_reverse, name="invoice_reverse"),
]
