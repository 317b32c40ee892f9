"""grants.views: organisations, bank details, and a grant's whole life through the pages."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from grants.models import BankDetails, Clawback, Grant, GrantVariation, MonitoringReturn, Organisation, Payment
from grants.organisations import bank_details_submit
from ledger.selectors import fund_available
from tests.web.conftest import signed_in, text

# ---- Organisations and bank details ---------------------------------------------------------------------------


def test_an_organisation_is_recorded_with_its_identifier(officer_client, db):
    response = officer_client.post(
        "/organisations/new/",
        {
            "name": "Harborne Hill Counselling",
            "charity_number": "1187654",
            "company_number": "",
            "identifier": "",
            "address": "2 High Street, Harborne",
            "postcode": "b17 9nt",
        },
    )
    org = Organisation.objects.get()
    assert response["Location"] == f"/organisations/{org.pk}/"
    assert (org.identifier, org.postcode) == ("GB-CHC-1187654", "B17 9NT")
    assert "Harborne Hill Counselling recorded as GB-CHC-1187654." in text(officer_client.get(response["Location"]))


def test_a_bad_charity_number_is_shown_on_its_field(officer_client, db):
    response = officer_client.post(
        "/organisations/new/",
        {
            "name": "Harborne Hill Counselling",
            "charity_number": "12AB",
            "address": "2 High Street",
            "postcode": "B17 9NT",
        },
    )
    assert response.status_code == 200
    assert "charity_number" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_new_bank_details_wait_for_a_second_person(officer_client, officer2_client, org, officer):
    officer_client.post(
        f"/organisations/{org.pk}/bank-details/new/",
        {
            "account_name": "Brindley Survivors Trust",
            "sort_code": "30-11-22",
            "account_number": "12345678",
            "reason": "Provider's letter of 12/05/2025",
        },
    )
    pending = BankDetails.objects.get(status=BankDetails.Status.PENDING)
    page = text(officer_client.get(f"/organisations/{org.pk}/"))
    assert "No payment can be made to Brindley Survivors Trust until a second person verifies these details." in page
    assert "You entered them, so someone else must verify them." in page
    assert "You entered these details, so a second person must verify or reject them." in text(
        officer_client.get(f"/bank-details/{pending.pk}/verify/")
    )

    no_note = officer2_client.post(f"/bank-details/{pending.pk}/verify/", {"decision": "verify", "confirm": "on"})
    assert "note" in no_note.context["form"].errors
    done = officer2_client.post(
        f"/bank-details/{pending.pk}/verify/",
        {
            "decision": "verify",
            "note": "Called the number on the charity register",
            "confirm": "on",
        },
    )
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.status == BankDetails.Status.VERIFIED


def test_the_person_who_entered_bank_details_cannot_verify_them(officer_client, org, officer):
    details = bank_details_submit(
        organisation=org, account_name="BST", sort_code="301122", account_number="12345678", by=officer
    )
    response = officer_client.post(
        f"/bank-details/{details.pk}/verify/",
        {
            "decision": "verify",
            "note": "Looks right",
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You entered these bank details, so a second person (a commissioner or another finance officer) must verify "
        "or reject them."
    ]
    details.refresh_from_db()
    assert details.status == BankDetails.Status.PENDING


# ---- Drafting and submitting ----------------------------------------------------------------------------------


# Drafting a new grant is walked step by step in tests/web/test_grant_steps.py.


def test_a_funding_line_the_fund_cannot_cover_names_what_is_available(officer_client, draft_grant, funded_core, year):
    response = officer_client.post(
        f"/grants/{draft_grant.pk}/funding-lines/new/",
        {
            "fund": funded_core.pk,
            "year": year.pk,
            "amount": "600000.00",
        },
    )
    assert response.context["form"].errors["amount"] == [
        "MOJ-CORE (Victims' services core grant) has £500,000.00 available for 2025/26; £600,000.00 is more than it "
        "can cover."
    ]


def test_submitting_needs_confirmation_and_then_commissioners_can_see_the_grant(
    officer_client, commissioner_client, draft_grant
):
    assert commissioner_client.get(f"/grants/{draft_grant.pk}/").status_code == 404
    assert f"G{draft_grant.pk:05d}" not in text(commissioner_client.get("/grants/"))
    refused = officer_client.post(f"/grants/{draft_grant.pk}/submit/", {"note": ""})
    assert refused.context["form"].errors["confirm"] == ["Tick the box to confirm; this action cannot be undone."]
    officer_client.post(f"/grants/{draft_grant.pk}/submit/", {"note": "", "confirm": "on"})
    draft_grant.refresh_from_db()
    assert draft_grant.status == Grant.Status.SUBMITTED
    assert commissioner_client.get(f"/grants/{draft_grant.pk}/").status_code == 200


def test_commissioners_cannot_see_a_drafts_history(commissioner_client, draft_grant):
    assert commissioner_client.get(f"/history/grants/grant/{draft_grant.pk}/").status_code == 404


# ---- Deciding -------------------------------------------------------------------------------------------------


def test_the_decision_page_shows_the_funds_available_before_and_after(commissioner_client, submitted_grant):
    page = text(commissioner_client.get(f"/grants/{submitted_grant.pk}/decide/"))
    assert "MOJ-CORE 2025/26 £60,000.00 £500,000.00 £440,000.00" in page


def test_approval_commits_the_money(commissioner_client, submitted_grant, funded_core, year, commissioner):
    response = commissioner_client.post(
        f"/grants/{submitted_grant.pk}/decide/",
        {
            "decision": "approve",
            "decision_number": "",
            "note": "",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    submitted_grant.refresh_from_db()
    assert (submitted_grant.status, submitted_grant.approved_by) == (Grant.Status.APPROVED, commissioner)
    assert fund_available(fund=funded_core, year=year) == Decimal("440000.00")
    assert submitted_grant.instalments.count() == 4


def test_approval_above_the_threshold_needs_a_decision_number(
    commissioner_client, officer_client, draft_grant, funded_core, year, officer
):
    from grants.awards import funding_line_set
    from grants.workflow import grant_submit

    funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="150000.00", by=officer)
    grant_submit(grant=draft_grant, by=officer)
    page = text(commissioner_client.get(f"/grants/{draft_grant.pk}/decide/"))
    assert "£150,000.00 drawn on MOJ-CORE is above its £100,000.00 approval threshold" in page
    response = commissioner_client.post(f"/grants/{draft_grant.pk}/decide/", {"decision": "approve", "confirm": "on"})
    assert (
        response.context["form"]
        .errors["decision_number"][0]
        .startswith("£150,000.00 drawn on MOJ-CORE is above its £100,000.00 approval threshold, so approving")
    )
    unknown = commissioner_client.post(
        f"/grants/{draft_grant.pk}/decide/", {"decision": "approve", "decision_number": "042-2025", "confirm": "on"}
    )
    assert unknown.context["form"].errors["decision_number"] == [
        "Decision 042-2025 has not been recorded; record it before citing it."
    ]
    draft_grant.refresh_from_db()
    assert draft_grant.status == Grant.Status.SUBMITTED
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")


def test_a_decision_is_recorded_and_then_cited(
    commissioner_client, draft_grant, funded_core, year, officer, commissioner2
):
    from grants.awards import funding_line_set
    from grants.workflow import grant_submit

    funding_line_set(grant=draft_grant, fund=funded_core, year=year, amount="150000.00", by=officer)
    grant_submit(grant=draft_grant, by=officer)
    recorded = commissioner_client.post(
        "/decisions/new/",
        {
            "number": "042-2025",
            "date": "01/05/2025",
            "decision_maker": commissioner2.pk,
            "is_public": "on",
            "summary": "Award to Brindley Survivors Trust",
        },
    )
    assert recorded.status_code == 302
    assert "042-2025" in text(commissioner_client.get("/decisions/"))
    commissioner_client.post(
        f"/grants/{draft_grant.pk}/decide/", {"decision": "approve", "decision_number": "042-2025", "confirm": "on"}
    )
    draft_grant.refresh_from_db()
    assert (draft_grant.status, draft_grant.decision.number) == (Grant.Status.APPROVED, "042-2025")


def test_returning_a_grant_needs_a_reason(commissioner_client, submitted_grant):
    response = commissioner_client.post(
        f"/grants/{submitted_grant.pk}/decide/", {"decision": "return", "confirm": "on"}
    )
    assert response.context["form"].errors["note"] == ["Say what needs to change before the grant can be approved."]
    commissioner_client.post(
        f"/grants/{submitted_grant.pk}/decide/",
        {"decision": "return", "note": "Add the Q4 outcome targets", "confirm": "on"},
    )
    submitted_grant.refresh_from_db()
    assert (submitted_grant.status, submitted_grant.status_reason) == (
        Grant.Status.RETURNED,
        "Add the Q4 outcome targets",
    )


def test_officers_and_directors_cannot_decide_grants(officer_client, director_client, submitted_grant):
    for client in (officer_client, director_client):
        assert (
            client.post(f"/grants/{submitted_grant.pk}/decide/", {"decision": "approve", "confirm": "on"}).status_code
            == 403
        )


# ---- Paying ---------------------------------------------------------------------------------------------------


def test_offer_acceptance_is_recorded(officer_client, approved_grant):
    officer_client.post(f"/grants/{approved_grant.pk}/offer-accepted/", {"accepted_on": "12/05/2025", "note": ""})
    approved_grant.refresh_from_db()
    assert (approved_grant.status, approved_grant.offer_accepted_on) == (Grant.Status.OFFER_ACCEPTED, date(2025, 5, 12))


def test_due_diligence_is_recorded_on_one_page_all_or_none(officer_client, accepted_grant):
    """Every open check on one form: two filled in and one with a bad date refuses all three at once and records
    none; put right, the two are recorded together and the blank ones stay open."""
    first, second, third = list(accepted_grant.checks.order_by("check_type__order"))[:3]
    url = f"/grants/{accepted_grant.pk}/checks/"
    refused = officer_client.post(url, {
        f"c{first.pk}-result": "satisfactory", f"c{first.pk}-evidence": "",  f"c{first.pk}-checked_on": "02/05/2025",
        f"c{second.pk}-result": "concerns", f"c{second.pk}-evidence": "Reserves under one month",
        f"c{second.pk}-checked_on": "31/02/2025",
        f"c{third.pk}-evidence": "Policy seen",
    })
    page = text(refused)
    assert refused.status_code == 200
    assert f"Record the evidence for '{first.check_type.label}'" in page
    assert "Enter a real date as day/month/year" in page
    assert f"Choose the result of '{third.check_type.label}'" in page
    assert f"Give the date '{third.check_type.label}' was done" in page
    summary = refused.content.decode()
    for anchor in (f"#id_c{first.pk}-evidence", f"#id_c{second.pk}-checked_on", f"#id_c{third.pk}-result_0"):
        assert f'href="{anchor}"' in summary
    assert not accepted_grant.checks.exclude(result="").exists()

    officer_client.post(url, {
        f"c{first.pk}-result": "satisfactory", f"c{first.pk}-evidence": "Accounts to 31/03/2025 reviewed",
        f"c{first.pk}-checked_on": "02/05/2025",
        f"c{second.pk}-result": "concerns", f"c{second.pk}-evidence": "Reserves under one month",
        f"c{second.pk}-checked_on": "03/05/2025",
    })
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.is_complete, first.result, first.checked_on, first.evidence) == (
        True, "satisfactory", date(2025, 5, 2), "Accounts to 31/03/2025 reviewed")
    assert (second.is_complete, second.result, second.checked_on) == (False, "concerns", date(2025, 5, 3))
    assert (third.is_complete, third.result) == (False, "")


def test_due_diligence_page_refuses_an_empty_save_and_a_date_after_today(officer_client, accepted_grant):
    check = accepted_grant.checks.first()
    url = f"/grants/{accepted_grant.pk}/checks/"
    assert "Nothing was recorded: give the result, evidence and date of at least one check." in text(
        officer_client.post(url, {}))
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = text(officer_client.post(url, {f"c{check.pk}-result": "satisfactory", f"c{check.pk}-evidence": "Seen",
                                          f"c{check.pk}-checked_on": f"{tomorrow:%d/%m/%Y}"}))
    assert f"cannot be after today: {tomorrow:%d/%m/%Y} is later than {timezone.localdate():%d/%m/%Y}" in page
    check.refresh_from_db()
    assert check.result == ""


def test_the_instalment_page_says_why_it_cannot_be_paid_and_records_nothing(officer_client, accepted_grant):
    """Payments leave only in payment runs: the instalment page gives the reason a run would not gather it."""
    instalment = accepted_grant.instalments.order_by("due_date").first()
    page = text(officer_client.get(f"/instalments/{instalment.pk}/pay/"))
    assert "This instalment cannot be paid today: Due diligence for " in page
    assert "Payments leave only in payment runs" in page
    response = officer_client.post(
        f"/instalments/{instalment.pk}/pay/", {"amount": "15000.00", "paid_on": "30/07/2025", "confirm": "on"}
    )
    assert response.status_code == 200
    assert not Payment.objects.exists()


def test_a_payable_instalment_is_shown_ready_for_a_run(officer_client, payable_grant):
    instalment = payable_grant.instalments.order_by("due_date").first()
    page = text(officer_client.get(f"/instalments/{instalment.pk}/pay/"))
    assert "This instalment can be paid today." in page
    assert "Ready for a run" in text(officer_client.get(f"/grants/{payable_grant.pk}/"))


# ---- Returns, variations, clawbacks, close, withdraw ----------------------------------------------------------


def test_a_return_is_recorded_then_accepted(officer_client, officer2_client, accepted_grant, year):
    q2 = f"{year.pk}-2"
    response = officer_client.post(
        f"/grants/{accepted_grant.pk}/returns/new/",
        {
            "quarter": q2,
            "received_on": "10/10/2025",
            "spend_reported": "14,250.00",
            "rag": "amber",
            "narrative": "Referrals up",
            "delivery_issues": "One adviser vacancy",
        },
    )
    ret = MonitoringReturn.objects.get(quarter=2)
    assert response["Location"] == f"/returns/{ret.pk}/"
    assert ret.spend_reported.amount == Decimal("14250.00")
    officer2_client.post(f"/returns/{ret.pk}/", {"decision": "accept", "reason": ""})
    ret.refresh_from_db()
    assert ret.status == MonitoringReturn.Status.ACCEPTED


def test_an_amber_return_without_issues_is_refused_on_that_field(officer_client, accepted_grant, year):
    response = officer_client.post(
        f"/grants/{accepted_grant.pk}/returns/new/",
        {"quarter": f"{year.pk}-2", "received_on": "10/10/2025", "spend_reported": "1.00", "rag": "amber"},
    )
    assert response.context["form"].errors["delivery_issues"] == [
        "An amber return needs the delivery issues behind it."
    ]


def test_sending_a_return_back_needs_a_reason(officer_client, accepted_grant, year, officer):
    from grants.outcomes import monitoring_return_submit

    ret = monitoring_return_submit(
        grant=accepted_grant,
        year=year,
        quarter=1,
        received_on=date(2025, 7, 10),
        spend_reported="1.00",
        rag="green",
        values={},
        by=officer,
    )
    response = officer_client.post(f"/returns/{ret.pk}/", {"decision": "send_back", "reason": ""})
    assert response.context["form"].errors["reason"] == [
        "Say why the return is sent back and what the provider must correct."
    ]


def test_a_variation_is_requested_and_a_commissioner_approves_it(
    officer_client, commissioner_client, accepted_grant, funded_core, year
):
    line = accepted_grant.funding_lines.get()
    officer_client.post(
        f"/grants/{accepted_grant.pk}/variations/new/",
        {
            f"line_{line.pk}": "70000.00",
            "new_conditions": accepted_grant.conditions,
            "reason": "Demand has risen in Walsall",
        },
    )
    variation = GrantVariation.objects.get()
    page = text(commissioner_client.get(f"/variations/{variation.pk}/"))
    assert "MOJ-CORE 2025/26 £60,000.00 £70,000.00 £10,000.00 £440,000.00 £440,000.00 £430,000.00" in page
    commissioner_client.post(f"/variations/{variation.pk}/decide/", {"decision": "approve", "confirm": "on"})
    variation.refresh_from_db()
    line.refresh_from_db()
    assert variation.status == GrantVariation.Status.APPROVED
    assert (line.original_amount.amount, line.amount.amount) == (Decimal("60000.00"), Decimal("70000.00"))
    assert fund_available(fund=funded_core, year=year) == Decimal("430000.00")


def test_a_clawback_returns_money_to_the_fund(officer_client, payable_grant, funded_core, year, officer):
    from grants.payments import payment_record

    payment_record(
        instalment=payable_grant.instalments.order_by("due_date").first(),
        amount="15000.00",
        paid_on=date(2025, 7, 30),
        by=officer,
    )
    line = payable_grant.funding_lines.get()
    officer_client.post(
        f"/grants/{payable_grant.pk}/clawback/",
        {
            "funding_line": line.pk,
            "amount": "2500.00",
            "received_on": "01/09/2025",
            "reason": "Underspend",
            "confirm": "on",
        },
    )
    assert Clawback.objects.get().amount.amount == Decimal("2500.00")
    assert fund_available(fund=funded_core, year=year) == Decimal("442500.00")


def test_closing_releases_what_is_unspent(officer_client, payable_grant, funded_core, year, officer):
    from grants.payments import payment_record

    payment_record(
        instalment=payable_grant.instalments.order_by("due_date").first(),
        amount="15000.00",
        paid_on=date(2025, 7, 30),
        by=officer,
    )
    page = text(officer_client.get(f"/grants/{payable_grant.pk}/close/"))
    assert "£45,000.00 committed and not paid will be released to the funds." in page
    officer_client.post(f"/grants/{payable_grant.pk}/close/", {"note": "Service ended", "confirm": "on"})
    payable_grant.refresh_from_db()
    assert payable_grant.status == Grant.Status.CLOSED
    assert fund_available(fund=funded_core, year=year) == Decimal("485000.00")


def test_a_commissioner_withdraws_a_grant_with_a_reason(commissioner_client, approved_grant, funded_core, year):
    refused = commissioner_client.post(f"/grants/{approved_grant.pk}/withdraw/", {"note": "", "confirm": "on"})
    assert refused.context["form"].errors["note"] == ["This field is required."]
    commissioner_client.post(f"/grants/{approved_grant.pk}/withdraw/", {"note": "Provider closed", "confirm": "on"})
    approved_grant.refresh_from_db()
    assert approved_grant.status == Grant.Status.WITHDRAWN
    assert fund_available(fund=funded_core, year=year) == Decimal("500000.00")


def test_the_timeline_tells_the_story(director_client, approved_grant):
    page = text(director_client.get(f"/grants/{approved_grant.pk}/timeline/"))
    assert f"{approved_grant.reference} approved and £60,000.00 committed" in page
    assert f"{approved_grant.reference} submitted for approval: £60,000.00" in page
    assert page.index("approved and £60,000.00 committed") < page.index("submitted for approval")  # newest first


# ---- Lists and queues -----------------------------------------------------------------------------------------


def test_grant_list_filters_by_status_fund_and_search(
    director_client, submitted_grant, org, service, officer, dasv_fund, year
):
    from grants.awards import grant_create
    from income.services import award_letter_record

    award_letter_record(
        fund=dasv_fund, year=year, reference="DASV-AWD", letter_date=date(2025, 4, 3), amount="300000.00", by=officer
    )
    other = grant_create(
        title="IDVA service",
        purpose="IDVAs",
        organisation=org,
        service=service,
        senior_responsible_officer="Sam Lee",
        allocation_method="formula",
        start_date=date(2025, 4, 1),
        end_date=date(2026, 3, 31),
        by=officer,
        funding=[(dasv_fund, year, "1000.00")],
    )
    page = text(director_client.get("/grants/?status=submitted"))
    assert submitted_grant.reference in page and other.reference not in page
    page = text(director_client.get("/grants/?fund=MOJ-DASV"))
    assert other.reference in page and submitted_grant.reference not in page
    assert submitted_grant.reference in text(director_client.get(f"/grants/?q={submitted_grant.reference}"))


def test_approval_queue_lists_grants_and_bank_details_with_availability(
    commissioner_client, submitted_grant, org, officer
):
    bank_details_submit(organisation=org, account_name="BST", sort_code="301122", account_number="12345678", by=officer)
    page = text(commissioner_client.get("/approvals/"))
    assert (
        f"Grant {submitted_grant.reference} Independent sexual violence advisers – Brindley Survivors Trust "
        "£60,000.00 MOJ-CORE 2025/26 £500,000.00 £440,000.00"
    ) in page
    assert "Bank details New bank details for Brindley Survivors Trust" in page


def test_officer_home_counts_instalments_returns_and_bank_checks(officer_client, accepted_grant, org, officer):
    bank_details_submit(organisation=org, account_name="BST", sort_code="301122", account_number="12345678", by=officer)
    page = text(officer_client.get("/"))
    assert "Bank details to verify 1" in page
    assert "Instalments due 4 0 ready for a payment run" in page
    assert "Monitoring returns due 4" in page


def test_director_sees_grants_at_risk(director_client, accepted_grant, year, officer):
    from grants.outcomes import monitoring_return_submit

    monitoring_return_submit(
        grant=accepted_grant,
        year=year,
        quarter=1,
        received_on=date(2025, 7, 10),
        spend_reported="1.00",
        rag="red",
        values={},
        by=officer,
        delivery_issues="Service suspended after a safeguarding incident",
    )
    page = text(director_client.get("/dashboards/?year=2025"))
    assert (
        f"RED {accepted_grant.reference} Independent sexual violence advisers Brindley Survivors Trust "
        "Q1 2025/26 Service suspended after a safeguarding incident £60,000.00"
    ) in page


def test_grant_pages_are_refused_to_people_without_a_role(django_user_model, submitted_grant):
    nobody = django_user_model.objects.create_user("nobody", password="x-very-long-password-1")
    client = signed_in(nobody)
    assert client.get("/grants/").status_code == 403
    assert client.get(f"/grants/{submitted_grant.pk}/").status_code == 403


# ---- Targets, annual reviews and the schedule -----------------------------------------------------------------


def test_a_target_is_set_for_a_measure_of_the_grants_fund(officer_client, draft_grant, funded_core, year, officer):
    from grants.models import OutcomeTarget
    from grants.outcomes import outcome_measure_create

    measure = outcome_measure_create(
        fund=funded_core, code="referrals", name="Referrals received", unit="referrals", by=officer
    )
    officer_client.post(
        f"/grants/{draft_grant.pk}/targets/new/", {"measure": measure.pk, "year": year.pk, "target": "120"}
    )
    assert OutcomeTarget.objects.get().target == Decimal("120.00")
    assert "Referrals received 2025/26 120 referrals 0" in text(officer_client.get(f"/grants/{draft_grant.pk}/"))


def test_an_annual_review_is_recorded(commissioner_client, approved_grant, year):
    response = commissioner_client.post(
        f"/grants/{approved_grant.pk}/reviews/new/",
        {"year": year.pk, "outcome": "continue", "notes": "On track against every target", "reviewed_on": "20/03/2026"},
    )
    assert response.status_code == 302
    page = text(commissioner_client.get(f"/grants/{approved_grant.pk}/"))
    assert "2025/26 Continue On track against every target 20/03/2026 by Carla" in page


def test_the_schedule_is_changed_and_must_still_add_up(officer_client, approved_grant):
    line = approved_grant.funding_lines.get()
    q1, q2, q3, q4 = line.instalments.order_by("quarter")
    data = {"reason": "Provider's cash-flow request"}
    for inst in (q1, q2, q3, q4):
        data.update(
            {
                f"amount_{inst.pk}": f"{inst.amount.amount:.2f}",
                f"due_{inst.pk}": inst.due_date.strftime("%d/%m/%Y"),
                f"return_{inst.pk}": "on",
            }
        )
    data[f"amount_{q1.pk}"] = "20000.00"
    unbalanced = officer_client.post(f"/grants/{approved_grant.pk}/funding-lines/{line.pk}/schedule/", data)
    assert unbalanced.status_code == 200
    assert (
        unbalanced.context["form"]
        .non_field_errors()[0]
        .startswith("The instalments would add up to £65,000.00, not the funding line's £60,000.00")
    )
    data[f"amount_{q2.pk}"] = "10000.00"
    done = officer_client.post(f"/grants/{approved_grant.pk}/funding-lines/{line.pk}/schedule/", data)
    assert done.status_code == 302
    assert [i.amount.amount for i in line.instalments.order_by("quarter")] == [
        Decimal("20000.00"),
        Decimal("10000.00"),
        Decimal("15000.00"),
        Decimal("15000.00"),
    ]
