"""Correcting journals: the correction of what no document covers (a receipt posted to the wrong fund, say).

A finance officer prepares the journal with a reason and its lines; it moves no money. Someone else (another
finance officer or a finance director, never the preparer) approves it, and only then is it posted, through
``entry_post``, on its own date, with every rule of posting (open period, ring-fences) applied at that moment. Or
they reject it, saying why. The journal and its lines stay, whatever the outcome.

Refused when preparing (and checked again when approving), writing nothing: no reason; fewer than two lines; lines
that do not balance within a fund and funding year (each fund balances on its own, as in every entry); accounts that
only their documents move (commitments, grant accruals, the year-end accounts); a funding year that has been
through year end; a date outside every financial year or in a closed period. A fund no longer active may be
corrected: a correction is often needed on a fund that has closed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.changes import person_name
from core.money import ZERO, format_gbp, from_pence, gbp, parse_amount, to_pence
from core.roles import FINANCE_OFFICERS, OFFICERS_AND_DIRECTORS, require_role
from funds.models import BudgetLine, FinancialYear, Fund
from ledger import accounts as acc
from ledger.models import Account, CorrectingJournal, CorrectingJournalLine, FundPosition, JournalEntry
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, open_period_for, period_for

MAX_LINES = 8
REJECTION_NOTE_NEEDED = "Say why the correcting journal is rejected, so the person who prepared it can put it right."

# Accounts that only their own documents move, and why: a correcting journal refuses them.
DOCUMENT_ONLY = {
    acc.COMMITMENTS: "commitments move only with the grants and orders that make them (approval, payment, "
    "invoice, variation, close); correct the grant or the order instead",
    acc.COMMITMENT_CONTROL: "it is the other side of the commitments, which move only with their grants and orders; "
    "correct the grant or the order instead",
    acc.TRADE_CREDITORS: "supplier invoices make what is owed to suppliers and payment runs pay it; reverse the "
    "invoice or the payment instead",
    acc.GRANT_ACCRUALS: "grant accruals are posted by the year end and reversed on 1 April; correct the instalment "
    "or the payment instead",
    acc.RESERVE_CARRIED_FORWARD: "only the year end moves the earmarked reserve",
    acc.RESERVE_APPLIED: "only the year end brings the earmarked reserve into a year",
    acc.LAPSED: "only the year end lapses unspent money",
    acc.YEAR_END_TRANSFERS: "only the year end transfers unspent money out of a year",
    acc.ACCRUALS: "accruals are made only at the year end, in the adjustments period, and reversed on 1 April; "
    "record an accrual on the year-end page instead",
    acc.OTHER_ACCRUALS: "accruals are made only at the year end, in the adjustments period; record an accrual on "
    "the year-end page instead",
    acc.RESERVES_BROUGHT_FORWARD: "only the year end brings a balance forward into a year",
    acc.FUNDER_CREDITOR: "only the year end makes money owed to a funder, and a recorded repayment clears it",
    acc.TREASURY_CREDITOR: "fixed penalty returns make HM Treasury's share owed, and recorded pay-overs clear it; "
    "reverse or record those instead",
}


@dataclass(frozen=True)
class CorrectionLine:
    """One line of a correcting journal as it is prepared. ``amount`` is text as typed (or a Decimal);
    ``funding_year`` defaults to the financial year of the journal's date."""

    account: str  # account code, see ledger.accounts
    fund: Fund
    direction: str  # "D" or "C"
    amount: object
    funding_year: FinancialYear | None = None
    narrative: str = ""
    budget_line: BudgetLine | None = None  # on a spending line: the budget line it counts against


@dataclass(frozen=True)
class _Checked:
    account: Account
    fund: Fund
    funding_year: FinancialYear
    direction: str
    amount: Decimal
    narrative: str
    budget_line: BudgetLine | None = None


def correctable_accounts():
    """The accounts a correcting journal may move: every account but those only their documents move."""
    return Account.objects.exclude(code__in=DOCUMENT_ONLY).order_by("code")


def _as_line(raw) -> CorrectionLine:
    if isinstance(raw, CorrectionLine):
        return raw
    if isinstance(raw, dict):
        known = {"account", "fund", "direction", "amount", "funding_year", "narrative", "budget_line"}
        return CorrectionLine(**{"account": "", "fund": None, "direction": "", "amount": "",
                                 **{k: v for k, v in raw.items() if k in known}})
    raise TypeError(f"A correcting journal line is a CorrectionLine or a dict, not {type(raw).__name__}.")


