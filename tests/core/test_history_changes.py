"""core.changes: the one history-diff engine reads simple-history records as a person would: labels from the
fields' verbose names, values in British formats, sensitive fields masked, who, when and why."""

import re
from datetime import date

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.audit import save_with_history
from core.changes import diff_records
from core.sensitive import mask, shown
from funds.models import Fund
from grants.models import BankDetails, GrantVariation
from grants.variations import variation_request
from tests.grants.conftest import (  # noqa: F401  (fixtures)
    approved_grant,
    draft_grant,
    org,
    service,
    submitted_grant,
)
from tests.rules.conftest import page_text

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def values(change) -> dict[str, tuple[str, str]]:
    return {c.label: (c.before, c.after) for c in change.changes}


def test_a_creation_lists_each_value_readably(core_fund):
    (created,) = diff_records(Fund, list(Fund.history.filter(id=core_fund.pk)))
    assert (created.action, created.who_name, created.has_before) == ("Created", "Olivia", False)
    shown_values = {label: after for label, (before, after) in values(created).items()}
    assert shown_values["Code"] == "MOJ-CORE"
    assert shown_values["Funder"] == "MoJ"  # a foreign key by the record's name
    assert shown_values["Limit basis"] == "Confirmed award for the year"  # a choice by its label
    assert shown_values["Ring fenced"] == "Yes"
    assert shown_values["Grant approval threshold"] == "£100,000.00"
    assert shown_values["Retained share percent"] == "0%"
    assert all(before == "" for before, _ in values(created).values())
    assert not any("_" in label or label[0].islower() for label in shown_values)


def test_a_change_is_compared_with_the_version_before(core_fund, director):
    fund = Fund.objects.get(pk=core_fund.pk)
    fund.name = "Victims' services grant"
    fund.is_active = False
    save_with_history(fund, by=director, reason="Name from the 2026 award letter")
    changed, _created = diff_records(Fund, list(Fund.history.filter(id=fund.pk).order_by("-history_id")))
    assert (changed.action, changed.who_name, changed.why) == ("Changed", "Diana", "Name from the 2026 award letter")
    assert values(changed) == {"Name": ("Victims' services core grant", "Victims' services grant"),
                               "Is active": ("Yes", "No")}


def test_sensitive_fields_are_masked_before_and_after(org, officer, officer2):  # noqa: F811
    from grants.organisations import bank_details_submit, bank_details_verify

    new = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="40-11-62",
                              account_number="55500123", by=officer, reason="New bank")
    bank_details_verify(details=new, by=officer2, note="Call-back")
    verified, created = diff_records(BankDetails, list(new.history.order_by("-history_id")))
    assert values(created)["Sort code"] == ("", "******62")
    assert values(created)["Account number"] == ("", "******23")
    assert values(verified)["Status"] == ("Awaiting verification", "Verified")
    assert values(verified)["Verified by"] == ("", "Oscar")
    assert mask("55500123") == "******23" and shown(BankDetails, "account_name", "Brindley") == "Brindley"


def test_json_snapshots_read_as_text_with_british_dates_and_amounts(approved_grant, officer, funded_core, year):  # noqa: F811
    variation = variation_request(grant=approved_grant, by=officer, reason="Demand up",
                                  amounts=[(funded_core, year, "61000.00")], end_date=date(2026, 6, 30))
    (created,) = diff_records(GrantVariation, list(variation.history.all()))
    before, after = values(created)["Before"][1], values(created)["After"][1]
    assert before.startswith("Start date: 01/04/2025; End date: 31/03/2026; Conditions: ")
    assert before.endswith("Lines: MOJ-CORE 2025/26: £60,000.00")
    assert after == "Start date: 01/04/2025; End date: 30/06/2026; Lines: MOJ-CORE 2025/26: £61,000.00"


def test_the_history_page_shows_no_dicts_iso_dates_or_field_names(
        approved_grant, officer, director, funded_core, year):  # noqa: F811
    variation = variation_request(grant=approved_grant, by=officer, reason="Demand up",
                                  amounts=[(funded_core, year, "61000.00")], end_date=date(2026, 6, 30))
    client = Client()
    client.force_login(director)
    page = page_text(client.get(f"/history/grants/grantvariation/{variation.pk}/"))
    assert "Lines: MOJ-CORE 2025/26: £61,000.00" in page and "New end date — 30/06/2026" in page
    assert not ISO_DATE.search(page) and "{" not in page and "new_end_date" not in page


def test_names_are_loaded_once_per_kind_of_record(core_fund, director):
    fund = Fund.objects.get(pk=core_fund.pk)

    def rename(n):
        fund.name = f"Victims' services {n}"
        save_with_history(fund, by=director, reason=f"Rename {n}")

    rename(1)
    records = list(Fund.history.filter(id=fund.pk))
    with CaptureQueriesContext(connection) as few:
        diff_records(Fund, records)
    for n in range(2, 7):
        rename(n)
    records = list(Fund.history.filter(id=fund.pk))
    with CaptureQueriesContext(connection) as many:
        changes = diff_records(Fund, records)
    assert len(many.captured_queries) == len(few.captured_queries) == 2  # the funder, the people
    assert len(changes) == 7
