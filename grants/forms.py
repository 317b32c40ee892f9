"""Forms for organisations, grants and their life. They shape input only: every rule is in the grants services,
whose refusals are shown next to the field they name. A field's own check in the service (a postcode, a charity
number) is named in ``service_checks``, so its refusal comes with a blank required field's (``core.forms.Form``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.forms import AmountField, ConfirmField, FigureField, Form, ReasonField, UKDateField
from core.money import format_gbp
from core.roles import COMMISSIONER
from funds.models import BudgetLine, FinancialYear, Fund
from grants.awards import award_record_errors
from grants.checks import CheckEntry, check_entry_errors, check_field
from grants.identifiers import (
    normalise_account_number,
    normalise_area_code,
    normalise_charity_number,
    normalise_company_number,
    normalise_postcode,
    normalise_sort_code,
)
from grants.models import (
    AnnualReview,
    CommissionedService,
    Grant,
    GrantCheck,
    MonitoringReturn,
    OutcomeMeasure,
    ServiceCategory,
    validate_decision_number,
)
from grants.outcomes import OUTCOME_FIGURE_MAX
from grants.quarters import quarters_within

# ---- Organisations ------------------------------------------------------------------------------------------


class OrganisationForm(Form):
    service_checks = {"charity_number": normalise_charity_number, "company_number": normalise_company_number,
                      "postcode": normalise_postcode}

    name = forms.CharField(label="Legal name", max_length=200, help_text="As on the charity or company register")
    charity_number = forms.CharField(
        label="Charity number",
        max_length=12,
        required=False,
        help_text="Registered in England and Wales, 6 or 7 digits",
    )
    company_number = forms.CharField(
        label="Company number",
        max_length=12,
        required=False,
        help_text="Companies House, 8 characters; leading zeros are kept",
    )
    identifier = forms.CharField(
        label="Organisation identifier",
        max_length=100,
        required=False,
        help_text="Left blank, it is made from the charity or company number "
        "(GB-CHC-…, GB-COH-…) or an internal 360G- one",
    )
    address = forms.CharField(label="Address", widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", max_length=10)
    is_individual = forms.BooleanField(
        label="A person (an individual or sole trader), not an organisation", required=False,
        help_text="A person's name is never published: it is redacted in the spending-over-£500 file",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs.update({"class": "input-short", "autocomplete": "postal-code"})


class OrganisationEditForm(OrganisationForm):
    reason = forms.CharField(label="Reason for the change", max_length=300, help_text="Kept in the history")


class ServiceForm(Form):
    service_checks = {"area_code": normalise_area_code}

    name = forms.CharField(label="Service name", max_length=200, help_text="For example, ISVA service")
    area_type = forms.ChoiceField(label="Kind of area", choices=CommissionedService.AreaType.choices)
    area_name = forms.CharField(label="Area served", max_length=120, help_text="For example, Birmingham")
    area_code = forms.CharField(
        label="ONS area code", max_length=9, required=False, help_text="Where there is one, for example E08000025"
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BankDetailsForm(Form):
    service_checks = {"sort_code": normalise_sort_code, "account_number": normalise_account_number}

    account_name = forms.CharField(label="Name on the account", max_length=100)
    sort_code = forms.CharField(label="Sort code", max_length=8, help_text="6 digits, for example 20-45-77")
    account_number = forms.CharField(label="Account number", max_length=10, help_text="8 digits")
    reason = forms.CharField(
        label="Why the details are changing",
        max_length=300,
        required=False,
        help_text="For example, the provider's letter of 12/05/2025",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("sort_code", "account_number"):
            self.fields[name].widget.attrs.update(
                {"class": "input-short", "inputmode": "numeric", "autocomplete": "off"}
            )


class BankDecisionForm(Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("verify", "Verify: the details are correct"), ("reject", "Reject: the details must not be used")],
    )
    note = ReasonField(
        label="How you checked them",
        help_text="For example, call-back to the number already on file; or why you reject them",
    )
    confirm = ConfirmField(label="I confirm I checked these details independently of the person who entered them")


class BankChangeRequestDecisionForm(Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("enter", "Enter them as new bank details: a second person then verifies them"),
                 ("decline", "Decline the request: the provider sees your reason")],
    )
    note = ReasonField(
        label="How you confirmed the request, or why you decline it",
        help_text="For example, call-back to the number already on file (not one given in the request)",
    )


# ---- Grants -------------------------------------------------------------------------------------------------


def category_choices(current_id: int | None = None):
    """The service categories in use, and the one a record already has even if it has since been retired."""
    return ServiceCategory.objects.filter(Q(is_active=True) | Q(pk=current_id)).order_by("name")


class ServiceCategoryForm(Form):
    """Set the service category of a grant, or of an order or contract, at any point of its life."""

    service_category = forms.ModelChoiceField(
        label="Service category", required=False, queryset=ServiceCategory.objects.none(),
        empty_label="Not categorised",
        help_text="The kind of service it pays for; funder returns report spending by it",
    )
    reason = ReasonField(label="Why", help_text="For example, 'Categorised for the MoJ return'; kept in the history")

    def __init__(self, *args, current_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_category"].queryset = category_choices(current_id)


def service_choices():
    groups: dict[str, list] = {}
    for s in CommissionedService.objects.filter(is_active=True).select_related("organisation"):
        groups.setdefault(s.organisation.name, []).append((str(s.pk), f"{s.name} ({s.area_name})"))
    return [("", "Choose the organisation's service")] + sorted(groups.items())


AWARD_RECORD_FIELDS = ("service", "title", "purpose", "senior_responsible_officer", "allocation_method",
                       "direct_award_reason", "start_date", "end_date", "conditions", "risk_rating",
                       "payment_terms_days", "do_not_publish", "do_not_publish_reason")


class GrantForm(Form):
    service = forms.TypedChoiceField(
        label="Organisation and service",
        coerce=int,
        help_text="The service the grant pays for; the organisation is its provider",
    )
    service_category = forms.ModelChoiceField(
        label="Service category", required=False, queryset=ServiceCategory.objects.none(),
        empty_label="Not categorised",
        help_text="The kind of service, e.g. ISVA, counselling or refuge; funder returns report spending by it",
    )
    title = forms.CharField(label="Title", max_length=200)
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea(attrs={"rows": 3}))
    senior_responsible_officer = forms.CharField(label="Senior responsible officer", max_length=120)
    allocation_method = forms.ChoiceField(
        label="How was the grant allocated?", widget=forms.RadioSelect, choices=Grant.AllocationMethod.choices
    )
    direct_award_reason = forms.CharField(
        label="Reason for a direct award",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for a direct award: why it was not competed",
    )
    start_date = UKDateField(label="Start date")
    end_date = UKDateField(label="End date")
    conditions = forms.CharField(label="Conditions", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risk_rating = forms.ChoiceField(
        label="Risk rating", widget=forms.RadioSelect, choices=Grant.Risk.choices, initial=Grant.Risk.MEDIUM
    )
    payment_terms_days = FigureField(
        label="Payment terms (days)",
        maximum=180,
        example="30",
        initial=30,
        help_text="Instalments fall due this many days after each quarter ends",
    )
    returns_required = forms.BooleanField(
        label="Each instalment waits for that quarter's accepted monitoring return", required=False, initial=True
    )
    do_not_publish = forms.BooleanField(label="Do not publish this grant", required=False)
    do_not_publish_reason = forms.CharField(
        label="Reason not to publish",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when not published, e.g. safety: the service runs a refuge",
    )

    def __init__(self, *args, editing: Grant | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_category"].queryset = category_choices(editing.service_category_id if editing else None)
        if editing is not None:
            services = CommissionedService.objects.filter(organisation=editing.organisation_id)
            self.fields["service"].choices = [(str(s.pk), f"{s.name} ({s.area_name})") for s in services]
            self.fields["service"].label = f"Service of {editing.organisation.name}"
        else:
            self.fields["service"].choices = service_choices()
        self.fields["payment_terms_days"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})
        self.fields["title"].widget.attrs.update({"class": "input-wide"})
        self.fields["senior_responsible_officer"].widget.attrs.update({"class": "input-wide"})

    def clean(self):
        """Refused already (a required field blank), the service would not be asked: its rules for the award
        record (``awards.award_record_errors``) are reported here with the form's own, in one submission."""
        data = super().clean()
        if self.errors:
            record = {name: data.get(name) for name in AWARD_RECORD_FIELDS if name in self.fields}
            for name, messages in award_record_errors(**record).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return data

    def clean_service(self):
        pk = self.cleaned_data["service"]
        service = CommissionedService.objects.select_related("organisation").filter(pk=pk).first()
        if service is None:
            raise forms.ValidationError("Choose one of the services listed.")
        return service


