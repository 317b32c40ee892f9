"""The three CSV files, read back with the csv module: exact rows for the small world in conftest.py, and the
commands' refusals (no file written)."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from grants.awards import decision_record
from tests.transparency.conftest import REFUGE_REASON
from transparency.contracts import contracts_csv
from transparency.decisions import decisions_csv, first_sentence
from transparency.redaction import INDIVIDUAL_REASON
from transparency.spending import HEADER, spending_csv

BODY = "Office of the West Midlands Police and Crime Commissioner"


def read(data: bytes) -> list[list[str]]:
    assert b"\r\n" in data and not data.startswith(b"\xef\xbb\xbf")  # CRLF, UTF-8 without a BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def spending(world):
    data, count = spending_csv(month="2025-07")
    rows = read(data)
    assert len(rows) == count + 1
    return rows


def test_spending_columns_are_the_published_ones(world, db):
    assert spending(world)[0] == list(HEADER) == [
        "Body name", "Date", "Transaction number", "Beneficiary", "Summary of purpose", "Expense type",
        "Service area", "Amount", "Irrecoverable VAT", "Redacted", "Redaction reason"]


def test_spending_rows_are_exact(world, db):
    """£500.00 in, £499.99 out, the reversed payment out, the refuge and the individual redacted with the reason,
    supplier payments at their net with VAT that cannot be recovered beside it; £450 + £90 VAT is under £500."""
    sp = world["supplier_paid"]
    ref = {key: p.entry.reference for key, p in sp.items()}
    fund = "Victims' services core grant"
    assert spending(world)[1:] == [
        [BODY, "2025-07-14", world["paid_500"].entry.reference, "Brindley Survivors Trust",
         "ISVA service, Birmingham 2025/26", "Grant", fund, "500.00", "0.00", "No", ""],
        [BODY, "2025-07-21", world["refuge_paid"].entry.reference, "REDACTED", "REDACTED", "Grant", fund, "2500.00",
         "0.00", "Yes", REFUGE_REASON],
        [BODY, "2025-07-25", ref["recoverable"], "Pennine Helpline Ltd", "Sexual violence helpline 2025/26: June 2025",
         "Contract", fund, "1000.00", "0.00", "No", ""],
        [BODY, "2025-07-25", ref["irrecoverable"], "Pennine Helpline Ltd",
         "Sexual violence helpline 2025/26: June 2025", "Contract", fund, "600.00", "120.00", "No", ""],
        [BODY, "2025-07-25", ref["refuge"], "REDACTED", "REDACTED", "Purchase order", fund, "800.00", "0.00", "Yes",
         REFUGE_REASON],
        [BODY, "2025-07-25", ref["person"], "REDACTED", "Clinical supervision for counsellors: June 2025",
         "Purchase order", fund, "700.00", "0.00", "Yes", INDIVIDUAL_REASON],
    ]
    assert INDIVIDUAL_REASON == "Payment to an individual: personal data (UK GDPR)"


def test_an_empty_closed_month_gives_the_header_only(world, db):
    assert read(spending_csv(month="2025-06")[0]) == [list(HEADER)]


@pytest.mark.parametrize("month, message", [
    ("2025-7", "'2025-7' is not a month: write it as year-month, YYYY-MM, for example 2026-10."),
    ("2025-13", "'2025-13' is not a month"),
    ("July 2025", "'July 2025' is not a month"),
    ("2025-08", "August 2025 (P5 of 2025/26) is still open: close the month first"),
    ("2019-07", "July 2019 is not a month of any financial year in Ringfence (financial years set up: 2024/25 to "
                "2026/27)."),
])
def test_spending_refuses_a_month_it_cannot_publish(world, db, month, message):
    with pytest.raises(ValidationError) as refused:
        spending_csv(month=month)
    assert refused.value.message_dict["month"][0].startswith(message)


def test_spending_refuses_a_month_that_has_not_ended(world, db):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match=f"{today:%B %Y} has not ended: its spending is published once the "
                                              "month has ended and been closed"):
        spending_csv(month=f"{today:%Y-%m}")


def test_contracts_register_is_exact(world, db):
    """Approved orders over £10,000 only (not £10,000.00 exactly, not awaiting approval, not rejected), redacted
    as spending is: the refuge's supplier and description, the individual's name."""
    fund = "Victims' services core grant"
    data, count = contracts_csv()
    assert read(data) == [
        ["Body name", "Reference", "Kind", "Description", "Supplier", "Service area", "Start date", "End date",
         "Value", "Redacted", "Redaction reason"],
        [BODY, world["helpline"].reference, "Contract", "Sexual violence helpline 2025/26", "Pennine Helpline Ltd",
         fund, "2025-04-01", "2026-03-31", "60000.00", "No", ""],
        [BODY, world["training"].reference, "Purchase order", "REDACTED", "REDACTED", fund, "2025-04-01",
         "2026-03-31", "12000.00", "Yes", REFUGE_REASON],
        [BODY, world["supervision"].reference, "Purchase order", "Clinical supervision for counsellors", "REDACTED",
         fund, "2025-04-01", "2026-03-31", "11000.00", "Yes", INDIVIDUAL_REASON],
    ]
    assert count == 3


def test_decision_log_is_exact_and_a_confidential_decision_shows_only_number_date_and_reason(world, db):
    data, count = decisions_csv()
    assert read(data) == [
        ["Decision number", "Title", "Date", "Decision-maker", "Public or confidential", "Reason confidential"],
        ["042-2025", "ISVA services in Birmingham", "2025-04-28", "Carla", "Public", ""],
        ["043-2025", "Helpline contract awarded", "2025-04-29", "Carla", "Public", ""],
        ["044-2025", "", "2025-04-30", "", "Confidential", REFUGE_REASON],
    ]
    assert b"Foundry" not in data and count == 3


def test_first_sentence_of_a_summary():
    assert first_sentence("Award to X. Competed in March.") == "Award to X"
    assert first_sentence("  One line only  ") == "One line only"
    assert first_sentence("Dr. Who? No.") == "Dr"  # the rule is simple; give a title when it matters


def test_a_confidential_decision_needs_its_reason(world, db, unchanged_database):
    commissioner = world.users["commissioner"]
    with unchanged_database(), pytest.raises(ValidationError) as refused:
        decision_record(number="045-2025", date=date(2025, 5, 1), decision_maker=commissioner, by=commissioner,
                        is_public=False, summary="Refuge lease")
    assert refused.value.message_dict["confidential_reason"] == [
        "Give the reason this decision is confidential, e.g. 'Safety: it names a refuge'; the published decision "
        "log shows it."]
    with unchanged_database(), pytest.raises(ValidationError, match="A published decision has no reason to be"):
        decision_record(number="045-2025", date=date(2025, 5, 1), decision_maker=commissioner, by=commissioner,
                        summary="Hub lease", confidential_reason="Commercial")


# --- the commands -------------------------------------------------------------------------------------------------


def test_export_spending_writes_the_file_and_its_sha256(world, db, tmp_path):
    out = io.StringIO()
    call_command("export_spending", month="2025-07", output=str(tmp_path / "july.csv"), stdout=out)
    data = (tmp_path / "july.csv").read_bytes()
    assert data == spending_csv(month="2025-07")[0]
    assert "6 payments of £500 or more" in out.getvalue()


@pytest.mark.parametrize("month, folder, message", [
    ("2025/07", "", "'2025/07' is not a month"),
    ("2025-08", "", "August 2025 (P5 of 2025/26) is still open"),
    ("NOW", "", "has not ended"),
    ("2025-07", "missing", "does not exist"),
])
def test_export_spending_refusals_write_no_file(world, db, tmp_path, month, folder, message):
    month = f"{timezone.localdate():%Y-%m}" if month == "NOW" else month
    target = tmp_path / folder / "out.csv"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("export_spending", month=month, output=str(target), stdout=io.StringIO())
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize("command, builder", [("export_contracts", contracts_csv), ("export_decisions", decisions_csv)])
def test_export_contracts_and_decisions(world, db, tmp_path, command, builder):
    call_command(command, output=str(tmp_path / "out.csv"), stdout=io.StringIO())
    assert (tmp_path / "out.csv").read_bytes() == builder()[0]
    with pytest.raises(CommandError, match="does not exist"):
        call_command(command, output=str(tmp_path / "no" / "out.csv"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is a folder"):
        call_command(command, output=str(tmp_path), stdout=io.StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
