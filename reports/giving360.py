"""Grants in the 360Giving Data Standard (version 1.4), the open format UK funders publish their grants in.

A year's package holds the grants awarded (approved) in that financial year and not withdrawn or rejected. Grants
marked do-not-publish (e.g. a refuge's safety) are left out and counted. Amounts are JSON numbers in GBP; grant
ids are ``<publisher prefix>-G00001``; beneficiary locations carry the ONS code of the area served, typed from its
prefix (E08 metropolitan district, E22 community safety partnership, E23 police force area, ...).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.money import ZERO
from funds.models import FinancialYear
from grants.models import Clawback, FundingLine, Grant, Payment
from reports.parameters import year_get

OPEN_GOVERNMENT_LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PUBLISHED_STATUSES = (Grant.Status.APPROVED, Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE, Grant.Status.CLOSED)
GEO_CODE_TYPES = {"E06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "E10": "CTY", "E22": "CSP", "E23": "PFA",
                  "E05": "WD", "E14": "WPC"}


@dataclass
class Giving360Export:
    package: dict
    published: int
    left_out: int  # do-not-publish grants


def _number(value: Decimal):
    """A JSON number for an amount: an int for whole pounds, else a float whose text is exactly the pence."""
    value = Decimal(value).quantize(Decimal("0.01"))
    return int(value) if value == value.to_integral_value() else float(value)


def _months(start, end) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day - 1 else 0)


def _sums(model, field: str, grant_ids) -> dict[int, Decimal]:
    """Totals of standing payments or clawbacks per grant (a reversed one counts nothing)."""
    sums = defaultdict(lambda: ZERO)
    rows = model.objects.filter(grant_id__in=grant_ids, reversal__isnull=True).values_list("grant_id", field)
    for grant_id, amount in rows:
        sums[grant_id] += amount
    return sums


def giving360_export(*, year, now=None) -> Giving360Export:
    """The 360Giving package of the grants awarded in ``year`` (a FinancialYear or its label)."""
    fy: FinancialYear = year_get(year)
    now = now or timezone.now()
    ring = settings.RINGFENCE
    prefix = ring["PUBLISHER_PREFIX"]
    funder = {"id": ring.get("OWNING_BODY_IDENTIFIER") or prefix, "name": ring["OWNING_BODY"]}
    grants = list(
        Grant.objects.filter(approved_on__gte=fy.start_date, approved_on__lte=fy.end_date,
                             status__in=PUBLISHED_STATUSES)
        .select_related("organisation", "service", "decision").order_by("id")
    )
    left_out = sum(1 for g in grants if g.do_not_publish)
    grants = [g for g in grants if not g.do_not_publish]
    ids = [g.pk for g in grants]
    lines = defaultdict(list)
    for line in FundingLine.objects.filter(grant_id__in=ids).select_related("fund", "year").order_by(
            "year__start_year", "fund__code"):
        lines[line.grant_id].append(line)
    paid = _sums(Payment, "amount", ids)
    clawed = _sums(Clawback, "amount", ids)
    modified = now.isoformat(timespec="seconds")
    records = []
    for grant in grants:
        org = grant.organisation
        recipient = {"id": org.identifier, "name": org.name, "streetAddress": org.address, "postalCode": org.postcode,
                     "addressCountry": "United Kingdom"}
        if org.charity_number:
            recipient["charityNumber"] = org.charity_number
        if org.company_number:
            recipient["companyNumber"] = org.company_number
        location = {"name": grant.service.area_name, "countryCode": "GB"}
        if grant.service.area_code:
            location["geoCode"] = grant.service.area_code
            code_type = GEO_CODE_TYPES.get(grant.service.area_code[:3])
            if code_type:
                location["geoCodeType"] = code_type
        funds = {line.fund.code: line.fund.name for line in lines[grant.pk]}
        record = {
            "id": f"{prefix}-{grant.reference}",
            "title": grant.title[:140],
            "description": grant.purpose,
            "currency": "GBP",
            "amountAwarded": _number(sum((line.amount.amount for line in lines[grant.pk]), ZERO)),
            "amountDisbursed": _number(paid[grant.pk] - clawed[grant.pk]),
            "awardDate": grant.approved_on.isoformat(),
            "plannedDates": [{"startDate": grant.start_date.isoformat(), "endDate": grant.end_date.isoformat(),
                              "duration": _months(grant.start_date, grant.end_date)}],
            "recipientOrganization": [recipient],
            "fundingOrganization": [funder],
            "grantProgramme": [{"code": code, "title": name} for code, name in funds.items()],
            "beneficiaryLocation": [location],
            "fromOpenCall": "Yes" if grant.allocation_method == Grant.AllocationMethod.COMPETED else "No",
            "dateModified": modified,
        }
        if grant.decision is not None and grant.decision.is_public:
            record["classifications"] = [{"vocabulary": "Decision", "code": grant.decision.number,
                                          "title": f"Decision {grant.decision.number}"}]
        records.append(record)
    package = {
        "grants": records,
        "version": "1.4",
        "title": f"{ring['OWNING_BODY']}: grants awarded in {fy.label}",
        "description": f"Grants awarded by the {ring['OWNING_BODY']} between {fy.start_date:%d/%m/%Y} and "
                       f"{fy.end_date:%d/%m/%Y}, as recorded on {timezone.localtime(now):%d/%m/%Y}. Grants that must "
                       "not be published (for example for the safety of a refuge) are left out.",
        "issued": timezone.localdate(now).isoformat(),
        "modified": modified,
        "identifier": f"{prefix}-{fy.label.replace('/', '-')}",
        "publisher": {"identifier": funder["id"], "name": ring["OWNING_BODY"]},
        "license": ring.get("OPEN_DATA_LICENSE", OPEN_GOVERNMENT_LICENCE),
    }
    return Giving360Export(package=package, published=len(records), left_out=left_out)
