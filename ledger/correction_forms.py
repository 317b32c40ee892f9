"""Forms for correcting journals: the date and reason, up to eight lines, and the approver's two decisions. They only
collect input: every rule (balance per fund, accounts only documents move, open periods, who may decide) is the
service's (``ledger.corrections``), and its refusals are shown at the top of the form."""

from django import forms
from django.forms import formset_factory

from core.forms import AmountField, ConfirmField, Form, ReasonField, UKDateField
from funds.models import BudgetLine, FinancialYear, Fund
from ledger.corrections import MAX_LINES, REJECTION_NOTE_NEEDED, CorrectionLine, correctable_accounts
from ledger.models import JournalLine


class CorrectingJournalForm(Form):
    date = UKDateField(
        label="Date", help_text="The date it posts on once approved; it must be in an open period. "
        "For example, 15/06/2025",
    )
    reason = ReasonField(
        label="Reason",
        help_text="What went wrong and what this corrects, e.g. 'Receipt R-104 was posted to POCA; it belongs to "
        "FEES'. Kept with the journal and on its entry.",
    )


REQUIRED = {
    "account": "Choose the account",
    "fund": "Choose the fund",
    "direction": "Choose debit or credit",
    "amount": "Enter the amount in pounds, for example 1200.00",
}


class CorrectionLineForm(Form):
    """One line. A line left wholly blank is ignored."""

    account = forms.ChoiceField(label="Account")
    fund = forms.ModelChoiceField(label="Fund", queryset=Fund.objects.none())
    funding_year = forms.ModelChoiceField(
        label="Funding year", queryset=FinancialYear.objects.none(), required=False,
        empty_label="The date's year",
    )
    direction = forms.ChoiceField(
        label="Debit or credit", choices=[("", "Choose one"), *JournalLine.Direction.choices]
    )
    amount = AmountField(label="Amount", help_text="")
    budget_line = forms.ModelChoiceField(
        label="Budget line", queryset=BudgetLine.objects.none(), required=False, empty_label="None",
        help_text="On a spending line (e.g. 5300 staff costs): the fund's budget line it counts against.",
    )
    narrative = forms.CharField(label="Narrative", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "Choose one")] + [
            (a.code, f"{a.code} {a.name}") for a in correctable_accounts()
        ]
        self.fields["fund"].queryset = Fund.objects.order_by("code")
        self.fields["fund"].label_from_instance = lambda f: f"{f.code}{'' if f.is_active else ' (closed)'}"
        self.fields["funding_year"].queryset = FinancialYear.objects.order_by("start_year")
        self.fields["funding_year"].label_from_instance = lambda y: y.label
        self.fields["budget_line"].queryset = BudgetLine.objects.select_related("fund", "year").order_by(
            "year__start_year", "fund__code", "heading")
        self.fields["budget_line"].label_from_instance = lambda b: f"{b.fund.code} {b.year.label} {b.heading}"
        for name, size in (("fund", "input-amount"), ("funding_year", "input-amount"), ("direction", "input-short")):
            self.fields[name].widget.attrs["class"] = size
        for name, message in REQUIRED.items():
            self.fields[name].error_messages["required"] = f"{message}, or clear the whole line."

    def line(self) -> CorrectionLine:
        data = self.cleaned_data
        return CorrectionLine(
            account=data["account"], fund=data["fund"], direction=data["direction"], amount=data["amount"],
            funding_year=data.get("funding_year"), narrative=data.get("narrative", ""),
            budget_line=data.get("budget_line"),
        )


class _Lines(forms.BaseFormSet):
    def lines(self) -> list[CorrectionLine]:
        """The lines filled in, in page order (blank lines left out)."""
        return [form.line() for form in self.forms if form.has_changed() and form.cleaned_data]

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the page's error summary: each line's errors, named by line number."""
        items = []
        for number, form in enumerate(self.forms, 1):
            for name in form.fields:
                for message in form.errors.get(name, []):
                    items.append((form[name].auto_id, f"Line {number}, {form.fields[name].label.lower()}: {message}"))
        return items


CorrectionLineFormSet = formset_factory(
    CorrectionLineForm, formset=_Lines, extra=MAX_LINES, max_num=MAX_LINES, absolute_max=MAX_LINES
)


class ApproveForm(Form):
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the journal",
    )
    confirm = ConfirmField(label="I have checked the lines; post this journal to the ledger (it cannot be undone)")


class RejectForm(Form):
    note = ReasonField(
        label="Why it is rejected", help_text="The person who prepared it reads it",
        error_messages={"required": REJECTION_NOTE_NEEDED},
    )
