"""Funder returns (reports.funder_returns): exact figures on a small fund built with the real services, spending by
category adding up to the ledger, H1 against the full year, the signatory rule, the Excel and PDF read back
independently, the same bytes for the same inputs, the command's refusals and the page.

The fund: MOJ-CORE 2025/26 (award £500,000.00; £125,000.00 received 20/04/2025 and 20/10/2025), one budget line.
- G1 ISVA (Brindley), £40,000.00, approved 01/05/2025: returns Q1 (people 30, feel safer 20), Q2 (25, 15) and
  Q3 (10, 5) accepted; paid £10,000.00 on 30/07/2025 and 30/10/2025.
- G2 counselling (Meadowgate), £20,000.00, approved 01/06/2025: Q1 return accepted (12, 8), paid £5,000.00 on
  31/07/2025, £500.00 clawed back 15/09/2025; its Q2 return awaits review (not counted).
- G3 outreach (Brindley), no category, £8,000.00, approved 03/11/2025: nothing paid (a full-year grant only).
- A helpline contract (Pennine Helpline, category helpline): invoices of £1,500.00 net approved 31/08/2025 and
  28/11/2025.
- A payroll recharge by correcting journal, £2,000.00 on 30/09/2025 (the "other" row).

H1: received £125,000.00; ISVA £10,000.00, counselling £4,500.00, helpline £1,500.00, other £2,000.00; spent
£18,000.00; unspent £107,000.00. Full year: received £250,000.00; spent £29,500.00; unspent £220,500.00.
"""

import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from core.roles import FINANCE_DIRECTOR
from funds.budgets import budget_line_create
from funds.calendar import year_open
from grants.models import Instalment, ServiceCategory
from ledger import accounts as acc
from ledger.models import JournalLine
from reports.funder_returns import OTHER_ROW, funder_return, funder_return_file
from tests.conftest import make_user
from tests.reports.sheets import evaluate, load, row_of
from tests.web.conftest import signed_in, text

D = Decimal
SETTINGS = {"OWNING_BODY": "West Midlands OPCC", "OWNING_BODY_SHORT": "WM OPCC", "PUBLISHER_PREFIX": "360G-wmopcc",
            "PROTECTIVE_MARKING": "OFFICIAL", "FUNDER_RETURN_SIGNATORY": ""}


def category(code: str, name: str) -> ServiceCategory:
    """The category the migration seeds (or, after a test that flushed the tables, a fresh one)."""
    return ServiceCategory.objects.filter(code=code).first() or ServiceCategory.objects.create(code=code, name=name)


class World:
    pass


