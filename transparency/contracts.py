"""The contracts register: every order or contract worth more than £10,000 that was approved (committed), whether
still running or closed since (DOMAIN.md 8 and 12). Orders awaiting approval and rejected ones are not contracts
the body has let, so they are left out.

Columns ``HEADER``: the value is the order's net amount as approved (recoverable VAT is not the body's cost);
dates ISO 8601; amounts plain numbers with two decimals. Redactions as for spending (``transparency.redaction``): a
supplier that is a person is not named; a supplier that holds a do-not-publish grant is not named and the
description is withheld. Rows in order of start date, then reference.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import quantize
from spending.models import Order
from transparency.redaction import REDACTED, Redactions, amount_text, body_name, csv_bytes

THRESHOLD = Decimal("10000.00")  # more than this
HEADER = ("Body name", "Reference", "Kind", "Description", "Supplier", "Service area", "Start date", "End date",
          "Value", "Redacted", "Redaction reason")
LET = (Order.Status.APPROVED, Order.Status.CLOSED)


@dataclass(frozen=True)
class ContractRow:
    reference: str
    kind: str
    description: str
    supplier: str
    service_area: str
    start_date: date
    end_date: date
    value: Decimal
    redacted: bool
    reason: str

    def cells(self, body: str) -> list[str]:
        return [body, self.reference, self.kind, self.description, self.supplier, self.service_area,
                self.start_date.isoformat(), self.end_date.isoformat(), amount_text(self.value),
                "Yes" if self.redacted else "No", self.reason]


def contract_rows() -> list[ContractRow]:
    orders = (Order.objects.filter(status__in=LET)
              .select_related("supplier__organisation", "budget_line__fund").order_by("start_date", "id"))
    redactions = Redactions()
    rows = []
    for order in orders:
        value = quantize(order.amount)
        if value <= THRESHOLD:
            continue
        organisation = order.supplier.organisation
        redaction = redactions.for_organisation(organisation)
        rows.append(ContractRow(
            reference=order.reference, kind=order.get_kind_display(),
            description=REDACTED if redaction.purpose else order.title,
            supplier=REDACTED if redaction.name else organisation.name,
            service_area=order.budget_line.fund.name, start_date=order.start_date, end_date=order.end_date,
            value=value, redacted=redaction.redacted, reason=redaction.reason,
        ))
    return rows


def contracts_filename(on: date) -> str:
    return f"contracts-over-10000-{on:%Y-%m-%d}.csv"


def contracts_csv() -> tuple[bytes, int]:
    rows = contract_rows()
    body = body_name()
    return csv_bytes(HEADER, (row.cells(body) for row in rows)), len(rows)
