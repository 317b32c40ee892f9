"""The roles, as Django groups created by data migrations, the named sets of them, and the one role check every
service makes (``require_role``). Pages use the same sets through ``core.permissions.role_required``.

Three roles work in the office (``OFFICE_ROLES``). The fourth, *Provider*, is a person at a commissioned service:
each provider user is tied to one organisation (``grants.providers``) and sees only the portal, scoped to it. No
office set includes providers, so ``EVERY_ROLE`` still means every office role."""

from django.core.exceptions import PermissionDenied

FINANCE_OFFICER = "Finance officer"
COMMISSIONER = "Commissioner"
FINANCE_DIRECTOR = "Finance director"
PROVIDER = "Provider"
OFFICE_ROLES = (FINANCE_OFFICER, COMMISSIONER, FINANCE_DIRECTOR)
ALL_ROLES = OFFICE_ROLES + (PROVIDER,)

# Role sets, named after who is in them.
EVERY_ROLE = OFFICE_ROLES  # every role in the office; providers are never in an office set
PROVIDERS = (PROVIDER,)
FINANCE_OFFICERS = (FINANCE_OFFICER,)
COMMISSIONERS = (COMMISSIONER,)
FINANCE_DIRECTORS = (FINANCE_DIRECTOR,)
OFFICERS_AND_COMMISSIONERS = (FINANCE_OFFICER, COMMISSIONER)
OFFICERS_AND_DIRECTORS = (FINANCE_OFFICER, FINANCE_DIRECTOR)
COMMISSIONERS_AND_DIRECTORS = (COMMISSIONER, FINANCE_DIRECTOR)

_PLURALS = {
    FINANCE_OFFICER: "finance officers",
    COMMISSIONER: "commissioners",
    FINANCE_DIRECTOR: "finance directors",
    PROVIDER: "providers",
}


def roles_of(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
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


def describe_roles(roles) -> str:
    """'finance officers', 'finance officers and commissioners', 'a, b and c'."""
    names = [_PLURALS.get(r, r) for r in roles]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def require_role(user, roles: tuple[str, ...], *, doing: str) -> None:
    """The role check of every service: refuse with PermissionDenied unless ``user`` is a saved user holding one of
    ``roles``. ``doing`` completes the sentence 'Only finance officers may ...'."""
    if roles and any(r not in ALL_ROLES for r in roles):
        raise ValueError(f"require_role needs roles from {ALL_ROLES}, got {roles!r}.")
    if user is None or not getattr(user, "pk", None) or not has_role(user, *roles):
        who = describe_roles(roles).replace(" and ", " or ")
        raise PermissionDenied(f"Only {who} may {doing}.")
