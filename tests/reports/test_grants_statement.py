"""The grants statement on the fixed grants scenario (tests/reports/conftest.py)."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from itertools import count
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.awards import grant_create
from grants.workflow import grant_approve, grant_submit
from reports.exports import render
from reports.parameters import parameters_parse
from reports.registry import LINE, SUBTOTAL, TOTAL, statement_get
from tests.reports.sheets import load, row_of, value_of

MONEY = ("original", "varied", "paid", "outstanding")


def rows(**dates):
    return list(statement_get("grants")(parameters_parse(year="2025/26", **dates)).rows())


def refs(grants_scenario):
    """Grant references come from primary keys, which PostgreSQL does not reuse between tests."""
    g = grants_scenario
    return g.isva.reference, g.outreach.reference, g.refuge.reference


def test_exact_figures_at_the_year_end(grants_scenario):
    g1, _g2, _g3 = refs(grants_scenario)
    all_rows = rows(as_at="2026-03-31")
    isva, isva_referrals, outreach, brindley, refuge, haven, total = all_rows
    assert [r.kind for r in all_rows] == [LINE, LINE, LINE, SUBTOTAL, LINE, SUBTOTAL, TOTAL]
    assert [isva[k] for k in ("provider", "grant", "title", "status", "funds")] == [
        "Brindley Survivors Trust", g1, "Independent sexual violence advisers", "Active (being paid)", "MOJ-CORE"]
    assert [isva[k] for k in MONEY] == [D("60000.00"), D("60000.00"), D("30000.00"), D("30000.00")]
    assert [isva[k] for k in ("measure", "target", "achieved", "achieved_pct", "cost_per_outcome", "rag",
                              "rag_quarter")] == [
        "People supported (people)", D("200.00"), D("110.00"), D("55.00"), D("272.73"), "Amber", "Q2 2025/26"]
    # A grant's further measures are rows of their own, without repeating its money.
    assert [isva_referrals[k] for k in ("grant", "measure", "target", "achieved", "cost_per_outcome")] == [
        g1, "Referrals received (referrals)", D("300.00"), D("150.00"), D("200.00")]
    assert all(isva_referrals[k] is None for k in MONEY)
    assert [outreach[k] for k in MONEY] == [D("20000.00"), D("24000.00"), D("0.00"), D("24000.00")]
    assert (outreach["measure"], outreach["rag"]) == (None, "")
    assert [brindley[k] for k in MONEY] == [D("80000.00"), D("84000.00"), D("30000.00"), D("54000.00")]
    assert refuge["provider"] == "Safe Haven Refuge CIC"  # internal statement: do-not-publish grants are shown
    assert [haven[k] for k in MONEY] == [D("40000.00"), D("40000.00"), D("0.00"), D("40000.00")]
    assert [total[k] for k in MONEY] == [D("120000.00"), D("124000.00"), D("30000.00"), D("94000.00")]


def test_as_at_an_earlier_date(grants_scenario):
    g1, g2, _g3 = refs(grants_scenario)
    all_rows = rows(as_at="2025-08-31")
    isva = next(r for r in all_rows if r["grant"] == g1 and r["status"])
    assert [isva[k] for k in ("paid", "outstanding", "achieved", "rag", "rag_quarter")] == [
        D("15000.00"), D("45000.00"), D("50.00"), "Green", "Q1 2025/26"]
    outreach = next(r for r in all_rows if r["grant"] == g2)
    # The variation was approved (and its commitment posted) on 01/09/2025: known now, not yet in the ledger.
    assert [outreach[k] for k in MONEY] == [D("20000.00"), D("24000.00"), D("0.00"), D("20000.00")]
    assert [r["grant"] for r in rows(as_at="2025-05-31") if r.kind == LINE] == [g1, g1]


def test_grant_figures_reconcile_with_the_fund_statement(grants_scenario):
    g1, g2, g3 = refs(grants_scenario)
    params = parameters_parse(year="2025/26", as_at="2026-03-31")
    funds = {r["fund"]: r for r in statement_get("fund")(params).rows() if r.kind == SUBTOTAL}
    grants = {r["grant"]: r for r in statement_get("grants")(params).rows() if r.kind == LINE and r["status"]}
    # MOJ-CORE also holds the scenario's £110,000.00 commitment and £90,000.00 spending posted outside any grant.
    assert funds["MOJ-CORE"]["committed"] - D("110000.00") == grants[g1]["outstanding"] + grants[g3]["outstanding"]
    assert funds["MOJ-CORE"]["actual"] - D("90000.00") == grants[g1]["paid"] + grants[g3]["paid"]
    assert funds["POCA"]["committed"] == grants[g2]["outstanding"]


def test_excel_sheet_has_live_totals(grants_scenario):
    _name, _type, content = render("xlsx", year="2025/26", as_at="2026-03-31", statement="grants")
    ws = load(content)["Grants statement"]
    brindley = row_of(ws, "C", "Total Brindley Survivors Trust")
    total = row_of(ws, "C", "Total all grants")
    assert ws[f"F{brindley}"].value == f"=SUM(F5:F{brindley - 1})"
    assert [value_of(ws, ws[f"{c}{brindley}"]) for c in "FGHI"] == [D(80000), D(84000), D(30000), D(54000)]
    assert ws[f"I{total}"].value.startswith("=SUM(") and value_of(ws, ws[f"I{total}"]) == D(94000)


def test_query_count_does_not_grow_with_more_grants(grants_scenario, commissioner):
    def count():
        statement = statement_get("grants")(parameters_parse(year="2025/26"))
        with CaptureQueriesContext(connection) as queries:
            produced = list(statement.rows())
        return len(queries), len(produced)

    small, small_rows = count()
    s = grants_scenario
    for n in range(3):
        g = grant_create(title=f"Outreach {n}", purpose="Outreach", organisation=s.haven,
                         service=s.refuge.service, senior_responsible_officer="Ruth Kaur", allocation_method="formula",
                         start_date=date(2025, 4, 1), end_date=date(2026, 3, 31), by=s.base.officer,
                         funding=[(s.base.core, s.base.year, "1000.00", s.base.lines["hubs"])])
        grant_submit(grant=g, by=s.base.officer)
        grant_approve(grant=g, by=commissioner, on=date(2025, 8, 1))
    large, large_rows = count()
    assert large_rows == small_rows + 3
    assert large == small
    assert small <= 12


def test_status_is_the_grants_status_on_the_as_at_date_not_now(grants_scenario):
    g1, _g2, _g3 = refs(grants_scenario)

    def isva_status(as_at):
        return next(r for r in rows(as_at=as_at) if r["grant"] == g1 and r["status"])["status"]

    # G1: approved 01/05/2025, offer accepted 12/05/2025, first paid 30/07/2025; it is active now.
    assert isva_status("2025-05-05") == "Approved (offer made)"
    assert isva_status("2025-07-29") == "Offer accepted"
    assert isva_status("2025-07-30") == "Active (being paid)"


def test_a_grant_approved_after_the_as_at_date_shows_as_awaiting_approval(grants_scenario, commissioner):
    s = grants_scenario
    clock = (timezone.make_aware(datetime(2025, 6, 20, 10, 0)) + timedelta(seconds=n) for n in count())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: next(clock)):  # drafted and submitted 20/06/2025
        late = grant_create(title="Court advocacy", purpose="Advocacy at court", organisation=s.haven,
                            service=s.refuge.service, senior_responsible_officer="Ruth Kaur",
                            allocation_method="competed", start_date=date(2025, 7, 1), end_date=date(2026, 3, 31),
                            by=s.base.officer, funding=[(s.base.core, s.base.year, "12000.00", s.base.lines["hubs"])])
        grant_submit(grant=late, by=s.base.officer)
    before_approval = timezone.now()
    grant_approve(grant=late, by=commissioner, on=date(2025, 7, 1))

    def late_row(**dates):
        (row,) = [r for r in rows(**dates) if r["grant"] == late.reference]
        return row

    waiting = late_row(as_at="2025-06-30")
    assert (waiting["status"], waiting["provider"]) == ("Submitted for approval", "Safe Haven Refuge CIC")
    assert all(waiting[k] is None for k in MONEY)  # not yet awarded: no award, nothing committed
    haven_total = next(r for r in rows(as_at="2025-06-30") if r.kind == SUBTOTAL and r["provider"] == s.haven.name)
    assert haven_total["original"] == D("40000.00")  # the refuge grant only
    approved = late_row(as_at="2025-07-01")
    assert approved["status"] == "Approved (offer made)"
    assert [approved[k] for k in MONEY] == [D("12000.00"), D("12000.00"), D("0.00"), D("12000.00")]
    # As known before the approval was recorded, it was still awaiting a decision, whatever the as-at date.
    assert late_row(as_at="2025-07-01", known_at=before_approval)["status"] == "Submitted for approval"
    # Before it was submitted it was a draft: not on the statement.
    assert late.reference not in [r["grant"] for r in rows(as_at="2025-06-19")]
