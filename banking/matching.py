"""Matching statement lines to cash items: suggested automatically, confirmed by a person, undone with a reason
until the month is signed off.

Suggestions (``match_suggestions``, never saved), in this order, each line and item used once:

1. **Amount and reference**: a line and a cash item of exactly the same amount whose references overlap (one
   contains the other, ignoring case; the shorter at least 3 characters). Several candidates: the nearest date,
   then the earliest entry.
2. **Payment run**: a line whose reference holds a run reference (PR followed by five digits) and the unmatched
   cash items of that run (``source_reference`` starting with it), when their total is the line's amount.
3. **Amount and date**: a line and a cash item of exactly the same amount dated within 5 days of each other,
   when neither has any other such candidate.
4. **Reversal**: an entry and its reversal, both unmatched, cancel each other (no statement line).

A confirmed match (``match_confirm``) holds lines and/or cash items whose totals are equal; with nothing on one
side, the other needs at least two items that cancel out. Lines come from the month's statement or an earlier
one; cash items are dated from the first statement month to the month's last day. Neither may already be in a
match (the database refuses that too).
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from banking.cash import CashItem, cash_items
from banking.models import BankStatement, BankStatementLine, Match, MatchedEntry, MatchedLine
from banking.selectors import month_items, scope_start
from banking.statements import locked
from core.audit import record_event, save_with_history
from core.money import ZERO, format_gbp, gbp
from core.roles import FINANCE_OFFICERS, require_role
from ledger.models import JournalEntry

DATE_WINDOW = timedelta(days=5)
MIN_REFERENCE = 3
RUN_IN_LINE = re.compile(r"\b(PR\d{5})\b", re.IGNORECASE)

BY_REFERENCE = "Amount and reference"
BY_RUN = "Payment run"
BY_DATE = "Amount and date"
BY_REVERSAL = "Entry and its reversal"


@dataclass
class Suggestion:
    rule: str
    lines: list[BankStatementLine]
    items: list[CashItem]

    @property
    def amount(self) -> Decimal:
        if self.items:
            return sum((i.amount for i in self.items), ZERO)
        return sum((line.amount.amount for line in self.lines), ZERO)

    @property
    def key(self) -> str:
        """What the page posts back to confirm it: line ids and entry ids."""
        return (",".join(str(line.pk) for line in self.lines) + ":"
                + ",".join(str(i.entry.pk) for i in self.items))


def references_overlap(a: str, b: str) -> bool:
    a, b = (a or "").strip().lower(), (b or "").strip().lower()
    if min(len(a), len(b)) < MIN_REFERENCE:
        return False
    return a in b or b in a


def match_suggestions(statement: BankStatement) -> list[Suggestion]:
    """Proposed matches for what is unmatched as at the statement's month; nothing is saved."""
    if statement.is_reconciled or statement.is_withdrawn:
        return []
    month = month_items(statement)
    lines, items = list(month.unmatched_lines), list(month.unmatched_items)
    used_lines, used_items = set(), set()
    found: list[Suggestion] = []

    def take(rule, chosen_lines, chosen_items):
        found.append(Suggestion(rule=rule, lines=chosen_lines, items=chosen_items))
        used_lines.update(line.pk for line in chosen_lines)
        used_items.update(item.entry.pk for item in chosen_items)

    for line in lines:
        amount = line.amount.amount
        candidates = [i for i in items if i.entry.pk not in used_items and i.amount == amount
                      and references_overlap(line.reference, i.reference)]
        if candidates:
            best = min(candidates, key=lambda i: (abs((i.date - line.date).days), i.entry.pk))
            take(BY_REFERENCE, [line], [best])

    for line in lines:
        if line.pk in used_lines:
            continue
        run = RUN_IN_LINE.search(line.reference or "")
        if not run:
            continue
        group = [i for i in items if i.entry.pk not in used_items and i.run == run.group(1).upper()]
        if group and sum((i.amount for i in group), ZERO) == line.amount.amount:
            take(f"{BY_RUN} {run.group(1).upper()}", [line], group)

    near = {}
    for line in lines:
        if line.pk not in used_lines:
            near[line.pk] = [i for i in items if i.entry.pk not in used_items and i.amount == line.amount.amount
                             and abs(i.date - line.date) <= DATE_WINDOW]
    wanted = {}
    for candidates in near.values():
        for item in candidates:
            wanted[item.entry.pk] = wanted.get(item.entry.pk, 0) + 1
    for line in lines:
        candidates = near.get(line.pk, [])
        if len(candidates) == 1 and wanted[candidates[0].entry.pk] == 1:
            take(BY_DATE, [line], candidates)

    by_entry = {i.entry.pk: i for i in items if i.entry.pk not in used_items}
    for item in list(by_entry.values()):
        original = by_entry.get(item.entry.reverses_id) if item.entry.reverses_id else None
        if original is not None and original.entry.pk not in used_items and item.entry.pk not in used_items:
            take(BY_REVERSAL, [], [original, item])
    return found


def _summary(lines, items) -> str:
    bank = ", ".join(f"row {line.number} of {line.statement.period.start_date:%b %Y}" for line in lines)
    ledger = ", ".join(f"{i.entry.reference}" + (f" ({i.reference})" if i.reference else "") for i in items)
    return f"{bank or 'no statement line'} <-> {ledger or 'no cash item'}"[:500]