@pytest.fixture
def world(funded_core, year, officer, officer2, commissioner, director):
    from grants.awards import grant_create
    from grants.checks import check_complete
    from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
    from grants.outcomes import monitoring_return_accept, monitoring_return_submit, outcome_measure_create
    from grants.payments import clawback_record, payment_record
    from grants.workflow import grant_approve, grant_offer_accept, grant_submit
    from income.services import receipt_record
    from ledger.corrections import CorrectionLine, correcting_journal_approve, correcting_journal_prepare
    from spending.invoices import invoice_approve, invoice_record
    from spending.orders import order_approve, order_raise
    from spending.suppliers import supplier_create

    w = World()
    w.fund, w.year, w.officer, w.director = funded_core, year, officer, director
    w.isva = category("isva", "ISVA (independent sexual violence advisers)")
    w.counselling = category("counselling", "Counselling")
    w.helpline = category("helpline", "Helpline")
    core = funded_core
    line = budget_line_create(fund=core, year=year, heading="Victim services", amount="500000.00", by=officer)
    for reference, day in (("MOJ-RCPT-Q1", date(2025, 4, 20)), ("MOJ-RCPT-Q3", date(2025, 10, 20))):
        receipt_record(fund=core, reference=reference, date=day, amount="125000.00", by=officer)
    people = outcome_measure_create(fund=core, code="supported", name="People supported", by=officer)
    safer = outcome_measure_create(fund=core, code="feel-safer", name="Cope and recover: feel safer", by=officer)

    def organisation(name, charity, sort_code, account):
        org = organisation_create(name=name, charity_number=charity, address="1 High Street, Birmingham",
                                  postcode="B1 1AA", by=officer)
        details = bank_details_submit(organisation=org, account_name=name, sort_code=sort_code,
                                      account_number=account, by=officer)
        bank_details_verify(details=details, by=officer2, note="Call-back to the number on the register")
        return org

    brindley = organisation("Brindley Survivors Trust", "1187654", "20-45-77", "31926819")
    meadowgate = organisation("Meadowgate Counselling Collective", "1171236", "30-11-22", "44556677")

    def grant(title, org, service_name, amount, approved_on, cat):
        service = service_create(organisation=org, name=service_name, area_type="local_authority",
                                 area_name="Birmingham", area_code="E08000025", by=officer)
        g = grant_create(title=title, purpose=f"{title} for victims", organisation=org, service=service,
                         senior_responsible_officer="Ruth Kaur", allocation_method="competed",
                         start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=officer,
                         funding=[(core, year, amount)], service_category=cat)
        grant_submit(grant=g, by=officer)
        g = grant_approve(grant=g, by=commissioner, on=approved_on)
        g = grant_offer_accept(grant=g, accepted_on=approved_on, by=officer)
        for check in g.checks.all():
            check_complete(check=check, evidence="Seen and filed", by=officer)
        return g

    def report(g, quarter, received, values, accept=True):
        ret = monitoring_return_submit(grant=g, year=year, quarter=quarter, received_on=received,
                                       spend_reported="0.00", rag="green", by=officer,
                                       values={people: values[0], safer: values[1]})
        if accept:
            monitoring_return_accept(monitoring_return=ret, by=officer2)

    def pay(g, quarter, amount, paid_on):
        payment_record(instalment=Instalment.objects.get(grant=g, quarter=quarter), amount=amount, paid_on=paid_on,
                       by=officer)

    w.g1 = grant("Independent sexual violence advisers", brindley, "ISVA service", "40000.00", date(2025, 5, 1),
                 w.isva)
    report(w.g1, 1, date(2025, 7, 10), ("30", "20"))
    pay(w.g1, 1, "10000.00", date(2025, 7, 30))
    report(w.g1, 2, date(2025, 10, 10), ("25", "15"))
    pay(w.g1, 2, "10000.00", date(2025, 10, 30))
    report(w.g1, 3, date(2026, 1, 10), ("10", "5"))

    w.g2 = grant("Counselling for survivors", meadowgate, "Counselling", "20000.00", date(2025, 6, 1), w.counselling)
    report(w.g2, 1, date(2025, 7, 15), ("12", "8"))
    pay(w.g2, 1, "5000.00", date(2025, 7, 31))
    clawback_record(funding_line=w.g2.funding_lines.get(), amount="500.00", received_on=date(2025, 9, 15),
                    reason="Sessions cancelled in June", by=officer)
    report(w.g2, 2, date(2025, 10, 12), ("14", "9"), accept=False)

    w.g3 = grant("Community outreach", brindley, "Outreach", "8000.00", date(2025, 11, 3), None)

    helpline_org = organisation("Pennine Helpline Ltd", "1099887", "40-11-62", "12345678")
    supplier = supplier_create(organisation=helpline_org, by=officer)
    order = order_raise(supplier=supplier, budget_line=line, kind="contract", title="Helpline 2025/26",
                        start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), amount="6000.00", by=officer,
                        on=date(2025, 4, 3), service_category=w.helpline)
    if order.status != order.Status.APPROVED:
        order = order_approve(order=order, by=director, on=date(2025, 4, 3))
    w.order = order
    for number, day in (("PH-0825", date(2025, 8, 31)), ("PH-1125", date(2025, 11, 28))):
        invoice = invoice_record(order=order, supplier_reference=number, invoice_date=day, description="Helpline",
                                 net="1500.00", vat="300.00", by=officer)
        invoice_approve(invoice=invoice, by=officer2, on=day)
    journal = correcting_journal_prepare(
        date=date(2025, 9, 30), by=officer, reason="Payroll recharge: hub coordinator, April to September 2025",
        lines=[CorrectionLine(acc.SUPPLIER_EXPENDITURE, core, "D", "2000.00", budget_line=line),
               CorrectionLine(acc.CASH, core, "C", "2000.00")])
    correcting_journal_approve(journal=journal, by=officer2)
    w.now = timezone.now()
    return w


