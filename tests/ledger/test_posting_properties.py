"""Properties of posting: any sequence of operations keeps every entry balanced, verify_ledger clean and every fund
at or above zero available, as at every date; the ledger refuses exactly the operations that would take a fund below
zero (in total, or as at their own date or a later one), and a refused operation leaves the ledger exactly as it was.

Hypothesis generates sequences of award letters, proceeds of crime receipts, commitments, payments, releases,
clawbacks, transfers between funds and reversals of earlier entries, with random amounts written as Decimal
strings and random dates in any order. A small model of each fund's position (in pence) by date predicts the
outcome of every step, including the refusals: a document's entry reversed on its own, a reversal dated before its
entry. Each generated sequence runs inside a savepoint that is rolled back, so the examples do not see each other.
Deterministic (derandomize) so CI is stable; modest numbers of examples so it stays quick.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.money import to_pence
from income.services import award_letter_record, poca_receipt_record
from ledger import accounts as acc
from ledger.models import Balance, ChainHead, FundPosition, JournalEntry, JournalLine
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, entry_reverse
from ledger.selectors import fund_available
from ledger.verification import verify

PROPERTIES = hypothesis_settings(
    max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DATES = [date(2025, 4, 10), date(2025, 7, 1), date(2025, 11, 30), date(2026, 3, 31)]
POCA_SHARE = Decimal("37.5")

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250000.00"), places=2, allow_nan=False,
                      allow_infinity=False).map(str)
funds = st.sampled_from(["core", "poca"])
days = st.sampled_from(DATES)
# Spending steps take a share (1-100%, as a Decimal string) of what they could use, so most of them are valid
# and the sequences go deep; "overcommit" always asks for more than is available.
shares = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2).map(str)
operation = st.one_of(
    st.tuples(st.just("award"), st.just("core"), amounts, days),
    st.tuples(st.just("poca"), st.just("poca"), amounts, days),
    st.tuples(st.just("commit"), funds, shares, days),
    st.tuples(st.just("overcommit"), funds, amounts, days),
    st.tuples(st.just("pay"), funds, shares, days),
    st.tuples(st.just("release"), funds, shares, days),
    st.tuples(st.just("clawback"), funds, shares, days),
    st.tuples(st.just("transfer"), funds, shares, days),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=40), st.just("0"), days),
)


def share_of(pence: int, share: str) -> int:
    """At least a penny of ``share`` per cent of ``pence`` (0 when there is nothing to take a share of)."""
    if pence <= 0:
        return 0
    return max(1, int(Decimal(pence) * Decimal(share) / 100))


@dataclass
class Position:
    limit: int = 0
    committed: int = 0
    actual: int = 0

    @property
    def available(self) -> int:
        return self.limit - self.committed - self.actual


@dataclass
class Model:
    positions: dict = field(default_factory=lambda: {"core": Position(), "poca": Position()})
    entries: list = field(default_factory=list)  # [entry, effects {fund: (d_limit, d_committed, d_actual)}, day]
    reversed: set = field(default_factory=set)

    def refusal(self, effects, day) -> str | None:
        """entry_post's rules, in its order: commitments and actual spending never below zero; then refuse when a
        fund would end below zero available and the entry uses money; then, for what the entry lowers, the same
        as at its own date and every later date that has postings. Returns the refusal's words, or None."""
        for name, (dl, dc, da) in effects.items():
            p = self.positions[name]
            if p.committed + dc < 0:
                return "Pay or release at most what is committed"
            if p.actual + da < 0:
                return "Claw back at most what was paid"
            after = p.available + dl - dc - da
            if after < 0 and (dc > 0 or da > 0 or dl < 0):
                return "Not enough money available"
        for name, (dl, dc, da) in effects.items():
            lowered = [dl - dc - da, dc, da]
            for on in [day] + sorted({d for _, e, d in self.entries if d > day and name in e}):
                at = self.as_at(name, on)
                figures = [at.available, at.committed, at.actual]
                if any(lowered[i] < 0 and figures[i] + lowered[i] < 0 for i in range(3)):
                    return "Date it on or after"
        return None

    def as_at(self, name, on) -> Position:
        at = Position()
        for _, effects, day in self.entries:
            if day <= on and name in effects:
                dl, dc, da = effects[name]
                at.limit, at.committed, at.actual = at.limit + dl, at.committed + dc, at.actual + da
        return at

    def apply(self, effects) -> None:
        for name, (dl, dc, da) in effects.items():
            p = self.positions[name]
            p.limit, p.committed, p.actual = p.limit + dl, p.committed + dc, p.actual + da


def snapshot():
    return (
        JournalEntry.objects.count(), JournalLine.objects.count(),
        sorted(Balance.objects.values_list("fund_id", "account_id", "date", "debit_pence", "credit_pence")),
        sorted(FundPosition.objects.values_list("fund_id", "limit_pence", "committed_pence", "actual_pence")),
        ChainHead.objects.values_list("last_hash", flat=True).first(),
    )


