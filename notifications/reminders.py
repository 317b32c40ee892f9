"""The reminders: one function per kind, each yielding a ``Reminder`` (recipient, key, subject, body, url) for the
day ``today``. They only read; ``notifications.services.reminders_send`` records and emails what they yield.

- Monitoring returns (``return_due``, ``return_overdue``): every quarter of a grant being paid whose monitoring
  return has not been received or was sent back (``grants.selectors.returns_due``) is due ``return_due_days``
  (``ReminderSettings``) after the quarter ends for the grant (``grants.quarters.reporting_end``). Due within seven
  days, or overdue: the organisation's provider users and the finance officers are reminded. A return received
  and awaiting review is the office's to read, not the provider's to send, so it is left out.
- Approvals (``approval_waiting``): what the commissioners' approval queue shows (``reports.approvals``: grants
  submitted, variations, virements above threshold, bank details to verify, orders above threshold, changes of
  control settings and delegated limits) waiting more than ``approval_wait_days``: every commissioner except the
  one who asked (someone else must decide).
- Instalments (``instalment_due``): grant instalments due by seven days from today and not paid in full
  (``grants.selectors.instalments_due``), overdue ones included: the finance officers.
- Payment runs (``run_to_authorise``): prepared runs waiting for authorisation: the people whose delegated limit
  covers the run's total, never its preparer (``payments.limits.limits_covering``, the rule
  ``payment_run_authorise`` applies); when nobody's limit covers it, the finance directors, who set the limits.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from core.money import format_gbp
from core.roles import COMMISSIONER, FINANCE_DIRECTOR, FINANCE_OFFICER
from funds.controls import control_changes_awaiting, control_for
from funds.selectors import virements_awaiting_approval
from grants.models import Grant, MonitoringReturn
from grants.providers import provider_users
from grants.quarters import reporting_end
from grants.selectors import (
    bank_details_awaiting_verification,
    instalments_due,
    returns_due,
    variations_awaiting_approval,
)
from notifications.models import Notification, ReminderSettings
from payments.limits import limit_changes_awaiting, limits_covering, person_name
from payments.models import PaymentRun
from payments.selectors import runs_with_totals
from spending.models import Order

#: How far ahead returns and instalments are reminded of.
AHEAD_DAYS = 7


@dataclass(frozen=True)
class Reminder:
    recipient: object
    key: str
    subject: str
    body: str
    url: str


def people(role: str) -> list:
    """The active users holding ``role``, by username (one query)."""
    return list(get_user_model().objects.filter(is_active=True, groups__name=role).distinct().order_by("username"))


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


# --- Monitoring returns ----------------------------------------------------------------------------------------

def return_deadline(grant: Grant, quarter, settings: ReminderSettings) -> date:
    """The day a quarter's monitoring return is due: ``return_due_days`` after the quarter ends for the grant."""
    return reporting_end(quarter, grant.end_date) + timedelta(days=settings.return_due_days)


def _returns(today: date, settings: ReminderSettings, *, overdue: bool) -> Iterator[Reminder]:
    horizon = today + timedelta(days=AHEAD_DAYS)
    officers = people(FINANCE_OFFICER)
    providers: dict[int, list] = {}
    for row in returns_due(horizon):
        if row.monitoring_return is not None and row.monitoring_return.status == MonitoringReturn.Status.SUBMITTED:
            continue  # received, awaiting the office's review
        deadline = return_deadline(row.grant, row.quarter, settings)
        if overdue != (deadline < today) or deadline > horizon:
            continue
        grant = row.grant
        what = f"the {row.quarter.label} monitoring return for {grant.reference} {grant.title}"
        if overdue:
            key = f"return-overdue:{grant.pk}:{row.year.start_year}:Q{row.quarter.number}"
            subject = f"Overdue: {row.quarter.label} monitoring return, {grant.reference}"
            when = f"It was due on {deadline:%d/%m/%Y}, {_days((today - deadline).days)} ago"
        else:
            key = f"return-due:{grant.pk}:{row.year.start_year}:Q{row.quarter.number}"
            subject = f"Due {deadline:%d/%m/%Y}: {row.quarter.label} monitoring return, {grant.reference}"
            when = ("It is due today" if deadline == today
                    else f"It is due on {deadline:%d/%m/%Y}, in {_days((deadline - today).days)}")
        state = "was sent back for changes" if row.monitoring_return is not None else "has not been received"
        body = (f"{what[0].upper()}{what[1:]} ({grant.organisation.name}) {state}. {when}.")
        if grant.organisation_id not in providers:
            providers[grant.organisation_id] = list(provider_users(grant.organisation))
        for user in providers[grant.organisation_id]:
            yield Reminder(user, key, subject, body, reverse("portal:return_submit", kwargs={
                "pk": grant.pk, "year_start": row.year.start_year, "quarter": row.quarter.number}))
        for user in officers:
            yield Reminder(user, key, subject, body, reverse("grants:detail", args=[grant.pk]))


