"""The funder return page (``reports:funder_return``): choose a fund, year, half and signatory; show the return on
the page or download it as Excel or PDF. Finance officers prepare returns and finance directors read them. The
figures and the refusals are ``reports.funder_returns``'s; this page only collects the choice."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from core.forms import Form, call_service
from core.permissions import role_required
from core.roles import FINANCE_DIRECTOR, FINANCE_OFFICER
from funds.models import FinancialYear, Fund
from funds.selectors import current_year
from reports import funder_returns
from reports.downloads import attachment

ACTIONS = ("html", *funder_returns.FORMATS)


class FunderReturnForm(Form):
    fund = forms.ModelChoiceField(label="Fund", queryset=Fund.objects.select_related("funder").order_by("code"),
                                  to_field_name="code", empty_label="Choose the fund")
    year = forms.ModelChoiceField(label="Financial year", queryset=FinancialYear.objects.order_by("-start_year"),
                                  to_field_name="start_year", empty_label="Choose the year")
    half = forms.ChoiceField(label="Period", widget=forms.RadioSelect, choices=[
        ("1", "H1: 1 April to 30 September"), ("2", "H2: the full year, 1 April to 31 March")])
    signed_by = forms.ModelChoiceField(label="Signed by", required=False, to_field_name="username",
                                       queryset=funder_returns.signatories())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].label_from_instance = lambda f: f"{f.code} – {f.name} ({f.funder})"
        self.fields["year"].label_from_instance = lambda y: y.label
        self.fields["signed_by"].queryset = funder_returns.signatories()
        self.fields["signed_by"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"
        try:
            name, title = funder_returns.funder_return_signatory()
        except ValidationError as error:
            usual = "none can be found: " + " ".join(error.messages)
            self.fields["signed_by"].empty_label = "Choose who signs"
        else:
            usual = f"{name}{', ' + title if title else ''}"
            self.fields["signed_by"].empty_label = f"The usual signatory: {name}"
        self.fields["signed_by"].help_text = (f"A finance officer or finance director. Left as it is, the usual "
                                              f"signatory signs ({usual}).")


@role_required(FINANCE_OFFICER, FINANCE_DIRECTOR)
def funder_return(request):
    year = current_year()
    data = request.GET if "fund" in request.GET else None
    form = FunderReturnForm(data, initial={"year": year.start_year if year else None, "half": "1"})
    ret = None
    if data is not None and form.is_valid():
        cleaned = form.cleaned_data
        action = request.GET.get("format") if request.GET.get("format") in ACTIONS else "html"
        ret = call_service(form, funder_returns.funder_return, fund=cleaned["fund"], year=cleaned["year"],
                           half=cleaned["half"], signed_by=cleaned["signed_by"])
        if ret is not None and action != "html":
            return attachment(*funder_returns.funder_return_file(ret, action))
    return render(request, "reports/funder_return.html", {
        "form": form, "ret": ret, "definitions": funder_returns.DEFINITIONS,
        "sign_convention": funder_returns.SIGN_CONVENTION,
    })
