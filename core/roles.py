"""The three roles, as Django groups created by a data migration, and the checks that use them."""

FINANCE_OFFICER = "Finance officer"
COMMISSIONER = "Commissioner"
FINANCE_DIRECTOR = "Finance director"
ALL_ROLES = (FINANCE_OFFICER, COMMISSIONER, FINANCE_DIRECTOR)


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_ringfence_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._ringfence_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def primary_role(user) -> str | None:
    mine = roles_of(user)
    for role in ALL_ROLES:
        if role in mine:
            return role
    return None
