"""The objects the permission matrix opens pages for: the demo scenario plus one issued pack.

Each key names an object the URL table (tests/test_permission_matrix.py) can point at; ``kwargs_for`` turns a
table row's argument spec into URL kwargs.
"""

from datetime import date
from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command

from banking.models import BankStatement, Match
from corporate.models import GLMapping
from funds.models import BudgetLine, Fund, Period, Virement
from grants.models import (
    BankDetails,
    Clawback,
    FundingLine,
    Grant,
    GrantVariation,
    Instalment,
    MonitoringReturn,
    Organisation,
    Payment,
)
from income.models import AwardLetter, CashReceipt, FeeReceipt, FpnReturn, PocaReceipt
from ledger.models import CorrectingJournal, JournalEntry
from payments.models import PaymentRun
from spending.models import Invoice, Order, Supplier
from transparency.models import Publication
from yearend.models import FunderRepayment, ManualAccrual

MISSING = 987654  # an id no object has


def build_world() -> dict:
    call_command("seed_demo", stdout=StringIO())
    users = {name: User.objects.get(username=name) for name in ("finance", "commissioner", "director", "admin")}
    users["provider"] = None  # set below, once the world's grants exist (_portal_world)
    from funds.models import FinancialYear
    from reports.packs import pack_issue

    year = FinancialYear.objects.get(start_year=2025)
    other_pack = pack_issue(year=year, by=users["director"], formats=["csv"], note="An earlier pack")
    pack = pack_issue(year=year, by=users["director"], formats=["csv"])
    from funds.calendar import period_close

    if not Period.objects.filter(is_closed=True).exists():  # the demo may already close past months
        period_close(period=Period.objects.order_by("start_date").first(), by=users["finance"], reason="Matrix test")
    if not ManualAccrual.objects.exists():  # the demo records none; the admin's pages need one to open
        ManualAccrual.objects.create(fund=Fund.objects.get(code="VAWG-PROG"), year=FinancialYear.objects.get(
            start_year=2026), amount="1200.00", reason="Matrix test: March evaluation invoice",
            recorded_by=users["finance"])
    from funds.controls import control_change_propose
    from payments.limits import limit_change_propose

    control_change = control_change_propose(
        fund=Fund.objects.get(code="MOJ-CORE"), setting="virement_threshold", value="30000.00",
        reason="Matrix test", by=users["finance"])
    limit_change = limit_change_propose(user=users["finance"], amount="30000.00", reason="Matrix test",
                                        by=users["director"])
    from django.core.files.base import ContentFile
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrolled = User.objects.get(username="finance2")  # the admin's pages of second-factor devices need one
    TOTPDevice.objects.create(user=enrolled, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=enrolled, name="Recovery codes", confirmed=True)

    from jobs.models import Job
    from jobs.tasks import income_import_task

    income_import_task.enqueue(0)  # a queued task (no worker runs here): the admin's task list needs one to open
    jobs = {}
    for name, username in (("job", "finance"), ("other_job", "finance2")):
        job = Job.objects.create(requested_by=User.objects.get(username=username), kind="income_import",
                                 status="done", parameters={"file_name": "income.csv", "check_only": True})
        job.result_file.save("report.csv", ContentFile(b"row,problem\r\n"))
        jobs[name] = job
    from django.utils import timezone

    from grants.models import BankChangeRequest

    bank_change_request = BankChangeRequest.objects.filter(status="requested").order_by("pk").first()
    if bank_change_request is None:  # the portal's request, waiting for an officer
        bank_change_request = BankChangeRequest.objects.create(
            organisation=Organisation.objects.order_by("pk").first(), account_name="Matrix test", sort_code="40-11-62",
            account_number="21430019", reason="Matrix test", requested_by=users["finance"],
            requested_at=timezone.now())
    draft = Grant.objects.filter(status=Grant.Status.DRAFT).order_by("pk").first()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.services import attachment_add

    attachment = attachment_add(  # stored in the world's media folder, like the jobs' files
        record=Grant.objects.filter(status=Grant.Status.SUBMITTED).order_by("pk").first(),
        upload=SimpleUploadedFile("Grant agreement.pdf", b"%PDF-1.7\n%%EOF\n"), kind="grant_agreement",
        by=users["finance"])
    active = Grant.objects.filter(status=Grant.Status.ACTIVE).order_by("pk").first()
    portal = _portal_world(users, active)
    users["provider"] = portal["provider_user"]
    world = {
        "users": users,
        "fund": Fund.objects.order_by("pk").first(),
        "budget": BudgetLine.objects.order_by("pk").first(),
        "virement": (Virement.objects.filter(status=Virement.Status.REQUESTED).order_by("pk").first()
                     or Virement.objects.order_by("pk").first()),
        "open_period": Period.objects.filter(is_closed=False).order_by("start_date").first(),
        "closed_period": Period.objects.filter(is_closed=True).order_by("start_date").first(),
        "award_letter": AwardLetter.objects.order_by("pk").first(),
        "receipt": CashReceipt.objects.order_by("pk").first(),
        "poca": PocaReceipt.objects.order_by("pk").first(),
        "fpn": FpnReturn.objects.order_by("pk").first(),
        "fee": FeeReceipt.objects.order_by("pk").first(),
        "entry": JournalEntry.objects.order_by("pk").first(),
        "organisation": Organisation.objects.order_by("pk").first(),
        "bank_details": (BankDetails.objects.filter(status=BankDetails.Status.PENDING).order_by("pk").first()),
        "bank_change_request": bank_change_request,
        "draft": draft,
        "draft_line": FundingLine.objects.filter(grant=draft).order_by("pk").first(),
        "submitted": Grant.objects.filter(status=Grant.Status.SUBMITTED).order_by("pk").first(),
        "approved": Grant.objects.filter(status=Grant.Status.APPROVED).order_by("pk").first(),
        "active": active,
        "active_line": FundingLine.objects.filter(grant=active).order_by("pk").first(),
        "instalment": Instalment.objects.filter(grant=active).order_by("pk").first(),
        "return": MonitoringReturn.objects.order_by("pk").first(),
        "attachment": attachment,
        "variation": (GrantVariation.objects.filter(status=GrantVariation.Status.REQUESTED).order_by("pk").first()
                      or GrantVariation.objects.order_by("pk").first()),
        "pack": pack,
        # the demo's October 2026: ended, closed, with budget lines and commentary
        "monitoring_period": Period.objects.get(start_date=date(2026, 10, 1), number__lte=12),
        "monitoring_line": BudgetLine.objects.filter(year__start_year=2026).order_by("pk").first(),
        "publication": Publication.objects.filter(status=Publication.Status.PUBLISHED).order_by("pk").first(),
        "other_pack": other_pack,
        "pack_file": pack.files.order_by("pk").first(),
        "payment": Payment.objects.filter(grant__status=Grant.Status.ACTIVE, reversal__isnull=True)
        .order_by("pk").first(),
        "clawback": Clawback.objects.filter(reversal__isnull=True).order_by("pk").first(),
        "correction": CorrectingJournal.objects.order_by("pk").first(),
        "repayment": FunderRepayment.objects.order_by("pk").first(),
        "accrual": ManualAccrual.objects.order_by("pk").first(),
        "supplier": Supplier.objects.order_by("pk").first(),
        "order": Order.objects.filter(status=Order.Status.AWAITING_APPROVAL).order_by("pk").first(),
        "invoice": Invoice.objects.filter(status=Invoice.Status.AWAITING_APPROVAL).order_by("pk").first(),
        # The demo's November run: authorised, its file exported, not yet paid.
        "payment_run": PaymentRun.objects.filter(status=PaymentRun.Status.AUTHORISED).order_by("pk").first(),
        "bank_statement": BankStatement.objects.order_by("pk").first(),
        "bank_match": Match.objects.order_by("pk").first(),
        "gl_mapping": GLMapping.objects.order_by("pk").first(),
        "control_change": control_change,
        **jobs,
        "limit_change": limit_change,
        **portal,
    }
    missing = [name for name, obj in world.items() if obj is None]
    assert not missing, f"the demo has no object for: {', '.join(missing)}"
    return world


