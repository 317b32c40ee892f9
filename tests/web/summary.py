"""Reading a page's error summary as a person (and a screen reader) meets it."""

import html as html_lib
import re


def summary_items(response) -> list[tuple[str, str]]:
    """Each item of the page's error summary as (link target, text); a plain item has '' as its target."""
    page = response.content.decode()
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, flags=re.S)
    assert found, "the page has no error summary"
    items = []
    for item in re.findall(r"<li>(.*?)</li>", found.group(1), flags=re.S):
        link = re.fullmatch(r'\s*<a href="#([^"]+)">(.*?)</a>\s*', item, flags=re.S)
        target, words = (link.group(1), link.group(2)) if link else ("", item)
        items.append((target, html_lib.unescape(re.sub(r"\s+", " ", words)).strip()))
    return items


def field_ids(response) -> set[str]:
    """The ids of the page's inputs, selects and text areas: where a summary link may lead."""
    page = response.content.decode()
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', page))
