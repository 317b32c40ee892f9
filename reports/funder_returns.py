"""Funder returns: what a fund received, spent by service category, funded and achieved in a half-year, for its
funder (the MoJ's victims' grants ask for one twice a year, DOMAIN.md 10). Rendered as Excel and PDF by
``reports.renderers.funder_return``; ``python manage.py export_funder_return`` and the page ``reports:funder_return``
both call ``funder_return`` and ``funder_return_file``.

Half 1 is H1 (1 April to 30 September); half 2 is H2, the full year (1 April to 31 March). Every figure is read as
recorded by the moment of production (``now``): entries posted and returns accepted after it do not count, so the
same fund, year, half, signatory and moment always give the same figures and the same bytes.

Spending by category adds up to the ledger: grant spending (payments less clawbacks, by the grant's category) and
supplier spending (approved invoices, by the order's category) are read from the journal lines those documents
posted; "Other spending" is the fund's actual spending in the ledger for the period (``budget_line_spending``, as
the fund statement counts it) less those, so it holds correcting journals, accruals and uncategorised documents,
and the total is the ledger's figure.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.money import ZERO, format_gbp, quantize
from core.roles import FINANCE_DIRECTOR, FINANCE_OFFICER, has_role
from funds.models import FinancialYear, Fund
from grants.models import FundingLine, Grant, MonitoringReturn, OutcomeMeasure, ReturnValue, ServiceCategory
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt
from ledger import accounts as acc
from ledger.models import JournalLine
from ledger.selectors import budget_line_spending
from reports.parameters import year_get
from spending.models import Invoice

HALVES = {1: (1, 2), 2: (1, 2, 3, 4)}  # half -> the quarters of the financial year it covers
OTHER_ROW = "Other spending (journals, accruals, uncategorised)"
SIGNATORY_ROLES = (FINANCE_OFFICER, FINANCE_DIRECTOR)

GRANT_SOURCE = Grant._meta.label_lower  # payments, clawbacks and their reversals name the grant as their source
INVOICE_SOURCE = Invoice._meta.label_lower
RECEIPT_SOURCES = tuple(m._meta.label_lower for m in (CashReceipt, PocaReceipt, FeeReceipt, FpnReturn))

SIGN_CONVENTION = (
    "Amounts are in pounds sterling. Money received and money spent are positive; a negative amount is money "
    "coming back (a clawback, or a reversal larger than the spending of the period). Unspent = money received less "
    "money spent in the period: positive means less was spent than was received."
)
DEFINITIONS = [
    ("Money received",
     "Cash received for the fund in the period and counted against the year's allocation: receipts against the "
     "funder's award letters and other receipts (and, for retained-income funds, proceeds of crime, course fees and "
     "the retained share of fixed penalties), net of any reversal. Award letters not yet paid, HM Treasury's share "
     "of fixed penalties and transfers between funds are not counted."),
    ("Awarded for the year",
     "The award letters for the year recorded by the end of the period, for information (award-based funds)."),
    ("Spent",
     "The fund's actual spending for the year in the ledger, from entries dated in the period, as the fund "
     "statement counts it: grant payments less clawbacks, approved supplier invoices (net of recoverable VAT), "
     "correcting journals on spending accounts and year-end accruals. Grant spending is shown under the grant's "
     f"service category and supplier spending under the order's. '{OTHER_ROW}' is the rest of the ledger's actual "
     "spending, so the categories add up to it exactly."),
    ("Unspent",
     "Money received in the period less spent in the period. It is not the year-end position: what is left of the "
     "year's grant is settled at the year end under the fund's rule."),
    ("Services funded",
     "Grants drawing on the fund for the year that held a commitment at some time in the period (approved by its "
     "end and not closed or withdrawn before it began) or were paid in it. Commissioned services and providers "
     "are each counted once, however many grants they hold."),
    ("People supported and outcomes",
     "The sum of the figures reported for the fund's outcome measures in the monitoring returns for the quarters "
     "of the period, from grants drawing on the fund for the year, counting only returns accepted by the moment of "
     "production. A grant that draws on several funds is counted in full in the return of each fund whose "
     "measures it reports: its figures are not split by share of funding, so the returns of different funds must "
     "not be added together. Returns awaiting review or sent back are not counted."),
    ("Figures as recorded",
     "Every figure is as recorded at the moment of production: entries posted and returns accepted after it do "
     "not count, so producing the return again for the same moment gives the same figures."),
]


@dataclass(frozen=True)
class CategoryRow:
    """One row of spending by service category. The other row has no category and shows only its total."""

    name: str
    grants: int  # grants funded in the period in this category (on the other row: uncategorised grants)
    grant_spending: Decimal | None
    supplier_spending: Decimal | None
    total: Decimal
    is_other: bool = False


@dataclass(frozen=True)
class OutcomeRow:
    name: str
    unit: str
    achieved: Decimal
    returns: int  # accepted returns that reported the measure


@dataclass(frozen=True)
class FunderReturn:
    fund: Fund
    year: FinancialYear
    half: int
    period_start: Date
    period_end: Date
    produced_at: datetime
    received: Decimal
    awarded: Decimal | None  # None for a fund whose limit is not an award
    categories: list[CategoryRow]
    ledger_actual: Decimal  # the fund's actual spending in the ledger for the period
    grants_funded: int
    services_funded: int
    providers_funded: int
    outcomes: list[OutcomeRow]
    returns_counted: int
    returns_not_counted: int
    signed_by_name: str
    signed_by_title: str
    notes: list[str] = field(default_factory=list)

    @property
    def spent(self) -> Decimal:
        return sum((row.total for row in self.categories), ZERO)

    @property
    def other(self) -> Decimal:
        return next(row.total for row in self.categories if row.is_other)

    @property
    def unspent(self) -> Decimal:
        return self.received - self.spent

    @property
    def funder(self) -> str:
        return self.fund.funder.name

    @property
    def half_label(self) -> str:
        return f"H{self.half} {self.year.label}" + (" (full year)" if self.half == 2 else "")

    @property
    def period_label(self) -> str:
        return f"{self.half_label}: {self.period_start:%d/%m/%Y} to {self.period_end:%d/%m/%Y}"

    @property
    def title(self) -> str:
        return f"Funder return: {self.fund.code} {self.fund.name}"

    def filename(self, fmt: str) -> str:
        half = "H1" if self.half == 1 else "full-year"
        return f"funder-return-{self.fund.code}-{self.year.label.replace('/', '-')}-{half}.{fmt}"


# --- inputs ------------------------------------------------------------------------------------------------------

def _fund(fund) -> Fund:
    if isinstance(fund, Fund):
        return fund
    code = (fund or "").strip()
    found = Fund.objects.select_related("funder").filter(code__iexact=code).first() if code else None
    if found is None:
        codes = ", ".join(Fund.objects.order_by("code").values_list("code", flat=True)) or "none is set up yet"
        raise ValidationError({"fund": f"There is no fund '{code}'. The funds are: {codes}."})
    return found


def _half(half) -> int:
    text = str(half).strip() if half is not None else ""
    if text not in ("1", "2"):
        raise ValidationError({"half": f"'{text}' is not a half: give 1 for H1 (1 April to 30 September) or 2 for "
                                       "H2, the full year (1 April to 31 March)."})
    return int(text)


def half_dates(year: FinancialYear, half: int) -> tuple[Date, Date]:
    return year.start_date, (Date(year.start_year, 9, 30) if half == 1 else year.end_date)


def _title_of(user) -> str:
    return FINANCE_DIRECTOR if has_role(user, FINANCE_DIRECTOR) else FINANCE_OFFICER


def _name_of(user) -> str:
    return user.get_full_name().strip() or user.username


def signatories():
    """The people who may sign a funder return: active finance officers and finance directors."""
    return (get_user_model().objects.filter(is_active=True, groups__name__in=SIGNATORY_ROLES).distinct()
            .order_by("last_name", "first_name", "username"))


def funder_return_signatory(signed_by=None) -> tuple[str, str]:
    """(name, title) of who signs the return. ``signed_by`` (a username or a user) must be an active finance officer
    or finance director. Without it: ``settings.RINGFENCE["FUNDER_RETURN_SIGNATORY"]`` ("Name, Title") when set,
    else the one active finance director; refused when there is none or several."""
    if signed_by is not None and signed_by != "":
        username = signed_by if isinstance(signed_by, str) else signed_by.get_username()
        user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
        if user is None or not has_role(user, *SIGNATORY_ROLES):
            who = ", ".join(f"{u.username} ({_name_of(u)}, {_title_of(u).lower()})" for u in signatories())
            raise ValidationError({"signed_by": f"'{username}' may not sign a funder return: it is signed by an "
                                                f"active finance officer or finance director. Who may sign: "
                                                f"{who or 'nobody yet (no active finance officer or director)'}."})
        return _name_of(user), _title_of(user)
    configured = (settings.RINGFENCE.get("FUNDER_RETURN_SIGNATORY") or "").strip()
    if configured:
        name, _, title = configured.partition(",")
        return name.strip(), title.strip()
    directors = list(get_user_model().objects.filter(is_active=True, groups__name=FINANCE_DIRECTOR)
                     .distinct().order_by("username"))
    if len(directors) != 1:
        found = ("there is no active finance director" if not directors else
                 f"there are {len(directors)} active finance directors ("
                 + ", ".join(u.username for u in directors) + ")")
        raise ValidationError({"signed_by": f"Say who signs the return: {found}. Name the signatory (--signed-by "
                                            "USERNAME, a finance officer or finance director), or set "
                                            "RINGFENCE_FUNDER_RETURN_SIGNATORY to 'Name, Title'."})
    return _name_of(directors[0]), FINANCE_DIRECTOR


# --- figures -----------------------------------------------------------------------------------------------------

def _money(total) -> Decimal:
    return quantize(Decimal(str(total or 0)))  # SQLite may sum decimals as floats


def _lines(fund, year, start, end, now):
    return JournalLine.objects.filter(fund=fund, funding_year=year, entry__date__gte=start, entry__date__lte=end,
                                      entry__posted_at__lte=now)


def _received(fund, year, start, end, now) -> Decimal:
    """Cash in on the fund's income documents dated in the period, less HM Treasury's share of fixed penalties."""
    total = ZERO
    rows = (_lines(fund, year, start, end, now)
            .filter(entry__source_type__in=RECEIPT_SOURCES, account__code__in=[acc.CASH, acc.TREASURY_CREDITOR])
            .values_list("account__code", "direction").annotate(total=Sum("amount")))
    for code, direction, amount in rows:
        debit = 1 if direction == JournalLine.Direction.DEBIT else -1
        total += _money(amount) * (debit if code == acc.CASH else -debit)
    return total


def _awarded(fund, year, end, now) -> Decimal | None:
    if fund.limit_basis != Fund.LimitBasis.AWARD:
        return None
    total = ZERO
    rows = (JournalLine.objects.filter(fund=fund, funding_year=year, entry__date__lte=end, entry__posted_at__lte=now,
                                       entry__source_type=AwardLetter._meta.label_lower, account__code=acc.GRANT_INCOME)
            .values_list("direction").annotate(total=Sum("amount")))
    for direction, amount in rows:
        total += _money(amount) * (-1 if direction == JournalLine.Direction.DEBIT else 1)
    return total


def _accrued(fund, year, start, end, now) -> Decimal:
    """Spending accrued (grant and other accruals) by entries dated in the period: part of the other row."""
    total = ZERO
    rows = (_lines(fund, year, start, end, now).filter(account__code__in=[acc.GRANT_ACCRUALS, acc.OTHER_ACCRUALS])
            .values_list("direction").annotate(total=Sum("amount")))
    for direction, amount in rows:
        total += _money(amount) * (1 if direction == JournalLine.Direction.DEBIT else -1)
    return total


def _ledger_actual(fund, year, start, end, now) -> Decimal:
    """The fund's actual spending for the year from entries dated in the period, as ``budget_line_spending`` (and so
    the fund statement and the fund position) counts it."""
    upto = budget_line_spending(fund_ids=[fund.pk], year=year, as_at=end, known_at=now)
    before = budget_line_spending(fund_ids=[fund.pk], year=year, as_at=start - timedelta(days=1), known_at=now)
    return (sum((s.actual for s in upto.values()), ZERO) - sum((s.actual for s in before.values()), ZERO))


def _document_spending(fund, year, start, end, now):
    """Per grant and per invoice (ids), the spending their entries posted in the period: grant expenditure on the
    grant's entries (payments less clawbacks and reversals), supplier spending on the invoice's."""
    grants, invoices = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    paid = set()  # grants with a payment in the period
    rows = (_lines(fund, year, start, end, now)
            .filter(Q(entry__source_type=GRANT_SOURCE, account__code=acc.GRANT_EXPENDITURE)
                    | Q(entry__source_type=INVOICE_SOURCE, account__code=acc.SUPPLIER_EXPENDITURE))
            .values_list("entry__source_type", "entry__source_id", "direction").annotate(total=Sum("amount")))
    for source, source_id, direction, amount in rows:
        value = _money(amount) * (1 if direction == JournalLine.Direction.DEBIT else -1)
        if source == GRANT_SOURCE:
            grants[int(source_id)] += value
            if direction == JournalLine.Direction.DEBIT:
                paid.add(int(source_id))
        else:
            invoices[int(source_id)] += value
    return grants, invoices, paid


def _funded_grants(fund, year, start, end, paid) -> dict[int, tuple]:
    """Grant id -> (service id, organisation id, category id) for the grants funded in the period."""
    committed = (FundingLine.objects.filter(fund=fund, year=year, grant__approved_on__lte=end)
                 .filter(Q(grant__closed_on__isnull=True) | Q(grant__closed_on__gte=start)))
    funded = (Grant.objects.filter(Q(pk__in=committed.values("grant_id")) | Q(pk__in=paid))
              .values_list("pk", "service_id", "organisation_id", "service_category_id"))
    return {pk: rest for pk, *rest in funded}


def _categories(fund, year, start, end, now, ledger_actual) -> tuple[list[CategoryRow], dict[int, tuple]]:
    grant_spending, invoice_spending, paid = _document_spending(fund, year, start, end, now)
    funded = _funded_grants(fund, year, start, end, paid)
    grant_category = dict(Grant.objects.filter(pk__in=list(grant_spending)).values_list("pk", "service_category_id"))
    invoice_category = dict(Invoice.objects.filter(pk__in=list(invoice_spending))
                            .values_list("pk", "order__service_category_id"))
    by_category = defaultdict(lambda: [ZERO, ZERO])
    for grant_id, value in grant_spending.items():
        by_category[grant_category.get(grant_id)][0] += value
    for invoice_id, value in invoice_spending.items():
        by_category[invoice_category.get(invoice_id)][1] += value
    counts = defaultdict(int)
    for _service, _organisation, category_id in funded.values():
        counts[category_id] += 1
    used = {c for c in list(by_category) + list(counts) if c is not None}
    rows = []
    for category in ServiceCategory.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("name"):
        grants_value, supplier_value = by_category.get(category.pk, (ZERO, ZERO))
        rows.append(CategoryRow(category.name, counts.get(category.pk, 0), grants_value, supplier_value,
                                grants_value + supplier_value))
    categorised = sum((row.total for row in rows), ZERO)
    rows.append(CategoryRow(OTHER_ROW, counts.get(None, 0), None, None, ledger_actual - categorised, is_other=True))
    return rows, funded


def _outcomes(fund, year, half, now) -> tuple[list[OutcomeRow], int, int]:
    """Per outcome measure of the fund, the sum reported in the accepted returns for the period's quarters."""
    returns = MonitoringReturn.objects.filter(
        year=year, quarter__in=HALVES[half],
        grant__in=FundingLine.objects.filter(fund=fund, year=year).values("grant_id"),
    )
    counted = returns.filter(status=MonitoringReturn.Status.ACCEPTED, reviewed_at__lte=now)
    counted_count = counted.count()
    not_counted = returns.count() - counted_count
    values = {
        row["measure_id"]: (row["total"], row["returns"])
        for row in ReturnValue.objects.filter(monitoring_return__in=counted, measure__fund=fund)
        .values("measure_id").annotate(total=Sum("value"), returns=Count("monitoring_return_id", distinct=True))
    }
    rows = []
    for measure in OutcomeMeasure.objects.filter(fund=fund).order_by("pk"):
        total, reported = values.get(measure.pk, (None, 0))
        if not measure.is_active and not reported:
            continue
        achieved = Decimal(str(total or 0)).quantize(Decimal("0.01"))
        rows.append(OutcomeRow(measure.name, measure.unit, achieved, reported))
    return rows, counted_count, not_counted


