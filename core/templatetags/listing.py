"""Sortable column headers and the Download CSV link for lists (``core.listing``): both keep the filters."""

from django import template
from django.utils.html import format_html

from core.listing import DOWNLOAD, SORT, Listing

register = template.Library()


def _query(table, **changes) -> str:
    query = table.query.copy()
    query.pop("page", None)
    query.pop(DOWNLOAD, None)
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()


@register.simple_tag
def sort_th(table, key, css_class=""):
    """A ``<th scope="col">`` for the column ``key``: a link that sorts by it (ascending first, then the other way),
    keeping the filters, with ``aria-sort`` on the column the list is sorted by. A column that cannot be sorted (or
    a ``Listing`` given instead of a ``Table``: the same columns shown unsorted) is a plain header."""
    listing = table if isinstance(table, Listing) else table.listing
    column = listing.column(key)
    if column is None:
        raise template.TemplateSyntaxError(f"{listing.name} has no column {key!r}")
    classes = " ".join(filter(None, [css_class, "num" if column.num else ""]))
    class_attr = format_html(' class="{}"', classes) if classes else ""
    if not column.sortable or isinstance(table, Listing):  # a Listing alone: the same table shown unsorted
        return format_html('<th scope="col"{}>{}</th>', class_attr, column.title)
    current = table.sort_column is not None and table.sort_column.key == key
    descending_now = current and table.descending
    next_sort = key if not current or descending_now else f"-{key}"
    aria = format_html(' aria-sort="{}"', "descending" if descending_now else "ascending") if current else ""
    # The header's name stays its title (screen readers repeat it for every cell); aria-sort says the order.
    return format_html('<th scope="col"{}{}><a class="sort" href="{}">{}</a></th>',
                       class_attr, aria, _query(table, **{SORT: next_sort}), column.title)


@register.simple_tag
def csv_link(table, what="these rows"):
    """A link to every row the filters select, in the current order, as CSV."""
    return format_html('<p class="download"><a href="{}" download>Download CSV<span class="visually-hidden"> of {}'
                       ' (every page)</span></a></p>', _query(table, **{DOWNLOAD: "csv"}), what)
