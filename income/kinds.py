"""The one definition of each kind of income: which funds take it, when it may be dated, which year it belongs to.

Every path that records income asks this module and nothing else: the services (``income.services``) enforce it,
the pages offer the funds ``funds_taking`` lists and refuse with ``income_fund_check``'s words, and the importer
(``income.importing``) checks each row with the same functions, so a refusal reads the same everywhere.

=========  ===============================  ========================================================================
kind       funds that take it               date and year
=========  ===============================  ========================================================================
award      award-based funds                dated no later than today; for the year the letter names
receipt    grant and other-receipts funds   dated no later than today; on an award-based fund it settles the award
           (never POCA, FPN or fee funds:   letter of the financial year of its date, unless another letter of the
           they have their own documents)   same fund is named
poca       proceeds of crime funds          dated no later than today; the year of its date
fpn        fixed penalty funds              for a month that has ended (its last day is before today)
fee        course fee funds                 dated no later than today; the year of its date
=========  ===============================  ========================================================================

Only active funds take income of any kind.
"""

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from core.money import ZERO, quantize
from funds.calendar import year_for_date
from funds.models import FinancialYear, Fund
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt


@dataclass(frozen=True)
class IncomeKind:
    code: str  # the import file's ``kind`` column
    model: type  # the document it records
    name: str  # "cash receipt"
    plural: str  # "cash receipts"
    date_field: str  # what the service calls the document's date
    limit_bases: tuple[str, ...] = ()  # empty: any spending-limit basis
    fund_kinds: tuple[str, ...] = ()  # empty: any kind of fund income
    whole_month: bool = False  # a return for a calendar month, recorded once the month has ended

    def fund_filter(self) -> Q:
        query = Q(is_active=True)
        if self.limit_bases:
            query &= Q(limit_basis__in=self.limit_bases)
        if self.fund_kinds:
            query &= Q(income_kind__in=self.fund_kinds)
        return query

    def takes(self, fund: Fund) -> bool:
        """Whether ``fund`` takes this kind of income, active or not (``income_fund_check`` adds that)."""
        return (not self.limit_bases or fund.limit_basis in self.limit_bases) and (
            not self.fund_kinds or fund.income_kind in self.fund_kinds
        )


AWARD = IncomeKind(
    code="award", model=AwardLetter, name="award letter", plural="award letters", date_field="letter_date",
    limit_bases=(Fund.LimitBasis.AWARD,),
)
RECEIPT = IncomeKind(
    code="receipt", model=CashReceipt, name="cash receipt", plural="cash receipts", date_field="date",
    fund_kinds=(Fund.IncomeKind.GRANT, Fund.IncomeKind.OTHER),
)
POCA = IncomeKind(
    code="poca", model=PocaReceipt, name="proceeds of crime receipt", plural="proceeds of crime receipts",
    date_field="date", fund_kinds=(Fund.IncomeKind.POCA,),
)
FPN = IncomeKind(
    code="fpn", model=FpnReturn, name="fixed penalty return", plural="fixed penalty returns", date_field="month_start",
    fund_kinds=(Fund.IncomeKind.FPN,), whole_month=True,
)
FEE = IncomeKind(
    code="fee", model=FeeReceipt, name="course fee receipt", plural="course fee receipts", date_field="date",
    fund_kinds=(Fund.IncomeKind.FEES,),
)

INCOME_KINDS: dict[str, IncomeKind] = {kind.code: kind for kind in (AWARD, RECEIPT, POCA, FPN, FEE)}


def income_today() -> Date:
    """Today, for the date rules (tests pin it by passing ``today=`` or patching this function)."""
    return timezone.localdate()


def funds_taking(*, kind: IncomeKind) -> QuerySet:
    """The funds a page offers for ``kind``: active, and of a kind that takes it."""
    return Fund.objects.filter(kind.fund_filter()).order_by("code")


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def income_fund_check(*, kind: IncomeKind, fund: Fund) -> None:
    """Refuse (on ``fund``) a fund that is closed to new income or does not take ``kind``."""
    if not fund.is_active:
        raise ValidationError(
            {"fund": f"{fund.code} is no longer active, so it takes no new income. Record the {kind.name} on an "
                     "active fund."}
        )
    if not kind.takes(fund):
        right = [other.plural for other in INCOME_KINDS.values() if other.takes(fund)]
        raise ValidationError(
            {"fund": f"{fund.code} takes only {_and_list(right)}, not {kind.plural}."
                     + (f" Record this as {_article(right[0])} instead." if len(right) == 1 else "")}
        )


