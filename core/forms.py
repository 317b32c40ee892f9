"""Form plumbing shared by every page: accessible rendering, British dates, exact amounts, and service refusals
shown next to the field at fault.

Forms only collect and shape input; the rules live in the services. When a service refuses with a
``ValidationError``, ``apply_service_errors`` puts each message on the field it names (``message_dict``) or, for
a refusal about the whole action, in the error summary at the top of the page.
"""

from decimal import Decimal
from pathlib import Path

import django.forms
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

from core.dates import date_in_range
from core.money import parse_amount, parse_figure


class RingfenceFormRenderer(DjangoTemplates):
    """Renders forms with the project's own field template (label, hint, error next to the field, input), while
    widgets still come from Django's built-in widget templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(settings.BASE_DIR) / "templates", Path(django.forms.__file__).parent / "templates"],
                "NAME": "ringfenceforms",
                "OPTIONS": {},
            }
        )


class ErrorSummaryMixin:
    """The project's rendering and error summary (``templates/core/_error_summary.html``) for any form, Django's
    own included (log in, change password): each error a link to its field, GOV.UK pattern."""

    default_renderer = RingfenceFormRenderer()

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary: non-field errors first, then fields in page order; a
        group of radios or checkboxes is linked to its first input."""
        if not self.is_bound or not self.errors:
            return []
        items = [("", str(m)) for m in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.auto_id or ""
                if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"{anchor}_0"
                items += [(anchor, str(m)) for m in self.errors[name]]
        return items


class Form(ErrorSummaryMixin, forms.Form):
    #: The service's own checks of single fields ({field name: function of the field's value that raises
    #: ValidationError}), the very functions the service calls. See ``clean``.
    service_checks: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == "---------":
                field.empty_label = "Choose one" if field.required else "None"

    def clean(self):
        """When the form is refused already (a required field blank, say), the service will not be called, so its
        checks of the other fields (``service_checks``) are run here and reported with the form's own: one
        submission shows every field at fault. When the form is sound they are left to the service, which reports
        them together with the checks only it can make (a number already recorded)."""
        data = super().clean()
        if self.errors:
            for name, check in self.service_checks.items():
                if name not in self.errors and data.get(name) not in self.fields[name].empty_values:
                    try:
                        check(data[name])
                    except ValidationError as refusal:
                        self.add_error(name, refusal.messages)
        return data


def apply_service_errors(form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: per field where the service named a field the form has, otherwise
    in the summary at the top (prefixed with what the service called the field, when it named one)."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            name = field_map.get(field, field)
            if name in form.fields and name != NON_FIELD_ERRORS:
                form.add_error(name, messages)
            else:
                form.add_error(None, messages)
    else:
        form.add_error(None, error.messages)


def call_service(form: forms.Form, service, /, field_map: dict[str, str] | None = None, **kwargs):
    """Call ``service(**kwargs)``; on a ValidationError put its messages on the form and return None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        apply_service_errors(form, error, field_map)
        return None


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        base = {"inputmode": "numeric", "autocomplete": "off", "class": "input-date"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class UKDateField(forms.DateField):
    """A date typed the British way (31/03/2026); ISO dates (2026-03-31) are accepted too. Only dates Ringfence
    records (``core.dates``: 1900 to 2199), so no service is handed a date its arithmetic would overflow on."""

    widget = DateInput
    input_formats = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
    default_error_messages = {"invalid": "Enter a real date as day/month/year, for example 31/03/2026."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "For example, 31/03/2026")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            try:
                date_in_range(day)
            except ValidationError as refusal:
                raise ValidationError(refusal.messages[0], code="range") from None
        return day


def _leave_length_to_the_grammar(field: forms.CharField) -> None:
    """Keep ``maxlength`` on the input (browsers stop typing there) but not Django's "at most 20 characters" check:
    text too long to be an amount or a figure is refused by ``core.money`` in the words of every other refusal,
    saying the largest value accepted and the form to write it in."""
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]


class AmountField(forms.CharField):
    """An amount in pounds, parsed exactly by the one money helper (£1,234.56, 1234.56 and 1234 all work).

    The person's text is kept in the input when the form is shown again; the cleaned value is a Decimal."""

    def __init__(self, *args, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("help_text", "In pounds, for example 1250.00")
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "input-amount", "autocomplete": "off"})
        _leave_length_to_the_grammar(self)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, field="amount", allow_zero=self.allow_zero)
        except ValidationError as error:
            raise ValidationError(error.message_dict["amount"])


class FigureField(forms.CharField):
    """A count or a share, read by ``core.money.parse_figure`` (ASCII digits only: Django's own number fields
    would take '1e3' and Arabic-Indic digits). Whole numbers clean to ``int``, others to ``Decimal``."""

    def __init__(self, *args, places: int = 0, maximum=None, example: str = "120", kind: str | None = None,
                 **kwargs):
        self.places, self.maximum, self.example, self.kind = places, maximum, example, kind
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        _leave_length_to_the_grammar(self)
        mode = "numeric" if places == 0 else "decimal"
        self.widget.attrs.update({"inputmode": mode, "class": "input-short", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            figure = parse_figure(value, field="figure", places=self.places, maximum=self.maximum,
                                  example=self.example, kind=self.kind)
        except ValidationError as error:
            raise ValidationError(error.message_dict["figure"])
        return int(figure) if self.places == 0 else figure


class PercentField(FigureField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", 3)
        kwargs.setdefault("maximum", Decimal("100"))
        kwargs.setdefault("example", "18.75")
        super().__init__(*args, **kwargs)


class ConfirmField(forms.BooleanField):
    """The tick an irreversible action needs. Works without JavaScript: the server refuses the action unticked."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("error_messages", {"required": "Tick the box to confirm; this action cannot be undone."})
        super().__init__(label=label, **kwargs)


class ReasonField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("max_length", 1000)
        super().__init__(*args, **kwargs)
