"""Forms for funds, budgets, virements, forecasts and the calendar, and the year/fund filters other lists reuse.
They collect input only: every rule is checked by funds.budgets and funds.calendar."""

from django import forms

from core.forms import AmountField, ConfirmField, Form, ReasonField, UKDateField
from core.money import format_gbp
from funds.budgets import VIREMENT_RULE, virement_allowances
from funds.controls import CONTROLS
from funds.models import BudgetLine, ControlChange, FinancialYear, Fund, Virement
from funds.selectors import budget_rows, current_year

# ---- Filters for lists (plain GET forms) ---------------------------------------------------------------------


def year_choices(*, blank: str | None = None):
    choices = [(str(y.start_year), y.label) for y in FinancialYear.objects.order_by("-start_year")]
    return ([("", blank)] if blank else []) + choices


def fund_choices(queryset=None, *, blank: str = "All funds"):
    funds = queryset if queryset is not None else Fund.objects.order_by("code")
    return [("", blank)] + [(f.code, f"{f.code} – {f.name}") for f in funds]


class FilterForm(forms.Form):
    """A GET filter bound to the query string. ``defaults`` fill in what the person left out (e.g. this year)."""

    def __init__(self, data, *, defaults: dict | None = None, **kwargs):
        data = data.copy()
        for key, value in (defaults or {}).items():
            if not data.get(key):
                data[key] = value
        super().__init__(data, **kwargs)

    def value(self, name):
        return (self.cleaned_data or {}).get(name) or None


class YearFundFilter(FilterForm):
    q = forms.CharField(label="Search", required=False, max_length=100)
    year = forms.ChoiceField(label="Financial year", required=False)
    fund = forms.ChoiceField(label="Fund", required=False)

    def __init__(self, data, *, status_choices=None, all_years: bool = False, search_label: str = "Search", **kwargs):
        year = current_year()
        defaults = {} if all_years or year is None else {"year": str(year.start_year)}
        super().__init__(data, defaults=defaults, **kwargs)
        self.fields["q"].label = search_label
        self.fields["year"].choices = year_choices(blank="All years" if all_years else None)
        self.fields["fund"].choices = fund_choices()
        if status_choices:
            self.fields["status"] = forms.ChoiceField(
                label="Status", required=False, choices=[("", "Any status"), *status_choices]
            )
        self.full_clean()


# ---- Budgets ---------------------------------------------------------------------------------------------------


