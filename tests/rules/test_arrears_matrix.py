"""Arrears rules x paths: a monitoring return is recorded only once its quarter has ended; an instalment paid in
arrears only after its quarter has ended and its return is accepted; paying in advance only where the schedule
says so, and then with a reason. Each rule is tried through every path that could break it (the service, the web
form a finance officer uses, the Django admin) and must be refused there with the same message, leaving the
whole database unchanged. A guard fails the suite when a page starts calling one of these services without a row
here, and another checks that the pages show exactly what the service would refuse.

Today is pinned to Sunday 29/11/2026, in Q3 2026/27 (October–December 2026). Two grants from MOJ-CORE 2026/27:
- "running": 01/04/2026 to 31/03/2027, £60,000.00, its Q2 return received on 05/10/2026 and awaiting review;
- "starting": 01/12/2026 to 31/03/2027, £20,000.00 (Q3 and Q4 instalments of £10,000.00), the grant of the issue
  whose Q3 return was accepted and Q3 instalment paid on 29/11/2026.
Both have their offers accepted, due diligence complete and verified bank details.
"""

import ast
import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from funds.models import FinancialYear
from grants import outcomes, payments, schedule
from grants import views as grant_views
from grants.models import Grant, Instalment, MonitoringReturn, Payment
from grants.organisations import bank_details_submit, bank_details_verify, organisation_create, service_create
from grants.schedule import InstalmentChange
from grants.workflow import grant_approve, grant_offer_accept, grant_submit
from income.services import award_letter_record
from tests.grants.conftest import complete_checks, make_grant
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in

TODAY = date(2026, 11, 29)
PATHS = ("service", "web")


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _grant(org, service, officer, commissioner, fund, y26, amount, start, approve_on):
    grant = make_grant(org, service, officer, [(fund, y26, amount)], start_date=start, end_date=date(2027, 3, 31))
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=approve_on)
    grant = grant_offer_accept(grant=grant, accepted_on=approve_on.replace(day=20), by=officer)
    complete_checks(grant, officer)
    return grant


@pytest.fixture
def world(officer, officer2, commissioner, year, core_fund):
    y26 = FinancialYear.objects.get(start_year=2026)
    award_letter_record(fund=core_fund, year=y26, reference="MOJ-AWD-2627", letter_date=date(2026, 4, 2),
                        amount="500000.00", by=officer)
    org = organisation_create(name="Brindley Survivors Trust", charity_number="1187654", company_number="09876543",
                              address="14 Canal Side, Birmingham", postcode="B1 2JP", by=officer)
    details = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="20-45-77",
                                  account_number="31926819", by=officer)
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the charity register")
    service = service_create(organisation=org, name="ISVA service", area_type="local_authority",
                             area_name="Birmingham", area_code="E08000025", by=officer)
    running = _grant(org, service, officer, commissioner, core_fund, y26, "60000.00", date(2026, 4, 1),
                     date(2026, 4, 10))
    starting = _grant(org, service, officer, commissioner, core_fund, y26, "20000.00", date(2026, 12, 1),
                      date(2026, 10, 12))
    outcomes.monitoring_return_submit(grant=running, year=y26, quarter=2, received_on=date(2026, 10, 5),
                                      spend_reported="14800.00", rag="green", values={}, by=officer)
    return {"running": running, "starting": starting, "y26": y26}


def instalment(world, grant: str, quarter: int) -> Instalment:
    return Instalment.objects.get(grant=world[grant], quarter=quarter)


# ---- The rules, each described once and tried on every path ----------------------------------------------------


@dataclass(frozen=True)
class Case:
    rule: str
    action: str  # "return", "pay" or "schedule"
    grant: str
    quarter: int
    message: str  # "{ref}" stands for the grant's reference
    advance: bool = False  # the schedule marks the instalment as paid in advance first
    paths: tuple[str, ...] = field(default=PATHS)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.grant}-Q{self.quarter}"


