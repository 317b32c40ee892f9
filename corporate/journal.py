"""The monthly summary journal for the corporate ledger (DOMAIN.md 9): Ringfence is a sub-ledger, and each closed
month it hands the policing body's main finance system one journal mapped to the corporate chart.

Rules:
- Only a closed month (P1-P12) is exported: an open month can still take postings, so its figures are not final.
  P13 (the year-end adjustments period) is not a calendar month and is in no monthly journal.
- The month's postings are every line of every journal entry in that period (reversals included), each mapped by
  ``corporate.mapping`` (the fund's own mapping, else the account's all-funds mapping). Any account and fund with
  no mapping refuses the whole journal, naming each one.
- Per cost centre and subjective code, one row carries the summed debits and another the summed credits, so the
  Debit column totals every debit posted in the month (the control total) and equals the Credit column.
- The file is the same bytes on every export of the same month while the mapping stands: no timestamps, rows in
  one order, amounts as plain two-place decimals, UTF-8, CRLF line ends.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.urls import reverse

from core.money import ZERO, format_gbp, quantize
from corporate.mapping import MappingLookup
from funds.models import FinancialYear, Fund, Period
from ledger.models import Account, JournalLine

HEADER = ("Period", "Journal reference", "Cost centre", "Subjective", "Description", "Debit", "Credit")
CONTROL = "CONTROL"
MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only


@dataclass(frozen=True)
class GLRow:
    cost_centre: str
    subjective: str
    description: str
    debit: Decimal | None  # exactly one of debit and credit is set
    credit: Decimal | None

    @property
    def key(self) -> tuple:
        return (self.cost_centre, self.subjective, 0 if self.debit is not None else 1)


@dataclass(frozen=True)
class GLJournal:
    period: Period
    rows: tuple[GLRow, ...]
    total_debits: Decimal
    total_credits: Decimal
    postings: int  # ledger lines summarised

    @property
    def month(self) -> str:
        return f"{self.period.start_date:%Y-%m}"

    @property
    def reference(self) -> str:
        return f"RF-{self.month}"

    @property
    def control_total(self) -> Decimal:
        return self.total_debits

    @property
    def line_count(self) -> int:
        return len(self.rows)

    @property
    def filename(self) -> str:
        return f"ringfence-gl-journal-{self.month}.csv"


def gl_period(text: str) -> Period:
    """The month named ``YYYY-MM`` (a calendar month, e.g. 2026-10 is P7 of 2026/27), or a refusal saying why."""
    raw = (text or "").strip()
    match = MONTH_TEXT.fullmatch(raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(
            {"period": f"'{raw[:20]}' is not a month: write it as year-month, YYYY-MM, for example 2026-10."}
        )
    start = date(int(match.group(1)), int(match.group(2)), 1)
    period = Period.objects.select_related("year").filter(Period.MONTHS, start_date=start).first()
    if period is None:
        years = list(FinancialYear.objects.order_by("start_year").values_list("start_year", flat=True))
        known = (
            f"financial years set up: {FinancialYear(start_year=years[0]).label} to "
            f"{FinancialYear(start_year=years[-1]).label}" if years else "no financial year has been set up yet"
        )
        raise ValidationError({"period": f"{start:%B %Y} is not a month of any financial year in Ringfence ({known})."})
    return period


def gl_refusal(period: Period) -> str | None:
    """Why the month cannot be exported yet (the cheap checks, before reading postings), or None."""
    if period.is_adjustments:
        return (
            f"{period} is not a calendar month: the year-end adjustments are in no monthly journal for the "
            "corporate ledger."
        )
    if not period.is_closed:
        return (
            f"{period} is still open: close the month first, since an open month can still take postings. "
            f"A finance officer or a finance director closes it on the Periods page ({reverse('funds:period_list')}"
            f"?year={period.year.start_year}), once every earlier month is closed."
        )
    return None


def _unmapped_refusal(period: Period, missing: set[tuple[int, int]]) -> ValidationError:
    accounts = Account.objects.in_bulk({a for a, _ in missing})
    funds = Fund.objects.in_bulk({f for _, f in missing})
    pairs = sorted((accounts[a].code, accounts[a].name, funds[f].code) for a, f in missing)
    named = "; ".join(f"account {code} {name} on fund {fund}" for code, name, fund in pairs)
    return ValidationError(
        f"The journal for {period} cannot be made: {len(pairs)} account and fund "
        f"pair{'s have' if len(pairs) != 1 else ' has'} postings and no corporate mapping: {named}. "
        f"Add a mapping for each on the Corporate ledger mapping page ({reverse('corporate:mapping_list')}), "
        "either for that fund or for the account on all funds."
    )


def gl_journal(*, period: Period) -> GLJournal:
    """The month's postings summarised by corporate cost centre and subjective code; refuses an open month, P13,
    and any posting without a mapping (see the module's rules)."""
    refusal = gl_refusal(period)
    if refusal:
        raise ValidationError(refusal)
    totals = (
        JournalLine.objects.filter(entry__period=period)
        .values("account_id", "fund_id", "direction")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by()
    )
    lookup = MappingLookup()
    sums: dict[tuple[str, str, str], Decimal] = {}
    missing, postings = set(), 0
    for row in totals:
        postings += row["lines"]
        mapping = lookup.find(row["account_id"], row["fund_id"])
        if mapping is None:
            missing.add((row["account_id"], row["fund_id"]))
            continue
        key = (mapping.cost_centre, mapping.subjective, row["direction"])
        sums[key] = sums.get(key, ZERO) + quantize(row["total"])  # SQLite sums decimals as floats: back to pence
    if missing:
        raise _unmapped_refusal(period, missing)
    label = f"Ringfence {period.year.label} P{period.number}"
    rows = sorted(
        (
            GLRow(cost_centre, subjective, f"{label} {'debits' if direction == 'D' else 'credits'}",
                  amount if direction == "D" else None, amount if direction == "C" else None)
            for (cost_centre, subjective, direction), amount in sums.items()
        ),
        key=lambda r: r.key,
    )
    debits = sum((r.debit for r in rows if r.debit is not None), ZERO)
    credits = sum((r.credit for r in rows if r.credit is not None), ZERO)
    if debits != credits:  # every entry balances, so only a damaged ledger gets here
        raise ValidationError(
            f"The postings of {period} do not balance (debits {format_gbp(debits)}, credits {format_gbp(credits)}); "
            "run python manage.py verify_ledger and correct the ledger before exporting."
        )
    return GLJournal(period=period, rows=tuple(rows), total_debits=debits, total_credits=credits, postings=postings)


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{quantize(value):.2f}"


def gl_journal_csv(journal: GLJournal) -> bytes:
    """The journal as the corporate ledger's CSV (layout in the README): a header, one row per cost centre,
    subjective and side, and a CONTROL trailer holding the row count and the debit and credit totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in journal.rows:
        writer.writerow([journal.month, journal.reference, row.cost_centre, row.subjective, row.description,
                         _amount(row.debit), _amount(row.credit)])
    writer.writerow([CONTROL, journal.reference, "", "", str(journal.line_count),
                     _amount(journal.total_debits), _amount(journal.total_credits)])
    return buffer.getvalue().encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
