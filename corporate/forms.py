"""Forms for the corporate ledger mapping. They collect input only: the rules are in ``corporate.mapping`` and on
the model (``corporate.models.corporate_code_check``)."""

from django import forms

from core.forms import Form, ReasonField
from funds.forms import FilterForm, year_choices
from funds.models import Fund
from funds.selectors import current_year
from ledger.models import Account

CODE_ATTRS = {"class": "input-short", "autocomplete": "off", "spellcheck": "false"}


class _CodesForm(Form):
    cost_centre = forms.CharField(
        label="Cost centre", max_length=100, widget=forms.TextInput(attrs=CODE_ATTRS),
        help_text="The corporate ledger's cost centre, for example PCC410: letters, digits and hyphens.",
        error_messages={"required": "Enter the cost centre, for example PCC410."},
    )
    subjective = forms.CharField(
        label="Subjective code", max_length=100, widget=forms.TextInput(attrs=CODE_ATTRS),
        help_text="The corporate ledger's subjective (account) code, for example 52100.",
        error_messages={"required": "Enter the subjective code, for example 52100."},
    )


class MappingCreateForm(_CodesForm):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("code"), label="Ringfence account")
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.order_by("code"), required=False, label="Fund",
        help_text="Leave empty to map the account for every fund that has no mapping of its own.",
    )
    reason = forms.CharField(label="Note (optional)", required=False, max_length=300,
                             help_text="Kept in the mapping's history, e.g. the corporate chart change it follows.")
    field_order = ["account", "fund", "cost_centre", "subjective", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].empty_label = "All funds without their own mapping"


class MappingUpdateForm(_CodesForm):
    reason = ReasonField(help_text="Why the codes change: it changes where postings land in the corporate ledger.")


class MappingDeleteForm(Form):
    reason = ReasonField(help_text="Why the mapping is removed. Postings it covered fall back to the account's "
                                   "all-funds mapping, or stop the journal until mapped again.")


class YearFilter(FilterForm):
    year = forms.ChoiceField(label="Financial year", required=False)

    def __init__(self, data, **kwargs):
        year = current_year()
        super().__init__(data, defaults={"year": str(year.start_year)} if year else {}, **kwargs)
        self.fields["year"].choices = year_choices()
        self.full_clean()
