"""Many documents in one transaction (``income.services.income_batch``, used by the import): what each document
would read again is read once, and every rule still holds, in the same words."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import fields_validate, save_with_history
from core.models import Event
from funds.calendar import periods_close_up_to
from funds.models import Period
from funds.services import fund_create
from income import services
from income.importing import income_import
from income.models import FeeReceipt
from ledger.models import JournalEntry
from tests.income.importing_files import csv_bytes

MAY = date(2025, 5, 30)


@pytest.fixture
def fees_fund(db, officer, home_office, year):
    return fund_create(code="ROAD-FEES", name="Road safety course fees", funder=home_office, purpose="Road safety",
                       limit_basis="receipts", income_kind="fees", year_end_rule="carry_forward", by=officer)


def fee(fund, officer, reference, amount="120.00", day=MAY):
    return services.fee_receipt_record(fund=fund, reference=reference, date=day, amount=amount, by=officer)


def fee_rows(first: int, count: int) -> list[list[str]]:
    """Course fees on five days of May 2025, each row its own reference."""
    return [["ROAD-FEES", f"{26 + i % 5:02d}/05/2025", "fee", f"NDORS-{i:04d}", f"{120 + i % 40}.00", "May courses",
             "", "", "", "", str(1 + i % 9)] for i in range(first, first + count)]


def import_queries(officer, rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = income_import(name="fees.csv", data=csv_bytes(rows), by=officer)
    assert report.ok and len(report.recorded) == len(rows)
    return len(queries)


def test_an_import_costs_a_fixed_number_of_queries_per_row(fees_fund, officer):
    """Per row: the posting (one round trip on PostgreSQL, two on SQLite, with its savepoint: two more) and the
    document. The history rows and events are written in bulk at the end, and nothing is read again row by row: not
    the references, the keys or the constraints, nor the period of a date already seen."""
    ten = import_queries(officer, fee_rows(0, 10))
    forty = import_queries(officer, fee_rows(10, 40))
    per_row = (forty - ten) / 30
    assert per_row <= (4 if connection.vendor == "postgresql" else 5), per_row
    assert FeeReceipt.objects.count() == 50


def test_a_reference_read_by_the_batch_is_answered_without_a_query(fees_fund, officer):
    fee(fees_fund, officer, "NDORS-OLD")
    with services.income_batch(["NDORS-OLD", "NDORS-NEW"]) as standing:
        assert standing["NDORS-OLD"] == FeeReceipt.objects.get(reference="NDORS-OLD")
        with CaptureQueriesContext(connection) as queries:
            assert services.reference_in_use("NDORS-OLD")
            assert not services.reference_in_use("NDORS-NEW")
        assert len(queries) == 0
        with CaptureQueriesContext(connection) as queries:
            assert not services.reference_in_use("NDORS-ELSEWHERE")  # not read by the batch: asked of the database
        assert len(queries) == len(services.DOCUMENT_MODELS)


def test_a_document_recorded_in_the_batch_holds_its_reference_there(fees_fund, officer):
    with services.income_batch(["NDORS-1"]) as standing:
        recorded = fee(fees_fund, officer, "NDORS-1")
        assert standing["NDORS-1"] == recorded
        with pytest.raises(ValidationError) as refusal:
            fee(fees_fund, officer, "NDORS-1", amount="99.00")
    assert refusal.value.message_dict == {"reference": ["Reference 'NDORS-1' has already been recorded."]}
    assert FeeReceipt.objects.count() == 1


def test_a_document_reversed_in_the_batch_frees_its_reference(fees_fund, officer):
    first = fee(fees_fund, officer, "NDORS-1")
    with services.income_batch(["NDORS-1"]) as standing:
        services.fee_receipt_reverse(receipt=first, reason="Wrong amount", by=officer)
        assert "NDORS-1" not in standing
        again = fee(fees_fund, officer, "NDORS-1", amount="125.00")
    assert FeeReceipt.objects.standing().get(reference="NDORS-1") == again


def test_a_closed_period_is_refused_every_time_in_the_batch(fees_fund, officer, year):
    periods_close_up_to(period=Period.objects.get(year=year, number=1), by=officer)  # April 2025 closed
    april = date(2025, 4, 20)
    with services.income_batch([]):
        for _ in range(2):
            with pytest.raises(ValidationError) as refusal:
                fee(fees_fund, officer, "NDORS-APR", day=april)
            assert refusal.value.message_dict["date"] == [
                "2025/26 P1 (Apr 2025) is closed, so nothing can be posted on 20/04/2025. Post the correction into "
                "an open period, or ask a finance director to reopen it."]
        assert services.open_period(MAY).number == 2
        with CaptureQueriesContext(connection) as queries:
            assert services.open_period(MAY).number == 2  # an open period is read once a date
        assert len(queries) == 0


def test_a_pay_over_reference_in_a_file_is_refused_in_the_services_words(fees_fund, fpn_fund, officer):
    services.fpn_return_record(fund=fpn_fund, reference="FPN-2025-04", month_start=date(2025, 4, 1), tickets=10,
                               gross_value="1000.00", by=officer)
    services.treasury_payover_record(fund=fpn_fund, reference="HMT-1", date=date(2025, 5, 2), amount="100.00",
                                     by=officer, today=date(2025, 6, 1))
    rows = [["ROAD-FEES", "30/05/2025", "fee", "HMT-1", "120.00", "", "", "", "", "", ""]]
    report = income_import(name="fees.csv", data=csv_bytes(rows), by=officer)
    assert [str(p) for p in report.problems] == ["Row 2, reference: Reference 'HMT-1' has already been recorded."]
    assert not FeeReceipt.objects.exists()


def test_checking_fields_alone_still_checks_each_field_without_a_query(fees_fund, officer):
    receipt = fee(fees_fund, officer, "NDORS-1")
    receipt.description = "x" * 301
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refusal:
        fields_validate(receipt)
    assert len(queries) == 0
    assert refusal.value.message_dict == {
        "description": ["Ensure this value has at most 300 characters (it has 301)."]}


def test_a_service_in_a_batch_refuses_before_it_posts(fees_fund, officer):
    """Inside a batch a service has no savepoint of its own: a refusal leaves nothing behind, and the batch goes on."""
    with services.income_batch(["NDORS-1", "NDORS-2"]):
        with pytest.raises(ValidationError) as refusal:
            services.fee_receipt_record(fund=fees_fund, reference="NDORS-1", date=MAY, amount="120.00", by=officer,
                                        description="x" * 301)
        assert refusal.value.message_dict == {
            "description": ["Ensure this value has at most 300 characters (it has 301)."]}
        assert not JournalEntry.objects.exists() and not FeeReceipt.objects.exists()
        fee(fees_fund, officer, "NDORS-2")
    assert [(r.reference, r.entry.number) for r in FeeReceipt.objects.all()] == [("NDORS-2", 1)]


def test_saving_in_full_still_asks_the_database_about_constraints(fees_fund, officer):
    """Outside a batch nothing is taken on trust: a second standing document with one reference is refused by
    ``full_clean`` in words, before the database would refuse it."""
    first = fee(fees_fund, officer, "NDORS-1")
    copy = FeeReceipt(fund=fees_fund, reference="NDORS-1", entry=first.entry, recorded_by=officer, date=MAY,
                      amount=first.amount)
    with pytest.raises(ValidationError) as refusal:
        save_with_history(copy, by=officer, reason="test")
    assert "entry" in refusal.value.message_dict and "__all__" in refusal.value.message_dict
    assert FeeReceipt.objects.count() == 1
    assert first.amount.amount == Decimal("120.00")


def history_facts(document) -> list[tuple]:
    return [(h.history_type, h.history_user, h.history_change_reason, h.reference, h.amount, h.courses, h.reversal_id)
            for h in document.history.order_by("history_id")]


def test_an_imported_document_has_the_history_row_and_event_of_one_recorded_alone(fees_fund, officer):
    alone = fee(fees_fund, officer, "NDORS-A", amount="120.00")
    rows = [["ROAD-FEES", "30/05/2025", "fee", "NDORS-B", "120.00", "", "", "", "", "", ""]]
    income_import(name="fees.csv", data=csv_bytes(rows), by=officer)
    imported = FeeReceipt.objects.get(reference="NDORS-B")
    assert history_facts(alone) == [("+", officer, "Course fees recorded", "NDORS-A", alone.amount, 0, None)]
    assert history_facts(imported) == [("+", officer, "Course fees recorded", "NDORS-B", alone.amount, 0, None)]
    assert imported.recorded_at <= imported.history.get().history_date
    events = {e.object_id: e for e in Event.objects.filter(kind="income.fee_recorded")}
    assert [(e.actor, e.object_type, e.summary) for e in (events[str(alone.pk)], events[str(imported.pk)])] == [
        (officer, "income.feereceipt", "Fees NDORS-A ROAD-FEES: £120.00"),
        (officer, "income.feereceipt", "Fees NDORS-B ROAD-FEES: £120.00"),
    ]
    assert events[str(imported.pk)].at <= Event.objects.get(kind="income.imported").at


def test_history_written_at_the_end_of_a_batch_holds_each_row_as_it_was_saved(fees_fund, officer):
    """Recorded, then reversed, in one batch: the first history row still shows it standing."""
    with services.income_batch(["NDORS-1"]):
        receipt = fee(fees_fund, officer, "NDORS-1")
        reversed_receipt = services.fee_receipt_reverse(receipt=receipt, reason="Wrong fund", by=officer)
        assert not receipt.history.exists()  # not yet written
    facts = history_facts(receipt)
    assert facts == [("+", officer, "Course fees recorded", "NDORS-1", receipt.amount, 0, None),
                     ("~", officer, "Reversed: Wrong fund", "NDORS-1", receipt.amount, 0, reversed_receipt.reversal_id)]
    assert not hasattr(receipt, "_history_date")  # a later save outside a batch is stamped with its own time


def test_a_batch_that_fails_writes_no_history_and_no_events(fees_fund, officer):
    before = (FeeReceipt.history.count(), Event.objects.count())
    with pytest.raises(RuntimeError), services.income_batch(["NDORS-1"]):
        fee(fees_fund, officer, "NDORS-1")
        raise RuntimeError("the caller gives up")
    assert (FeeReceipt.history.count(), Event.objects.count(), FeeReceipt.objects.count()) == (*before, 0)