def _article(plural: str) -> str:
    one = next(k.name for k in INCOME_KINDS.values() if k.plural == plural)
    return f"{'an' if one[0] in 'aeiou' else 'a'} {one}"


def month_end(day: Date) -> Date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def income_date_check(*, kind: IncomeKind, day: Date, today: Date | None = None) -> None:
    """Refuse (on the kind's date field) income dated after today, and a monthly return for a month not yet over."""
    today = today or income_today()
    if kind.whole_month:
        last = month_end(day)
        if last >= today:
            raise ValidationError(
                {kind.date_field: f"{day:%B %Y} has not ended yet, so its {kind.name} cannot be recorded before "
                                  f"{last + timedelta(days=1):%d/%m/%Y}, the day after the month ends."}
            )
    elif day > today:
        raise ValidationError(
            {kind.date_field: f"{day:%d/%m/%Y} is after today ({today:%d/%m/%Y}): income is recorded once it has "
                              f"arrived, so give a date no later than {today:%d/%m/%Y}."}
        )


def award_outstanding(letter: AwardLetter) -> Decimal:
    """What is still to be received on an award letter: its amount less the receipts against it that stand (a
    reversed receipt no longer counts)."""
    received = CashReceipt.objects.standing().filter(award_letter=letter).aggregate(s=Sum("amount"))["s"] or ZERO
    return quantize(letter.amount.amount - quantize(received))


def receipt_award_letter(*, fund: Fund, day: Date, award_letter: AwardLetter | None = None) -> AwardLetter | None:
    """The award letter a cash receipt settles: the one named, which must be the fund's own; else, for an
    award-based fund, its letter for the financial year of ``day`` (of several, the earliest not yet fully
    received); else none (a receipts-based fund's receipt is income in its own right)."""
    if award_letter is not None:
        if award_letter.is_reversed:
            raise ValidationError(
                {"award_letter": f"Award letter {award_letter.reference} has been reversed, so nothing more is "
                                 f"received on it: name one of {fund.code}'s letters that stands, or leave it blank "
                                 f"to settle {fund.code}'s letter for the financial year of the receipt's date."}
            )
        if award_letter.fund_id != fund.pk:
            raise ValidationError(
                {"award_letter": f"Award letter {award_letter.reference} is for {award_letter.fund.code}, not "
                                 f"{fund.code}: name one of {fund.code}'s award letters, or leave it blank to settle "
                                 f"{fund.code}'s letter for the financial year of the receipt's date."}
            )
        return _dated_after_letter(award_letter, day)
    if fund.limit_basis != Fund.LimitBasis.AWARD:
        return None
    year = FinancialYear(start_year=year_for_date(day))
    letters = list(AwardLetter.objects.standing().filter(fund=fund, year__start_year=year.start_year)
                   .select_related("year").order_by("letter_date", "id"))
    if not letters:
        years = sorted({label for label in AwardLetter.objects.standing().filter(fund=fund).values_list(
            "year__start_year", flat=True)})
        held = (f"it has letters for {_and_list([FinancialYear(start_year=y).label for y in years])}" if years
                else "it has no award letters yet")
        raise ValidationError(
            {"award_letter": f"{fund.code} has no award letter for {year.label}, the financial year of "
                             f"{day:%d/%m/%Y}; {held}. Record its {year.label} award letter first, or name the "
                             "letter this receipt settles."}
        )
    dated = [letter for letter in letters if letter.letter_date <= day] or letters[:1]
    return _dated_after_letter(next((letter for letter in dated if award_outstanding(letter) > 0), dated[-1]), day)


def _dated_after_letter(letter: AwardLetter, day: Date) -> AwardLetter:
    """A receipt settles an award letter, so it is dated on or after the letter."""
    if day < letter.letter_date:
        raise ValidationError(
            {"date": f"The receipt is dated {day:%d/%m/%Y}, before award letter {letter.reference} it settles (dated "
                     f"{letter.letter_date:%d/%m/%Y}): money is received on an award once it is made. Date the "
                     f"receipt on or after {letter.letter_date:%d/%m/%Y}, or record it against another letter."}
        )
    return letter


def settles_text(letter: AwardLetter) -> str:
    """How a confirmation names the letter a receipt went to."""
    return f"settles award letter {letter.reference} for {letter.year.label}"
