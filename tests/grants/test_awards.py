from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from grants.awards import decision_record, funding_line_remove, funding_line_set, grant_update
from grants.models import Decision, Grant, GrantCheck
from tests.grants.conftest import db_state, make_grant


def test_draft_grant_gets_the_standard_checklist_and_its_funding(draft_grant):
    assert draft_grant.status == "draft" and draft_grant.reference == f"G{draft_grant.pk:05d}"
    assert GrantCheck.objects.filter(grant=draft_grant, is_complete=False).count() == 7
    (line,) = draft_grant.funding_lines.all()
    assert (line.fund.code, line.year.label, str(line.amount.amount), str(line.original_amount.amount)) == (
        "MOJ-CORE", "2025/26", "60000.00", "60000.00")


def test_direct_award_without_a_reason_is_refused(org, service, officer, funded_core, year):
    before = db_state()
    with pytest.raises(ValidationError, match="A direct award needs the reason it was not competed") as exc:
        make_grant(org, service, officer, [(funded_core, year, "10000.00")], allocation_method="direct")
    assert list(exc.value.message_dict) == ["direct_award_reason"]
    assert db_state() == before
    grant = make_grant(org, service, officer, [], allocation_method="direct",
                       direct_award_reason="The only specialist ISVA provider in Birmingham")
    assert grant.allocation_method == "direct"


def test_do_not_publish_needs_a_reason(org, service, officer, year):
    with pytest.raises(ValidationError, match="reason this grant must not be published"):
        make_grant(org, service, officer, [], do_not_publish=True)
    grant = make_grant(org, service, officer, [], do_not_publish=True, do_not_publish_reason="Safety: refuge")
    assert grant.do_not_publish


@pytest.mark.parametrize("start, end, field, message", [
    (date(2025, 4, 1), date(2025, 3, 31), "end_date", "ends \\(31/03/2025\\) before it starts"),
    (date(2023, 4, 1), date(2024, 3, 31), "start_date", "01/04/2023 is not in any financial year that is set up "
                                                        "\\(set up: 2024/25 to 2026/27\\)"),
    (date(2026, 4, 1), date(2027, 6, 30), "end_date", "30/06/2027 is not in any financial year that is set up"),
])
def test_grant_dates_must_be_in_order_and_in_set_up_years(org, service, officer, year, start, end, field, message):
    before = db_state()
    with pytest.raises(ValidationError, match=message) as exc:
        make_grant(org, service, officer, [], start_date=start, end_date=end)
    assert field in exc.value.message_dict
    assert db_state() == before


def test_service_must_belong_to_the_recipient(org, service, officer, year):
    from grants.organisations import organisation_create, service_create

    other = organisation_create(name="Dudley Young People's Trust", charity_number="1099887", address="x",
                                postcode="DY1 1AA", by=officer)
    other_service = service_create(organisation=other, name="Mentoring", area_type="local_authority",
                                   area_name="Dudley", by=officer)
    with pytest.raises(ValidationError, match="'Mentoring \\(Dudley\\)' is delivered by Dudley Young People's Trust"):
        make_grant(org, other_service, officer, [])


def test_funding_line_in_a_year_outside_the_grant_is_refused(draft_grant, funded_core, officer):
    from funds.models import FinancialYear

    before = db_state()
    with pytest.raises(ValidationError, match="outside 2026/27 \\(01/04/2026 to 31/03/2027\\)"):
        funding_line_set(grant=draft_grant, fund=funded_core, year=FinancialYear.objects.get(start_year=2026),
                         amount="1000.00", by=officer)
    assert db_state() == before


def test_funding_line_in_a_fund_that_cannot_cover_it_names_what_is_available(draft_grant, funded_core, year, officer,
                                                                            poca_fund):
    before = db_state()
    with pytest.raises(ValidationError, match="MOJ-CORE \\(Victims' services core grant\\) has £500,000.00 available "
                                              "for 2025/26; £500,000.01 is more than it can cover"):
        funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="500000.01", by=officer)
    with pytest.raises(ValidationError, match="POCA .* has £0.00 available for 2025/26"):
        funding_line_set(grant=draft_grant, fund=poca_fund, year=year, amount="1.00", by=officer)
    assert db_state() == before


