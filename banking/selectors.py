"""What a month's reconciliation works with: its confirmed matches, and what is still unmatched on each side.

As at a statement's month M:

- statement lines in scope are those of M's statement and of every earlier standing statement; a line is matched
  as at M when a standing match confirmed on M's statement or an earlier one holds it (a line of April matched in
  May is unmatched in April's reconciliation, matched in May's);
- cash items in scope are those dated from the first statement month to M's last day, matched the same way;
- once M is signed off, entries posted after the sign-off are left out, so the signed-off figures can be rebuilt.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from banking.cash import CashItem, cash_items
from banking.models import BankStatement, BankStatementLine, Match, MatchedEntry, MatchedLine
from banking.statements import reconciliation_start
from core.money import ZERO


@dataclass
class MatchView:
    match: Match
    lines: list[BankStatementLine]
    items: list[CashItem]

    @property
    def amount(self) -> Decimal:
        return self.match.amount.amount


@dataclass
class MonthItems:
    statement: BankStatement
    matches: list[MatchView] = field(default_factory=list)  # standing matches confirmed on this statement
    unmatched_lines: list[BankStatementLine] = field(default_factory=list)
    unmatched_items: list[CashItem] = field(default_factory=list)


def scope_start(statement: BankStatement):
    start = reconciliation_start()
    return min(start, statement.period.start_date) if start else statement.period.start_date


def matches_as_at(statement: BankStatement):
    """Standing matches confirmed on this statement or on an earlier standing one."""
    return Match.objects.filter(
        Q(statement=statement)
        | Q(statement__withdrawn_at__isnull=True, statement__period__start_date__lt=statement.period.start_date),
        undone_at__isnull=True,
    )


def month_items(statement: BankStatement) -> MonthItems:
    month = statement.period
    live = matches_as_at(statement)
    lines = (BankStatementLine.objects
             .filter(Q(statement=statement)
                     | Q(statement__withdrawn_at__isnull=True, statement__period__start_date__lt=month.start_date))
             .exclude(pk__in=MatchedLine.objects.filter(match__in=live).values("line_id"))
             .select_related("statement__period")
             .order_by("statement__period__start_date", "number"))
    items = cash_items(
        Q(entry__date__gte=scope_start(statement), entry__date__lte=month.end_date)
        & ~Q(entry_id__in=MatchedEntry.objects.filter(match__in=live).values("entry_id")),
        known_at=statement.reconciled_at,
    )
    return MonthItems(statement=statement, matches=statement_matches(statement), unmatched_lines=list(lines),
                      unmatched_items=items)


def statement_matches(statement: BankStatement) -> list[MatchView]:
    matches = list(Match.objects.filter(statement=statement, undone_at__isnull=True)
                   .select_related("confirmed_by").order_by("id"))
    held_lines = list(MatchedLine.objects.filter(match__in=matches).select_related("line__statement__period")
                      .order_by("line__statement__period__start_date", "line__number"))
    held_entries = list(MatchedEntry.objects.filter(match__in=matches).values_list("match_id", "entry_id"))
    items = {item.entry.pk: item for item in cash_items(Q(entry_id__in=[e for _, e in held_entries]))}
    views = {m.pk: MatchView(match=m, lines=[], items=[]) for m in matches}
    for held in held_lines:
        views[held.match_id].lines.append(held.line)
    for match_id, entry_id in held_entries:
        if entry_id in items:
            views[match_id].items.append(items[entry_id])
    for view in views.values():
        view.items.sort(key=lambda item: (item.date, item.entry.pk))
    return list(views.values())


def total(values) -> Decimal:
    return sum(values, ZERO)
