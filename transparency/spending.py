"""Spending over £500: every payment of £500 or more made in a calendar month, as the monthly CSV a policing body
publishes (the Elected Local Policing Bodies (Specified Information) Order 2011; columns after the Local Government
Transparency Code 2015, as policing bodies use it; DOMAIN.md 8 and 12).

Rules:
- Grant payments (``grants.Payment``) and supplier payments (``spending.SupplierPayment``) dated in the month, not
  reversed. A payment later reversed drops out of a file produced after the reversal.
- The threshold is on the expenditure, £500.00 or more: a grant payment's amount; a supplier payment's invoice net
  plus any VAT that cannot be recovered (recoverable VAT is not the body's cost, as the Code asks).
- ``Amount`` is the net (a grant has no VAT); ``Irrecoverable VAT`` is the invoice's VAT when it is not recoverable,
  else 0.00. Amounts are plain numbers with two decimals; dates ISO 8601 (2026-10-30).
- Redactions: ``transparency.redaction`` (do-not-publish grants and their organisations, individuals).
- Only a month that has ended (its last day is before today), that belongs to a financial year set up in Ringfence,
  and that is closed: an open month can still take payments dated in it (a payment run paid late, a reversal), so
  its list is not final.
- Rows in date order, then by transaction number (the ledger's journal entry, ``2026/27/000123``).
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.money import ZERO, quantize
from funds.models import FinancialYear, Period
from grants.models import Payment
from spending.models import Order, SupplierPayment
from transparency.redaction import REDACTED, Redactions, amount_text, body_name, csv_bytes

THRESHOLD = Decimal("500.00")
HEADER = ("Body name", "Date", "Transaction number", "Beneficiary", "Summary of purpose", "Expense type",
          "Service area", "Amount", "Irrecoverable VAT", "Redacted", "Redaction reason")
MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only
GRANT = "Grant"


@dataclass(frozen=True)
class SpendingRow:
    date: date
    transaction: str
    beneficiary: str
    purpose: str
    expense_type: str
    service_area: str
    amount: Decimal
    irrecoverable_vat: Decimal
    redacted: bool
    reason: str
    sort_key: tuple

    def cells(self, body: str) -> list[str]:
        return [body, self.date.isoformat(), self.transaction, self.beneficiary, self.purpose, self.expense_type,
                self.service_area, amount_text(self.amount), amount_text(self.irrecoverable_vat),
                "Yes" if self.redacted else "No", self.reason]


def month_parse(value, *, field: str = "month", today: date | None = None) -> date:
    """The first day of the month named ``YYYY-MM`` (or given as a date), refusing a month that is not readable,
    has not ended yet, is in no financial year set up in Ringfence, or is not closed."""
    if isinstance(value, date):
        start = value.replace(day=1)
    else:
        raw = str(value or "").strip()
        match = MONTH_TEXT.fullmatch(raw)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValidationError(
                {field: f"'{raw[:20]}' is not a month: write it as year-month, YYYY-MM, for example 2026-10."})
        start = date(int(match.group(1)), int(match.group(2)), 1)
    end = start.replace(day=monthrange(start.year, start.month)[1])
    today = today or timezone.localdate()
    if end >= today:
        raise ValidationError({field: f"{start:%B %Y} has not ended: its spending is published once the month "
                                      f"has ended and been closed, from {end + timedelta(days=1):%d/%m/%Y} at the "
                                      "earliest."})
    period = Period.objects.select_related("year").filter(Period.MONTHS, start_date=start).first()
    if period is None:
        years = list(FinancialYear.objects.order_by("start_year").values_list("start_year", flat=True))
        known = (f"financial years set up: {FinancialYear(start_year=years[0]).label} to "
                 f"{FinancialYear(start_year=years[-1]).label}" if years else "no financial year is set up yet")
        raise ValidationError({field: f"{start:%B %Y} is not a month of any financial year in Ringfence ({known})."})
    if not period.is_closed:
        raise ValidationError({field: f"{start:%B %Y} (P{period.number} of {period.year.label}) is still open: close "
                                      "the month first, since an open month can still take payments dated in it "
                                      "(a payment run, a reversal)."})
    return start


def _grant_rows(start: date, end: date, redactions: Redactions) -> list[SpendingRow]:
    payments = (Payment.objects.filter(paid_on__gte=start, paid_on__lte=end, reversal__isnull=True)
                .select_related("grant__organisation", "funding_line__fund", "entry__year"))
    rows = []
    for payment in payments:
        amount = quantize(payment.amount)
        if amount < THRESHOLD:
            continue
        grant = payment.grant
        redaction = redactions.for_organisation(grant.organisation, grant=grant)
        rows.append(SpendingRow(
            date=payment.paid_on, transaction=payment.entry.reference,
            beneficiary=REDACTED if redaction.name else grant.organisation.name,
            purpose=REDACTED if redaction.purpose else grant.title,
            expense_type=GRANT, service_area=payment.funding_line.fund.name,
            amount=amount, irrecoverable_vat=ZERO, redacted=redaction.redacted, reason=redaction.reason,
            sort_key=(payment.paid_on, payment.entry.year.start_year, payment.entry.number),
        ))
    return rows


def _supplier_rows(start: date, end: date, redactions: Redactions) -> list[SpendingRow]:
    payments = (SupplierPayment.objects.filter(paid_on__gte=start, paid_on__lte=end, reversal__isnull=True)
                .select_related("invoice__supplier__organisation", "invoice__order__budget_line__fund",
                                "entry__year"))
    rows = []
    for payment in payments:
        invoice = payment.invoice
        net = quantize(invoice.net)
        irrecoverable = ZERO if invoice.vat_recoverable else quantize(invoice.vat)
        if net + irrecoverable < THRESHOLD:
            continue
        organisation = invoice.supplier.organisation
        redaction = redactions.for_organisation(organisation)
        order = invoice.order
        rows.append(SpendingRow(
            date=payment.paid_on, transaction=payment.entry.reference,
            beneficiary=REDACTED if redaction.name else organisation.name,
            purpose=REDACTED if redaction.purpose else invoice.description,
            expense_type=Order.Kind(order.kind).label, service_area=order.budget_line.fund.name,
            amount=net, irrecoverable_vat=irrecoverable, redacted=redaction.redacted, reason=redaction.reason,
            sort_key=(payment.paid_on, payment.entry.year.start_year, payment.entry.number),
        ))
    return rows


def spending_rows(*, month, today: date | None = None) -> list[SpendingRow]:
    """The month's payments of £500 or more, redacted (see the module's rules); refuses a month not ended."""
    start = month_parse(month, today=today)
    end = start.replace(day=monthrange(start.year, start.month)[1])
    redactions = Redactions()
    rows = _grant_rows(start, end, redactions) + _supplier_rows(start, end, redactions)
    return sorted(rows, key=lambda r: r.sort_key)


def spending_filename(month: date) -> str:
    return f"spending-over-500-{month:%Y-%m}.csv"


def spending_csv(*, month, today: date | None = None) -> tuple[bytes, int]:
    """The month's file (columns ``HEADER``) and its number of rows."""
    rows = spending_rows(month=month, today=today)
    body = body_name()
    return csv_bytes(HEADER, (row.cells(body) for row in rows)), len(rows)
