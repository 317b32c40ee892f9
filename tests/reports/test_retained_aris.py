"""Retained income under ARIS (issue 11 item 7) and HM Treasury's share of fines (item 6).

Proceeds of crime: this body receives only its own share; the Home Office's half and the other agencies' shares
are shown for information, never as owed to HM Treasury; what-if shares above ARIS's 50% give nothing. Fixed
penalties: the rest of the gross sum is owed to HM Treasury until it is paid over (account 2000). On top of the
fixed scenario of tests/reports/conftest.py, with one cash forfeiture at the whole 50% on an odd penny, and
FPN-P01's HM Treasury share paid over on 15/06/2025.
"""

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from income.services import poca_receipt_record
from ledger import accounts as acc
from ledger.posting import CREDIT, DEBIT, Leg, entry_post
from reports.exports import render
from reports.parameters import parameters_parse
from reports.registry import LINE, SUBTOTAL, TOTAL, statement_get
from tests.reports.sheets import load
from tests.reports.test_csv import read

TITLES = ["Fund", "Kind", "Reference", "Case or month", "Date", "Tickets", "Gross", "Share %", "Retained",
          "Home Office share", "Other agencies", "To HM Treasury", "Paid to HM Treasury", "Owed to HM Treasury",
          "Retained at 0%", "Retained at 25%", "Retained at 50%", "Retained at 75%", "Retained at 100%"]


@pytest.fixture
def paid_over(scenario):
    """The scenario, a cash forfeiture order (the police's share the whole 50%), and FPN-P01's HM Treasury share
    (£104,025.00) paid over. Returns the moment before the pay-over was posted."""
    poca_receipt_record(fund=scenario.poca, reference="ARIS-003", case_reference="CF-2025-014",
                        date=date(2025, 7, 3), gross_recovered="10000.01", agency_share_percent="50",
                        by=scenario.officer)
    before = timezone.now()
    entry_post(date=date(2025, 6, 15), description="FPN-P01: HM Treasury share paid over", by=scenario.officer,
               legs=[Leg(acc.TREASURY_CREDITOR, scenario.fpn, DEBIT, D("104025.00")),
                     Leg(acc.CASH, scenario.fpn, CREDIT, D("104025.00"))])
    return before


def rows(**dates):
    return list(statement_get("retained")(parameters_parse(year="2025/26", **dates)).rows())


def pick(all_rows, kind, **match):
    found = [r for r in all_rows if r.kind == kind and all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, f"{len(found)} rows match {kind} {match}"
    return found[0]


def test_proceeds_of_crime_show_home_office_and_other_agencies_and_nothing_for_hm_treasury(paid_over):
    all_rows = rows(as_at="2026-03-31")
    confiscation = pick(all_rows, LINE, reference="ARIS-001")  # 18.75% of £186,000.00: the investigator's share
    assert [confiscation[k] for k in ("gross", "retained", "home_office", "other_agencies", "treasury")] == [
        D("186000.00"), D("34875.00"), D("93000.00"), D("58125.00"), None]
    forfeiture = pick(all_rows, LINE, reference="ARIS-003")  # the whole 50%, on an odd penny
    assert [forfeiture[k] for k in ("gross", "retained", "home_office", "other_agencies", "treasury")] == [
        D("10000.01"), D("5000.01"), D("5000.00"), D("0.00"), None]
    for line in (r for r in all_rows if r.kind == LINE and r["kind"] == "Proceeds of crime"):
        assert line["retained"] + line["home_office"] + line["other_agencies"] == line["gross"], line["reference"]
    poca = pick(all_rows, SUBTOTAL, fund="POCA")
    assert [poca[k] for k in ("gross", "retained", "home_office", "other_agencies", "treasury", "paid_to_treasury",
                              "owed_to_treasury")] == [
        D("273250.01"), D("49531.26"), D("136625.00"), D("87093.75"), None, None, None]


def test_fines_owe_hm_treasury_the_rest_until_it_is_paid_over(paid_over):
    all_rows = rows(as_at="2026-03-31")
    p01 = pick(all_rows, LINE, reference="FPN-P01")
    assert [p01[k] for k in ("gross", "retained", "home_office", "other_agencies", "treasury")] == [
        D("138700.00"), D("34675.00"), None, None, D("104025.00")]
    fpn = pick(all_rows, SUBTOTAL, fund="FPN")
    assert [fpn[k] for k in ("treasury", "paid_to_treasury", "owed_to_treasury")] == [
        D("208575.00"), D("104025.00"), D("104550.00")]
    total = pick(all_rows, TOTAL)
    assert [total[k] for k in ("treasury", "paid_to_treasury", "owed_to_treasury")] == [
        D("208575.00"), D("104025.00"), D("104550.00")]
    # As at a date before the pay-over, and as known before it was posted: all still owed.
    assert [pick(rows(as_at="2025-05-31"), SUBTOTAL, fund="FPN")[k] for k in ("paid_to_treasury",
                                                                            "owed_to_treasury")] == [
        D("0.00"), D("208575.00")]
    known_before = pick(rows(as_at="2026-03-31", known_at=paid_over), SUBTOTAL, fund="FPN")
    assert (known_before["paid_to_treasury"], known_before["owed_to_treasury"]) == (D("0.00"), D("208575.00"))


def test_what_other_shares_would_give_stops_at_50_percent_for_proceeds_of_crime(paid_over, settings):
    settings.RINGFENCE = {**settings.RINGFENCE, "RETENTION_RATES": ["25", "50", "50.5", "75"]}
    statement = statement_get("retained")(parameters_parse(year="2025/26", as_at="2026-03-31"))
    all_rows = list(statement.rows())
    aris = pick(all_rows, LINE, reference="ARIS-001")
    assert [aris[k] for k in ("at_25", "at_50", "at_50_5", "at_75")] == [D("46500.00"), D("93000.00"), None, None]
    fine = pick(all_rows, LINE, reference="FPN-P01")
    assert [fine[k] for k in ("at_25", "at_50", "at_50_5", "at_75")] == [
        D("34675.00"), D("69350.00"), D("70043.50"), D("104025.00")]
    poca = pick(all_rows, SUBTOTAL, fund="POCA")
    assert (poca["at_50"], poca["at_75"]) == (D("136625.01"), None)  # 50% of each receipt, to the penny
    assert "ARIS" in statement.description and "above 50% is left blank" in statement.description


def test_every_format_has_the_titles_and_leaves_impossible_shares_blank(paid_over, tmp_path):
    _name, _type, content = render("csv", year="2025/26", as_at="2026-03-31", statement="retained")
    csv_rows = read(content)
    assert csv_rows[0] == ["Row", *TITLES]
    aris = dict(zip(csv_rows[0], next(r for r in csv_rows if r[3] == "ARIS-001"), strict=True))
    assert [aris[t] for t in ("Home Office share", "Other agencies", "To HM Treasury", "Retained at 50%",
                              "Retained at 75%", "Retained at 100%")] == ["93000.00", "58125.00", "", "93000.00", "",
                                                                          ""]

    _name, _type, content = render("xlsx", year="2025/26", as_at="2026-03-31", statement="retained")
    ws = load(content)["Retained income"]
    header = [c.value for c in ws[4]]
    assert header == TITLES
    line = next(r for r in ws.iter_rows(min_row=5) if r[2].value == "ARIS-001")
    cells = dict(zip(header, (c.value for c in line), strict=True))
    assert (cells["Home Office share"], cells["To HM Treasury"], cells["Retained at 75%"]) == (93000, None, None)
    fpn = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "Total FPN")
    cells = dict(zip(header, (c.value for c in fpn), strict=True))
    assert (cells["Paid to HM Treasury"], cells["Owed to HM Treasury"]) == (104025, 104550)

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _name, _type, content = render("pdf", year="2025/26", as_at="2026-03-31", statement="retained")
    path = tmp_path / "retained.pdf"
    path.write_bytes(content)
    flat = " ".join(subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    for title in TITLES:
        assert title in flat, title
    layout = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                            text=True).stdout
    _shares, rates = [line for line in layout.splitlines() if "ARIS-001" in line]
    assert re.findall(r"-?£[\d,]+\.\d\d", rates) == ["£0.00", "£46,500.00", "£93,000.00"]  # nothing at 75%, 100%


