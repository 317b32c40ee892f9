"""Recording income, paying HM Treasury its share of fines, and reversing either. Every service validates, writes
the document and posts it through the ledger in one transaction; a refusal writes nothing. Which funds take each
kind of income, when it may be dated and which award letter a receipt settles are defined once, in
``income.kinds``; every service here enforces that definition.

A document is corrected by reversing it (``<thing>_reverse``): the service locks the document (and what it settles),
refuses while a later document relies on it (``reversal_dependants``), and ends with
``ledger.reversals.document_reverse``. Only documents that stand count: a reversed receipt no longer counts against
its letter, a reversed month's return can be recorded again, and a reversed document's reference can be reused.

Many documents in one transaction (the import) are recorded inside ``income_batch``, which reads once what every
document would otherwise read again: which references are in use, and the period of each date.
"""

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from core.audit import attribution_deferred, fields_validate, record_event, save_with_history
from core.locking import lock
from core.money import ZERO, format_gbp, gbp, parse_amount, parse_figure, quantize
from core.refusals import Refusals
from core.roles import FINANCE_OFFICERS, require_role
from funds.models import FinancialYear, Fund, Period
from income import kinds
from income.kinds import award_outstanding, income_date_check, income_fund_check, receipt_award_letter
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt, TreasuryPayOver
from income.selectors import treasury_owed
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, open_period_for, posting_batch
from ledger.reversals import document_reverse, reversal_refusal

INCOME_MODELS = tuple(kind.model for kind in kinds.INCOME_KINDS.values())
# Every document with a reference of its own: references are unique across them (among those that stand).
DOCUMENT_MODELS = (*INCOME_MODELS, TreasuryPayOver)


def _require_officer(by):
    require_role(by, FINANCE_OFFICERS, doing="record income")


def _clean_reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": "Give the document's reference, e.g. the award letter number."})
    if len(reference) > 60:
        raise ValidationError({"reference": "A reference is at most 60 characters."})
    return reference


def reference_in_use(reference: str) -> bool:
    """Whether a document that stands holds ``reference`` (a reversed document's reference may be used again)."""
    batch = _batch.get()
    if batch is not None and reference in batch.read:
        return reference in batch.standing
    return any(model.objects.standing().filter(reference=reference).exists() for model in DOCUMENT_MODELS)


def unique_reference(reference: str) -> str:
    reference = _clean_reference(reference)
    if reference_in_use(reference):
        raise ValidationError({"reference": f"Reference '{reference}' has already been recorded."})
    return reference


# ---- Many documents in one transaction ----------------------------------------------------------------------------

# References read per query: well under SQLite's limit on the parameters of one statement.
REFERENCES_PER_QUERY = 500


@dataclass
class _Batch:
    read: set[str]  # the references whose standing documents have been read
    standing: dict[str, object]  # reference -> the standing document holding it, for those read
    periods: dict[Date, Period]  # date -> its open period


_batch: ContextVar[_Batch | None] = ContextVar("income_batch", default=None)
# Read with a standing document: what the importer compares a row with, and names (the letter a receipt settles).
_RELATED = {CashReceipt: ("award_letter__year",), FpnReturn: ("period",)}


