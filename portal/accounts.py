"""A provider user who leaves their organisation: a finance officer makes the account inactive, saying why.

The person can no longer sign in (the user is made inactive too) and the portal answers them nothing; the account,
its history and everything they sent stay on record. Someone who comes back, or moves to another organisation, is
invited again and given a new account (an account never moves between organisations).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import record_event, save_with_history
from core.locking import lock
from core.roles import FINANCE_OFFICERS, require_role
from grants.models import ProviderAccount


@transaction.atomic
def provider_account_deactivate(*, account: ProviderAccount, by, reason: str) -> ProviderAccount:
    require_role(by, FINANCE_OFFICERS, doing="make provider accounts inactive")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the account is made inactive (for example, the person has left "
                                         "the organisation)."})
    account = lock(ProviderAccount.objects.filter(pk=account.pk).select_related("user", "organisation"))[0]
    if not account.is_active:
        raise ValidationError(f"{account.user.get_username()}'s account is already inactive.")
    account.is_active = False
    save_with_history(account, by=by, reason=reason, clean=False)
    user = account.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_event("portal.account_deactivated", by=by, obj=account.organisation, reason=reason,
                 summary=f"{account.organisation.name}: portal account {user.get_username()} made inactive")
    return account
