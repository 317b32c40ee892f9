"""A small, fixed scenario for the statements: one award-based fund with three budget lines, a proceeds of crime
fund and a fixed penalty fund, posted through the real services. Every figure below is asserted exactly."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from funds.budgets import budget_line_create, forecast_record, virement_request
from income.services import fpn_return_record, poca_receipt_record, receipt_record
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post


def commit(fund, amount, by, day):
    return entry_post(date=day, description="Grant commitment", by=by, legs=[
        Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount)), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount))])


def pay(fund, amount, by, day):
    """A grant payment: expenditure out of cash, and the commitment it settles released."""
    value = Decimal(amount)
    return entry_post(date=day, description="Grant payment", by=by, legs=[
        Leg(acc.GRANT_EXPENDITURE, fund, DEBIT, value), Leg(acc.CASH, fund, CREDIT, value),
        Leg(acc.COMMITMENT_CONTROL, fund, DEBIT, value), Leg(acc.COMMITMENTS, fund, CREDIT, value)])


@dataclass
class Scenario:
    year: object
    core: object
    poca: object
    fpn: object
    lines: dict
    officer: object
    officer2: object
    director: object
    known_at: object  # the moment just after everything was recorded


@pytest.fixture
def scenario(funded_core, poca_fund, fpn_fund, year, officer, officer2, director) -> Scenario:
    core = funded_core
    receipt_record(fund=core, reference="MOJ-RCPT-Q1", date=date(2025, 4, 20), amount="125000.00", by=officer)
    lines = {
        "hubs": budget_line_create(fund=core, year=year, heading="Victim support hubs", amount="300000.00", by=officer),
        "counselling": budget_line_create(fund=core, year=year, heading="Specialist counselling", amount="150000.00",
                                          phasing="monthly", by=officer),
        "rj": budget_line_create(fund=core, year=year, heading="Restorative justice", amount="50000.00", by=officer),
        "poca": budget_line_create(fund=poca_fund, year=year, heading="Helping Communities Fund", amount="40000.00",
                                   by=officer),
    }
    virement_request(from_line=lines["rj"], to_line=lines["counselling"], amount="10000.00",
                     reason="Counselling waiting list has grown.", by=officer)
    forecast_record(line=lines["hubs"], amount="290000.00", by=officer, note="One hub opened late",
                    made_on=date(2025, 10, 15))
    commit(core, "200000.00", officer, date(2025, 5, 1))
    pay(core, "60000.00", officer, date(2025, 7, 15))
    pay(core, "30000.00", officer, date(2025, 11, 10))
    poca_receipt_record(fund=poca_fund, reference="ARIS-001", case_reference="T20247781", date=date(2025, 5, 12),
                        gross_recovered="186000.00", agency_share_percent="18.75", by=officer)
    poca_receipt_record(fund=poca_fund, reference="ARIS-002", case_reference="T20251102", date=date(2025, 6, 12),
                        gross_recovered="77250.00", agency_share_percent="12.5", by=officer)
    fpn_return_record(fund=fpn_fund, reference="FPN-P01", month_start=date(2025, 4, 1), tickets=1387,
                      gross_value="138700.00", by=officer)
    fpn_return_record(fund=fpn_fund, reference="FPN-P02", month_start=date(2025, 5, 1), tickets=1394,
                      gross_value="139400.00", by=officer)
    return Scenario(year=year, core=core, poca=poca_fund, fpn=fpn_fund, lines=lines, officer=officer,
                    officer2=officer2, director=director, known_at=timezone.now())


@dataclass
class GrantsScenario:
    base: Scenario
    brindley: object
    haven: object
    isva: object
    outreach: object
    refuge: object
    people: object
    referrals: object


@pytest.fixture
def grants_scenario(scenario, commissioner) -> GrantsScenario:
    """On top of ``scenario``: two providers and three grants, one of them not to be published.

    G1 ISVA (Brindley Survivors Trust): £60,000.00 from MOJ-CORE, approved 01/05/2025, Q1 and Q2 returns accepted
    (people supported 50 + 60 of 200, referrals 80 + 70 of 300), paid £15,000.00 on 30/07/2025 and 30/10/2025.
    G2 outreach (Brindley): £20,000.00 from POCA approved 01/07/2025, varied to £24,000.00 on 01/09/2025.
    G3 refuge (Safe Haven Refuge CIC, do not publish): £40,000.00 from MOJ-CORE approved 01/06/2025.
    """
    from grants.awards import decision_record, grant_create
    from grants.checks import check_complete
    from grants.models import Instalment
    from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
    from grants.outcomes import (
        monitoring_return_accept,
        monitoring_return_submit,
        outcome_measure_create,
        outcome_target_set,
    )
    from grants.payments import payment_record
    from grants.variations import variation_approve, variation_request
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit

    s = scenario
    officer, officer2, year = s.officer, s.officer2, s.year
    brindley = organisation_create(name="Brindley Survivors Trust", charity_number="1187654",
                                   company_number="09876543", address="14 Canal Side, Birmingham", postcode="B1 2JP",
                                   by=officer)
    details = bank_details_submit(organisation=brindley, account_name="Brindley Survivors Trust", sort_code="20-45-77",
                                  account_number="31926819", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the charity register")
    haven = organisation_create(name="Safe Haven Refuge CIC", company_number="12345678",
                                address="PO Box 12, Coventry", postcode="CV1 1AA", by=officer)
    isva_service = service_create(organisation=brindley, name="ISVA service", area_type="local_authority",
                                  area_name="Birmingham", area_code="E08000025", by=officer)
    outreach_service = service_create(organisation=brindley, name="Community outreach", area_type="pfa",
                                      area_name="West Midlands", area_code="E23000014", by=officer)
    refuge_service = service_create(organisation=haven, name="Refuge", area_type="csp", area_name="Coventry",
                                    area_code="E22000001", by=officer)

    def grant(title, org, service, funding, approved_on, decision=None, **extra):
        g = grant_create(title=title, purpose=f"{title} for survivors", organisation=org, service=service,
                         senior_responsible_officer="Ruth Kaur", allocation_method="competed",
                         start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=officer, funding=funding,
                         **extra)
        grant_submit(grant=g, by=officer)
        return grant_approve(grant=g, by=commissioner, on=approved_on, decision=decision)

    poca_decision = decision_record(number="031-2025", date=date(2025, 6, 20), decision_maker=commissioner,
                                    summary="Community outreach grants from the proceeds of crime fund", by=officer)
    variation_decision = decision_record(number="044-2025", date=date(2025, 8, 28), decision_maker=commissioner,
                                         summary="Second outreach worker", by=officer)

    isva = grant("Independent sexual violence advisers", brindley, isva_service,
                 [(s.core, year, "60000.00", s.lines["hubs"])],
                 date(2025, 5, 1))
    outreach = grant("Community outreach", brindley, outreach_service, [(s.poca, year, "20000.00")],
                     date(2025, 7, 1), decision=poca_decision)
    refuge = grant("Refuge support", haven, refuge_service, [(s.core, year, "40000.00", s.lines["hubs"])],
                   date(2025, 6, 1),
                   do_not_publish=True, do_not_publish_reason="Safety: the service runs a refuge.")
    variation = variation_request(grant=outreach, by=officer, reason="Second outreach worker",
                                  amounts=[(s.poca, year, "24000.00")])
    variation_approve(variation=variation, by=commissioner, on=date(2025, 9, 1), decision=variation_decision)

    people = outcome_measure_create(fund=s.core, code="people-supported", name="People supported", by=officer)
    referrals = outcome_measure_create(fund=s.core, code="referrals", name="Referrals received", unit="referrals",
                                       by=officer)
    outcome_target_set(grant=isva, measure=people, year=year, target="200", by=officer)
    outcome_target_set(grant=isva, measure=referrals, year=year, target="300", by=officer)
    grant_offer_accept(grant=isva, accepted_on=date(2025, 5, 12), by=officer)
    for check in isva.checks.all():
        check_complete(check=check, evidence=f"Seen: {check.check_type.label}", by=officer)
    for quarter, received, rag, people_n, referrals_n in ((1, date(2025, 7, 10), "green", "50", "80"),
                                                          (2, date(2025, 10, 10), "amber", "60", "70")):
        ret = monitoring_return_submit(grant=isva, year=year, quarter=quarter, received_on=received,
                                       spend_reported="15000.00", rag=rag, by=officer,
                                       values={people: people_n, referrals: referrals_n},
                                       delivery_issues="" if rag == "green" else "One adviser on long-term leave")
        monitoring_return_accept(monitoring_return=ret, by=officer2)
    for quarter, paid_on in ((1, date(2025, 7, 30)), (2, date(2025, 10, 30))):
        instalment = Instalment.objects.get(grant=isva, quarter=quarter)
        payment_record(instalment=instalment, amount="15000.00", paid_on=paid_on, by=officer)
    return GrantsScenario(base=s, brindley=brindley, haven=haven, isva=isva, outreach=outreach, refuge=refuge,
                          people=people, referrals=referrals)
