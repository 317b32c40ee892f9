"""Funds, budgets and income for the demo: a fictional but realistically sized West Midlands scenario.

Figures follow the scale in DOMAIN.md section 9 (MoJ victims' grants of a few million, a £400,000 proceeds of
crime fund, ~16,654 fixed penalties worth ~£1.654m a year), rounded and invented in their detail.
"""

from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.utils import timezone

from demo.timeline import at, next_month, run_stories, working_day
from funds.budgets import budget_line_create, forecast_record, virement_decide, virement_request
from funds.calendar import year_open
from funds.models import Fund, Funder
from funds.services import fund_create, funder_create
from income.models import FpnReturn
from income.services import (
    award_letter_record,
    fee_receipt_record,
    fpn_return_record,
    poca_receipt_record,
    receipt_record,
    treasury_payover_record,
)

FUNDERS = [
    ("Ministry of Justice", "MoJ", Funder.Kind.GOVERNMENT),
    ("Home Office", "Home Office", Funder.Kind.GOVERNMENT),
    ("West Midlands Combined Authority", "WMCA", Funder.Kind.COMBINED_AUTHORITY),
    ("HM Treasury", "HMT", Funder.Kind.TREASURY),
    ("West Midlands Police and Crime Commissioner", "PCC", Funder.Kind.POLICING_BODY),
]

# code, name, funder, purpose, basis, income kind, year-end, ring-fenced, approval threshold, virement threshold
FUNDS = [
    (
        "MOJ-CORE",
        "Victims' services core grant",
        "MoJ",
        "Support for victims of crime to help them cope and recover.",
        "award",
        "grant",
        "return",
        True,
        "100000",
        "25000",
    ),
    (
        "MOJ-DASV",
        "Domestic abuse and sexual violence grant",
        "MoJ",
        "DA and SV victim support services, including ISVA and IDVA posts.",
        "award",
        "grant",
        "return",
        True,
        "100000",
        "25000",
    ),
    (
        "VAWG-PROG",
        "VAWG programme funding",
        "WMCA",
        "Named violence against women and girls programmes under the devolution deal.",
        "award",
        "grant",
        "carry_forward",
        True,
        "150000",
        "50000",
    ),
    (
        "POCA",
        "Proceeds of crime community fund",
        "Home Office",
        "Community safety grants; must not pay for police officers.",
        "receipts",
        "poca",
        "carry_forward",
        True,
        "50000",
        "10000",
    ),
    (
        "FPN-RETAINED",
        "Retained fixed penalty income",
        "HMT",
        "Road and community safety, if the deal's retention of fines is agreed.",
        "receipts",
        "fpn",
        "carry_forward",
        True,
        "50000",
        "10000",
    ),
    (
        "SPEED-FEES",
        "Speed-awareness course fees",
        "PCC",
        "Any excess over cost must promote road safety (Road Traffic Offenders Act 1988 s.90G).",
        "receipts",
        "fees",
        "carry_forward",
        True,
        "50000",
        "10000",
    ),
]

# Orders and contracts above this (net) wait for a commissioner or finance director (spending.orders).
ORDER_APPROVAL_THRESHOLD = "25000.00"

# Budget lines per fund for each year: heading -> original budget.
BUDGETS = {
    "MOJ-CORE": {
        "Victim support hubs": "2100000.00",
        "Specialist counselling": "900000.00",
        "Restorative justice": "412000.00",
    },
    "MOJ-DASV": {"ISVA services": "1150000.00", "IDVA services": "850000.00", "Refuge support": "150000.00"},
    "VAWG-PROG": {
        "Prevention in schools": "600000.00",
        "Perpetrator programmes": "700000.00",
        "Safe spaces at night": "500000.00",
    },
    "POCA": {"Helping Communities Fund": "400000.00", "My Community Fund": "330000.00"},
    "FPN-RETAINED": {"Road safety projects": "0.00"},
    "SPEED-FEES": {"Road safety education": "250000.00", "Course delivery costs": "150000.00"},
}

AWARDS = {"MOJ-CORE": "3412000.00", "MOJ-DASV": "2150000.00", "VAWG-PROG": "1800000.00"}


