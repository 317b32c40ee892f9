"""Who may open which page: declared once per view, checked in one place.

Every view of the application is wrapped in ``role_required(...)`` (or ``any_role``), which

- refuses with ``PermissionDenied`` (the friendly 403 page, ``templates/403.html``) and a message that says who the
  page is for and what role the person holds, and
- records the roles on the view as ``view.required_roles``, so tests can check that no view forgot to declare them.

Logging in is required everywhere already (``LoginRequiredMiddleware``); this is the second gate, by role. The
business rules themselves (nobody approves their own submission, only a finance director reopens a period) are
enforced again in the services, so they also hold from commands and the admin.
"""

from functools import wraps

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from core.roles import ALL_ROLES, describe_roles, has_role, primary_role


def refusal(user, roles) -> str:
    held = primary_role(user)
    held_text = f"You are signed in as a {held.lower()}" if held else "Your account has no Ringfence role"
    return f"This page is for {describe_roles(roles)}. {held_text}, so it is not available to you."


def check_role(user, roles) -> None:
    """Raise PermissionDenied with a plain message unless ``user`` holds one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied(refusal(user, roles))


def role_required(*roles: str):
    """Decorator for a function view: only people holding one of ``roles`` may open it."""
    if not roles or any(r not in ALL_ROLES for r in roles):
        raise ValueError(f"role_required needs one or more of {ALL_ROLES}, got {roles!r}.")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_role(request.user, roles)
            return view(request, *args, **kwargs)

        wrapped.required_roles = tuple(roles)
        return wrapped

    return decorator


def any_signed_in(view):
    """Decorator for the few pages every signed-in person may open (home, the refusal pages)."""
    view.required_roles = ()
    return view


class RoleRequiredMixin:
    """The same gate for class-based views: set ``required_roles``."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not self.required_roles:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no required_roles.")
        check_role(request.user, self.required_roles)
        return super().dispatch(request, *args, **kwargs)


#: ``required_roles`` of a page anyone may open without signing in (the permission matrix checks these too).
PUBLIC = "public"


def public_page(view):
    """Decorator for the few read-only pages open to anonymous visitors (the transparency page and its files):
    no login, GET and HEAD only."""
    from django.contrib.auth.decorators import login_not_required
    from django.views.decorators.http import require_safe

    wrapped = login_not_required(require_safe(view))
    wrapped.required_roles = PUBLIC
    return wrapped


#: ``required_roles`` of a form anyone may open and send without signing in (accepting a provider-portal invitation:
#: the person has no account yet). The permission matrix checks these too, GET and POST.
PUBLIC_FORM = "public form"


def public_form_page(view):
    """Decorator for the rare form open to anonymous visitors: no login, GET, HEAD and POST. The view itself proves
    the visitor's right (a single-use token) and must write nothing on a refusal."""
    from django.contrib.auth.decorators import login_not_required
    from django.views.decorators.http import require_http_methods

    wrapped = login_not_required(require_http_methods(["GET", "HEAD", "POST"])(view))
    wrapped.required_roles = PUBLIC_FORM
    return wrapped
