from django import forms

from core.forms import Form, ReasonField
from documents.models import Attachment
from documents.visibility import PROVIDER_KINDS


class AttachmentForm(Form):
    file = forms.FileField(label="File", allow_empty_file=True, required=False,
                           help_text="PDF, an image, a Word, Excel or PowerPoint file, or CSV.")
    kind = forms.ChoiceField(label="Kind of document", choices=Attachment.Kind.choices)
    description = forms.CharField(label="Description", max_length=300, required=False)
    visible_to_provider = forms.BooleanField(label="Visible to the provider", required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, office: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not office:
            self.fields["kind"].choices = [(k, v) for k, v in Attachment.Kind.choices if k in PROVIDER_KINDS]
            del self.fields["visible_to_provider"]


class WithdrawForm(Form):
    reason = ReasonField(label="Why is it withdrawn?",
                         error_messages={"required": "Say why the document is withdrawn."})
    next = forms.CharField(required=False, widget=forms.HiddenInput)
