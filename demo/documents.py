"""The demo's documents: signed grant agreements on several grants (shared with the provider), the funder's award
letters for 2026/27, and a bank letter behind one organisation's verified details (kept in the office). Each is a
small PDF made here with reportlab, attached through ``documents.services.attachment_add`` on a day a finance
officer would have filed it."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from demo.timeline import at
from documents.models import Attachment
from documents.services import attachment_add
from grants.models import BankDetails, Grant
from income.models import AwardLetter

FILED_ON = date(2026, 6, 15)
AGREEMENTS = 6


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF (the same bytes for the same text: reportlab's invariant mode)."""
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 770, title)
    page.setFont("Helvetica", 11)
    for n, line in enumerate(lines):
        page.drawString(72, 740 - 16 * n, line)
    page.showPage()
    page.save()
    return out.getvalue()


def _upload(name: str, title: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_pdf(title, lines), content_type="application/pdf")


def documents_story(users, filed: list):
    officer = users["finance"]
    yield at(FILED_ON, "14:00")
    grants = (Grant.objects.filter(offer_accepted_on__lte=FILED_ON, end_date__gte=FILED_ON)
              .exclude(status=Grant.Status.WITHDRAWN).select_related("organisation").order_by("pk")[:AGREEMENTS])
    for grant in grants:
        filed.append(attachment_add(
            record=grant, kind=Attachment.Kind.GRANT_AGREEMENT, by=officer, visible_to_provider=True,
            description="Signed by both parties",
            upload=_upload(f"{grant.reference} grant agreement (signed).pdf", f"Grant agreement {grant.reference}",
                           [grant.title, f"Between the commissioner and {grant.organisation.name}",
                            f"From {grant.start_date:%d/%m/%Y} to {grant.end_date:%d/%m/%Y}",
                            "Signed for the provider and for the commissioner."]),
        ))
    for letter in AwardLetter.objects.filter(year__start_year=2026).select_related("fund").order_by("pk")[:3]:
        filed.append(attachment_add(
            record=letter, kind=Attachment.Kind.AWARD_LETTER, by=officer,
            upload=_upload(f"{letter.fund.code} award letter 2026-27.pdf", f"Award letter: {letter.fund.name}",
                           [f"Grant to the commissioner for {letter.year.label}", "Conditions of grant attached."]),
        ))
    details = BankDetails.objects.filter(status=BankDetails.Status.VERIFIED).select_related("organisation") \
        .order_by("pk").first()
    if details is not None:
        filed.append(attachment_add(
            record=details, kind=Attachment.Kind.BANK_LETTER, by=officer,
            description="The bank's letter confirming the account, kept with the call-back note",
            upload=_upload("bank letter.pdf", f"Bank letter: {details.organisation.name}",
                           [f"Account name: {details.account_name}", "Confirmed by the bank."]),
        ))
