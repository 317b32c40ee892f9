"""Sound at every date (issue 17), as a property: random sequences of the finance cycle's own operations, through
their services, with dates in any order, never leave a state a finance director could not sign as at any date.

Hypothesis draws sequences of proceeds of crime receipts, grants approved and accepted on a date, payments,
clawbacks, reversals of payments and receipts, grants closed, raw reversals of a document's entry and month-end
closes, each dated on one of a handful of days of 2025/26 in any order. Each operation either succeeds or is refused
writing nothing. After every step:

- the ledger verifies (``verify_ledger``);
- every fund's committed, actual and available are at or above zero as at every date that has postings;
- the fund statement's figures as at today equal the kept positions the ring fence checks, fund by fund;
- documents and ledger agree: each grant's outstanding commitment and net payments are what the ledger holds on
  it, and the proceeds of crime receipts that stand are the fund's income.

Derandomized so CI sees the same sequences every run; sized to finish within a minute on either database.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.money import ZERO, to_pence
from funds.calendar import periods_close_up_to
from funds.models import Period
from grants.awards import decision_record
from grants.models import Clawback, Grant, Payment
from grants.payments import clawback_record, payment_record, payment_reverse
from grants.schedule import InstalmentChange, schedule_update
from grants.selectors import grant_totals, line_clawed_back, line_paid
from grants.workflow import grant_approve, grant_close, grant_offer_accept, grant_submit
from income.models import PocaReceipt
from income.services import poca_receipt_record, poca_receipt_reverse
from ledger.models import Account, JournalEntry, JournalLine
from ledger.posting import entry_reverse
from ledger.selectors import fund_available, fund_positions
from ledger.verification import verify
from reports.figures import fund_figures
from tests.grants.conftest import complete_checks, make_grant, org, service  # noqa: F401 (fixtures)

PROPERTIES = hypothesis_settings(
    max_examples=12, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAYS = [date(2025, 4, 20), date(2025, 6, 2), date(2025, 7, 15), date(2025, 8, 1), date(2025, 10, 6),
        date(2026, 1, 12), date(2026, 3, 20)]
ROLES = {Account.Role.LIMIT: 0, Account.Role.COMMITTED: 1, Account.Role.ACTUAL: 2}

days = st.sampled_from(DAYS)
shares = st.integers(min_value=1, max_value=100)  # per cent of what the step could use
picks = st.integers(min_value=0, max_value=50)
STEPS = {
    "poca": st.tuples(st.just("poca"), st.just(0), st.sampled_from(["1000.00", "18000.00", "64000.50"]), days),
    "grant": st.tuples(st.just("grant"), st.sampled_from(["core", "poca"]), shares, days),
    "pay": st.tuples(st.just("pay"), picks, shares, days),
    "clawback": st.tuples(st.just("clawback"), picks, shares, days),
    "reverse_payment": st.tuples(st.just("reverse_payment"), picks, st.just(0), days),
    "reverse_receipt": st.tuples(st.just("reverse_receipt"), picks, st.just(0), days),
    "close_grant": st.tuples(st.just("close_grant"), picks, st.just(0), days),
    "raw_reverse": st.tuples(st.just("raw_reverse"), picks, st.just(0), days),
    "close_month": st.tuples(st.just("close_month"), st.integers(min_value=0, max_value=5), st.just(0), days),
}
# The steps that make money move come up more often than those that undo or close, so sequences go deep.
operation = st.sampled_from(["poca", "poca", "grant", "grant", "pay", "pay", "pay", "clawback", "clawback",
                             "reverse_payment", "reverse_receipt", "close_grant", "raw_reverse", "close_month"]
                            ).flatmap(STEPS.get)


def share_of(amount: Decimal, share: int) -> Decimal:
    return max(Decimal("0.01"), (amount * share / 100).quantize(Decimal("0.01")))


def pick(items: list, index: int):
    return items[index % len(items)] if items else None


def snapshot():
    return (JournalEntry.objects.count(), JournalLine.objects.count(), Payment.objects.count(),
            Clawback.objects.count(), PocaReceipt.objects.count(), Grant.objects.filter(status="closed").count(),
            Period.objects.filter(is_closed=True).count())


class World:
    def __init__(self, funds, year, organisation, provided, officer, officer2, commissioner):
        self.funds, self.year = funds, year
        self.org, self.service = organisation, provided
        self.officer, self.officer2, self.commissioner = officer, officer2, commissioner
        self.receipts = 0
        self.decision = decision_record(number="001-2025", date=date(2025, 4, 1), decision_maker=commissioner,
                                        summary="Commissioning plan 2025/26", by=officer)

    def perform(self, op) -> bool:
        """Do ``op``; False when there was nothing to do it to (a payment before any grant)."""
        kind, which, amount, day = op
        officer = self.officer
        if kind == "poca":
            self.receipts += 1
            poca_receipt_record(fund=self.funds["poca"], reference=f"ARIS-P{self.receipts:03}", case_reference="T25",
                                date=day, gross_recovered=amount, agency_share_percent="50", by=officer)
        elif kind == "grant":
            fund = self.funds[which]
            available = fund_available(fund=fund, year=self.year)
            if available <= 0:
                return False
            grant = make_grant(self.org, self.service, officer, [(fund, self.year, share_of(available, amount))])
            grant_submit(grant=grant, by=officer)
            grant_approve(grant=grant, by=self.commissioner, on=day, decision=self.decision)
            grant_offer_accept(grant=grant, accepted_on=day, by=officer)
            complete_checks(grant, officer)
            line = grant.funding_lines.get()
            schedule_update(funding_line=line, by=officer, reason="Paid without returns in this test",
                            changes=[InstalmentChange(i, requires_return=False) for i in line.instalments.all()])
        elif kind == "pay":
            grant = pick(list(Grant.objects.filter(status__in=["offer_accepted", "active"]).order_by("pk")), which)
            if grant is None:
                return False
            instalment = pick(list(grant.instalments.order_by("pk")), which // 3)
            left = grant_totals(grant).remaining
            if left <= 0:
                return False
            payment_record(instalment=instalment, amount=share_of(min(left, instalment.amount.amount), amount),
                           paid_on=day, by=officer)
        elif kind == "clawback":
            grant = pick(list(Grant.objects.filter(payments__isnull=False).distinct().order_by("pk")), which)
            if grant is None:
                return False
            line = grant.funding_lines.get()
            returnable = line_paid(line) - line_clawed_back(line)
            if returnable <= 0:
                return False
            clawback_record(funding_line=line, amount=share_of(returnable, amount), received_on=day,
                            reason="Underspend returned", by=officer)
        elif kind == "reverse_payment":
            payment = pick(list(Payment.objects.filter(reversal__isnull=True).order_by("pk")), which)
            if payment is None:
                return False
            payment_reverse(payment=payment, reason="Paid in error", by=officer, on=day)
        elif kind == "reverse_receipt":
            receipt = pick(list(PocaReceipt.objects.filter(reversal__isnull=True).order_by("pk")), which)
            if receipt is None:
                return False
            poca_receipt_reverse(receipt=receipt, reason="Keyed twice", by=officer, on=day)
        elif kind == "close_grant":
            grant = pick(list(Grant.objects.filter(status__in=["offer_accepted", "active"]).order_by("pk")), which)
            if grant is None:
                return False
            grant_close(grant=grant, by=officer, on=day)
        elif kind == "raw_reverse":  # a document's entry on its own: always refused, naming the document
            entry = pick(list(JournalEntry.objects.filter(reverses__isnull=True).order_by("pk")), which)
            with pytest.raises(ValidationError, match="reversed through that document's own reversal"):
                entry_reverse(entry=entry, date=max(day, entry.date), by=officer, reason="On its own")
        elif kind == "close_month":
            month = Period.objects.filter(year=self.year, number=which + 1).get()
            periods_close_up_to(period=month, by=officer, reason="Month-end close", today=date(2026, 11, 1))
        else:
            raise AssertionError(kind)
        return True


def assert_never_below_zero_at_any_date():
    """Committed, actual and available at or above zero, fund by fund and year by year, as at every date that
    has postings."""
    moves = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    rows = (JournalLine.objects.filter(account__role__in=list(ROLES))
            .values_list("fund__code", "funding_year__start_year", "entry__date", "account__role", "direction")
            .annotate(total=Sum("amount")).order_by())
    for code, year, on, role, direction, total in rows:
        raises = direction == ("C" if role == Account.Role.LIMIT else "D")
        moves[(code, year)][on][ROLES[role]] += to_pence(total) * (1 if raises else -1)
    for key, by_day in moves.items():
        limit = committed = actual = 0
        for on in sorted(by_day):
            d_limit, d_committed, d_actual = by_day[on]
            limit, committed, actual = limit + d_limit, committed + d_committed, actual + d_actual
            assert committed >= 0 and actual >= 0 and limit - committed - actual >= 0, (
                f"{key} as at {on}: limit {limit}, committed {committed}, actual {actual} (pence)")


def assert_statement_as_at_today_is_the_positions(year):
    figures = fund_figures(year=year, as_at=timezone.localdate(), known_at=timezone.now())
    for row in fund_positions(year=year):
        shown = figures.get(row.fund.pk)
        committed, actual, available = ((shown.committed, shown.actual, shown.available) if shown
                                        else (ZERO, ZERO, ZERO))
        assert (committed, actual, available) == (row.committed, row.actual, row.available), row.fund.code


def assert_documents_and_ledger_agree(funds):
    ledger = defaultdict(lambda: [ZERO, ZERO])
    rows = (JournalLine.objects.filter(entry__source_type="grants.grant",
                                       account__role__in=[Account.Role.COMMITTED, Account.Role.ACTUAL])
            .values_list("entry__source_id", "account__role", "direction").annotate(total=Sum("amount")).order_by())
    for grant_id, role, direction, total in rows:
        ledger[int(grant_id)][role == Account.Role.ACTUAL] += total if direction == "D" else -total
    for grant in Grant.objects.all():
        totals = grant_totals(grant)
        assert ledger[grant.pk] == [totals.outstanding_commitment, totals.paid - totals.clawed_back], grant.reference
    retained = sum((r.amount.amount for r in PocaReceipt.objects.filter(reversal__isnull=True)), ZERO)
    income = (JournalLine.objects.filter(fund=funds["poca"], account__role=Account.Role.LIMIT)
              .values_list("direction").annotate(total=Sum("amount")))
    assert sum((t if d == "C" else -t for d, t in income), ZERO) == retained


@PROPERTIES
@given(operations=st.lists(operation, min_size=3, max_size=12))
# Written out, so every run has them: each case under the "Why", done in the wrong order.
@example(operations=[("grant", "core", 10, DAYS[1]), ("pay", 0, 50, DAYS[4]), ("clawback", 0, 50, DAYS[2]),
                     ("clawback", 0, 50, DAYS[5]), ("raw_reverse", 1, 0, DAYS[6])])
@example(operations=[("poca", 0, "64000.50", DAYS[3]), ("grant", "poca", 50, DAYS[0]), ("grant", "poca", 50, DAYS[4]),
                     ("reverse_receipt", 0, 0, DAYS[4]), ("close_month", 2, 0, DAYS[0])])
@example(operations=[("grant", "core", 20, DAYS[1]), ("pay", 0, 100, DAYS[3]), ("close_grant", 0, 0, DAYS[2]),
                     ("reverse_payment", 0, 0, DAYS[2]), ("close_grant", 0, 0, DAYS[5])])
def test_any_sequence_of_operations_stays_sound_at_every_date(
        funded_core, poca_fund, year, org, service, officer, officer2, commissioner, operations):  # noqa: F811
    funds = {"core": funded_core, "poca": poca_fund}
    with transaction.atomic():
        world = World(funds, year, org, service, officer, officer2, commissioner)
        # Money in both funds and a grant on the award-based one from the start, so that later steps have
        # something to pay, claw back and reverse.
        opening = [("poca", 0, "18000.00", DAYS[0]), ("grant", "core", 10, DAYS[0])]
        for op in opening + operations:
            before = snapshot()
            try:
                with transaction.atomic():
                    world.perform(op)
            except ValidationError:
                assert snapshot() == before, f"refused {op} wrote something"
            assert verify().problems == []
            assert_never_below_zero_at_any_date()
            assert_statement_as_at_today_is_the_positions(year)
            assert_documents_and_ledger_agree(funds)
        transaction.set_rollback(True)
