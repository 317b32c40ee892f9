"""Forms for downloading statements and issuing packs. The dates are checked by reports.parameters."""

import calendar
from datetime import timedelta

from django import forms

from core.dates import text_date_in_range
from core.forms import ConfirmField, Form, UKDateField
from funds.forms import year_choices
from funds.models import FinancialYear
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

    def clean_known_at(self):
        return text_date_in_range(self.cleaned_data.get("known_at"))


def ended_month_choices(*, today) -> list[tuple[str, str]]:
    """Every month of the years set up that has ended by ``today``, newest first: ("2026-10", "October 2026 …")."""
    choices = []
    for fy in FinancialYear.objects.order_by("-start_year"):
        month = fy.end_date.replace(day=1)
        while month >= fy.start_date:
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            if last < today:
                choices.append((f"{month:%Y-%m}", f"{month:%B %Y} ({fy.label}), as at {last:%d/%m/%Y}"))
            month = (month - timedelta(days=1)).replace(day=1)
    return choices


class PackIssueForm(Form):
    month = forms.ChoiceField(
        label="Month", help_text="The pack is as at the month's last day. Issuing a month again supersedes its pack.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="For example, 'October pack for the finance directors' group'",
    )
    confirm = ConfirmField(label="I confirm: issue the pack and keep its files exactly as issued")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = ended_month_choices(today=today)


class PackSignOffForm(Form):
    statement = forms.CharField(
        label="Statement of review", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text="What you are signing: it is kept with your name, the moment and the pack's SHA-256.",
    )
    confirm = ConfirmField(label="I confirm: I reviewed this pack and sign it off")