@pytest.fixture
def light(funded_core, year, officer, director):
    """Only the fund and the people, for the refusals and the signatory rule (they need no figures)."""
    w = World()
    w.fund, w.year, w.officer, w.director, w.now = funded_core, year, officer, director, timezone.now()
    return w


def make(w, half, **extra):
    extra.setdefault("now", w.now)
    return funder_return(fund=w.fund, year=w.year, half=half, **extra)


def rows(ret) -> dict[str, tuple]:
    return {r.name: (r.grants, r.grant_spending, r.supplier_spending, r.total) for r in ret.categories}


def ledger_actual_dated(fund, year, start, end) -> Decimal:
    """Actual spending read independently: debits less credits on the actual and grant-accrual accounts."""
    total = D("0.00")
    for line in JournalLine.objects.filter(fund=fund, funding_year=year, entry__date__gte=start, entry__date__lte=end,
                                           account__code__in=[acc.GRANT_EXPENDITURE, acc.GRANT_ACCRUALS,
                                                              acc.OTHER_ACCRUALS, acc.SUPPLIER_EXPENDITURE]):
        total += line.amount.amount if line.direction == "D" else -line.amount.amount
    return total


# --- figures -----------------------------------------------------------------------------------------------------

def test_h1_figures_are_exact(world):
    ret = make(world, 1)
    assert (ret.period_start, ret.period_end, ret.half_label) == (date(2025, 4, 1), date(2025, 9, 30), "H1 2025/26")
    assert (ret.received, ret.awarded) == (D("125000.00"), D("500000.00"))
    by_name = rows(ret)
    assert by_name[world.isva.name] == (1, D("10000.00"), D("0.00"), D("10000.00"))
    assert by_name[world.counselling.name] == (1, D("4500.00"), D("0.00"), D("4500.00"))  # less the clawback
    assert by_name[world.helpline.name] == (0, D("0.00"), D("1500.00"), D("1500.00"))
    assert by_name[OTHER_ROW] == (0, None, None, D("2000.00"))  # the payroll journal
    assert ret.categories[-1].is_other
    assert (ret.spent, ret.unspent) == (D("18000.00"), D("107000.00"))
    assert (ret.grants_funded, ret.services_funded, ret.providers_funded) == (2, 2, 2)
    assert [(o.name, o.achieved, o.returns) for o in ret.outcomes] == [
        ("People supported", D("67.00"), 3), ("Cope and recover: feel safer", D("43.00"), 3)]
    assert (ret.returns_counted, ret.returns_not_counted) == (3, 1)
    assert ret.notes == ["1 monitoring return for the quarters of the period had not been accepted when the return "
                         "was produced, so its figures are not counted."]


def test_the_full_year_differs_from_h1(world):
    ret = make(world, 2)
    assert (ret.period_end, ret.half_label) == (date(2026, 3, 31), "H2 2025/26 (full year)")
    by_name = rows(ret)
    assert by_name[world.isva.name][3] == D("20000.00")
    assert by_name[world.helpline.name][3] == D("3000.00")
    assert by_name[OTHER_ROW] == (1, None, None, D("2000.00"))  # G3 has no category
    assert (ret.received, ret.spent, ret.unspent) == (D("250000.00"), D("29500.00"), D("220500.00"))
    assert (ret.grants_funded, ret.services_funded, ret.providers_funded) == (3, 3, 2)
    assert [o.achieved for o in ret.outcomes] == [D("77.00"), D("48.00")]
    assert ret.returns_counted == 4
    assert any("1 grant funded in the period has no service category" in note for note in ret.notes)


