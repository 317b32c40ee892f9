"""Posting: the only way money enters the ledger.

``entry_post`` checks every rule, locks the funds it touches, numbers and chains the entry, writes its lines,
and brings the maintained balances and fund positions up to date, all in one transaction. Either all of that
happens or none of it does.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
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


def _entry_hash(entry: JournalEntry, lines: list[JournalLine], accounts_by_id, funds_by_id, years_by_id) -> str:
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
        "lines": [
            [
                accounts_by_id[line.account_id].code,
                funds_by_id[line.fund_id].code,
                years_by_id[line.funding_year_id].label,
                line.direction,
                f"{Decimal(line.amount.amount):.2f}",
            ]
            # Lines posted before budget lines were a dimension hash as they always did.
            + ([line.budget_line_id] if line.budget_line_id else [])
            for line in lines
        ],
        "previous": entry.previous_hash,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def entry_hash(entry: JournalEntry, lines: list[JournalLine], accounts_by_id, funds_by_id, years_by_id) -> str:
    """Recompute an entry's hash from its stored content (used by verify_ledger)."""
    return _entry_hash(entry, lines, accounts_by_id, funds_by_id, years_by_id)


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


def _upsert_balances(rows) -> None:
    """Add each line's pence to its balance row, creating it when new. One statement for the whole entry."""
    table = Balance._meta.db_table
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params = []
    ops = connection.ops
    for (year_id, fund_id, account_id, day, posted_on), (debit, credit) in rows.items():
        params += [
            fund_id,
            account_id,
            year_id,
            ops.adapt_datefield_value(day),
            ops.adapt_datefield_value(posted_on),
            debit,
            credit,
        ]
    sql = (
        f"INSERT INTO {table} (fund_id, account_id, funding_year_id, date, posted_on, debit_pence, credit_pence) "
        f"VALUES {placeholders} ON CONFLICT (funding_year_id, fund_id, account_id, date, posted_on) DO UPDATE SET "
        f"debit_pence = {table}.debit_pence + excluded.debit_pence, "
        f"credit_pence = {table}.credit_pence + excluded.credit_pence"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _positions_and_last_number(keys, year_id: int) -> tuple[dict, set, int]:
    """The kept positions of the (fund id, funding year id) pairs touched (and which pairs have none yet), and
    the last entry number of the entry's year, in one query. Call it only once the funds and the chain head are
    locked, as a statement of its own: on PostgreSQL a statement reads what was committed when it began, so a
    read made in the same statement as the lock (or before it) could miss the posting that held the lock."""
    pos, entry = FundPosition._meta.db_table, JournalEntry._meta.db_table
    fund_ids = sorted({f for f, _ in keys})
    year_ids = sorted({y for _, y in keys})
    sql = (
        f"SELECT m.n, p.fund_id, p.funding_year_id, p.limit_pence, p.committed_pence, p.actual_pence "
        f"FROM (SELECT MAX(number) AS n FROM {entry} WHERE year_id = %s) m "
        f"LEFT JOIN {pos} p ON p.fund_id IN ({', '.join(['%s'] * len(fund_ids))}) "
        f"AND p.funding_year_id IN ({', '.join(['%s'] * len(year_ids))})"
        if keys  # an entry on accounts that move no spending position touches no position
        else f"SELECT MAX(number), NULL, NULL, NULL, NULL, NULL FROM {entry} WHERE year_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year_id, *fund_ids, *year_ids])
        rows = cursor.fetchall()
    positions = {key: (0, 0, 0) for key in keys}  # a pair never posted before has no row yet: all zero
    new_keys = set(keys)
    for _, fund_id, funding_year_id, limit, committed, actual in rows:
        if (fund_id, funding_year_id) in positions:
            positions[(fund_id, funding_year_id)] = (int(limit), int(committed), int(actual))
            new_keys.discard((fund_id, funding_year_id))
    return positions, new_keys, int(rows[0][0] or 0)


def _apply_positions(effects, new_keys) -> None:
    """Add the entry's changes to the kept positions: one UPDATE per pair already kept (usually one), one INSERT
    for pairs never posted before. FundPosition's check constraint still refuses any result below zero."""
    table = FundPosition._meta.db_table
    with connection.cursor() as cursor:
        new = [(key, delta) for key, delta in effects.items() if key in new_keys]
        if new:
            cursor.execute(
                f"INSERT INTO {table} (fund_id, funding_year_id, limit_pence, committed_pence, actual_pence) "
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s)'] * len(new))}",
                [value for (fund_id, year_id), delta in new for value in (fund_id, year_id, *delta)],
            )
        for (fund_id, year_id), (d_limit, d_committed, d_actual) in effects.items():
            if (fund_id, year_id) not in new_keys and (d_limit or d_committed or d_actual):
                cursor.execute(
                    f"UPDATE {table} SET limit_pence = limit_pence + %s, committed_pence = committed_pence + %s, "
                    "actual_pence = actual_pence + %s WHERE fund_id = %s AND funding_year_id = %s",
                    [d_limit, d_committed, d_actual, fund_id, year_id],
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
        period, accounts = _period_and_accounts(date, codes)
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
    period, accounts = _period_and_accounts(date, {leg.account for draft in drafts for leg in draft.legs})
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


def _post(*, date: Date, period: Period, accounts: dict, drafts: list[_Checked], by) -> list[JournalEntry]:
    """Lock, check the positions entry by entry, number, chain and write ``drafts`` (all dated ``date`` in
    ``period``): the one path every posting takes."""
    all_legs = [pair for draft in drafts for pair in draft.legs]
    # Lock every fund touched (in id order), then the chain head; only then read the spending positions and the
    # last number, so both are current under the locks.
    fund_ids = sorted({leg.fund.pk for leg, _ in all_legs})
    funds = {f.pk: f for f in lock(Fund.objects.filter(pk__in=fund_ids))}
    head = lock(ChainHead.objects.filter(pk=1))
    if not head:
        ChainHead.objects.create(pk=1)
        head = lock(ChainHead.objects.filter(pk=1))
    head = head[0]
    effects_by_draft = [_position_effects(draft.legs, accounts) for draft in drafts]
    all_keys = sorted({key for effects in effects_by_draft for key in effects})
    positions, new_keys, last = _positions_and_last_number(all_keys, period.year_id)
    years = {year.pk: year for _, year in all_legs}
    years[period.year_id] = period.year
    total_effects = defaultdict(lambda: [0, 0, 0])
    for draft, effects in zip(drafts, effects_by_draft, strict=True):
        for (fund_id, year_id), (d_limit, d_committed, d_actual) in effects.items():
            position = positions[(fund_id, year_id)]
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
            total = total_effects[(fund_id, year_id)]
            total[0], total[1], total[2] = total[0] + d_limit, total[1] + d_committed, total[2] + d_actual

    # Number and chain under the single chain-head lock.
    posted_at = timezone.now()
    accounts_by_id = {a.pk: a for a in accounts.values()}
    previous = head.last_hash
    entries, lines_by_entry = [], []
    for number, draft in enumerate(drafts, start=last + 1):
        entry = JournalEntry(
            year=period.year,
            number=number,
            date=date,
            period=period,
            description=draft.description[:300],
            source_type=draft.source_type,
            source_id=draft.source_id,
            source_reference=draft.source_reference[:120],
            posted_by=by,
            posted_at=posted_at,
            reverses=draft.reverses,
            previous_hash=previous,
        )
        lines = [
            JournalLine(
                account=accounts[leg.account],
                fund=funds[leg.fund.pk],
                funding_year=year,
                budget_line_id=leg.budget_line.pk if leg.budget_line is not None else None,
                direction=leg.direction,
                amount=leg.amount,
            )
            for leg, year in draft.legs
        ]
        entry.hash = previous = _entry_hash(entry, lines, accounts_by_id, funds, years)
        entries.append(entry)
        lines_by_entry.append(lines)
    if len(entries) == 1:
        entries[0].save(force_insert=True)
    else:
        JournalEntry.objects.bulk_create(entries)  # ids come back on PostgreSQL and on SQLite 3.35+
    for entry, lines in zip(entries, lines_by_entry, strict=True):
        for line in lines:
            line.entry = entry
    JournalLine.objects.bulk_create([line for lines in lines_by_entry for line in lines])

    posted_on = timezone.localdate(posted_at)
    balance_rows = defaultdict(lambda: [0, 0])
    for leg, year in all_legs:
        key = (year.pk, leg.fund.pk, accounts[leg.account].pk, date, posted_on)
        balance_rows[key][0 if leg.direction == DEBIT else 1] += to_pence(leg.amount)
    _upsert_balances(balance_rows)
    _apply_positions({key: tuple(delta) for key, delta in total_effects.items()}, new_keys)
    ChainHead.objects.filter(pk=1).update(last_hash=previous, entries=F("entries") + len(entries))
    return entries


@transaction.atomic
def entry_reverse(*, entry: JournalEntry, date: Date, by, reason: str, source=None) -> JournalEntry:
    """Correct a posted entry by posting its mirror image, pointing back at it. The original stays as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the entry is being reversed."})
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