@contextmanager
def income_batch(references: Iterable[str]) -> Iterator[dict[str, object]]:
    """Record many documents in one transaction (the import) without each one reading again what the others read.

    The block runs in ``ledger.posting.posting_batch``: every fund is locked for its length, so no other transaction
    can record or reverse a document meanwhile (every posting waits for its fund's lock), and what is read once
    stays true until the block ends:

    - the standing documents holding any of ``references`` are read at the start (one query per kind of document
      for every ``REFERENCES_PER_QUERY`` references), and kept up to date as the services record and reverse
      documents in the block; ``reference_in_use`` answers for those references from them, without a query;
    - ``open_period`` reads the period of each date once; a closed period is never kept, so it is refused every
      time, in the same words, and the posting reads the period again under its own lock in any case;
    - a document's fields are checked without a query (``core.audit.fields_validate``) before it is posted: the
      service has checked the reference here, its fund is locked, its entry is posted just before it is saved,
      and the database enforces the constraints as ever; so a service refuses before its first write or inside
      the posting (which undoes itself), and runs without a savepoint of its own (``_recording``);
    - their history rows and events are written in bulk when the block ends (``core.audit.attribution_deferred``):
      a block that ends in an error writes none of them, and a caller must not undo one document on its own (to a
      savepoint of its own) and still end the block well; the services never do, as each saves its document last.

    Yields the standing documents of ``references``, by reference (the importer reports a row already imported
    from them); the services keep it up to date."""
    outer = _batch.get()
    with transaction.atomic(), posting_batch(), attribution_deferred():
        if outer is not None:  # within a batch already: read what it has not, and share it
            _read_standing(outer, references)
            yield outer.standing
            return
        batch = _Batch(read=set(), standing={}, periods={})
        _read_standing(batch, references)
        token = _batch.set(batch)
        try:
            yield batch.standing
        finally:
            _batch.reset(token)


def _read_standing(batch: _Batch, references: Iterable[str]) -> None:
    """Read the standing documents of ``references`` not read yet. Of two kinds holding one reference (which only a
    path round the services could leave), the income kind in ``DOCUMENT_MODELS`` order is kept, as the importer has
    always reported it."""
    wanted = sorted({reference for reference in references if reference} - batch.read)
    for start in range(0, len(wanted), REFERENCES_PER_QUERY):
        chunk = wanted[start:start + REFERENCES_PER_QUERY]
        for model in DOCUMENT_MODELS:
            documents = model.objects.standing().filter(reference__in=chunk).order_by("id")
            for document in documents.select_related("fund", *_RELATED.get(model, ())):
                batch.standing.setdefault(document.reference, document)
    batch.read.update(wanted)


def _batch_recorded(document) -> None:
    batch = _batch.get()
    if batch is not None:
        batch.read.add(document.reference)
        batch.standing[document.reference] = document


def _batch_reversed(document) -> None:
    batch = _batch.get()
    if batch is not None and batch.standing.get(document.reference) == document:
        del batch.standing[document.reference]


def open_period(day: Date) -> Period:
    """The open period holding ``day`` (``ledger.posting.open_period_for``), refused in its words when there is none
    or it is closed; inside ``income_batch``, an open period is read once per date."""
    batch = _batch.get()
    if batch is None or not isinstance(day, Date):
        return open_period_for(day)
    period = batch.periods.get(day)
    if period is None:
        period = batch.periods[day] = open_period_for(day)
    return period


# Under ARIS the Home Office keeps half of what is recovered; the agencies share the other half (DOMAIN.md 3).
ARIS_AGENCY_SHARE_MAX = Decimal("50")


def parse_percent(raw, *, field: str) -> Decimal:
    """An agency's share of a recovered sum, in %: more than 0, at most 50 (ARIS), three decimal places at most."""
    value = parse_figure(raw, field=field, places=3, example="18.75")
    if value <= 0 or value > ARIS_AGENCY_SHARE_MAX:
        raise ValidationError({field: f"An agency's share must be more than 0% and at most "
                                      f"{ARIS_AGENCY_SHARE_MAX}% (under ARIS the Home Office keeps half of what is "
                                      f"recovered); {value}% was given, for example 18.75."})
    return value


def parse_count(raw, *, field: str, what: str) -> int:
    """A number of tickets or courses: a whole number, 0 or more."""
    return int(parse_figure(raw, field=field, places=0, maximum=10_000_000, example="1380",
                            kind=f"a whole number of {what}"))