def _check_line(number: int, line: CorrectionLine, *, default_year: FinancialYear, accounts: dict) -> _Checked:
    where = f"Line {number}"
    code = getattr(line.account, "code", line.account)
    code = (str(code) if code is not None else "").strip()
    account = accounts.get(code)
    if account is None:
        raise ValidationError(
            f"{where}: there is no ledger account {code!r}. Choose one of the accounts offered, e.g. "
            f"{acc.CASH} Cash at bank or {acc.OTHER_INCOME} Other income."
        )
    if code in DOCUMENT_ONLY:
        raise ValidationError(
            f"{where}: a correcting journal cannot move account {account}: {DOCUMENT_ONLY[code]}."
        )
    if not isinstance(line.fund, Fund) or line.fund.pk is None:
        raise ValidationError(f"{where}: choose the fund the line belongs to.")
    if line.direction not in (DEBIT, CREDIT):
        raise ValidationError(f"{where}: say whether the line is a debit (D) or a credit (C), not {line.direction!r}.")
    try:
        amount = parse_amount(line.amount)
    except ValidationError as error:
        raise ValidationError(f"{where}: {' '.join(error.message_dict['amount'])}")
    year = line.funding_year or default_year
    if year.is_year_ended:
        raise ValidationError(
            f"{where}: {year.label} has been through year end, so its figures are final and its allocation cannot be "
            f"corrected. Count the correction against {default_year.label}, the year of the journal's date, instead."
            if year.pk != default_year.pk
            else f"{where}: {year.label} has been through year end, so its figures are final."
        )
    budget_line = line.budget_line
    if budget_line is not None:
        if account.role not in (Account.Role.COMMITTED, Account.Role.ACTUAL):
            raise ValidationError(
                f"{where}: a budget line is named only on a spending line (for example {acc.SUPPLIER_EXPENDITURE} "
                f"Supplier spending); account {account} does not count against a budget. Leave its budget line empty."
            )
        if budget_line.fund_id != line.fund.pk or budget_line.year_id != year.pk:
            headings = ", ".join(BudgetLine.objects.filter(fund=line.fund, year=year).values_list("heading", flat=True))
            raise ValidationError(
                f"{where}: the budget line '{budget_line.heading}' is not one of {line.fund.code}'s lines for "
                f"{year.label}; choose " + (f"one of {headings}." if headings else "none (it has no budget lines).")
            )
    return _Checked(account, line.fund, year, line.direction, amount, (line.narrative or "").strip()[:200],
                    budget_line)


def check_balanced_per_fund(lines) -> None:
    """Refuse lines that do not balance within each fund and funding year (the rule ``entry_post`` applies to every
    entry), naming each fund, the difference, and what would balance it. ``lines`` are (fund code, funding year
    label, direction, amount) tuples."""
    totals = defaultdict(lambda: [0, 0])
    for code, label, direction, amount in lines:
        totals[(code, label)][0 if direction == DEBIT else 1] += to_pence(amount)
    problems = []
    for (code, label), (debits, credits) in totals.items():
        if debits == credits:
            continue
        more, side = (debits - credits, "credits") if debits > credits else (credits - debits, "debits")
        problems.append(
            f"The journal does not balance within fund {code} {label}: its debits are "
            f"{format_gbp(from_pence(debits))} and its credits {format_gbp(from_pence(credits))}, "
            f"{format_gbp(from_pence(more))} apart. Add {format_gbp(from_pence(more))} of {side} on {code} {label} "
            "(or change its lines by that much): each fund balances on its own."
        )
    if problems:
        raise ValidationError(problems)


def _check_lines(raw_lines, *, day: Date) -> list[_Checked]:
    """Every rule on the lines, in the order a person fixes them; the date's own period is checked by the caller."""
    lines = [_as_line(raw) for raw in (raw_lines or [])]
    if len(lines) < 2:
        raise ValidationError(
            f"A correcting journal needs at least two lines, a debit and a credit within each fund; "
            f"{len(lines)} {'was' if len(lines) == 1 else 'were'} given."
        )
    if len(lines) > MAX_LINES:
        raise ValidationError(
            f"A correcting journal has at most {MAX_LINES} lines; {len(lines)} were given. Split it into two journals."
        )
    default_year = period_for(day).year
    codes = {str(getattr(line.account, "code", line.account) or "").strip() for line in lines}
    accounts = {a.code: a for a in Account.objects.filter(code__in=codes)}
    # The funding years as they stand now (one may have been through year end since the caller read it).
    years = FinancialYear.objects.in_bulk({line.funding_year.pk for line in lines if line.funding_year is not None})
    lines = [
        CorrectionLine(line.account, line.fund, line.direction, line.amount, years[line.funding_year.pk],
                       line.narrative, line.budget_line)
        if line.funding_year is not None else line
        for line in lines
    ]
    checked = [_check_line(n, line, default_year=default_year, accounts=accounts) for n, line in enumerate(lines, 1)]
    check_balanced_per_fund((c.fund.code, c.funding_year.label, c.direction, c.amount) for c in checked)
    return checked


