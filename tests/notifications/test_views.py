"""Each person's notifications: the header's unread count, their own list, marking read (another's is 404), and
the reminder settings page for finance directors."""

from datetime import date

from django.urls import reverse

from notifications.models import Notification
from notifications.services import reminder_settings, reminders_send


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_header_counts_ones_unread_notifications(client, accepted_grant, provider, staff, officer, director):
    reminders_send(today=date(2025, 7, 10))
    reminders_send(today=date(2025, 7, 11))
    page = signed_in(client, officer).get(reverse("home")).content.decode()
    assert "Notifications (2 unread)" in page
    assert "Notifications (0 unread)" in signed_in(client, director).get(reverse("home")).content.decode()


def test_the_list_shows_only_ones_own_newest_first(client, accepted_grant, provider, staff, officer):
    reminders_send(today=date(2025, 7, 10))
    reminders_send(today=date(2025, 7, 15))
    page = signed_in(client, officer).get(reverse("notifications:list")).content.decode()
    assert page.count("Mark as read<") == 2
    assert page.index("Overdue: Q1 2025/26") < page.index("Due 14/07/2025: Q1 2025/26")
    assert f'href="/grants/{accepted_grant.pk}/"' in page


def test_a_provider_opens_their_notifications(client, accepted_grant, provider, staff):
    reminders_send(today=date(2025, 7, 10))
    response = signed_in(client, provider).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert "Due 14/07/2025: Q1 2025/26 monitoring return" in response.content.decode()


def test_marking_another_persons_notification_is_404(client, accepted_grant, provider, staff, officer, officer2):
    reminders_send(today=date(2025, 7, 10))
    theirs = Notification.objects.get(recipient=officer2)
    response = signed_in(client, officer).post(reverse("notifications:mark_read"), {"notification": theirs.pk})
    assert response.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_one_then_all_read(client, accepted_grant, provider, staff, officer):
    reminders_send(today=date(2025, 7, 10))
    reminders_send(today=date(2025, 7, 15))
    first, second = Notification.objects.filter(recipient=officer).order_by("for_day")
    client = signed_in(client, officer)
    assert client.post(reverse("notifications:mark_read"), {"notification": first.pk}).status_code == 302
    assert Notification.objects.filter(recipient=officer, read_at__isnull=True).get() == second
    client.post(reverse("notifications:mark_read"))
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 4  # everyone else's untouched


def test_a_director_changes_the_approval_wait(client, director):
    client = signed_in(client, director)
    assert client.get(reverse("notifications:settings")).status_code == 200
    refused = client.post(reverse("notifications:settings"), {"approval_wait_days": "0", "return_due_days": "14",
                                                              "reason": "Faster"})
    assert refused.status_code == 400 and "from 1 to 90 days" in refused.content.decode()
    done = client.post(reverse("notifications:settings"), {"approval_wait_days": "3", "return_due_days": "14",
                                                           "reason": "Faster"})
    assert done.status_code == 302 and reminder_settings().approval_wait_days == 3
