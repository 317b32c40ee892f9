"""Provider users: a person at a commissioned service, tied to exactly one organisation.

A user with the *Provider* role has one ``ProviderAccount``; everything the portal shows them is scoped to its
organisation (``grants.providers``). The account is made when an invitation is accepted and is never moved to
another organisation: a person who changes organisation is given a new account.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

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