CASES = [
    Case("return before its quarter ends", "return", "starting", 3,
         "Q3 2026/27 (October–December 2026) ends on 31/12/2026, so its monitoring return cannot be recorded on "
         "29/11/2026; it can be recorded from 01/01/2027, once the quarter has ended."),
    Case("return before its quarter ends", "return", "running", 4,
         "Q4 2026/27 (January–March 2027) ends on 31/03/2027, so its monitoring return cannot be recorded on "
         "29/11/2026; it can be recorded from 01/04/2027, once the quarter has ended."),
    Case("paid in arrears before its quarter ends", "pay", "starting", 3,
         "The Q3 2026/27 (October–December 2026) instalment of {ref} is paid in arrears, so not on 29/11/2026: its "
         "quarter ends on 31/12/2026 and it can be paid from 01/01/2027, once its monitoring return is accepted."),
    Case("paid in arrears before its quarter ends", "pay", "running", 3,
         "The Q3 2026/27 (October–December 2026) instalment of {ref} is paid in arrears, so not on 29/11/2026: its "
         "quarter ends on 31/12/2026 and it can be paid from 01/01/2027, once its monitoring return is accepted."),
    Case("paid before its return is accepted", "pay", "running", 2,
         "The Q2 2026/27 (July–September 2026) instalment of {ref} waits for that quarter's monitoring return, which "
         "is submitted, awaiting review; accept the return before paying it."),
    Case("paid in advance without a reason", "pay", "starting", 3, advance=True,
         message="Q3 2026/27 (October–December 2026) ends on 31/12/2026, so a payment on 29/11/2026 is a payment in "
                 "advance: record why it is justified (GovS 015), e.g. the provider cannot open the service without "
                 "it."),
    Case("in advance yet waiting for its own return", "schedule", "starting", 3,
         "The Q3 2026/27 (October–December 2026) instalment cannot be paid in advance and also wait for its own "
         "quarter's monitoring return, which can be recorded only once the quarter has ended; pay it in advance "
         "without that return, or in arrears."),
]


def _prepare(world, officer, case: Case) -> None:
    """What a case needs before the attempt (outside the unchanged-database check)."""
    if case.advance:
        inst = instalment(world, case.grant, case.quarter)
        schedule.schedule_update(funding_line=inst.funding_line, by=officer, reason="Start-up costs",
                                 changes=[InstalmentChange(inst, in_advance=True, requires_return=False)])


def try_service(world, officer, client, case: Case) -> list[str]:
    grant, inst = world[case.grant], None
    if case.action != "return":
        inst = instalment(world, case.grant, case.quarter)
    calls = {
        "return": lambda: outcomes.monitoring_return_submit(
            grant=grant, year=world["y26"], quarter=case.quarter, received_on=TODAY, spend_reported="0.00",
            rag="green", values={}, by=officer),
        "pay": lambda: payments.payment_record(instalment=inst, amount="10000.00", paid_on=TODAY, by=officer,
                                               reference="BACS 000123"),
        "schedule": lambda: schedule.schedule_update(funding_line=inst.funding_line, by=officer,
                                                     reason="Provider asked for it up front",
                                                     changes=[InstalmentChange(inst, in_advance=True)]),
    }
    with pytest.raises(ValidationError) as refusal:
        calls[case.action]()
    return refusal.value.messages


