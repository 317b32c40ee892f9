"""Forms for downloading statements and issuing packs. The dates are checked by reports.parameters."""

from django import forms

from core.forms import ConfirmField, Form, UKDateField
from funds.forms import year_choices
from reports.exports import FORMATS

FORMAT_LABELS = {
    "xlsx": "Excel workbook (.xlsx)",
    "pdf": "PDF",
    "csv": "CSV (one file per statement; several statements come as a .zip)",
}


class StatementForm(Form):
    year = forms.ChoiceField(label="Financial year")
    statement = forms.ChoiceField(label="Statement", required=False)
    format = forms.ChoiceField(
        label="Format", widget=forms.RadioSelect, choices=[(f, FORMAT_LABELS[f]) for f in FORMATS], initial="xlsx"
    )
    as_at = UKDateField(
        label="As at",
        required=False,
        help_text="Entries dated on or before this day count; left blank, today or the year's end",
    )
    known_at = forms.CharField(
        label="As known at",
        required=False,
        max_length=20,
        help_text="A past moment, day/month/year hours:minutes, e.g. 05/01/2026 09:00; left blank, now",
    )

    def __init__(self, *args, statements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(c, label) for c, label in year_choices()]
        self.fields["statement"].choices = [("", "The whole pack (every statement)")] + [
            (cls.key, cls.title) for cls in statements
        ]
        self.fields["known_at"].widget.attrs.update({"autocomplete": "off", "class": "input-date"})


class PackIssueForm(Form):
    year = forms.ChoiceField(label="Financial year")
    as_at = UKDateField(label="As at", required=False, help_text="Left blank, today or the year's end")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="For example, 'Q3 pack for the finance directors' group'",
    )
    confirm = ConfirmField(label="I confirm: issue the pack and keep its files exactly as issued")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(c, label) for c, label in year_choices()]
