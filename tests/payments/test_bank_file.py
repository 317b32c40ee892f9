import csv
import hashlib
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from grants.organisations import bank_details_submit, bank_details_verify
from payments.bank_file import payment_file
from payments.models import PaymentRun
from payments.runs import payment_run_authorise, payment_run_pay, payment_run_prepare, payment_run_withhold
from tests.payments.conftest import PAY_ON, db_state

HEADER = ["Payee", "Sort code", "Account number", "Amount (pence)", "Payment reference", "Run reference"]


@pytest.fixture
def run(due, officer):
    return payment_run_prepare(pay_on=PAY_ON, by=officer)


@pytest.fixture
def authorised(run, officer2):
    return payment_run_authorise(run=run, by=officer2)


def read(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_the_file_lists_every_payment_with_a_control_total_and_count(authorised, payable_grant):
    content = payment_file(authorised)
    ref = authorised.reference
    rows = read(content)
    assert rows == [
        HEADER,
        ["Brindley Survivors Trust", "204577", "31926819", "1500000", f"{payable_grant.reference} Q1 2025/26", ref],
        ["Pennine Helpline Ltd", "401162", "12345678", "1800000", "PH-1001", ref],
        ["TRAILER", "", "", "3300000", "2", ref],
    ]
    body = rows[1:-1]
    assert int(rows[-1][3]) == sum(int(r[3]) for r in body) and int(rows[-1][4]) == len(body)
    assert content.endswith(b"\r\n") and b"\r\n" in content and not content.startswith(b"\xef\xbb\xbf")


def test_the_same_run_gives_the_same_bytes_and_its_hash_is_kept(authorised):
    first = payment_file(authorised)
    run = PaymentRun.objects.get(pk=authorised.pk)
    assert run.file_sha256 == hashlib.sha256(first).hexdigest()
    history = run.history.count()
    assert payment_file(run) == first
    assert run.history.count() == history  # an unchanged file records nothing new


def test_a_payee_taken_out_changes_the_file_and_the_change_is_recorded(authorised, officer, org):
    first = payment_file(authorised)
    payment_run_withhold(run=authorised, organisation=org, reason="Query on the return", by=officer)
    second = payment_file(authorised)
    assert second != first and [r[0] for r in read(second)] == ["Payee", "Pennine Helpline Ltd", "TRAILER"]
    run = PaymentRun.objects.get(pk=authorised.pk)
    assert run.file_sha256 == hashlib.sha256(second).hexdigest()
    hashes = [h.file_sha256 for h in run.history.order_by("history_id") if h.file_sha256]
    assert hashes[0] == hashlib.sha256(first).hexdigest() and hashes[-1] == run.file_sha256
    assert run.history.filter(history_change_reason="Payment file changed since the last export").exists()


def test_a_paid_run_exports_the_same_file_again(authorised, officer):
    before = payment_file(authorised)
    payment_run_pay(run=authorised, by=officer, today=date(2025, 8, 1))
    assert payment_file(authorised) == before


def test_no_file_for_a_run_not_authorised(run):
    before = db_state()
    with pytest.raises(ValidationError, match="is prepared, awaiting authorisation; a payment file is made only for "
                                              "an authorised run"):
        payment_file(run)
    assert db_state() == before


def test_no_file_when_a_payee_changed_bank_details_after_authorisation(authorised, officer, officer2, org):
    details = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="30-96-34",
                                  account_number="55667788", by=officer, reason="New bank")
    bank_details_verify(details=details, by=officer2, note="Call-back")
    before = db_state()
    with pytest.raises(ValidationError, match="The bank details of Brindley Survivors Trust changed after the run "
                                              "was authorised, so it cannot be sent to the bank"):
        payment_file(authorised)
    assert db_state() == before


def test_the_command_writes_the_file_and_prints_its_totals(authorised, tmp_path):
    out, target = io.StringIO(), tmp_path / "run.csv"
    call_command("export_payment_run", str(authorised.pk), "--output", str(target), stdout=out)
    content = target.read_bytes()
    assert content == payment_file(authorised)
    digest = hashlib.sha256(content).hexdigest()
    assert out.getvalue() == (f"{authorised.reference}: 2 payments, control total 3300000 pence (£33,000.00), "
                              f"written to {target}\nSHA-256 {digest}\n")


def test_the_command_refuses_with_the_services_message(run, tmp_path):
    target = tmp_path / "run.csv"
    with pytest.raises(CommandError, match="a payment file is made only for an authorised run"):
        call_command("export_payment_run", str(run.pk), "--output", str(target))
    assert not target.exists()
    with pytest.raises(CommandError, match="There is no payment run 98765"):
        call_command("export_payment_run", "98765", "--output", str(target))
