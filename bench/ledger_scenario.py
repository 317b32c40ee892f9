"""A synthetic but realistic ledger for benchmarks: a dozen funds over several financial years, income, and many
small grants committed, paid monthly in arrears and closed, posted in date order through ``bench.bulk``.

Deterministic for a given seed and size, so runs can be compared.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User

from core.roles import FINANCE_OFFICER
from funds.calendar import year_open
from funds.models import FinancialYear, Fund, Funder
from funds.services import fund_create, funder_create
from ledger import accounts as acc

LONDON = ZoneInfo("Europe/London")

FUNDERS = [
    ("Ministry of Justice", "MoJ", Funder.Kind.GOVERNMENT),
    ("Home Office", "Home Office", Funder.Kind.GOVERNMENT),
    ("West Midlands Combined Authority", "WMCA", Funder.Kind.COMBINED_AUTHORITY),
    ("HM Treasury", "HMT", Funder.Kind.TREASURY),
    ("West Midlands Police and Crime Commissioner", "PCC", Funder.Kind.POLICING_BODY),
]

# code, name, funder, limit basis, income kind, year-end rule, yearly income in pounds
FUNDS = [
    ("MOJ-CORE", "Victims' services core grant", "MoJ", "award", "grant", "return", 3_412_000),
    ("MOJ-DASV", "Domestic abuse and sexual violence grant", "MoJ", "award", "grant", "return", 2_150_000),
    ("VAWG-PROG", "VAWG programme funding", "WMCA", "award", "grant", "carry_forward", 1_800_000),
    ("SV-DUTY", "Serious violence duty", "Home Office", "award", "grant", "return", 1_200_000),
    ("SAFER-STREETS", "Safer streets", "Home Office", "award", "grant", "return", 900_000),
    ("YOUTH-DIV", "Youth diversion (18-25)", "MoJ", "award", "grant", "return", 750_000),
    ("CSP-GRANTS", "Community safety partnership grants", "PCC", "award", "grant", "carry_forward", 2_600_000),
    ("HATE-CRIME", "Hate crime support", "WMCA", "award", "grant", "return", 250_000),
    ("POCA", "Proceeds of crime community fund", "Home Office", "receipts", "poca", "carry_forward", 730_000),
    ("FPN-RETAINED", "Retained fixed penalty income", "HMT", "receipts", "fpn", "carry_forward", 1_654_000),
    ("SPEED-FEES", "Speed-awareness course fees", "PCC", "receipts", "fees", "carry_forward", 400_000),
    ("PROPERTY-ACT", "Police (Property) Act receipts", "PCC", "receipts", "other", "carry_forward", 60_000),
]
FPN_RETAINED_PERCENT = 25
INCOME_ACCOUNT = {"poca": acc.POCA_INCOME, "fpn": acc.FPN_INCOME, "fees": acc.FEE_INCOME, "other": acc.OTHER_INCOME}
# Lines a grant brings on average (a commitment, monthly payments of four lines, a release), as measured.
LINES_PER_GRANT = 27


def setup_reference(first_year: int, last_year: int, *, officer: User | None = None
                    ) -> tuple[User, dict[str, Fund], dict[int, FinancialYear]]:
    """People, years and funds, through the real services (funds that exist already, e.g. the demo's, are kept)."""
    if officer is None:
        officer, created = User.objects.get_or_create(username="bench-officer", defaults={"first_name": "Bench"})
        if created:
            officer.groups.add(Group.objects.get(name=FINANCE_OFFICER))
    years = {y: year_open(start_year=y, by=officer) for y in range(first_year, last_year + 1)}
    funders = {}
    for name, short, kind in FUNDERS:
        funders[short] = Funder.objects.filter(name=name).first() or funder_create(
            name=name, short_name=short, kind=kind, by=officer
        )
    funds = {}
    for code, name, funder, basis, kind, year_end, _ in FUNDS:
        funds[code] = Fund.objects.filter(code=code).first() or fund_create(
            code=code, name=name, funder=funders[funder], purpose=f"{name}: benchmark data.", limit_basis=basis,
            income_kind=kind, year_end_rule=year_end, by=officer, grant_approval_threshold="100000",
            virement_threshold="25000", retained_share_percent=str(FPN_RETAINED_PERCENT) if kind == "fpn" else "0",
        )
    return officer, funds, years


def business_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Grant:
    fund: Fund
    year_id: int
    wanted: int  # pence
    payments: int
    committed: int = 0
    paid: int = 0
    number: int = 0
    done: list = field(default_factory=list)


class Scenario:
    """Posts income and grants year by year into a ``BulkLedger`` until about ``lines`` journal lines exist."""

    def __init__(self, *, ledger, funds: dict[str, Fund], years: dict[int, FinancialYear], lines: int,
                 today: date, seed: int = 2026):
        self.ledger = ledger
        self.funds = funds
        self.years = years
        self.target = lines
        self.today = today
        self.rng = random.Random(seed)
        self.grant_seq = 0

    def posted_at(self, day: date) -> datetime:
        lag = 0 if self.rng.random() < 0.7 else self.rng.randint(1, 4)
        moment = datetime.combine(day + timedelta(days=lag), time(9, 0), LONDON) + timedelta(
            seconds=self.rng.randint(0, 8 * 3600), microseconds=self.rng.randint(0, 999_999)
        )
        latest = datetime.combine(self.today, time(0, 0), LONDON) - timedelta(minutes=1)
        return min(moment, latest)

    def post(self, day, description, legs, source_type, reference=""):
        self.ledger.add(day=day, posted_at=self.posted_at(day), description=description, legs=legs,
                        source_type=source_type, source_reference=reference)

    def run(self) -> None:
        starts = sorted(self.years)
        spans = {y: business_days(date(y, 4, 1), min(date(y + 1, 3, 31), self.today - timedelta(days=1)))
                 for y in starts}
        total_days = sum(len(d) for d in spans.values())
        for start in starts:
            if not spans[start]:
                continue
            share = len(spans[start]) / total_days
            self.run_year(start, spans[start], int(self.target * share))

    def run_year(self, start: int, days: list[date], lines: int) -> None:
        rng = self.rng
        year = self.years[start]
        ended = date(start + 1, 3, 31) < self.today
        first_days = sorted({(d.year, d.month): d for d in reversed(days)}.values())  # first working day of each month
        income_total = sum(f[6] for f in FUNDS)
        grants_total = max(1, lines // LINES_PER_GRANT)
        events = []  # (day, order, seq, kind, payload)
        seq = 0

        def event(day, order, kind, payload):
            nonlocal seq
            seq += 1
            events.append((day, order, seq, kind, payload))

        for code, _, _, basis, kind, _, yearly in FUNDS:
            fund = self.funds[code]
            pence = yearly * 100
            if basis == "award":
                event(days[0], 0, "award", (fund, pence))
                for q, month in enumerate((4, 7, 10, 1)):
                    day = next((d for d in days if d.month == month and d.day >= 15), None)
                    if day is not None:
                        event(day, 0, "receipt", (fund, pence // 4 if q < 3 else pence - 3 * (pence // 4), q + 1))
            elif kind == "fpn":
                for p in range(12):
                    month = (p + 3) % 12 + 1
                    day = next((d for d in days if d.month == month), None)
                    if day is not None:
                        event(day, 0, "fpn", (fund, pence // 12, p + 1))
            else:
                weekly = [d for d in days if d.weekday() == 1]
                for n, day in enumerate(weekly):
                    event(day, 0, "cash", (fund, max(100, pence // 52 + rng.randint(-pence // 200, pence // 200)), n))
            n_grants = max(1, grants_total * yearly // income_total)
            for _ in range(n_grants):
                wanted = int(pence * 0.85 / n_grants * rng.uniform(0.6, 1.4))
                commit_day = days[rng.randint(0, min(len(days) - 1, 140))]
                pay_days = [d for d in first_days if d > commit_day + timedelta(days=25)][:10]
                self.grant_seq += 1
                grant = Grant(fund=fund, year_id=year.pk, wanted=max(wanted, 10000),
                              payments=max(1, len(pay_days)), number=self.grant_seq)
                event(commit_day, 1, "commit", grant)
                for i, day in enumerate(pay_days):
                    event(day, 2, "pay", (grant, i))
                if ended:
                    event(days[-1], 3, "release", grant)
        if ended:
            for code, _, _, _, _, rule, _ in FUNDS:
                if rule == "carry_forward" and start + 1 in self.years:
                    event(days[-1], 4, "carry", self.funds[code])
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        for day, _, _, kind, payload in events:
            getattr(self, f"do_{kind}")(day, year, payload)

    # --- the entries -----------------------------------------------------------------------------------------------

    def do_award(self, day, year, payload):
        fund, pence = payload
        self.post(day, f"Award letter {fund.code} {year.label}", [
            (acc.AWARDS_RECEIVABLE, fund.pk, "D", pence, None), (acc.GRANT_INCOME, fund.pk, "C", pence, None),
        ], "income.awardletter", f"{fund.code}-AWD-{year.label}")

    def do_receipt(self, day, year, payload):
        fund, pence, q = payload
        self.post(day, f"Cash received {fund.code}-RCPT-{year.label}-Q{q} for {fund.code}", [
            (acc.CASH, fund.pk, "D", pence, None), (acc.AWARDS_RECEIVABLE, fund.pk, "C", pence, None),
        ], "income.cashreceipt", f"{fund.code}-RCPT-{year.label}-Q{q}")

    def do_fpn(self, day, year, payload):
        fund, gross, p = payload
        share = fund.retained_share_percent
        retained = int(gross * share / 100)  # whole pence, rounded down: the rest is owed to HM Treasury
        legs = [(acc.CASH, fund.pk, "D", gross, None)]
        if retained:
            legs.append((acc.FPN_INCOME, fund.pk, "C", retained, None))
        legs.append((acc.TREASURY_CREDITOR, fund.pk, "C", gross - retained, None))
        self.post(day, f"Fixed penalties {year.label} P{p}: {gross // 10000} tickets, {share}% retained", legs,
                  "income.fpnreturn", f"FPN-{year.label}-P{p:02d}")

    def do_cash(self, day, year, payload):
        fund, pence, n = payload
        self.post(day, f"Receipt {fund.code} {year.label} week {n + 1}", [
            (acc.CASH, fund.pk, "D", pence, None), (INCOME_ACCOUNT[fund.income_kind], fund.pk, "C", pence, None),
        ], f"income.{fund.income_kind}receipt", f"{fund.code}-{year.label}-{n + 1:03d}")

    def do_commit(self, day, year, grant: Grant):
        available = self.ledger.available(grant.fund.pk, grant.year_id)
        amount = min(grant.wanted, int(available * 0.9))
        if amount < 10000:
            return  # not enough money yet: the grant is not approved, as the ring-fence demands
        grant.committed = amount
        f = grant.fund.pk
        self.post(day, f"Grant G{grant.number:06d} approved: commitment on {grant.fund.code}", [
            (acc.COMMITMENTS, f, "D", amount, None), (acc.COMMITMENT_CONTROL, f, "C", amount, None),
        ], "grants.grant", f"G{grant.number:06d}")

    def do_pay(self, day, year, payload):
        grant, i = payload
        if not grant.committed:
            return
        left = grant.committed - grant.paid
        pence = left // (grant.payments - i) if i < grant.payments - 1 else left
        if i == grant.payments - 1 and self.rng.random() < 0.3:
            pence = left * 3 // 4  # a final claim below the award: the rest is released at year end
        if pence <= 0:
            return
        grant.paid += pence
        f = grant.fund.pk
        self.post(day, f"Grant G{grant.number:06d} instalment {i + 1} paid", [
            (acc.COMMITMENT_CONTROL, f, "D", pence, None), (acc.COMMITMENTS, f, "C", pence, None),
            (acc.GRANT_EXPENDITURE, f, "D", pence, None), (acc.CASH, f, "C", pence, None),
        ], "grants.payment", f"G{grant.number:06d}-{i + 1}")

    def do_release(self, day, year, grant: Grant):
        left = grant.committed - grant.paid
        if left > 0:
            f = grant.fund.pk
            self.post(day, f"Grant G{grant.number:06d} closed: unspent commitment released", [
                (acc.COMMITMENT_CONTROL, f, "D", left, None), (acc.COMMITMENTS, f, "C", left, None),
            ], "grants.grant", f"G{grant.number:06d}")

    def do_carry(self, day, year, fund):
        left = self.ledger.available(fund.pk, year.pk)
        if left <= 0:
            return
        nxt = self.years[year.start_year + 1]
        f = fund.pk
        self.post(day, f"{fund.code}: unspent {year.label} balance carried forward to {nxt.label}", [
            (acc.TRANSFERS, f, "D", left, year.pk), (acc.INTER_FUND, f, "C", left, year.pk),
            (acc.INTER_FUND, f, "D", left, nxt.pk), (acc.RESERVES_BROUGHT_FORWARD, f, "C", left, nxt.pk),
        ], "ledger.yearend", f"{fund.code}-CF-{year.label}")
