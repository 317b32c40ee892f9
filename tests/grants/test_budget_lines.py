"""Commitments and spending belong to a budget line: a grant's funding line names the line it draws on, its
commitment and payments are posted against it, a correcting journal's spending line may name one, and the fund page
and fund statement show committed and actual per line, adding up to the fund's own figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from funds.budgets import budget_line_create
from funds.models import Fund
from grants.awards import funding_line_set
from grants.models import FundingLine
from grants.payments import payment_record
from grants.workflow import grant_approve, grant_submit
from ledger import accounts as acc
from ledger.corrections import CorrectionLine, correcting_journal_approve, correcting_journal_prepare
from ledger.models import JournalLine
from ledger.posting import CREDIT, DEBIT, Leg, entry_post, entry_reverse
from ledger.selectors import budget_line_spending, fund_positions
from reports.exports import pack_build
from reports.parameters import parameters_parse
from reports.statements.fund import UNASSIGNED
from tests.grants.conftest import accept_return, complete_checks, make_grant


@pytest.fixture
def lines(funded_core, year, officer):
    """Two budget lines of MOJ-CORE 2025/26."""
    hubs = budget_line_create(fund=funded_core, year=year, heading="Victim support hubs", amount="300000.00",
                              by=officer)
    counselling = budget_line_create(fund=funded_core, year=year, heading="Specialist counselling",
                                     amount="200000.00", by=officer)
    return hubs, counselling


def _verify():
    call_command("verify_ledger", verbosity=0)


def test_a_posting_names_only_a_budget_line_of_its_own_fund_and_year(lines, funded_core, dasv_fund, year, officer):
    hubs, _ = lines
    before = JournalLine.objects.count()
    with pytest.raises(ValidationError) as refusal:
        entry_post(date=date(2025, 6, 1), description="Wrong line", by=officer, legs=[
            Leg(acc.COMMITMENTS, dasv_fund, DEBIT, "100.00", year, hubs),
            Leg(acc.COMMITMENT_CONTROL, dasv_fund, CREDIT, "100.00", year)])
    assert "belongs to another fund or year than MOJ-DASV 2025/26" in refusal.value.messages[0]
    assert JournalLine.objects.count() == before


def test_a_reversal_counts_against_the_same_budget_line(lines, funded_core, year, officer):
    hubs, _ = lines
    entry = entry_post(date=date(2025, 6, 1), description="Commit", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, "1250.50", year, hubs),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, "1250.50", year, hubs)])
    assert budget_line_spending(year=year)[(funded_core.pk, hubs.pk)].committed == Decimal("1250.50")
    entry_reverse(entry=entry, date=date(2025, 6, 2), by=officer, reason="Raised twice")
    commitment_lines = JournalLine.objects.filter(account__code__in=[acc.COMMITMENTS, acc.COMMITMENT_CONTROL])
    assert set(commitment_lines.values_list("budget_line_id", flat=True)) == {hubs.pk}
    assert commitment_lines.count() == 4
    assert budget_line_spending(year=year)[(funded_core.pk, hubs.pk)].committed == 0
    _verify()


def test_a_funding_line_takes_the_funds_only_budget_line(funded_core, year, officer, org, service):
    only = budget_line_create(fund=funded_core, year=year, heading="Victim support hubs", amount="300000.00",
                              by=officer)
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00")])
    assert grant.funding_lines.get().budget_line == only


def test_a_grant_on_a_fund_with_several_lines_must_name_one_before_submitting(lines, funded_core, year, officer,
                                                                             org, service):
    hubs, counselling = lines
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00")])
    assert grant.funding_lines.get().budget_line is None
    with pytest.raises(ValidationError) as refusal:
        grant_submit(grant=grant, by=officer)
    assert refusal.value.messages == [
        "The MOJ-CORE 2025/26 funding line does not say which budget line it draws on; choose one of Specialist "
        "counselling, Victim support hubs."
    ]
    funding_line_set(grant=grant, fund=funded_core, year=year, amount="60000.00", budget_line=counselling, by=officer)
    assert grant_submit(grant=grant, by=officer).status == "submitted"


def test_a_budget_line_of_another_fund_is_refused_with_the_right_choices(lines, funded_dasv, funded_core, year,
                                                                         officer, org, service):
    hubs, _ = lines
    grant = make_grant(org, service, officer, [(funded_core, year, "1000.00", hubs)])
    with pytest.raises(ValidationError) as refusal:
        funding_line_set(grant=grant, fund=funded_dasv, year=year, amount="500.00", budget_line=hubs, by=officer)
    assert refusal.value.message_dict["budget_line"] == [
        "'Victim support hubs' is a budget line of MOJ-CORE 2025/26; choose one of MOJ-DASV's lines for 2025/26 (it "
        "has none yet)."
    ]
    assert FundingLine.objects.filter(grant=grant).count() == 1


def test_a_grants_commitment_and_payment_count_against_its_budget_line(lines, funded_core, year, officer, officer2,
                                                                       commissioner, org, service):
    hubs, counselling = lines
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00", counselling)])
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    from grants.workflow import grant_offer_accept

    grant_offer_accept(grant=grant, accepted_on=date(2025, 5, 12), by=officer)
    complete_checks(grant, officer)
    accept_return(grant, year, 1, officer, officer2)
    q1 = grant.instalments.order_by("due_date").first()
    payment_record(instalment=q1, amount="15000.00", paid_on=date(2025, 7, 20), by=officer)

    spending = budget_line_spending(year=year)
    assert spending[(funded_core.pk, counselling.pk)].committed == 45000
    assert spending[(funded_core.pk, counselling.pk)].actual == 15000
    assert (funded_core.pk, hubs.pk) not in spending
    (position,) = fund_positions(year=year, funds=Fund.objects.filter(pk=funded_core.pk))
    assert (position.committed, position.actual) == (45000, 15000)
    _verify()


def test_a_correcting_journal_spending_line_may_name_its_budget_line(lines, funded_core, year, officer, officer2):
    hubs, _ = lines
    journal = correcting_journal_prepare(
        date=date(2025, 9, 30), reason="ISVA coordinator salary, September", by=officer,
        lines=[CorrectionLine(acc.SUPPLIER_EXPENDITURE, funded_core, DEBIT, "3104.17", budget_line=hubs),
               CorrectionLine(acc.CASH, funded_core, CREDIT, "3104.17")])
    correcting_journal_approve(journal=journal, by=officer2)
    assert budget_line_spending(year=year)[(funded_core.pk, hubs.pk)].actual == Decimal("3104.17")
    _verify()


def test_a_correcting_journal_names_a_budget_line_only_on_spending(lines, funded_core, year, officer):
    hubs, _ = lines
    with pytest.raises(ValidationError) as refusal:
        correcting_journal_prepare(date=date(2025, 9, 30), reason="Misposted", by=officer, lines=[
            CorrectionLine(acc.CASH, funded_core, DEBIT, "10.00", budget_line=hubs),
            CorrectionLine(acc.OTHER_INCOME, funded_core, CREDIT, "10.00")])
    assert refusal.value.messages[0].startswith(
        "Line 1: a budget line is named only on a spending line (for example 5300 Supplier spending)")


def test_the_fund_statement_shows_committed_and_actual_per_line_adding_up_to_the_fund(
        lines, funded_core, year, officer, officer2):
    hubs, counselling = lines
    entry_post(date=date(2025, 6, 1), description="Commit hubs", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, "1000.01", year, hubs),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, "1000.01", year, hubs)])
    entry_post(date=date(2025, 6, 2), description="Spend counselling", by=officer, legs=[
        Leg(acc.SUPPLIER_EXPENDITURE, funded_core, DEBIT, "250.25", year, counselling),
        Leg(acc.CASH, funded_core, CREDIT, "250.25", year)])
    entry_post(date=date(2025, 6, 3), description="Spend, no line", by=officer, legs=[
        Leg(acc.SUPPLIER_EXPENDITURE, funded_core, DEBIT, "9.99", year),
        Leg(acc.CASH, funded_core, CREDIT, "9.99", year)])
    params = parameters_parse(year=year, as_at="31/03/2026")
    built = pack_build(params, keys=["fund"]).get("fund")
    rows = {(r["fund"], r["heading"]): r for r in built.rows}
    assert rows[("MOJ-CORE", "Victim support hubs")]["committed"] == Decimal("1000.01")
    assert rows[("MOJ-CORE", "Specialist counselling")]["actual"] == Decimal("250.25")
    assert rows[("MOJ-CORE", UNASSIGNED)]["actual"] == Decimal("9.99")
    total = rows[("MOJ-CORE", f"Total {funded_core.name}")]
    line_rows = [r for (code, heading), r in rows.items() if code == "MOJ-CORE" and not heading.startswith("Total")]
    assert total["committed"] == sum(r["committed"] or 0 for r in line_rows)
    assert total["actual"] == sum(r["actual"] or 0 for r in line_rows)


def test_the_fund_page_shows_each_lines_committed_actual_and_whats_left(client, lines, funded_core, year, officer):
    hubs, _ = lines
    entry_post(date=date(2025, 6, 1), description="Commit hubs", by=officer, legs=[
        Leg(acc.COMMITMENTS, funded_core, DEBIT, "1000.00", year, hubs),
        Leg(acc.COMMITMENT_CONTROL, funded_core, CREDIT, "1000.00", year, hubs)])
    client.force_login(officer)
    page = client.get(reverse("funds:detail", args=[funded_core.code]), {"year": 2025})
    rows = {row.heading: row for row in page.context["budget_table"].rows}
    row = rows["Victim support hubs"]
    assert (row.committed, row.left) == (1000, 299000)
    assert "£299,000.00" in page.content.decode()
