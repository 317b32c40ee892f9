"""One small world for the transparency tests, built once per module through the real services (and rolled back at
the module's end; each test's own changes roll back to a savepoint inside it).

July 2025 (closed, with every month before it) holds:
- Brindley Survivors Trust's ISVA grant (public): £500.00 paid 14/07, £499.99 paid 15/07 (under the threshold),
  £1,000.00 paid 16/07 and reversed.
- Foundry Lane Women's Refuge's refuge grant (do not publish): £2,500.00 paid 21/07; the refuge is also a supplier
  (staff training, £800.00 net, no VAT, paid 25/07; a £12,000.00 training order).
- Pennine Helpline Ltd (a supplier): £1,000.00 + £200.00 recoverable VAT; £600.00 + £120.00 VAT not recoverable;
  £450.00 + £90.00 recoverable VAT (under the threshold), all paid 25/07, on a £60,000.00 contract.
- Jane Whitmore, a sole trader (an individual): clinical supervision, £700.00 net paid 25/07, on an £11,000.00
  order.
Orders left out of the contracts register: £10,000.00 exactly, one awaiting approval, one rejected.
Decisions: 042-2025 public with a title, 043-2025 public without one, 044-2025 confidential with a reason.
August 2025 is ended but open.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction

from core.audit import save_with_history
from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER
from funds.budgets import budget_line_create
from funds.calendar import periods_close_up_to, year_open
from funds.models import Funder, Period
from funds.services import fund_create, funder_create
from grants.awards import decision_record, grant_create
from grants.checks import check_complete
from grants.models import BankDetails
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from grants.outcomes import monitoring_return_accept, monitoring_return_submit
from grants.payments import payment_record, payment_reverse
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from income.services import award_letter_record
from spending.invoices import invoice_approve, invoice_record
from spending.orders import order_approve, order_raise, order_reject
from spending.supplier_payments import supplier_payment_record
from spending.suppliers import supplier_create
from tests.conftest import make_user

JULY = date(2025, 7, 1)
REFUGE_REASON = "Safety: the service runs a refuge whose location must stay confidential."


@dataclass
class World:
    users: dict
    objects: dict

    def __getitem__(self, key):
        return self.objects[key]


def _org(name, officer, officer2, *, sort_code, account, charity="", company="", address, postcode):
    org = organisation_create(name=name, charity_number=charity, company_number=company, address=address,
                              postcode=postcode, by=officer)
    details = bank_details_submit(organisation=org, account_name=name[:60], sort_code=sort_code,
                                  account_number=account, by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on file")
    return org


def _payable_grant(org, service, title, amount, fund, year, officer, officer2, commissioner, **extra):
    grant = grant_create(
        title=title, purpose="Support for victims of crime", organisation=org, service=service,
        senior_responsible_officer="Ruth Kaur", allocation_method="competed", start_date=date(2025, 4, 1),
        end_date=date(2026, 3, 31), by=officer, funding=[(fund, year, amount)], **extra,
    )
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
    for check in grant.checks.all():
        check_complete(check=check, evidence=f"Seen: {check.check_type.label}", by=officer)
    ret = monitoring_return_submit(grant=grant, year=year, quarter=1, received_on=date(2025, 7, 10),
                                   spend_reported="1000.00", rag="green", values={}, by=officer, narrative="On track")
    monitoring_return_accept(monitoring_return=ret, by=officer2)
    return grant


def _paid_invoice(order, number, net, vat, officer, officer2, *, recoverable=True, on=date(2025, 7, 25)):
    invoice = invoice_record(order=order, supplier_reference=number, invoice_date=date(2025, 7, 1),
                             description=f"{order.title}: June 2025", net=net, vat=vat, by=officer,
                             vat_recoverable=recoverable)
    invoice_approve(invoice=invoice, by=officer2, on=date(2025, 7, 3))
    return supplier_payment_record(invoice=invoice, paid_on=on, by=officer, reference=number)


def build_world() -> World:
    users = {
        "officer": make_user("olivia", FINANCE_OFFICER), "officer2": make_user("oscar", FINANCE_OFFICER),
        "commissioner": make_user("carla", COMMISSIONER), "director": make_user("diana", FINANCE_DIRECTOR),
    }
    officer, officer2, commissioner = users["officer"], users["officer2"], users["commissioner"]
    year_open(start_year=2024)
    year_open(start_year=2026)
    year = year_open(start_year=2025)
    moj = funder_create(name="Ministry of Justice", short_name="MoJ", kind=Funder.Kind.GOVERNMENT, by=officer)
    fund = fund_create(code="MOJ-CORE", name="Victims' services core grant", funder=moj, purpose="Victims cope",
                       limit_basis="award", year_end_rule="return", grant_approval_threshold="100000.00",
                       by=officer)
    award_letter_record(fund=fund, year=year, reference="MOJ-AWD-2526", letter_date=date(2025, 4, 3),
                        amount="500000.00", by=officer)
    line = budget_line_create(fund=fund, year=year, heading="Victim services", amount="400000.00", by=officer)

    brindley = _org("Brindley Survivors Trust", officer, officer2, sort_code="20-45-77", account="31926819",
                    charity="1187654", address="14 Canal Side, Birmingham", postcode="B1 2JP")
    refuge = _org("Foundry Lane Women's Refuge", officer, officer2, sort_code="30-96-26", account="55512345",
                  charity="1123480", address="3 Foundry Lane, Sandwell", postcode="B66 2LP")
    pennine = _org("Pennine Helpline Ltd", officer, officer2, sort_code="40-11-62", account="12345678",
                   company="11223344", address="3 Mill Lane, Halifax", postcode="HX1 1AA")
    person = _org("Jane Whitmore", officer, officer2, sort_code="60-83-71", account="87654321",
                  address="12 Elm Row, Solihull", postcode="B91 1AA")
    person.is_individual = True
    save_with_history(person, by=officer, reason="A sole trader: a person")

    isva = service_create(organisation=brindley, name="ISVA service", area_type="local_authority",
                          area_name="Birmingham", area_code="E08000025", by=officer)
    refuge_service = service_create(organisation=refuge, name="Refuge support", area_type="local_authority",
                                    area_name="Sandwell", area_code="E08000028", by=officer)
    public_grant = _payable_grant(brindley, isva, "ISVA service, Birmingham 2025/26", "60000.00", fund, year,
                                  officer, officer2, commissioner)
    refuge_grant = _payable_grant(refuge, refuge_service, "Foundry Lane safe house 2025/26", "40000.00", fund, year,
                                  officer, officer2, commissioner, do_not_publish=True,
                                  do_not_publish_reason=REFUGE_REASON)
    q1 = public_grant.instalments.get(quarter=1)
    paid_500 = payment_record(instalment=q1, amount="500.00", paid_on=date(2025, 7, 14), by=officer)
    paid_under = payment_record(instalment=q1, amount="499.99", paid_on=date(2025, 7, 15), by=officer)
    reversed_payment = payment_record(instalment=q1, amount="1000.00", paid_on=date(2025, 7, 16), by=officer)
    payment_reverse(payment=reversed_payment, reason="Paid twice in error", by=officer)
    refuge_paid = payment_record(instalment=refuge_grant.instalments.get(quarter=1), amount="2500.00",
                                 paid_on=date(2025, 7, 21), by=officer)

    suppliers = {org.name: supplier_create(organisation=org, by=officer) for org in (pennine, refuge, person)}

    def order(org, title, amount, kind="order", approve=True):
        raised = order_raise(supplier=suppliers[org.name], budget_line=line, title=title, kind=kind,
                             start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), amount=amount, by=officer,
                             on=date(2025, 5, 1))
        return order_approve(order=raised, by=commissioner, on=date(2025, 5, 2)) if approve else raised

    helpline = order(pennine, "Sexual violence helpline 2025/26", "60000.00", kind="contract")
    training = order(refuge, "Trauma training for refuge staff", "12000.00")
    supervision = order(person, "Clinical supervision for counsellors", "11000.00")
    order(pennine, "Helpline leaflets", "10000.00")
    order(pennine, "Helpline text service", "30000.00", approve=False)
    order_reject(order=order(pennine, "Helpline chat service", "26000.00", approve=False), by=commissioner,
                 note="Not in the commissioning plan")
    supplier_paid = {
        "recoverable": _paid_invoice(helpline, "PH-1001", "1000.00", "200.00", officer, officer2),
        "irrecoverable": _paid_invoice(helpline, "PH-1002", "600.00", "120.00", officer, officer2, recoverable=False),
        "under": _paid_invoice(helpline, "PH-1003", "450.00", "90.00", officer, officer2),
        "refuge": _paid_invoice(training, "FL-77", "800.00", "0.00", officer, officer2, recoverable=False),
        "person": _paid_invoice(supervision, "JW-3", "700.00", "0.00", officer, officer2, recoverable=False),
    }
    decisions = {
        "titled": decision_record(number="042-2025", date=date(2025, 4, 28), decision_maker=commissioner,
                                  by=commissioner, title="ISVA services in Birmingham",
                                  summary="Award of the ISVA grant to Brindley Survivors Trust. Competed in March."),
        "untitled": decision_record(number="043-2025", date=date(2025, 4, 29), decision_maker=commissioner,
                                    by=commissioner, summary="Helpline contract awarded. Three bids were received."),
        "confidential": decision_record(number="044-2025", date=date(2025, 4, 30), decision_maker=commissioner,
                                        by=commissioner, is_public=False, confidential_reason=REFUGE_REASON,
                                        title="Foundry Lane safe house",
                                        summary="Award of the refuge grant to Foundry Lane Women's Refuge."),
    }
    periods_close_up_to(period=Period.objects.get(start_date=JULY), by=officer, today=date(2026, 12, 3))
    return World(users=users, objects={
        "year": year, "fund": fund, "brindley": brindley, "refuge": refuge, "pennine": pennine, "person": person,
        "public_grant": public_grant, "refuge_grant": refuge_grant, "paid_500": paid_500, "paid_under": paid_under,
        "reversed": reversed_payment, "refuge_paid": refuge_paid, "supplier_paid": supplier_paid,
        "helpline": helpline, "training": training, "supervision": supervision, "decisions": decisions,
        "bank_values": list(BankDetails.objects.values_list("sort_code", "account_number")),
    })


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def users(world, db):
    return world.users
