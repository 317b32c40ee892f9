"""Importing a month's bank statement, and withdrawing one imported by mistake.

Statements come month by month, in order: the first can be any month (reconciliation begins there); each later
one is for the month after the latest standing statement, and its opening balance is that statement's closing
balance. A file is taken whole or not at all (``banking.statement_files`` reads it); its opening balance plus its
lines must come to its closing balance.

Only the latest statement can be withdrawn, and not once signed off; its matches are undone with it.
"""

import hashlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from banking.models import BankStatement, BankStatementLine, Match
from banking.statement_files import read_statement_file, signed_amount
from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp
from core.roles import FINANCE_OFFICERS, require_role
from funds.models import Period


def standing_statements():
    return BankStatement.objects.filter(withdrawn_at__isnull=True).select_related("period__year")


def latest_statement() -> BankStatement | None:
    return standing_statements().order_by("-period__start_date").first()


def reconciliation_start():
    """The first day of the first month with a standing statement: cash items before it are out of scope."""
    first = standing_statements().order_by("period__start_date").first()
    return first.period.start_date if first else None


def locked(statement: BankStatement) -> BankStatement:
    """The statement's row locked for this transaction (its own row only), read fresh."""
    lock(BankStatement.objects.filter(pk=statement.pk))
    return BankStatement.objects.select_related("period__year").get(pk=statement.pk)


def month_label(period: Period) -> str:
    return f"{period.start_date:%B %Y} ({period.year.label} P{period.number})"


def next_month(statement: BankStatement) -> Period | None:
    day = statement.period.end_date + timedelta(days=1)
    return Period.objects.select_related("year").filter(Period.MONTHS, start_date=day).first()


@transaction.atomic
def bank_statement_import(*, period: Period, content: bytes, filename: str, opening_balance, closing_balance,
                          by) -> BankStatement:
    """Record a month's statement and its lines from the bank's CSV file, or refuse the whole file saying every
    problem (rows named) and write nothing."""
    require_role(by, FINANCE_OFFICERS, doing="import bank statements")
    # One import at a time, the first included (with no statement yet there is no statement row to lock): the
    # months of the financial calendar are the rows every import reads, so lock them all.
    lock(Period.objects.filter(Period.MONTHS))
    lock(BankStatement.objects.filter(withdrawn_at__isnull=True))
    errors: dict[str, list[str]] = {}
    if period is None or period.number > 12:
        raise ValidationError({"period": "Choose a month (P1 to P12); a bank statement covers a calendar month."})
    existing = standing_statements().filter(period=period).first()
    if existing is not None:
        raise ValidationError({"period": f"{month_label(period)} already has a bank statement ({existing.file_name}, "
                                         f"imported {timezone.localtime(existing.imported_at):%d/%m/%Y}). Withdraw "
                                         "it first to import another."})
    latest = latest_statement()
    previous = None
    if latest is not None:
        if latest.period.start_date > period.start_date:
            raise ValidationError({"period": f"Statements are imported month by month: the latest is "
                                             f"{month_label(latest.period)}, after {month_label(period)}."})
        expected = next_month(latest)
        if expected is None or expected.pk != period.pk:
            wanted = month_label(expected) if expected else "the month after it (not yet set up)"
            raise ValidationError({"period": f"Statements are imported month by month: the latest is "
                                             f"{month_label(latest.period)}, so the next is {wanted}."})
        previous = latest
    opening = closing = None
    for field, raw in (("opening_balance", opening_balance), ("closing_balance", closing_balance)):
        try:
            value = signed_amount(raw, field=field)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.message_dict[field])
        else:
            if field == "opening_balance":
                opening = value
            else:
                closing = value
    if previous is not None and opening is not None and opening != previous.closing_balance.amount:
        errors.setdefault("opening_balance", []).append(
            f"The opening balance must be {format_gbp(previous.closing_balance.amount)}, the closing balance of "
            f"{previous.month_name}'s statement; {format_gbp(opening)} was given.")
    lines = []
    try:
        lines = read_statement_file(content or b"", start=period.start_date, end=period.end_date)
    except ValidationError as error:
        errors.setdefault("file", []).extend(error.messages)
    if not errors and opening + sum((line.amount for line in lines), ZERO) != closing:
        total = sum((line.amount for line in lines), ZERO)
        errors["file"] = [
            f"The opening balance {format_gbp(opening)} plus the {len(lines)} lines ({format_gbp(total)}) comes to "
            f"{format_gbp(opening + total)}, not the closing balance {format_gbp(closing)}: a difference of "
            f"{format_gbp(closing - opening - total)}. Check the balances and that the file holds every line."]
    if errors:
        raise ValidationError(errors)
    statement = BankStatement(
        period=period, opening_balance=gbp(opening), closing_balance=gbp(closing),
        file_name=(filename or "statement.csv")[:200], file_sha256=hashlib.sha256(content).hexdigest(),
        imported_by=by, imported_at=timezone.now(),
    )
    save_with_history(statement, by=by, reason="Bank statement imported")
    BankStatementLine.objects.bulk_create([
        BankStatementLine(statement=statement, number=line.row, date=line.date, amount=gbp(line.amount),
                          reference=line.reference, description=line.description)
        for line in lines
    ])
    record_event("banking.statement_imported", by=by, obj=statement,
                 summary=f"{statement}: {len(lines)} lines, {format_gbp(opening)} to {format_gbp(closing)}",
                 data={"file_name": statement.file_name, "sha256": statement.file_sha256, "lines": len(lines)})
    return statement


@transaction.atomic
def bank_statement_withdraw(*, statement: BankStatement, by, reason: str) -> BankStatement:
    """Take back a statement imported by mistake (the wrong file or balances): only the latest, only before its
    month is signed off. Its matches are undone; the statement and its lines stay, marked withdrawn."""
    require_role(by, FINANCE_OFFICERS, doing="withdraw bank statements")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the statement is being withdrawn."})
    statement = locked(statement)
    if statement.is_withdrawn:
        raise ValidationError(f"{statement} was already withdrawn.")
    if statement.is_reconciled:
        raise ValidationError(f"{statement} is signed off as reconciled; a signed-off month is not withdrawn.")
    latest = latest_statement()
    if latest is not None and latest.pk != statement.pk:
        raise ValidationError(f"Only the latest statement can be withdrawn; {latest} comes after {statement}. "
                              "Withdraw the later statements first.")
    from banking.matching import match_undo  # the one undo, with its own checks

    for match in Match.objects.filter(statement=statement, undone_at__isnull=True):
        match_undo(match=match, by=by, reason=f"Statement withdrawn: {reason}")
    statement.withdrawn_by, statement.withdrawn_at, statement.withdrawn_reason = by, timezone.now(), reason
    save_with_history(statement, by=by, reason=f"Withdrawn: {reason}")
    record_event("banking.statement_withdrawn", by=by, obj=statement, summary=f"{statement} withdrawn", reason=reason)
    return statement