def _recording(service):
    """``transaction.atomic`` for a service that records a document, except inside ``income_batch``: there the
    batch's transaction holds the service's writes, and every refusal comes before the service's first write or
    from inside the posting, which is atomic and undoes itself (``_post_and_save``). So the service needs no
    savepoint of its own there: two round trips a document fewer."""
    atomic = transaction.atomic(service)

    @functools.wraps(service)
    def record(*args, **kwargs):
        if _batch.get() is None:
            return atomic(*args, **kwargs)
        return service(*args, **kwargs)

    return record


def _post_and_save(document, *, date, description: str, legs, by, reason: str, event: str, summary: str):
    """The sequence every income service ends with: post the document's entry, save the document pointing at it
    (history with who and why), and record the business event, all inside the caller's transaction. Inside
    ``income_batch`` the document's fields are checked first, so nothing is refused once the entry is posted."""
    in_batch = _batch.get() is not None
    if in_batch:
        fields_validate(document)
    document.entry = entry_post(
        date=date,
        description=description,
        by=by,
        source_type=document._meta.label_lower,
        source_reference=document.reference,
        legs=legs,
    )
    save_with_history(document, by=by, reason=reason, clean=not in_batch)
    record_event(event, by=by, obj=document, summary=summary)
    _batch_recorded(document)
    return document


@_recording
def award_letter_record(
    *,
    fund: Fund,
    year: FinancialYear,
    reference: str,
    letter_date: Date,
    amount,
    by,
    description: str = "",
    today: Date | None = None,
) -> AwardLetter:
    _require_officer(by)
    refusals = Refusals()  # every field at fault is reported at once
    refusals.check("fund", income_fund_check, kind=kinds.AWARD, fund=fund)
    if FinancialYear.objects.filter(pk=year.pk, year_end_at__isnull=False).exists():
        refusals.add("year", f"{year.label} has been through year end: its figures are final, so no award letter can "
                             "be added to it. Record the letter for the year it funds.")
    value = refusals.check("amount", parse_amount, amount)
    reference = refusals.check("reference", unique_reference, reference)
    refusals.check("letter_date", income_date_check, kind=kinds.AWARD, day=letter_date, today=today)
    refusals.raise_any()
    open_period(letter_date)
    letter = AwardLetter(
        fund=fund,
        year=year,
        reference=reference,
        letter_date=letter_date,
        amount=gbp(value),
        recorded_by=by,
        description=description,
    )
    return _post_and_save(
        letter,
        date=letter_date,
        description=f"Award letter {reference}: {fund.code} {year.label}",
        legs=[Leg(acc.AWARDS_RECEIVABLE, fund, DEBIT, value, year), Leg(acc.GRANT_INCOME, fund, CREDIT, value, year)],
        by=by,
        reason="Award letter recorded",
        event="income.award_recorded",
        summary=f"{letter}: {format_gbp(value)}",
    )


