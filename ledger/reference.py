"""Reference rows that migrations create: the chart of accounts, the chain head and the role groups.

``ensure_reference_data`` re-creates them where a test database was flushed (transactional tests on PostgreSQL
truncate every table), and is harmless where they exist.
"""

from django.contrib.auth.models import Group

from core.roles import ALL_ROLES
from ledger.accounts import CHART
from ledger.models import Account, ChainHead


def ensure_reference_data() -> None:
    for code, name, type_, role in CHART:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": type_, "role": role})
    ChainHead.objects.get_or_create(pk=1)
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)