def budget_line_field(label: str) -> forms.ModelChoiceField:
    """The budget line a funding line draws on: one of its fund's lines for its year (the service checks which)."""
    field = forms.ModelChoiceField(
        label=label, required=False, empty_label="The fund's only line for the year",
        queryset=BudgetLine.objects.filter(fund__is_active=True).select_related("fund", "year")
        .order_by("fund__code", "year__start_year", "heading"),
        help_text="Where the fund has several budget lines for the year, the one this grant draws on",
    )
    field.label_from_instance = lambda b: f"{b.fund.code} {b.year.label}: {b.heading}"
    return field


class FundingLineForm(Form):
    fund = forms.ModelChoiceField(label="Fund", queryset=Fund.objects.filter(is_active=True).order_by("code"))
    year = forms.ModelChoiceField(label="Financial year", queryset=FinancialYear.objects.order_by("start_year"))
    amount = AmountField(label="Amount")
    budget_line = budget_line_field("Budget line")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].label_from_instance = lambda f: f"{f.code} – {f.name}"


class NoteConfirmForm(Form):
    note = forms.CharField(label="Note", required=False, max_length=300, help_text="Optional; kept in the history")
    confirm = ConfirmField(label="I confirm")

    def __init__(
        self,
        *args,
        confirm_label: str = "I confirm",
        note_label: str | None = None,
        note_required: bool = False,
        note_help: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = confirm_label
        if note_label:
            self.fields["note"].label = note_label
        if note_help:
            self.fields["note"].help_text = note_help
        if note_required:
            self.fields["note"].required = True
            self.fields["note"].widget = forms.Textarea(attrs={"rows": 3})


class GrantDecisionForm(Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            ("approve", "Approve and commit the money"),
            ("return", "Return for changes"),
            ("reject", "Reject"),
        ],
    )
    decision_number = forms.CharField(
        label="Decision number",
        required=False,
        max_length=8,
        help_text="Required above the fund's threshold, for example 042-2025",
    )
    note = ReasonField(
        label="Reason or note", required=False, help_text="Required to return or reject: say what must change, or why"
    )
    confirm = ConfirmField(label="I confirm this decision; approval commits the money in the ledger")

    def __init__(self, *args, choices=None, decision_missing: str | None = None, **kwargs):
        """``decision_missing``: why approving needs a decision number (``awards.decision_missing``); the field is
        then marked "required to approve", and approving without one is refused with the form's other errors."""
        super().__init__(*args, **kwargs)
        self.decision_missing = decision_missing
        number = self.fields["decision_number"]
        number.widget.attrs.update({"class": "input-short", "autocomplete": "off"})
        if decision_missing:
            number.requirement_note = "required to approve"
            number.help_text = "Above the fund's threshold, so approval needs it, for example 042-2025"
        if choices:
            self.fields["decision"].choices = choices

    def clean(self):
        data = super().clean()
        if (self.decision_missing and data.get("decision") == "approve" and not data.get("decision_number")
                and "decision_number" not in self.errors):
            self.add_error("decision_number", self.decision_missing)
        return data


