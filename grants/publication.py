"""What must never be named in published data (the transparency files and the 360Giving package): the one rule,
read by ``transparency.redaction`` and ``reports.giving360``.

An organisation is unpublishable when it holds a grant marked do-not-publish (its reason is given) or a grant whose
service category is a refuge (DOMAIN.md 8: a refuge's safety): naming it anywhere next to money would point at the
refuge. A decision is confidential when it says so, or when a grant or variation of an unpublishable kind cites it.
"""

from django.db.models import Q

from grants.models import Grant, GrantVariation

REFUGE_CATEGORY = "refuge"
REFUGE_REASON = "Safety: a refuge, whose location must stay confidential."
DEFAULT_REASON = "Do not publish"


def unpublishable_grants() -> Q:
    """Grants that are never published, and whose organisations are never named."""
    return Q(do_not_publish=True) | Q(service_category__code=REFUGE_CATEGORY)


def grant_withheld_reason(grant: Grant) -> str | None:
    """Why this grant is not published, or None when it may be."""
    if grant.do_not_publish:
        return grant.do_not_publish_reason.strip() or DEFAULT_REASON
    if grant.service_category_id and grant.service_category.code == REFUGE_CATEGORY:
        return REFUGE_REASON
    return None


def unpublishable_organisations() -> dict[int, str]:
    """Organisation id -> the reason it is never named (the first withheld grant's, by id)."""
    found: dict[int, str] = {}
    rows = (Grant.objects.filter(unpublishable_grants()).order_by("organisation_id", "id")
            .values_list("organisation_id", "do_not_publish", "do_not_publish_reason"))
    for organisation_id, flagged, reason in rows:
        found.setdefault(organisation_id, (reason.strip() or DEFAULT_REASON) if flagged else REFUGE_REASON)
    return found


def withheld_decisions() -> dict[int, str]:
    """Decision id -> reason, for decisions cited by an unpublishable grant or by a variation of one: confidential
    in the decision log whatever they were recorded as."""
    found: dict[int, str] = {}
    withheld = Grant.objects.filter(unpublishable_grants())
    rows = list(withheld.filter(decision__isnull=False).order_by("id").values_list(
        "decision_id", "do_not_publish", "do_not_publish_reason"))
    rows += list(GrantVariation.objects.filter(grant__in=withheld, decision__isnull=False).order_by("id")
                 .values_list("decision_id", "grant__do_not_publish", "grant__do_not_publish_reason"))
    for decision_id, flagged, reason in rows:
        found.setdefault(decision_id, (reason.strip() or DEFAULT_REASON) if flagged else REFUGE_REASON)
    return found
