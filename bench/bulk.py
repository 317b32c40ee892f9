"""Bulk-loading journal entries for benchmarks, exactly as ``ledger.posting.entry_post`` would have posted them.

Posting a million lines one entry at a time would take longer than the measurement itself, so the benchmarks
build the bulk of their ledger here: entries are numbered gap-free per year, hashed and chained with the ledger's
own ``entry_hash``, and the kept Balance, FundPosition and ChainHead rows are brought up to date with the same
arithmetic. Every fund position is checked never to go below zero available, in posting order. The benchmarks
then prove the result with ``ledger.verification.verify()``.

Only for throwaway benchmark databases: this bypasses the fund locks, so it must never run beside other writers.
"""

from collections import defaultdict
from datetime import date as Date
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from djmoney.money import Money

from core.money import from_pence
from funds.models import FinancialYear, Fund, Period
from ledger.models import Account, Balance, ChainHead, FundPosition, JournalEntry, JournalLine
from ledger.posting import entry_hash

ROLE_INDEX = {Account.Role.LIMIT: 0, Account.Role.COMMITTED: 1, Account.Role.ACTUAL: 2}


class RingFenceBroken(Exception):
    pass


class BulkLedger:
    """Collect entries with ``add`` (in posting order), then ``finish`` to write the kept rows."""

    def __init__(self, *, by, chunk: int = 2000):
        self.by_id = by.pk
        self.chunk = chunk
        self.accounts = {a.code: a for a in Account.objects.all()}
        self.accounts_by_id = {a.pk: a for a in self.accounts.values()}
        self.funds_by_id = {f.pk: f for f in Fund.objects.all()}
        self.years_by_id = {y.pk: y for y in FinancialYear.objects.all()}
        self.periods = list(Period.objects.order_by("start_date"))
        head, _ = ChainHead.objects.get_or_create(pk=1)
        self.previous = head.last_hash
        self.chain_count = head.entries
        self.numbers = defaultdict(int)
        for year_id in self.years_by_id:
            last = JournalEntry.objects.filter(year_id=year_id).order_by("-number").values_list("number", flat=True)
            self.numbers[year_id] = last.first() or 0
        self.next_id = (JournalEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.positions = defaultdict(lambda: [0, 0, 0])
        for p in FundPosition.objects.all():
            self.positions[(p.fund_id, p.funding_year_id)] = [p.limit_pence, p.committed_pence, p.actual_pence]
        self.new_positions = set()
        self.balances = defaultdict(lambda: [0, 0])
        self.pending: list[tuple[JournalEntry, list[JournalLine]]] = []
        self.entries = 0
        self.lines = 0

    def _period(self, day: Date) -> Period:
        for period in self.periods:  # a few dozen periods: a scan is fine and exact
            if period.start_date <= day <= period.end_date:
                return period
        raise ValueError(f"no period holds {day}")

    def available(self, fund_id: int, year_id: int) -> int:
        limit, committed, actual = self.positions[(fund_id, year_id)]
        return limit - committed - actual

    def add(self, *, day: Date, posted_at: datetime, description: str, legs, source_type: str = "bench",
            source_reference: str = "") -> None:
        """``legs``: (account code, fund id, "D"/"C", pence, funding year id or None) tuples, balanced per fund."""
        period = self._period(day)
        if period.is_closed:
            raise ValueError(f"{period} is closed")
        per_fund = defaultdict(int)
        effects = defaultdict(lambda: [0, 0, 0])
        lines = []
        for code, fund_id, direction, pence, year_id in legs:
            if pence <= 0:
                raise ValueError("a line needs a positive amount")
            year_id = year_id or period.year_id
            account = self.accounts[code]
            signed = pence if direction == "D" else -pence
            per_fund[(fund_id, year_id)] += signed
            role = ROLE_INDEX.get(account.role)
            if role is not None:
                effects[(fund_id, year_id)][role] += -signed if role == 0 else signed
            lines.append(JournalLine(account_id=account.pk, fund_id=fund_id, funding_year_id=year_id,
                                     direction=direction, amount=Money(from_pence(pence), "GBP")))
        if any(per_fund.values()):
            raise ValueError(f"unbalanced entry: {description}")
        for key, (d_limit, d_committed, d_actual) in effects.items():
            position = self.positions[key]
            after = position[0] + d_limit - position[1] - d_committed - position[2] - d_actual
            if after < 0 and (d_committed > 0 or d_actual > 0 or d_limit < 0):
                raise RingFenceBroken(f"{description}: fund {key} would have {after} pence available")
        for key, delta in effects.items():
            if key not in self.positions:
                self.new_positions.add(key)
            position = self.positions[key]
            for i in range(3):
                position[i] += delta[i]

        self.numbers[period.year_id] += 1
        entry = JournalEntry(
            id=self.next_id,
            year_id=period.year_id, number=self.numbers[period.year_id], date=day, period_id=period.pk,
            description=description[:300], source_type=source_type, source_id="", source_reference=source_reference,
            posted_by_id=self.by_id, posted_at=posted_at, reverses=None, previous_hash=self.previous,
        )
        entry.hash = entry_hash(entry, lines, self.accounts_by_id, self.funds_by_id, self.years_by_id)
        self.previous = entry.hash
        self.next_id += 1
        posted_on = timezone.localdate(posted_at)
        for line in lines:
            key = (line.funding_year_id, line.fund_id, line.account_id, day, posted_on)
            self.balances[key][0 if line.direction == "D" else 1] += int(line.amount.amount * 100)
        self.pending.append((entry, lines))
        self.entries += 1
        self.lines += len(lines)
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with transaction.atomic():
            # Lines first, then their entries (ids given out here), as ledger.posting writes them: the database
            # checks each entry's lines when the entry is written (ledger migration 0009).
            lines = []
            for entry, entry_lines in self.pending:
                for line in entry_lines:
                    line.entry_id = entry.pk
                lines.extend(entry_lines)
            JournalLine.objects.bulk_create(lines, batch_size=2000)
            JournalEntry.objects.bulk_create([e for e, _ in self.pending], batch_size=1000)
        self.chain_count += len(self.pending)
        self.pending = []

    def finish(self) -> None:
        """Write the entries still pending and the kept rows, in one transaction."""
        self.flush()
        with transaction.atomic():
            rows = list(self.balances.items())
            table = Balance._meta.db_table
            ops = connection.ops
            for start in range(0, len(rows), 1000):
                part = rows[start:start + 1000]
                params = []
                for (year_id, fund_id, account_id, day, posted_on), (debit, credit) in part:
                    params += [fund_id, account_id, year_id, ops.adapt_datefield_value(day),
                               ops.adapt_datefield_value(posted_on), debit, credit]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(part))
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {table} (fund_id, account_id, funding_year_id, date, posted_on, debit_pence, "
                        f"credit_pence) VALUES {values} ON CONFLICT (funding_year_id, fund_id, account_id, date, "
                        f"posted_on) DO UPDATE SET debit_pence = {table}.debit_pence + excluded.debit_pence, "
                        f"credit_pence = {table}.credit_pence + excluded.credit_pence",
                        params,
                    )
            self.balances.clear()
            existing = {(p.fund_id, p.funding_year_id): p for p in FundPosition.objects.all()}
            through = JournalLine.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for key, (limit, committed, actual) in self.positions.items():
                if limit - committed - actual < 0:
                    raise RingFenceBroken(f"fund position {key} below zero available")
                position = existing.get(key) or FundPosition(fund_id=key[0], funding_year_id=key[1])
                position.limit_pence, position.committed_pence, position.actual_pence = limit, committed, actual
                position.through_line = through  # the database checks the change against the lines up to here
                position.save()
            ChainHead.objects.filter(pk=1).update(last_hash=self.previous, entries=self.chain_count)
