"""Posting: the only way money enters the ledger.

``entry_post`` checks every rule, locks the funds it touches, numbers and chains the entry, writes its lines,
and brings the maintained balances and fund positions up to date, all in one transaction. Either all of that
happens or none of it does.
"""

import hashlib
import json
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from core.locking import lock
from core.money import format_gbp, from_pence, parse_amount, to_pence
from funds.models import BudgetLine, FinancialYear, Fund, Period
from ledger.models import Account, Balance, ChainHead, FundPosition, JournalEntry, JournalLine

DEBIT = JournalLine.Direction.DEBIT
CREDIT = JournalLine.Direction.CREDIT


@dataclass(frozen=True)
class Leg:
    """One line of a journal entry before it is posted."""

    account: str  # account code, see ledger.accounts
    fund: Fund
    direction: str  # "D" or "C"
    amount: Decimal
    funding_year: FinancialYear | None = None  # defaults to the entry's own financial year
    budget_line: BudgetLine | None = None  # what a commitment or spending line counts against (same fund and year)


def period_for(day: Date) -> Period:
    """The open or closed period that holds ``day``, or a clear refusal when no financial year does."""
    if not isinstance(day, Date):
        raise ValidationError({"date": "Enter a date, for example 31/03/2026."})
    period = (
        Period.objects.select_related("year").filter(Period.MONTHS, start_date__lte=day, end_date__gte=day).first()
    )
    if period is None:
        years = list(FinancialYear.objects.values_list("start_year", flat=True))
        known = (
            f"Financial years set up: {FinancialYear(start_year=min(years)).label} "
            f"to {FinancialYear(start_year=max(years)).label}."
            if years
            else "No financial year has been set up yet."
        )
        raise ValidationError({"date": f"{day:%d/%m/%Y} is not in any financial year. {known}"})
    return period


def open_period_for(day: Date) -> Period:
    return _require_open(period_for(day), day)


def _require_open(period: Period, day: Date) -> Period:
    if period.is_closed:
        raise ValidationError(
            {
                "date": f"{period} is closed, so nothing can be posted on {day:%d/%m/%Y}. "
                "Post the correction into an open period, or ask a finance director to reopen it."
            }
        )
    return period


def _period_and_accounts(day: Date, codes: set[str]) -> tuple[Period, dict[str, Account]]:
    """The open period holding ``day`` (with its year) and the accounts named by ``codes``, in one query: the
    first read of every posting. When no period holds the day, ``period_for`` reads again to say why."""
    if not isinstance(day, Date):
        period_for(day)  # refuses with the message
    p, y, a = Period._meta, FinancialYear._meta, Account._meta
    period_cols = ", ".join(f"p.{f.column}" for f in p.concrete_fields)
    account_cols = ", ".join(f"a.{f.column} AS account_{f.column}" for f in a.concrete_fields)
    sql = (
        f"SELECT {period_cols}, y.start_year AS year_start_year, {account_cols} "
        f"FROM {p.db_table} p INNER JOIN {y.db_table} y ON y.id = p.year_id "
        f"LEFT JOIN {a.db_table} a ON a.code IN ({', '.join(['%s'] * len(codes))}) "
        f"WHERE p.start_date <= %s AND p.end_date >= %s AND p.number <= {Period.ADJUSTMENTS - 1}"
    )
    day_param = connection.ops.adapt_datefield_value(day)
    rows = list(Period.objects.raw(sql, [*sorted(codes), day_param, day_param]))
    if not rows:
        period_for(day)  # refuses with the message
    period = rows[0]
    period.year = FinancialYear(id=period.year_id, start_year=period.year_start_year)
    period.year._state.adding, period.year._state.db = False, period._state.db
    accounts = {}
    names = [f.attname for f in a.concrete_fields]
    for row in rows:
        if row.account_id is not None:
            values = [getattr(row, f"account_{f.column}") for f in a.concrete_fields]
            accounts[row.account_code] = Account.from_db(period._state.db, names, values)
    return _require_open(period, day), accounts


def _period_and_accounts_cached(day: Date, codes: set[str]) -> tuple[Period, dict[str, Account]]:
    """``_period_and_accounts``, remembered for the length of a batch (the periods are held open by it)."""
    state = _batch.get()
    if state is None or not isinstance(day, Date):
        return _period_and_accounts(day, codes)
    period = state.periods.get(day)
    if period is None or not codes <= state.accounts.keys():
        period, accounts = _period_and_accounts(day, codes)
        state.periods[day] = period
        state.accounts.update(accounts)
    return period, state.accounts


