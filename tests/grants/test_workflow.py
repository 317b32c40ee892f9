from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Event
from grants.awards import decision_record
from grants.models import Grant, Instalment
from grants.workflow import (
    TRANSITIONS,
    grant_approve,
    grant_close,
    grant_offer_accept,
    grant_reject,
    grant_return,
    grant_submit,
    grant_withdraw,
)
from ledger.models import JournalEntry
from ledger.selectors import fund_available, fund_positions
from tests.grants.conftest import db_state, make_grant


def position(fund, year):
    (row,) = [r for r in fund_positions(year=year) if r.fund == fund]
    return row.committed, row.actual, row.available


def test_the_transition_table_is_the_whole_lifecycle():
    S = Grant.Status
    assert TRANSITIONS[S.DRAFT] == {S.SUBMITTED, S.WITHDRAWN}
    assert TRANSITIONS[S.SUBMITTED] == {S.APPROVED, S.REJECTED, S.RETURNED, S.WITHDRAWN}
    assert TRANSITIONS[S.ACTIVE] == {S.CLOSED, S.WITHDRAWN}
    assert all(not TRANSITIONS[s] for s in (S.REJECTED, S.CLOSED, S.WITHDRAWN))
    assert set(TRANSITIONS) == set(S.values)


def test_approval_commits_every_funding_line_in_one_entry(org, service, officer, commissioner, funded_core,
                                                         funded_dasv, year):
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00"), (funded_dasv, year, "25000.00")])
    grant_submit(grant=grant, by=officer)
    grant = grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1), note="Good value")
    assert (grant.status, grant.approved_by, grant.approved_on) == ("approved", commissioner, date(2025, 5, 1))
    entry = grant.commitment_entry
    assert sorted((ln.account.code, ln.fund.code, ln.direction, str(ln.amount.amount)) for ln in entry.lines.all()) == [
        ("8000", "MOJ-CORE", "D", "60000.00"), ("8000", "MOJ-DASV", "D", "25000.00"),
        ("8100", "MOJ-CORE", "C", "60000.00"), ("8100", "MOJ-DASV", "C", "25000.00"),
    ]
    assert entry.date == date(2025, 5, 1) and entry.source_type == "grants.grant"
    assert position(funded_core, year) == (Decimal("60000.00"), Decimal("0.00"), Decimal("440000.00"))
    assert position(funded_dasv, year) == (Decimal("25000.00"), Decimal("0.00"), Decimal("275000.00"))
    assert Event.objects.filter(kind="grant.approved", object_id=str(grant.pk)).count() == 1


def test_nobody_approves_what_they_submitted(submitted_grant, officer, commissioner):
    from django.contrib.auth.models import Group

    from core.roles import COMMISSIONER

    officer.groups.add(Group.objects.get(name=COMMISSIONER))  # an officer who is also a commissioner
    officer._ringfence_roles = None
    before = db_state()
    with pytest.raises(ValidationError, match="You submitted G\\d{5}, so another commissioner must approve"):
        grant_approve(grant=submitted_grant, by=officer, on=date(2025, 5, 1))
    assert db_state() == before


def test_the_drafter_cannot_approve_either(org, service, officer, officer2, commissioner, funded_core, year):
    from django.contrib.auth.models import Group

    from core.roles import COMMISSIONER

    grant = make_grant(org, service, officer, [(funded_core, year, "1000.00")])
    grant_submit(grant=grant, by=officer2)
    officer.groups.add(Group.objects.get(name=COMMISSIONER))
    officer._ringfence_roles = None
    with pytest.raises(ValidationError, match="You drafted G\\d{5}"):
        grant_approve(grant=grant, by=officer, on=date(2025, 5, 1))


def test_only_commissioners_approve(submitted_grant, officer2, director):
    for user in (officer2, director):
        with pytest.raises(PermissionDenied, match="Only commissioners may approve grants"):
            grant_approve(grant=submitted_grant, by=user, on=date(2025, 5, 1))