@_recording
def receipt_record(
    *,
    fund: Fund,
    reference: str,
    date: Date,
    amount,
    by,
    award_letter: AwardLetter | None = None,
    description: str = "",
    today: Date | None = None,
) -> CashReceipt:
    """Cash received. On an award-based fund it settles what the funder owes on an award letter: the one named,
    else the fund's letter for the financial year of ``date`` (``income.kinds.receipt_award_letter``); for a
    receipts-based fund it is income that raises the spending limit."""
    _require_officer(by)
    refusals = Refusals()  # every field at fault is reported at once
    refusals.check("fund", income_fund_check, kind=kinds.RECEIPT, fund=fund)
    value = refusals.check("amount", parse_amount, amount)
    reference = refusals.check("reference", unique_reference, reference)
    refusals.check("date", income_date_check, kind=kinds.RECEIPT, day=date, today=today)
    if not refusals.refused("fund", "date"):
        award_letter = refusals.check("award_letter", receipt_award_letter, fund=fund, day=date,
                                      award_letter=award_letter)
    if award_letter is not None and not refusals.refused("fund", "date", "award_letter"):
        # Under the letter's lock (which its reversal takes too): is it still standing, and what is outstanding?
        award_letter.reversal_id = (AwardLetter.objects.select_for_update().filter(pk=award_letter.pk)
                                    .values_list("reversal_id", flat=True).first())
        if award_letter.is_reversed:  # refused in receipt_award_letter's words
            refusals.check("award_letter", receipt_award_letter, fund=fund, day=date, award_letter=award_letter)
        elif value is not None and value > (outstanding := award_outstanding(award_letter)):
            refusals.add("amount", f"Only {format_gbp(outstanding)} of award letter {award_letter.reference} is still "
                                   f"to be received; {format_gbp(value)} is more than that.")
    refusals.raise_any()
    if award_letter is not None:
        legs = [
            Leg(acc.CASH, fund, DEBIT, value, award_letter.year),
            Leg(acc.AWARDS_RECEIVABLE, fund, CREDIT, value, award_letter.year),
        ]
    else:
        legs = [Leg(acc.CASH, fund, DEBIT, value), Leg(acc.OTHER_INCOME, fund, CREDIT, value)]
    open_period(date)
    receipt = CashReceipt(
        fund=fund,
        reference=reference,
        date=date,
        amount=gbp(value),
        award_letter=award_letter,
        recorded_by=by,
        description=description,
    )
    return _post_and_save(
        receipt,
        date=date,
        description=f"Cash received {reference} for {fund.code}",
        legs=legs,
        by=by,
        reason="Receipt recorded",
        event="income.receipt_recorded",
        summary=f"{receipt}: {format_gbp(value)}",
    )


def poca_share(gross: Decimal, percent: Decimal) -> Decimal:
    return quantize(gross * percent / Decimal(100))


@_recording
def poca_receipt_record(
    *,
    fund: Fund,
    reference: str,
    case_reference: str,
    date: Date,
    gross_recovered,
    agency_share_percent,
    by,
    description: str = "",
    today: Date | None = None,
) -> PocaReceipt:
    _require_officer(by)
    refusals = Refusals()  # every field at fault is reported at once
    refusals.check("fund", income_fund_check, kind=kinds.POCA, fund=fund)
    gross = refusals.check("gross_recovered", parse_amount, gross_recovered, field="gross_recovered")
    share = refusals.check("agency_share_percent", parse_percent, agency_share_percent, field="agency_share_percent")
    reference = refusals.check("reference", unique_reference, reference)
    case_reference = (case_reference or "").strip()
    if not case_reference:
        refusals.add("case_reference", "Give the court case reference of the confiscation order.")
    amount = poca_share(gross, share) if gross is not None and share is not None else None
    if amount is not None and amount <= 0:
        refusals.add("gross_recovered", f"{share}% of {format_gbp(gross)} rounds to nothing.")
    refusals.check("date", income_date_check, kind=kinds.POCA, day=date, today=today)
    refusals.raise_any()
    open_period(date)
    receipt = PocaReceipt(
        fund=fund,
        reference=reference,
        case_reference=case_reference,
        date=date,
        gross_recovered=gbp(gross),
        agency_share_percent=share,
        amount=gbp(amount),
        recorded_by=by,
        description=description,
    )
    return _post_and_save(
        receipt,
        date=date,
        description=f"Proceeds of crime {case_reference}: {share}% of {format_gbp(gross)}",
        legs=[Leg(acc.CASH, fund, DEBIT, amount), Leg(acc.POCA_INCOME, fund, CREDIT, amount)],
        by=by,
        reason="Proceeds of crime receipt recorded",
        event="income.poca_recorded",
        summary=f"{receipt}: {format_gbp(amount)}",
    )