def try_web(world, officer, client, case: Case) -> list[str]:
    grant = world[case.grant]
    if case.action == "return":
        url = reverse("grants:return_create", args=[grant.pk])
        data = {"quarter": f"{world['y26'].pk}-{case.quarter}", "received_on": f"{TODAY:%d/%m/%Y}",
                "spend_reported": "0.00", "rag": "green", "narrative": "", "delivery_issues": ""}
    else:
        inst = instalment(world, case.grant, case.quarter)
        url = reverse("grants:schedule_edit", args=[grant.pk, inst.funding_line_id])
        data = {"reason": "Provider asked for it up front"}
        for other in inst.funding_line.instalments.all():
            data |= {f"amount_{other.pk}": f"{other.amount.amount:.2f}",
                     f"due_{other.pk}": f"{other.due_date:%d/%m/%Y}"}
            if other.requires_return:
                data[f"return_{other.pk}"] = "on"
            if other.in_advance or other.pk == inst.pk:
                data[f"advance_{other.pk}"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200, "a refused form is shown again, not redirected"
    messages = [str(m) for errors in response.context["form"].errors.values() for m in errors]
    text = page_text(response)
    assert all(m in text for m in messages), "each refusal is on the page"
    return messages


TRY = {"service": try_service, "web": try_web}


# Payments leave only in payment runs (tests/payments): no page records one, so "pay" has only the service path.
PAIRS = [pytest.param(case, path, id=f"{case.id}-{path}") for case in CASES for path in PATHS
         if not (case.action == "pay" and path == "web")]


@pytest.mark.parametrize("case, path", PAIRS)
def test_each_arrears_rule_refuses_the_same_way_on_every_path(world, officer, unchanged_database, case, path):
    _prepare(world, officer, case)
    client = signed_in(officer)
    with unchanged_database():
        messages = TRY[path](world, officer, client, case)
    assert messages == [case.message.format(ref=world[case.grant].reference)]


def test_the_admin_cannot_record_or_change_returns_payments_or_instalments(world, admin_user, officer, officer2,
                                                                         unchanged_database):
    """The admin shows these records read-only (or not at all): adding or changing one there is refused."""
    ret = outcomes.monitoring_return_submit(grant=world["running"], year=world["y26"], quarter=1,
                                            received_on=date(2026, 7, 8), spend_reported="15000.00", rag="green",
                                            values={}, by=officer)
    outcomes.monitoring_return_accept(monitoring_return=ret, by=officer2)
    payments.payment_record(instalment=instalment(world, "running", 1), amount="1.00", paid_on=TODAY, by=officer)
    client = signed_in(admin_user)
    records = {MonitoringReturn: MonitoringReturn.objects.first(), Payment: Payment.objects.first(),
               Instalment: instalment(world, "starting", 3), Grant: world["starting"]}
    for model, obj in records.items():
        name = f"admin:grants_{model._meta.model_name}"
        if not admin.site.is_registered(model):
            with pytest.raises(NoReverseMatch):
                reverse(f"{name}_add")
            continue
        with unchanged_database():
            assert client.post(reverse(f"{name}_add"), {"quarter": "3", "amount_0": "10000.00"}).status_code == 403
            change = reverse(f"{name}_change", args=[obj.pk])
            assert client.post(change, {"in_advance": "on", "status": "accepted", "paid_on": "29/11/2026",
                                        "instalments-0-in_advance": "on"}).status_code == 403


# ---- Pages and the service agree -------------------------------------------------------------------------------


def test_the_pay_page_says_exactly_what_the_service_would_refuse(world, officer):
    client = signed_in(officer)
    for inst in Instalment.objects.filter(grant__in=[world["running"], world["starting"]]):
        refusal = payments.instalment_pay_refusal(instalment=inst)
        text = page_text(client.get(reverse("grants:instalment_pay", args=[inst.pk])))
        assert refusal is not None  # on 29/11/2026 nothing in this world may be paid
        assert f"This instalment cannot be paid today: {refusal}" in text


def test_the_payments_due_page_offers_pay_only_where_the_service_would_pay(world, officer, officer2):
    # The running grant's Q2 becomes payable once its return is accepted; its Q1 has no return, so it waits.
    ret = MonitoringReturn.objects.get(grant=world["running"], quarter=2)
    outcomes.monitoring_return_accept(monitoring_return=ret, by=officer2)
    q1, q2 = instalment(world, "running", 1), instalment(world, "running", 2)
    assert payments.instalment_pay_refusal(instalment=q2) is None
    page = signed_in(officer).get(reverse("grants:payments_due"))
    text = page_text(page)
    assert f"Ready for a run {world['running'].reference} Q2" in text
    assert f"Ready for a run {world['running'].reference} Q1" not in text
    assert payments.instalment_pay_refusal(instalment=q1) in text
    payment = payments.payment_record(instalment=q2, amount="15000.00", paid_on=TODAY, by=officer)
    assert payment.advance_reason == "" and Grant.objects.get(pk=world["running"].pk).status == "active"


def test_the_instalment_page_records_no_payment_even_when_posted_to(world, officer, unchanged_database):
    """Payments leave only in payment runs: the instalment page shows whether it can be paid and records nothing."""
    case = CASES[5]
    _prepare(world, officer, case)
    inst = instalment(world, "starting", 3)
    client = signed_in(officer)
    with unchanged_database():
        response = client.post(reverse("grants:instalment_pay", args=[inst.pk]), {
            "amount": "10000.00", "paid_on": "29/11/2026", "reference": "BACS 000124", "confirm": "on",
            "advance_reason": "Start-up costs"})
    assert response.status_code == 200
    assert "Payments leave only in payment runs" in page_text(response)


# ---- Guard: every page that calls these services is in the matrix ---------------------------------------------

GUARDED = {"monitoring_return_submit": "return", "payment_record": "pay", "schedule_update": "schedule"}
COVERED_VIEWS = {"return_create": "return", "schedule_edit": "schedule"}  # no page records a payment


def test_every_view_that_records_returns_payments_or_schedules_is_in_the_matrix():
    found = {}
    for info in pkgutil.iter_modules(grant_views.__path__):
        module = importlib.import_module(f"grants.views.{info.name}")
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Attribute) and inner.attr in GUARDED:
                        found[node.name] = GUARDED[inner.attr]
    assert found == COVERED_VIEWS
    assert {c.action for c in CASES} == set(GUARDED.values())