def poca_received(gross: str) -> int:
    return to_pence((Decimal(gross) * POCA_SHARE / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def plan(op, model: Model, fund_of):
    """(effects in pence per fund, a function that performs it, the index of the entry it reverses, a refusal
    expected whatever the position) or None when the step does not apply (a payment with nothing committed)."""
    kind, name, amount, day = op
    if kind == "reverse":
        live = [i for i in range(len(model.entries)) if i not in model.reversed]
        if not live:
            return None
        index = live[name % len(live)]
        entry, effects, _ = model.entries[index]
        inverse = {f: (-dl, -dc, -da) for f, (dl, dc, da) in effects.items()}
        # An award letter's or a receipt's entry is reversed through the document alone; a reversal is never dated
        # before the entry it reverses.
        refusal = ("through that document's own reversal" if entry.source_type != "manual"
                   else "its reversal cannot be dated before it" if day < entry.date else None)
        return inverse, lambda by: entry_reverse(entry=entry, date=day, by=by, reason="Property test"), index, refusal
    position = model.positions[name]
    fund = fund_of[name]
    if kind in ("award", "poca", "overcommit"):
        pence = to_pence(amount)
    else:
        pence = share_of({"commit": position.available, "transfer": position.available, "pay": position.committed,
                          "release": position.committed, "clawback": position.actual}[kind], amount)
        if pence <= 0:
            return None
    value = Decimal(pence).scaleb(-2)

    def post(legs):
        return lambda by: entry_post(date=day, description=f"{kind} {amount}", by=by, legs=legs)

    if kind == "award":
        return {name: (pence, 0, 0)}, lambda by: award_letter_record(
            fund=fund, year=fund_of["year"], reference=f"AWD-{len(model.entries)}", letter_date=day,
            amount=amount, by=by).entry, None, None
    if kind == "poca":
        received = poca_received(amount)
        return {name: (received, 0, 0)}, lambda by: poca_receipt_record(
            fund=fund, reference=f"ARIS-{len(model.entries)}", case_reference="T2025", date=day,
            gross_recovered=amount, agency_share_percent=POCA_SHARE, by=by).entry, None, (
            "rounds to nothing" if received == 0 else None)
    if kind in ("commit", "overcommit"):
        if kind == "overcommit":  # always more than is available: must be refused
            pence = max(position.available, 0) + pence
            value = Decimal(pence).scaleb(-2)
        return {name: (0, pence, 0)}, post([Leg(acc.COMMITMENTS, fund, DEBIT, value),
                                            Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, value)]), None, None
    if kind in ("pay", "release"):  # valid operations: never more than is committed
        release = [Leg(acc.COMMITMENT_CONTROL, fund, DEBIT, value), Leg(acc.COMMITMENTS, fund, CREDIT, value)]
        if kind == "release":
            return {name: (0, -pence, 0)}, post(release), None, None
        return {name: (0, -pence, pence)}, post(
            [Leg(acc.GRANT_EXPENDITURE, fund, DEBIT, value), Leg(acc.CASH, fund, CREDIT, value)] + release), None, None
    if kind == "clawback":  # money returned by a recipient: never more than was paid
        return {name: (0, 0, -pence)}, post([Leg(acc.CASH, fund, DEBIT, value),
                                             Leg(acc.GRANT_EXPENDITURE, fund, CREDIT, value)]), None, None
    if kind == "transfer":  # from this fund to the other, through the inter-fund account
        other = "poca" if name == "core" else "core"
        return {name: (-pence, 0, 0), other: (pence, 0, 0)}, post([
            Leg(acc.TRANSFERS, fund, DEBIT, value), Leg(acc.INTER_FUND, fund, CREDIT, value),
            Leg(acc.INTER_FUND, fund_of[other], DEBIT, value), Leg(acc.TRANSFERS, fund_of[other], CREDIT, value),
        ]), None, None
    raise AssertionError(kind)


@PROPERTIES
@given(operations=st.lists(operation, min_size=4, max_size=20))
# Written-out sequences that every run includes: a whole grant's life with a clawback, and reversals that must be
# refused (the award letter once its money is committed; a payment reversed after the rest was spent).
@example(operations=[("commit", "core", "60", DATES[1]), ("pay", "core", "50", DATES[1]),
                     ("clawback", "core", "40", DATES[2]), ("release", "core", "100", DATES[2]),
                     ("reverse", 0, "0", DATES[3]), ("reverse", 3, "0", DATES[3])])
@example(operations=[("commit", "poca", "100", DATES[1]), ("pay", "poca", "100", DATES[1]),
                     ("clawback", "poca", "100", DATES[2]), ("commit", "poca", "100", DATES[2]),
                     ("reverse", 4, "0", DATES[3]), ("overcommit", "core", "0.01", DATES[3])])
def test_any_sequence_keeps_the_ledger_sound_and_refuses_exactly_what_would_overspend(
        core_fund, poca_fund, year, officer, operations):
    fund_of = {"core": core_fund, "poca": poca_fund, "year": year}
    with transaction.atomic():
        model = Model()
        # Start with money in both funds so that spending steps have something to spend.
        opening = [("award", "core", "100000.00", DATES[0]), ("poca", "poca", "40000.00", DATES[0])]
        for op in opening + operations:
            planned = plan(op, model, fund_of)
            if planned is None:
                continue
            effects, perform, reversing, refusal_expected = planned
            model_refusal = None if refusal_expected else model.refusal(effects, op[3])
            expected = refusal_expected is None and model_refusal is None
            before = snapshot()
            try:
                entry = perform(officer)
            except ValidationError as refusal:
                assert not expected, f"{op} was refused but the model allows it: {refusal.messages}"
                assert (refusal_expected or model_refusal) in " ".join(refusal.messages)
                assert snapshot() == before, f"refused {op} changed the ledger"
            else:
                assert expected, f"{op} was posted but takes a fund below zero available"
                model.apply(effects)
                model.entries.append((entry, effects, op[3]))
                if reversing is not None:
                    model.reversed.add(reversing)
                    model.reversed.add(len(model.entries) - 1)  # a reversal is not reversed again here
            for name in ("core", "poca"):
                available = fund_available(fund=fund_of[name], year=year)
                assert to_pence(available) == model.positions[name].available >= 0
        report = verify()
        assert report.problems == []
        assert report.entries == len(model.entries)
        transaction.set_rollback(True)