@_recording
def fpn_return_record(
    *,
    fund: Fund,
    reference: str,
    month_start: Date,
    tickets: int,
    gross_value,
    by,
    description: str = "",
    today: Date | None = None,
) -> FpnReturn:
    """A month's fixed penalties. The fund keeps its retained share (rounded to pence); the rest is owed to HM
    Treasury. The share is copied onto the return, so a later change of rate does not rewrite history."""
    _require_officer(by)
    refusals = Refusals()  # every field at fault is reported at once
    refusals.check("fund", income_fund_check, kind=kinds.FPN, fund=fund)
    gross = refusals.check("gross_value", parse_amount, gross_value, field="gross_value")
    tickets = refusals.check("tickets", parse_count, tickets, field="tickets", what="tickets")
    reference = refusals.check("reference", unique_reference, reference)
    refusals.check("month_start", income_date_check, kind=kinds.FPN, day=month_start, today=today)
    refusals.raise_any()
    period = open_period(month_start)
    if FpnReturn.objects.standing().filter(fund=fund, period=period).exists():
        raise ValidationError({"month_start": f"{fund.code} already has a fixed penalty return for {period}."})
    share = Decimal(fund.retained_share_percent)
    retained = quantize(gross * share / Decimal(100))
    treasury = gross - retained
    legs = [Leg(acc.CASH, fund, DEBIT, gross)]
    if retained:
        legs.append(Leg(acc.FPN_INCOME, fund, CREDIT, retained))
    if treasury:
        legs.append(Leg(acc.TREASURY_CREDITOR, fund, CREDIT, treasury))
    fpn = FpnReturn(
        fund=fund,
        reference=reference,
        period=period,
        tickets=tickets,
        gross_value=gbp(gross),
        retained_share_percent=share,
        retained=gbp(retained),
        owed_to_treasury=gbp(treasury),
        recorded_by=by,
        description=description,
    )
    return _post_and_save(
        fpn,
        date=month_start,
        description=f"Fixed penalties {period}: {tickets} tickets, {share}% retained",
        legs=legs,
        by=by,
        reason="Fixed penalty return recorded",
        event="income.fpn_recorded",
        summary=f"{fpn}: {format_gbp(retained)} retained",
    )


@_recording
def fee_receipt_record(
    *,
    fund: Fund,
    reference: str,
    date: Date,
    amount,
    by,
    courses: int = 0,
    description: str = "",
    today: Date | None = None,
) -> FeeReceipt:
    _require_officer(by)
    refusals = Refusals()  # every field at fault is reported at once
    refusals.check("fund", income_fund_check, kind=kinds.FEE, fund=fund)
    value = refusals.check("amount", parse_amount, amount)
    courses = refusals.check("courses", parse_count, courses or 0, field="courses", what="courses")
    reference = refusals.check("reference", unique_reference, reference)
    refusals.check("date", income_date_check, kind=kinds.FEE, day=date, today=today)
    refusals.raise_any()
    open_period(date)
    fee = FeeReceipt(
        fund=fund,
        reference=reference,
        date=date,
        amount=gbp(value),
        courses=courses,
        recorded_by=by,
        description=description,
    )
    return _post_and_save(
        fee,
        date=date,
        description=f"Course fees {reference}",
        legs=[Leg(acc.CASH, fund, DEBIT, value), Leg(acc.FEE_INCOME, fund, CREDIT, value)],
        by=by,
        reason="Course fees recorded",
        event="income.fee_recorded",
        summary=f"{fee}: {format_gbp(value)}",
    )


# ---- Paying HM Treasury its share of fines --------------------------------------------------------------------

PAYOVER = "pay-over to HM Treasury"


