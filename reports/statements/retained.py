"""Retained income: proceeds of crime receipts and fixed penalty returns, and what other shares would give.

The devolution deal asks to retain fines and profits from crime. This statement shows, per receipt and return, the
gross sum and what this body retained. For proceeds of crime under the Asset Recovery Incentivisation Scheme (ARIS)
this body receives only its own share: the Home Office's half and the other agencies' shares are shown for
information, never as money owed. For fixed penalties the rest of the gross sum is owed to HM Treasury, a creditor
(account 2000) cleared when it is paid over; each fund's total row shows what has been paid over and what is still
owed. The last columns show what this body's share of the gross sum would be at other rates: up to 50% for proceeds
of crime (the most ARIS allows an agency), 0-100% for fines.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef

from core.money import ZERO, quantize
from income.models import FpnReturn, PocaReceipt
from income.services import ARIS_AGENCY_SHARE_MAX
from ledger.models import JournalEntry
from reports.figures import treasury_creditor
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
HUNDRED = Decimal(100)
#: Under ARIS the Home Office keeps half of what is recovered; the agencies involved share the other half.
HOME_OFFICE_SHARE = HUNDRED - ARIS_AGENCY_SHARE_MAX
POCA = "Proceeds of crime"
FPN = "Fixed penalties"
#: Figures of a fund's total row alone, read from the ledger (HM Treasury creditor), not summed from documents.
TREASURY_KEYS = ("paid_to_treasury", "owed_to_treasury")


def retention_rates() -> list[Decimal]:
    """The rates to model, as data: settings.RINGFENCE["RETENTION_RATES"] (percentages), else 0/25/50/75/100. For
    proceeds of crime a rate above ARIS's maximum agency share (50%) gives no figure: no order can return it."""
    return [Decimal(str(r)) for r in settings.RINGFENCE.get("RETENTION_RATES", DEFAULT_RATES)]


def rate_key(rate: Decimal) -> str:
    return "at_" + format(rate.normalize(), "f").replace(".", "_")


def rate_title(rate: Decimal) -> str:
    return f"Retained at {format(rate.normalize(), 'f')}%"


def aris_shares(*, gross: Decimal, ours: Decimal) -> tuple[Decimal, Decimal]:
    """The Home Office's share of a recovered sum and the other agencies' shares, for information. The agencies'
    half is rounded to the penny as this body's own share is, and the Home Office keeps the rest, so the three
    parts add up to the gross sum and no part goes below zero on an odd penny."""
    agencies = quantize(gross * ARIS_AGENCY_SHARE_MAX / HUNDRED)
    return gross - agencies, agencies - ours


def at_rate(*, kind: str, gross: Decimal, rate: Decimal) -> Decimal | None:
    """This body's share of ``gross`` at ``rate`` %, to the penny; None where the rate is impossible for the kind
    (a proceeds of crime share above what ARIS allows)."""
    if kind == POCA and rate > ARIS_AGENCY_SHARE_MAX:
        return None
    return quantize(gross * rate / HUNDRED)


