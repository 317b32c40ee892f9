"""Forms for commentary and thresholds. They collect input only: the rules are in ``monitoring.services``."""

from django import forms

from core.forms import AmountField, FigureField, Form, ReasonField
from funds.models import Fund
from monitoring.models import COMMENTARY_MAX
from monitoring.services import PERCENT_MAX


class CommentaryForm(Form):
    text = forms.CharField(
        label="Commentary", max_length=COMMENTARY_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What explains the line against its profile and forecast, and what is being done about it. "
                  f"At most {COMMENTARY_MAX:,} characters; printed in the monitoring statement.",
    )
    reason = ReasonField(
        label="Reason for commenting after the close", required=False,
        help_text="Needed only when the month is already closed.",
    )

    def __init__(self, *args, closed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not closed:
            del self.fields["reason"]


class ThresholdForm(Form):
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.order_by("code"), required=False, label="Fund",
        help_text="Leave empty for the global thresholds, used by every fund without its own.",
    )
    amber_percent = FigureField(label="Amber at %", places=2, maximum=PERCENT_MAX, example="5",
                                help_text="Percentage of the budget, for example 5 or 7.5",
                                error_messages={"required": "Enter the amber percentage, for example 5."})
    amber_amount = AmountField(label="Amber at £", allow_zero=True, help_text="In pounds, for example 5000.00",
                               error_messages={"required": "Enter the amber amount in pounds, for example 5000."})
    red_percent = FigureField(label="Red at %", places=2, maximum=PERCENT_MAX, example="10",
                              help_text="At least the amber %, for example 10",
                              error_messages={"required": "Enter the red percentage, for example 10."})
    red_amount = AmountField(label="Red at £", allow_zero=True,
                             help_text="At least the amber amount, for example 10000.00",
                             error_messages={"required": "Enter the red amount in pounds, for example 10000."})
    reason = ReasonField(label="Reason", help_text="Why the thresholds are set or changed; kept in their history.",
                         error_messages={"required": "Say why the thresholds are set or changed: it is kept in "
                                                     "their history."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].empty_label = "All funds (global thresholds)"
