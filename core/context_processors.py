from django.conf import settings

from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER, PROVIDER, primary_role, roles_of


def ringfence(request):
    roles = roles_of(request.user) if hasattr(request, "user") else set()
    return {
        "owning_body": settings.RINGFENCE["OWNING_BODY"],
        "owning_body_short": settings.RINGFENCE["OWNING_BODY_SHORT"],
        "protective_marking": settings.RINGFENCE["PROTECTIVE_MARKING"],
        "role": primary_role(request.user) if hasattr(request, "user") else None,
        "is_finance_officer": FINANCE_OFFICER in roles,
        "is_commissioner": COMMISSIONER in roles,
        "is_finance_director": FINANCE_DIRECTOR in roles,
        "is_provider": PROVIDER in roles,
    }
