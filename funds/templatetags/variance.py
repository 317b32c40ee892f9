"""``{% variance_convention %}``: the one sentence stating the variance sign, for every page that shows one."""

from django import template

from funds.selectors import VARIANCE_CONVENTION

register = template.Library()


@register.simple_tag
def variance_convention() -> str:
    return VARIANCE_CONVENTION
