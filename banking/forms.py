from django import forms

from banking.statement_files import MAX_BYTES
from core.forms import Form, ReasonField
from funds.models import Period


class MonthChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.start_date:%B %Y} ({obj.year.label} P{obj.number})"


class StatementImportForm(Form):
    period = MonthChoiceField(
        label="Month", queryset=Period.objects.filter(Period.MONTHS).select_related("year").order_by("start_date"),
        empty_label="Choose the month", help_text="Statements are imported month by month.",
    )
    file = forms.FileField(
        label="Bank statement file (CSV)",
        help_text="Columns Date, Amount, Reference and optionally Description; amounts signed (money out negative).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    # Balances may be negative (an overdrawn account), so they are text here and read by the service.
    opening_balance = forms.CharField(label="Opening balance (£)", max_length=20,
                                      help_text="As printed on the statement, for example 12500.00 or -250.00")
    closing_balance = forms.CharField(label="Closing balance (£)", max_length=20,
                                      help_text="As printed on the statement, for example 12500.00 or -250.00")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"{upload.name} is {upload.size / (1024 * 1024):.1f} MB; a month's "
                                        f"statement file is at most {MAX_BYTES // (1024 * 1024)} MB.")
        return upload


class ReasonForm(Form):
    reason = ReasonField(help_text="Why; it is kept with the record.")
