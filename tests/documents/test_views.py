"""The pages: downloading (headers, who gets 404), attaching from a record's page, withdrawing, and the section on
each record's page."""

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import Attachment
from documents.services import attachment_add
from tests.documents.conftest import CSV_BYTES, PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agreement(org, officer):
    return attachment_add(record=org, upload=upload("Agreement <2025>.pdf", PDF_BYTES), kind="grant_agreement",
                          by=officer, visible_to_provider=True)


@pytest.fixture
def internal_note(org, officer):
    return attachment_add(record=org, upload=upload("due-diligence.csv", CSV_BYTES), kind="evidence", by=officer)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_download_is_an_attachment_never_sniffed_never_run(agreement, commissioner):
    response = client_for(commissioner).get(reverse("documents:download", args=[agreement.pk]))
    assert response.status_code == 200
    assert body(response) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Agreement" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_missing_document_is_not_found(officer):
    assert client_for(officer).get(reverse("documents:download", args=[987654])).status_code == 404


def test_a_provider_sees_shared_documents_of_their_organisation_only(agreement, internal_note, provider,
                                                                     other_provider):
    mine = client_for(provider)
    assert mine.get(reverse("documents:download", args=[agreement.pk])).status_code == 200
    assert mine.get(reverse("documents:download", args=[internal_note.pk])).status_code == 404  # not shared
    other = client_for(other_provider)
    assert other.get(reverse("documents:download", args=[agreement.pk])).status_code == 404


def test_a_provider_uploads_evidence_and_sees_it(org, provider, media_root):
    client = client_for(provider)
    response = client.post(reverse("documents:attach", args=["grants", "organisation", org.pk]),
                           {"file": upload("referrals.csv", CSV_BYTES), "kind": "evidence",
                            "next": "/portal/somewhere/"})
    assert response.status_code == 302 and response.url == "/portal/somewhere/"
    attachment = Attachment.objects.get()
    assert attachment.uploaded_by == provider and attachment.visible_to_provider
    assert client.get(reverse("documents:download", args=[attachment.pk])).status_code == 200


def test_a_provider_uploading_to_another_organisation_gets_404(other_org, provider, media_root):
    response = client_for(provider).post(reverse("documents:attach", args=["grants", "organisation", other_org.pk]),
                                         {"file": upload("a.pdf", PDF_BYTES), "kind": "evidence"})
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_attaching_returns_to_the_record_and_refuses_an_outside_next(org, officer):
    response = client_for(officer).post(
        reverse("documents:attach", args=["grants", "organisation", org.pk]),
        {"file": upload("photo.png", PNG_BYTES), "kind": "evidence", "visible_to_provider": "on",
         "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == reverse("grants:organisation_detail", args=[org.pk])
    assert Attachment.objects.get().visible_to_provider


def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(org, officer, media_root):
    response = client_for(officer).post(reverse("documents:attach", args=["grants", "organisation", org.pk]),
                                        {"file": upload("letter.docx", PDF_BYTES), "kind": "evidence"})
    assert response.status_code == 400
    assert "The file&#x27;s content is a PDF but its name ends .docx." in response.content.decode()
    assert not Attachment.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_only_listed_kinds_of_record_take_documents(officer):
    url = reverse("documents:attach", args=["auth", "user", officer.pk])
    assert client_for(officer).post(url, {"file": upload("a.pdf", PDF_BYTES), "kind": "other"}).status_code == 404
    assert client_for(officer).get(reverse("documents:attach", args=["grants", "organisation", 1])).status_code == 405


def test_a_finance_officer_withdraws_with_a_reason(agreement, officer, commissioner, org):
    url = reverse("documents:withdraw", args=[agreement.pk])
    assert client_for(commissioner).post(url, {"reason": "Wrong file"}).status_code == 403
    refused = client_for(officer).post(url, {"reason": ""})
    assert refused.status_code == 400 and "Say why the document is withdrawn." in refused.content.decode()
    response = client_for(officer).post(url, {"reason": "Superseded by the signed copy"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.withdrawn_reason == "Superseded by the signed copy"
    page = client_for(officer).get(reverse("grants:organisation_detail", args=[org.pk])).content.decode()
    assert "Withdrawn" in page and "Superseded by the signed copy" in page
    history = client_for(officer).get(reverse("history", args=["documents", "attachment", agreement.pk]))
    assert history.status_code == 200 and "Superseded by the signed copy" in history.content.decode()


def test_the_organisation_page_lists_documents_and_offers_the_form(agreement, internal_note, org, officer,
                                                                   commissioner):
    page = client_for(officer).get(reverse("grants:organisation_detail", args=[org.pk])).content.decode()
    assert f'<h2 id="doc-grants-organisation-{org.pk}-heading">Documents</h2>' in page
    assert "Agreement &lt;2025&gt;.pdf" in page and "due-diligence.csv" in page
    assert reverse("documents:download", args=[agreement.pk]) in page
    assert agreement.sha256[:12] in page
    assert 'name="visible_to_provider"' in page and 'enctype="multipart/form-data"' in page
    assert "Withdraw document" in page
    seen_by_commissioner = client_for(commissioner).get(
        reverse("grants:organisation_detail", args=[org.pk])).content.decode()
    assert "Withdraw document" not in seen_by_commissioner


def test_the_grant_page_has_its_documents_section(draft_grant, officer):
    attachment_add(record=draft_grant, upload=upload("offer.pdf", PDF_BYTES), kind="offer_letter", by=officer)
    page = client_for(officer).get(reverse("grants:detail", args=[draft_grant.pk])).content.decode()
    assert "offer.pdf" in page and "Offer letter" in page


def test_the_admin_shows_a_document_read_only_without_a_link_to_its_file(agreement, admin_user):
    page = client_for(admin_user).get(reverse("admin:documents_attachment_change", args=[agreement.pk]))
    assert page.status_code == 200
    assert agreement.file.name not in page.content.decode()
    assert client_for(admin_user).get(reverse("admin:documents_attachment_delete", args=[agreement.pk])) \
        .status_code == 403


def test_the_award_letter_page_has_its_documents_section_and_providers_never_see_it(dasv_fund, year, officer,
                                                                                     provider):
    from datetime import date

    from documents.visibility import may_see
    from income.services import award_letter_record

    letter = award_letter_record(fund=dasv_fund, year=year, reference="DASV-AWD-2526", letter_date=date(2025, 4, 3),
                                 amount="300000.00", by=officer)
    attachment = attachment_add(record=letter, upload=upload("MoJ award.pdf", PDF_BYTES), kind="award_letter",
                                by=officer, visible_to_provider=True)
    page = client_for(officer).get(reverse("income:detail", args=["award-letters", letter.pk])).content.decode()
    assert "MoJ award.pdf" in page and "Award letter" in page
    assert not may_see(provider, letter)
    assert client_for(provider).get(reverse("documents:download", args=[attachment.pk])).status_code == 404