def funder_return(*, fund, year, half, signed_by=None, now: datetime | None = None) -> FunderReturn:
    """The return of ``fund`` (a Fund or its code) to its funder for ``half`` (1: H1, 1 April to 30 September;
    2: the full year) of ``year`` (a FinancialYear or its label, e.g. 2025/26), produced at ``now`` (default: now)
    and signed by ``signed_by`` (see ``funder_return_signatory``).

    Refused, writing nothing (it writes nothing anyway): an unknown fund (naming the funds), an unreadable or unknown
    year, a half other than 1 or 2, a half that has not ended by ``now`` (saying when it ends), and a signatory who
    is not an active finance officer or finance director, or no signatory to be found."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    fund = _fund(fund)
    year = year_get(year)
    half = _half(half)
    start, end = half_dates(year, half)
    if end >= timezone.localdate(now):
        raise ValidationError({"half": f"H{half} {year.label} ends on {end:%d/%m/%Y}: a return is produced once its "
                                       f"half has ended, from {end + timedelta(days=1):%d/%m/%Y}."})
    signed_name, signed_title = funder_return_signatory(signed_by)
    ledger_actual = _ledger_actual(fund, year, start, end, now)
    categories, funded = _categories(fund, year, start, end, now, ledger_actual)
    outcomes, counted, not_counted = _outcomes(fund, year, half, now)
    notes = []
    if not_counted:
        notes.append(f"{not_counted} monitoring return{'s' if not_counted != 1 else ''} for the quarters of the "
                     "period had not been accepted when the return was produced, so "
                     f"{'their figures are' if not_counted != 1 else 'its figures are'} not counted.")
    accrued = _accrued(fund, year, start, end, now)
    if accrued:
        notes.append(f"'{OTHER_ROW}' includes {format_gbp(accrued)} of spending accrued at the year end (grant "
                     "instalments for services delivered by 31 March and paid after it, and other accruals): the "
                     "ledger accrues it for the fund and budget line, not for each grant, so it has no category.")
    uncategorised = next(row.grants for row in categories if row.is_other)
    if uncategorised:
        notes.append(f"{uncategorised} grant{'s' if uncategorised != 1 else ''} funded in the period "
                     f"{'have' if uncategorised != 1 else 'has'} no service category: "
                     f"{'their' if uncategorised != 1 else 'its'} spending is in '{OTHER_ROW}'.")
    return FunderReturn(
        fund=fund, year=year, half=half, period_start=start, period_end=end, produced_at=now,
        received=_received(fund, year, start, end, now), awarded=_awarded(fund, year, end, now),
        categories=categories, ledger_actual=ledger_actual, grants_funded=len(funded),
        services_funded=len({service for service, _org, _cat in funded.values()}),
        providers_funded=len({org for _service, org, _cat in funded.values()}),
        outcomes=outcomes, returns_counted=counted, returns_not_counted=not_counted,
        signed_by_name=signed_name, signed_by_title=signed_title, notes=notes,
    )


FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def funder_return_file(ret: FunderReturn, fmt: str) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the return in ``fmt`` (xlsx or pdf)."""
    from reports.renderers import funder_return as renderer

    if fmt not in FORMATS:
        raise ValidationError({"format": f"Unknown format '{fmt}'; choose one of {', '.join(FORMATS)}."})
    content = renderer.render_xlsx(ret) if fmt == "xlsx" else renderer.render_pdf(ret)
    return ret.filename(fmt), FORMATS[fmt], content
