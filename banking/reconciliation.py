"""A month's bank reconciliation, and signing it off.

The equation: bank closing balance = cash account balance at the month end (account 1000 over all funds)
+ unmatched statement lines (in the bank, not yet in the ledger: bank charges, receipts not yet recorded)
- unmatched cash items (in the ledger, not yet through the bank: unpresented payments, outstanding lodgements).
``difference`` is the bank closing balance less the right-hand side; the month is reconciled when it is £0.00.
Unmatched items carry forward: an April payment not yet through the bank is still listed in May.

Sign-off (``reconciliation_sign_off``) is by a finance officer or a finance director who did not import the
statement (the preparer's work is reviewed by a second person, as for payments), only when the difference is
£0.00 and the previous month's statement, if any, is signed off. From then on the month's matches are frozen, and
its figures leave out entries posted after the sign-off, so they can be rebuilt as signed.
"""

from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from banking.cash import CashItem, cash_balance
from banking.models import BankStatement, BankStatementLine
from banking.selectors import MatchView, month_items
from banking.statements import locked, standing_statements
from core.audit import record_event, save_with_history
from core.money import ZERO, format_gbp
from core.roles import OFFICERS_AND_DIRECTORS, require_role


@dataclass(frozen=True)
class BalanceRow:
    """One line of the balance statement: how an amount moves the bank balance towards the cash account."""

    label: str
    amount: Decimal
    count: int | None = None
    key: str = ""


@dataclass
class Reconciliation:
    statement: BankStatement
    bank_closing: Decimal
    cash_balance: Decimal
    matches: list[MatchView] = field(default_factory=list)
    unmatched_lines: list[BankStatementLine] = field(default_factory=list)  # bank only
    unmatched_items: list[CashItem] = field(default_factory=list)  # ledger only

    @property
    def month_end(self) -> Date:
        return self.statement.period.end_date

    @property
    def unmatched_lines_total(self) -> Decimal:
        return sum((line.amount.amount for line in self.unmatched_lines), ZERO)

    @property
    def unmatched_items_total(self) -> Decimal:
        return sum((item.amount for item in self.unmatched_items), ZERO)

    @property
    def explained_bank_balance(self) -> Decimal:
        """Cash account + unmatched statement lines - unmatched cash items: what the bank should show."""
        return self.cash_balance + self.unmatched_lines_total - self.unmatched_items_total

    @property
    def difference(self) -> Decimal:
        return self.bank_closing - self.explained_bank_balance

    @property
    def is_balanced(self) -> bool:
        return self.difference == ZERO

    # The four kinds of unmatched item, as a reconciliation lists them.
    @property
    def outstanding_lodgements(self) -> list[CashItem]:
        return [i for i in self.unmatched_items if i.amount > 0]

    @property
    def unpresented_payments(self) -> list[CashItem]:
        return [i for i in self.unmatched_items if i.amount < 0]

    @property
    def bank_receipts_unrecorded(self) -> list[BankStatementLine]:
        return [line for line in self.unmatched_lines if line.amount.amount > 0]

    @property
    def bank_payments_unrecorded(self) -> list[BankStatementLine]:
        return [line for line in self.unmatched_lines if line.amount.amount < 0]

    def balance_statement(self) -> list[BalanceRow]:
        """From the bank's closing balance to the cash account: each kind of unmatched item added or taken off."""
        def lines_total(lines):
            return sum((line.amount.amount for line in lines), ZERO)

        def items_total(items):
            return sum((i.amount for i in items), ZERO)

        return [
            BalanceRow(f"Balance per bank statement at {self.month_end:%d/%m/%Y}", self.bank_closing, key="bank"),
            BalanceRow("Add: outstanding lodgements (received in the cash account, not yet in the bank)",
                       items_total(self.outstanding_lodgements), len(self.outstanding_lodgements), "lodgements"),
            BalanceRow("Less: unpresented payments (paid in the cash account, not yet through the bank)",
                       items_total(self.unpresented_payments), len(self.unpresented_payments), "unpresented"),
            BalanceRow("Less: receipts in the bank not yet in the cash account",
                       -lines_total(self.bank_receipts_unrecorded), len(self.bank_receipts_unrecorded),
                       "bank_receipts"),
            BalanceRow("Add: payments from the bank not yet in the cash account (e.g. bank charges)",
                       -lines_total(self.bank_payments_unrecorded), len(self.bank_payments_unrecorded),
                       "bank_payments"),
        ]

    @property
    def reconciled_cash(self) -> Decimal:
        """The bank balance adjusted for the unmatched items: what the cash account should be."""
        return sum((row.amount for row in self.balance_statement()), ZERO)


def reconciliation(statement: BankStatement) -> Reconciliation:
    month = month_items(statement)
    return Reconciliation(
        statement=statement,
        bank_closing=statement.closing_balance.amount,
        cash_balance=cash_balance(on=statement.period.end_date, known_at=statement.reconciled_at),
        matches=month.matches,
        unmatched_lines=month.unmatched_lines,
        unmatched_items=month.unmatched_items,
    )


def sign_off_refusal(statement: BankStatement, by) -> str | None:
    """Why ``by`` may not sign this month off now (other than the difference), or None."""
    if statement.is_withdrawn:
        return f"{statement} was withdrawn."
    if statement.is_reconciled:
        return f"{statement} was already signed off."
    if by is not None and by.pk == statement.imported_by_id:
        return (f"You imported {statement}; a different finance officer or director reviews and signs off its "
                "reconciliation.")
    earlier = (standing_statements().filter(period__start_date__lt=statement.period.start_date,
                                            reconciled_at__isnull=True).order_by("period__start_date").first())
    if earlier is not None:
        return f"Sign off {earlier} first: months are signed off in order."
    return None


@transaction.atomic
def reconciliation_sign_off(*, statement: BankStatement, by) -> BankStatement:
    """Sign the month off as reconciled, freezing its matches, or refuse saying why (the difference, if any)."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="sign off bank reconciliations")
    statement = locked(statement)
    refusal = sign_off_refusal(statement, by)
    if refusal:
        raise ValidationError(refusal)
    statement.reconciled_at = timezone.now()  # the figures checked are those known at the moment signed
    result = reconciliation(statement)
    if not result.is_balanced:
        raise ValidationError(
            f"{statement} does not reconcile: the bank's closing balance is {format_gbp(result.bank_closing)}, but "
            f"the cash account ({format_gbp(result.cash_balance)}) plus unmatched statement lines "
            f"({format_gbp(result.unmatched_lines_total)}) less unmatched cash items "
            f"({format_gbp(result.unmatched_items_total)}) comes to {format_gbp(result.explained_bank_balance)}: a "
            f"difference of {format_gbp(result.difference)}. Match or record the missing items first.")
    statement.reconciled_by = by
    save_with_history(statement, by=by, reason="Reconciliation signed off")
    record_event("banking.reconciliation_signed_off", by=by, obj=statement,
                 summary=f"{statement} reconciled: bank {format_gbp(result.bank_closing)}, cash account "
                         f"{format_gbp(result.cash_balance)}")
    return statement