@transaction.atomic
def correcting_journal_prepare(*, date: Date, reason: str, lines, by) -> CorrectingJournal:
    """Prepare a correcting journal: written, awaiting approval by someone else; nothing is posted."""
    require_role(by, FINANCE_OFFICERS, doing="prepare correcting journals")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the correction is needed, e.g. 'Receipt R-104 was posted to POCA; it belongs to "
                       "FEES.' The reason is kept with the journal and on its entry."}
        )
    open_period_for(date)  # refuses a date outside every year, or in a closed period, on "date"
    checked = _check_lines(lines, day=date)
    journal = CorrectingJournal(date=date, reason=reason, prepared_by=by, prepared_at=timezone.now())
    save_with_history(journal, by=by, reason="Correcting journal prepared")
    for c in checked:
        line = CorrectingJournalLine(
            journal=journal, account=c.account, fund=c.fund, funding_year=c.funding_year, direction=c.direction,
            amount=gbp(c.amount), narrative=c.narrative, budget_line=c.budget_line,
        )
        save_with_history(line, by=by, reason="Correcting journal prepared")
    total = sum((c.amount for c in checked if c.direction == DEBIT), ZERO)
    funds = ", ".join(sorted({c.fund.code for c in checked}))
    record_event(
        "correcting_journal.prepared", by=by, obj=journal, reason=reason,
        summary=f"{journal.reference} prepared: {format_gbp(total)} on {funds}",
        data={"date": date.isoformat(), "debits": str(total), "lines": len(checked)},
    )
    return journal


def _locked(journal: CorrectingJournal) -> CorrectingJournal:
    # Lock the journal's own row only: PostgreSQL cannot lock the nullable side of the join to its decider.
    return (CorrectingJournal.objects.select_for_update(of=("self",)).select_related("prepared_by", "decided_by")
            .get(pk=journal.pk))


def _require_prepared(journal: CorrectingJournal, doing: str) -> None:
    if journal.status == CorrectingJournal.Status.APPROVED:
        entry = JournalEntry.objects.select_related("year").get(pk=journal.entry_id)
        raise ValidationError(
            f"{journal.reference} was approved by {person_name(journal.decided_by)} on "
            f"{timezone.localtime(journal.decided_at):%d/%m/%Y} and posted as entry {entry.reference}; it cannot be "
            f"{doing} now. A posted correction is undone by another correcting journal."
        )
    if journal.status == CorrectingJournal.Status.REJECTED:
        raise ValidationError(
            f"{journal.reference} was rejected by {person_name(journal.decided_by)} on "
            f"{timezone.localtime(journal.decided_at):%d/%m/%Y}, so it cannot be {doing} now. Prepare a new "
            "correcting journal if the correction is still needed."
        )


def _require_not_preparer(journal: CorrectingJournal, by, doing: str) -> None:
    if journal.prepared_by_id == by.pk:
        raise ValidationError(
            f"A correcting journal is {doing} by someone other than the person who prepared it: "
            f"{person_name(journal.prepared_by)} prepared this one. Ask another finance officer or a finance director."
        )