@transaction.atomic
def match_confirm(*, statement: BankStatement, lines, entries, by, rule: str = "") -> Match:
    """Confirm that these statement lines and these cash items are the same money, or refuse saying why."""
    require_role(by, FINANCE_OFFICERS, doing="match bank statement lines to the ledger")
    statement = locked(statement)
    if statement.is_withdrawn:
        raise ValidationError(f"{statement} was withdrawn; nothing more is matched on it.")
    if statement.is_reconciled:
        raise ValidationError(f"{statement} is signed off as reconciled; its matches are frozen.")
    month = statement.period
    lines = sorted({line.pk: line for line in lines}.values(), key=lambda line: line.pk)
    entries = sorted({entry.pk: entry for entry in entries}.values(), key=lambda entry: entry.pk)
    if not lines and not entries:
        raise ValidationError("Choose the statement lines and cash items that are the same money.")
    problems = []
    lines = list(BankStatementLine.objects.filter(pk__in=[line.pk for line in lines])
                 .select_related("statement__period").order_by("statement__period__start_date", "number"))
    for line in lines:
        where = f"Row {line.number} of the {line.statement.month_name} statement"
        if line.statement.is_withdrawn:
            problems.append(f"{where} belongs to a withdrawn statement.")
        elif line.statement.period.start_date > month.start_date:
            problems.append(f"{where} is after {statement.month_name}; match it on its own month's statement.")
    for held in MatchedLine.objects.filter(line__in=lines).select_related("line"):
        problems.append(f"Row {held.line.number} ({held.line.reference or 'no reference'}) is already in match "
                        f"{held.match_id}; undo that match first to match it differently.")
    items = {i.entry.pk: i for i in cash_items(Q(entry_id__in=[e.pk for e in entries]))}
    start = scope_start(statement)
    for entry in entries:
        item = items.get(entry.pk)
        if item is None:
            problems.append(f"Entry {entry.reference} does not move the bank balance (its cash lines come to £0.00 "
                            "over all funds), so it is not matched to the bank.")
        elif entry.date > month.end_date:
            problems.append(f"Entry {entry.reference} is dated {entry.date:%d/%m/%Y}, after the end of "
                            f"{statement.month_name} ({month.end_date:%d/%m/%Y}); match it in its own month.")
        elif entry.date < start:
            problems.append(f"Entry {entry.reference} is dated {entry.date:%d/%m/%Y}, before reconciliation began "
                            f"({start:%d/%m/%Y}).")
    for held in MatchedEntry.objects.filter(entry__in=entries).select_related("entry__year"):
        problems.append(f"Entry {held.entry.reference} is already in match {held.match_id}; undo that match first "
                        "to match it differently.")
    if problems:
        raise ValidationError(problems)
    chosen = [items[e.pk] for e in entries]
    bank = sum((line.amount.amount for line in lines), ZERO)
    ledger = sum((i.amount for i in chosen), ZERO)
    if bank != ledger:
        raise ValidationError(f"The statement lines come to {format_gbp(bank)} and the cash items to "
                              f"{format_gbp(ledger)}: they differ by {format_gbp(bank - ledger)}. A match needs "
                              "equal totals.")
    if (not lines or not chosen) and len(lines) + len(chosen) < 2:
        raise ValidationError("A statement line needs a cash item to match (and a cash item a statement line), "
                              "unless two or more items on one side cancel each other out.")
    match = Match(statement=statement, amount=gbp(bank), rule=rule[:60], summary=_summary(lines, chosen),
                  confirmed_by=by, confirmed_at=timezone.now())
    save_with_history(match, by=by, reason=f"Match confirmed{': ' + rule if rule else ''}")
    for line in lines:
        save_with_history(MatchedLine(match=match, line=line), by=by, reason="Match confirmed")
    for item in chosen:
        save_with_history(MatchedEntry(match=match, entry=item.entry), by=by, reason="Match confirmed")
    record_event("banking.match_confirmed", by=by, obj=match, summary=f"{statement}: {match.summary}",
                 data={"amount": str(bank), "rule": rule})
    return match


@transaction.atomic
def match_confirm_all(*, statement: BankStatement, by) -> list[Match]:
    """Confirm every current suggestion, all or none."""
    require_role(by, FINANCE_OFFICERS, doing="match bank statement lines to the ledger")
    return [match_confirm(statement=statement, lines=s.lines, entries=[i.entry for i in s.items], by=by, rule=s.rule)
            for s in match_suggestions(statement)]


@transaction.atomic
def match_undo(*, match: Match, by, reason: str) -> Match:
    """Take a match apart (its lines and items become unmatched again), before its month is signed off."""
    require_role(by, FINANCE_OFFICERS, doing="undo bank matches")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the match is being undone."})
    statement = locked(match.statement)
    match = Match.objects.get(pk=match.pk)
    if statement.is_reconciled:
        raise ValidationError(f"{statement} is signed off as reconciled; its matches are frozen.")
    if match.is_undone:
        raise ValidationError(f"Match {match.pk} was already undone.")
    for held in [*MatchedLine.objects.filter(match=match), *MatchedEntry.objects.filter(match=match)]:
        held._history_user = by
        held._change_reason = f"Match undone: {reason}"[:100]
        held.delete()
    match.undone_by, match.undone_at, match.undo_reason = by, timezone.now(), reason
    save_with_history(match, by=by, reason=f"Undone: {reason}")
    record_event("banking.match_undone", by=by, obj=match, summary=f"{statement}: {match.summary}", reason=reason)
    return match


def entries_by_id(ids) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(pk__in=ids).select_related("year"))