@pytest.mark.parametrize("half,end", [(1, date(2025, 9, 30)), (2, date(2026, 3, 31))])
def test_categories_add_up_to_the_ledgers_actual_spending(world, half, end):
    ret = make(world, half)
    assert ret.spent == ret.ledger_actual == ledger_actual_dated(world.fund, world.year, date(2025, 4, 1), end)
    assert sum(r.total for r in ret.categories) == ret.ledger_actual


def test_uncategorised_spending_moves_to_the_other_row_and_the_total_stays(world):
    from grants.awards import grant_service_category_set

    grant_service_category_set(grant=world.g2, service_category=None, reason="Category under review",
                               by=world.officer)
    ret = make(world, 1, now=timezone.now())
    assert rows(ret)[world.counselling.name][3] == D("0.00")
    assert rows(ret)[OTHER_ROW] == (1, None, None, D("6500.00"))
    assert ret.spent == D("18000.00")


def test_figures_are_as_recorded_at_the_moment_of_production(world):
    from spending.invoices import invoice_approve, invoice_record

    before = make(world, 1)
    invoice = invoice_record(order=world.order, supplier_reference="PH-0925", invoice_date=date(2025, 9, 30),
                             description="Helpline", net="1500.00", vat="300.00", by=world.officer)
    invoice_approve(invoice=invoice, by=world.director, on=date(2025, 9, 30))  # backdated into H1, posted later
    again = make(world, 1)
    assert (again.spent, rows(again)[world.helpline.name][3]) == (before.spent, D("1500.00"))
    later = make(world, 1, now=timezone.now())
    assert (later.spent, rows(later)[world.helpline.name][3]) == (D("19500.00"), D("3000.00"))


# --- the signatory -----------------------------------------------------------------------------------------------

@override_settings(RINGFENCE=SETTINGS)
def test_the_one_finance_director_signs_by_default_and_an_officer_may_be_named(light):
    default = make(light, 1)
    assert (default.signed_by_name, default.signed_by_title) == ("Diana", FINANCE_DIRECTOR)
    named = make(light, 1, signed_by="olivia")
    assert (named.signed_by_name, named.signed_by_title) == ("Olivia", "Finance officer")


@override_settings(RINGFENCE={**SETTINGS, "FUNDER_RETURN_SIGNATORY": "Pat Reid, Chief finance officer"})
def test_the_configured_signatory_signs_when_none_is_named(light):
    ret = make(light, 1)
    assert (ret.signed_by_name, ret.signed_by_title) == ("Pat Reid", "Chief finance officer")


@override_settings(RINGFENCE=SETTINGS)
def test_a_commissioner_may_not_sign_and_the_refusal_names_who_may(light, commissioner):
    with pytest.raises(ValidationError) as refused:
        make(light, 1, signed_by=commissioner.username)
    message = refused.value.message_dict["signed_by"][0]
    assert "'carla' may not sign" in message and "olivia (Olivia, finance officer)" in message
    assert "diana (Diana, finance director)" in message


@override_settings(RINGFENCE=SETTINGS)
def test_two_finance_directors_and_no_signatory_named_is_refused(light):
    make_user("dora", FINANCE_DIRECTOR)
    with pytest.raises(ValidationError) as refused:
        make(light, 1)
    assert "there are 2 active finance directors (diana, dora)" in refused.value.message_dict["signed_by"][0]
    assert "--signed-by" in refused.value.message_dict["signed_by"][0]


# --- refusals ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,field,expected", [
    ({"fund": "NOPE"}, "fund", "There is no fund 'NOPE'. The funds are: MOJ-CORE."),
    ({"year": "2025-26"}, "year", "'2025-26' is not a financial year; write it like 2025/26."),
    ({"year": "2031/32"}, "year", "There is no financial year 2031/32."),
    ({"half": "3"}, "half", "'3' is not a half: give 1 for H1"),
    ({"year": "2026/27", "half": "2", "now": timezone.make_aware(datetime(2027, 2, 1, 9, 0))}, "half",
     "H2 2026/27 ends on 31/03/2027: a return is produced once its half has ended, from 01/04/2027."),
])
def test_bad_input_is_refused_with_what_would_be_right(light, kwargs, field, expected):
    arguments = {"fund": light.fund, "year": light.year, "half": 1, "now": light.now, **kwargs}
    with pytest.raises(ValidationError) as refused:
        funder_return(**arguments)
    assert expected in refused.value.message_dict[field][0]


