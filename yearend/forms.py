from django import forms

from core.forms import AmountField, Form, UKDateField
from funds.models import Fund


class YearEndRunForm(Form):
    confirm = forms.BooleanField(
        label="I have checked the list above: post these entries and close the year", required=True,
        error_messages={"required": "Tick the box to confirm the entries above are to be posted."},
    )


class ManualAccrualForm(Form):
    fund = forms.ModelChoiceField(queryset=Fund.objects.order_by("code"), empty_label="Choose the fund")
    amount = AmountField(label="Amount (£)", help_text="Spending that belongs to the year and is not yet paid.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What it is for, e.g. 'March helpline invoice not yet received'.")


class FunderRepaymentForm(Form):
    reference = forms.CharField(max_length=60, help_text="The remittance or payment reference.")
    date = UKDateField(label="Date paid")
    amount = AmountField(label="Amount (£)")


class ReverseForm(Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why it is being reversed.")
