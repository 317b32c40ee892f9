"""The money forms under generated input, through Django's test client signed in as the role each page is for:
whatever is typed into an amount, a count, a share or a date, the answer is the page again with the error next to
the field and in the summary, or the redirect of a success; never a server error (issue 14: '1e26' was an HTTP 500
on 12 money forms).

Each page's form is read from the page itself, so a field added to a form is fuzzed without changing this file:
every input the shared fields mark as an amount, a figure or a date (core.forms) is typed into in turn, the other
fields holding what a person would choose.
"""

from html.parser import HTMLParser
from itertools import count

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.fuzz.odd_values import odd_text

NUMERIC_CLASSES = ("input-amount", "input-short", "input-date")
TYPICAL = {"input-amount": "10.00", "input-short": "1", "input-date": "15/05/2025"}

# (URL name, its arguments from the world, who opens it). Pages with the project's money and figure inputs.
PAGES = [
    ("income:create", lambda w: {"kind": "award-letters"}, "officer"),
    ("income:create", lambda w: {"kind": "receipts"}, "officer"),
    ("income:create", lambda w: {"kind": "poca"}, "officer"),
    ("income:create", lambda w: {"kind": "fpn"}, "officer"),
    ("income:create", lambda w: {"kind": "fees"}, "officer"),
    ("income:create", lambda w: {"kind": "treasury"}, "officer"),
    ("funds:budget_create", None, "officer"),
    ("funds:forecast_create", lambda w: {"pk": w["budget_line"].pk}, "officer"),
    ("funds:virement_create", None, "officer"),
    ("spending:order_create", None, "officer"),
    ("grants:funding_line_add", lambda w: {"pk": w["draft"].pk}, "officer"),
    ("grants:edit", lambda w: {"pk": w["draft"].pk}, "officer"),
    ("monitoring:threshold_set", None, "director"),
    ("funds:control_propose", None, "officer"),
    ("payments:limits", None, "director"),
    ("ledger:correction_create", None, "officer"),
    ("yearend:accrual_create", lambda w: {"start_year": 2025}, "officer"),
    ("banking:import", None, "officer"),
]


class FormReader(HTMLParser):
    """The POST forms of a page: each field's name and value as the browser would send it, and which inputs are
    amounts, figures or dates (by the class core.forms gives their widgets)."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "fields": {},
                            "numeric": {}}
            self.forms.append(self.current)
        elif self.current is None or "name" not in a and tag not in ("option",):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                self.current["fields"][a["name"]] = a.get("value", "on")
            elif kind == "radio":
                self.current["fields"].setdefault(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "file", "button"):
                self.current["fields"][a["name"]] = a.get("value", "")
                numeric = [c for c in NUMERIC_CLASSES if c in (a.get("class") or "")]
                if numeric:
                    self.current["numeric"][a["name"]] = numeric[0]
        elif tag == "select":
            self.select = a["name"]
            self.current["fields"].setdefault(self.select, "")
        elif tag == "option" and self.select and a.get("value") and not self.current["fields"][self.select]:
            self.current["fields"][self.select] = a["value"]
        elif tag == "textarea":
            self.current["fields"][a["name"]] = "Fuzzed: what a person would write"

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


def money_forms(client: Client, url: str) -> list[dict]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    reader = FormReader()
    reader.feed(page.content.decode())
    forms = [f for f in reader.forms if f["method"] == "post" and f["numeric"]]
    for form in forms:
        form["url"] = form["action"] or url
        for name, kind in form["numeric"].items():
            form["fields"][name] = form["fields"][name] or TYPICAL[kind]
        for name, value in form["fields"].items():
            if not value and name not in form["numeric"]:
                form["fields"][name] = "Fuzzed"
    return forms


@pytest.fixture
def targets(world, officer, director):
    clients = {"officer": Client(), "director": Client()}
    clients["officer"].force_login(officer)
    clients["director"].force_login(director)
    found, missing = [], []
    for name, arguments, who in PAGES:
        try:
            url = reverse(name, kwargs=arguments(world) if arguments else None)
        except NoReverseMatch:
            missing.append(name)
            continue
        for form in money_forms(clients[who], url):
            for field in form["numeric"]:
                found.append((clients[who], form, field))
    assert not missing, f"pages to fuzz that no longer exist: {missing}; update PAGES"
    return found


def test_every_listed_page_has_money_inputs_to_fuzz(targets):
    pages = {form["url"] for _client, form, _field in targets}
    assert len(pages) >= 17 and len(targets) >= 37, sorted(pages)


REFERENCES = count()


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_whatever_is_typed_the_answer_is_a_field_error_or_a_success(targets, data):
    client, form, field = data.draw(st.sampled_from(targets), label="page and field")
    typed = data.draw(st.one_of(odd_text, st.none()), label="typed")
    fields = dict(form["fields"])
    for name in fields:  # a reference of its own, so a success is not refused for a repeated reference
        if "reference" in name:
            fields[name] = f"FZ-{next(REFERENCES):05}"
    if typed is None:
        fields.pop(field)  # the field left out of the request altogether
    else:
        fields[field] = typed
    response = client.post(form["url"], fields)  # an exception here is the server error this test forbids
    assert response.status_code in (200, 302, 400), (form["url"], field, typed, response.status_code)
    if response.status_code != 302:
        page = response.content.decode()
        assert 'class="error-summary"' in page or 'class="error' in page, (form["url"], field, typed)
