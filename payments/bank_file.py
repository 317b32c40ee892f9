"""The payment file: what the bank is asked to pay for an authorised run, as CSV.

Layout (documented in the README, "Payment runs"): a header row ``Payee,Sort code,Account number,Amount (pence),
Payment reference,Run reference``; one row per payment still in the run (the payee is the name on the bank
account, the sort code six digits, the account number eight, the amount whole pence), sorted by payee, sort code,
account number, reference, amount; then the trailer ``TRAILER,,,<control total in pence>,<count>,<run reference>``.
UTF-8 without a byte-order mark, rows ending CRLF, no timestamps: the same run gives the same bytes every time.

The bank details are the ones frozen into the run at authorisation. This file is the one place full sort codes and
account numbers are written out; pages show them masked.

The SHA-256 of the file is kept on the run when first exported; an export after the run changed (a payee taken
out) replaces it, and the run's history keeps the earlier one.
"""

import csv
import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.locking import lock
from core.money import to_pence
from core.roles import OFFICERS_AND_DIRECTORS, require_role
from payments.models import PaymentRun
from payments.runs import changed_details_refusal, run_items

HEADER = ["Payee", "Sort code", "Account number", "Amount (pence)", "Payment reference", "Run reference"]
TRAILER = "TRAILER"


def _rows(run: PaymentRun, items) -> list[list[str]]:
    rows = []
    for item in items:
        bank = item.bank_details
        rows.append([bank.account_name, bank.sort_code.replace("-", ""), bank.account_number,
                     str(to_pence(item.amount.amount)), item.payment_reference, run.reference])
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[4], int(r[3])))


def payment_file_bytes(run: PaymentRun, items) -> bytes:
    """The file's bytes for these items (no checks, nothing stored)."""
    rows = _rows(run, items)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    writer.writerow([TRAILER, "", "", str(sum(int(r[3]) for r in rows)), str(len(rows)), run.reference])
    return out.getvalue().encode("utf-8")


@transaction.atomic
def payment_file(run: PaymentRun, *, by=None) -> bytes:
    """The payment file of an authorised (or already paid) run. Refused for a run not authorised, and for an
    authorised run where a payee's bank details changed after authorisation (take them out first)."""
    if by is not None:
        require_role(by, OFFICERS_AND_DIRECTORS, doing="export payment files")
    run = lock(PaymentRun.objects.filter(pk=run.pk))[0]
    if run.status not in (PaymentRun.Status.AUTHORISED, PaymentRun.Status.PAID):
        raise ValidationError(
            f"{run.reference} is {run.get_status_display().lower()}; a payment file is made only for an authorised "
            "run (someone other than its preparer, within their delegated limit, authorises it first)."
        )
    items = run_items(run)
    if not items:
        raise ValidationError(f"Every payee has been taken out of {run.reference}; there is nothing to send to the "
                              "bank. Cancel the run.")
    if run.status == PaymentRun.Status.AUTHORISED:
        refusal = changed_details_refusal(items, doing="sent to the bank")
        if refusal:
            raise ValidationError(refusal)
    content = payment_file_bytes(run, items)
    digest = hashlib.sha256(content).hexdigest()
    if digest != run.file_sha256:
        earlier = run.file_sha256
        run.file_sha256 = digest
        reason = "Payment file exported" if not earlier else "Payment file changed since the last export"
        save_with_history(run, by=by, reason=reason, clean=False)
        record_event("payments.file_exported", by=by, obj=run,
                     summary=f"{run.reference} payment file{' changed' if earlier else ''}: {len(items)} payments, "
                             f"SHA-256 {digest}", data={"sha256": digest, "previous": earlier, "count": len(items)})
    return content
