"""Recording income. Every service validates, writes the document and posts it through the ledger in one
transaction; a refusal writes nothing. Which funds take each kind of income, when it may be dated and which award
letter a receipt settles are defined once, in ``income.kinds``; every service here enforces that definition."""

from datetime import date as Date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.money import format_gbp, gbp, parse_amount, parse_figure, quantize
from core.roles import FINANCE_OFFICERS, require_role
from funds.models import FinancialYear, Fund
from income import kinds
from income.kinds import award_outstanding, income_date_check, income_fund_check, receipt_award_letter
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, open_period_for

INCOME_MODELS = tuple(kind.model for kind in kinds.INCOME_KINDS.values())


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
    return any(model.objects.filter(reference=reference).exists() for model in INCOME_MODELS)


def _unique_reference(reference: str) -> str:
    reference = _clean_reference(reference)
    if reference_in_use(reference):
        raise ValidationError({"reference": f"Reference '{reference}' has already been recorded."})
    return reference


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


def _post_and_save(document, *, date, description: str, legs, by, reason: str, event: str, summary: str):
    """The sequence every income service ends with: post the document's entry, save the document pointing at it
    (history with who and why), and record the business event, all inside the caller's transaction."""
    document.entry = entry_post(
        date=date,
        description=description,
        by=by,
        source_type=document._meta.label_lower,
        source_reference=document.reference,
        legs=legs,
    )
    save_with_history(document, by=by, reason=reason)
    record_event(event, by=by, obj=document, summary=summary)
    return document


@transaction.atomic
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
    income_fund_check(kind=kinds.AWARD, fund=fund)
    value = parse_amount(amount)
    reference = _unique_reference(reference)
    income_date_check(kind=kinds.AWARD, day=letter_date, today=today)
    open_period_for(letter_date)
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


@transaction.atomic
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
    income_fund_check(kind=kinds.RECEIPT, fund=fund)
    value = parse_amount(amount)
    reference = _unique_reference(reference)
    income_date_check(kind=kinds.RECEIPT, day=date, today=today)
    award_letter = receipt_award_letter(fund=fund, day=date, award_letter=award_letter)
    if award_letter is not None:
        AwardLetter.objects.select_for_update().filter(pk=award_letter.pk).first()
        outstanding = award_outstanding(award_letter)
        if value > outstanding:
            raise ValidationError(
                {
                    "amount": f"Only {format_gbp(outstanding)} of award letter {award_letter.reference} is still to be "
                    f"received; {format_gbp(value)} is more than that."
                }
            )
        legs = [
            Leg(acc.CASH, fund, DEBIT, value, award_letter.year),
            Leg(acc.AWARDS_RECEIVABLE, fund, CREDIT, value, award_letter.year),
        ]
    else:
        legs = [Leg(acc.CASH, fund, DEBIT, value), Leg(acc.OTHER_INCOME, fund, CREDIT, value)]
    open_period_for(date)
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


@transaction.atomic
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
    income_fund_check(kind=kinds.POCA, fund=fund)
    gross = parse_amount(gross_recovered, field="gross_recovered")
    share = parse_percent(agency_share_percent, field="agency_share_percent")
    reference = _unique_reference(reference)
    case_reference = (case_reference or "").strip()
    if not case_reference:
        raise ValidationError({"case_reference": "Give the court case reference of the confiscation order."})
    amount = poca_share(gross, share)
    if amount <= 0:
        raise ValidationError({"gross_recovered": f"{share}% of {format_gbp(gross)} rounds to nothing."})
    income_date_check(kind=kinds.POCA, day=date, today=today)
    open_period_for(date)
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


@transaction.atomic
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
    income_fund_check(kind=kinds.FPN, fund=fund)
    gross = parse_amount(gross_value, field="gross_value")
    tickets = parse_count(tickets, field="tickets", what="tickets")
    reference = _unique_reference(reference)
    income_date_check(kind=kinds.FPN, day=month_start, today=today)
    period = open_period_for(month_start)
    if FpnReturn.objects.filter(fund=fund, period=period).exists():
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


@transaction.atomic
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
    income_fund_check(kind=kinds.FEE, fund=fund)
    value = parse_amount(amount)
    courses = parse_count(courses or 0, field="courses", what="courses")
    reference = _unique_reference(reference)
    income_date_check(kind=kinds.FEE, day=date, today=today)
    open_period_for(date)
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


def income_confirmation(document) -> str:
    """What a person is told once a document is recorded (the page's message; the importer says the same of a
    receipt's letter)."""
    text = f"{document} recorded and posted as journal entry {document.entry.reference}."
    letter = getattr(document, "award_letter", None)
    if letter is not None:
        text += f" It {kinds.settles_text(letter)}."
    return text