@_recording
def treasury_payover_record(
    *,
    fund: Fund,
    reference: str,
    date: Date,
    amount,
    by,
    description: str = "",
    today: Date | None = None,
) -> TreasuryPayOver:
    """Money paid over to HM Treasury from a fixed penalty fund (Dr Treasury creditor, Cr cash): at most what the
    fund owes it (``income.selectors.treasury_owed``), read under the fund's lock."""
    require_role(by, FINANCE_OFFICERS, doing="record pay-overs to HM Treasury")
    refusals = Refusals()  # every field at fault is reported at once
    if fund.income_kind != Fund.IncomeKind.FPN:
        refusals.add("fund", f"{fund.code} is not a fixed penalty fund, so it owes HM Treasury no share of fines. "
                             "Record the pay-over on the fixed penalty fund whose returns owe the money.")
    value = refusals.check("amount", parse_amount, amount)
    reference = refusals.check("reference", unique_reference, reference)
    today = today or kinds.income_today()
    if date > today:
        refusals.add("date", f"{date:%d/%m/%Y} is after today ({today:%d/%m/%Y}): a pay-over is recorded once the "
                             f"money has been paid, so give a date no later than {today:%d/%m/%Y}.")
    refusals.raise_any()
    open_period(date)
    lock(Fund.objects.filter(pk=fund.pk))
    owed = treasury_owed(fund)
    if value > owed:
        raise ValidationError(
            {"amount": f"{fund.code} owes HM Treasury {format_gbp(owed)} from its fixed penalty returns; a pay-over "
                       f"of {format_gbp(value)} is {format_gbp(value - owed)} more than that. Pay over at most "
                       f"{format_gbp(owed)}."}
        )
    payover = TreasuryPayOver(
        fund=fund, reference=reference, date=date, amount=gbp(value), recorded_by=by, description=description
    )
    return _post_and_save(
        payover,
        date=date,
        description=f"Paid over to HM Treasury {reference}: {fund.code} share of fines",
        legs=[Leg(acc.TREASURY_CREDITOR, fund, DEBIT, value), Leg(acc.CASH, fund, CREDIT, value)],
        by=by,
        reason="Pay-over to HM Treasury recorded",
        event="income.treasury_payover_recorded",
        summary=f"{payover}: {format_gbp(value)}",
    )


# ---- Reversing a document ---------------------------------------------------------------------------------------

DOCUMENT_NAMES = {**{kind.model: kind.name for kind in kinds.INCOME_KINDS.values()}, TreasuryPayOver: PAYOVER}


def document_name(document) -> str:
    """What the pages and refusals call ``document``: 'award letter', 'pay-over to HM Treasury', ..."""
    return DOCUMENT_NAMES[type(document)]


def _a(what: str) -> str:
    return f"{'an' if what[0] in 'aeiou' else 'a'} {what}"


def reversal_dependants(document) -> str | None:
    """Why a later document stops ``document`` being reversed, and what to do instead; or None."""
    if isinstance(document, AwardLetter):
        received = CashReceipt.objects.standing().filter(award_letter=document).aggregate(
            n=Count("id"), total=Sum("amount")
        )
        if received["n"]:
            n, total = received["n"], format_gbp(quantize(received["total"] or ZERO))
            those = f"{n} receipts totalling {total} have" if n > 1 else f"1 receipt of {total} has"
            return (f"Award letter {document.reference} cannot be reversed: {those} been recorded against it; reverse "
                    f"{'those' if n > 1 else 'it'} first.")
    if isinstance(document, FpnReturn):
        share = document.owed_to_treasury.amount
        owed = treasury_owed(document.fund)
        if share > owed:
            return (f"Fixed penalty return {document.reference} cannot be reversed: {format_gbp(share)} of it is owed "
                    f"to HM Treasury, but {document.fund.code} now owes HM Treasury only {format_gbp(owed)}, the rest "
                    f"having been paid over. Reverse pay-overs of at least {format_gbp(share - owed)} first.")
    return None


def income_reversal_refusal(document) -> str | None:
    """Why ``document`` cannot be reversed now, or None: what a page asks before offering the Reverse form."""
    return reversal_refusal(document, what=document_name(document)) or reversal_dependants(document)


