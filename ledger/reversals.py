"""Reversing a posted document: the one sequence every ``<thing>_reverse`` service ends with.

A document (award letter, receipt, return, payment, clawback, ...) is never edited or deleted. Reversing it posts
the mirror image of its entry in an open period (today by default), pointing back at the original entry (and the
document points at it); marks the document reversed with the reason; and records the business event. The
document stays visible, and every figure that depends on it (what a letter still has to receive, what an
instalment still has to pay, which month a fixed penalty return covers) stops counting it, because those figures
read only documents that stand (``reversal`` empty).

The service that calls ``document_reverse`` first locks what depends on the document and refuses, with what to do
instead, when a later document relies on it. This module refuses the rest, writing nothing: no reason; reversed
already; a document counting in a year that has been through year end (its figures are final); a reversal dated
after today or before the document; a closed period; a fund that would go below zero.
"""

from datetime import date as Date
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.audit import record_event, save_with_history
from core.roles import FINANCE_OFFICERS, require_role
from ledger.models import JournalEntry, JournalLine, Reversible
from ledger.posting import entry_reverse


def reversal_refusal(document: Reversible, *, what: str, of_year_end: bool = False) -> str | None:
    """Why ``document`` cannot be reversed whatever the dependants say, or None. Pages ask it before offering the
    Reverse button; ``document_reverse`` raises it. ``of_year_end`` is for the documents that only exist after a
    year end and count in the ended year (a repayment of unspent grant to the funder): they may be reversed."""
    if document.is_reversed:
        entry = JournalEntry.objects.only("year", "number", "date").select_related("year").get(pk=document.reversal_id)
        return (f"This {what} was reversed already, by entry {entry.reference} on {entry.date:%d/%m/%Y}; a document "
                "is reversed once. Record a new one if the money needs to be counted again.")
    entry = document.entry
    if of_year_end:
        return None
    ended = (JournalLine.objects.filter(entry_id=entry.pk, funding_year__year_end_at__isnull=False)
             .select_related("fund", "funding_year").order_by("funding_year__start_year", "id").first())
    if ended is not None:
        return (f"This {what} counts against {ended.fund.code} {ended.funding_year.label}, which has been through "
                "year end: its figures are final, so it is not reversed. Record the correction in an open year "
                "instead (a clawback when a provider returns money paid twice; a correcting journal for income).")
    return None


def document_reverse(document: Reversible, *, what: str, reason: str, by, on: Date | None = None,
                     of_year_end: bool = False) -> JournalEntry:
    """Reverse ``document`` (already locked and checked by the calling service) and mark it reversed. Must run
    inside the caller's transaction."""
    require_role(by, FINANCE_OFFICERS, doing=f"reverse a {what}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why the {what} is being reversed; the reason is kept with it."})
    refusal = reversal_refusal(document, what=what, of_year_end=of_year_end)
    if refusal:
        raise ValidationError(refusal)
    today = timezone.localdate()
    on = on or today
    if not isinstance(on, Date) or isinstance(on, datetime):
        raise ValidationError({"on": f"Give the date of the reversal as a day, e.g. {today:%d/%m/%Y}."})
    if on > today:
        raise ValidationError({"on": f"{on:%d/%m/%Y} is after today: a reversal is dated no later than today "
                                     f"({today:%d/%m/%Y})."})
    original = document.entry
    if on < original.date:
        raise ValidationError(
            {"on": f"The {what} is dated {original.date:%d/%m/%Y}; its reversal cannot be dated before it "
                   f"({on:%d/%m/%Y})."}
        )
    # The reversing entry keeps the original's source where it names one (a payment's entry names its grant, and
    # statements read a grant's money by that source), else it names the document.
    entry = entry_reverse(entry=original, date=on, by=by, reason=reason,
                          source=None if original.source_id else document, document=document)
    document.reversal = entry
    document.reversal_reason = reason
    save_with_history(document, by=by, reason=f"Reversed: {reason}", clean=False)
    record_event(f"{document._meta.label_lower}.reversed", by=by, obj=document, reason=reason,
                 summary=f"{document} reversed by entry {entry.reference} (reversing {original.reference})",
                 data={"entry": entry.reference, "reverses": original.reference})
    return entry
