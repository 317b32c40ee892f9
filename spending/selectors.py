"""Reading supplier spending: what an order still commits and has left to invoice, what a budget line has
available, and which invoices are due for payment. Reads only."""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, When

from core.money import ZERO, quantize
from funds.budgets import revised_budget
from funds.models import BudgetLine
from ledger.selectors import budget_line_spending
from spending.models import Invoice, Order, SupplierPayment

# What the budget line bears for an invoice: the net, or the gross where the VAT cannot be recovered.
BUDGET_AMOUNT = Case(When(vat_recoverable=True, then=F("net")), default=F("gross"),
                     output_field=DecimalField(max_digits=14, decimal_places=2))

STANDING = Q(reversal__isnull=True) & ~Q(status=Invoice.Status.REJECTED)


def standing_invoices(order: Order) -> QuerySet:
    """The order's invoices that count: awaiting approval or approved, and not reversed."""
    return Invoice.objects.filter(STANDING, order_id=order.pk)


def _budget_total(invoices: QuerySet) -> Decimal:
    return quantize(invoices.aggregate(s=Sum(BUDGET_AMOUNT))["s"] or ZERO)


def order_invoiced(order: Order) -> Decimal:
    """What approved, standing invoices have charged to the order's budget line."""
    return _budget_total(standing_invoices(order).filter(status=Invoice.Status.APPROVED))


def order_awaiting(order: Order) -> Decimal:
    """What invoices recorded against the order and awaiting approval would charge to its budget line."""
    return _budget_total(standing_invoices(order).filter(status=Invoice.Status.AWAITING_APPROVAL))


def order_outstanding(order: Order) -> Decimal:
    """What the order still holds committed on its budget line: its amount less what approved standing invoices
    charged to the budget, less what was released when it closed. Nothing before it is approved, or if rejected."""
    if order.commitment_entry_id is None:
        return ZERO
    return max(order.amount.amount - order_invoiced(order) - order.released.amount, ZERO)


def order_left_to_invoice(order: Order) -> Decimal:
    """What invoices may still charge to the order: its amount less the budget amounts of its standing invoices
    (awaiting approval or approved). Nothing once the order is closed, or while it is not approved."""
    if order.status != Order.Status.APPROVED:
        return ZERO
    return max(order.amount.amount - _budget_total(standing_invoices(order)), ZERO)


@dataclass(frozen=True)
class LineAvailability:
    line: BudgetLine
    budget: Decimal  # revised budget
    committed: Decimal
    actual: Decimal

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed - self.actual


def budget_line_position(line: BudgetLine) -> LineAvailability:
    """The line's revised budget, what is committed and spent on it, and so what is available."""
    spending = budget_line_spending(fund_ids=[line.fund_id], year=line.year).get((line.fund_id, line.pk))
    return LineAvailability(line=line, budget=revised_budget(line),
                            committed=spending.committed if spending else ZERO,
                            actual=spending.actual if spending else ZERO)


def budget_line_available(line: BudgetLine) -> Decimal:
    """Available on a budget line: revised budget less committed less actual spending on that line."""
    return budget_line_position(line).available


def invoices_payable(*, on: Date) -> QuerySet:
    """Approved, standing, unpaid invoices falling due on or before ``on``, oldest due first: what a payment run
    for that date gathers (the payments app leaves out those already in a live run)."""
    return (
        Invoice.objects.filter(status=Invoice.Status.APPROVED, reversal__isnull=True, due_date__lte=on)
        .exclude(Exists(SupplierPayment.objects.filter(invoice=OuterRef("pk"), reversal__isnull=True)))
        .select_related("supplier__organisation", "order__budget_line__fund", "order__budget_line__year")
        .order_by("due_date", "id")
    )


def invoice_paid(invoice: Invoice) -> bool:
    return invoice.payments.filter(reversal__isnull=True).exists()
