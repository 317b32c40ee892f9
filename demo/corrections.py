"""Corrections in the demo, as a finance team makes them: a duplicated receipt reversed (with its reason, so the award
letter's outstanding amount is restored), and a correcting journal for what no document covers, prepared by one
officer and approved by another."""

from datetime import date

from income.models import CashReceipt
from income.services import receipt_record, receipt_reverse
from ledger import accounts as acc
from ledger.corrections import CorrectionLine, correcting_journal_approve, correcting_journal_prepare

DUPLICATE = "VAWG-PROG-RCPT-2026/27-Q3-DUP"


def seed_corrections(users, funds, *, today: date) -> None:
    if today < date(2026, 11, 10) or CashReceipt.objects.filter(reference=DUPLICATE).exists():
        return
    officer, officer2 = users["finance"], users["finance2"]
    duplicate = receipt_record(
        fund=funds["VAWG-PROG"], reference=DUPLICATE, date=date(2026, 11, 3), amount="450000.00", by=officer,
        description="WMCA remittance for Q3 (entered a second time from the bank statement)",
    )
    receipt_reverse(receipt=duplicate, by=officer2, on=date(2026, 11, 9),
                    reason="Duplicate: the WMCA Q3 remittance was already recorded as VAWG-PROG-RCPT-2026/27-Q3; "
                           "one payment on the bank statement.")
    journal = correcting_journal_prepare(
        date=date(2026, 11, 9), by=officer,
        reason="£2,180.00 of speed-awareness course fees was paid into the proceeds of crime bank account by the "
               "course provider; the cash belongs to SPEED-FEES (bank statement 31/10/2026).",
        lines=[CorrectionLine(acc.CASH, funds["SPEED-FEES"], "D", "2180.00", narrative="Fees held for SPEED-FEES"),
               CorrectionLine(acc.INTER_FUND, funds["SPEED-FEES"], "C", "2180.00"),
               CorrectionLine(acc.INTER_FUND, funds["POCA"], "D", "2180.00"),
               CorrectionLine(acc.CASH, funds["POCA"], "C", "2180.00", narrative="Not POCA money")],
    )
    correcting_journal_approve(journal=journal, by=officer2, note="Checked against the October bank statement")
