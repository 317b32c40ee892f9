"""Forms to record income. Each offers only the funds that take that kind of income; the services check again."""

from django import forms

from core.forms import AmountField, Form, PercentField, UKDateField
from core.money import format_gbp
from funds.models import FinancialYear, Fund, Period
from income.models import AwardLetter


def _fund_field(queryset, **kwargs):
    field = forms.ModelChoiceField(queryset=queryset.order_by("code"), label="Fund", **kwargs)
    field.label_from_instance = lambda f: f"{f.code} – {f.name}"
    return field


REFERENCE_HELP = "The document's own reference; it must not have been recorded before"


class IncomeForm(Form):
    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class AwardLetterForm(IncomeForm):
    fund = _fund_field(
        Fund.objects.filter(is_active=True, limit_basis=Fund.LimitBasis.AWARD),
        help_text="Only funds whose spending limit is their award",
    )
    year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.order_by("start_year"), label="Financial year of the award"
    )
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    letter_date = UKDateField(label="Date of the letter")
    amount = AmountField(label="Amount awarded")
    description = forms.CharField(label="Description", max_length=300, required=False)


class ReceiptForm(IncomeForm):
    fund = _fund_field(Fund.objects.filter(is_active=True))
    award_letter = forms.ModelChoiceField(
        queryset=AwardLetter.objects.select_related("fund", "year").order_by("fund__code", "-letter_date"),
        label="Against award letter",
        required=False,
        empty_label="The fund's latest award letter",
        help_text="For an award-based fund; left blank, the fund's latest award letter is used",
    )
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    date = UKDateField(label="Date received")
    amount = AmountField(label="Amount received")
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_letter"].label_from_instance = lambda a: (
            f"{a.reference} – {a.fund.code} {a.year.label}, {format_gbp(a.amount.amount)}"
        )


class PocaReceiptForm(IncomeForm):
    fund = _fund_field(Fund.objects.filter(is_active=True, income_kind=Fund.IncomeKind.POCA))
    reference = forms.CharField(label="Receipt reference", max_length=60, help_text=REFERENCE_HELP)
    case_reference = forms.CharField(
        label="Court case reference", max_length=60, help_text="The confiscation order's case reference"
    )
    date = UKDateField(label="Date received")
    gross_recovered = AmountField(label="Gross amount recovered", help_text="The whole sum recovered, in pounds")
    agency_share_percent = PercentField(
        label="Agency share (%)", help_text="This agency's share of the recovered sum, for example 18.75"
    )
    description = forms.CharField(label="Description", max_length=300, required=False)


class FpnReturnForm(IncomeForm):
    fund = _fund_field(Fund.objects.filter(is_active=True, income_kind=Fund.IncomeKind.FPN))
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    period = forms.ModelChoiceField(
        queryset=Period.objects.filter(is_closed=False).select_related("year").order_by("start_date"),
        label="Month",
        help_text="Open months only",
    )
    tickets = forms.IntegerField(label="Number of tickets", min_value=0)
    gross_value = AmountField(label="Gross value of the penalties")
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].label_from_instance = lambda p: f"{p.start_date:%B %Y} ({p.year.label} P{p.number})"
        self.fields["tickets"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["month_start"] = data.pop("period").start_date
        return data


class FeeReceiptForm(IncomeForm):
    fund = _fund_field(Fund.objects.filter(is_active=True, income_kind=Fund.IncomeKind.FEES))
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    date = UKDateField(label="Date received")
    amount = AmountField(label="Amount received")
    courses = forms.IntegerField(label="Number of courses", min_value=0, required=False)
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["courses"] = data.get("courses") or 0
        return data
