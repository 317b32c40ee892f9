"""Who may do what with grants: one place for the role checks the grant services make."""

from django.core.exceptions import PermissionDenied

from core.roles import COMMISSIONER, FINANCE_OFFICER, has_role

OFFICER = (FINANCE_OFFICER,)
APPROVER = (COMMISSIONER,)
OFFICER_OR_COMMISSIONER = (FINANCE_OFFICER, COMMISSIONER)


def require_role(user, roles: tuple[str, ...], *, doing: str) -> None:
    """Refuse with PermissionDenied unless ``user`` holds one of ``roles``; ``doing`` completes 'Only ... may'."""
    if user is None or not getattr(user, "pk", None) or not has_role(user, *roles):
        who = " or ".join(r.lower() + "s" for r in roles)
        raise PermissionDenied(f"Only {who} may {doing}.")