def seed_funds(users) -> dict[str, Fund]:
    officer = users["finance"]
    for start in (2024, 2025, 2026, 2027):
        year_open(start_year=start)
    funders = {}
    for name, short, kind in FUNDERS:
        funders[short] = Funder.objects.filter(name=name).first() or funder_create(
            name=name, short_name=short, kind=kind, by=officer
        )
    funds = {}
    for code, name, funder, purpose, basis, kind, year_end, ring, threshold, vthreshold in FUNDS:
        funds[code] = Fund.objects.filter(code=code).first() or fund_create(
            code=code,
            name=name,
            funder=funders[funder],
            purpose=purpose,
            limit_basis=basis,
            income_kind=kind,
            year_end_rule=year_end,
            ring_fenced=ring,
            grant_approval_threshold=threshold,
            virement_threshold=vthreshold,
            order_approval_threshold=ORDER_APPROVAL_THRESHOLD,
            by=officer,
        )
    return funds


def seed_budgets_and_income(users, funds, years) -> None:
    """Post a year of income for 2025/26 and April-November for 2026/27, in date order. Only runs on an empty
    ledger."""
    run_stories(income_stories(users, funds, years, today=timezone.localdate()))


def income_stories(users, funds, years, *, today: date) -> list:
    """One story a year: its budget and award letters (both years' in early April 2025: the funders' settlement is
    multi-year), then its receipts, fixed penalty returns and pay-overs, fees, virements and forecast, each on its
    day. ``today`` is the day the demo is loaded: the virement still waiting was requested a couple of weeks
    before it."""
    return [_income_year(users, funds, year, today=today) for year in years.values()]


