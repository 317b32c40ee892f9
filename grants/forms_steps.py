"""Forms of the stepped grant form (``grants.grant_steps``): the grant's own forms, split into the steps a finance
officer answers one at a time. They shape input only; the rules are the grants services' own."""

from django import forms

from core.forms import Form
from funds.models import FinancialYear
from grants.forms import FundingLineForm, GrantForm, TargetForm
from grants.models import OutcomeMeasure

#: The fields of the award record asked at the schedule step rather than the first: they shape the instalments.
SCHEDULE_FIELDS = ("payment_terms_days", "returns_required")


class DetailsStepForm(GrantForm):
    """Step 1: the award record, as on the grant's edit page, less the schedule's terms (step 3)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SCHEDULE_FIELDS:
            del self.fields[name]


class ScheduleStepForm(Form):
    """Step 3: the terms the instalments are made from on approval (the same fields as the grant's edit page)."""

    payment_terms_days = GrantForm.base_fields["payment_terms_days"]
    returns_required = GrantForm.base_fields["returns_required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_terms_days"].widget.attrs.update({"class": "input-short", "inputmode": "numeric"})


class FundingLineStepForm(FundingLineForm):
    """Step 2: one funding line; ``index`` says which line of the list it changes (blank: a new line)."""

    index = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class TargetStepForm(TargetForm):
    """Step 4: one outcome target. Offered: the measures of the funds the lines draw on and the years the grant
    runs in. Checking a stored answer again (``wide``) accepts any measure and year, so that a target that no
    longer fits (its fund's line was removed) is refused by the service's rule, in its words."""

    index = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, fund_ids=(), grant=None, wide: bool = False, **kwargs):
        measures = OutcomeMeasure.objects.filter(is_active=True).select_related("fund").order_by("fund__code", "code")
        years = FinancialYear.objects.order_by("start_year")
        if not wide:
            measures = measures.filter(fund__in=fund_ids)
            if grant is not None:
                years = years.filter(start_year__lte=grant.end_date.year, start_year__gte=grant.start_date.year - 1)
        super().__init__(*args, measures=measures, years=years, **kwargs)