def _reverse(model, document, *, reason: str, by, on: Date | None, first=()):
    """The sequence every ``<thing>_reverse`` below follows: role; lock what the document settles (``first``), the
    document and its fund, in that order; refuse while it is reversed already or a later document relies on it;
    then ``document_reverse``. A reversal that would leave the fund below zero is refused naming the document and
    the shortfall. Returns the document as locked, now marked reversed (``document.reversal`` is the entry)."""
    what = DOCUMENT_NAMES[model]
    require_role(by, FINANCE_OFFICERS, doing=f"reverse {_a(what)}")
    for queryset in first:
        lock(queryset)
    document = lock(model.objects.filter(pk=document.pk))[0]
    fund = lock(Fund.objects.filter(pk=document.fund_id))[0]
    refusal = income_reversal_refusal(document)
    if refusal:
        raise ValidationError(refusal)
    today = kinds.income_today()
    on = on or today
    if isinstance(on, Date) and on > today:
        raise ValidationError(
            {"on": f"{on:%d/%m/%Y} is after today ({today:%d/%m/%Y}): a reversal is dated no later than today."}
        )
    try:
        document_reverse(document, what=what, reason=reason, by=by, on=on)
    except ValidationError as error:
        shortfall = next((m for m in error.messages if m.startswith("Not enough money available")), None)
        if shortfall is None:
            raise
        raise ValidationError(
            f"{what[0].upper()}{what[1:]} {document.reference} cannot be reversed: it would take {fund.code} below "
            f"zero. {shortfall} Record the correct {what} first, or release what is committed from {fund.code}, "
            "then reverse this one."
        ) from error
    _batch_reversed(document)
    return document


@transaction.atomic
def award_letter_reverse(*, award_letter: AwardLetter, reason: str, by, on: Date | None = None) -> AwardLetter:
    """Reverse an award letter while nothing is received on it: the fund's spending limit for the year falls by
    its amount (refused if what is committed or spent would then exceed it)."""
    return _reverse(AwardLetter, award_letter, reason=reason, by=by, on=on)


@transaction.atomic
def receipt_reverse(*, receipt: CashReceipt, reason: str, by, on: Date | None = None) -> CashReceipt:
    """Reverse a cash receipt: against an award letter, the letter is owed that much again (re-record the right
    amount); on a receipts-based fund, the spending limit falls by it."""
    letters = [AwardLetter.objects.filter(pk=receipt.award_letter_id)] if receipt.award_letter_id else []
    return _reverse(CashReceipt, receipt, reason=reason, by=by, on=on, first=letters)


@transaction.atomic
def poca_receipt_reverse(*, receipt: PocaReceipt, reason: str, by, on: Date | None = None) -> PocaReceipt:
    """Reverse a proceeds of crime receipt: the fund's spending limit falls by the share received."""
    return _reverse(PocaReceipt, receipt, reason=reason, by=by, on=on)


@transaction.atomic
def fpn_return_reverse(*, fpn_return: FpnReturn, reason: str, by, on: Date | None = None) -> FpnReturn:
    """Reverse a month's fixed penalty return: the retained share leaves the fund, HM Treasury's share is no longer
    owed (refused while it has been paid over), and the month can be recorded again."""
    return _reverse(FpnReturn, fpn_return, reason=reason, by=by, on=on)


@transaction.atomic
def fee_receipt_reverse(*, receipt: FeeReceipt, reason: str, by, on: Date | None = None) -> FeeReceipt:
    """Reverse a course fee receipt: the fund's spending limit falls by it."""
    return _reverse(FeeReceipt, receipt, reason=reason, by=by, on=on)


@transaction.atomic
def treasury_payover_reverse(*, payover: TreasuryPayOver, reason: str, by, on: Date | None = None) -> TreasuryPayOver:
    """Reverse a pay-over to HM Treasury: the fund owes HM Treasury that much again."""
    return _reverse(TreasuryPayOver, payover, reason=reason, by=by, on=on)


def income_confirmation(document) -> str:
    """What a person is told once a document is recorded (the page's message; the importer says the same of a
    receipt's letter)."""
    text = f"{document} recorded and posted as journal entry {document.entry.reference}."
    letter = getattr(document, "award_letter", None)
    if letter is not None:
        text += f" It {kinds.settles_text(letter)}."
    return text