def _income_year(users, funds, year, *, today: date):
    officer, officer2 = users["finance"], users["finance2"]
    start = year.start_year
    lines = {}
    yield at(date(2025, 4, 1) if start == 2025 else date(2025, 4, 2), "09:30")
    for code, headings in BUDGETS.items():
        for heading, amount in headings.items():
            lines[(code, heading)] = budget_line_create(
                fund=funds[code], year=year, heading=heading, amount=amount, by=officer
            )
    steps, letters = [], {}  # (day, time, action): done in date order
    for code, amount in AWARDS.items():
        steps.append((date(2025, 4, 3), "10:00" if start == 2025 else "10:30", partial(
            _award_letter, letters, code=code,
            fund=funds[code],
            year=year,
            reference=f"{code}-AWD-{year.label}",
            # The funders' settlement is multi-year: the letters for both years are dated 3 April 2025, so the
            # two-year grants approved that April draw on a 2026/27 award already made (the ring fence at every
            # date refuses a commitment dated before the award that allows it).
            letter_date=date(2025, 4, 3),
            amount=amount,
            by=officer,
            description=f"{funds[code].funder} award letter for {year.label}",
        )))
        quarter = (Decimal(amount) / 4).quantize(Decimal("0.01"))
        for q, month in enumerate((4, 7, 10, 1), start=1):
            received = date(start if month >= 4 else start + 1, month, 20)
            if received > date(2026, 11, 20):
                break
            steps.append((received, "11:00", partial(
                _award_receipt, letters, code=code, fund=funds[code], reference=f"{code}-RCPT-{year.label}-Q{q}",
                date=received, amount=quarter, by=officer)))
    last_month = 12 if start == 2025 else 7
    for p in range(1, last_month + 1):
        month = (p + 2) % 12 + 1
        cal_year = start if month >= 4 else start + 1
        # A month's fixed penalty return comes in on the second working day after it, before the month-end close.
        steps.append((working_day(*next_month(date(cal_year, month, 1)), 2), "10:30", partial(
            fpn_return_record,
            fund=funds["FPN-RETAINED"],
            reference=f"FPN-{year.label}-P{p:02d}",
            month_start=date(cal_year, month, 1),
            tickets=1380 + (p * 7) % 40,
            gross_value=f"{(1380 + (p * 7) % 40) * 100}.00",
            by=officer,
        )))
        # HM Treasury's share of each month's fines is paid over on the 15th of the month after next, so the
        # latest month is still owed (a creditor on the statements).
        payover = date(cal_year + (month >= 11), (month + 1) % 12 + 1, 15)
        if payover <= date(2026, 11, 20):
            steps.append((payover, "14:00", partial(_payover, funds, year, p, payover, officer2)))
        steps.append((date(cal_year, month, 28), "15:00", partial(
            fee_receipt_record,
            fund=funds["SPEED-FEES"],
            reference=f"SAC-{year.label}-P{p:02d}",
            date=date(cal_year, month, 28),
            amount=f"{31000 + (p * 353) % 4000}.00",
            courses=320 + p,
            by=officer,
        )))
    cases = [
        ("T20250390", "1250000.00", "18.75"),
        ("T20247781", "186000.00", "18.75"),
        ("T20248012", "94000.00", "18.75"),
        ("T20250155", "412500.00", "12.50"),
        ("T20250877", "318400.00", "18.75"),
        ("T20251102", "77250.00", "12.50"),
    ]
    # The Home Office pays its ARIS share monthly from the start of the year: the fund is receipts-based, so the
    # grants the commissioner approves on it in April wait for April's cash (the ring fence at every date).
    for n, (case, gross, share) in enumerate(cases):
        month = 4 + n
        if start == 2026 and month > 11:
            break
        steps.append((date(start, month, 2), "10:00", partial(
            poca_receipt_record,
            fund=funds["POCA"],
            reference=f"ARIS-{year.label}-{n + 1:03d}",
            case_reference=f"{case}-{start}",
            date=date(start, month, 2),
            gross_recovered=gross,
            agency_share_percent=share,
            by=officer,
        )))
    # 2025/26's virements were requested and decided in the autumn; 2026/27's larger one is still waiting for a
    # commissioner or the finance director, requested a couple of weeks before today.
    virement_day = date(start, 9, 10) if start == 2025 else max(today - timedelta(days=16), date(2026, 11, 2))
    steps.append((date(start, 9, 8), "14:00", partial(
        virement_request,
        from_line=lines[("MOJ-CORE", "Restorative justice")],
        to_line=lines[("MOJ-CORE", "Specialist counselling")],
        amount="20000.00",
        reason="Counselling waiting list has grown; restorative justice underspending.",
        by=officer,
    )))
    made = {}
    steps.append((virement_day, "11:15", partial(_schools_virement, lines, officer2, made)))
    if start == 2025:  # above VAWG-PROG's threshold: the finance director approved it two days later
        steps.append((virement_day + timedelta(days=2), "10:00", lambda: virement_decide(
            virement=made["virement"], approve=True, by=users["director"],
            note="Agreed at the finance directors' group")))
    steps.append((date(start, 10, 15), "16:00", partial(
        forecast_record,
        line=lines[("MOJ-CORE", "Victim support hubs")],
        amount="2085000.00",
        by=officer,
        note="Q2 review: one hub opened late",
        made_on=date(start, 10, 15),
    )))
    for day, hhmm, action in sorted(steps, key=lambda step: step[:2]):
        yield at(day, hhmm)
        action()


def _award_letter(letters, *, code, **fields):
    letters[code] = award_letter_record(**fields)


def _award_receipt(letters, *, code, **fields):
    receipt_record(award_letter=letters[code], **fields)


def _payover(funds, year, p, payover, by):
    fpn = FpnReturn.objects.get(reference=f"FPN-{year.label}-P{p:02d}")
    treasury_payover_record(
        fund=funds["FPN-RETAINED"], reference=f"HMT-{year.label}-P{p:02d}", date=payover,
        amount=fpn.owed_to_treasury.amount, by=by,
        description=f"HM Treasury's share of {fpn.period.start_date:%B %Y} fixed penalties",
    )


def _schools_virement(lines, by, made):
    made["virement"] = virement_request(
        from_line=lines[("VAWG-PROG", "Safe spaces at night")],
        to_line=lines[("VAWG-PROG", "Prevention in schools")],
        amount="75000.00",
        reason="Schools programme extended to two more local authority areas.",
        by=by,
    )
