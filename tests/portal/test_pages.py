"""The provider's pages: their organisation only, offers accepted with who and when, returns sent through the
portal into the office's queue, messages, and never a fund's name or figure."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grants.checks import check_complete
from grants.models import Grant, MonitoringReturn
from grants.outcomes import monitoring_return_accept, monitoring_return_send_back, monitoring_return_submit
from grants.payments import instalment_pay_refusal
from grants.workflow import grant_offer_accept
from portal.messaging import portal_message_read, portal_message_send
from portal.models import PortalMessage
from tests.portal.conftest import db_state, signed_in

pytestmark = pytest.mark.django_db


def return_url(grant, quarter=1, start_year=2025):
    return reverse("portal:return_submit", args=[grant.pk, start_year, quarter])


# --- Offers -----------------------------------------------------------------------------------------------------

def test_a_provider_accepts_the_offer_and_who_and_when_are_recorded(approved_grant, provider):
    client = signed_in(provider)
    page = client.get(reverse("portal:offer_accept", args=[approved_grant.pk]))
    assert b"Accept the offer on behalf of Brindley Survivors Trust" in page.content
    refused = client.post(reverse("portal:offer_accept", args=[approved_grant.pk]), {})
    assert b"Tick the box to confirm" in refused.content
    assert Grant.objects.get(pk=approved_grant.pk).status == Grant.Status.APPROVED
    client.post(reverse("portal:offer_accept", args=[approved_grant.pk]), {"confirm": "on"})
    grant = Grant.objects.get(pk=approved_grant.pk)
    assert grant.status == Grant.Status.OFFER_ACCEPTED and grant.offer_accepted_by == provider
    assert grant.offer_accepted_at is not None and grant.offer_accepted_on == date.today()


def test_an_officer_recorded_acceptance_records_who_and_when_too(approved_grant, officer):
    grant = grant_offer_accept(grant=approved_grant, accepted_on=date(2025, 5, 12), by=officer)
    assert grant.offer_accepted_by == officer and grant.offer_accepted_at is not None


def test_an_offer_is_accepted_once_and_only_by_its_own_organisation(approved_grant, provider, other_provider):
    before = db_state()
    with pytest.raises(PermissionDenied):
        grant_offer_accept(grant=approved_grant, by=other_provider)
    assert db_state() == before
    grant_offer_accept(grant=approved_grant, by=provider)
    before = db_state()
    with pytest.raises(ValidationError, match="is offer accepted, so it cannot become offer accepted"):
        grant_offer_accept(grant=approved_grant, by=provider)
    assert db_state() == before
    assert b"there is no offer to accept" not in signed_in(provider).get(
        reverse("portal:offer_accept", args=[approved_grant.pk])).content  # it says when it was accepted instead


# --- Returns ----------------------------------------------------------------------------------------------------

def form(measures, **extra):
    data = {"spend_reported": "14250.50", "rag": "green", "narrative": "Caseload steady",
            f"measure_{measures[0].pk}": "130", f"measure_{measures[1].pk}": "62.5"}
    data.update(extra)
    return data


def test_a_provider_sends_a_return_which_lands_in_the_officers_queue(accepted_grant, measures, provider, year):
    client = signed_in(provider)
    assert b"Referrals received (referrals)" in client.get(return_url(accepted_grant)).content
    response = client.post(return_url(accepted_grant), form(measures))
    assert response.status_code == 302
    ret = MonitoringReturn.objects.get(grant=accepted_grant, year=year, quarter=1)
    assert (ret.status, ret.submitted_by, ret.submitted_through_portal, ret.received_on) == (
        "submitted", provider, True, date.today())
    assert sorted(str(v.value) for v in ret.values.all()) == ["130.00", "62.50"]
    office = signed_in(accepted_grant.created_by)
    assert accepted_grant.reference.encode() in office.get(reverse("grants:returns_due")).content
    assert b"sent through the provider portal by Amina Patel" in office.get(
        reverse("grants:return_detail", args=[ret.pk])).content


def test_every_field_at_fault_is_named_at_once_and_counts_are_whole_numbers(accepted_grant, measures, provider):
    client = signed_in(provider)
    before = db_state()
    response = client.post(return_url(accepted_grant), form(measures, spend_reported="lots", rag="amber",
                                                             **{f"measure_{measures[0].pk}": "12.5"}))
    text = response.content.decode()
    assert "Give a whole number of referrals for &#x27;Referrals received&#x27;; 12.5 is not a whole number" in text
    assert "An amber return needs the delivery issues behind it" in text
    assert "&#x27;lots&#x27;" in text  # the spend's refusal quotes what was typed
    assert db_state() == before


def test_negative_figures_are_refused(accepted_grant, measures, provider, year):
    with pytest.raises(ValidationError) as refused:
        monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, spend_reported="100.00", rag="green",
                                 values={measures[0]: "-3"}, by=provider)
    assert refused.value.message_dict[f"measure_{measures[0].pk}"] == [
        "Give 0 or more referrals for 'Referrals received'; -3 is below zero."]


def test_a_return_for_a_quarter_not_ended_is_refused(accepted_grant, measures, provider, year):
    before = db_state()
    with pytest.raises(ValidationError, match="so its monitoring return cannot be recorded on 30/06/2025"):
        monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, spend_reported="1.00", rag="green",
                                 values={}, by=provider, today=date(2025, 6, 30))
    assert db_state() == before


def test_an_accepted_return_cannot_be_sent_again_and_another_organisations_grant_is_refused(
        accepted_grant, measures, provider, other_provider, officer2, year):
    ret = monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, spend_reported="1.00", rag="green",
                                   values={}, by=provider)
    monitoring_return_accept(monitoring_return=ret, by=officer2)
    before = db_state()
    with pytest.raises(ValidationError, match="return for G\\d{5} is already accepted"):
        monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, spend_reported="1.00", rag="green",
                                 values={}, by=provider)
    with pytest.raises(PermissionDenied):
        monitoring_return_submit(grant=accepted_grant, year=year, quarter=2, spend_reported="1.00", rag="green",
                                 values={}, by=other_provider)
    assert db_state() == before
    page = signed_in(provider).get(return_url(accepted_grant))
    assert b"is already accepted" in page.content and b"Send the return" not in page.content


def test_a_sent_back_return_is_resubmitted_from_the_portal_showing_the_reason(accepted_grant, measures, provider,
                                                                            officer2, year):
    client = signed_in(provider)
    client.post(return_url(accepted_grant), form(measures))
    ret = MonitoringReturn.objects.get(grant=accepted_grant, year=year, quarter=1)
    monitoring_return_send_back(monitoring_return=ret, by=officer2, reason="Spend does not match the invoices")
    assert b"Spend does not match the invoices" in client.get(reverse("portal:home")).content
    page = client.get(return_url(accepted_grant))
    assert b"Spend does not match the invoices" in page.content and b'value="14250.50"' in page.content
    client.post(return_url(accepted_grant), form(measures, spend_reported="13900.00"))
    ret.refresh_from_db()
    assert (ret.status, ret.spend_reported.amount, ret.review_note) == ("submitted", 13900, "")


def test_once_the_officer_accepts_the_portal_return_the_instalment_becomes_payable(accepted_grant, measures, provider,
                                                                                 officer, officer2, year):
    for check in accepted_grant.checks.all():
        check_complete(check=check, evidence="Seen", by=officer)
    q1 = accepted_grant.instalments.get(quarter=1)
    assert "waits for that quarter's monitoring return" in instalment_pay_refusal(instalment=q1, on=date(2025, 7, 30))
    signed_in(provider).post(return_url(accepted_grant), form(measures))
    ret = MonitoringReturn.objects.get(grant=accepted_grant, year=year, quarter=1)
    signed_in(officer2).post(reverse("grants:return_detail", args=[ret.pk]), {"decision": "accept", "reason": ""})
    ret.refresh_from_db()
    assert ret.status == "accepted"
    assert instalment_pay_refusal(instalment=q1) is None


# --- What a provider sees ---------------------------------------------------------------------------------------

def test_the_portal_never_shows_a_fund_or_its_figures_nor_internal_notes(accepted_grant, provider, funded_core):
    client = signed_in(provider)
    pages = [client.get(reverse("portal:home")), client.get(reverse("portal:grant", args=[accepted_grant.pk])),
             client.get(reverse("portal:offer_accept", args=[accepted_grant.pk])),
             client.get(reverse("portal:messages"))]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert funded_core.name not in text and funded_core.code not in text
        assert "500,000" not in text and "due diligence" not in text.lower()
    assert "£60,000.00" in pages[1].content.decode()  # the grant's own award is shown


def test_a_provider_sees_only_the_portal(provider, accepted_grant):
    client = signed_in(provider)
    assert client.get(reverse("home")).url == reverse("portal:home")
    assert client.get(reverse("grants:detail", args=[accepted_grant.pk])).status_code == 403
    assert client.get(reverse("grants:list")).status_code == 403
    nav = client.get(reverse("portal:home")).content.decode()
    assert 'href="/grants/"' not in nav and 'href="/portal/messages/"' in nav


def test_drafts_and_bids_of_their_own_organisation_are_not_shown(draft_grant, provider):
    assert signed_in(provider).get(reverse("portal:grant", args=[draft_grant.pk])).status_code == 404


# --- Messages ---------------------------------------------------------------------------------------------------

def test_messages_from_the_office_reach_only_their_organisation_and_are_marked_read(org, other_org, provider,
                                                                                   other_provider, officer):
    message = portal_message_send(organisation=org, subject="Q2 return reminder", body="Please send it by Friday.",
                                  by=officer)
    portal_message_send(organisation=other_org, subject="Tame Valley only", body="Private.", by=officer)
    client = signed_in(provider)
    page = client.get(reverse("portal:messages")).content.decode()
    assert "Q2 return reminder" in page and "Tame Valley only" not in page
    assert signed_in(other_provider).post(reverse("portal:message_read", args=[message.pk])).status_code == 404
    assert PortalMessage.objects.get(pk=message.pk).read_at is None
    client.post(reverse("portal:message_read", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_by == provider and message.read_at is not None
    with pytest.raises(PermissionDenied):
        portal_message_read(message=message, by=other_provider)


def test_a_message_needs_a_subject_and_a_body_and_only_officers_send(org, officer, commissioner):
    with pytest.raises(ValidationError) as refused:
        portal_message_send(organisation=org, subject=" ", body="", by=officer)
    assert set(refused.value.message_dict) == {"subject", "body"}
    with pytest.raises(PermissionDenied):
        portal_message_send(organisation=org, subject="Hi", body="Hello", by=commissioner)
    assert PortalMessage.objects.count() == 0


def test_the_officer_sends_a_message_from_the_organisation_page(org, officer, provider):
    client = signed_in(officer)
    response = client.post(reverse("portal:message_send", args=[org.pk]),
                           {"subject": "Welcome", "body": "Your portal account is ready.", "grant": ""}, follow=True)
    assert b"Message sent to Brindley Survivors Trust" in response.content
    assert b"Welcome" in signed_in(provider).get(reverse("portal:messages")).content


def test_a_return_is_sent_with_its_evidence_file_or_not_at_all(accepted_grant, measures, provider, year, settings,
                                                              tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    client = signed_in(provider)
    before = db_state()
    fake = SimpleUploadedFile("report.pdf", b"this is not a PDF at all", content_type="application/pdf")
    refused = client.post(return_url(accepted_grant), {**form(measures, rag="red"), "evidence": fake})
    text = refused.content.decode()
    assert "An red return needs the delivery issues" in text or "needs the delivery issues" in text
    assert "report.pdf" in text or "PDF" in text  # the file's refusal, on the same page
    assert db_state() == before and Attachment.objects.count() == 0
    good = SimpleUploadedFile("Q1 report.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    assert client.post(return_url(accepted_grant), {**form(measures), "evidence": good}).status_code == 302
    ret = MonitoringReturn.objects.get(grant=accepted_grant, year=year, quarter=1)
    (attachment,) = Attachment.objects.all()
    assert (attachment.record, attachment.kind, attachment.uploaded_by, attachment.visible_to_provider) == (
        ret, "evidence", provider, True)
    office = signed_in(accepted_grant.created_by)
    assert b"Q1 report.pdf" in office.get(reverse("grants:return_detail", args=[ret.pk])).content
