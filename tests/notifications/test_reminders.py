"""Each rule's recipients and keys on fixed days. Brindley's grant runs 1 April 2025 to 31 March 2026; its Q1 ends
30/06/2025, so with the default 14 days its Q1 return is due 14/07/2025, and its Q1 instalment (£15,000.00) is due
30/07/2025."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from grants.models import Grant
from grants.outcomes import monitoring_return_send_back, monitoring_return_submit
from notifications.models import Notification
from notifications.reminders import RULES
from notifications.services import reminder_settings, reminder_settings_set
from payments.runs import payment_run_prepare

LONDON = ZoneInfo("Europe/London")
K = Notification.Kind


def sent(kind, today):
    """(username, key) of every reminder of ``kind`` for ``today``."""
    return sorted((r.recipient.username, r.key) for r in RULES[kind](today, reminder_settings()))


def test_a_return_due_within_seven_days_reminds_the_provider_and_the_officers(accepted_grant, provider, staff):
    key = f"return-due:{accepted_grant.pk}:2025:Q1"
    assert sent(K.RETURN_DUE, date(2025, 7, 10)) == [("olivia", key), ("oscar", key), ("pat", key)]
    assert sent(K.RETURN_DUE, date(2025, 7, 14)) == [("olivia", key), ("oscar", key), ("pat", key)]  # due today
    assert sent(K.RETURN_DUE, date(2025, 7, 6)) == []  # eight days ahead: not yet
    assert sent(K.RETURN_OVERDUE, date(2025, 7, 14)) == []
    reminder = next(r for r in RULES[K.RETURN_DUE](date(2025, 7, 10), reminder_settings())
                    if r.recipient == provider)
    assert reminder.subject == f"Due 14/07/2025: Q1 2025/26 monitoring return, {accepted_grant.reference}"
    assert "in 4 days" in reminder.body and "has not been received" in reminder.body
    assert reminder.url == f"/portal/grants/{accepted_grant.pk}/returns/2025/1/"  # the portal page to send it


def test_a_return_past_its_day_is_overdue(accepted_grant, provider, staff):
    key = f"return-overdue:{accepted_grant.pk}:2025:Q1"
    assert sent(K.RETURN_OVERDUE, date(2025, 7, 15)) == [("olivia", key), ("oscar", key), ("pat", key)]
    assert sent(K.RETURN_DUE, date(2025, 7, 15)) == []
    officer_reminder = next(r for r in RULES[K.RETURN_OVERDUE](date(2025, 7, 20), reminder_settings())
                            if r.recipient.username == "olivia")
    assert "It was due on 14/07/2025, 6 days ago" in officer_reminder.body
    assert officer_reminder.url == f"/grants/{accepted_grant.pk}/"


def test_a_return_received_is_not_reminded_until_it_is_sent_back(accepted_grant, year, provider, officer, staff):
    ret = monitoring_return_submit(grant=accepted_grant, year=year, quarter=1, received_on=date(2025, 7, 10),
                                   spend_reported="15000.00", rag="green", values={}, by=officer, narrative="Fine")
    assert sent(K.RETURN_OVERDUE, date(2025, 7, 20)) == []
    monitoring_return_send_back(monitoring_return=ret, by=staff[1], reason="Spend does not match the invoices")
    assert len(sent(K.RETURN_OVERDUE, date(2025, 7, 20))) == 3


def test_the_return_due_days_are_data(accepted_grant, provider, staff, director):
    reminder_settings_set(approval_wait_days=7, return_due_days=0, by=director, reason="Due at the quarter end")
    key = f"return-overdue:{accepted_grant.pk}:2025:Q1"
    assert sent(K.RETURN_OVERDUE, date(2025, 7, 1)) == [("olivia", key), ("oscar", key), ("pat", key)]


def submitted_on(grant, day):
    Grant.objects.filter(pk=grant.pk).update(submitted_at=datetime(day.year, day.month, day.day, 10, tzinfo=LONDON))


def test_an_approval_waiting_more_than_n_days_reminds_the_commissioners(submitted_grant, staff):
    submitted_on(submitted_grant, date(2025, 5, 1))
    key = f"approval:grant:{submitted_grant.pk}"
    assert sent(K.APPROVAL_WAITING, date(2025, 5, 9)) == [("carla", key), ("cyril", key)]  # eight days
    assert sent(K.APPROVAL_WAITING, date(2025, 5, 8)) == []  # seven days: not more than seven
    reminder = next(iter(RULES[K.APPROVAL_WAITING](date(2025, 5, 9), reminder_settings())))
    assert reminder.subject.startswith("Waiting 8 days for a decision: grant G")
    assert reminder.url == f"/grants/{submitted_grant.pk}/decide/"


def test_the_approval_wait_is_changed_through_the_service(submitted_grant, staff, director):
    submitted_on(submitted_grant, date(2025, 5, 1))
    assert sent(K.APPROVAL_WAITING, date(2025, 5, 5)) == []
    reminder_settings_set(approval_wait_days=3, by=director, reason="The board asked for quicker decisions")
    assert [who for who, _ in sent(K.APPROVAL_WAITING, date(2025, 5, 5))] == ["carla", "cyril"]
    assert sent(K.APPROVAL_WAITING, date(2025, 5, 4)) == []  # three days: not more than three


def test_an_instalment_due_within_seven_days_reminds_the_officers(payable_grant, staff):
    first = payable_grant.instalments.get(quarter=1)
    key = f"instalment-due:{first.pk}"
    assert sent(K.INSTALMENT_DUE, date(2025, 7, 23)) == [("olivia", key), ("oscar", key)]
    assert sent(K.INSTALMENT_DUE, date(2025, 7, 22)) == []  # due in eight days
    assert sent(K.INSTALMENT_DUE, date(2025, 8, 5)) == [("olivia", key), ("oscar", key)]  # overdue, still unpaid
    reminder = next(iter(RULES[K.INSTALMENT_DUE](date(2025, 7, 30), reminder_settings())))
    assert reminder.subject == f"Instalment is due today: {payable_grant.reference}, £15,000.00"


def test_a_prepared_run_reminds_those_whose_limit_covers_it_never_its_preparer(payable_grant, limits, officer,
                                                                                staff):
    run = payment_run_prepare(pay_on=date(2025, 7, 30), by=officer)
    key = f"run-authorise:{run.pk}"
    assert sent(K.RUN_TO_AUTHORISE, date(2025, 7, 28)) == [("diana", key), ("dmitri", key), ("oscar", key)]
    reminder = next(iter(RULES[K.RUN_TO_AUTHORISE](date(2025, 7, 28), reminder_settings())))
    assert reminder.url == f"/payments/runs/{run.pk}/"


def test_whoever_asked_for_an_approval_is_not_reminded_of_it(officer2, commissioner, staff):
    from payments.limits import limit_change_propose
    from payments.models import LimitChange

    change = limit_change_propose(user=officer2, amount="30000.00", reason="Scheme of delegation 4.2",
                                  by=commissioner)
    LimitChange.objects.filter(pk=change.pk).update(proposed_at=datetime(2025, 5, 1, 10, tzinfo=LONDON))
    assert sent(K.APPROVAL_WAITING, date(2025, 5, 9)) == [("cyril", f"approval:limit:{change.pk}")]
