"""Forms to record income. Each offers the funds that take its kind of income (``income.kinds``) and refuses any
other fund with the words the service would use; the services check again."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import AmountField, FigureField, Form, PercentField, ReasonField, UKDateField
from core.money import format_gbp
from funds.models import FinancialYear, Fund, Period
from income import kinds, services
from income.models import AwardLetter


class IncomeFundField(forms.ModelChoiceField):
    """The fund of an income document: offers only ``funds_taking(kind)``; a fund sent that is not offered (closed,
    or of another kind) is refused with ``income_fund_check``'s own message, as the service would refuse it."""

    def __init__(self, kind: kinds.IncomeKind, **kwargs):
        self.kind = kind
        super().__init__(queryset=kinds.funds_taking(kind=kind), label="Fund", **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.name}"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Fund.objects.get(pk=value)
        except (ValueError, TypeError, Fund.DoesNotExist):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def validate(self, value):
        super().validate(value)
        if value is not None:
            try:
                kinds.income_fund_check(kind=self.kind, fund=value)
            except ValidationError as refusal:
                raise ValidationError(refusal.message_dict["fund"])


def _fund_field(kind: kinds.IncomeKind, **kwargs):
    return IncomeFundField(kind, **kwargs)


REFERENCE_HELP = "The document's own reference; it must not have been recorded before"


class IncomeForm(Form):
    service_checks = {"reference": services.unique_reference}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def clean(self):
        """With the form refused anyway (the fund, say), the service's checks of the reference (``service_checks``)
        and of the date are reported with it: one submission shows every field at fault."""
        data = super().clean()
        kind = getattr(self.fields["fund"], "kind", None)  # a pay-over to HM Treasury is not income
        if self.errors and kind and kind.date_field in self.fields and data.get(kind.date_field) is not None:
            try:
                kinds.income_date_check(kind=kind, day=data[kind.date_field])
            except ValidationError as refusal:
                self.add_error(None, refusal)
        return data


class AwardLetterForm(IncomeForm):
    fund = _fund_field(kinds.AWARD, help_text="Only funds whose spending limit is their award")
    year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.order_by("start_year"), label="Financial year of the award"
    )
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    letter_date = UKDateField(label="Date of the letter")
    amount = AmountField(label="Amount awarded")
    description = forms.CharField(label="Description", max_length=300, required=False)


class ReceiptForm(IncomeForm):
    fund = _fund_field(
        kinds.RECEIPT, help_text="Proceeds of crime, fixed penalties and course fees each have their own page"
    )
    award_letter = forms.ModelChoiceField(
        queryset=AwardLetter.objects.standing().select_related("fund", "year").order_by("fund__code", "-letter_date"),
        label="Against award letter",
        required=False,
        empty_label="The fund's letter for the year of the date received",
        help_text="For an award-based fund; left blank, the receipt settles the fund's award letter for the "
        "financial year of the date received",
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
    fund = _fund_field(kinds.POCA)
    reference = forms.CharField(label="Receipt reference", max_length=60, help_text=REFERENCE_HELP)
    case_reference = forms.CharField(
        label="Court case reference", max_length=60, help_text="The confiscation order's case reference"
    )
    date = UKDateField(label="Date received")
    gross_recovered = AmountField(label="Gross amount recovered", help_text="The whole sum recovered, in pounds")
    agency_share_percent = PercentField(  # the service refuses over ARIS's 50%, in the same words on every path
        label="Agency share (%)", help_text="This agency's share of the recovered sum, for example 18.75",
        maximum=None,
    )
    description = forms.CharField(label="Description", max_length=300, required=False)


class FpnReturnForm(IncomeForm):
    fund = _fund_field(kinds.FPN)
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    period = forms.ModelChoiceField(
        queryset=Period.objects.filter(is_closed=False).select_related("year").order_by("start_date"),
        label="Month",
        help_text="Open months that have ended",
    )
    tickets = FigureField(label="Number of tickets", example="1380", maximum=10_000_000,
                          kind="a whole number of tickets")
    gross_value = AmountField(label="Gross value of the penalties")
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        period.label_from_instance = lambda p: f"{p.start_date:%B %Y} ({p.year.label} P{p.number})"
        # Offered: the open months that have ended. Another open month sent is refused in clean_period with the
        # service's own words.
        ended = [p for p in period.queryset if kinds.month_end(p.start_date) < kinds.income_today()]
        period.widget.choices = [("", period.empty_label)] + [
            (p.pk, period.label_from_instance(p)) for p in ended
        ]
        self.fields["tickets"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})

    def clean_period(self):
        period = self.cleaned_data["period"]
        try:
            kinds.income_date_check(kind=kinds.FPN, day=period.start_date)
        except ValidationError as refusal:
            raise ValidationError(refusal.message_dict[kinds.FPN.date_field])
        return period

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["month_start"] = data.pop("period").start_date
        return data


class FeeReceiptForm(IncomeForm):
    fund = _fund_field(kinds.FEE)
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    date = UKDateField(label="Date received")
    amount = AmountField(label="Amount received")
    courses = FigureField(label="Number of courses", required=False, example="1380", maximum=10_000_000,
                          kind="a whole number of courses")
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["courses"] = data.get("courses") or 0
        return data


class TreasuryPayOverForm(IncomeForm):
    fund = forms.ModelChoiceField(
        queryset=Fund.objects.filter(income_kind=Fund.IncomeKind.FPN).order_by("code"),
        label="Fund",
        help_text="The fixed penalty fund whose returns owe HM Treasury the money",
    )
    reference = forms.CharField(label="Reference", max_length=60, help_text=REFERENCE_HELP)
    date = UKDateField(label="Date paid over")
    amount = AmountField(label="Amount paid over")
    description = forms.CharField(label="Description", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].label_from_instance = lambda f: f"{f.code} – {f.name}"


class ReverseForm(Form):
    """Reversing a document: the reason (kept with it) and the date of the reversing entry."""

    # Required by the service, which says so in its own words.
    reason = ReasonField(label="Reason for reversing", required=False,
                         help_text="Required; kept with the document and its entry")
    on = UKDateField(
        label="Date of the reversal", required=False,
        help_text="Left blank, today. It must fall in an open month, no earlier than the document",
    )
