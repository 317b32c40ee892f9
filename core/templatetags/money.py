from django import template

from core.money import format_gbp

register = template.Library()


@register.filter
def gbp(value):
    """Render an amount as £1,234.56."""
    if value is None or value == "":
        return ""
    return format_gbp(value)
