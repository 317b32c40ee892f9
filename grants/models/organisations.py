"""Recipients: organisations, their bank details (a change is a fraud risk) and the services they deliver."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.sensitive import mask
from grants.identifiers import (
    check_identifier,
    validate_account_number,
    validate_charity_number,
    validate_company_number,
    validate_postcode,
    validate_sort_code,
)


class Organisation(models.Model):
    """A recipient of grants. ``name`` is the legal name as registered."""

    name = models.CharField(max_length=200, help_text="Legal name, as on the charity or company register.")
    charity_number = models.CharField(
        max_length=7, blank=True, validators=[validate_charity_number],
        help_text="Registered charity number in England and Wales (6 or 7 digits), kept as text.",
    )
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number],
        help_text="Companies House number (8 characters, leading zeros kept).",
    )
    identifier = models.CharField(
        max_length=100, unique=True,
        help_text="Organisation identifier: GB-CHC-<charity no.>, GB-COH-<company no.> or 360G-<prefix>-<id>.",
    )
    address = models.TextField()
    postcode = models.CharField(max_length=8, validators=[validate_postcode])
    is_individual = models.BooleanField(
        default=False, help_text="A person, not an organisation: never named in published spending.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["charity_number"], condition=~Q(charity_number=""), name="grants_org_charity_unique",
                violation_error_message="Another organisation already has this charity number.",
            ),
            models.UniqueConstraint(
                fields=["company_number"], condition=~Q(company_number=""), name="grants_org_company_unique",
                violation_error_message="Another organisation already has this company number.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.identifier:
            check_identifier(self.identifier, charity_number=self.charity_number, company_number=self.company_number)


class BankDetails(models.Model):
    """One set of bank details for an organisation. A change adds a new pending record, which a second person
    (not the one who entered it) verifies or rejects. The organisation's current details are its latest record
    that was not rejected; a payment goes only to current details that are verified."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bank_details")
    account_name = models.CharField(max_length=100)
    sort_code = models.CharField(max_length=8, validators=[validate_sort_code], help_text="NN-NN-NN")
    account_number = models.CharField(max_length=8, validators=[validate_account_number], help_text="8 digits")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    change_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the details changed (the recipient's letter).",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who verified or rejected the details.",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(
        blank=True, help_text="How the details were checked, e.g. call-back to the number held on file.",
    )
    history = HistoricalRecords()

    # Shown only masked (``core.sensitive.mask``: ******19) on every page, history, statement, export and in the
    # admin; read in full only by the second person verifying details that are still pending.
    sensitive_fields = ("sort_code", "account_number")

    class Meta:
        ordering = ["organisation", "-id"]
        verbose_name_plural = "bank details"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="pending"), name="grants_bank_one_pending",
                violation_error_message="This organisation already has a change of bank details awaiting verification.",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="grants_bank_decided_has_decider",
            ),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("entered_by")),
                name="grants_bank_second_person",
                violation_error_message="Bank details are verified by someone other than the person who entered them.",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.masked} ({self.get_status_display()})"

    @property
    def masked_sort_code(self) -> str:
        return mask(self.sort_code)

    @property
    def masked_account_number(self) -> str:
        return mask(self.account_number)

    @property
    def masked(self) -> str:
        """Sort code and account number as anyone may see them: ``******62 ******19``."""
        return f"{self.masked_sort_code} {self.masked_account_number}"


class CommissionedService(models.Model):
    """What an organisation delivers for the commissioner, and where (e.g. an ISVA service for Birmingham)."""

    class AreaType(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        CSP = "csp", "Community safety partnership"
        PFA = "pfa", "Police force area"
        NPU = "npu", "Neighbourhood policing unit"
        OTHER = "other", "Other area"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    area_type = models.CharField(max_length=20, choices=AreaType.choices)
    area_name = models.CharField(max_length=120, help_text="e.g. Birmingham, or West Midlands.")
    area_code = models.CharField(max_length=9, blank=True, help_text="ONS code where there is one, e.g. E08000025.")
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name", "area_name"], name="grants_service_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.area_name})"