def returns_due_soon(today: date, settings: ReminderSettings) -> Iterator[Reminder]:
    """Monitoring returns due today or within seven days, not yet received (or sent back)."""
    return _returns(today, settings, overdue=False)


def returns_overdue(today: date, settings: ReminderSettings) -> Iterator[Reminder]:
    """Monitoring returns past their due day, not yet received (or sent back)."""
    return _returns(today, settings, overdue=True)


# --- Approvals waiting ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    key: str
    kind: str
    title: str
    url: str
    requested_by: object
    requested_at: object
    not_for: frozenset  # user ids who may not decide it (they asked, or it is about them)


def approvals_waiting() -> list[Waiting]:
    """What the commissioners' approval queue shows, oldest first (the same sources as ``reports.approvals``,
    without the effects on the funds, which a reminder does not need)."""
    items = [Waiting(f"approval:virement:{v.pk}", "Virement", f"{v.from_line.heading} → {v.to_line.heading}",
                     reverse("funds:virement_detail", args=[v.pk]), v.requested_by, v.requested_at,
                     frozenset({v.requested_by_id}))
             for v in virements_awaiting_approval()]
    items += [Waiting(f"approval:grant:{g.pk}", "Grant", f"{g.reference} {g.title} – {g.organisation.name}",
                      reverse("grants:decide", args=[g.pk]), g.submitted_by, g.submitted_at,
                      frozenset({g.submitted_by_id, g.created_by_id}))
              for g in Grant.objects.filter(status=Grant.Status.SUBMITTED).select_related("organisation",
                                                                                          "submitted_by")]
    items += [Waiting(f"approval:variation:{v.pk}", "Variation",
                      f"{v.grant.reference} {v.grant.title} – {v.grant.organisation.name}",
                      reverse("grants:variation_detail", args=[v.pk]), v.requested_by, v.requested_at,
                      frozenset({v.requested_by_id}))
              for v in variations_awaiting_approval()]
    items += [Waiting(f"approval:bank-details:{d.pk}", "Bank details", f"New bank details for {d.organisation.name}",
                      reverse("grants:bank_details_decide", args=[d.pk]), d.entered_by, d.entered_at,
                      frozenset({d.entered_by_id}))
              for d in bank_details_awaiting_verification()]
    items += [Waiting(f"approval:order:{o.pk}", "Order", f"{o.reference} {o.title} – {o.supplier}",
                      reverse("spending:order_approve", args=[o.pk]), o.raised_by, o.raised_at,
                      frozenset({o.raised_by_id}))
              for o in Order.objects.filter(status=Order.Status.AWAITING_APPROVAL)
              .select_related("supplier__organisation", "raised_by")]
    for c in control_changes_awaiting():
        control = control_for(c.setting)
        items.append(Waiting(
            f"approval:control:{c.pk}", "Control setting",
            f"{c.fund.code} {control.label.lower()}: {control.format(c.value_before)} to "
            f"{control.format(c.value_after)}",
            reverse("funds:control_detail", args=[c.pk]), c.proposed_by, c.proposed_at,
            frozenset({c.proposed_by_id})))
    for c in limit_changes_awaiting():
        before = "none" if c.amount_before is None else format_gbp(c.amount_before.amount)
        items.append(Waiting(
            f"approval:limit:{c.pk}", "Delegated limit",
            f"{person_name(c.user)}: {before} to {format_gbp(c.amount.amount)}",
            reverse("payments:limit_change", args=[c.pk]), c.proposed_by, c.proposed_at,
            frozenset({c.proposed_by_id, c.user_id})))
    return sorted(items, key=lambda item: item.requested_at)


