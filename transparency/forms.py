"""Forms for publishing and withdrawing transparency files. They shape input only: the rules are in
``transparency.publications``, whose refusals are shown next to the field they name."""

from django import forms

from core.dates import text_date_in_range
from core.forms import ConfirmField, Form, ReasonField
from funds.models import FinancialYear
from transparency.models import Publication


class PublishForm(Form):
    kind = forms.ChoiceField(label="What to publish", choices=Publication.Kind.choices, widget=forms.RadioSelect)
    month = forms.CharField(
        label="Month", required=False, max_length=7,
        help_text="For spending over £500 only: year-month, for example 2026-10 (a month that has ended)",
    )
    year = forms.ModelChoiceField(
        label="Financial year", required=False, queryset=FinancialYear.objects.none(),
        help_text="For the 360Giving package only: the year the grants were awarded in",
    )
    confirm = ConfirmField(
        label="I confirm this file may be made public: anyone can download it from the transparency page",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = FinancialYear.objects.order_by("-start_year")
        self.fields["year"].label_from_instance = lambda y: y.label
        self.fields["month"].widget.attrs.update({"class": "input-short", "autocomplete": "off"})

    def clean_month(self):
        return text_date_in_range(self.cleaned_data.get("month"))

    def service_arguments(self) -> dict:
        """Only the period the chosen kind needs."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": kind,
            "month": data.get("month") if kind == Publication.Kind.SPENDING else None,
            "year": data.get("year") if kind == Publication.Kind.GIVING360 else None,
        }


class WithdrawForm(Form):
    reason = ReasonField(label="Why is it withdrawn?", help_text="Kept with the record; not shown to the public")