def _portal_world(users: dict, active: Grant) -> dict:
    """The provider (letter P): the demo's ``provider`` when the demo has one, else a person invited to the active
    grant's organisation through the real invitation; their grant, a grant of another organisation, a message to
    them, and an open invitation (its token, for the public page that accepts it)."""
    from grants.providers import provider_organisation
    from portal.invitations import invitation_accept, invitation_create
    from portal.messaging import portal_message_send
    from portal.selectors import SHOWN

    provider = User.objects.filter(username="provider").first()
    if provider is None:
        _invitation, token = invitation_create(organisation=active.organisation, email="matrix.provider@example.org",
                                               full_name="Matrix Provider", by=users["finance"])
        provider = invitation_accept(token=token, username="provider", password1="Matrix-portal-2026!",
                                     password2="Matrix-portal-2026!")
    organisation = provider_organisation(provider)
    shown = Grant.objects.filter(status__in=SHOWN).order_by("pk")
    invitation, token = invitation_create(organisation=organisation, email="matrix.invitee@example.org",
                                          full_name="Matrix Invitee", by=users["finance"])
    return {
        "provider_organisation": organisation,
        "portal_grant": shown.filter(organisation=organisation).first(),
        "other_portal_grant": shown.exclude(organisation=organisation).first(),
        "portal_message": portal_message_send(organisation=organisation, subject="Matrix test",
                                              body="A message for the matrix.", by=users["finance"]),
        "other_portal_message": portal_message_send(
            organisation=shown.exclude(organisation=organisation).first().organisation, subject="Matrix test",
            body="A message to another organisation.", by=users["finance"]),
        "invitation": invitation,
        "invitation_token": token,
        "provider_user": provider,
        "provider_account": provider.provider_account,
    }