def approvals_waiting_long(today: date, settings: ReminderSettings) -> Iterator[Reminder]:
    """Items waiting for a decision for more than ``approval_wait_days`` days: every commissioner but the asker."""
    commissioners = people(COMMISSIONER)
    for item in approvals_waiting():
        waited = (today - timezone.localdate(item.requested_at)).days
        if waited <= settings.approval_wait_days:
            continue
        subject = f"Waiting {_days(waited)} for a decision: {item.kind.lower()} {item.title}"[:200]
        body = (f"{item.kind}: {item.title}. Asked for by {person_name(item.requested_by)} on "
                f"{timezone.localtime(item.requested_at):%d/%m/%Y}, {_days(waited)} ago; reminders are sent once an "
                f"item has waited more than {_days(settings.approval_wait_days)}.")
        for user in commissioners:
            if user.pk not in item.not_for:
                yield Reminder(user, item.key, subject, body, item.url)


# --- Instalments and payment runs --------------------------------------------------------------------------------

def instalments_due_soon(today: date, settings: ReminderSettings) -> Iterator[Reminder]:
    """Grant instalments due by seven days from today (overdue ones included) and not paid in full."""
    officers = people(FINANCE_OFFICER)
    for row in instalments_due(today + timedelta(days=AHEAD_DAYS)):
        inst = row.instalment
        grant = inst.grant
        if inst.due_date < today:
            when = f"was due on {inst.due_date:%d/%m/%Y}"
        elif inst.due_date == today:
            when = "is due today"
        else:
            when = f"is due on {inst.due_date:%d/%m/%Y}"
        subject = f"Instalment {when}: {grant.reference}, {format_gbp(row.outstanding)}"[:200]
        body = (f"The instalment of {format_gbp(inst.amount.amount)} on {grant.reference} {grant.title} "
                f"({grant.organisation.name}) {when}; {format_gbp(row.outstanding)} is still to pay.")
        if row.blockers:
            body += " Before it can be paid: " + "; ".join(row.blockers) + "."
        for user in officers:
            yield Reminder(user, f"instalment-due:{inst.pk}", subject, body, reverse("grants:payments_due"))


def runs_to_authorise(today: date, settings: ReminderSettings) -> Iterator[Reminder]:
    """Prepared payment runs waiting to be authorised: whoever may authorise them."""
    directors = None
    for run in runs_with_totals():
        if run.status != PaymentRun.Status.PREPARED:
            continue
        deciders = [user for user, _limit in limits_covering(run.total, excluding=[run.prepared_by_id])]
        body = (f"{run.reference}, prepared by {person_name(run.prepared_by)} to pay {run.count} payments totalling "
                f"{format_gbp(run.total)} on {run.pay_on:%d/%m/%Y}, is waiting to be authorised.")
        if not deciders:
            if directors is None:
                directors = people(FINANCE_DIRECTOR)
            deciders = [user for user in directors if user.pk != run.prepared_by_id]
            body += (" Nobody else's delegated limit covers its total: raise someone's limit, or take payees out "
                     "of the run.")
        else:
            body += " Your delegated limit covers it."
        subject = f"Payment run {run.reference} to authorise: {format_gbp(run.total)} to pay on {run.pay_on:%d/%m/%Y}"
        for user in deciders:
            yield Reminder(user, f"run-authorise:{run.pk}", subject, body,
                           reverse("payments:run_detail", args=[run.pk]))


#: Every kind of reminder, in the order they are sent and shown.
RULES = {
    Notification.Kind.RETURN_DUE: returns_due_soon,
    Notification.Kind.RETURN_OVERDUE: returns_overdue,
    Notification.Kind.APPROVAL_WAITING: approvals_waiting_long,
    Notification.Kind.INSTALMENT_DUE: instalments_due_soon,
    Notification.Kind.RUN_TO_AUTHORISE: runs_to_authorise,
}
