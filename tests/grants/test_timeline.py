from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.payments import payment_record
from grants.selectors import grant_timeline
from grants.variations import variation_approve, variation_request
from grants.workflow import grant_return, grant_submit


def test_timeline_tells_the_story_in_order_with_who_why_and_before_after(org, service, officer, officer2, commissioner,
                                                                        commissioner2, draft_grant, funded_core, year):
    grant = grant_submit(grant=draft_grant, by=officer)
    grant = grant_return(grant=grant, by=commissioner, reason="Add the Walsall outreach")
    timeline = grant_timeline(grant)
    whats = [(e.kind, e.what, e.who_name, e.why) for e in timeline]
    assert whats[0] == ("change", "Grant added", "Olivia", "Grant drafted")
    assert ("event", f"{grant.reference} returned for changes", "Carla", "Add the Walsall outreach") in whats
    (returned,) = [e for e in timeline if e.kind == "change" and e.why == "Add the Walsall outreach"]
    assert ("Status", "Submitted for approval", "Returned for changes") in [
        (c.label, c.before, c.after) for c in returned.changes]
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)


def test_timeline_includes_the_children_and_their_events(payable_grant, officer, commissioner2, funded_core, year):
    payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="15000.00", paid_on=date(2025, 7, 30),
                   by=officer)
    v = variation_request(grant=payable_grant, by=officer, reason="Demand up",
                          amounts=[(funded_core, year, "61000.00")])
    variation_approve(variation=v, by=commissioner2, on=date(2025, 9, 1))
    timeline = grant_timeline(payable_grant)
    whats = {e.what for e in timeline}
    assert {"Payment added", "Monitoring return added", "Monitoring return changed", "Grant variation added",
            "Variation line added", "Funding line changed", "Grant check changed", "Instalment added"} <= whats
    (line_change,) = [e for e in timeline if e.what == "Funding line changed"]
    assert [(c.label, c.before, c.after) for c in line_change.changes] == [("Amount", "£60,000.00", "£61,000.00")]
    assert line_change.who_name == "Cyril"
    assert any(e.kind == "event" and "return accepted" in e.what for e in timeline)


def test_timeline_query_count_does_not_grow_with_the_story(payable_grant, officer):
    def pay():
        payment_record(instalment=payable_grant.instalments.get(quarter=1), amount="100.00", paid_on=date(2025, 7, 30),
                       by=officer)

    pay()
    with CaptureQueriesContext(connection) as short:
        grant_timeline(payable_grant)
    for _ in range(3):
        pay()
    with CaptureQueriesContext(connection) as longer:
        timeline = grant_timeline(payable_grant)
    assert len(longer.captured_queries) == len(short.captured_queries)
    assert sum(1 for e in timeline if e.what == "Payment added") == 4


def test_timeline_reads_like_the_history_pages_and_masks_bank_details(approved_grant, org, officer, officer2):
    from grants.organisations import bank_details_submit, bank_details_verify

    details = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", sort_code="60-16-13",
                                  account_number="44019283", by=officer, reason="New bank")
    bank_details_verify(details=details, by=officer2, note="Call-back to the number on the register")
    timeline = grant_timeline(approved_grant)
    (added,) = [e for e in timeline if e.what == "Bank details added"]  # the earlier details predate the grant
    assert ("Sort code", "", "******13") in [(c.label, c.before, c.after) for c in added.changes]
    assert ("Account number", "", "******83") in [(c.label, c.before, c.after) for c in added.changes]
    changes = [c for e in timeline for c in e.changes]
    assert all(c.label[0].isupper() and "_" not in c.label for c in changes)
    assert not any("44019283" in c.before + c.after or "60-16-13" in c.before + c.after for c in changes)
    assert not any(c.after.startswith("{") or "-" in c.after[:10] and c.after[:4].isdigit() for c in changes)
