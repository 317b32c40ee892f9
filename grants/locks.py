"""Row locks for grant services that move money, always in one order: funds (by id) -> grant -> instalment.

``entry_post`` locks the funds of its legs too; because the grant services have already locked those funds
first, its lock is a no-op and the order holds everywhere: fund before grant before instalment. (Locking the
grant first and letting ``entry_post`` lock funds afterwards would invert the order against other writers and
risk deadlock.)
"""

from django.core.exceptions import ValidationError

from core.locking import lock
from funds.models import Fund
from grants.models import FundingLine, Grant, Instalment


def lock_funds_and_grant(grant: Grant, *, extra_fund_ids=()) -> Grant:
    """Lock the funds the grant draws on (plus ``extra_fund_ids``), then the grant; return the fresh grant."""
    fund_ids = set(FundingLine.objects.filter(grant_id=grant.pk).values_list("fund_id", flat=True))
    fund_ids |= set(extra_fund_ids)
    lock(Fund.objects.filter(pk__in=fund_ids))
    locked = lock(Grant.objects.filter(pk=grant.pk).select_related("organisation", "service"))[0]
    now = set(FundingLine.objects.filter(grant_id=grant.pk).values_list("fund_id", flat=True))
    if not now <= fund_ids:
        raise ValidationError("The grant's funding lines changed while this was being done; please try again.")
    return locked


def lock_instalment(instalment: Instalment) -> Instalment:
    rows = Instalment.objects.filter(pk=instalment.pk).select_related(
        "funding_line__fund", "funding_line__year", "year")
    return lock(rows)[0]