def _hold_period_open(period: Period, day: Date) -> None:
    """Closing a month takes every period row FOR UPDATE (funds.calendar). Holding this posting's period FOR SHARE
    until commit means a close that races the posting waits for it, or the posting sees the month closed and refuses
    with the usual message instead of meeting the database's trigger. SQLite has one writer at a time: no race."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT is_closed FROM {Period._meta.db_table} WHERE id = %s FOR SHARE", [period.pk])
        (closed,) = cursor.fetchone()
    if closed:
        period.is_closed = True
        _require_open(period, day)


def _adjustments_and_accounts(period: Period, day: Date, codes: set[str]) -> tuple[Period, dict[str, Account]]:
    period = Period.objects.select_related("year").get(pk=period.pk)
    if not period.is_adjustments or day != period.year.end_date:
        raise ValidationError(
            f"Only year-end entries dated {period.year.end_date:%d/%m/%Y} go into {period.year.label}'s adjustments "
            "period (P13)."
        )
    _require_open(period, day)
    return period, {a.code: a for a in Account.objects.filter(code__in=codes)}


def _position_effects(legs, accounts) -> dict:
    """Net change to (limit, committed, actual) in pence per (fund id, funding year id)."""
    effects = defaultdict(lambda: [0, 0, 0])
    for leg, year in legs:
        role = accounts[leg.account].role
        pence = to_pence(leg.amount)
        signed_debit = pence if leg.direction == DEBIT else -pence
        key = (leg.fund.pk, year.pk)
        if role == Account.Role.LIMIT:
            effects[key][0] -= signed_debit
        elif role == Account.Role.COMMITTED:
            effects[key][1] += signed_debit
        elif role == Account.Role.ACTUAL:
            effects[key][2] += signed_debit
    return effects


def _hash(entry: JournalEntry, facts: list[list], years_by_id) -> str:
    """An entry's SHA-256 over its content and the hash before it; ``facts`` are its lines as [account code, fund
    code, funding year, direction, amount (2 places)] plus the budget line's id when there is one."""
    content = {
        "year": years_by_id[entry.year_id].label,
        "number": entry.number,
        "date": entry.date.isoformat(),
        "period": entry.period_id,
        "description": entry.description,
        "source": [entry.source_type, entry.source_id, entry.source_reference],
        "posted_by": entry.posted_by_id,
        "posted_at": entry.posted_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "reverses": entry.reverses_id,
        "lines": facts,
        "previous": entry.previous_hash,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def entry_hash(entry: JournalEntry, lines: list[JournalLine], accounts_by_id, funds_by_id, years_by_id) -> str:
    """Recompute an entry's hash from its stored content (used by verify_ledger)."""
    facts = [
        [accounts_by_id[line.account_id].code, funds_by_id[line.fund_id].code,
         years_by_id[line.funding_year_id].label, line.direction, f"{Decimal(line.amount.amount):.2f}"]
        # Lines posted before budget lines were a dimension hash as they always did.
        + ([line.budget_line_id] if line.budget_line_id else [])
        for line in lines
    ]
    return _hash(entry, facts, years_by_id)


def _check_budget_line(leg: Leg, year: FinancialYear) -> None:
    """A line counts against a budget line of its own fund and funding year, or none."""
    line = leg.budget_line
    if line is not None and (line.fund_id != leg.fund.pk or line.year_id != year.pk):
        raise ValidationError(
            f"The budget line '{line.heading}' belongs to another fund or year than {leg.fund.code} {year.label}; "
            f"choose one of {leg.fund.code}'s budget lines for {year.label}."
        )


def _check_balanced(legs) -> None:
    total = defaultdict(int)
    per_fund = defaultdict(int)
    for leg, year in legs:
        signed = to_pence(leg.amount) * (1 if leg.direction == DEBIT else -1)
        total["all"] += signed
        per_fund[(leg.fund.code, year.label)] += signed
    if total["all"] != 0:
        raise ValidationError(
            f"The entry does not balance: debits and credits differ by {format_gbp(from_pence(abs(total['all'])))}."
        )
    for (code, label), diff in per_fund.items():
        if diff != 0:
            raise ValidationError(
                f"The entry does not balance within fund {code} {label}: debits and credits differ by "
                f"{format_gbp(from_pence(abs(diff)))}. Move money between funds through the inter-fund account."
            )


def _check_not_negative(fund: Fund, year: FinancialYear, position, d_committed: int, d_actual: int) -> None:
    """Commitments and actual spending never go below zero: a payment larger than what is committed, a release of
    more than is committed, or a clawback of more than was paid would otherwise move money while leaving the
    available amount unchanged."""
    _, committed, actual = position
    if committed + d_committed < 0:
        raise ValidationError(
            f"{fund.code} has {format_gbp(from_pence(committed))} committed for {year.label}; this entry would release "
            f"{format_gbp(from_pence(-d_committed))}. Pay or release at most what is committed."
        )
    if actual + d_actual < 0:
        raise ValidationError(
            f"{fund.code} has {format_gbp(from_pence(actual))} of actual spending for {year.label}; this entry would "
            f"take back {format_gbp(from_pence(-d_actual))}. Claw back at most what was paid."
        )


def ledger_today() -> Date:
    """Today, for the ledger's one date rule: nothing is dated after it."""
    return timezone.localdate()


_ROLE_INDEX = {Account.Role.LIMIT: 0, Account.Role.COMMITTED: 1, Account.Role.ACTUAL: 2}
_AS_AT_WHAT = (
    ("available", "more committed and spent than it had to spend",
     "the income or award that allows it"),
    ("committed", "more released or paid than was committed", "the commitment it pays or releases"),
    ("actual", "more taken back than was spent", "the spending it takes back"),
)


#: The code of the refusal ``_check_every_later_date`` gives; its ``params["on_or_after"]`` is the first date that
#: would do (see ``earliest_date_allowed``).
DATED_TOO_EARLY = "dated_too_early"


def earliest_date_allowed(refusal: ValidationError) -> Date | None:
    """The date a posting refused for coming before what allows it could have instead, or None for another refusal."""
    for error in refusal.error_dict.get("date", []) if hasattr(refusal, "error_dict") else []:
        if error.code == DATED_TOO_EARLY:
            return error.params["on_or_after"]
    return None


def _later_movements(keys, day: Date) -> dict:
    """(fund id, funding year id) -> {date: [limit, committed, actual] pence} of the lines of ``keys`` in entries
    dated after ``day``: what separates each later date's position from ``day``'s."""
    moves = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    rows = (JournalLine.objects
            .filter(entry__date__gt=day, fund_id__in={f for f, _ in keys}, funding_year_id__in={y for _, y in keys},
                    account__role__in=list(_ROLE_INDEX))
            .values_list("fund_id", "funding_year_id", "entry__date", "account__role", "direction")
            .annotate(total=Sum("amount")).order_by())
    for fund_id, year_id, on, role, direction, total in rows:
        if (fund_id, year_id) not in keys:
            continue
        pence = to_pence(total)
        raises = direction == (CREDIT if role == Account.Role.LIMIT else DEBIT)
        moves[(fund_id, year_id)][on][_ROLE_INDEX[role]] += pence if raises else -pence
    return moves


def _check_every_later_date(day: Date, effects_by_draft, positions: dict, funds: dict, years: dict) -> None:
    """The ring fence at every date, not only in total: an entry dated ``day`` counts in every statement as at
    ``day`` or later, so what it lowers (the available amount, commitments, actual spending) must stay at or above
    zero as at each of those dates, not only as at today. A backdated payment before the commitment it pays, a
    clawback before the payment it returns, or spending before the cash or award that allows it are refused here,
    naming the dates, whichever service posts them. Only a backdated entry can meet this (nothing is dated after
    today), and only then is the one query made."""
    lowered = defaultdict(lambda: [0, 0, 0])
    for effects in effects_by_draft:
        for key, (d_limit, d_committed, d_actual) in effects.items():
            total = lowered[key]
            total[0] += d_limit - d_committed - d_actual
            total[1] += d_committed
            total[2] += d_actual
    watched = {key: [i for i in range(3) if delta[i] < 0] for key, delta in lowered.items()}
    watched = {key: which for key, which in watched.items() if which}
    if not watched:
        return
    later = _later_movements(set(watched), day)
    for key, which in watched.items():
        moves = later.get(key)
        if not moves:
            continue
        limit, committed, actual = positions[key]  # after this entry, as at the last date
        as_at = [limit - committed - actual, committed, actual]
        for on in sorted(moves, reverse=True):  # step back past each later date's movements
            delta = moves[on]
            as_at = [as_at[0] - (delta[0] - delta[1] - delta[2]), as_at[1] - delta[1], as_at[2] - delta[2]]
            for i in which:
                if as_at[i] < 0:
                    name, meaning, relies = _AS_AT_WHAT[i]
                    fund, year = funds[key[0]], years[key[1]]
                    raise ValidationError({"date": ValidationError(
                        f"This is dated {day:%d/%m/%Y}, before {relies} on {fund.code} {year.label} (dated "
                        f"{on:%d/%m/%Y}): as at {on - timedelta(days=1):%d/%m/%Y} the fund would have "
                        f"{format_gbp(from_pence(-as_at[i]))} {meaning}, and a statement as at that day would show "
                        f"{name} below zero. Date it on or after {on:%d/%m/%Y}.",
                        code=DATED_TOO_EARLY, params={"on_or_after": on},
                    )})


def _available(position: tuple[int, int, int]) -> int:
    limit, committed, actual = position
    return limit - committed - actual


def available_pence(position: FundPosition) -> int:
    return position.limit_pence - position.committed_pence - position.actual_pence


@dataclass(frozen=True)
class EntryDraft:
    """One journal entry of a batch posted by ``entries_post`` (all on the same date)."""

    description: str
    legs: list[Leg]
    source: object = None
    source_reference: str = ""


@transaction.atomic
def entry_post(
    *,
    date: Date,
    description: str,
    legs: list[Leg],
    by,
    source=None,
    source_type: str = "",
    source_id: str = "",
    source_reference: str = "",
    reverses: JournalEntry | None = None,
    adjustments: Period | None = None,
) -> JournalEntry:
    """Post a balanced journal entry, or refuse with a clear message and write nothing.

    ``adjustments`` is for the year end alone (``yearend.services``): the entry goes into that year's P13, dated
    the year's last day, instead of the month that holds ``date``. No other path can reach P13, since nothing finds
    it by date.

    Eleven round trips to the database for an entry on one fund, whatever its number of lines (one more per
    further fund and year whose position moves): begin; read the period and the accounts; lock the funds (in id
    order); lock the chain head; read the positions and the last number; insert the entry, its lines and its
    balances; move the positions and the chain head; commit.
    """
    _require_poster(by)
    _check_shape(description, legs)
    codes = {leg.account for leg in legs}
    if adjustments is not None:
        period, accounts = _adjustments_and_accounts(adjustments, date, codes)
    else:
        period, accounts = _period_and_accounts_cached(date, codes)
    if source is not None:
        source_type, source_id = source._meta.label_lower, str(source.pk)
    draft = _Checked(_checked_legs(description, legs, period, accounts), (description or "").strip(),
                     source_type or "manual", source_id, source_reference, reverses)
    return _post(date=date, period=period, accounts=accounts, drafts=[draft], by=by)[0]


@transaction.atomic
def entries_post(*, date: Date, drafts: list[EntryDraft], by) -> list[JournalEntry]:
    """Post many balanced entries dated ``date`` at once (a payment run's payments), each checked as ``entry_post``
    checks one, in order: the spending positions move entry by entry, so the first entry that would break a rule
    refuses the whole batch, naming itself, and nothing is written. The same locks, numbering and chaining, with a
    constant number of round trips for the whole batch instead of eleven per entry."""
    _require_poster(by)
    if not drafts:
        return []
    period, accounts = _period_and_accounts_cached(date, {leg.account for draft in drafts for leg in draft.legs})
    checked = []
    for draft in drafts:
        source = draft.source
        try:
            legs = _checked_legs(draft.description, draft.legs, period, accounts)
        except ValidationError as error:
            raise ValidationError(f"{draft.source_reference or draft.description}: {' '.join(error.messages)}")
        checked.append(_Checked(legs, (draft.description or "").strip(),
                                source._meta.label_lower if source is not None else "manual",
                                str(source.pk) if source is not None else "", draft.source_reference, None))
    return _post(date=date, period=period, accounts=accounts, drafts=checked, by=by)


@dataclass(frozen=True)
class _Checked:
    legs: list  # (Leg, FinancialYear) pairs, amounts parsed
    description: str
    source_type: str
    source_id: str
    source_reference: str
    reverses: JournalEntry | None


def _require_poster(by) -> None:
    if by is None or not getattr(by, "pk", None):
        raise ValidationError("Every posting needs the person who made it.")


def _check_shape(description: str, legs: list[Leg]) -> None:
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the entry, e.g. 'MoJ award letter 2025/26'."})
    if len(legs) < 2:
        raise ValidationError("A journal entry needs at least one debit and one credit.")


def _checked_legs(description: str, legs: list[Leg], period: Period, accounts: dict) -> list:
    """Every rule one entry's lines must keep on their own: a description, a debit and a credit, parsed amounts,
    budget lines of the right fund and year, balance within each fund, known accounts."""
    _check_shape(description, legs)
    checked = []
    for leg in legs:
        if leg.direction not in (DEBIT, CREDIT):
            raise ValidationError(f"A line must be a debit (D) or a credit (C), not {leg.direction!r}.")
        amount = parse_amount(leg.amount)
        year = leg.funding_year or period.year
        _check_budget_line(leg, year)
        checked.append((Leg(leg.account, leg.fund, leg.direction, amount, year, leg.budget_line), year))
    _check_balanced(checked)
    unknown = sorted({leg.account for leg, _ in checked} - set(accounts))
    if unknown:
        raise ValidationError(f"Unknown ledger account(s): {', '.join(unknown)}.")
    return checked


@dataclass
class _State:
    """What posting knows under its locks: the funds locked, the chain head, the last entry numbers and id, and the
    kept positions read. A single posting builds one and writes everything before it returns; a batch
    (``posting_batch``) keeps one for its whole transaction and writes the kept rows once, when it ends."""

    funds: dict  # fund id -> Fund, locked
    head_hash: str
    head_entries: int
    last_id: int
    numbers: dict  # year id -> last entry number
    positions: dict  # (fund id, funding year id) -> (limit, committed, actual) pence
    kept: set  # the keys that have a kept row
    held_periods: set = field(default_factory=set)
    periods: dict = field(default_factory=dict)  # date -> Period, within a batch
    accounts: dict = field(default_factory=dict)  # code -> Account, within a batch
    moved: defaultdict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    balances: defaultdict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    entries: int = 0  # entries written and not yet counted in the chain head


_batch: ContextVar[_State | None] = ContextVar("ledger_posting_batch", default=None)


@contextmanager
def posting_batch():
    """Post many entries in one transaction, all or nothing, with the funds and the chain head locked once.

    Every ``entry_post`` (and so every service that posts) inside the block checks every rule as it does alone,
    against the batch's running positions, and writes its lines and entry at once (so documents can point at it);
    the kept balances, positions and chain head are written once, when the block ends, and the database checks
    them against the lines then (migration 0009). Inside the block, read a fund's position from the ledger only
    after it ends. Every fund is locked for the batch's length, so keep batches to imports and payment runs."""
    if _batch.get() is not None:  # already in one: the outer batch writes at its end
        yield
        return
    with transaction.atomic():
        funds = {f.pk: f for f in lock(Fund.objects.all())}  # every fund, in id order, as every posting locks them
        state = _state_read(keys=None, year_id=None)
        state.funds = funds
        token = _batch.set(state)
        try:
            yield
            _execute(_kept_rows(state))
        finally:
            _batch.reset(token)


def _lock_head() -> ChainHead:
    head = lock(ChainHead.objects.filter(pk=1))
    if not head:
        ChainHead.objects.create(pk=1)
        head = lock(ChainHead.objects.filter(pk=1))
    return head[0]


def _state_read(*, keys, year_id) -> _State:
    """With the funds locked, lock the chain head; only then read the kept positions of ``keys`` (every position,
    for a batch) and the last numbers, as a statement of its own: on PostgreSQL a statement reads what was committed
    when it began, so a read made in the same statement as the lock (or before it) could miss the posting that held
    the lock."""
    funds = {}
    head = _lock_head()
    pos, entry = FundPosition._meta.db_table, JournalEntry._meta.db_table
    if keys is None:  # a batch: every kept position and every year's last number
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT year_id, MAX(number), (SELECT MAX(id) FROM {entry}) FROM {entry} GROUP BY year_id")
            rows = cursor.fetchall()
            numbers = {year: int(number) for year, number, _ in rows}
            last_id = int(rows[0][2]) if rows else 0
            cursor.execute(f"SELECT fund_id, funding_year_id, limit_pence, committed_pence, actual_pence FROM {pos}")
            positions = {(f, y): (int(limit), int(c), int(a)) for f, y, limit, c, a in cursor.fetchall()}
        return _State(funds, head.last_hash, head.entries, last_id, numbers, positions, set(positions))
    fund_list = sorted({f for f, _ in keys})
    year_list = sorted({y for _, y in keys})
    numbers_sql = f"SELECT MAX(number) AS n, (SELECT MAX(id) FROM {entry}) AS last_id FROM {entry} WHERE year_id = %s"
    sql = (
        f"SELECT m.n, m.last_id, p.fund_id, p.funding_year_id, p.limit_pence, p.committed_pence, p.actual_pence "
        f"FROM ({numbers_sql}) m LEFT JOIN {pos} p ON p.fund_id IN ({', '.join(['%s'] * len(fund_list))}) "
        f"AND p.funding_year_id IN ({', '.join(['%s'] * len(year_list))})"
        if keys  # an entry on accounts that move no spending position touches no position
        else f"SELECT m.n, m.last_id, NULL, NULL, NULL, NULL, NULL FROM ({numbers_sql}) m"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year_id, *fund_list, *year_list])
        rows = cursor.fetchall()
    positions, kept = {}, set()
    for _, _, fund_id, funding_year_id, limit, committed, actual in rows:
        if fund_id is not None:
            positions[(fund_id, funding_year_id)] = (int(limit), int(committed), int(actual))
            kept.add((fund_id, funding_year_id))
    return _State(funds, head.last_hash, head.entries, int(rows[0][1] or 0), {year_id: int(rows[0][0] or 0)},
                  positions, kept)