@register
class RetainedIncome(Statement):
    key = "retained"
    order = 40
    title = "Retained income"
    short_title = "Retained income"
    description = (
        "Proceeds of crime receipts (dated in the year, up to the as-at date) and fixed penalty returns (months of "
        "the year up to the as-at date), as posted by the known-at moment; a receipt reversed by then is left out. "
        "Share % is the rate on the document: this agency's share of the recovered sum, or the fund's retained share "
        "of fines. Retained is what this body received or kept. Proceeds of crime are shared under the Asset "
        f"Recovery Incentivisation Scheme (ARIS): 'Home Office share' is the Home Office's {HOME_OFFICE_SHARE:f}% "
        "of the gross sum and 'Other agencies' the rest of the gross sum, shared with the other agencies involved "
        "in the case; both are shown for information and are not owed by this body. 'To HM Treasury' is "
        "the rest of the gross sum of fines, owed to HM Treasury. On each fund's total row, from the ledger's HM "
        "Treasury creditor: 'Paid to HM Treasury' is what was paid over in the year up to the as-at date, and 'Owed "
        "to HM Treasury' what is still owed on the as-at date, from this year's returns or earlier ones. The last "
        "columns show what this body's share of the gross sum would be at other rates, each rounded to the penny "
        "per document; for proceeds of crime a rate above "
        f"{ARIS_AGENCY_SHARE_MAX:f}% is left blank, because ARIS never returns more than {ARIS_AGENCY_SHARE_MAX:f}% "
        "of the gross sum to the agencies, so no such share can be received."
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
            Column("home_office", "Home Office share", MONEY, summable=True, width=15),
            Column("other_agencies", "Other agencies", MONEY, summable=True, width=15),
            Column("treasury", "To HM Treasury", MONEY, summable=True, width=15),
            Column("paid_to_treasury", "Paid to HM Treasury", MONEY, summable=True, width=15),
            Column("owed_to_treasury", "Owed to HM Treasury", MONEY, summable=True, width=15),
            *[Column(rate_key(r), rate_title(r), MONEY, summable=True, width=15) for r in self.rates],
        ]
        # Too wide for one landscape page: the PDF prints the other rates as a second part of the table.
        self.pdf_breaks = (rate_key(self.rates[0]),) if self.rates else ()

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
            gross, ours = receipt.gross_recovered.amount, receipt.amount.amount
            home_office, other_agencies = aris_shares(gross=gross, ours=ours)
            docs[receipt.fund_id].append({
                "kind": POCA, "reference": receipt.reference, "detail": receipt.case_reference,
                "date": receipt.date, "tickets": None, "gross": gross, "share_pct": receipt.agency_share_percent,
                "retained": ours, "home_office": home_office, "other_agencies": other_agencies, "treasury": None,
            })
        for ret in fpn:
            docs[ret.fund_id].append({
                "kind": FPN, "reference": ret.reference,
                "detail": f"P{ret.period.number} {ret.period.start_date:%b %Y}", "date": ret.period.start_date,
                "tickets": ret.tickets, "gross": ret.gross_value.amount, "share_pct": ret.retained_share_percent,
                "retained": ret.retained.amount, "home_office": None, "other_agencies": None,
                "treasury": ret.owed_to_treasury.amount,
            })
        return docs

    def _treasury(self) -> dict[int, dict]:
        """Per fund with any HM Treasury creditor posting by the as-at date: paid over in the year and still owed."""
        p = self.params
        return {
            fund_id: {"paid_to_treasury": creditor.paid, "owed_to_treasury": creditor.owed}
            for fund_id, creditor in treasury_creditor(year=p.year, as_at=p.as_at, known_at=p.known_at).items()
        }

    def rows(self):
        funds = funds_as_of(self.params.known_at)
        docs = self._documents()
        treasury = self._treasury()
        summable = [c.key for c in self.columns if c.summable and c.key not in TREASURY_KEYS]
        grand = defaultdict(lambda: ZERO)
        grand["tickets"] = 0
        for fund in funds.values():
            if fund.pk not in docs and fund.pk not in treasury:
                continue
            sums = defaultdict(lambda: ZERO)
            sums["tickets"] = 0
            carried = set()  # figures that at least one of the fund's lines carries
            for values in docs.get(fund.pk, []):
                for rate in self.rates:
                    values[rate_key(rate)] = at_rate(kind=values["kind"], gross=values["gross"], rate=rate)
                values["fund"] = fund.code
                for key in summable:
                    if values[key] is not None:
                        sums[key] += values[key]
                        carried.add(key)
                yield Row(LINE, values)
            subtotal = {key: sums[key] if key in carried else None for key in summable}
            subtotal.update(treasury.get(fund.pk, dict.fromkeys(TREASURY_KEYS)))
            for key, value in subtotal.items():
                if value is not None:
                    grand[key] += value
            yield Row(SUBTOTAL, {"fund": fund.code, "kind": f"Total {fund.code}", **subtotal})
        yield Row(TOTAL, {"fund": "All funds", "kind": "Total",
                          **{key: grand[key] for key in (*summable, *TREASURY_KEYS)}})
