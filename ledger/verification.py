"""Independent re-check of the whole ledger: hash chain, balance, numbering, maintained balances, ring-fences.

Reads every entry and line once, in chunks, and recomputes everything from the lines alone. Returns a list of
problems (one line each); an empty list means the ledger is sound.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from core.money import format_gbp, from_pence, to_pence
from funds.models import FinancialYear, Fund
from ledger.anchors import anchor_problems, anchors_read
from ledger.models import Account, Balance, ChainHead, FundPosition, JournalEntry, JournalLine
from ledger.posting import entry_hash

GENESIS = "0" * 64
CHUNK = 2000


@dataclass
class Report:
    entries: int = 0
    lines: int = 0
    problems: list[str] = field(default_factory=list)
    last_hash: str = GENESIS
    anchors: int | None = None  # how many anchors were checked, when an anchor file was given


def verify(*, anchors: Path | None = None) -> Report:
    """Recompute everything from the lines. With ``anchors`` (an anchor file, ``ledger.anchors``), also check that the
    chain still passes through every head recorded there."""
    report = Report()
    wanted_counts = set()
    if anchors is not None:
        recorded, file_problems = anchors_read(anchors)
        wanted_counts = {anchor.entries for anchor in recorded}
    hashes_by_count = {0: GENESIS}
    accounts = {a.pk: a for a in Account.objects.all()}
    funds = {f.pk: f for f in Fund.objects.all()}
    years = {y.pk: y for y in FinancialYear.objects.all()}
    expected_number = defaultdict(int)
    balances = defaultdict(lambda: [0, 0])
    positions = defaultdict(lambda: [0, 0, 0])
    previous = GENESIS
    last_id = 0
    while True:
        entries = list(JournalEntry.objects.filter(pk__gt=last_id).order_by("pk")[:CHUNK])
        if not entries:
            break
        lines_by_entry = defaultdict(list)
        for line in JournalLine.objects.filter(entry_id__gte=entries[0].pk, entry_id__lte=entries[-1].pk).order_by(
            "pk"
        ):
            lines_by_entry[line.entry_id].append(line)
        for entry in entries:
            lines = lines_by_entry.get(entry.pk, [])
            report.entries += 1
            report.lines += len(lines)
            ref = f"entry {years[entry.year_id].label}/{entry.number:06d} (id {entry.pk})"
            expected_number[entry.year_id] += 1
            if entry.number != expected_number[entry.year_id]:
                report.problems.append(f"{ref}: number out of sequence, expected {expected_number[entry.year_id]}")
                expected_number[entry.year_id] = entry.number
            if entry.previous_hash != previous:
                report.problems.append(f"{ref}: chain broken, previous hash does not match the entry before it")
            if entry_hash(entry, lines, accounts, funds, years) != entry.hash:
                report.problems.append(f"{ref}: content does not match its hash (altered after posting)")
            previous = entry.hash
            if report.entries in wanted_counts:
                hashes_by_count[report.entries] = entry.hash
            total = 0
            per_fund = defaultdict(int)
            posted_on = timezone.localdate(entry.posted_at)
            if len(lines) < 2:
                report.problems.append(f"{ref}: has {len(lines)} line(s); an entry needs a debit and a credit")
            for line in lines:
                pence = to_pence(line.amount.amount)
                if pence <= 0:
                    report.problems.append(f"{ref}: line {line.pk} has a non-positive amount")
                signed = pence if line.direction == "D" else -pence
                total += signed
                per_fund[(line.fund_id, line.funding_year_id)] += signed
                key = (line.funding_year_id, line.fund_id, line.account_id, entry.date, posted_on)
                balances[key][0 if line.direction == "D" else 1] += pence
                role = accounts[line.account_id].role
                pos = positions[(line.fund_id, line.funding_year_id)]
                if role == Account.Role.LIMIT:
                    pos[0] -= signed
                elif role == Account.Role.COMMITTED:
                    pos[1] += signed
                elif role == Account.Role.ACTUAL:
                    pos[2] += signed
            if total != 0:
                report.problems.append(f"{ref}: does not balance, off by {format_gbp(from_pence(abs(total)))}")
            for (fund_id, year_id), diff in per_fund.items():
                if diff != 0:
                    report.problems.append(
                        f"{ref}: does not balance within fund {funds[fund_id].code} {years[year_id].label}, "
                        f"off by {format_gbp(from_pence(abs(diff)))}"
                    )
        last_id = entries[-1].pk
    report.last_hash = previous

    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        report.problems.append("chain head: does not point at the last entry (an entry was removed or replaced)")

    stored = {
        (b.funding_year_id, b.fund_id, b.account_id, b.date, b.posted_on): (b.debit_pence, b.credit_pence)
        for b in Balance.objects.all()
    }
    for key in sorted(set(stored) | set(balances), key=str):
        want = tuple(balances.get(key, (0, 0)))
        got = stored.get(key, (0, 0))
        year_id, fund_id, account_id, day, posted_on = key
        label = f"balance {funds[fund_id].code} {accounts[account_id].code} {years[year_id].label} {day}"
        if key not in stored:
            report.problems.append(f"{label} (posted {posted_on}): no kept row, but the lines add up to {want} pence: "
                                   "the row is missing")
        elif key not in balances:
            report.problems.append(f"{label} (posted {posted_on}): kept row {got} pence has no journal lines behind it "
                                   "(an extra row)")
        elif want != got:
            report.problems.append(f"{label}: kept {got} pence but the lines add up to {want}")
    kept_positions = set()
    for p in FundPosition.objects.all():
        kept_positions.add((p.fund_id, p.funding_year_id))
        want = positions.get((p.fund_id, p.funding_year_id), [0, 0, 0])
        got = [p.limit_pence, p.committed_pence, p.actual_pence]
        label = f"{funds[p.fund_id].code} {years[p.funding_year_id].label}"
        if (p.fund_id, p.funding_year_id) not in positions:
            report.problems.append(f"position {label}: kept row {got} has no journal lines behind it (an extra row)")
        elif want != got:
            report.problems.append(f"position {label}: kept {got} (limit, committed, actual pence), lines say {want}")
    for key in sorted(set(positions) - kept_positions):
        if positions[key] == [0, 0, 0]:
            continue  # a fund and year with no spending-position lines (or lines netting to nothing) needs no row
        fund_id, year_id = key
        report.problems.append(
            f"position {funds[fund_id].code} {years[year_id].label}: no kept row, but the lines say {positions[key]} "
            "(limit, committed, actual pence): the row is missing"
        )
    for (fund_id, year_id), (limit, committed, actual) in positions.items():
        if committed < 0 or actual < 0:
            report.problems.append(
                f"position {funds[fund_id].code} {years[year_id].label}: negative committed or actual "
                f"({format_gbp(from_pence(committed))} committed, {format_gbp(from_pence(actual))} actual)"
            )
        if limit - committed - actual < 0:
            report.problems.append(
                f"position {funds[fund_id].code} {years[year_id].label}: below zero available "
                f"({format_gbp(from_pence(limit - committed - actual))})"
            )
    if anchors is not None:
        report.problems += file_problems + anchor_problems(anchors, hashes_by_count, report.entries)
        report.anchors = len(recorded)
    return report
