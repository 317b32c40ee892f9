"""October 2026 reconciled against a fictional bank statement. The statement is what the bank would show: each
receipt on its own line, each payment run as one BACS line for its total, the payroll recharge as part of the
payroll, a bank charge the ledger has not recorded yet, and a receipt dated 30/10/2026 that the bank credited only
on 02/11/2026 (so it appears in November's statement: an outstanding lodgement at the month end). A finance officer
imports it, confirms the suggested matches, and the other officer signs the month off: bank balance = cash account
+ unmatched bank lines - unmatched cash items, to the penny. It is done on the fourth working day of November,
the morning of October's close."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q

from banking.cash import cash_balance, cash_items
from banking.matching import match_confirm_all
from banking.models import BankStatement
from banking.reconciliation import reconciliation_sign_off
from banking.statements import bank_statement_import
from core.money import ZERO
from demo.timeline import at, run_stories, working_day
from funds.models import Period

MONTH_START, MONTH_END = date(2026, 10, 1), date(2026, 10, 31)
BANK_CHARGE = ("31/10/2026", "-18.40", "CHARGES SEP-26", "Account fees, September 2026")


def statement_csv() -> tuple[bytes, object, object]:
    """The October statement built from the month's cash items as the bank shows them: (file, opening, closing)."""
    items = cash_items(Q(entry__date__gte=MONTH_START, entry__date__lte=MONTH_END))
    runs = defaultdict(lambda: ZERO)
    lines = []
    late = max((i for i in items if i.amount > 0), key=lambda i: (i.date, i.entry.pk), default=None)
    for item in items:
        if item.run:
            runs[(item.run, item.date)] += item.amount
        elif item is late and item.date == MONTH_END:
            continue  # credited by the bank on 02/11/2026: not on October's statement
        else:
            lines.append((item.date, item.amount, item.reference or item.entry.reference, item.description[:60]))
    for (run, day), amount in sorted(runs.items()):
        lines.append((day, amount, run, f"BACS payment run {run}"))
    lines.sort(key=lambda line: (line[0], line[2]))
    opening = cash_balance(on=date(2026, 9, 30))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Date", "Amount", "Reference", "Description"])
    writer.writerows([f"{day:%d/%m/%Y}", f"{amount:.2f}", reference, description]
                     for day, amount, reference, description in lines)
    writer.writerow(BANK_CHARGE)
    closing = opening + sum((line[1] for line in lines), ZERO) + Decimal(BANK_CHARGE[1])
    return out.getvalue().encode(), opening, closing


def seed_bank_reconciliation(users) -> BankStatement | None:
    done = {}
    run_stories([bank_reconciliation_story(users, done)])
    return done.get("statement")


def bank_reconciliation_story(users, done: dict):
    """``done["statement"]`` is the statement once reconciled and signed off."""
    if BankStatement.objects.exists():
        return
    yield at(working_day(2026, 11, 4), "09:30")
    content, opening, closing = statement_csv()
    period = Period.objects.get(start_date=MONTH_START, number__lte=12)
    statement = bank_statement_import(period=period, content=content, filename="lloyds-2026-10.csv",
                                      opening_balance=f"{opening:.2f}", closing_balance=f"{closing:.2f}",
                                      by=users["finance"])
    yield at(working_day(2026, 11, 4), "10:15")
    match_confirm_all(statement=statement, by=users["finance"])
    yield at(working_day(2026, 11, 4), "11:30")
    done["statement"] = reconciliation_sign_off(statement=statement, by=users["finance2"])