# --- Excel and PDF -----------------------------------------------------------------------------------------------

def test_excel_has_the_figures_as_numbers_and_live_totals(world):
    name, content_type, content = funder_return_file(make(world, 1), "xlsx")
    assert name == "funder-return-MOJ-CORE-2025-26-H1.xlsx" and content_type.endswith("spreadsheetml.sheet")
    ws = load(content)["Funder return"]
    header = " ".join(str(c.value) for row in ws.iter_rows(max_row=20) for c in row if c.value)
    assert "Sign convention: Amounts are in pounds sterling." in header
    assert "counted in full in the return of each fund" in header  # the definitions are in the header
    received = row_of(ws, "A", "Money received in the period")
    assert ws[f"B{received}"].value == 125000 and ws[f"B{received}"].number_format == '"£"#,##0.00'
    isva = row_of(ws, "A", world.isva.name)
    assert (ws[f"B{isva}"].value, ws[f"C{isva}"].value) == (1, 10000)
    assert ws[f"E{isva}"].value == f"=SUM(C{isva}:D{isva})"
    other = row_of(ws, "A", OTHER_ROW)
    assert ws[f"E{other}"].value == 2000
    total = row_of(ws, "A", "Total spent")
    assert re.fullmatch(r"=SUM\(E\d+:E\d+\)", ws[f"E{total}"].value)
    assert evaluate(ws, ws[f"E{total}"].value) == D("18000")
    assert evaluate(ws, ws[f"B{total}"].value) == 2
    spent, unspent = row_of(ws, "A", "Spent in the period"), row_of(ws, "A", "Unspent (received less spent)")
    assert ws[f"B{spent}"].value == f"=E{total}"
    assert evaluate(ws, ws[f"B{unspent}"].value) == D("107000")
    people = row_of(ws, "A", "People supported")
    assert (ws[f"C{people}"].value, ws[f"D{people}"].value) == (67, 3)
    signed = row_of(ws, "A", "Signed by")
    assert ws[f"B{signed}"].value == "Diana"


def test_a_funder_named_like_a_formula_shows_exactly_as_named_and_stays_text(light):
    from core.audit import save_with_history

    funder = light.fund.funder
    funder.name = "=2+3 Formula Trust"
    save_with_history(funder, by=light.officer, reason="Renamed")
    ws = load(funder_return_file(make(light, 1), "xlsx")[2])["Funder return"]
    named = ws[f"B{row_of(ws, 'A', 'Funder')}"]
    assert (named.value, named.data_type, named.quotePrefix) == ("=2+3 Formula Trust", "s", True)
    subtitle = ws["A2"]  # "<funder>, <period>": begins with the name too
    assert subtitle.value.startswith("=2+3 Formula Trust, H1 2025/26") and subtitle.data_type == "s"
    assert subtitle.quotePrefix
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f" and "Trust" in c.value]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_reads_back_with_the_figures_and_the_signatory(world, tmp_path):
    name, content_type, content = funder_return_file(make(world, 2), "pdf")
    assert (name, content_type) == ("funder-return-MOJ-CORE-2025-26-full-year.pdf", "application/pdf")
    path = tmp_path / name
    path.write_bytes(content)
    pdf = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(pdf.split())
    assert "Funder return: MOJ-CORE" in flat and "H2 2025/26 (full year): 01/04/2025 to 31/03/2026" in flat
    assert "Money received in the period £250,000.00" in flat
    assert f"{world.isva.name} 1 £20,000.00 £0.00 £20,000.00" in flat
    assert f"{OTHER_ROW} 1 £2,000.00" in flat and "Total spent 3 £24,500.00 £3,000.00 £29,500.00" in flat
    assert "Unspent (received less spent) £220,500.00" in flat
    assert "People supported people 77 4" in flat
    assert "Signed by Diana" in flat and "Page 1 of" in flat and "OFFICIAL" in flat


