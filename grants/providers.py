"""Who a provider user is, and the one place their organisation is looked up.

Every portal page and every service a provider may call scopes what it reads or writes with
``provider_organisation``: a provider never reaches another organisation's records, and an object of another
organisation is answered with 404 (``Http404``), not 403, so its existence is not revealed.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.roles import FINANCE_OFFICER, PROVIDER, has_role
from grants.models import Organisation, ProviderAccount


def provider_organisation(user) -> Organisation | None:
    """The organisation a signed-in provider user acts for, or ``None`` for anyone else (office staff, anonymous,
    a provider whose account was made inactive)."""
    if user is None or not getattr(user, "is_authenticated", False) or not has_role(user, PROVIDER):
        return None
    cached = getattr(user, "_ringfence_provider_org", False)
    if cached is False:
        account = (ProviderAccount.objects.select_related("organisation")
                   .filter(user=user, is_active=True).first())
        cached = account.organisation if account else None
        user._ringfence_provider_org = cached
    return cached


def require_provider_organisation(user) -> Organisation:
    """The provider's organisation, or 404 (a provider role without an active account sees nothing)."""
    organisation = provider_organisation(user)
    if organisation is None:
        raise Http404("No organisation is linked to this account.")
    return organisation


def provider_users(organisation: Organisation):
    """The active provider users of ``organisation`` (for notifications and reminders)."""
    return (get_user_model().objects.filter(provider_account__organisation=organisation,
                                            provider_account__is_active=True, is_active=True)
            .order_by("username"))


def acts_in_portal_for(user, organisation_id: int, *, refusal: str) -> bool:
    """Whether ``user`` acts through the portal (a provider who is not also a finance officer) — and if so, that
    they act for the organisation ``organisation_id``: a provider of another organisation, or of none, is refused
    with ``PermissionDenied(refusal)``. The services that both the office and providers call (accepting an offer,
    sending a return) ask this once, here."""
    if not has_role(user, PROVIDER) or has_role(user, FINANCE_OFFICER):
        return False
    organisation = provider_organisation(user)
    if organisation is None or organisation.pk != organisation_id:
        raise PermissionDenied(refusal)
    return True
