"""Grants for the demo: about 40 fictional providers and 120 grants in every state of their life, driven through
the real grant services (so every rule is checked and every posting goes through the ledger).

The demo's story runs to late November 2026: 2025/26 is the past year (its grants are closed or finishing), 2026/27
the current one (grants active and paid to Q2, some returns still awaited), with new grants in the pipeline. Each
grant is a story on the demo's timeline (``demo.timeline``): drafted, submitted, approved, its offer accepted, its
returns and payments each quarter, each step on its own day; the bids still waiting for a decision were submitted a
few days to a few weeks before the day the demo is loaded.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.money import quantize
from demo.grant_providers import AREAS, MEASURES, PROVIDERS
from demo.timeline import at, run_stories, working_day
from funds.models import BudgetLine
from grants.awards import decision_record, decisions_needed, grant_create
from grants.checks import CheckEntry, check_complete, checks_record
from grants.models import Grant, MonitoringReturn, ServiceCategory
from grants.organisations import (
    bank_details_reject,
    bank_details_submit,
    bank_details_verify,
    organisation_create,
    service_create,
)
from grants.outcomes import (
    annual_review_record,
    monitoring_return_accept,
    monitoring_return_send_back,
    monitoring_return_submit,
    outcome_measure_create,
    outcome_target_set,
)
from grants.payments import clawback_record, payment_record
from grants.providers import provider_users
from grants.schedule import InstalmentChange, schedule_update
from grants.variations import variation_approve, variation_request
from grants.workflow import (
    grant_approve,
    grant_close,
    grant_offer_accept,
    grant_reject,
    grant_return,
    grant_submit,
    grant_withdraw,
)
from ledger.posting import earliest_date_allowed

# Amount ranges per fund for one year of a grant (pounds).
RANGES = {"MOJ-CORE": (40000, 130000), "MOJ-DASV": (35000, 120000), "VAWG-PROG": (25000, 110000),
          "POCA": (3000, 20000), "SPEED-FEES": (20000, 45000)}

PURPOSES = {
    "ISVA": "Independent sexual violence advisers supporting adult survivors through the criminal justice process.",
    "Children's ISVA": "Specialist advisers for children and young people who have experienced sexual violence.",
    "IDVA": "Independent domestic violence advisers for victims at high risk of serious harm.",
    "Refuge": "Safe accommodation and key-worker support for women and children fleeing domestic abuse.",
    "Counselling": "Trauma-informed counselling so that victims of crime can cope and recover.",
    "Victim support hub": "A local hub giving practical and emotional support to victims of crime.",
    "Victim advocacy": "Advocacy for victims navigating the police, courts and other services.",
    "Restorative justice": "Restorative justice conferences between victims and offenders, led by trained staff.",
    "Recovery": "Long-term recovery support for victims of serious violence.",
    "Youth diversion": "Diverting young adults aged 18-25 from offending through mentoring and training.",
    "Mentoring": "One-to-one mentoring for young adults at risk of offending.",
    "Sport": "Structured sport and coaching as a route away from offending for young adults.",
    "Community safety": "A neighbourhood project making streets and public spaces safer.",
    "Domestic abuse outreach": "Outreach to victims of domestic abuse who do not use refuge services.",
    "Peer support": "Peer support groups for survivors of violence against women and girls.",
    "Safe spaces": "Safe spaces in the night-time economy for women and girls at risk.",
    "Night-time": "Welfare and safety support in the night-time economy.",
    "Outreach for women": "Street outreach to women at risk of exploitation and violence.",
    "Prevention in schools": "Healthy relationships education in secondary schools.",
    "Perpetrator programme": "An accredited programme for perpetrators of domestic abuse to change their behaviour.",
    "Road safety": "Road safety education for drivers and young people, paid from speed-awareness course fees.",
}

# (state, date pattern, how many)
SCENARIOS = [
    ("closed", "2025", 18), ("final_return_due", "2025", 2), ("active", "two_year", 20), ("active", "2026", 33),
    ("offer_accepted", "late_2026", 8), ("approved", "2027", 8), ("submitted", "late_2026", 10),
    ("returned", "late_2026", 4), ("rejected", "late_2026", 4), ("draft", "late_2026", 8),
    ("withdrawn_draft", "late_2026", 2), ("withdrawn_submitted", "late_2026", 1), ("withdrawn_approved", "2027", 1),
    ("withdrawn_active", "2026", 1),
]


# The budget line a service draws on, by fund: the first heading whose keyword is in the service's name, else the last.
BUDGET_LINE_KEYWORDS = {
    "MOJ-CORE": [("restorative", "Restorative justice"), ("counselling", "Specialist counselling"),
                 ("", "Victim support hubs")],
    "MOJ-DASV": [("isva", "ISVA services"), ("refuge", "Refuge support"), ("", "IDVA services")],
    "VAWG-PROG": [("safe spaces", "Safe spaces at night"), ("perpetrator", "Perpetrator programmes"),
                  ("", "Prevention in schools")],
    "POCA": [("community safety", "My Community Fund"), ("", "Helping Communities Fund")],
    "SPEED-FEES": [("", "Road safety education")],
    "FPN-RETAINED": [("", "Road safety projects")],
}


# The service category a demo service is reported under in funder returns (the categories are seeded by migration):
# the first whose keyword is in the service's name, else "other".
CATEGORY_KEYWORDS = [("isva", "isva"), ("idva", "idva"), ("refuge", "refuge"), ("counselling", "counselling"),
                     ("restorative", "restorative-justice"), ("helpline", "helpline")]


def category_for(service_name: str) -> ServiceCategory | None:
    name = service_name.lower()
    code = next((c for keyword, c in CATEGORY_KEYWORDS if keyword in name), "other")
    return ServiceCategory.objects.filter(code=code).first()


def budget_line_for(fund, year, service_name: str) -> BudgetLine | None:
    name = service_name.lower()
    heading = next(h for keyword, h in BUDGET_LINE_KEYWORDS[fund.code] if keyword in name)
    return BudgetLine.objects.filter(fund=fund, year=year, heading=heading).first()


def _purpose(service_name: str) -> str:
    for key, text in PURPOSES.items():
        if service_name.lower().startswith(key.lower()) or key.lower() in service_name.lower():
            return text
    return "Support for victims of crime and safer communities."


@dataclass
class Plan:
    state: str
    pattern: str
    service: object
    fund_code: str
    n: int


class Seeder:
    def __init__(self, users, funds, years, *, today: date | None = None):
        self.users, self.funds, self.years = users, funds, years
        self.today = today or timezone.localdate()
        self.officers = [users["finance"], users["finance2"]]
        self.commissioners = [users["commissioner"], users["commissioner2"]]
        # Each grant draws its figures from its own generators (one for the cope-and-recover measures beyond the
        # first three), so the figures do not depend on the order the stories interleave in.
        self.rngs: dict[int, tuple[random.Random, random.Random]] = {}
        self.extra_measures: set[int] = set()
        self.decisions: dict[int, int] = {}
        self.measures: dict[str, list] = {}
        self.services: list = []
        self.made: dict[int, tuple[str, Grant]] = {}  # plan number -> (scenario state, grant)

    # --- reference data and providers -------------------------------------------------------------------------
    def providers(self):
        """The outcome measures and the providers, registered in the fortnight before the year begins: each
        provider's bank details entered by one officer and verified by call-back the next working day."""
        officer, officer2 = self.officers
        yield at(date(2025, 3, 17), "09:30")
        for code, rows in MEASURES.items():
            self.measures[code] = [outcome_measure_create(fund=self.funds[code], code=c, name=name, unit=unit,
                                                          by=officer) for c, name, unit in rows]
        # The MoJ's core grant asks for every cope-and-recover outcome (the bi-annual funder return reports them).
        self.extra_measures = {m.pk for m in self.measures["MOJ-CORE"][3:]}
        entered = []
        for i, (name, charity, company, street, area, postcode, offered) in enumerate(PROVIDERS):
            yield at(working_day(2025, 3, 13 + i // 8), f"{10 + i % 8 // 2:02d}:{i % 2 * 30:02d}")
            org = organisation_create(name=name, charity_number=charity, company_number=company,
                                      address=f"{street}, {area}", postcode=postcode, by=officer)
            sort_code = f"{20 + i % 60:02d}-{(i * 7) % 100:02d}-{(i * 13) % 100:02d}"
            entered.append((i, bank_details_submit(
                organisation=org, account_name=name[:100], sort_code=sort_code,
                account_number=f"{41000000 + i * 104729:08d}"[-8:], by=officer, reason="Bank letter on file")))
            for service_name, fund_code in offered:
                service = service_create(organisation=org, name=service_name, area_type="local_authority",
                                         area_name=area, area_code=AREAS[area], by=officer)
                self.services.append((service, fund_code))
            if i % 8 == 7 or i == len(PROVIDERS) - 1:  # the day's batch verified the next working day
                yield at(working_day(2025, 3, 14 + i // 8), "14:00")
                for k, details in entered:
                    bank_details_verify(details=details, by=officer2 if k % 3 else self.commissioners[0],
                                        note="Call-back to the number on the register; bank letter matches")
                entered = []

    # --- one grant --------------------------------------------------------------------------------------------
    def amount(self, rng: random.Random, fund_code: str, small: bool) -> Decimal:
        low, high = (2000, 5000) if small else RANGES[fund_code]
        return Decimal(rng.randrange(low, high, 250)).quantize(Decimal("0.01"))

    def dates(self, pattern: str, n: int) -> tuple[date, date, list[int]]:
        if pattern == "2025":
            return date(2025, 4, 1), date(2026, 3, 31), [2025]
        if pattern == "two_year":
            return date(2025, 4, 1), date(2027, 3, 31), [2025, 2026]
        if pattern == "2026":
            return (date(2026, 7, 1) if n % 5 == 4 else date(2026, 4, 1)), date(2027, 3, 31), [2026]
        if pattern == "late_2026":
            return (date(2026, 12, 1) if n % 2 else date(2027, 1, 1)), date(2027, 3, 31), [2026]
        return date(2027, 1, 1), date(2027, 3, 31), [2026]  # "2027": starting in the new calendar year

    def decision_for(self, grant: Grant, on: date):
        by_fund = {}
        for line in grant.funding_lines.select_related("fund"):
            by_fund[line.fund] = by_fund.get(line.fund, 0) + line.amount.amount
        if not decisions_needed(by_fund):
            return None
        number = self.decisions[on.year] = self.decisions.get(on.year, 10) + 1
        commissioner = self.commissioners[0]
        return decision_record(number=f"{number:03d}-{on.year}", date=on - timedelta(days=3),
                               decision_maker=commissioner, by=commissioner, is_public=not grant.do_not_publish,
                               confidential_reason="Safety: it names a refuge whose location must stay confidential."
                               if grant.do_not_publish else "",
                               summary=f"Award of {grant.title} to {grant.organisation.name}")

    def create(self, plan: Plan) -> Grant:
        service, n = plan.service, plan.n
        start, end, years = self.dates(plan.pattern, n)
        small = service.organisation.identifier.startswith("360G-")
        fund = self.funds[plan.fund_code]
        rng, outcome_rng = random.Random(f"demo grant {n}"), random.Random(f"demo grant {n} outcomes")
        funding = [(fund, self.years[y], self.amount(rng, plan.fund_code, small),
                    budget_line_for(fund, self.years[y], service.name)) for y in years]
        refuge = "refuge" in service.name.lower()
        method = "formula" if small else ("direct" if n % 7 == 3 else "competed")
        officer = self.officers[n % 2]
        grant = grant_create(
            title=f"{service.name}, {service.area_name} {'2025-27' if len(years) == 2 else self.years[years[0]].label}",
            purpose=_purpose(service.name), organisation=service.organisation, service=service,
            senior_responsible_officer=["Ruth Kaur", "Daniel Osei", "Fiona Walsh"][n % 3],
            allocation_method=method, start_date=start, end_date=end, by=officer,
            direct_award_reason="The only specialist provider in the area; continuity of care for current clients."
            if method == "direct" else "",
            conditions="Quarterly monitoring returns within 10 days of the quarter's end; GDPR-compliant case records; "
                       "acknowledge the Police and Crime Commissioner's funding.",
            risk_rating=["low", "medium", "high", "medium"][n % 4], do_not_publish=refuge,
            do_not_publish_reason="Safety: the service runs a refuge whose location must stay confidential."
            if refuge else "",
            funding=funding, service_category=category_for(service.name),
        )
        self.rngs[grant.pk] = (rng, outcome_rng)
        self.made[n] = (plan.state, grant)
        return grant

    def approve(self, grant: Grant, on: date):
        """Approve on ``on`` (a story step: ``yield from``); a grant on a receipts-based fund whose cash has not
        come in by then waits for the day it has (the ledger's refusal names it, or else a week), as the
        commissioner would. Returns the approved grant."""
        approver = self.commissioners[grant.pk % 2]
        note = "Meets the commissioning intentions"
        while True:
            numbers = dict(self.decisions)
            try:
                with transaction.atomic():  # a refused approval leaves no decision behind
                    return grant_approve(grant=grant, by=approver, decision=self.decision_for(grant, on), on=on,
                                         note=note)
            except ValidationError as refusal:
                self.decisions = numbers
                later = earliest_date_allowed(refusal)
                later = later if later is not None and later > on else on + timedelta(days=7)
                if later >= self.today or on - grant.submitted_at.date() > timedelta(days=120):
                    raise
            note = "Meets the commissioning intentions, now that the fund has received the money"
            yield at(later, "11:00")
            on = later

    def targets(self, grant: Grant):
        officer = grant.created_by
        for line in grant.funding_lines.select_related("fund", "year"):
            measures = self.measures[line.fund.code]
            for measure in measures[:3] + [m for m in measures[3:] if m.pk in self.extra_measures]:
                value = max(10, int(line.amount.amount / (350 if measure.unit == "people" else 250)))
                outcome_target_set(grant=grant, measure=measure, year=line.year, target=str(value), by=officer)

    def checks(self, grant: Grant, upto: int | None = None):
        officer = self.officers[(grant.pk + 1) % 2]
        for check in list(grant.checks.select_related("check_type"))[:upto]:
            check_complete(check=check, evidence=f"{check.check_type.guidance.split(';')[0].rstrip('.')}: seen and "
                                                 f"filed", by=officer)

    def checks_before_decision(self, grant: Grant, n: int, *, on: date):
        """The first checks of a bid, done on the day it is submitted; every third bid's accounts raise a concern."""
        officer = self.officers[(grant.pk + 1) % 2]
        entries = []
        for i, check in enumerate(list(grant.checks.select_related("check_type"))[: 2 + n % 3]):
            concern = i == 1 and n % 3 == 0
            entries.append(CheckEntry(
                check, "concerns" if concern else "satisfactory",
                "Reserves under one month of running costs; ask for a cash-flow forecast" if concern
                else f"{check.check_type.guidance.split(';')[0].rstrip('.')}: seen and filed", on))
        checks_record(grant=grant, entries=entries, by=officer)

    def return_for(self, grant: Grant, year, quarter: int, received_on: date, *, review: str = "accept"):
        """A quarter's monitoring return: submitted by the provider on ``received_on`` (through the portal once the
        organisation has an account there, else entered by the grant's officer), reviewed by the other officer two
        working days later."""
        officer, reviewer = grant.created_by, self.officers[(grant.pk + 1) % 2]
        rng, outcome_rng = self.rngs[grant.pk]
        roll = rng.random()
        rag = "green" if roll < 0.8 else ("amber" if roll < 0.96 else "red")
        values = {}
        for target in grant.targets.filter(year=year).select_related("measure"):
            draw = outcome_rng if target.measure_id in self.extra_measures else rng
            values[target.measure] = str(int(target.target / 4 * Decimal(draw.randrange(75, 120)) / 100))
        spend = sum(i.amount.amount for i in grant.instalments.filter(year=year, quarter=quarter))
        spend = quantize(spend * Decimal(rng.randrange(88, 101)) / 100)
        yield at(received_on, f"{10 + grant.pk % 6:02d}:{grant.pk * 7 % 60:02d}")
        # Sent through the portal once the organisation has an account there (demo.portal); else entered.
        sender = provider_users(grant.organisation).first() or officer
        ret = monitoring_return_submit(
            grant=grant, year=year, quarter=quarter, received_on=received_on, spend_reported=spend, rag=rag,
            values=values, by=sender,
            narrative="Referrals steady; caseworkers in post; partnership meetings held monthly.",
            delivery_issues="" if rag == "green" else
            ("Waiting list grew after a caseworker left; recruitment under way." if rag == "amber"
             else "Two posts vacant and the service paused new referrals for three weeks."),
        )
        if review == "none":
            return ret
        yield at(received_on + timedelta(days=2 if received_on.weekday() < 3 else 4), "14:30")
        if review == "accept":
            ret = monitoring_return_accept(monitoring_return=ret, by=reviewer)
        elif review == "send_back":
            ret = monitoring_return_send_back(monitoring_return=ret, by=reviewer,
                                              reason="Spend reported does not match the invoices supplied; resend "
                                                     "with the ledger extract.")
        return ret

    def pay_quarter(self, grant: Grant, year, quarter: int, *, review="accept", pay=True, part=None):
        """A story step (``yield from``): the quarter's return nine days after it ends, then the instalments
        paid on their due date."""
        instalments = list(grant.instalments.filter(year=year, quarter=quarter).order_by("id"))
        if not instalments:
            return
        period_end = max(i.period_end for i in instalments)
        ret = yield from self.return_for(grant, year, quarter, period_end + timedelta(days=9), review=review)
        if not pay or ret.status != MonitoringReturn.Status.ACCEPTED:
            return
        yield at(max(i.due_date for i in instalments), "11:30")
        for inst in instalments:
            amount = inst.amount.amount if part is None else quantize(inst.amount.amount * part)
            payment_record(instalment=inst, amount=amount, paid_on=min(inst.due_date, timezone.localdate()),
                           by=self.officers[0], reference=f"BACS {grant.reference}-{year.start_year % 100}Q{quarter}")

    # --- scenarios --------------------------------------------------------------------------------------------
    def drafted_on(self, state: str, pattern: str, n: int) -> date:
        """The day a grant is drafted: a few days before its submission (see ``submitted_on``)."""
        if state == "draft":
            return self.today - timedelta(days=1 + n % 12)
        return self.submitted_on(state, pattern, n) - timedelta(days=1 + n % 4)

    def submitted_on(self, state: str, pattern: str, n: int) -> date:
        if state in ("submitted", "withdrawn_submitted"):  # still waiting: a few days to a few weeks ago
            return max(self.today - timedelta(days=2 + (n * 5) % 19), date(2026, 10, 20))
        if state in ("returned", "rejected"):
            return date(2026, 10, 5) + timedelta(days=n % 10)
        if state == "withdrawn_draft":
            return date(2026, 10, 1) + timedelta(days=n % 10)  # never submitted: withdrawn on this day
        return self.approved_on(pattern, n) - timedelta(days=3 + n % 3)

    @staticmethod
    def approved_on(pattern: str, n: int) -> date:
        return {"2025": date(2025, 4, 14), "two_year": date(2025, 4, 14), "2026": date(2026, 4, 13),
                "late_2026": date(2026, 10, 12), "2027": date(2026, 11, 16)}[pattern] + timedelta(days=n % 5)

    def run(self, plan: Plan) -> None:
        """One grant's life at once, off the timeline, stamped with the real time (bench.generate)."""
        for _moment in self.story(plan.state, plan.pattern, plan.n, plan=plan):
            pass

    def story(self, state: str, pattern: str, n: int, *, plan: Plan | None = None):
        """One grant's life, step by step on the timeline."""
        drafted = self.drafted_on(state, pattern, n)
        yield at(drafted, f"{9 + n % 7:02d}:{(n * 13) % 60:02d}")
        plan = plan or self.plan(state, pattern, n)
        while True:
            try:
                with transaction.atomic():
                    grant = self.create(plan)
                break
            except ValidationError:
                # A receipts-based fund covers only the cash it holds: the bid is drafted once the money is in.
                drafted += timedelta(days=7)
                if drafted >= self.today - timedelta(days=1):
                    raise
                yield at(drafted, "09:15")
        y25, y26 = self.years[2025], self.years[2026]
        if state == "draft":
            return
        # A bid drafted late (waiting for its fund's cash) is submitted the day after.
        submitted = max(self.submitted_on(state, pattern, n), min(drafted + timedelta(days=1), self.today))
        if state == "withdrawn_draft":
            yield at(submitted, "15:00")
            grant_withdraw(grant=grant, by=grant.created_by, reason="Provider withdrew its bid")
            return
        yield at(submitted, f"{14 + n % 3:02d}:{(n * 7) % 60:02d}")
        if state == "submitted":  # a bid waiting for a decision has some of its checks done, so the page shows them
            self.checks_before_decision(grant, n, on=submitted)
        grant = grant_submit(grant=grant, by=grant.created_by)
        if state in ("submitted", "returned", "rejected", "withdrawn_submitted"):
            decider = self.commissioners[grant.pk % 2]
            if state == "returned":
                yield at(grant.submitted_at.date() + timedelta(days=6), "10:00")
                grant_return(grant=grant, by=decider,
                             reason="Add the outcome targets and the exit plan for March 2027.")
            elif state == "rejected":
                yield at(grant.submitted_at.date() + timedelta(days=8), "10:00")
                grant_reject(grant=grant, by=decider, reason="Duplicates a service already commissioned in the area.")
            elif state == "withdrawn_submitted":
                yield at(min(grant.submitted_at.date() + timedelta(days=1), self.today - timedelta(days=1)), "16:00")
                grant_withdraw(grant=grant, by=grant.created_by, reason="Bid resubmitted as a joint bid")
            return
        approve_on = max(self.approved_on(pattern, n), submitted + timedelta(days=3))
        yield at(approve_on, "11:00")
        grant = yield from self.approve(grant, approve_on)
        self.targets(grant)
        if state in ("approved", "withdrawn_approved"):
            if state == "withdrawn_approved":
                yield at(grant.approved_on + timedelta(days=4), "12:00")
                grant_withdraw(grant=grant, by=self.commissioners[0], on=timezone.localdate(),
                               reason="Provider lost its premises before signing the agreement")
            return
        accepted_on = grant.approved_on + timedelta(days=10 + plan.n % 4)
        yield at(accepted_on, "10:00")
        # Accepted in the portal by the organisation's own person, once it has one (demo.portal).
        grant = grant_offer_accept(grant=grant, accepted_on=accepted_on,
                                   by=provider_users(grant.organisation).first() or grant.created_by)
        yield at(accepted_on + timedelta(days=1), "11:00")
        if state == "offer_accepted":
            self.checks(grant, upto=None if plan.n % 2 else 4)
            return
        self.checks(grant)
        if plan.pattern in ("2025", "two_year"):
            for q in (1, 2, 3):
                yield from self.pay_quarter(grant, y25, q)
            if state == "final_return_due":
                yield from self.pay_quarter(grant, y25, 4, review="none")  # final return in, awaiting review: unpaid
                return
            partial = Decimal("0.85") if state == "closed" and plan.n % 6 == 5 else None
            yield from self.pay_quarter(grant, y25, 4, part=partial)
            if state == "closed":
                yield at(date(2026, 5, 6), "14:00")
                annual_review_record(grant=grant, year=y25, by=self.commissioners[1], reviewed_on=date(2026, 5, 6),
                                     outcome="stop" if plan.n % 9 == 8 else "continue",
                                     notes="Targets met; service recommissioned for 2026/27 under a new agreement."
                                     if plan.n % 9 != 8 else "Demand has moved to a neighbouring service.")
                closed_on = date(2026, 5, 20) + timedelta(days=plan.n % 7)
                yield at(closed_on, "15:00")
                grant_close(grant=grant, by=self.officers[1], on=closed_on,
                            reason="Grant period ended; final return accepted")
                return
            yield at(date(2026, 5, 5), "14:00")
            annual_review_record(grant=grant, year=y25, by=self.commissioners[0], reviewed_on=date(2026, 5, 5),
                                 outcome="amend" if plan.n % 8 == 3 else "continue",
                                 notes="On track against targets; continue into the second year.")
        quarters_2026 = [q for q in (1, 2) if any(i.quarter == q for i in grant.instalments.filter(year=y26))]
        for q in quarters_2026:
            if state == "withdrawn_active" and q == 2:
                break  # withdrawn in August, before its second quarter's return
            if q == 2 and plan.n % 6 == 1:
                yield from self.pay_quarter(grant, y26, q, review="none")  # return in, awaiting review
            elif q == 2 and plan.n % 6 == 2:
                continue  # return not yet received
            elif q == 2 and plan.n % 11 == 7:
                yield from self.pay_quarter(grant, y26, q, review="send_back")
            else:
                # Payments leave in payment runs since August 2026 (demo.payments): the October run pays Q2.
                yield from self.pay_quarter(grant, y26, q, pay=q == 1)
        if state == "withdrawn_active":
            yield at(date(2026, 8, 14), "12:00")
            grant_withdraw(grant=grant, by=self.commissioners[1], on=date(2026, 8, 14),
                           reason="Provider ceased trading; remaining commitment released")

    def scenarios(self) -> list[tuple[str, str, int]]:
        return [(state, pattern, n) for n, (state, pattern) in
                enumerate((state, pattern) for state, pattern, count in SCENARIOS for _ in range(count))]

    def plan(self, state: str, pattern: str, n: int) -> Plan:
        service, fund_code = self.services[(n * 7) % len(self.services)]
        # A receipts-based fund commits only cash it holds, and next year's has not come in: a two-year grant
        # draws on an award-based fund.
        if pattern == "two_year" and fund_code in ("POCA", "SPEED-FEES", "FPN-RETAINED"):
            fund_code = "MOJ-CORE"
        return Plan(state, pattern, service, fund_code, n)

    def grants(self, state: str) -> list[Grant]:
        """The grants made for a scenario state, in plan order."""
        return [grant for n, (made_state, grant) in sorted(self.made.items()) if made_state == state]

    # --- the stories a demo needs beyond the states ---------------------------------------------------------
    def extras(self):
        """The stories beyond the states, each on its day; the variation and the bank details still waiting were
        asked for in the days before the demo is loaded."""
        y26 = self.years[2026]
        officer, officer2 = self.officers
        yield at(date(2026, 6, 15), "11:00")
        closed = self.grants("closed")[0]
        line = closed.funding_lines.get()
        clawback_record(funding_line=line, amount="4250.00", received_on=date(2026, 6, 15), by=officer,
                        reason="Underspend returned: a caseworker post was vacant from January to March 2026.")
        active = [g for g in self.grants("active") if g.start_date == date(2026, 4, 1)]
        yield at(date(2026, 9, 15), "12:00")
        bank_org = active[1].organisation
        rejected = bank_details_submit(organisation=bank_org, account_name=bank_org.name, sort_code="60-83-71",
                                       account_number="12345678", by=officer,
                                       reason="Email from 'finance director' asking to change bank")
        yield at(date(2026, 9, 15), "15:30")
        bank_details_reject(details=rejected, by=officer2,
                            note="Call-back to the number on file: the charity sent no such email. Reported to "
                                 "Action Fraud.")
        yield at(date(2026, 10, 19), "10:00")
        grant = active[0]
        gline = grant.funding_lines.select_related("fund").get()
        new_amount = quantize(gline.amount.amount * Decimal("1.15"))
        variation = variation_request(grant=grant, by=grant.created_by, amounts=[(gline.fund, y26, new_amount)],
                                      reason="Referrals up 30% since the new sexual assault referral pathway opened.")
        yield at(date(2026, 11, 2), "15:00")
        variation_approve(variation=variation, by=self.commissioners[(grant.pk + 1) % 2], on=date(2026, 11, 2),
                          decision=self.decision_for_variation(grant, gline.fund, new_amount, date(2026, 11, 2)),
                          note="Extra capacity agreed for the rest of the year")
        yield from self.advance_payment()
        yield at(max(self.today - timedelta(days=9), date(2026, 11, 21)), "10:30")
        two_year = self.grants("active")[1]
        variation_request(grant=two_year, by=two_year.created_by, end_date=date(2027, 6, 30),
                          reason="Extend by three months at no extra cost to align with the recommissioning timetable.")
        yield at(max(self.today - timedelta(days=4), date(2026, 11, 22)), "14:15")
        # The pending change lands on a provider with an instalment due, so the payments list shows it blocking.
        waiting = [g for g in active[2:] if g.returns.filter(status=MonitoringReturn.Status.SUBMITTED).exists()]
        pending_org = (waiting or active[2:])[0].organisation
        bank_details_submit(organisation=pending_org, account_name=pending_org.name, sort_code="30-96-26",
                            account_number="87654321", by=officer,
                            reason="Signed letter on headed paper: the charity has moved to a new bank")

    def advance_payment(self):
        """GovS 015 allows paying in advance where justified: one new refuge-style service starting 01/12/2026
        has its first (Q3) instalment scheduled in advance for start-up costs, and paid on 20/11/2026, before the
        quarter ends, with the reason recorded. Every other instalment in the demo is paid in arrears."""
        officer = self.officers[0]
        yield at(date(2026, 11, 18), "10:00")
        starting = [g for g in self.grants("offer_accepted")
                    if g.start_date == date(2026, 12, 1) and not g.checks.filter(is_complete=False).exists()]
        if not starting:
            return
        grant = starting[0]
        first = grant.instalments.select_related("funding_line").order_by("due_date", "id").first()
        schedule_update(funding_line=first.funding_line, by=officer,
                        reason="Start-up costs agreed in the offer letter: staff recruited before the service opens",
                        changes=[InstalmentChange(first, in_advance=True, requires_return=False)])
        yield at(date(2026, 11, 20), "11:00")
        payment_record(instalment=first, amount=first.amount.amount, paid_on=date(2026, 11, 20), by=officer,
                       reference=f"BACS {grant.reference}-ADV",
                       advance_reason="Start-up costs: two caseworkers recruited and trained before the service opens "
                                      "on 01/12/2026.")

    def decision_for_variation(self, grant, fund, amount, on):
        if amount <= fund.grant_approval_threshold.amount:
            return None
        number = self.decisions[on.year] = self.decisions.get(on.year, 10) + 1
        return decision_record(number=f"{number:03d}-{on.year}", date=on - timedelta(days=2),
                               decision_maker=self.commissioners[0], by=self.commissioners[0],
                               summary=f"Variation of {grant.title}")


def grant_stories(users, funds, years, *, today: date) -> tuple[Seeder, list]:
    """The providers' story, one story per grant and the extras, to run on the demo's timeline. ``years`` maps start
    year -> FinancialYear (2025 and 2026); ``today`` is the day the demo is loaded."""
    seeder = Seeder(users, funds, years, today=today)
    stories = [seeder.providers()]
    stories += [seeder.story(state, pattern, n) for state, pattern, n in seeder.scenarios()]
    stories.append(seeder.extras())
    return seeder, stories


def grant_counts() -> dict[str, int]:
    counts = {}
    for status in Grant.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def seed_grants(users, funds, years) -> dict[str, int]:
    """Load the demo's providers and grants through the services, in date order. Returns how many grants ended in
    each status."""
    run_stories(grant_stories(users, funds, years, today=timezone.localdate())[1])
    return grant_counts()
