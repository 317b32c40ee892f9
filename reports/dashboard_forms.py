"""The dashboards' filter: a financial year and the as-at date. It only collects them; the year and the date are
checked by ``reports.dashboard.dashboard_parameters`` (an unknown year, a date after today or outside the year)."""

from django import forms

from core.forms import Form, UKDateField
from funds.forms import year_choices


class DashboardFilter(Form):
    # A text field shown as a list, so a year that is not set up reaches the service, which names those that are.
    year = forms.CharField(label="Financial year", required=False, max_length=9)
    as_at = UKDateField(
        label="As at",
        required=False,
        help_text="Every figure as it stood at the end of this day, e.g. 31/10/2026; left blank, today (or the "
                  "year's last day once the year has ended)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget = forms.Select(choices=year_choices())
