"""Corrections in the demo, as a finance team makes them: a duplicated receipt reversed (with its reason, so the award
letter's outstanding amount is restored), and a correcting journal for what no document covers, prepared by one
officer and approved by another. October's payroll recharge is journalled in the first days of November, before
October's bank reconciliation and close; the duplicate is found a week later."""

from datetime import date

from demo.timeline import at, run_stories
from funds.models import BudgetLine
from income.models import CashReceipt
from income.services import receipt_record, receipt_reverse
from ledger import accounts as acc
from ledger.corrections import CorrectionLine, correcting_journal_approve, correcting_journal_prepare

DUPLICATE = "VAWG-PROG-RCPT-2026/27-Q3-DUP"


def seed_corrections(users, funds, *, today: date) -> None:
    run_stories([corrections_story(users, funds, today=today)])


def corrections_story(users, funds, *, today: date):
    if today < date(2026, 11, 11) or CashReceipt.objects.filter(reference=DUPLICATE).exists():
        return
    officer, officer2 = users["finance"], users["finance2"]
    yield at(date(2026, 11, 3), "10:00")
    duplicate = receipt_record(
        fund=funds["VAWG-PROG"], reference=DUPLICATE, date=date(2026, 11, 3), amount="450000.00", by=officer,
        description="WMCA remittance for Q3 (entered a second time from the bank statement)",
    )
    # Staff costs paid through the policing body's payroll are charged to the fund by correcting journal, against
    # the budget line they belong to (DOMAIN.md 9): no invoice covers a salary.
    yield at(date(2026, 11, 3), "15:00")
    hubs = BudgetLine.objects.get(fund=funds["MOJ-CORE"], year__start_year=2026, heading="Victim support hubs")
    payroll = correcting_journal_prepare(
        date=date(2026, 10, 30), by=officer2,
        reason="Payroll recharge: victim support hub manager (1 FTE, grade SO2), April to October 2026, paid through "
               "the policing body's payroll and funded by MOJ-CORE (payroll report PR-2026-07).",
        lines=[CorrectionLine(acc.SUPPLIER_EXPENDITURE, funds["MOJ-CORE"], "D", "22318.64", budget_line=hubs,
                              narrative="Salary, on-costs and pension, 7 months"),
               CorrectionLine(acc.CASH, funds["MOJ-CORE"], "C", "22318.64", narrative="Paid by payroll")],
    )
    yield at(date(2026, 11, 4), "09:30")
    correcting_journal_approve(journal=payroll, by=officer, note="Agreed to the payroll report")
    yield at(date(2026, 11, 9), "11:00")
    receipt_reverse(receipt=duplicate, by=officer2, on=date(2026, 11, 9),
                    reason="Duplicate: the WMCA Q3 remittance was already recorded as VAWG-PROG-RCPT-2026/27-Q3; "
                           "one payment on the bank statement.")
    yield at(date(2026, 11, 9), "14:00")
    journal = correcting_journal_prepare(
        date=date(2026, 11, 9), by=officer,
        reason="£2,180.00 of speed-awareness course fees was paid into the proceeds of crime bank account by the "
               "course provider; the cash belongs to SPEED-FEES (bank statement 31/10/2026).",
        lines=[CorrectionLine(acc.CASH, funds["SPEED-FEES"], "D", "2180.00", narrative="Fees held for SPEED-FEES"),
               CorrectionLine(acc.INTER_FUND, funds["SPEED-FEES"], "C", "2180.00"),
               CorrectionLine(acc.INTER_FUND, funds["POCA"], "D", "2180.00"),
               CorrectionLine(acc.CASH, funds["POCA"], "C", "2180.00", narrative="Not POCA money")],
    )
    yield at(date(2026, 11, 10), "10:00")
    correcting_journal_approve(journal=journal, by=officer2, note="Checked against the October bank statement")