def _post(*, date: Date, period: Period, accounts: dict, drafts: list[_Checked], by) -> list[JournalEntry]:
    """Lock, check the positions entry by entry, number, chain and write ``drafts`` (all dated ``date`` in
    ``period``): the one path every posting takes. Alone: eight round trips on PostgreSQL whatever the number of
    lines (begin; read the period and accounts; lock the funds; hold the period; lock the chain head; read the
    positions and last numbers; write lines, entries, balances, positions and chain head in one go; commit).
    Inside ``posting_batch``: one round trip per entry."""
    today = ledger_today()
    if date > today:
        raise ValidationError({"date": f"{date:%d/%m/%Y} is after today ({today:%d/%m/%Y}): nothing is posted before "
                                       "its date, so that every figure as at today is the whole ledger. Post it on "
                                       "the day, or date it no later than today."})
    all_legs = [pair for draft in drafts for pair in draft.legs]
    effects_by_draft = [_position_effects(draft.legs, accounts) for draft in drafts]
    state = _batch.get()
    if state is None:
        fund_ids = sorted({leg.fund.pk for leg, _ in all_legs})
        keys = sorted({key for effects in effects_by_draft for key in effects})
        # The funds first (in id order), as every posting locks them; then the period; then the chain head.
        funds = {f.pk: f for f in lock(Fund.objects.filter(pk__in=fund_ids))}
        _hold_period_open(period, date)
        state = _state_read(keys=keys, year_id=period.year_id)
        state.funds = funds
        batch = False
    else:
        missing = sorted({leg.fund.code for leg, _ in all_legs if leg.fund.pk not in state.funds})
        if missing:
            raise ValidationError(f"Fund(s) {', '.join(missing)} were set up after this batch began; post again.")
        if period.pk not in state.held_periods:
            _hold_period_open(period, date)
            state.held_periods.add(period.pk)
        batch = True
    funds = state.funds
    years = {year.pk: year for _, year in all_legs}
    years[period.year_id] = period.year
    if period.year_id not in state.numbers:
        state.numbers[period.year_id] = 0

    # Check every entry in order against the running positions; nothing is kept until all pass.
    positions = dict(state.positions)
    for draft, effects in zip(drafts, effects_by_draft, strict=True):
        for (fund_id, year_id), (d_limit, d_committed, d_actual) in effects.items():
            position = positions.get((fund_id, year_id), (0, 0, 0))
            try:
                _check_not_negative(funds[fund_id], years[year_id], position, d_committed, d_actual)
                after = _available(position) + d_limit - d_committed - d_actual
                if after < 0 and (d_committed > 0 or d_actual > 0 or d_limit < 0):
                    fund = funds[fund_id]
                    needed = d_committed + d_actual - d_limit
                    raise ValidationError(
                        f"Not enough money available in {fund.code} ({fund.name}) for {years[year_id].label}: "
                        f"{format_gbp(from_pence(_available(position)))} is available and this needs "
                        f"{format_gbp(from_pence(needed))}, {format_gbp(from_pence(-after))} more than that."
                    )
            except ValidationError as error:
                if len(drafts) == 1:
                    raise
                raise ValidationError(f"{draft.source_reference or draft.description}: {' '.join(error.messages)}")
            positions[(fund_id, year_id)] = (position[0] + d_limit, position[1] + d_committed,
                                             position[2] + d_actual)

    # Only a backdated entry can meet entries dated after it. The year end's adjustments (P13) are dated the year's
    # last day but made once the year's late movements are known (an April release of a March commitment), and
    # move what is left at the close: they are checked against the year's total, as above, not date by date.
    if date < today and not period.is_adjustments:
        _check_every_later_date(date, effects_by_draft, positions, funds, years)

    # Number and chain under the single chain-head lock; ids too, so the lines can be written before their entry.
    posted_at = timezone.now()
    posted_on = timezone.localdate(posted_at)
    previous = state.head_hash
    entries, line_rows = [], []
    ops = connection.ops
    for offset, draft in enumerate(drafts, start=1):
        entry = JournalEntry(
            id=state.last_id + offset, year=period.year, number=state.numbers[period.year_id] + offset, date=date,
            period=period, description=draft.description[:300], source_type=draft.source_type,
            source_id=draft.source_id, source_reference=draft.source_reference[:120], posted_by=by,
            posted_at=posted_at, reverses=draft.reverses, previous_hash=previous,
        )
        facts = []
        for leg, year in draft.legs:
            account = accounts[leg.account]
            budget_line_id = leg.budget_line.pk if leg.budget_line is not None else None
            facts.append([account.code, funds[leg.fund.pk].code, year.label, leg.direction, f"{leg.amount:.2f}"]
                         + ([budget_line_id] if budget_line_id else []))
            line_rows.append([entry.id, account.pk, leg.fund.pk, year.pk, budget_line_id, leg.direction,
                              ops.adapt_decimalfield_value(leg.amount, 14, 2), "GBP"])
        entry.hash = previous = _hash(entry, facts, years)
        entry._state.adding, entry._state.db = False, connection.alias
        entries.append(entry)

    # Lines first, then their entries: the database refuses a line for an entry that exists and an entry whose
    # lines are not all there and balanced (migration 0009), so nothing can join a posted entry.
    statements = []
    line_table, entry_table = JournalLine._meta.db_table, JournalEntry._meta.db_table
    for start in range(0, len(line_rows), 1000):
        part = line_rows[start:start + 1000]
        statements.append((
            f"INSERT INTO {line_table} (entry_id, account_id, fund_id, funding_year_id, budget_line_id, direction, "
            f"amount, amount_currency) VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s)'] * len(part))}",
            [value for row in part for value in row],
        ))
    for start in range(0, len(entries), 500):
        part = entries[start:start + 500]
        statements.append((
            f"INSERT INTO {entry_table} (id, year_id, number, date, period_id, description, source_type, source_id, "
            f"source_reference, posted_by_id, posted_at, reverses_id, previous_hash, hash) VALUES "
            f"{', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)'] * len(part))}",
            [value for e in part for value in (
                e.id, e.year_id, e.number, ops.adapt_datefield_value(e.date), e.period_id, e.description,
                e.source_type, e.source_id, e.source_reference, e.posted_by_id,
                ops.adapt_datetimefield_value(e.posted_at), e.reverses_id, e.previous_hash, e.hash)],
        ))

    if batch:
        _execute(statements)  # the batch's state moves on only once the rows are written
    _advance(state, entries, positions, previous, period, date, posted_on, all_legs, accounts, effects_by_draft)
    if not batch:
        _execute(statements + _kept_rows(state))
    return entries


