"""British formats for pages: 31/03/2026 and 31/03/2026 14:05 (Europe/London), percentages, RAG labels."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def dmy(value):
    """31/03/2026."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str):  # an ISO date kept as text (e.g. in a JSON snapshot)
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value


@register.filter
def dmyhm(value):
    """31/03/2026 14:05 in UK time."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    return dmy(value)


@register.filter
def pct(value, places=1):
    """12.5%: a Decimal percentage with the given decimal places, trailing zeros kept."""
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(value).quantize(quantum)}%"


@register.filter
def person(user):
    """A person's full name, or their username."""
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


# The main navigation: what each role may do, in the order they do it. (URL name, label, roles.)
NAV = [
    ("reports:approvals", "Approvals", ("Commissioner", "Finance director")),
    ("reports:dashboard", "Dashboards", ("Finance director",)),
    ("reports:downloads", "Statements", ("Finance director",)),
    ("grants:list", "Grants", ("Finance officer", "Commissioner", "Finance director")),
    ("grants:organisation_list", "Organisations", ("Finance officer", "Commissioner", "Finance director")),
    ("funds:list", "Funds", ("Finance officer", "Commissioner", "Finance director")),
    ("income:index", "Income", ("Finance officer", "Finance director")),
    ("funds:budget_list", "Budgets", ("Finance officer", "Commissioner", "Finance director")),
    ("funds:control_list", "Control settings", ("Finance officer", "Commissioner", "Finance director")),
    ("monitoring:index", "Monitoring", ("Finance officer", "Commissioner", "Finance director")),
    ("spending:order_list", "Spending", ("Finance officer", "Commissioner", "Finance director")),
    ("payments:run_list", "Payment runs", ("Finance officer", "Finance director")),
    ("banking:index", "Bank", ("Finance officer", "Finance director")),
    ("ledger:entry_list", "Journal", ("Finance officer", "Finance director")),
    ("funds:period_list", "Periods", ("Finance officer", "Finance director")),
    ("ledger:correction_list", "Corrections", ("Finance officer", "Finance director")),
    ("yearend:index", "Year end", ("Finance officer", "Finance director")),
    ("corporate:journal_list", "Corporate ledger", ("Finance officer", "Finance director")),
    ("transparency:manage", "Transparency", ("Finance officer", "Finance director")),
    ("reports:downloads", "Statements", ("Finance officer",)),
    ("reports:funder_return", "Funder returns", ("Finance officer", "Finance director")),
    ("jobs:list", "My jobs", ("Finance officer", "Finance director")),
    # A provider sees only the portal (their home is the portal's first page).
    ("portal:messages", "Messages", ("Provider",)),
    ("portal:bank_details", "Bank details", ("Provider",)),
]


@register.simple_tag(takes_context=True)
def main_nav(context):
    """Links for the signed-in person's roles, with the current section marked (aria-current)."""
    from django.urls import NoReverseMatch, reverse

    from core.roles import roles_of

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    mine = roles_of(request.user)
    items = []
    seen = set()
    for name, label, roles in NAV:
        if not mine.intersection(roles) or name in seen:
            continue
        seen.add(name)
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a section whose pages are not installed yet
        items.append({"url": url, "label": label, "current": False})
    matches = [item for item in items if request.path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["current"] = True
    return items


@register.simple_tag(takes_context=True)
def history_url(context, obj):
    """The history page of ``obj``, remembering the page it was opened from; '' when it has none."""
    from django.urls import NoReverseMatch
    from django.utils.http import urlencode

    from core.history import HISTORY_APPS, history_url_for

    if obj is None or obj._meta.app_label not in HISTORY_APPS or not hasattr(type(obj), "history"):
        return ""
    try:
        url = history_url_for(obj)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    return f"{url}?{urlencode({'next': request.get_full_path()})}" if request else url
