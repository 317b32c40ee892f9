from datetime import date

import pytest
from django.core.exceptions import ValidationError

from funds.models import FinancialYear
from grants.payments import payment_record
from grants.schedule import InstalmentChange, schedule_update
from grants.workflow import grant_approve, grant_submit
from income.services import award_letter_record
from tests.grants.conftest import db_state, make_grant


def rows(grant):
    return [(i.funding_line.year.label, i.quarter, i.due_date, str(i.amount.amount))
            for i in grant.instalments.select_related("funding_line__year").order_by("due_date", "id")]


def test_a_grant_across_two_years_and_part_quarters_is_scheduled_per_line(org, service, officer, commissioner,
                                                                         funded_core, year):
    next_year = FinancialYear.objects.get(start_year=2026)
    # Next year's award is confirmed before the grant draws on it (a commitment is never dated before its award).
    award_letter_record(fund=funded_core, year=next_year, reference="MOJ-AWD-2627", letter_date=date(2025, 10, 20),
                        amount="400000.00", by=officer)
    grant = make_grant(org, service, officer, [(funded_core, year, "10000.00"), (funded_core, next_year, "5000.00")],
                       start_date=date(2025, 11, 15), end_date=date(2026, 8, 14), payment_terms_days=14)
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 11, 1))
    assert rows(grant) == [
        ("2025/26", 3, date(2026, 1, 14), "5000.00"),   # 15/11-31/12, due 14 days after the quarter
        ("2025/26", 4, date(2026, 4, 14), "5000.00"),
        ("2026/27", 1, date(2026, 7, 14), "2500.00"),
        ("2026/27", 2, date(2026, 8, 28), "2500.00"),   # the grant ends 14/08: due 14 days after that
    ]


def test_uneven_amounts_are_spread_to_the_penny(org, service, officer, commissioner, funded_core, year):
    grant = make_grant(org, service, officer, [(funded_core, year, "10000.01")])
    grant_submit(grant=grant, by=officer)
    grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    assert [r[3] for r in rows(grant)] == ["2500.00", "2500.00", "2500.00", "2500.01"]


def test_editing_the_schedule_keeps_it_equal_to_the_funding_line(approved_grant, officer):
    line = approved_grant.funding_lines.get()
    q1, q2, q3, q4 = approved_grant.instalments.order_by("quarter")
    before = db_state()
    with pytest.raises(ValidationError, match="The instalments would add up to £65,000.00, not the funding line's "
                                              "£60,000.00; take off £5,000.00 elsewhere so they balance"):
        schedule_update(funding_line=line, by=officer, reason="Front-load",
                        changes=[InstalmentChange(q1, amount="20000.00")])
    assert db_state() == before
    schedule_update(funding_line=line, by=officer, reason="Front-load set-up costs", changes=[
        InstalmentChange(q1, amount="20000.00", due_date=date(2025, 7, 15)),
        InstalmentChange(q4, amount="10000.00"),
    ])
    assert rows(approved_grant)[0] == ("2025/26", 1, date(2025, 7, 15), "20000.00")
    assert sum(i.amount.amount for i in approved_grant.instalments.all()) == line.amount.amount


def test_a_due_date_outside_the_grant_is_refused(approved_grant, officer):
    line = approved_grant.funding_lines.get()
    q1 = approved_grant.instalments.get(quarter=1)
    for day in (date(2025, 3, 31), date(2026, 7, 2)):
        with pytest.raises(ValidationError, match="is outside the grant: an instalment falls due between its start "
                                                  "\\(01/04/2025\\) and 01/07/2026"):
            schedule_update(funding_line=line, by=officer, reason="x", changes=[InstalmentChange(q1, due_date=day)])


def test_an_instalment_cannot_drop_below_what_was_paid_on_it(payable_grant, officer):
    line = payable_grant.funding_lines.get()
    q1, q2 = payable_grant.instalments.order_by("quarter")[:2]
    payment_record(instalment=q1, amount="12000.00", paid_on=date(2025, 7, 30), by=officer)
    with pytest.raises(ValidationError, match="£12,000.00 has already been paid on the Q1 2025/26 instalment"):
        schedule_update(funding_line=line, by=officer, reason="x", changes=[
            InstalmentChange(q1, amount="11000.00"), InstalmentChange(q2, amount="19000.00")])
    schedule_update(funding_line=line, by=officer, reason="Rest of Q1 moved to Q2", changes=[
        InstalmentChange(q1, amount="12000.00"), InstalmentChange(q2, amount="18000.00")])


def test_schedule_change_needs_a_reason(approved_grant, officer):
    with pytest.raises(ValidationError, match="Say why the schedule is changing"):
        schedule_update(funding_line=approved_grant.funding_lines.get(), changes=[], by=officer, reason="")


def test_instalments_are_paid_in_arrears_unless_the_schedule_says_in_advance(approved_grant, officer):
    assert not any(i.in_advance for i in approved_grant.instalments.all())
    line = approved_grant.funding_lines.get()
    q1 = approved_grant.instalments.get(quarter=1)
    schedule_update(funding_line=line, by=officer, reason="Start-up costs agreed in the offer letter",
                    changes=[InstalmentChange(q1, in_advance=True, requires_return=False)])
    q1.refresh_from_db()
    assert (q1.in_advance, q1.requires_return) == (True, False)
    assert q1.history.first().history_change_reason == "Start-up costs agreed in the offer letter"


def test_an_instalment_paid_in_advance_cannot_wait_for_its_own_return(approved_grant, officer):
    line = approved_grant.funding_lines.get()
    q2 = approved_grant.instalments.get(quarter=2)
    before = db_state()
    with pytest.raises(ValidationError) as refused:
        schedule_update(funding_line=line, by=officer, reason="Advance",
                        changes=[InstalmentChange(q2, in_advance=True)])
    assert refused.value.message_dict == {"in_advance": [
        "The Q2 2025/26 (July–September 2025) instalment cannot be paid in advance and also wait for its own "
        "quarter's monitoring return, which can be recorded only once the quarter has ended; pay it in advance "
        "without that return, or in arrears."]}
    assert db_state() == before