def _advance(state, entries, positions, previous, period, date, posted_on, all_legs, accounts, effects_by_draft):
    """Move ``state`` past ``entries``: the running positions, chain head, numbers, and what the kept rows owe."""
    for leg, year in all_legs:
        key = (year.pk, leg.fund.pk, accounts[leg.account].pk, date, posted_on)
        state.balances[key][0 if leg.direction == DEBIT else 1] += to_pence(leg.amount)
    for effects in effects_by_draft:
        for key, delta in effects.items():
            moved = state.moved[key]
            moved[0], moved[1], moved[2] = moved[0] + delta[0], moved[1] + delta[1], moved[2] + delta[2]
    state.positions = positions
    state.head_hash = previous
    state.last_id += len(entries)
    state.numbers[period.year_id] += len(entries)
    state.entries += len(entries)


def _kept_rows(state: _State) -> list:
    """The statements that bring the kept balances, positions and chain head up to date with what ``state`` has
    written, and forget it. The positions' ``through_line`` is the last line written: the database refuses the
    change unless it is exactly the sum of the fund's lines since the row's previous ``through_line``."""
    statements = []
    ops = connection.ops
    balance, pos, head = Balance._meta.db_table, FundPosition._meta.db_table, ChainHead._meta.db_table
    rows = [[fund_id, account_id, year_id, ops.adapt_datefield_value(day), ops.adapt_datefield_value(posted_on),
             debit, credit]
            for (year_id, fund_id, account_id, day, posted_on), (debit, credit) in state.balances.items()]
    columns = "fund_id, account_id, funding_year_id, date, posted_on, debit_pence, credit_pence"
    for start in range(0, len(rows), 500):
        part = rows[start:start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(part))
        params = [value for row in part for value in row]
        if connection.vendor == "postgresql":
            statements.append((
                f"INSERT INTO {balance} ({columns}) VALUES {values} "
                f"ON CONFLICT (funding_year_id, fund_id, account_id, date, posted_on) DO UPDATE SET "
                f"debit_pence = {balance}.debit_pence + excluded.debit_pence, "
                f"credit_pence = {balance}.credit_pence + excluded.credit_pence", params))
        else:
            # SQLite: an upsert fires the BEFORE INSERT trigger that refuses ``INSERT OR REPLACE`` over a kept
            # balance (migration 0009), so add to the rows that exist, then insert the rest.
            same = ("b.fund_id = v.column1 AND b.account_id = v.column2 AND b.funding_year_id = v.column3 "
                    "AND b.date = v.column4 AND b.posted_on = v.column5")
            statements.append((
                f"UPDATE {balance} AS b SET debit_pence = b.debit_pence + v.column6, "
                f"credit_pence = b.credit_pence + v.column7 FROM (VALUES {values}) AS v WHERE {same}", params))
            statements.append((
                f"INSERT INTO {balance} ({columns}) SELECT * FROM (VALUES {values}) AS v "
                f"WHERE NOT EXISTS (SELECT 1 FROM {balance} AS b WHERE {same})", params))
    through = f"(SELECT MAX(id) FROM {JournalLine._meta.db_table})"
    new = [(key, delta) for key, delta in state.moved.items() if key not in state.kept]
    if new:
        statements.append((
            f"INSERT INTO {pos} (fund_id, funding_year_id, limit_pence, committed_pence, actual_pence, through_line) "
            f"VALUES {', '.join([f'(%s, %s, %s, %s, %s, {through})'] * len(new))}",
            [value for (fund_id, year_id), delta in new for value in (fund_id, year_id, *delta)]))
    for (fund_id, year_id), (d_limit, d_committed, d_actual) in state.moved.items():
        if (fund_id, year_id) in state.kept and (d_limit or d_committed or d_actual):
            statements.append((
                f"UPDATE {pos} SET limit_pence = limit_pence + %s, committed_pence = committed_pence + %s, "
                f"actual_pence = actual_pence + %s, through_line = {through} "
                "WHERE fund_id = %s AND funding_year_id = %s",
                [d_limit, d_committed, d_actual, fund_id, year_id]))
    if state.entries:
        statements.append((f"UPDATE {head} SET last_hash = %s, entries = entries + %s WHERE id = 1",
                           [state.head_hash, state.entries]))
    state.kept |= {key for key, _ in new}
    state.balances.clear()
    state.moved.clear()
    state.entries = 0
    return statements


