from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from core.models import Event
from core.roles import roles_of
from funds.models import Fund
from ledger.models import JournalEntry, JournalLine
from ledger.verification import verify


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_loads_a_sound_ledger_and_can_run_twice(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-demo-password")
    first = seed()
    counts = (JournalEntry.objects.count(), JournalLine.objects.count(), Fund.objects.count(), Event.objects.count())
    assert counts[0] > 50 and counts[2] == 6
    assert verify().problems == []
    from notifications.models import Notification

    reminded = Notification.objects.count()
    assert reminded > 0 and "Reminders for" in first  # today's reminders, sent once

    second = seed()
    assert "nothing posted" in second
    assert (JournalEntry.objects.count(), JournalLine.objects.count(), Fund.objects.count(),
            Event.objects.count()) == counts
    assert Notification.objects.count() == reminded

    for username, role in (("finance", "Finance officer"), ("commissioner", "Commissioner"),
                           ("director", "Finance director")):
        user = authenticate(username=username, password="a-chosen-demo-password")
        assert user is not None and role in roles_of(user)
        assert username in first
    _year_end_of_2025_26_is_in_the_demo()
    _the_statement_as_at_today_is_the_positions_for_every_fund()
    _spending_payment_runs_the_bank_and_the_corporate_journal_are_in_the_demo()
    _monitoring_sign_off_returns_and_publications_are_in_the_demo()
    _the_demo_has_a_past()
    _the_provider_portal_is_in_the_demo(first)


def _the_statement_as_at_today_is_the_positions_for_every_fund():
    """Issue 17: the fund statement built as at today says, fund by fund and year by year, what the kept positions
    the ring fence checks say: nothing in the demo is dated after today, and nothing counts before its date."""
    from django.utils import timezone

    from funds.models import FinancialYear
    from ledger.selectors import fund_positions
    from reports.parameters import parameters_parse
    from reports.registry import SUBTOTAL, statement_get

    assert not JournalEntry.objects.filter(date__gt=timezone.localdate()).exists()
    compared = 0
    for year in [y for y in FinancialYear.objects.all() if y.start_date <= timezone.localdate()]:
        params = parameters_parse(year=year.label, as_at=timezone.localdate().isoformat())
        totals = {row["fund"]: row for row in statement_get("fund")(params).rows() if row.kind == SUBTOTAL}
        for position in fund_positions(year=year, funds=Fund.objects.all()):
            row = totals.get(position.fund.code)
            shown = (row["committed"], row["actual"], row["available"]) if row else (Decimal(0),) * 3
            assert shown == (position.committed, position.actual, position.available), (
                f"{position.fund.code} {year.label}: statement {shown}, positions "
                f"{(position.committed, position.actual, position.available)}")
            compared += bool(row)
    assert compared >= 6  # every demo fund, in at least one year


def _spending_payment_runs_the_bank_and_the_corporate_journal_are_in_the_demo():
    """Issue 12 on the demo: monthly runs authorised by the finance director, the November run's payment file read
    back, October's summary journal balancing to the month's postings, and October reconciled to the penny."""
    import csv
    import io
    from datetime import date

    from django.db.models import Sum

    from banking.models import BankStatement
    from banking.reconciliation import reconciliation
    from corporate.journal import gl_journal, gl_journal_csv, gl_period
    from payments.bank_file import payment_file
    from payments.models import PaymentRun
    from payments.runs import run_items
    from spending.models import Invoice, Order, SupplierPayment

    runs = list(PaymentRun.objects.order_by("pay_on"))
    assert [r.pay_on for r in runs] == [date(2026, 8, 28), date(2026, 9, 25), date(2026, 10, 30), date(2026, 11, 27)]
    assert [r.status for r in runs] == ["paid", "paid", "paid", "authorised"]
    assert {r.authorised_by.username for r in runs} == {"director"}
    assert all(r.prepared_by.username == "finance" for r in runs)
    assert SupplierPayment.objects.count() > 0 and Order.objects.filter(status="awaiting_approval").count() == 1
    assert Invoice.objects.filter(status="awaiting_approval").count() == 2  # November's, recorded by one officer

    november = runs[-1]
    rows = list(csv.reader(io.StringIO(payment_file(november).decode("utf-8"))))
    items = run_items(november)
    assert rows[-1][0] == "TRAILER" and int(rows[-1][4]) == len(items) == len(rows) - 2
    assert int(rows[-1][3]) == sum(int(r[3]) for r in rows[1:-1]) == sum(int(i.amount.amount * 100) for i in items)
    assert payment_file(november) == payment_file(november)

    october = gl_period("2026-10")
    journal = gl_journal(period=october)
    content = list(csv.reader(io.StringIO(gl_journal_csv(journal).decode("utf-8"))))
    debits = sum(Decimal(r[5]) for r in content[1:-1] if r[5])
    credits = sum(Decimal(r[6]) for r in content[1:-1] if r[6])
    posted = JournalLine.objects.filter(entry__period=october, direction="D").aggregate(t=Sum("amount"))["t"]
    assert debits == credits == Decimal(content[-1][5]) == Decimal(content[-1][6])
    assert debits == Decimal(str(posted)).quantize(Decimal("0.01"))

    statement = BankStatement.objects.get()
    assert statement.period == october and statement.reconciled_by.username == "finance2"
    assert reconciliation(statement).difference == 0


def _year_end_of_2025_26_is_in_the_demo():
    """2025/26 has been through its year end: per fund, what is owed to the funder or carried forward equals what the
    fund statement as at 31/03/2026 showed available just before the year end was posted; 2026/27 brings the carried
    amounts forward; running the year end again writes nothing."""
    from datetime import timedelta

    from funds.models import FinancialYear, Period
    from reports.parameters import parameters_parse
    from reports.registry import SUBTOTAL, statement_get

    year = FinancialYear.objects.get(start_year=2025)
    assert year.is_year_ended
    p13 = Period.objects.get(year=year, number=Period.ADJUSTMENTS)
    first = JournalEntry.objects.filter(period=p13).order_by("posted_at").first()

    def funds(label, **params):
        rows = statement_get("fund")(parameters_parse(year=label, **params)).rows()
        return {row["fund"]: row for row in rows if row.kind == SUBTOTAL}

    before = funds("2025/26", as_at="2026-03-31", known_at=(first.posted_at - timedelta(microseconds=1)).isoformat())
    after = funds("2025/26", as_at="2026-03-31")
    following = funds("2026/27", as_at="2026-04-01")
    rules = dict(Fund.objects.values_list("code", "year_end_rule"))
    checked = 0
    for code, row in before.items():
        if row["available"] > 0:
            moved = after[code]["owed_to_funder"] if rules[code] == "return" else after[code]["carried_forward"]
            assert moved == row["available"], code
            assert after[code]["available"] == 0, code
            if rules[code] == "carry_forward":
                assert following[code]["brought_forward"] == moved, code
            checked += 1
    assert checked == 5  # MOJ-CORE and MOJ-DASV returned; POCA, SPEED-FEES and VAWG-PROG carried forward
    assert after["MOJ-CORE"]["accrued"] > 0  # Q4 instalments paid in April are that year's spending
    entries = JournalEntry.objects.count()
    out = StringIO()
    call_command("year_end", year="2025/26", user="director", stdout=out)
    assert "nothing to post" in out.getvalue() and JournalEntry.objects.count() == entries


def _monitoring_sign_off_returns_and_publications_are_in_the_demo():
    """Issue 13 on the demo: the director opens October's pack (budget monitoring with RAG and commentary) and signs
    it off; October's spending file is on the public page for an anonymous visitor, a refuge redacted; the MoJ H1
    return for 2025/26 reads back; both years' 360Giving packages pass the official schema."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.test import Client

    from funds.models import Period
    from monitoring.models import RagThreshold
    from reports.funder_returns import funder_return, funder_return_file
    from reports.giving360 import giving360_export
    from reports.models import IssuedPack
    from reports.signoff import pack_digest, pack_sign_off, packs_awaiting_sign_off
    from reports.statements.monitoring import lines_needing_commentary
    from tests.reports.sheets import evaluate, load, row_of
    from tests.reports.test_giving360 import SCHEMAS, quality_failures, schema_errors

    director = get_user_model().objects.get(username="director")
    october = IssuedPack.objects.get(year__start_year=2026, as_at=date(2026, 10, 31))
    assert packs_awaiting_sign_off() == [october]
    workbook = load(bytes(october.files.get(format="xlsx").content))
    sheet = workbook["Budget monitoring"]
    header = next(row for row in sheet.iter_rows(values_only=True) if row and "RAG" in row)
    for title in ("Profiled budget to date", "Actual to date", "Variance to profile £", "RAG", "Commentary"):
        assert title in header
    rags = [row[header.index("RAG")] for row in sheet.iter_rows(values_only=True) if row and row[0] == "MOJ-CORE"]
    assert set(rags) & {"Red", "Amber"}
    commentary = [row[header.index("Commentary")] for row in sheet.iter_rows(values_only=True)
                  if row and row[header.index("RAG")] in ("Red", "Amber")]
    assert any(text and "below profile" in text for text in commentary)
    assert any(text and text.startswith("NO COMMENTARY") for text in commentary)
    signed = pack_sign_off(pack=october, by=director)
    assert signed.pack_sha256 == pack_digest(october) and packs_awaiting_sign_off() == []
    assert RagThreshold.objects.filter(fund__isnull=True).exists()
    assert [row["heading"] for row in lines_needing_commentary(
        Period.objects.get(start_date=date(2026, 10, 1), number__lte=12))] == ["Safe spaces at night"]

    visitor = Client()
    public = visitor.get("/transparency/").content.decode()
    assert "October 2026" in public
    spending = visitor.get("/transparency/spending/2026-10.csv")
    text = spending.content.decode("utf-8-sig")
    assert spending.status_code == 200 and "REDACTED" in text and "Safety" in text and "Willowbrook" not in text
    assert "Payment to an individual" in text and "Calloway" not in text  # a clinical supervisor paid on 30/10
    assert visitor.get("/transparency/spending/2026-11.csv").status_code == 404

    ret = funder_return(fund="MOJ-CORE", year="2025/26", half=1)
    assert ret.spent == ret.ledger_actual and ret.spent > 0 and ret.signed_by_name == "Margaret Lowe"
    ws = load(funder_return_file(ret, "xlsx")[2])["Funder return"]
    assert evaluate(ws, ws[f"E{row_of(ws, 'A', 'Total spent')}"].value) == ret.spent

    for label in ("2025/26", "2026/27"):
        package = giving360_export(year=label).package
        assert quality_failures(package) == []
        if SCHEMAS.is_dir():
            assert schema_errors(package) == []


def _the_demo_has_a_past():
    """The demo is recorded on the days a finance team would have done its work, not at the moment it was loaded:
    grants drafted in spring 2025, each decided after it was submitted and paid after it was decided, the ledger's
    recorded moments in the order of its entries, the waiting items submitted at least a day ago, nothing in the
    future, and the real clock back once the demo is loaded."""
    from datetime import UTC, date, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from grants.models import Grant, Payment
    from reports.approvals import approval_queue

    now = timezone.now()
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)  # the real clock again
    first = Grant.objects.order_by("pk").first()
    created = first.history.filter(history_type="+").get().history_date
    assert date(2025, 4, 1) <= timezone.localdate(created) <= date(2025, 5, 31), created
    months = {(h.year, h.month) for h in Grant.history.values_list("history_date", flat=True)}
    assert len(months) >= 8, sorted(months)

    decided = 0
    for grant in Grant.objects.exclude(submitted_at=None):
        if grant.decided_at is not None:
            assert grant.submitted_at < grant.decided_at, grant.reference
            decided += 1
            first_paid = Payment.objects.filter(funding_line__grant=grant).order_by("recorded_at").first()
            if first_paid is not None:
                assert grant.decided_at < first_paid.recorded_at, grant.reference
                assert grant.approved_on <= first_paid.paid_on, grant.reference
    assert decided > 90

    moments = list(JournalEntry.objects.order_by("pk").values_list("posted_at", flat=True))
    assert moments == sorted(moments)  # never decreasing with the id (a batch shares its moment)
    assert timezone.localdate(moments[0]) == date(2025, 4, 2)  # the first money: the Home Office's April ARIS share
    for entry in JournalEntry.objects.all():
        assert entry.date <= timezone.localdate(entry.posted_at) or entry.period.is_adjustments, entry.pk

    waiting = approval_queue(get_user_model().objects.get(username="director"))
    assert {item.kind for item in waiting} >= {"Grant", "Variation", "Bank details", "Invoice", "Order", "Virement"}
    for item in waiting:
        assert item.requested_at <= now - timedelta(days=1), (item.kind, item.title, item.requested_at)
        assert item.requested_at >= now - timedelta(days=60), (item.kind, item.title, item.requested_at)

    latest = [Event.objects.order_by("-at").first().at, moments[-1],
              Grant.history.order_by("-history_date").first().history_date]
    assert max(latest) < now


def _the_provider_portal_is_in_the_demo(printed: str):
    """Issue 15: a provider account per organisation with a running grant, opened through a real invitation in the
    demo's past; ``provider`` and ``provider2`` at two organisations, signing in with the demo password; returns
    sent and offers accepted through the portal; messages from the office."""
    from grants.models import Grant, MonitoringReturn, ProviderAccount
    from grants.providers import provider_organisation
    from portal.models import Invitation, PortalMessage

    first, second = (authenticate(username=name, password="a-chosen-demo-password") for name in ("provider",
                                                                                                  "provider2"))
    assert first is not None and second is not None
    assert provider_organisation(first) != provider_organisation(second) is not None
    assert "provider " in printed and "provider2" in printed
    running = Grant.objects.filter(status__in=["offer_accepted", "active"]).values("organisation")
    assert set(ProviderAccount.objects.values_list("organisation", flat=True)) >= set(running.values_list(
        "organisation", flat=True))
    assert Invitation.objects.filter(used_at__isnull=False).count() == ProviderAccount.objects.count()
    assert MonitoringReturn.objects.filter(submitted_through_portal=True).count() > 10
    assert Grant.objects.filter(offer_accepted_by__provider_account__isnull=False).exists()
    assert PortalMessage.objects.filter(organisation=provider_organisation(first)).count() == 2
