"""Grants in the 360Giving Data Standard (version 1.4), the open format UK funders publish their grants in.

A package holds, for one financial year and **as at** one date (today unless another is given):

- **Each grant awarded (approved) in the year on or before the as-at date**, one record, whose ``amountAwarded``
  is the award **as approved** and whose ``awardDate`` is the date of that decision, so the amount and the date
  always belong together.
- **Each change to the amount of an award** (an approved ``grants.GrantVariation`` whose funding lines add up to
  more or less than before) **decided in the year on or before the as-at date**, as a record of its own: id
  ``<grant id>-V<variation>``, ``awardDate`` the date the variation was decided (the date of its commitment
  entry), ``amountAwarded`` the change (negative for a reduction), ``relatedActivity`` naming the grant it changes
  (and the grant's record naming it back). This follows 360Giving's guidance on changes to existing grants: an
  additional amount is published as a grant with its own identifier and award date, referring to the original,
  rather than by overwriting the original award, so a varied amount is never shown against the original award
  date. The grant's records add up to its current award; across years each change sits in the package of the year
  it was decided in.
- **Withdrawn grants on which money was paid**: one record whose ``amountAwarded`` is what was paid by the as-at
  date net of money clawed back (equal to ``amountDisbursed``), saying so in its description and with the
  classification ``withdrawn``; the changes to its award are not published separately (they are in the
  description). A withdrawn grant on which nothing was paid is not an award and is left out (counted).
- **Do-not-publish grants** (e.g. a refuge's safety) are left out, records of their variations too, and counted.

"As at" covers the money and the status: grants approved on or before the date; payments made on or before it
and clawbacks received on or before it, each counting unless reversed by an entry dated on or before it;
variations decided on or before it (later ones are left out and their date changes undone, from the variation's
``before`` values); each grant's status on that date from its history (approval, acceptance, closing and withdrawal
count from the dates recorded for them, the first payment makes a grant active), so a grant withdrawn after the
as-at date is published as it then stood. Names, addresses, titles, purposes and the do-not-publish flag are as
recorded when the package is made (a grant marked do-not-publish later never appears in an earlier as-at package).

Identifiers: grants ``<publisher prefix>-G00001``; the funder (and the package's publisher) is
``RINGFENCE["FUNDER_ORG_ID"]``, an org-id whose prefix must be one of ``ORG_ID_PREFIXES`` (the registers listed
on org-id.guide), refused at export time otherwise. Each record names its data source (``dataSource``: the
body's transparency page, ``RINGFENCE["TRANSPARENCY_URL"]``). The decision behind an award or a change is a
``relatedDocument`` pointing to its decision notice (``RINGFENCE["DECISION_NOTICE_URL"]``), never a
classification; confidential decisions are not linked. Grants to a person (``Organisation.is_individual``) name an
anonymised ``recipientIndividual``, no name or address. Amounts are JSON numbers in GBP; beneficiary locations
carry the ONS code of the area served, typed from its prefix (E08 metropolitan district, E22 community safety
partnership, E23 police force area, ...).
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.money import ZERO, format_gbp
from funds.models import FinancialYear
from grants.models import Clawback, FundingLine, Grant, GrantVariation, Payment
from grants.publication import unpublishable_organisations
from reports.parameters import _parse_date, year_get
from reports.statements.grants import grant_first_payment_dates, grant_statuses_as_at

OPEN_GOVERNMENT_LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PUBLISHED_STATUSES = (Grant.Status.APPROVED, Grant.Status.OFFER_ACCEPTED, Grant.Status.ACTIVE, Grant.Status.CLOSED)
GEO_CODE_TYPES = {"E06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "E10": "CTY", "E22": "CSP", "E23": "PFA",
                  "E05": "WD", "E14": "WPC"}
STATUS_VOCABULARY = "Grant status on the package's as-at date"
CHANGE_VOCABULARY = "Change to an earlier award"

#: The org-id.guide registers a funder identifier may be drawn from (UK lists; https://org-id.guide). The one place
#: the accepted prefixes are kept: ``funder_org_id`` refuses any other.
ORG_ID_PREFIXES = {
    "GB-CHC": "Charity Commission for England and Wales",
    "GB-SC": "Scottish Charity Regulator",
    "GB-NIC": "Charity Commission for Northern Ireland",
    "GB-COH": "Companies House",
    "GB-MPR": "Mutuals Public Register",
    "GB-GOR": "Government Organisation Register",
    "GB-GOV": "UK Government Departments Reference Numbers",
    "GB-GOVUK": "UK Government departments, agencies and public bodies (GOV.UK)",
    "GB-LAE": "Local Authorities for England Register",
    "GB-LAS": "Scottish Local Authority Register",
    "GB-PLA": "Principal Local Authority Register for Wales",
    "GB-LANI": "Local authorities for Northern Ireland register",
    "GB-NHS": "NHS Organisation Data Service",
    "GB-EDU": "Schools and colleges in England (Get Information about Schools)",
    "GB-UKPRN": "UK Register of Learning Providers",
    "GB-SHPE": "Social housing providers in England",
    "GB-SRS": "Supplier Registration Service (Crown Commercial Service)",
}
_ORG_ID_BODY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/]*$")
_CHARITY = re.compile(r"^\d{6,7}$")
_COMPANY = re.compile(r"^\w{8}$")


@dataclass
class Giving360Export:
    package: dict
    published: int  # records in the package (grants, and changes to awards)
    left_out: int  # do-not-publish grants
    withdrawn: int = 0  # withdrawn grants published with what was paid on them
    changes: int = 0  # records of changes to an award (variations)
    withdrawn_unpaid: int = 0  # withdrawn grants on which nothing was paid: not awards, left out
    as_at: date | None = None


def _number(value: Decimal):
    """A JSON number for an amount: an int for whole pounds, else a float whose text is exactly the pence."""
    value = Decimal(value).quantize(Decimal("0.01"))
    return int(value) if value == value.to_integral_value() else float(value)


def _months(start, end) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day - 1 else 0)


def org_id_refusal(identifier: str) -> str | None:
    """Why ``identifier`` is not an org-id a 360Giving funder can use (None when it is): ``<prefix>-<id>`` with a
    prefix of ``ORG_ID_PREFIXES``, an identifier without spaces, and a well-formed number where the register is
    the charity or company register (360Giving's quality checks test those two)."""
    text = identifier or ""
    prefix = next((p for p in sorted(ORG_ID_PREFIXES, key=len, reverse=True) if text.startswith(f"{p}-")), None)
    known = ", ".join(sorted(ORG_ID_PREFIXES))
    if prefix is None:
        return (f"'{text}' is not an org-id with a registered prefix: write it as <prefix>-<identifier>, e.g. "
                f"GB-GOR-PB1204 or GB-CHC-1123456, with a prefix from org-id.guide ({known}).")
    body = text[len(prefix) + 1:]
    if not _ORG_ID_BODY.match(body):
        return (f"'{text}' has no identifier after {prefix}- (or one with spaces or other characters): write the "
                f"body's identifier on the {ORG_ID_PREFIXES[prefix]} after the prefix, e.g. {prefix}-PB1204.")
    if prefix == "GB-CHC" and not _CHARITY.match(body):
        return f"'{text}' is not a charity identifier: a registered charity has 6 or 7 digits, e.g. GB-CHC-1123456."
    if prefix == "GB-COH" and not _COMPANY.match(body):
        return f"'{text}' is not a company identifier: a company number has 8 characters, e.g. GB-COH-01234567."
    return None


def funder_org_id() -> str:
    """The funding organisation's org-id (``RINGFENCE["FUNDER_ORG_ID"]``), or a refusal saying what is wrong."""
    identifier = (settings.RINGFENCE.get("FUNDER_ORG_ID") or "").strip()
    if not identifier:
        raise ValidationError({"FUNDER_ORG_ID": "Set RINGFENCE_FUNDER_ORG_ID to the body's org-id (e.g. "
                                                "GB-GOR-PB1204): a 360Giving package names its funder by an "
                                                "identifier from a register listed on org-id.guide."})
    refusal = org_id_refusal(identifier)
    if refusal:
        raise ValidationError({"FUNDER_ORG_ID": f"The funder's identifier (RINGFENCE_FUNDER_ORG_ID): {refusal}"})
    return identifier


def _web_address(key: str, env: str, *, required: bool) -> str:
    value = (settings.RINGFENCE.get(key) or "").strip()
    if not value and not required:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError({key: f"{env} must be a web address starting https:// (e.g. "
                                    f"https://www.example.gov.uk/transparency/), not '{value}'."})
    return value


def transparency_url() -> str:
    """The body's transparency page: each record's data source and the package's access address."""
    return _web_address("TRANSPARENCY_URL", "RINGFENCE_TRANSPARENCY_URL", required=True)


def decision_notice_url(number: str) -> str:
    """Where the notice of decision ``number`` is published: ``RINGFENCE["DECISION_NOTICE_URL"]`` with
    ``{number}`` filled in, or by default the decision log on the transparency page."""
    pattern = (settings.RINGFENCE.get("DECISION_NOTICE_URL") or "").strip()
    if not pattern:
        return f"{transparency_url()}decisions/#decision-{number}"
    return pattern.replace("{number}", number)


def _as_at(value, today: date, fy: FinancialYear) -> date:
    as_at = _parse_date(value, "as_at") or today
    if as_at > today:
        raise ValidationError({"as_at": f"{as_at:%d/%m/%Y} is after today ({today:%d/%m/%Y}): a package can be "
                                        "as at today or an earlier date."})
    if as_at < fy.start_date:
        raise ValidationError({"as_at": f"{as_at:%d/%m/%Y} is before {fy.label} began ({fy.start_date:%d/%m/%Y}): "
                                        "nothing had been awarded in the year by then. Give a date on or after it."})
    return as_at


def _standing(model, date_field: str, grant_ids, as_at: date) -> dict[int, Decimal]:
    """Per grant: the payments (or clawbacks) dated on or before ``as_at`` and not reversed by then."""
    sums = defaultdict(lambda: ZERO)
    rows = (model.objects.filter(grant_id__in=grant_ids, **{f"{date_field}__lte": as_at})
            .filter(Q(reversal__isnull=True) | Q(reversal__date__gt=as_at)).values_list("grant_id", "amount"))
    for grant_id, amount in rows:
        sums[grant_id] += amount
    return sums


def _variation_day(variation: GrantVariation) -> date:
    """The date a variation was decided: its commitment entry's date, else the day it was approved."""
    return variation.entry.date if variation.entry_id else timezone.localdate(variation.decided_at)


def _document(decision) -> list[dict]:
    if decision is None or not decision.is_public:
        return []
    label = (decision.title or decision.summary or "").strip()
    title = (f"Decision {decision.number}" + (f": {label}" if label else ""))[:200]
    return [{"id": f"decision-{decision.number}", "title": title, "url": decision_notice_url(decision.number),
             "documentType": "Decision notice",
             "description": f"Decision {decision.number} of {decision.date:%d/%m/%Y}."}]


def giving360_export(*, year, now=None, as_at=None) -> Giving360Export:
    """The 360Giving package of ``year`` (a FinancialYear or its label) as at ``as_at`` (a date or its text;
    default today): see the module's description. Refuses an unknown year, an as-at date after today or before the
    year began, and a funder identifier or transparency address that is not well formed."""
    fy: FinancialYear = year_get(year)
    now = now or timezone.now()
    today = timezone.localdate(now)
    as_at = _as_at(as_at, today, fy)
    ring = settings.RINGFENCE
    funder = {"id": funder_org_id(), "name": ring["OWNING_BODY"]}
    source = transparency_url()
    website = _web_address("PUBLISHER_WEBSITE", "RINGFENCE_PUBLISHER_WEBSITE", required=False)
    logo = _web_address("PUBLISHER_LOGO_URL", "RINGFENCE_PUBLISHER_LOGO_URL", required=False)
    prefix = ring["PUBLISHER_PREFIX"]
    year_to = min(fy.end_date, as_at)

    approved = GrantVariation.objects.filter(status=GrantVariation.Status.APPROVED)
    changed_in_year = approved.filter(entry__date__gte=fy.start_date, entry__date__lte=year_to).values("grant_id")
    awarded = Grant.objects.filter(approved_on__gte=fy.start_date, approved_on__lte=year_to)
    grants = list(
        Grant.objects.filter(Q(pk__in=awarded.values("pk")) | Q(pk__in=changed_in_year))
        .select_related("organisation", "service", "decision").order_by("id")
    )
    # Never published: do-not-publish and refuge grants, and every grant of an organisation holding one (naming it
    # next to money would point at the refuge): grants.publication, the rule the transparency files follow too.
    withheld = unpublishable_organisations()
    left_out = {g.pk for g in grants if g.do_not_publish or g.organisation_id in withheld}
    grants = [g for g in grants if g.pk not in left_out]
    ids = [g.pk for g in grants]
    status_at = grant_statuses_as_at(
        Grant.history.filter(id__in=ids).order_by("history_date", "history_id"), as_at=as_at,
        first_payments=grant_first_payment_dates(known_at=now))
    lines = defaultdict(list)
    for line in FundingLine.objects.filter(grant_id__in=ids).select_related("fund", "year").order_by(
            "year__start_year", "fund__code"):
        lines[line.grant_id].append(line)
    paid = _standing(Payment, "paid_on", ids, as_at)
    clawed = _standing(Clawback, "received_on", ids, as_at)
    variations = list(approved.filter(grant_id__in=ids).select_related("entry", "decision")
                      .prefetch_related("lines__fund").order_by("decided_at", "id"))
    planned = {g.pk: (g.start_date, g.end_date) for g in grants}
    for variation in reversed(variations):  # undo the date changes of variations decided after the as-at date
        if _variation_day(variation) > as_at:
            start, end = planned[variation.grant_id]
            before = variation.before or {}
            planned[variation.grant_id] = (date.fromisoformat(before.get("start_date") or start.isoformat()),
                                           date.fromisoformat(before.get("end_date") or end.isoformat()))
    decided = defaultdict(list)  # grant id -> [(variation, change)]: award amounts changed by the as-at date
    for variation in variations:
        change = sum((vl.change for vl in variation.lines.all()), ZERO)
        if change and _variation_day(variation) <= as_at:
            decided[variation.grant_id].append((variation, change))
    statuses = dict(Grant.Status.choices)
    modified = now.isoformat(timespec="seconds")
    records, withdrawn, withdrawn_unpaid, changes = [], 0, 0, 0

    for grant in grants:
        if grant.approved_on is None or grant.approved_on > as_at:
            continue
        status = status_at.get(grant.pk, grant.status)
        grant_id = f"{prefix}-{grant.reference}"
        start, end = planned[grant.pk]
        common = _common(grant, start=start, end=end, funder=funder, source=source, modified=modified,
                         prefix=prefix)
        net_paid = paid[grant.pk] - clawed[grant.pk]
        original = sum((line.original_amount.amount for line in lines[grant.pk]), ZERO)
        grant_changes = decided[grant.pk]
        if fy.start_date <= grant.approved_on <= year_to:
            record = {"id": grant_id, "title": grant.title[:140], **common}
            description = _description(grant)
            if status == "withdrawn":
                if net_paid <= 0:
                    withdrawn_unpaid += 1
                    continue
                withdrawn += 1
                varied = original + sum((change for _v, change in grant_changes), ZERO)
                description += (
                    " Withdrawn" + (f" on {grant.closed_on:%d/%m/%Y}" if grant.closed_on else "")
                    + f". {format_gbp(original)} was awarded"
                    + (f" ({format_gbp(varied)} after variations)" if varied != original else "")
                    + f"; the amount awarded shown is what was paid, {format_gbp(net_paid)}, net of money clawed back."
                )
                amount = net_paid
            else:
                amount = original
                if grant_changes:
                    record["relatedActivity"] = [f"{grant_id}-V{v.pk}" for v, _change in grant_changes]
            record.update({
                "description": description,
                "currency": "GBP",
                "amountAwarded": _number(amount),
                "amountDisbursed": _number(net_paid),
                "awardDate": grant.approved_on.isoformat(),
                "grantProgramme": _programmes(lines[grant.pk]),
                "classifications": [{
                    "vocabulary": STATUS_VOCABULARY, "code": status, "title": statuses.get(status, status),
                    "description": (f"Withdrawn: the amount awarded is what was paid by {as_at:%d/%m/%Y}, net of "
                                    "money clawed back." if status == "withdrawn" else f"Status on {as_at:%d/%m/%Y}."),
                }],
            })
            documents = _document(grant.decision)
            if documents:
                record["relatedDocument"] = documents
            records.append(_ordered(record))
        if status == "withdrawn":
            continue  # its changes are told in its one record
        award = original
        for variation, change in grant_changes:
            award += change
            day = _variation_day(variation)
            if not fy.start_date <= day <= year_to:
                continue
            changes += 1
            kind = "increase" if change > 0 else "reduction"
            record = {
                "id": f"{grant_id}-V{variation.pk}",
                "title": f"{'Increase to' if change > 0 else 'Reduction of'} grant {grant.reference}: "
                         f"{grant.title}"[:140],
                **common,
                "description": (
                    f"An {kind} of {format_gbp(abs(change))} to grant {grant_id} ({grant.title}), awarded "
                    f"{format_gbp(original)} on {grant.approved_on:%d/%m/%Y}; decided on {day:%d/%m/%Y} (variation "
                    f"{variation.pk}), after which the award stands at {format_gbp(award)}."
                ),
                "currency": "GBP",
                "amountAwarded": _number(change),
                "awardDate": day.isoformat(),
                "grantProgramme": _programmes([vl for vl in variation.lines.all() if vl.change]),
                "relatedActivity": [grant_id],
                "classifications": [{"vocabulary": CHANGE_VOCABULARY, "code": kind,
                                     "title": f"An {kind} of an earlier award"}],
            }
            documents = _document(variation.decision)
            if documents:
                record["relatedDocument"] = documents
            records.append(_ordered(record))

    body = ring["OWNING_BODY"]
    publisher = {"identifier": funder["id"], "name": body}
    if website:
        publisher["website"] = website
    if logo:
        publisher["logo"] = logo
    package = {
        "grants": records,
        "version": "1.4",
        "title": f"{body}: grants awarded in {fy.label}, as at {as_at:%d/%m/%Y}",
        "description": (
            f"Grants awarded by the {body} between {fy.start_date:%d/%m/%Y} and {fy.end_date:%d/%m/%Y}, and changes "
            f"to the amounts of its awards decided in that time, as at {as_at:%d/%m/%Y}: awards, changes, payments, "
            "clawbacks and each grant's status as they stood on that date (names and descriptions as recorded on "
            f"{today:%d/%m/%Y}). Each change to an award is a record of its own, dated when it was decided and "
            "linked to the grant it changes. A withdrawn grant shows what was paid on it, net of clawbacks. Grants "
            "that must not be published (for example for the safety of a refuge) are left out."
        ),
        "issued": today.isoformat(),
        "modified": modified,
        "identifier": f"{prefix}-grants-{fy.label.replace('/', '-')}-as-at-{as_at.isoformat()}",
        "publisher": publisher,
        "accessURL": source,
        "license": ring.get("OPEN_DATA_LICENSE", OPEN_GOVERNMENT_LICENCE),
    }
    return Giving360Export(package=package, published=len(records), left_out=len(left_out), withdrawn=withdrawn,
                           changes=changes, withdrawn_unpaid=withdrawn_unpaid, as_at=as_at)


def _description(grant: Grant) -> str:
    """The grant's purpose, made distinct from its title when the two are the same (a 360Giving quality check)."""
    purpose = (grant.purpose or "").strip()
    if purpose and purpose != grant.title.strip():
        return purpose
    return f"{grant.title}: {grant.service.name}, {grant.service.area_name}."


def _programmes(lines) -> list[dict]:
    funds = {line.fund.code: line.fund.name for line in lines}
    return [{"code": code, "title": name} for code, name in funds.items()]


def _common(grant: Grant, *, start, end, funder, source, modified, prefix) -> dict:
    """The parts every record of a grant shares: dates planned, recipient, funder, location, source."""
    org = grant.organisation
    location = {"name": grant.service.area_name, "countryCode": "GB"}
    if grant.service.area_code:
        location["geoCode"] = grant.service.area_code
        code_type = GEO_CODE_TYPES.get(grant.service.area_code[:3])
        if code_type:
            location["geoCodeType"] = code_type
    common = {
        "plannedDates": [{"startDate": start.isoformat(), "endDate": end.isoformat(),
                          "duration": _months(start, end)}],
        "fundingOrganization": [funder],
        "beneficiaryLocation": [location],
        "fromOpenCall": "Yes" if grant.allocation_method == Grant.AllocationMethod.COMPETED else "No",
        "dataSource": source,
        "dateModified": modified,
    }
    if org.is_individual:  # never a person's name or address: an anonymised individual recipient
        common["recipientIndividual"] = {"id": f"{prefix}-IND-{org.pk}", "name": "Individual recipient"}
    else:
        recipient = {"id": org.identifier, "name": org.name, "streetAddress": org.address,
                     "postalCode": org.postcode, "addressCountry": "United Kingdom"}
        if org.charity_number:
            recipient["charityNumber"] = org.charity_number
        if org.company_number:
            recipient["companyNumber"] = org.company_number
        common["recipientOrganization"] = [recipient]
    return common


_ORDER = ("id", "title", "description", "currency", "amountAwarded", "amountDisbursed", "awardDate", "plannedDates",
          "recipientOrganization", "recipientIndividual", "fundingOrganization", "grantProgramme",
          "beneficiaryLocation", "fromOpenCall", "classifications", "relatedDocument", "relatedActivity",
          "dataSource", "dateModified")


def _ordered(record: dict) -> dict:
    """The record's fields in the standard's order (the same bytes for the same figures)."""
    return {key: record[key] for key in sorted(record, key=lambda k: _ORDER.index(k) if k in _ORDER else 99)}
