from django import forms

from core.forms import Form
from income.import_files import MAX_BYTES


class IncomeImportForm(Form):
    file = forms.FileField(
        label="Spreadsheet of income",
        help_text="A .csv or .xlsx file of at most 10 MB, with the columns fund_code, date, kind, reference, amount, "
                  "description.",
        widget=forms.ClearableFileInput(attrs={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
    check_only = forms.BooleanField(
        label="Check the file only; write nothing", required=False, initial=True,
        help_text="Untick to record the income. A file is recorded whole, or not at all.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / (1024 * 1024):.1f} MB; the largest file accepted is 10 MB. "
                "Split it into smaller files."
            )
        return upload
