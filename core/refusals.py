"""Refusing every field at fault in one go.

A service that raised on its first bad field made people fix a form twice: the postcode first, and only then
were they told the charity number was wrong too. A service checks each field into one ``Refusals`` and raises
them together, as one ``ValidationError({field: [messages], ...})`` that ``core.forms.apply_service_errors`` puts
next to each field::

    refusals = Refusals()
    postcode = refusals.check("postcode", normalise_postcode, postcode)
    if not name:
        refusals.add("name", "Give the organisation's legal name.")
    refusals.raise_any()

Checks that need a value an earlier check refused are skipped (``check`` returns ``None`` then): they would only
repeat the first refusal in other words.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Refusals:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str | None, error: str | ValidationError) -> None:
        """Refuse ``field`` (``None``: the action as a whole) with a message, or with a ValidationError's
        messages, kept on the fields it names itself when it names any."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.errors.setdefault(name, []).extend(messages)
            return
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        self.errors.setdefault(field or NON_FIELD_ERRORS, []).extend(messages)

    def check(self, field: str | None, check, /, *args, **kwargs):
        """``check(*args, **kwargs)``'s value, or ``None`` after recording its refusal against ``field``."""
        try:
            return check(*args, **kwargs)
        except ValidationError as error:
            self.add(field, error)
            return None

    def refused(self, *fields: str) -> bool:
        """Whether any of ``fields`` (any field at all, when none is named) has been refused."""
        return any(f in self.errors for f in fields) if fields else bool(self.errors)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
