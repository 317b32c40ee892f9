"""Supplier spending for the demo (2026/27): a sexual violence helpline contract, an ISVA coordinator post supplied
by an agency, the running costs of a victim support hub, and training bought from a charity that is also a grant
recipient (one organisation, one set of verified bank details). Invoices come in monthly or quarterly, are recorded
by one officer and approved by the other; one contract above its fund's threshold waits for a commissioner, and
November's invoices wait for approval. Staff salaries paid through payroll come in by correcting journal (see
``demo.corrections``); they are not here. Suppliers are set up in March 2026, orders raised on their start dates,
and each invoice recorded on its date and approved that afternoon."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from demo.timeline import at, run_stories, working_day
from funds.models import BudgetLine, FinancialYear
from grants.models import Organisation, ServiceCategory
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create
from spending.invoices import invoice_approve, invoice_record
from spending.models import Supplier
from spending.orders import order_raise
from spending.suppliers import supplier_create

# name, company number, address, postcode, sort code, account number, VAT number
SUPPLIERS = [
    ("Brightline Helpline Services Ltd", "11223355", "Unit 7, Fort Parkway, Birmingham", "B24 9FD", "40-47-84",
     "61729045", "GB287654321"),
    ("Midlands Specialist Staffing Ltd", "10987612", "3rd Floor, 45 Newhall Street, Birmingham", "B3 3QR", "20-98-61",
     "43218876", "GB301234567"),
    ("Canalside Facilities Management Ltd", "09912345", "Gas Street Basin, Birmingham", "B1 2JT", "30-99-50",
     "17283946", "GB244556677"),
]

# The service category each order's spending is reported under in funder returns (seeded by migration).
ORDER_CATEGORIES = {"Sexual violence helpline, 24 hours, 2026/27": "helpline",
                    "ISVA coordinator post (agency), 2026/27": "isva",
                    "Helpline out-of-hours text service, January to March 2027": "helpline",
                    "Clinical supervision for the counselling service, 2026/27": "counselling"}

# supplier, fund, budget line, kind, title, start, end, net amount, invoices: (number, date, net, vat)
ORDERS = [
    ("Brightline Helpline Services Ltd", "MOJ-DASV", "ISVA services", "contract",
     "Sexual violence helpline, 24 hours, 2026/27", date(2026, 4, 1), date(2027, 3, 31), "48000.00",
     [(f"BHS-26{m:02d}", date(2026, m, 28), "4000.00", "800.00") for m in range(4, 12)]),
    ("Midlands Specialist Staffing Ltd", "MOJ-CORE", "Victim support hubs", "contract",
     "ISVA coordinator post (agency), 2026/27", date(2026, 4, 1), date(2027, 3, 31), "42000.00",
     [(f"MSS-{7000 + m}", date(2026, m, 25), "3500.00", "700.00") for m in range(4, 12)]),
    ("Canalside Facilities Management Ltd", "MOJ-CORE", "Victim support hubs", "order",
     "Victim support hub running costs (cleaning, security, utilities), 2026/27", date(2026, 4, 1),
     date(2027, 3, 31), "18000.00",
     [("CFM-2611", date(2026, 6, 30), "4500.00", "900.00"), ("CFM-2698", date(2026, 9, 30), "4500.00", "900.00")]),
    ("Lantern House Sexual Violence Centre", "VAWG-PROG", "Prevention in schools", "order",
     "Consent and healthy relationships training for teachers (6 sessions)", date(2026, 9, 1), date(2026, 12, 31),
     "6000.00", [("LH-TRN-014", date(2026, 10, 16), "3000.00", "0.00")]),
]

# A person (a sole trader), paid by the October run: redacted by name in October's published spending.
PERSON = ("Dr Ruth Calloway", "14 Elm Road, Moseley, Birmingham", "B13 9LR", "20-32-06", "73019482")
PERSON_ORDER = ("Dr Ruth Calloway", "MOJ-CORE", "Specialist counselling", "order",
                "Clinical supervision for the counselling service, 2026/27", date(2026, 4, 1), date(2027, 3, 31),
                "9600.00", [("RC-2026-09", date(2026, 9, 30), "2400.00", "0.00")])

# Above MOJ-DASV's £25,000.00 threshold: waits for a commissioner.
AWAITING = ("Brightline Helpline Services Ltd", "MOJ-DASV", "ISVA services", "contract",
            "Helpline out-of-hours text service, January to March 2027", date(2027, 1, 1), date(2027, 3, 31),
            "27500.00")


def _category(title: str) -> ServiceCategory | None:
    """Hub running costs and teachers' training are left uncategorised: funder returns show them as other spending."""
    code = ORDER_CATEGORIES.get(title)
    return ServiceCategory.objects.filter(code=code).first() if code else None