def _execute(statements) -> None:
    """Run ``statements`` in order. On PostgreSQL they go in one round trip (psycopg binds the parameters on the
    client, so several statements may share one execute); SQLite runs in-process, one by one."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)



def entry_owner(entry: JournalEntry) -> str | None:
    """What posted ``entry``, in words ("grant G00012"), when a document did; None for a manual entry."""
    from django.apps import apps

    if entry.source_type.startswith("yearend."):
        return f"the year end ({entry.source_reference or entry.source_type})"
    try:
        model = apps.get_model(*entry.source_type.split(".", 1))
    except (LookupError, ValueError, TypeError):
        return None  # "manual", or a name no document model carries
    return f"{model._meta.verbose_name} {entry.source_reference}".strip()


@transaction.atomic
def entry_reverse(*, entry: JournalEntry, date: Date, by, reason: str, source=None,
                  document: object | None = None) -> JournalEntry:
    """Correct a posted entry by posting its mirror image, pointing back at it. The original stays as it was.

    An entry a document posted (a receipt, a commitment, a payment, an accrual) is reversed only through that
    document's own reversal, which passes itself as ``document`` (``ledger.reversals.document_reverse``, the year
    end's accruals): reversed on its own, the ledger would say one thing and the document another. A reversal is
    dated on or after the entry it reverses."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the entry is being reversed."})
    owner = entry_owner(entry)
    if owner is not None and document is None:
        raise ValidationError(
            f"Entry {entry.reference} was posted by {owner}, so it is reversed through that document's own "
            "reversal (its page's Reverse, or withdrawing or varying a grant for a commitment), never on its own: "
            "the document and the ledger would otherwise disagree."
        )
    if isinstance(date, Date) and date < entry.date:
        raise ValidationError({"date": f"Entry {entry.reference} is dated {entry.date:%d/%m/%Y}; its reversal cannot "
                                       f"be dated before it ({date:%d/%m/%Y}). Date it {entry.date:%d/%m/%Y} or "
                                       "later."})
    if entry.reverses_id is not None:
        raise ValidationError(
            f"Entry {entry.reference} is itself a reversal (of {entry.reverses.reference}); a reversal is not "
            "reversed. Record the document again, correctly, instead."
        )
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(f"Entry {entry.reference} has already been reversed.")
    legs = [
        Leg(
            account=line.account.code,
            fund=line.fund,
            direction=CREDIT if line.direction == DEBIT else DEBIT,
            amount=line.amount.amount,
            funding_year=line.funding_year,
            budget_line=line.budget_line,
        )
        for line in entry.lines.select_related("account", "fund", "funding_year", "budget_line")
    ]
    return entry_post(
        date=date,
        description=f"Reversal of {entry.reference}: {reason}",
        legs=legs,
        by=by,
        source_type=source._meta.label_lower if source is not None else entry.source_type,
        source_id=str(source.pk) if source is not None else entry.source_id,
        source_reference=entry.source_reference,
        reverses=entry,
    )