@pytest.mark.parametrize("amount, message", [("0", "more than £0.00"), ("-5", "more than £0.00"),
                                             ("10.001", "more than two decimal places"), ("12 EUR", "pounds")])
def test_bad_amounts_on_funding_lines_are_refused(draft_grant, funded_core, year, officer, amount, message):
    before = db_state()
    with pytest.raises(ValidationError, match=message):
        funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount=amount, by=officer)
    assert db_state() == before


def test_funding_lines_change_and_go_while_draft(draft_grant, funded_core, funded_dasv, year, officer):
    funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="65000.00", by=officer)
    dasv = funding_line_set(grant=draft_grant, fund=funded_dasv, year=year, amount="20000.00", by=officer)
    assert sorted(str(line.amount.amount) for line in draft_grant.funding_lines.all()) == ["20000.00", "65000.00"]
    funding_line_remove(line=dasv, by=officer)
    assert draft_grant.funding_lines.count() == 1


def test_draft_is_edited_only_while_draft(draft_grant, approved_grant, officer):
    with pytest.raises(ValidationError, match="can no longer be edited; once approved, a grant changes only through a "
                                              "variation"):
        grant_update(grant=approved_grant, title="New title", by=officer)


def test_edit_keeps_the_rules(org, service, officer, funded_core, year):
    grant = make_grant(org, service, officer, [(funded_core, year, "1000.00")])
    grant = grant_update(grant=grant, title="Community ISVA", conditions="Quarterly returns", by=officer)
    assert (grant.title, grant.conditions) == ("Community ISVA", "Quarterly returns")
    with pytest.raises(ValidationError, match="outside 2025/26, yet it draws on MOJ-CORE"):
        grant_update(grant=grant, start_date=date(2026, 4, 1), end_date=date(2027, 3, 31), by=officer)
    with pytest.raises(ValidationError, match="direct award needs the reason"):
        grant_update(grant=grant, allocation_method="direct", by=officer)


def test_only_finance_officers_draft_grants(org, service, commissioner, year):
    with pytest.raises(PermissionDenied, match="Only finance officers may draft grants"):
        make_grant(org, service, commissioner, [])


def test_database_refuses_a_direct_award_without_reason_whatever_the_path(draft_grant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=draft_grant.pk).update(allocation_method="direct", direct_award_reason="")


# --- Decisions --------------------------------------------------------------------------------------------------

def test_decision_is_recorded(commissioner, officer):
    decision = decision_record(number="042-2025", date=date(2025, 4, 28), decision_maker=commissioner,
                               summary="Victims' services grants 2025/26", by=officer)
    assert (str(decision), decision.is_public) == ("Decision 042-2025", True)


@pytest.mark.parametrize(
    "number", ["42-2025", "042/2025", "0042-2025", "042-25", "000-2025", "042-1999", "ABC-2025", ""]
)
def test_malformed_decision_numbers_are_refused(commissioner, number):
    with pytest.raises(ValidationError, match="three digits, a hyphen and the year, e.g. 042-2025"):
        decision_record(number=number, date=date(2025, 4, 28), decision_maker=commissioner, summary="x",
                        by=commissioner)
    assert not Decision.objects.exists()


def test_decision_numbers_are_unique_and_decisions_are_not_in_the_future(commissioner):
    decision_record(number="042-2025", date=date(2025, 4, 28), decision_maker=commissioner, summary="x",
                    by=commissioner)
    with pytest.raises(ValidationError, match="Decision 042-2025 is already recorded \\(dated 28/04/2025\\)"):
        decision_record(number="042-2025", date=date(2025, 5, 1), decision_maker=commissioner, summary="y",
                        by=commissioner)
    with pytest.raises(ValidationError, match="is in the future"):
        decision_record(number="043-2030", date=date(2030, 1, 1), decision_maker=commissioner, summary="y",
                        by=commissioner)
