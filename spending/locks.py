"""Row locks for supplier spending, always in one order: the fund (of the order's budget line) -> order -> invoice
-> supplier payment. ``entry_post`` locks the fund again, which is then a no-op, so the order holds everywhere
(the same order as grants: fund before the document)."""

from core.locking import lock
from funds.models import Fund
from spending.models import Invoice, Order, SupplierPayment

_ORDER = ("supplier__organisation", "budget_line__fund", "budget_line__year", "commitment_entry__year")


def lock_fund(fund_id: int) -> Fund:
    return lock(Fund.objects.filter(pk=fund_id))[0]


def _locked(queryset, related):
    """Lock the row alone, then read it with what it refers to: PostgreSQL refuses FOR UPDATE on the nullable side
    of an outer join (an order's commitment entry, an invoice's entry, before they exist)."""
    lock(queryset)
    return queryset.select_related(*related).get()


def lock_order(order: Order) -> Order:
    """Lock the order's fund, then the order; return the fresh order."""
    fund_id = Order.objects.filter(pk=order.pk).values_list("budget_line__fund_id", flat=True).get()
    lock_fund(fund_id)
    return _locked(Order.objects.filter(pk=order.pk), _ORDER)


def lock_invoice(invoice: Invoice) -> Invoice:
    """Lock the fund, the order, then the invoice; return the fresh invoice (its ``order`` the locked one)."""
    order = lock_order(invoice.order)
    locked = _locked(Invoice.objects.filter(pk=invoice.pk), ("supplier__organisation", "entry__year"))
    locked.order = order
    return locked


def lock_invoices(invoices) -> dict[int, Invoice]:
    """Lock the funds of the invoices' orders (id order), then the orders, then the invoices; return the fresh
    invoices by id with their order, budget line, supplier and approval entry. Five queries, however many."""
    ids = [invoice.pk for invoice in invoices]
    lock(Fund.objects.filter(pk__in=Invoice.objects.filter(pk__in=ids).values("order__budget_line__fund_id")))
    lock(Order.objects.filter(pk__in=Invoice.objects.filter(pk__in=ids).values("order_id")))
    lock(Invoice.objects.filter(pk__in=ids))
    return Invoice.objects.select_related(
        "supplier__organisation", "order__budget_line__fund", "order__budget_line__year", "entry").in_bulk(ids)


def lock_payment(payment: SupplierPayment) -> SupplierPayment:
    invoice = lock_invoice(payment.invoice)
    locked = _locked(SupplierPayment.objects.filter(pk=payment.pk), ("entry__year", "bank_details"))
    locked.invoice = invoice
    return locked
