"""The chain head anchored outside the database (ledger.anchors): the rewritten-chain attack is detected.

An owner of the database changes a posted payment, re-hashes every entry after it and rebuilds the kept rows:
``verify_ledger`` alone passes, ``verify_ledger --anchors`` exits 1 naming the anchor the ledger no longer reaches.
"""

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.money import to_pence
from funds.calendar import period_close
from funds.models import FinancialYear, Fund, Period
from ledger import accounts as acc
from ledger.anchors import anchor_record, anchors_read
from ledger.models import Account, JournalEntry, JournalLine
from ledger.posting import CREDIT, DEBIT, Leg, entry_hash, entry_post
from ledger.verification import verify


def commit(fund, amount, by, day=date(2025, 6, 1)):
    return entry_post(date=day, description="Commitment", by=by, legs=[
        Leg(acc.COMMITMENTS, fund, DEBIT, Decimal(amount)), Leg(acc.COMMITMENT_CONTROL, fund, CREDIT, Decimal(amount))])


def run_verify(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_ledger", *args, stdout=out, stderr=err)
        return 0, out.getvalue() + err.getvalue()
    except SystemExit as exit_:
        return exit_.code, out.getvalue() + err.getvalue()


def _drop_guards():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("ledger_journalentry", "ledger_journalline", "ledger_balance", "ledger_fundposition",
                          "ledger_chainhead"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'ledger_%'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')


def _rewrite_history(line_id: int, new_amount: str):
    """What the adversarial test did as database owner: change a line (and its partner, so the entry still
    balances), re-hash the chain from there, rebuild every kept balance, position and the chain head."""
    _drop_guards()
    line = JournalLine.objects.get(pk=line_id)
    JournalLine.objects.filter(entry_id=line.entry_id).update(amount=Decimal(new_amount))
    accounts = {a.pk: a for a in Account.objects.all()}
    funds = {f.pk: f for f in Fund.objects.all()}
    years = {y.pk: y for y in FinancialYear.objects.all()}
    previous = "0" * 64
    for entry in JournalEntry.objects.order_by("pk"):
        entry.previous_hash = previous
        entry.hash = previous = entry_hash(entry, list(entry.lines.order_by("pk")), accounts, funds, years)
        JournalEntry.objects.filter(pk=entry.pk).update(previous_hash=entry.previous_hash, hash=entry.hash)
    balances, positions = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0, 0])
    for ln in JournalLine.objects.select_related("entry"):
        pence = to_pence(ln.amount.amount)
        key = (ln.funding_year_id, ln.fund_id, ln.account_id, ln.entry.date, timezone.localdate(ln.entry.posted_at))
        balances[key][0 if ln.direction == "D" else 1] += pence
        signed = pence if ln.direction == "D" else -pence
        role = accounts[ln.account_id].role
        index = {"limit": 0, "committed": 1, "actual": 2}.get(role)
        if index is not None:
            positions[(ln.fund_id, ln.funding_year_id)][index] += -signed if index == 0 else signed
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_balance")
        for (year_id, fund_id, account_id, day, posted_on), (debit, credit) in balances.items():
            cursor.execute("INSERT INTO ledger_balance (funding_year_id, fund_id, account_id, date, posted_on, "
                           "debit_pence, credit_pence) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                           [year_id, fund_id, account_id, day, posted_on, debit, credit])
        for (fund_id, year_id), (limit, committed, actual) in positions.items():
            cursor.execute("UPDATE ledger_fundposition SET limit_pence = %s, committed_pence = %s, actual_pence = %s "
                           "WHERE fund_id = %s AND funding_year_id = %s", [limit, committed, actual, fund_id, year_id])
        cursor.execute("UPDATE ledger_chainhead SET last_hash = %s", [previous])


def test_the_rewritten_chain_passes_verify_alone_but_fails_against_the_anchors(funded_core, officer, anchor_file):
    payment = commit(funded_core, "8175.00", officer)
    anchor_record(event="test: after the payment")
    commit(funded_core, "10.00", officer)
    assert run_verify("--anchors", str(anchor_file))[0] == 0

    _rewrite_history(payment.lines.first().pk, "258175.00")

    assert verify().problems == []  # the attack the chain alone cannot see
    code, out = run_verify("--anchors", str(anchor_file))
    assert code == 1
    assert "anchor 1 (test: after the payment" in out
    assert "the ledger no longer leads to the recorded head after 2 entries" in out


def test_closing_a_month_and_issuing_a_pack_each_append_a_signed_anchor(funded_core, officer, director, anchor_file):
    from reports.packs import pack_issue

    commit(funded_core, "100.00", officer, day=date(2025, 4, 10))
    april = Period.objects.get(year__start_year=2024, number=1)  # the earliest month open
    period_close(period=april, by=officer, today=date(2024, 5, 3))
    pack = pack_issue(year=april.year, by=officer, month="2024-04", formats=["csv"])
    anchors, problems = anchors_read(anchor_file)
    assert problems == []
    assert [(a.seq, a.event, a.entries) for a in anchors] == [
        (1, f"period closed: {april}", 2),
        (2, f"pack {pack.pk} issued: 2024/25 as at 30/04/2024", 2),
    ]
    assert anchors[1].head == JournalEntry.objects.order_by("-pk").first().hash
    assert anchors[1].previous == anchors[0].mac
    code, out = run_verify("--anchors", str(anchor_file))
    assert code == 0 and "leads to all 2 anchored heads" in out


def test_an_anchor_line_changed_without_the_key_or_removed_is_reported(funded_core, officer, anchor_file):
    anchor_record(event="first")
    commit(funded_core, "100.00", officer)
    anchor_record(event="second")
    lines = anchor_file.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["entries"] = 1
    anchor_file.write_text(lines[0] + "\n" + json.dumps(forged) + "\n")
    code, out = run_verify("--anchors", str(anchor_file))
    assert code == 1 and "anchor file line 2: signature does not match" in out
    anchor_file.write_text(lines[1] + "\n")  # the first anchor removed
    code, out = run_verify("--anchors", str(anchor_file))
    assert code == 1 and "does not follow the one before it" in out


def test_a_ledger_shorter_than_an_anchor_is_reported(funded_core, officer, anchor_file, settings):
    commit(funded_core, "100.00", officer)
    anchor_record(event="after two entries")
    lines = anchor_file.read_text()
    # A fresh database restored from an older backup: the anchor remembers more entries than it has.
    _drop_guards()
    with connection.cursor() as cursor:
        last = JournalEntry.objects.order_by("-pk").first()
        cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [last.pk])
        cursor.execute("DELETE FROM ledger_journalentry WHERE id = %s", [last.pk])
    anchor_file.write_text(lines)
    code, out = run_verify("--anchors", str(anchor_file))
    assert code == 1 and "recorded 2 entries but the ledger now has 1 (entries were removed)" in out


def test_a_close_whose_anchor_cannot_be_written_does_not_happen(funded_core, officer, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.RINGFENCE_ANCHOR_PATH = str(blocker / "anchors.jsonl")
    april = Period.objects.get(year__start_year=2024, number=1)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="anchor file .* could not be written"):
        period_close(period=april, by=officer, today=date(2024, 5, 3))
    april.refresh_from_db()
    assert not april.is_closed


def test_verify_with_a_missing_anchor_file_says_so(db, tmp_path):
    code = None
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No anchor file at"):
        call_command("verify_ledger", "--anchors", str(tmp_path / "nowhere.jsonl"))
    assert code is None
