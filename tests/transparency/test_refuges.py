"""A refuge is never named in anything published, however it is reached: through a grant marked do-not-publish, a
grant or order of the refuge service category, another grant of the same organisation, or a decision one of them
cites (grants.publication, the one rule the transparency files and the 360Giving package share)."""

import csv
import io
from datetime import date

from django.db.models import Q

from grants.awards import decision_record, grant_service_category_set
from grants.models import Grant, ServiceCategory
from grants.publication import REFUGE_REASON, unpublishable_organisations, withheld_decisions
from reports.giving360 import giving360_export
from spending.orders import order_service_category_set
from tests.transparency.conftest import REFUGE_REASON as FLAGGED_REASON
from transparency.decisions import decisions_csv
from transparency.spending import spending_csv


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_an_order_for_a_refuge_redacts_its_supplier_everywhere_in_the_spending_file(world, users):
    order_service_category_set(order=world["helpline"], service_category=ServiceCategory.objects.get(code="refuge"),
                               reason="The helpline contract pays for the refuge's night line", by=users["officer"])
    pennine = [row for row in rows(spending_csv(month="2025-07")[0])[1:] if row[5] in ("Contract", "Purchase order")
               and row[7] in ("1000.00", "600.00")]
    assert len(pennine) == 2
    assert {(row[3], row[4], row[9], row[10]) for row in pennine} == {("REDACTED", "REDACTED", "Yes", REFUGE_REASON)}
    assert b"Pennine" not in spending_csv(month="2025-07")[0]


def test_every_grant_of_an_organisation_holding_a_refuge_grant_is_left_out_of_360giving(world, users):
    year, brindley = world["year"], world["brindley"]
    before = giving360_export(year=year, as_at=date(2026, 3, 31))
    assert "Brindley Survivors Trust" in str(before.package) and "Foundry Lane" not in str(before.package)
    # Brindley's ISVA grant turns out to fund its refuge: the refuge category withholds the organisation.
    grant_service_category_set(grant=world["public_grant"], service_category=ServiceCategory.objects.get(
        code="refuge"), reason="The ISVA service is delivered from the Trust's refuge", by=users["officer"])
    assert unpublishable_organisations() == {world["refuge"].pk: FLAGGED_REASON, brindley.pk: REFUGE_REASON}
    after = giving360_export(year=year, as_at=date(2026, 3, 31))
    assert "Brindley" not in str(after.package) and after.left_out == before.left_out + 1
    spending = spending_csv(month="2025-07")[0]
    assert b"Brindley" not in spending and REFUGE_REASON.encode() in spending


def test_a_public_decision_cited_by_a_refuge_grant_is_confidential_in_the_log(world, users):
    decision = decision_record(number="045-2025", date=date(2025, 4, 30), decision_maker=users["commissioner"],
                               by=users["commissioner"], title="Foundry Lane safe house, Sandwell",
                               summary="Award of the refuge grant to Foundry Lane Women's Refuge.")
    Grant.objects.filter(Q(pk=world["refuge_grant"].pk)).update(decision=decision)  # as grant_approve records it
    assert withheld_decisions() == {decision.pk: FLAGGED_REASON}
    log = rows(decisions_csv()[0])
    row = next(r for r in log if r[0] == "045-2025")
    assert row == ["045-2025", "", "2025-04-30", "", "Confidential", FLAGGED_REASON]
    assert "Foundry" not in "".join(",".join(r) for r in log)