class BudgetLineForm(Form):
    fund = forms.ModelChoiceField(queryset=Fund.objects.filter(is_active=True).order_by("code"), label="Fund")
    year = forms.ModelChoiceField(queryset=FinancialYear.objects.order_by("start_year"), label="Financial year")
    heading = forms.CharField(
        label="Heading", max_length=120, help_text="The cost heading or programme, e.g. ISVA services"
    )
    amount = AmountField(label="Original budget", allow_zero=True)
    phasing = forms.ChoiceField(
        label="Phasing",
        choices=BudgetLine.Phasing.choices,
        widget=forms.RadioSelect,
        initial=BudgetLine.Phasing.QUARTERLY,
        help_text="The amount is spread evenly; the last month or quarter takes any pence left over.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].label_from_instance = lambda f: f"{f.code} – {f.name}"


class ForecastForm(Form):
    amount = AmountField(
        label="Forecast outturn", allow_zero=True, help_text="What the line is expected to spend by 31 March, in pounds"
    )
    made_on = UKDateField(label="Forecast date")
    note = forms.CharField(label="Note", required=False, max_length=300, help_text="For example, Q2 review")


def _line_choices(rows, label):
    """Budget lines grouped by fund and year, each labelled by ``label(row)``."""
    groups: dict[str, list] = {}
    for row in rows:
        key = f"{row.line.fund.code} {row.line.year.label}"
        groups.setdefault(key, []).append((str(row.line.pk), label(row)))
    return [("", "Choose a budget line")] + list(groups.items())


class VirementForm(Form):
    """Each line to move budget from shows its revised budget and what has been moved out of it this year against
    the fund's threshold; the amount's help text states the rule, with the chosen line's figures once one is
    chosen. The figures come from ``funds.budgets.virement_allowances``, which ``virement_request`` also uses."""

    from_line = forms.TypedChoiceField(label="Move budget from", coerce=int)
    to_line = forms.TypedChoiceField(label="Move budget to", coerce=int, help_text="A line of the same fund and year")
    amount = AmountField(label="Amount", help_text=VIREMENT_RULE)
    reason = ReasonField(label="Reason", help_text="Why the budget is being moved; it is kept in the history")

    def __init__(self, *args, lines_qs, **kwargs):
        super().__init__(*args, **kwargs)
        rows = budget_rows(lines_qs)
        self.lines = {row.line.pk: row.line for row in rows}
        self.allowances = virement_allowances(lines=self.lines.values())

        def from_label(row):
            allowance = self.allowances[row.line.pk]
            return (
                f"{row.line.heading} (revised {format_gbp(row.revised)}; moved out this year "
                f"{format_gbp(allowance.moved_out)} of the {format_gbp(allowance.threshold)} threshold)"
            )

        self.fields["from_line"].choices = _line_choices(rows, from_label)
        self.fields["to_line"].choices = _line_choices(
            rows, lambda row: f"{row.line.heading} (revised {format_gbp(row.revised)})"
        )
        chosen = self.allowances.get(self._chosen_from_line())
        if chosen is not None:
            self.fields["amount"].help_text = chosen.help_text()

    def _chosen_from_line(self):
        raw = self.data.get("from_line") if self.is_bound else self.initial.get("from_line")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        for name in ("from_line", "to_line"):
            if data.get(name) is not None:
                data[name] = self.lines.get(data[name])
                if data[name] is None:
                    self.add_error(name, "Choose one of the budget lines listed.")
        return data


class DecisionForm(Form):
    """Approve or reject, with a note; the note is required to reject (the service says so)."""

    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("approve", "Approve"), ("reject", "Reject")],
    )
    note = ReasonField(
        label="Reason or note", required=False, help_text="Required when you reject; kept in the history"
    )
    confirm = ConfirmField(label="I confirm this decision; it cannot be undone")


THRESHOLD_RULE = CONTROLS[ControlChange.Setting.VIREMENT_THRESHOLD.value]
SHARE_RULE = CONTROLS[ControlChange.Setting.RETAINED_SHARE_PERCENT.value]


class ControlChangeForm(Form):
    """Propose a new value for one of a fund's control settings. The value is read by ``funds.controls`` (money for
    a threshold, a percentage for the retained share), which also says the allowed range when it refuses."""

    fund = forms.ModelChoiceField(queryset=Fund.objects.order_by("code"), label="Fund")
    setting = forms.ChoiceField(label="Setting", widget=forms.RadioSelect, choices=ControlChange.Setting.choices)
    value = forms.CharField(
        label="New value", max_length=20,
        help_text=f"A threshold in pounds, {THRESHOLD_RULE.allowed} (£0.00: every item needs the second person); the "
                  f"retained share in %, {SHARE_RULE.allowed}, for example 25",
    )
    reason = ReasonField(label="Reason", help_text="Why it should change, e.g. the decision or agreement behind it; "
                                                   "kept with the change")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].label_from_instance = lambda f: f"{f.code} – {f.name}"
        self.fields["value"].widget.attrs.update({"inputmode": "decimal", "class": "input-amount",
                                                  "autocomplete": "off"})


class PeriodCloseForm(Form):
    reason = forms.CharField(
        label="Note",
        required=False,
        max_length=100,
        initial="Month-end close",
        help_text="Kept in the period's history",
    )
    confirm = ConfirmField(label="I confirm: close this period so that nothing more can be posted into it")


class PeriodReopenForm(Form):
    reason = ReasonField(label="Reason for reopening", help_text="Required; kept in the period's history")
    confirm = ConfirmField(label="I confirm: reopen this period so that postings into it are allowed again")


VIREMENT_STATUS_CHOICES = Virement.Status.choices