def test_a_fund_that_cannot_cover_a_line_fails_the_whole_approval_naming_what_is_available(
        org, service, officer, commissioner, commissioner2, funded_core, funded_dasv, year):
    big = make_grant(org, service, officer, [(funded_core, year, "90000.00"), (funded_dasv, year, "280000.00")])
    grant_submit(grant=big, by=officer)
    rival = make_grant(org, service, officer, [(funded_dasv, year, "50000.00")])
    grant_submit(grant=rival, by=officer)
    grant_approve(grant=rival, by=commissioner2, on=date(2025, 5, 1))  # leaves £250,000.00 in MOJ-DASV
    decision = decision_record(number="051-2025", date=date(2025, 5, 2), decision_maker=commissioner,
                               summary="Large ISVA grant", by=commissioner)
    before = db_state()
    with pytest.raises(ValidationError, match="Not enough money available in MOJ-DASV .* for 2025/26: £250,000.00 is "
                                              "available and this needs £280,000.00"):
        grant_approve(grant=big, by=commissioner, decision=decision, on=date(2025, 5, 2))
    assert db_state() == before  # MOJ-CORE's line was not committed either
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")


def test_approval_above_the_threshold_needs_a_decision(org, service, officer, commissioner, funded_core, year):
    grant = make_grant(org, service, officer, [(funded_core, year, "100000.01")])
    grant_submit(grant=grant, by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match="£100,000.01 drawn on MOJ-CORE is above its £100,000.00 approval "
                                              "threshold, so approving G\\d{5} needs a recorded decision: give its "
                                              "number \\(e.g. 042-2025\\)") as exc:
        grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))
    assert list(exc.value.message_dict) == ["decision"]
    assert db_state() == before
    decision_record(number="042-2025", date=date(2025, 4, 28), decision_maker=commissioner, summary="ISVA grant",
                    by=commissioner)
    grant = grant_approve(grant=grant, by=commissioner, decision="042-2025", on=date(2025, 5, 1))
    assert grant.decision.number == "042-2025"


def test_threshold_counts_every_line_drawn_on_the_same_fund(org, service, officer, commissioner, funded_core, year):
    from funds.models import FinancialYear
    from income.services import award_letter_record

    next_year = FinancialYear.objects.get(start_year=2026)
    award_letter_record(fund=funded_core, year=next_year, reference="MOJ-AWD-2627", letter_date=date(2026, 4, 3),
                        amount="500000.00", by=officer)
    grant = make_grant(org, service, officer, [(funded_core, year, "60000.00"), (funded_core, next_year, "60000.00")],
                       end_date=date(2027, 3, 31))
    grant_submit(grant=grant, by=officer)
    with pytest.raises(ValidationError, match="£120,000.00 drawn on MOJ-CORE is above"):
        grant_approve(grant=grant, by=commissioner, on=date(2025, 5, 1))


@pytest.mark.parametrize("number, message", [
    ("42-2025", "three digits, a hyphen and the year"), ("042/2025", "three digits, a hyphen and the year"),
    ("099-2025", "Decision 099-2025 has not been recorded"),
])
def test_a_malformed_or_unknown_decision_number_is_refused_on_approval(org, service, officer, commissioner,
                                                                      funded_core, year, number, message):
    grant = make_grant(org, service, officer, [(funded_core, year, "150000.00")])
    grant_submit(grant=grant, by=officer)
    before = db_state()
    with pytest.raises(ValidationError, match=message):
        grant_approve(grant=grant, by=commissioner, decision=number, on=date(2025, 5, 1))
    assert db_state() == before


def test_a_decision_taken_after_the_approval_date_cannot_be_cited(org, service, officer, commissioner, funded_core,
                                                                  year):
    grant = make_grant(org, service, officer, [(funded_core, year, "150000.00")])
    grant_submit(grant=grant, by=officer)
    decision_record(number="060-2025", date=date(2025, 6, 1), decision_maker=commissioner, summary="x", by=officer)
    with pytest.raises(ValidationError, match="dated 01/06/2025, after the approval date 01/05/2025"):
        grant_approve(grant=grant, by=commissioner, decision="060-2025", on=date(2025, 5, 1))