class OfferAcceptForm(Form):
    accepted_on = UKDateField(label="Date the recipient accepted the offer")
    note = forms.CharField(
        label="Note", required=False, max_length=300, help_text="For example, signed grant agreement received"
    )


class ChecksForm(Form):
    """Every open check of a grant on one form: for each, its result, the evidence seen and the date it was done.
    A check left wholly blank is not recorded; one partly filled in is checked by the service's own rule
    (``check_entry_errors``), so every problem of every check shows at once."""

    def __init__(self, *args, checks: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = [c for c in checks if not c.is_complete]
        for check in self.checks:
            label = check.check_type.label
            self.fields[check_field(check, "result")] = forms.ChoiceField(
                label="Result", required=False, widget=forms.RadioSelect,
                choices=GrantCheck.Result.choices,
            )
            self.fields[check_field(check, "evidence")] = forms.CharField(
                label="Evidence", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                help_text=check.check_type.guidance or "What you saw, for example 'Accounts to 31/03/2025 reviewed'",
            )
            self.fields[check_field(check, "checked_on")] = UKDateField(
                label="Date checked", required=False, help_text="The day the check was done, for example 31/03/2026",
            )
            for name in ("result", "evidence", "checked_on"):
                field = self.fields[check_field(check, name)]
                field.check_label = label
                field.hide_optional = True  # all three are needed to record a check; a check left blank waits

    def rows(self):
        """(check, its three bound fields) in the checklist's order, for the template."""
        return [(check, [self[check_field(check, n)] for n in ("result", "evidence", "checked_on")])
                for check in self.checks]

    def _given(self, check) -> bool:
        raw = [self.data.get(self.add_prefix(check_field(check, n)), "") for n in ("result", "evidence", "checked_on")]
        return any(str(value).strip() for value in raw)

    def clean(self):
        data = super().clean()
        self.entries = []
        for check in self.checks:
            if not self._given(check):
                continue
            names = {n: check_field(check, n) for n in ("result", "evidence", "checked_on")}
            if any(field in self.errors for field in names.values()):
                continue  # a date that is not a date: its own message already stands
            values = {n: data.get(field) for n, field in names.items()}
            problems = check_entry_errors(check, result=values["result"] or "", evidence=values["evidence"] or "",
                                          checked_on=values["checked_on"])
            for name, message in problems.items():
                self.add_error(names[name], message)
            if not problems:
                self.entries.append(CheckEntry(check=check, result=values["result"], evidence=values["evidence"],
                                               checked_on=values["checked_on"]))
        if not self.errors and not self.entries and self.checks:
            raise forms.ValidationError(
                "Nothing was recorded: give the result, evidence and date of at least one check.")
        return data


class ClawbackForm(Form):
    funding_line = forms.TypedChoiceField(label="Paid from", coerce=int)
    amount = AmountField(label="Amount returned")
    received_on = UKDateField(label="Date received back")
    reason = ReasonField(label="Reason", help_text="For example, underspend at year end")
    confirm = ConfirmField(label="I confirm the money has been received back")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {line.pk: line for line in lines}
        self.fields["funding_line"].choices = [(str(line.pk), f"{line.fund.code} {line.year.label}") for line in lines]

    def clean_funding_line(self):
        line = self.lines.get(self.cleaned_data["funding_line"])
        if line is None:
            raise forms.ValidationError("Choose one of the grant's funding lines.")
        return line


class ReturnForm(Form):
    quarter = forms.ChoiceField(label="Quarter")
    received_on = UKDateField(label="Date received")
    spend_reported = AmountField(
        label="Spend reported", allow_zero=True, help_text="The provider's spend for the quarter, in pounds"
    )
    rag = forms.ChoiceField(label="RAG status", widget=forms.RadioSelect, choices=MonitoringReturn.Rag.choices)
    narrative = forms.CharField(label="Narrative", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    delivery_issues = forms.CharField(
        label="Delivery issues",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for an amber or red return",
    )

    def __init__(self, *args, grant: Grant, years, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {}
        for year in years:
            for q in quarters_within(year, grant.start_date, grant.end_date):
                self.quarters[f"{year.pk}-{q.number}"] = (year, q)
        self.fields["quarter"].choices = [("", "Choose the quarter")] + [
            (key, f"{q.label} ({q.start:%d/%m/%Y} to {q.end:%d/%m/%Y})") for key, (_, q) in self.quarters.items()
        ]
        self.measures = {}
        for measure in measures:
            name = f"measure_{measure.pk}"
            self.measures[name] = measure
            self.fields[name] = FigureField(
                label=f"{measure.name} ({measure.unit})",
                required=False,
                places=2,
                maximum=OUTCOME_FIGURE_MAX,
                help_text=f"{measure.fund.code} outcome measure",
            )
        # Keep the narrative and issues last, after the measures.
        for name in ("narrative", "delivery_issues"):
            self.fields[name] = self.fields.pop(name)

    def clean_quarter(self):
        return self.quarters[self.cleaned_data["quarter"]]

    def values(self) -> dict:
        return {
            m: self.cleaned_data[name] for name, m in self.measures.items() if self.cleaned_data.get(name) is not None
        }


class ReturnReviewForm(Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            ("accept", "Accept: instalments waiting for it can be paid"),
            ("send_back", "Send back to the provider"),
        ],
    )
    reason = ReasonField(label="Note or reason", required=False, help_text="Required to send back: what to correct")


class VariationForm(Form):
    new_start_date = UKDateField(
        label="New start date", required=False, help_text="Leave blank to keep the start date; for example 01/04/2025"
    )
    new_end_date = UKDateField(label="New end date", required=False, help_text="Leave blank to keep the end date")
    new_conditions = forms.CharField(
        label="New conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave as it is to keep the conditions",
    )
    add_fund = forms.ModelChoiceField(
        label="Add a fund", queryset=Fund.objects.filter(is_active=True).order_by("code"), required=False
    )
    add_year = forms.ModelChoiceField(
        label="for the year", queryset=FinancialYear.objects.order_by("start_year"), required=False
    )
    add_amount = AmountField(label="Amount from that fund", required=False)
    reason = ReasonField(label="Reason for the variation")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {}
        for line in lines:
            name = f"line_{line.pk}"
            self.lines[name] = line
            self.fields[name] = AmountField(
                label=f"New amount from {line.fund.code} {line.year.label}",
                required=False,
                allow_zero=True,
                help_text=f"Now {format_gbp(line.amount.amount)}; leave blank to keep it",
            )
        for name in (
            "add_fund",
            "add_year",
            "add_amount",
            "new_start_date",
            "new_end_date",
            "new_conditions",
            "reason",
        ):
            self.fields[name] = self.fields.pop(name)

    def amounts(self) -> list:
        data = self.cleaned_data
        out = [(line.fund, line.year, data[name]) for name, line in self.lines.items() if data.get(name) is not None]
        if data.get("add_fund") and data.get("add_year") and data.get("add_amount") is not None:
            out.append((data["add_fund"], data["add_year"], data["add_amount"]))
        return out


class DecisionRecordForm(Form):
    service_checks = {"number": validate_decision_number}

    number = forms.CharField(label="Decision number", max_length=8, help_text="For example, 042-2025")
    date = UKDateField(label="Date of the decision")
    decision_maker = forms.ModelChoiceField(label="Decision-maker", queryset=get_user_model().objects.none())
    title = forms.CharField(
        label="Title", max_length=200, required=False,
        help_text="A short title for the published decision log; left blank, the summary's first sentence is used",
    )
    is_public = forms.BooleanField(
        label="Published (untick if confidential, e.g. a refuge's location)", required=False, initial=True
    )
    confidential_reason = forms.CharField(
        label="Why it is confidential", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for a confidential decision: the decision log shows its number, date and this reason",
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 3}), help_text="As it will be published"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["decision_maker"]
        field.queryset = get_user_model().objects.filter(groups__name=COMMISSIONER).order_by("last_name", "username")
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["number"].widget.attrs.update({"class": "input-short", "autocomplete": "off"})


class TargetForm(Form):
    measure = forms.ModelChoiceField(label="Outcome measure", queryset=OutcomeMeasure.objects.none())
    year = forms.ModelChoiceField(label="Financial year", queryset=FinancialYear.objects.none())
    target = FigureField(label="Target", places=2, maximum=OUTCOME_FIGURE_MAX)

    def __init__(self, *args, measures, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        self.fields["measure"].label_from_instance = lambda m: f"{m.fund.code}: {m.name} ({m.unit})"
        self.fields["year"].queryset = years


class AnnualReviewForm(Form):
    year = forms.ModelChoiceField(label="Financial year reviewed", queryset=FinancialYear.objects.none())
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect, choices=AnnualReview.Outcome.choices)
    notes = ReasonField(label="Summary of the review", help_text="Performance against targets and the reasons")
    reviewed_on = UKDateField(label="Date of the review", required=False, help_text="Left blank, today")

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = years


class ScheduleForm(Form):
    """A funding line's instalments, edited together: they must still add up to the line's amount."""

    reason = ReasonField(label="Reason for the change", help_text="For example, the provider's cash-flow request")

    def __init__(self, *args, instalments, **kwargs):
        super().__init__(*args, **kwargs)
        self.instalments = {}
        reason = self.fields.pop("reason")
        for inst in instalments:
            label = f"Q{inst.quarter} {inst.year.label}"
            self.instalments[inst.pk] = inst
            self.fields[f"amount_{inst.pk}"] = AmountField(
                label=f"{label}: amount", allow_zero=True, initial=f"{inst.amount.amount:.2f}", help_text=""
            )
            self.fields[f"due_{inst.pk}"] = UKDateField(label=f"{label}: due date", initial=inst.due_date, help_text="")
            self.fields[f"return_{inst.pk}"] = forms.BooleanField(
                label=f"{label}: waits for the quarter's accepted monitoring return",
                required=False,
                initial=inst.requires_return,
            )
            self.fields[f"advance_{inst.pk}"] = forms.BooleanField(
                label=f"{label}: may be paid in advance, before the quarter ends (each payment records why)",
                required=False,
                initial=inst.in_advance,
            )
        self.fields["reason"] = reason

    def changes(self):
        from grants.schedule import InstalmentChange

        out = []
        for pk, inst in self.instalments.items():
            amount = self.cleaned_data[f"amount_{pk}"]
            due = self.cleaned_data[f"due_{pk}"]
            needs = self.cleaned_data[f"return_{pk}"]
            advance = self.cleaned_data[f"advance_{pk}"]
            if (amount != inst.amount.amount or due != inst.due_date or needs != inst.requires_return
                    or advance != inst.in_advance):
                out.append(
                    InstalmentChange(
                        instalment=inst,
                        amount=amount if amount != inst.amount.amount else None,
                        due_date=due if due != inst.due_date else None,
                        requires_return=needs if needs != inst.requires_return else None,
                        in_advance=advance if advance != inst.in_advance else None,
                    )
                )
        return out