def test_the_same_inputs_give_the_same_bytes_dated_by_the_moment_of_production(world):
    moment = world.now
    for fmt in ("xlsx", "pdf"):
        first = funder_return_file(make(world, 1, now=moment), fmt)[2]
        assert funder_return_file(make(world, 1, now=moment), fmt)[2] == first
    stamp = moment.astimezone(UTC)
    pdf = funder_return_file(make(world, 1), "pdf")[2]
    assert f"/CreationDate (D:{stamp:%Y%m%d%H%M%S}+00'00')".encode() in pdf
    with zipfile.ZipFile(BytesIO(funder_return_file(make(world, 1), "xlsx")[2])) as book:
        core = book.read("docProps/core.xml").decode()
    assert f"{stamp:%Y-%m-%dT%H:%M:%SZ}</dcterms:created>" in core


# --- the command -------------------------------------------------------------------------------------------------

def test_the_command_writes_the_return(world, tmp_path):
    out = StringIO()
    target = tmp_path / "moj.xlsx"
    call_command("export_funder_return", "--fund", "MOJ-CORE", "--year", "2025/26", "--half", "1", "--format",
                 "xlsx", "--output", str(target), "--signed-by", "olivia", stdout=out)
    ws = load(target.read_bytes())["Funder return"]
    assert ws[f"B{row_of(ws, 'A', 'Money received in the period')}"].value == 125000
    assert "Received 125,000.00; spent 18,000.00 (of which other spending 2,000.00)" in out.getvalue()


@pytest.mark.parametrize("change,expected", [
    ({"--fund": "NOPE"}, "There is no fund 'NOPE'. The funds are: MOJ-CORE."),
    ({"--year": "2025"}, "'2025' is not a financial year"),
    ({"--half": "3"}, "'3' is not a half"),
    ({"--format": "csv"}, "Unknown format 'csv'; choose one of xlsx, pdf."),
    ({"--year": "2090/91"}, "H1 2090/91 ends on 30/09/2090"),
    ({"--output": "missing/folder/x.xlsx"}, "does not exist"),
    ({"--signed-by": "carla"}, "'carla' may not sign a funder return"),
])
def test_the_command_refuses_and_writes_no_file(light, tmp_path, commissioner, change, expected):
    year_open(start_year=2090)
    options = {"--fund": "MOJ-CORE", "--year": "2025/26", "--half": "1", "--format": "xlsx",
               "--output": str(tmp_path / "x.xlsx"), **change}
    if change.get("--output"):
        options["--output"] = str(tmp_path / change["--output"])
    with pytest.raises(CommandError) as refused:
        call_command("export_funder_return", *[part for pair in options.items() for part in pair], stdout=StringIO())
    assert expected in str(refused.value)
    assert list(tmp_path.rglob("*")) == []


# --- the page ----------------------------------------------------------------------------------------------------

PAGE = "/funder-returns/"


def test_the_page_shows_the_return_and_downloads_it(world):
    officer = signed_in(world.officer)
    assert officer.get(PAGE).status_code == 200
    query = {"fund": "MOJ-CORE", "year": "2025", "half": "1", "signed_by": ""}
    shown = text(officer.get(PAGE, {**query, "format": "html"}))
    assert "£125,000.00" in shown and "£18,000.00" in shown and "£107,000.00" in shown and "Diana" in shown
    response = signed_in(world.director).get(PAGE, {**query, "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "funder-return-MOJ-CORE-2025-26-H1.pdf" in response["Content-Disposition"]


def test_the_page_explains_a_refusal_and_commissioners_are_refused(light, commissioner):
    year_open(start_year=2090)
    page = text(signed_in(light.officer).get(PAGE, {"fund": "MOJ-CORE", "year": "2090", "half": "2",
                                                    "format": "xlsx"}))
    assert "H2 2090/91 ends on 31/03/2091" in page
    assert signed_in(commissioner).get(PAGE).status_code == 403