def test_submit_needs_a_funding_line(org, service, officer, year):
    grant = make_grant(org, service, officer, [])
    with pytest.raises(ValidationError, match="Add at least one funding line"):
        grant_submit(grant=grant, by=officer)


def test_reject_and_return_need_a_reason(submitted_grant, officer, commissioner):
    before = db_state()
    for action in (grant_reject, grant_return):
        with pytest.raises(ValidationError) as exc:
            action(grant=submitted_grant, by=commissioner, reason="  ")
        assert list(exc.value.message_dict) == ["reason"]
    assert db_state() == before
    grant = grant_return(grant=submitted_grant, by=commissioner, reason="Add the Walsall outreach costs")
    assert (grant.status, grant.status_reason) == ("returned", "Add the Walsall outreach costs")
    grant = grant_submit(grant=grant, by=officer, note="Walsall costs added")
    grant = grant_reject(grant=grant, by=commissioner, reason="Duplicates an existing service")
    assert grant.status == "rejected" and not JournalEntry.objects.filter(source_id=str(grant.pk)).exists()


@pytest.mark.parametrize("action", ["approve", "offer", "close"])
def test_moves_outside_the_table_are_refused(draft_grant, officer, commissioner, action):
    before = db_state()
    with pytest.raises(ValidationError, match="G\\d{5} is draft, so it cannot become .*: from draft it can only become "
                                              "submitted for approval or withdrawn"):
        if action == "approve":
            grant_approve(grant=draft_grant, by=commissioner, on=date(2025, 5, 1))
        elif action == "offer":
            grant_offer_accept(grant=draft_grant, accepted_on=date(2025, 5, 1), by=officer)
        else:
            grant_close(grant=draft_grant, by=officer)
    assert db_state() == before


def test_approval_makes_a_quarterly_schedule_in_arrears(approved_grant):
    rows = [(i.quarter, i.period_start, i.period_end, i.due_date, str(i.amount.amount))
            for i in Instalment.objects.filter(grant=approved_grant).order_by("due_date")]
    assert rows == [
        (1, date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 30), "15000.00"),
        (2, date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 30), "15000.00"),
        (3, date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 30), "15000.00"),
        (4, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30), "15000.00"),
    ]


def test_offer_acceptance_cannot_predate_the_offer(approved_grant, officer):
    with pytest.raises(ValidationError, match="The offer was made on 01/05/2025; it cannot have been accepted earlier"):
        grant_offer_accept(grant=approved_grant, accepted_on=date(2025, 4, 30), by=officer)
    grant = grant_offer_accept(grant=approved_grant, accepted_on=date(2025, 5, 12), by=officer)
    assert (grant.status, grant.offer_accepted_on) == ("offer_accepted", date(2025, 5, 12))


def test_withdrawing_an_approved_grant_releases_its_commitment(accepted_grant, commissioner2, funded_core, year):
    assert position(funded_core, year)[0] == Decimal("60000.00")
    grant = grant_withdraw(grant=accepted_grant, by=commissioner2, reason="Provider has ceased trading",
                           on=date(2025, 6, 1))
    assert grant.status == "withdrawn"
    assert position(funded_core, year) == (Decimal("0.00"), Decimal("0.00"), Decimal("500000.00"))
    assert str(grant.funding_lines.get().released.amount) == "60000.00"


def test_withdrawing_a_draft_posts_nothing_and_needs_a_reason(draft_grant, officer):
    with pytest.raises(ValidationError, match="Say why the grant is being withdrawn"):
        grant_withdraw(grant=draft_grant, by=officer, reason="")
    entries = JournalEntry.objects.count()
    grant = grant_withdraw(grant=draft_grant, by=officer, reason="Duplicate record")
    assert grant.status == "withdrawn" and JournalEntry.objects.count() == entries
    with pytest.raises(ValidationError, match="withdrawn, so it cannot become submitted for approval: that is final"):
        grant_submit(grant=grant, by=officer)
