"""The monthly summary journal: balanced to the penny, every posting of the month and nothing else, mapped the
fund's own way first, the same bytes every time, and refused whole when a month is open or a posting unmapped."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from corporate.journal import HEADER, gl_journal, gl_journal_csv, gl_period, gl_refusal
from corporate.mapping import mapping_create, mapping_delete
from corporate.models import GLMapping
from funds.models import Period
from ledger import accounts as acc
from ledger.models import JournalLine
from tests.corporate.conftest import account, month

MAY_ROWS = [
    # cost centre, subjective, description, debit, credit
    ("MEMO", "80000", "Ringfence 2025/26 P2 debits", Decimal("10000.01"), None),
    ("MEMO", "81000", "Ringfence 2025/26 P2 credits", None, Decimal("10000.01")),
    ("PCC100", "10100", "Ringfence 2025/26 P2 debits", Decimal("130000.65"), None),  # 125,000.37 + 5,000.28
    ("PCC100", "10100", "Ringfence 2025/26 P2 credits", None, Decimal("1334.55")),  # 1,234.56 + 99.99
    ("PCC100", "11000", "Ringfence 2025/26 P2 credits", None, Decimal("125000.37")),
    ("PCC410", "41000", "Ringfence 2025/26 P2 credits", None, Decimal("5000.28")),
    ("PCC410", "52100", "Ringfence 2025/26 P2 debits", Decimal("1234.56"), None),  # MOJ-CORE: the all-funds mapping
    ("PCC420", "52100", "Ringfence 2025/26 P2 debits", Decimal("99.99"), None),  # POCA: its own mapping
]


def rows_of(journal):
    return [(r.cost_centre, r.subjective, r.description, r.debit, r.credit) for r in journal.rows]


def test_the_month_is_summarised_by_cost_centre_and_subjective_with_debits_and_credits_apart(mapped):
    journal = gl_journal(period=mapped)
    assert rows_of(journal) == MAY_ROWS
    assert journal.total_debits == journal.total_credits == Decimal("141335.21")
    assert (journal.reference, journal.month, journal.line_count, journal.postings) == ("RF-2025-05", "2025-05", 8, 10)


def test_the_control_total_is_every_debit_posted_in_the_month(mapped):
    lines = list(JournalLine.objects.filter(entry__period=mapped))
    debits = sum((line.amount.amount for line in lines if line.direction == "D"), Decimal("0"))
    credits = sum((line.amount.amount for line in lines if line.direction == "C"), Decimal("0"))
    journal = gl_journal(period=mapped)
    assert journal.control_total == debits == credits == journal.total_credits
    # and only the month's: April's award letter and June's receipt are in their own months
    assert gl_journal(period=month(2025, 4)).control_total == Decimal("500000.00")
    assert not JournalLine.objects.filter(entry__period=mapped, amount=Decimal("1.01")).exists()


def test_the_file_reads_back_as_the_documented_layout(mapped):
    data = gl_journal_csv(gl_journal(period=mapped))
    assert data.count(b"\r\n") == 10 and b"\n" not in data.replace(b"\r\n", b"")
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(table[0]) == HEADER == (
        "Period", "Journal reference", "Cost centre", "Subjective", "Description", "Debit", "Credit")
    body, control = table[1:-1], table[-1]
    assert body[2] == ["2025-05", "RF-2025-05", "PCC100", "10100", "Ringfence 2025/26 P2 debits", "130000.65", ""]
    assert body[3] == ["2025-05", "RF-2025-05", "PCC100", "10100", "Ringfence 2025/26 P2 credits", "", "1334.55"]
    assert control == ["CONTROL", "RF-2025-05", "", "", "8", "141335.21", "141335.21"]
    debit_total = sum(Decimal(row[5]) for row in body if row[5])
    credit_total = sum(Decimal(row[6]) for row in body if row[6])
    assert debit_total == credit_total == Decimal(control[5]) == Decimal(control[6])
    assert len(body) == int(control[4])


def test_the_same_month_gives_the_same_bytes_every_time(mapped):
    first = gl_journal_csv(gl_journal(period=mapped))
    second = gl_journal_csv(gl_journal(period=Period.objects.get(pk=mapped.pk)))
    assert first == second


def test_a_funds_own_mapping_beats_the_all_funds_mapping_and_removing_it_falls_back(mapped, poca_fund, officer):
    own = GLMapping.objects.get(account=account(acc.GRANT_EXPENDITURE), fund=poca_fund)
    mapping_delete(mapping=own, by=officer, reason="POCA spending is coded like the rest from now on")
    rows = rows_of(gl_journal(period=mapped))
    assert ("PCC410", "52100", "Ringfence 2025/26 P2 debits", Decimal("1334.55"), None) in rows
    assert not [r for r in rows if r[0] == "PCC420"]


def test_unmapped_accounts_and_funds_are_refused_by_name(may_postings, poca_fund, officer):
    mapping_create(account=account(acc.CASH), cost_centre="PCC100", subjective="10100", by=officer)
    mapping_create(account=account(acc.GRANT_EXPENDITURE), fund=poca_fund, cost_centre="PCC420",
                   subjective="52100", by=officer)
    with pytest.raises(ValidationError) as refused:
        gl_journal(period=may_postings)
    message = " ".join(refused.value.messages)
    unmapped = [(acc.AWARDS_RECEIVABLE, "MOJ-CORE"), (acc.POCA_INCOME, "POCA"),
                (acc.GRANT_EXPENDITURE, "MOJ-CORE"),  # POCA's own mapping does not cover MOJ-CORE
                (acc.COMMITMENTS, "MOJ-CORE"), (acc.COMMITMENT_CONTROL, "MOJ-CORE")]
    for code, fund_code in unmapped:
        assert f"account {account(code)} on fund {fund_code}" in message
    assert message.startswith("The journal for 2025/26 P2 (May 2025) cannot be made: 5 account and fund pairs")
    assert "/corporate/mappings/" in message
    assert "account 1000" not in message and f"{account(acc.GRANT_EXPENDITURE)} on fund POCA" not in message


def test_an_open_month_is_refused_saying_who_closes_it(mapped):
    june = month(2025, 6)
    with pytest.raises(ValidationError, match=r"still open: close the month first.*finance director.*/periods/"):
        gl_journal(period=june)


def test_the_year_end_adjustments_period_is_no_calendar_month(year):
    p13 = Period.objects.create(year=year, number=13, start_date=date(2026, 3, 31), end_date=date(2026, 3, 31),
                                is_closed=True)
    assert "not a calendar month" in gl_refusal(p13)
    with pytest.raises(ValidationError, match="not a calendar month"):
        gl_journal(period=p13)
    assert gl_period("2026-03").number == 12  # the month named 2026-03 is P12, never P13


def test_a_closed_month_without_postings_is_an_empty_balanced_journal(mapped):
    april_2024 = month(2024, 4)
    data = gl_journal_csv(gl_journal(period=april_2024))
    assert data == (b"Period,Journal reference,Cost centre,Subjective,Description,Debit,Credit\r\n"
                    b"CONTROL,RF-2024-04,,,0,0.00,0.00\r\n")


@pytest.mark.parametrize("text", ["2025-13", "2025-5", "25-05", "May 2025", "2025/05", "", "2025-00", "２０２５-05"])
def test_a_period_is_written_as_year_and_month(year, text):
    with pytest.raises(ValidationError, match="write it as year-month, YYYY-MM, for example 2026-10"):
        gl_period(text)


def test_a_month_not_set_up_is_refused_naming_the_years_that_are(year):
    with pytest.raises(ValidationError, match=r"March 2030 is not a month .*2024/25 to 2026/27"):
        gl_period("2030-03")
    assert gl_period(" 2026-10 ") == month(2026, 10)


def test_exporting_leaves_the_ledger_whole(mapped):
    gl_journal_csv(gl_journal(period=mapped))
    call_command("verify_ledger")
