"""The reminder settings form. It collects input only: the rules are in ``notifications.services``."""

from django import forms

from core.forms import FigureField, Form, ReasonField
from notifications.models import DAYS_MAX


class ReminderSettingsForm(Form):
    approval_wait_days = FigureField(
        label="Remind commissioners of an approval waiting more than (days)", maximum=DAYS_MAX, example="7",
        help_text=f"A whole number of days from 1 to {DAYS_MAX}, for example 7.",
        error_messages={"required": "Enter a number of days from 1 to 90, for example 7."})
    return_due_days = FigureField(
        label="A quarter's monitoring return is due this many days after the quarter ends", maximum=DAYS_MAX,
        example="14", help_text=f"A whole number of days from 0 to {DAYS_MAX}, for example 14.",
        error_messages={"required": "Enter a number of days from 0 to 90, for example 14."})
    reason = ReasonField(label="Reason", help_text="Why the settings change; kept in their history.",
                         error_messages={"required": "Say why the reminder settings change: it is kept in their "
                                                     "history."})


class MarkReadForm(forms.Form):
    notification = forms.IntegerField(required=False, min_value=1)
