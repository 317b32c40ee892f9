"""Retained income: proceeds of crime receipts and fixed penalty returns, and what other retention rates would give.

The devolution deal asks to retain fines and profits from crime. This statement shows, per receipt and return, the
gross sum, what this body retained, the rest (owed to HM Treasury for fixed penalties; for proceeds of crime, the
part of the recovered sum not returned to this agency), and what the retained share would be at other rates.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef

from core.money import ZERO, quantize
from income.models import FpnReturn, PocaReceipt
from ledger.models import JournalEntry
from reports.registry import (
    DATE,
    INTEGER,
    LINE,
    MONEY,
    PERCENT,
    SUBTOTAL,
    TEXT,
    TOTAL,
    Column,
    Row,
    Statement,
    register,
)
from reports.snapshot import funds_as_of

DEFAULT_RATES = ("0", "25", "50", "75", "100")


def retention_rates() -> list[Decimal]:
    """The rates to model, as data: settings.RINGFENCE["RETENTION_RATES"] (percentages), else 0/25/50/75/100."""
    return [Decimal(str(r)) for r in settings.RINGFENCE.get("RETENTION_RATES", DEFAULT_RATES)]


def rate_key(rate: Decimal) -> str:
    return "at_" + format(rate.normalize(), "f").replace(".", "_")


def rate_title(rate: Decimal) -> str:
    return f"Retained at {format(rate.normalize(), 'f')}%"


@register
class RetainedIncome(Statement):
    key = "retained"
    order = 40
    title = "Retained income"
    short_title = "Retained income"
    description = (
        "Proceeds of crime receipts (dated in the year, up to the as-at date) and fixed penalty returns (months of "
        "the year up to the as-at date), as posted by the known-at moment; a receipt reversed by then is left out. "
        "Share % is the rate on the document: the agency's share of the recovered sum, or the fund's retained share "
        "of fines. 'To HM Treasury' is the rest of the gross sum: owed to HM Treasury for fixed penalties; for "
        "proceeds of crime, kept centrally or shared with other agencies. The last columns show what the retained "
        "share of the gross sum would be at other rates, each rounded to the penny per document."
    )

    def __init__(self, params):
        super().__init__(params)
        self.rates = retention_rates()
        self.columns = [
            Column("fund", "Fund", TEXT, width=14),
            Column("kind", "Kind", TEXT, width=19),
            Column("reference", "Reference", TEXT, width=14),
            Column("detail", "Case or month", TEXT, width=18),
            Column("date", "Date", DATE, width=11),
            Column("tickets", "Tickets", INTEGER, summable=True, width=9),
            Column("gross", "Gross", MONEY, summable=True, width=15),
            Column("share_pct", "Share %", PERCENT, width=9),
            Column("retained", "Retained", MONEY, summable=True, width=15),
            Column("treasury", "To HM Treasury", MONEY, summable=True, width=15),
            *[Column(rate_key(r), rate_title(r), MONEY, summable=True, width=15) for r in self.rates],
        ]

    def _documents(self):
        p = self.params
        year = p.year
        reversed_by_then = JournalEntry.objects.filter(
            reverses=OuterRef("entry_id"), posted_at__lte=p.known_at, date__lte=p.as_at
        )
        poca = (
            PocaReceipt.objects.filter(
                date__gte=year.start_date, date__lte=min(p.as_at, year.end_date), entry__posted_at__lte=p.known_at
            )
            .filter(~Exists(reversed_by_then))
            .order_by("date", "reference")
        )
        fpn = (
            FpnReturn.objects.filter(
                period__year_id=year.pk, period__start_date__lte=p.as_at, entry__posted_at__lte=p.known_at
            )
            .filter(~Exists(reversed_by_then))
            .select_related("period")
            .order_by("period__start_date", "reference")
        )
        docs = defaultdict(list)
        for receipt in poca:
            gross = receipt.gross_recovered.amount
            docs[receipt.fund_id].append({
                "kind": "Proceeds of crime", "reference": receipt.reference, "detail": receipt.case_reference,
                "date": receipt.date, "tickets": None, "gross": gross, "share_pct": receipt.agency_share_percent,
                "retained": receipt.amount.amount, "treasury": gross - receipt.amount.amount,
            })
        for ret in fpn:
            docs[ret.fund_id].append({
                "kind": "Fixed penalties", "reference": ret.reference,
                "detail": f"P{ret.period.number} {ret.period.start_date:%b %Y}", "date": ret.period.start_date,
                "tickets": ret.tickets, "gross": ret.gross_value.amount, "share_pct": ret.retained_share_percent,
                "retained": ret.retained.amount, "treasury": ret.owed_to_treasury.amount,
            })
        return docs

    def rows(self):
        funds = funds_as_of(self.params.known_at)
        docs = self._documents()
        summable = [c.key for c in self.columns if c.summable]
        grand = defaultdict(lambda: ZERO)
        grand["tickets"] = 0
        for fund in funds.values():
            if fund.pk not in docs:
                continue
            sums = defaultdict(lambda: ZERO)
            sums["tickets"] = 0
            for values in docs[fund.pk]:
                for rate in self.rates:
                    values[rate_key(rate)] = quantize(values["gross"] * rate / Decimal(100))
                values["fund"] = fund.code
                for key in summable:
                    sums[key] += values[key] or 0
                yield Row(LINE, values)
            for key in summable:
                grand[key] += sums[key]
            if not any(values["tickets"] is not None for values in docs[fund.pk]):
                sums["tickets"] = None
            yield Row(SUBTOTAL, {"fund": fund.code, "kind": f"Total {fund.code}",
                                 **{key: sums[key] for key in summable}})
        yield Row(TOTAL, {"fund": "All funds", "kind": "Total", **{key: grand[key] for key in summable}})
