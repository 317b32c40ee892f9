"""The portal's forms. They check little themselves: the services do, and name every field at fault at once
(``core.refusals``), so a provider fixes a return in one go."""

from django import forms

from core.forms import ConfirmField, Form
from grants.models import Grant, MonitoringReturn, OutcomeMeasure


class InvitationForm(Form):
    full_name = forms.CharField(label="Full name", max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.CharField(label="Email address", max_length=254, required=False,
                            help_text="The invitation link is sent here; it works once and expires.",
                            widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class InvitationAcceptForm(Form):
    username = forms.CharField(label="Choose a user name", max_length=150, required=False,
                               help_text="Letters, digits and @ . + - _ only. You sign in with it.",
                               widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}))
    password1 = forms.CharField(label="Choose a password", required=False, strip=False,
                                help_text="At least 12 characters, not a common password, not all digits and not "
                                          "like your name or email.",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Type the password again", required=False, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class OfferAcceptForm(Form):
    confirm = ConfirmField(label="I have read the offer and its conditions, and I may accept it for my organisation")


class PortalReturnForm(Form):
    """A quarter's return. Each figure is checked by ``grants.outcomes.monitoring_return_submit``, with the measure's
    unit (a count is a whole number); the evidence file by ``documents.services.attachment_check``."""

    spend_reported = forms.CharField(label="Spend in the quarter", required=False, max_length=20,
                                     help_text="In pounds, for example 14250.50",
                                     widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-amount",
                                                                   "autocomplete": "off"}))
    rag = forms.ChoiceField(label="How is delivery going?", widget=forms.RadioSelect, required=False,
                            choices=MonitoringReturn.Rag.choices)
    narrative = forms.CharField(label="What happened this quarter", required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))
    delivery_issues = forms.CharField(label="Delivery issues", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text="Required for an amber or red return")
    evidence = forms.FileField(label="Evidence (optional)", required=False,
                               help_text="A file backing the return, e.g. the quarter's case-management report (PDF, "
                                         "Word, Excel, CSV or an image)")

    def __init__(self, *args, measures: list[OutcomeMeasure], **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {}
        for measure in measures:
            name = f"measure_{measure.pk}"
            self.measures[name] = measure
            count = measure.unit.strip() != "%"
            self.fields[name] = forms.CharField(
                label=f"{measure.name} ({measure.unit})", required=False, max_length=20,
                help_text="A whole number" if count else "A percentage, for example 62.5",
                widget=forms.TextInput(attrs={"inputmode": "numeric" if count else "decimal",
                                              "class": "input-short", "autocomplete": "off"}))
        for name in ("narrative", "delivery_issues", "evidence"):
            self.fields[name] = self.fields.pop(name)

    def values(self) -> dict:
        """The figures given (a box left empty is not reported)."""
        data = self.cleaned_data
        return {m: data[name] for name, m in self.measures.items() if (data.get(name) or "").strip()}


class MessageForm(Form):
    subject = forms.CharField(label="Subject", max_length=200, required=False)
    grant = forms.ModelChoiceField(label="About a grant (optional)", queryset=Grant.objects.none(), required=False,
                                   empty_label="Not about one grant")
    body = forms.CharField(label="Message", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = organisation.grants.exclude(status=Grant.Status.DRAFT).order_by("-start_date")
        self.fields["grant"].label_from_instance = lambda g: f"{g.reference} {g.title}"


class BankChangeForm(Form):
    account_name = forms.CharField(label="Name on the account", max_length=100, required=False,
                                   help_text="Exactly as the bank holds it")
    sort_code = forms.CharField(label="Sort code", max_length=20, required=False,
                                help_text="Six digits, for example 11-22-33",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                                              "class": "input-short"}))
    account_number = forms.CharField(label="Account number", max_length=20, required=False,
                                     help_text="8 digits",
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                                                   "class": "input-short"}))
    reason = forms.CharField(label="Why is the account changing?", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