def test_dashboard_does_not_call_proceeds_of_crime_hm_treasurys(paid_over, director):
    client = Client()
    client.force_login(director)
    html = client.get("/dashboards/?year=2025").content.decode()
    labels = re.findall(r'<th scope="row">([^<]*)</th>', html)
    assert "Proceeds of crime: returned to us" in labels and "Fixed penalties: HM Treasury's share" in labels
    assert not [label for label in labels if "Proceeds of crime" in label and "Treasury" in label]
    assert "neither is owed by us, nor shown as owed to HM Treasury" in " ".join(html.split())


def test_a_reversed_return_is_neither_owed_nor_paid_over(paid_over, scenario):
    from income.models import FpnReturn
    from income.services import fpn_return_reverse

    p02 = FpnReturn.objects.get(reference="FPN-P02")
    fpn_return_reverse(fpn_return=p02, on=date(2025, 6, 20), by=scenario.officer, reason="Return keyed twice")
    all_rows = rows(as_at="2026-03-31")
    assert "FPN-P02" not in {r["reference"] for r in all_rows}
    fpn = pick(all_rows, SUBTOTAL, fund="FPN")
    assert [fpn[k] for k in ("treasury", "paid_to_treasury", "owed_to_treasury")] == [
        D("104025.00"), D("104025.00"), D("0.00")]


def test_march_share_paid_over_in_april_clears_the_creditor_across_the_year_boundary(paid_over, scenario):
    entry_post(date=date(2026, 4, 15), description="FPN-P02: HM Treasury share paid over", by=scenario.officer,
               legs=[Leg(acc.TREASURY_CREDITOR, scenario.fpn, DEBIT, D("104550.00")),
                     Leg(acc.CASH, scenario.fpn, CREDIT, D("104550.00"))])  # in 2026/27, the entry's own year
    closing = pick(rows(as_at="2026-03-31"), SUBTOTAL, fund="FPN")
    assert (closing["paid_to_treasury"], closing["owed_to_treasury"]) == (D("104025.00"), D("104550.00"))

    def next_year(as_at):
        params = parameters_parse(year="2026/27", as_at=as_at)
        return list(statement_get("retained")(params).rows()), list(statement_get("fund")(params).rows())

    retained, fund = next_year("2026-04-10")  # no 2026/27 returns yet: last year's share is still owed
    assert [(r.kind, r["fund"]) for r in retained] == [(SUBTOTAL, "FPN"), (TOTAL, "All funds")]
    assert (retained[0]["paid_to_treasury"], retained[0]["owed_to_treasury"]) == (D("0.00"), D("104550.00"))
    assert pick(fund, SUBTOTAL, fund="FPN")["owed_to_treasury"] == D("104550.00")
    retained, fund = next_year("2026-04-30")
    assert (retained[0]["paid_to_treasury"], retained[0]["owed_to_treasury"]) == (D("104550.00"), D("0.00"))
    assert pick(fund, SUBTOTAL, fund="FPN")["owed_to_treasury"] == D("0.00")
