"""The header's "Notifications (N unread)" on every page for a signed-in person: one count query, made only
when a template reads it (``unread_notifications``)."""

from django.utils.functional import SimpleLazyObject

from notifications.services import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
