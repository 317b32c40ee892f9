"""What a provider sees of their own organisation, and nothing else.

Every function takes the provider's organisation (``grants.providers.require_provider_organisation``) and reads only
its records. Nothing here reads a fund, a budget line, a due-diligence check, an internal note or a decision: the
portal shows the grant as the organisation knows it (its offer, schedule, payments and returns).
"""

from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from funds.models import FinancialYear
from grants.models import Grant, Instalment, MonitoringReturn, Organisation, Payment
from grants.outcomes import return_record_refusal
from grants.quarters import Quarter, quarters_within, reporting_end

S = Grant.Status
#: A provider sees a grant once it is offered to them: never a bid still being decided, rejected or drafted.
SHOWN = (S.APPROVED, S.OFFER_ACCEPTED, S.ACTIVE, S.CLOSED)
REPORTING = (S.OFFER_ACCEPTED, S.ACTIVE, S.CLOSED)
ZERO = Decimal("0.00")


def portal_grants(organisation: Organisation):
    """The organisation's grants a provider may open (404 for any other, through ``get_object_or_404``)."""
    return Grant.objects.filter(organisation=organisation, status__in=SHOWN)


def portal_returns(organisation: Organisation):
    return MonitoringReturn.objects.filter(grant__in=portal_grants(organisation))


def award_of(grant: Grant) -> Decimal:
    """The grant's award now (after variations): the sum of its funding lines, without naming the funds."""
    total = grant.funding_lines.aggregate(total=Sum("amount"))["total"]
    return Decimal(total or ZERO)


@dataclass(frozen=True)
class ScheduleRow:
    instalment: Instalment
    paid: Decimal

    @property
    def amount(self) -> Decimal:
        return self.instalment.amount.amount

    @property
    def state(self) -> str:
        if self.paid >= self.amount:
            return "Paid"
        return "Part paid" if self.paid > 0 else "Not yet paid"


def schedule(grant: Grant) -> list[ScheduleRow]:
    rows = (Instalment.objects.filter(grant=grant).select_related("year")
            .annotate(paid_sum=Sum("payments__amount", filter=Q(payments__reversal__isnull=True)))
            .order_by("due_date", "id"))
    return [ScheduleRow(i, Decimal(i.paid_sum or ZERO)) for i in rows]


def payments_made(grants) -> list[Payment]:
    return list(Payment.objects.filter(grant__in=grants, reversal__isnull=True).select_related("grant", "instalment")
                .order_by("-paid_on", "-id"))


@dataclass(frozen=True)
class QuarterRow:
    grant: Grant
    year: FinancialYear
    quarter: Quarter
    monitoring_return: MonitoringReturn | None
    due_from: Date
    ended: bool
    can_send: bool

    @property
    def state(self) -> str:
        if self.monitoring_return is not None:
            return self.monitoring_return.get_status_display()
        return "Due" if self.ended else "Not yet due"

    @property
    def overdue(self) -> bool:
        """Not sent a month after it could first be sent (the office's usual deadline)."""
        return self.monitoring_return is None and self.ended and (timezone.localdate() - self.due_from).days > 30


def returns_by_quarter(grant: Grant, *, today: Date | None = None) -> list[QuarterRow]:
    """Each quarter of the grant: its return (if any), whether it has ended and whether a return can be sent now."""
    today = today or timezone.localdate()
    if grant.status not in REPORTING:
        return []
    found = {(r.year_id, r.quarter): r for r in grant.returns.select_related("year")}
    rows = []
    for year in FinancialYear.objects.filter(start_year__gte=grant.start_date.year - 1,
                                             start_year__lte=grant.end_date.year).order_by("start_year"):
        for quarter in quarters_within(year, grant.start_date, grant.end_date):
            end = reporting_end(quarter, grant.end_date)
            ret = found.get((year.pk, quarter.number))
            can_send = (end < today and (ret is None or ret.status == MonitoringReturn.Status.RETURNED)
                        and return_record_refusal(grant=grant, year=year, quarter=quarter.number, on=today) is None)
            rows.append(QuarterRow(grant, year, quarter, ret, end, end < today, can_send))
    return rows


@dataclass
class Home:
    organisation: Organisation
    grants: list
    offers: list
    returns_due: list
    returns_sent: list
    next_due: list
    recent_payments: list


def home(organisation: Organisation, *, today: Date | None = None) -> Home:
    today = today or timezone.localdate()
    grants = list(portal_grants(organisation).order_by("-start_date", "-id"))
    quarters = [row for g in grants for row in returns_by_quarter(g, today=today)]
    due = [row for row in quarters if row.can_send]
    sent = sorted((row for row in quarters if row.monitoring_return is not None),
                  key=lambda row: row.monitoring_return.submitted_at, reverse=True)
    upcoming = []
    for grant in grants:
        if grant.status in (S.OFFER_ACCEPTED, S.ACTIVE):
            upcoming += [row for row in schedule(grant) if row.paid < row.amount]
    upcoming.sort(key=lambda row: row.instalment.due_date)
    return Home(organisation=organisation, grants=grants,
                offers=[g for g in grants if g.status == S.APPROVED], returns_due=due, returns_sent=sent[:8],
                next_due=upcoming[:6], recent_payments=payments_made(grants)[:6])
