"""The ledger's side of the bank: cash items and the cash account balance.

The cash account is ledger account 1000 (``ledger.accounts.CASH``), kept per fund, but it is ONE bank account.
A **cash item** is a journal entry whose net effect on account 1000, summed over all its lines (every fund), is
not zero: its amount is the net debit (positive = money in, negative = money out), its date the entry's date, its
reference the entry's ``source_reference``. An entry moving cash between funds nets to zero and is not a bank
movement. Reversals are cash items too.

Payment runs post one entry per payment, each ``source_reference`` beginning with the run's reference and a space
("PR00012 G00004 Q2 2026/27"); the bank often shows one line for the whole run ("PR00012"). ``run_reference``
recognises them by the pattern ``^PR\\d{5}\\b``, without knowing the payments app.

Reconciliation begins with the first month that has a standing statement: cash items dated before it are out of
scope (the first statement's opening balance is taken to agree with the cash account at that date).
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from core.money import ZERO, quantize
from ledger.accounts import CASH
from ledger.models import JournalEntry, JournalLine

RUN_REFERENCE = re.compile(r"^(PR\d{5})\b", re.IGNORECASE)

OUTSTANDING_LODGEMENT = "Outstanding lodgement"
UNPRESENTED_PAYMENT = "Unpresented payment"


def run_reference(reference: str) -> str:
    """'PR00012' for 'PR00012 G00004 Q2 2026/27'; '' when the reference is not a payment run's."""
    found = RUN_REFERENCE.match((reference or "").strip())
    return found.group(1).upper() if found else ""


def money(value) -> Decimal:
    """An aggregate as an exact amount (SQLite can hand back floats for sums of decimals)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = Decimal(repr(value))
    return quantize(value)


@dataclass(frozen=True)
class CashItem:
    """A bank movement as the ledger records it."""

    entry: JournalEntry
    amount: Decimal  # signed: + money in, - money out
    funds: tuple[str, ...]  # codes of the funds whose cash moved

    @property
    def date(self) -> Date:
        return self.entry.date

    @property
    def reference(self) -> str:
        return self.entry.source_reference

    @property
    def description(self) -> str:
        return self.entry.description

    @property
    def run(self) -> str:
        return run_reference(self.entry.source_reference)

    @property
    def kind(self) -> str:
        """What an unmatched item is: a receipt not yet in the bank, or a payment not yet through it."""
        return OUTSTANDING_LODGEMENT if self.amount > 0 else UNPRESENTED_PAYMENT


def cash_items(entries: Q, *, known_at: datetime | None = None) -> list[CashItem]:
    """The cash items among the entries selected by ``entries`` (a filter on JournalEntry, written relative to
    the line as ``entry__...``), in date then entry order; ``known_at`` leaves out entries posted after it."""
    lines = JournalLine.objects.filter(entries, account__code=CASH)
    if known_at is not None:
        lines = lines.filter(entry__posted_at__lte=known_at)
    rows = (lines.values("entry_id", "fund__code")
            .annotate(debit=Sum("amount", filter=Q(direction="D")), credit=Sum("amount", filter=Q(direction="C")))
            .order_by())
    net: dict[int, Decimal] = defaultdict(lambda: ZERO)
    funds: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        moved = money(row["debit"]) - money(row["credit"])
        net[row["entry_id"]] += moved
        if moved:
            funds[row["entry_id"]].append(row["fund__code"])
    ids = [entry_id for entry_id, amount in net.items() if amount != ZERO]
    entries_by_id = JournalEntry.objects.select_related("year").in_bulk(ids)
    items = [CashItem(entry=entries_by_id[i], amount=net[i], funds=tuple(sorted(funds[i]))) for i in ids]
    return sorted(items, key=lambda item: (item.date, item.entry.pk))


def cash_item(entry: JournalEntry) -> CashItem | None:
    """The entry as a cash item, or None when it does not move the bank balance."""
    found = cash_items(Q(entry_id=entry.pk))
    return found[0] if found else None


def cash_balance(*, on: Date, known_at: datetime | None = None) -> Decimal:
    """Account 1000 over every fund, from every entry dated on or before ``on``."""
    lines = JournalLine.objects.filter(account__code=CASH, entry__date__lte=on)
    if known_at is not None:
        lines = lines.filter(entry__posted_at__lte=known_at)
    totals = lines.aggregate(debit=Sum("amount", filter=Q(direction="D")),
                             credit=Sum("amount", filter=Q(direction="C")))
    return money(totals["debit"]) - money(totals["credit"])
