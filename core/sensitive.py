"""Sensitive fields: declared once on the model, masked one way everywhere.

A model lists the fields nobody reads in full on a page, a history, a statement, an export or the admin::

    class BankDetails(models.Model):
        sensitive_fields = ("sort_code", "account_number")

and everything that shows a value asks ``shown(model, field_name, value)`` (or ``mask(value)`` directly), so the
mask is the same wherever the value appears: every character but the last two becomes ``*`` (``31926819`` is
shown as ``******19``, ``40-11-62`` as ``******62``). The one place a value is read in full is the second
person's verification page of details still pending, who must check them against the organisation.
"""

MASK = "*"
VISIBLE = 2


def mask(value) -> str:
    """``******19`` for ``31926819``: only the last two characters are shown, and never fewer than two stars."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    return MASK * max(len(text) - VISIBLE, VISIBLE) + text[-VISIBLE:]


def sensitive_fields(model) -> frozenset[str]:
    """The names of ``model``'s sensitive fields (a historical model answers for the model it records)."""
    model = getattr(model, "instance_type", model)
    return frozenset(getattr(model, "sensitive_fields", ()))


def is_sensitive(model, field_name: str) -> bool:
    return field_name in sensitive_fields(model)


def shown(model, field_name: str, text: str) -> str:
    """``text`` (a value already rendered for reading) as anyone may see it: masked when the field is sensitive."""
    return mask(text) if is_sensitive(model, field_name) else text
