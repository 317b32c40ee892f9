"""Each person's notifications (their own only: another's is answered 404) and the reminder settings page
(finance directors change them). The rules are in ``notifications.services``."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import call_service
from core.listing import paginate
from core.permissions import any_signed_in, role_required
from core.roles import FINANCE_DIRECTORS, OFFICE_ROLES, has_role
from notifications import services
from notifications.forms import MarkReadForm, ReminderSettingsForm
from notifications.models import Notification, ReminderSettings


@any_signed_in
def notification_list(request):
    mine = Notification.objects.filter(recipient=request.user).order_by("-for_day", "-created_at", "-id")
    return render(request, "notifications/list.html", {
        "page_obj": paginate(request, mine),
        "unread": services.unread_count(request.user),
        "settings": services.reminder_settings() if has_role(request.user, *OFFICE_ROLES) else None,
        "can_set": has_role(request.user, *FINANCE_DIRECTORS),
    })


@any_signed_in
@require_POST
def mark_read(request):
    """Mark one notification read (``notification`` = its id) or, without one, all of them."""
    form = MarkReadForm(request.POST)
    target = None
    if form.is_valid() and form.cleaned_data["notification"]:
        target = get_object_or_404(Notification, pk=form.cleaned_data["notification"], recipient=request.user)
    done = services.notifications_mark_read(by=request.user, notification=target)
    if target is None:
        messages.success(request, f"{done} notification{'' if done == 1 else 's'} marked as read.")
    return redirect("notifications:list")


@role_required(*FINANCE_DIRECTORS)
def reminder_settings(request):
    now = services.reminder_settings()
    form = ReminderSettingsForm(request.POST or None, initial={
        "approval_wait_days": now.approval_wait_days, "return_due_days": now.return_due_days})
    if request.method == "POST" and form.is_valid():
        done = call_service(form, services.reminder_settings_set, by=request.user, **form.cleaned_data)
        if done:
            messages.success(request, f"Reminder settings changed: commissioners are reminded of approvals waiting "
                                      f"more than {done.approval_wait_days} days; returns are due "
                                      f"{done.return_due_days} days after their quarter ends.")
            return redirect("notifications:list")
    back = reverse("notifications:list")
    changes = ReminderSettings.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "notifications/settings.html", {
        "form": form, "title": "Reminder settings", "caption": "Reminders",
        "lead": "The daily reminders (python manage.py send_reminders) remind commissioners of approvals waiting "
                "longer than the number of days below, and providers and finance officers of monitoring returns due "
                "within seven days or overdue.",
        "submit_label": "Change the settings", "back_url": back, "back_label": "your notifications",
        "cancel_url": back, "changes": changes,
    }, status=400 if form.errors else 200)
