"""Changing one's own password: every rule the new password breaks, and a confirmation that differs, reported
together in one submission.

Django's ``PasswordChangeForm`` checks the rules (``AUTH_PASSWORD_VALIDATORS``) on the confirmation, and only
when it matches the new password; so a too-short password typed differently twice was first refused for the
mismatch alone, and only on the next try for being short. Here the rules are checked on the new password itself
(the message stands next to it) whatever the confirmation says, and the mismatch next to the confirmation.
"""

from django.contrib.auth import forms as auth_forms

from core.forms import ErrorSummaryMixin


class PasswordChangeForm(ErrorSummaryMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = (
            "At least 12 characters; not a common password, not all numbers, not like your name.")
        self.fields["new_password2"].help_text = "Type the new password again."

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data
