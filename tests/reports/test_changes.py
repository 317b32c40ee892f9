"""The changes statement reads history through the one engine (core.changes): the same labels, values and masks as
the history pages, and names of funds and budget lines as known at the statement's moment."""

from core.audit import save_with_history
from core.changes import diff_records
from funds.models import Fund
from grants.models import BankDetails
from reports.parameters import parameters_parse
from reports.registry import LINE, statement_get
from tests.reports.test_reproducible import clock, london  # noqa: F401  (fixture)


def rows(**dates):
    params = parameters_parse(year="2025/26", **dates)
    return [r for r in statement_get("changes")(params).rows() if r.kind == LINE]


def test_bank_details_rows_are_the_engines_changes_masked_the_same_way(grants_scenario):
    from grants.organisations import bank_details_submit, bank_details_verify

    s = grants_scenario.base
    details = bank_details_submit(organisation=grants_scenario.brindley, account_name="Brindley Survivors Trust",
                                  sort_code="40-11-62", account_number="55500123", by=s.officer, reason="New bank")
    bank_details_verify(details=details, by=s.officer2, note="Call-back")
    history = list(details.history.order_by("-history_id"))
    verified, created = diff_records(BankDetails, history, skip=("verified_at",))  # the statement leaves it out
    statement = [r for r in rows() if r["kind"] == "Bank details"]
    status = [(r["field"], r["before"], r["after"], r["why"]) for r in statement if r["when"] == verified.at]
    assert status == [(c.label, c.before, c.after, "Call-back") for c in verified.changes]
    assert ("Status", "Awaiting verification", "Verified", "Call-back") in status
    created_row = next(r for r in statement if r["when"] == created.at)
    assert "Sort code: ******62; Account number: ******23" in created_row["after"]
    assert created.change("account_number").after == "******23"


def test_field_labels_are_the_models_verbose_names_capitalised(grants_scenario):
    from django.apps import apps
    from django.utils.text import capfirst

    from reports.statements.changes import TRACKED

    labels = {entry.kind: {capfirst(str(f.verbose_name)) for f in apps.get_model(entry.model)._meta.fields}
              for entry in TRACKED}
    changed = [r for r in rows() if r["field"]]
    assert changed
    for row in changed:
        assert row["field"] in labels[row["kind"]], row.values


def test_names_in_values_are_as_known_at_the_statements_moment(clock, grants_scenario):  # noqa: F811
    known_at = london(2025, 12, 20, 11, 0)
    clock.set(london(2025, 12, 20, 12, 0))
    fund = Fund.objects.get(code="POCA")
    fund.name = "Community safety fund"
    save_with_history(fund, by=grants_scenario.base.officer, reason="Renamed")

    def funding(known):
        return next(r for r in rows(known_at=known) if r["kind"] == "Grant funding" and r["change"] == "Created"
                    and r["record"].endswith("POCA 2025/26"))

    assert funding(known_at)["after"].startswith("Fund: POCA Proceeds of crime fund; Year: 2025/26; Amount: £")
    assert funding(None)["after"].startswith("Fund: POCA Community safety fund; Year: 2025/26; Amount: £")
