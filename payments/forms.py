from django import forms
from django.contrib.auth import get_user_model

from core.forms import ConfirmField, Form, ReasonField, UKDateField
from core.roles import OFFICERS_AND_DIRECTORS


class PrepareForm(Form):
    pay_on = UKDateField(label="Payment date", help_text="The date the money leaves the bank, for example 30/07/2025.")


class AuthoriseForm(Form):
    confirm = ConfirmField("I have checked the payments above and authorise them within my delegated limit")


class PayForm(Form):
    confirm = ConfirmField("The bank has made these payments: post every one of them")


class WithholdForm(Form):
    organisation = forms.TypedChoiceField(label="Payee", coerce=int, choices=())
    reason = ReasonField(help_text="Why they are taken out, e.g. 'bank details changed, awaiting verification'.")

    def __init__(self, *args, payees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Choose the payee")] + [(o.pk, o.name) for o in payees]


class CancelForm(Form):
    reason = ReasonField(help_text="Why the run is cancelled, e.g. 'prepared for the wrong date'.")


class LimitForm(Form):
    """Propose a new delegated limit for someone else; it takes effect when a second person approves it."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Person")
    # Read by payments.limits (the money grammar and the allowed range), so a refusal says the range.
    amount = forms.CharField(label="New limit (£)", max_length=20,
                             help_text="The largest run they may authorise, in pounds, from £0.00 (withdraws their "
                                       "authority) to £10,000,000.00.")
    reason = ReasonField(label="Reason", max_length=300,
                         help_text="e.g. the paragraph of the scheme of delegation; kept with the change.")

    def __init__(self, *args, exclude_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = (get_user_model().objects.filter(is_active=True, groups__name__in=OFFICERS_AND_DIRECTORS)
                  .distinct().order_by("first_name", "username"))
        if exclude_user is not None:
            people = people.exclude(pk=exclude_user.pk)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "class": "input-amount",
                                                   "autocomplete": "off"})


class LimitDecisionForm(Form):
    """Approve or reject a proposed limit, with a note; the note is required to reject (the service says so)."""

    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("reject", "Reject")])
    note = ReasonField(label="Reason or note", required=False, help_text="Required when you reject; kept with it")
    confirm = ConfirmField(label="I confirm this decision; it cannot be undone")
