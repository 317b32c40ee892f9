from django import forms
from django.contrib.auth import get_user_model

from core.forms import AmountField, ConfirmField, Form, ReasonField, UKDateField
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
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Person")
    amount = AmountField(label="Limit (£)", allow_zero=True,
                         help_text="The largest run they may authorise, in pounds; 0 withdraws their authority.")
    note = forms.CharField(required=False, max_length=300,
                           help_text="e.g. the paragraph of the scheme of delegation.")

    def __init__(self, *args, exclude_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = (get_user_model().objects.filter(is_active=True, groups__name__in=OFFICERS_AND_DIRECTORS)
                  .distinct().order_by("first_name", "username"))
        if exclude_user is not None:
            people = people.exclude(pk=exclude_user.pk)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
