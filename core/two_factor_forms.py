"""The one field every second-factor page asks for: a code. Checking it is ``core.two_factor``'s job."""

from django import forms

from core.forms import Form


class CodeInput(forms.TextInput):
    def __init__(self):
        super().__init__(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false",
                                "class": "input-code"})


class SignInCodeForm(Form):
    code = forms.CharField(
        label="Code", max_length=20, widget=CodeInput(),
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
    )


class AppCodeForm(Form):
    """A code from the app itself: to confirm a new app, or before making new recovery codes."""

    code = forms.CharField(
        label="Code from your app", max_length=20, widget=CodeInput(),
        help_text="The 6-digit code your authenticator app shows now, for example 123456.",
    )