@transaction.atomic
def correcting_journal_approve(*, journal: CorrectingJournal, by, note: str = "") -> CorrectingJournal:
    """Approve a prepared correcting journal and post it on its date. Refused, writing nothing, when the approver
    prepared it, when it is no longer awaiting approval, when its date's period has closed since, or when posting it
    would break a rule of posting (a fund below zero, say by how much)."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="approve correcting journals")
    journal = _locked(journal)
    _require_prepared(journal, "approved")
    _require_not_preparer(journal, by, "approved")
    try:
        open_period_for(journal.date)
    except ValidationError:
        period = period_for(journal.date)
        raise ValidationError(
            f"{journal.reference} is dated {journal.date:%d/%m/%Y}, in {period}, which has closed since it was "
            "prepared, so it cannot be posted. Reject it and prepare it again with a date in an open period."
        )
    saved = list(journal.lines.select_related("account", "fund", "funding_year", "budget_line").order_by("id"))
    checked = _check_lines(
        [CorrectionLine(line.account.code, line.fund, line.direction, line.amount.amount, line.funding_year,
                        line.narrative, line.budget_line)
         for line in saved],
        day=journal.date,
    )
    entry = entry_post(
        date=journal.date,
        description=f"{journal.reference}: {journal.reason}",
        legs=[Leg(c.account.code, c.fund, c.direction, c.amount, c.funding_year, c.budget_line) for c in checked],
        by=by,
        source=journal,
        source_reference=journal.reference,
    )
    note = (note or "").strip()
    journal.status = CorrectingJournal.Status.APPROVED
    journal.decided_by = by
    journal.decided_at = timezone.now()
    journal.decision_note = note
    journal.entry = entry
    save_with_history(journal, by=by, reason=(note or "Approved and posted")[:100])
    record_event(
        "correcting_journal.approved", by=by, obj=journal, reason=note,
        summary=f"{journal.reference} approved and posted as entry {entry.reference}",
        data={"entry": entry.reference},
    )
    return journal


@transaction.atomic
def correcting_journal_reject(*, journal: CorrectingJournal, by, note: str) -> CorrectingJournal:
    """Reject a prepared correcting journal, saying why. Nothing is posted; the journal stays, rejected."""
    require_role(by, OFFICERS_AND_DIRECTORS, doing="reject correcting journals")
    journal = _locked(journal)
    _require_prepared(journal, "rejected")
    _require_not_preparer(journal, by, "rejected")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": REJECTION_NOTE_NEEDED})
    journal.status = CorrectingJournal.Status.REJECTED
    journal.decided_by = by
    journal.decided_at = timezone.now()
    journal.decision_note = note
    save_with_history(journal, by=by, reason=note[:100])
    record_event("correcting_journal.rejected", by=by, obj=journal, reason=note,
                 summary=f"{journal.reference} rejected")
    return journal


# ---- Reading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundEffect:
    """A correcting journal's lines for one fund and funding year, and what they do to its available money."""

    fund: Fund
    funding_year: FinancialYear
    debits: Decimal
    credits: Decimal
    available_change: Decimal
    available_now: Decimal

    @property
    def available_after(self) -> Decimal:
        return self.available_now + self.available_change


def correcting_journals():
    return CorrectingJournal.objects.select_related("prepared_by", "decided_by", "entry__year").prefetch_related(
        "lines__fund"
    )


def journal_totals(journal: CorrectingJournal) -> Decimal:
    """Total debits (= total credits) of a journal whose lines are prefetched."""
    return sum((line.amount.amount for line in journal.lines.all() if line.direction == DEBIT), ZERO)


def correcting_journal_effects(journal: CorrectingJournal) -> list[FundEffect]:
    """Per fund and funding year: debits, credits, and the change to what is available (the spending position as
    kept now; the approval itself re-checks it under lock)."""
    lines = list(journal.lines.select_related("account", "fund", "funding_year"))
    groups = {}
    for line in lines:
        key = (line.fund_id, line.funding_year_id)
        group = groups.setdefault(key, {"fund": line.fund, "year": line.funding_year, "d": 0, "c": 0, "change": 0})
        pence = to_pence(line.amount.amount)
        group["d" if line.direction == DEBIT else "c"] += pence
        if line.account.role != Account.Role.NONE:
            # A credit raises the spending limit (or lowers commitments or spending): more available; a debit less.
            group["change"] += pence if line.direction == CREDIT else -pence
    kept = FundPosition.objects.filter(
        fund_id__in={fund_id for fund_id, _ in groups}, funding_year_id__in={year_id for _, year_id in groups}
    )
    positions = {(p.fund_id, p.funding_year_id): p.limit_pence - p.committed_pence - p.actual_pence for p in kept}
    return [
        FundEffect(
            fund=g["fund"], funding_year=g["year"], debits=from_pence(g["d"]), credits=from_pence(g["c"]),
            available_change=from_pence(g["change"]), available_now=from_pence(positions.get(key, 0)),
        )
        for key, g in sorted(groups.items(), key=lambda item: (item[1]["fund"].code, item[1]["year"].start_year))
    ]
