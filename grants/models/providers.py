"""Provider users: a person at a commissioned service, tied to exactly one organisation.

A user with the *Provider* role has one ``ProviderAccount``; everything the portal shows them is scoped to its
organisation (``grants.providers``). The account is made when an invitation is accepted and is never moved to
another organisation: a person who changes organisation is given a new account.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.sensitive import mask
from grants.models.organisations import Organisation


class ProviderAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_account")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="provider_accounts")
    is_active = models.BooleanField(default=True, help_text="Cleared when the person leaves the organisation.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__username"]

    def __str__(self):
        return f"{self.user.get_username()} ({self.organisation.name})"


class BankChangeRequest(models.Model):
    """A provider's request, through the portal, to be paid into a new account.

    A request changes nothing by itself. A finance officer confirms it with the organisation through a channel
    already on file (a call-back to the number held, not one given in the request) and enters it as new bank
    details, which stay pending; a second person in the office then verifies them (``grants.organisations``). So two
    people in the office stand between a request and a payment, and the one who entered the details cannot verify
    them. The officer may instead decline it, saying why; the provider sees that reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested, waiting for the office"
        ENTERED = "entered", "Entered by the office, awaiting verification by a second person"
        DECLINED = "declined", "Declined by the office"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bank_change_requests")
    account_name = models.CharField(max_length=100)
    sort_code = models.CharField(max_length=8)
    account_number = models.CharField(max_length=8)
    reason = models.CharField(max_length=300, help_text="Why the organisation's account is changing.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handling_note = models.TextField(
        blank=True, help_text="How the request was confirmed with the organisation, or why it was declined.",
    )
    bank_details = models.OneToOneField(
        "grants.BankDetails", null=True, blank=True, on_delete=models.PROTECT, related_name="change_request",
    )
    history = HistoricalRecords()

    sensitive_fields = ("sort_code", "account_number")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(status="requested"), name="grants_bankrequest_one_open",
                violation_error_message="This organisation already has a change of bank details waiting for the "
                                        "office.",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="grants_bankrequest_reason",
                violation_error_message="Say why the account is changing.",
            ),
            models.CheckConstraint(
                condition=Q(status="requested")
                | (Q(handled_by__isnull=False, handled_at__isnull=False) & ~Q(handling_note="")),
                name="grants_bankrequest_handled",
            ),
            models.CheckConstraint(
                condition=Q(status="entered", bank_details__isnull=False) | (~Q(status="entered")
                                                                              & Q(bank_details__isnull=True)),
                name="grants_bankrequest_entered_has_details",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}: bank change request {self.masked} ({self.get_status_display()})"

    @property
    def masked(self) -> str:
        return f"{mask(self.sort_code)} {mask(self.account_number)}"