def _supplier(name, company, address, postcode, sort_code, account, vat, users) -> Supplier:
    officer, officer2 = users["finance"], users["finance2"]
    organisation = organisation_create(name=name, company_number=company, address=address, postcode=postcode,
                                       by=officer)
    details = bank_details_submit(organisation=organisation, account_name=name[:60], sort_code=sort_code,
                                  account_number=account, by=officer, reason="Supplier set-up form")
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the supplier's letterhead")
    return supplier_create(organisation=organisation, vat_number=vat, by=officer)


def seed_spending(users) -> dict[str, int]:
    """Suppliers, orders and invoices through the services. Returns counts for the seed's summary."""
    counts = {}
    run_stories([spending_story(users, counts, today=timezone.localdate())])
    return counts


def spending_story(users, counts: dict, *, today: date):
    """``counts`` receives the counts for the seed's summary; ``today`` is the day the demo is loaded (the order
    still waiting for a commissioner was raised a couple of weeks before it)."""
    officer, officer2, commissioner = users["finance"], users["finance2"], users["commissioner"]
    year = FinancialYear.objects.get(start_year=2026)
    suppliers = {}
    for n, row in enumerate(SUPPLIERS):
        yield at(working_day(2026, 3, 9 + n), "10:00")
        suppliers[row[0]] = _supplier(*row, users)
    # A grant recipient also sells training: it becomes a supplier on its own record and bank details.
    lantern = Organisation.objects.get(name="Lantern House Sexual Violence Centre")
    suppliers[lantern.name] = supplier_create(organisation=lantern, by=officer, payment_terms_days=14)
    # A clinical supervisor who works alone: a person, so never named in the published spending file.
    name, address, postcode, sort_code, account = PERSON
    person = organisation_create(name=name, address=address, postcode=postcode, is_individual=True, by=officer)
    details = bank_details_submit(organisation=person, account_name=name, sort_code=sort_code, account_number=account,
                                  by=officer, reason="Supplier set-up form")
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the signed contract")
    suppliers[name] = supplier_create(organisation=person, by=officer, payment_terms_days=14)
    orders, steps = {}, []
    for name, fund, heading, kind, title, start, end, amount, rows in ORDERS + [PERSON_ORDER]:
        steps.append((start, "10:00", "raise", (name, fund, heading, kind, title, start, end, amount)))
        for number, day, net, vat in rows:
            steps.append((day, "11:00", "invoice", (title, number, day, net, vat)))
    # The order still waiting for a commissioner was raised a couple of weeks before today.
    steps.append((max(today - timedelta(days=16), date(2026, 11, 18)), "14:00", "awaiting", AWAITING))
    invoices = awaiting = 0
    for day, hhmm, action, args in sorted(steps, key=lambda step: step[:2]):
        yield at(day, hhmm)
        if action == "awaiting":
            name, fund, heading, kind, title, start, end, amount = args
            order_raise(supplier=suppliers[name], budget_line=BudgetLine.objects.get(fund__code=fund, year=year,
                                                                                    heading=heading),
                        kind=kind, title=title, start_date=start, end_date=end, amount=amount, by=officer2,
                        on=timezone.localdate(), service_category=_category(title))
            continue
        if action == "raise":
            name, fund, heading, kind, title, start, end, amount = args
            line = BudgetLine.objects.get(fund__code=fund, year=year, heading=heading)
            order = order_raise(supplier=suppliers[name], budget_line=line, kind=kind, title=title, start_date=start,
                                end_date=end, amount=amount, by=officer, on=start, service_category=_category(title))
            if order.status == order.Status.AWAITING_APPROVAL:
                from spending.orders import order_approve

                yield at(start, "15:00")
                order = order_approve(order=order, by=commissioner, on=start,
                                      note="Within the commissioning plan agreed in March 2026")
            orders[title] = order
            continue
        title, number, day, net, vat = args
        invoice = invoice_record(order=orders[title], supplier_reference=number, invoice_date=day,
                                 description=f"{title}: {day:%B %Y}", net=net, vat=vat, by=officer,
                                 vat_recoverable=Decimal(vat) > 0)
        if day >= date(2026, 11, 1):
            awaiting += 1  # November's wait for a second officer
            continue
        yield at(day, "15:30")
        invoice_approve(invoice=invoice, by=officer2, on=day)
        invoices += 1
    counts.update({"suppliers": len(suppliers), "orders": len(ORDERS) + 2, "invoices approved": invoices,
                   "invoices awaiting approval": awaiting})
