"""The 360Giving export, validated against the official schemas in ../shared/360giving when they are there, and
checked against what 360Giving's data-quality checks (lib360dataquality) test.

The scenario (tests/reports/conftest.py ``grants_scenario``): ISVA £60,000 approved 01/05/2025, paid £15,000 on
30/07/2025 and 30/10/2025; outreach £20,000 approved 01/07/2025 (decision 031-2025), varied to £24,000 on
01/09/2025 (decision 044-2025); a refuge grant marked do not publish."""

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from reports.giving360 import ORG_ID_PREFIXES, giving360_export, org_id_refusal

SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "360giving"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(),
    reason=f"The 360Giving schemas are not at {SCHEMAS} (../shared/360giving beside the repository), so the "
           "export is not validated against them here.",
)
GRANT_SCHEMA_1_4_2 = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
PREFIX = "360G-wmopcc"
FUNDER = {"id": "GB-GOR-PB9042", "name": "Office of the West Midlands Police and Crime Commissioner"}
SOURCE = "https://www.westmidlands-pcc.example/transparency/"


def validator():
    """The package schema, with its $ref to the grant schema resolved offline through a referencing.Registry."""
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The schemas declare "http://json-schema.org/draft/2020-12/schema" (http, not https): name the dialect.
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(GRANT_SCHEMA_1_4_2, resource), (grant["$id"], resource)])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(package) -> list[str]:
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in errors]


def quality_failures(package) -> list[str]:
    """What 360Giving's data-quality checks (lib360dataquality.cove.threesixtygiving, TEST_CLASSES) would flag,
    re-stated here check by check (the tool itself is not installed)."""
    failures = []
    grants = package["grants"]
    funder_ids = {f["id"] for g in grants for f in g["fundingOrganization"]}
    funder_names = {f["name"] for g in grants for f in g["fundingOrganization"]}
    today = timezone.localdate().isoformat()
    for g in grants:
        orgs = g.get("recipientOrganization", [])
        checks = {
            "ZeroAmountTest": g["amountAwarded"] == 0,
            "FundingOrgUnrecognisedPrefix": any(not any(f["id"].startswith(p) for p in ORG_ID_PREFIXES)
                                                for f in g["fundingOrganization"]),
            "FundingOrg360GPrefix": any(f["id"].lower().startswith("360g") for f in g["fundingOrganization"]),
            "OrganizationIdLooksInvalid": any(
                (o["id"].startswith("GB-CHC-") and not re.fullmatch(r"\d{6,7}", o["id"][7:]))
                or (o["id"].startswith("GB-COH-") and not re.fullmatch(r"\w{8}", o["id"][7:]))
                for o in orgs + g["fundingOrganization"]),
            "RecipientOrgCharityNumber": any(not re.fullmatch(r"\d{6,7}", o["charityNumber"])
                                             for o in orgs if "charityNumber" in o),
            "RecipientOrgCompanyNumber": any(not re.fullmatch(r"\w{8}", o["companyNumber"])
                                             for o in orgs if "companyNumber" in o),
            "GrantIdUnexpectedChars / OrganizationIdUnexpectedChars": "\n" in g["id"]
            or any("\n" in o["id"] for o in orgs + g["fundingOrganization"]),
            "LooksLikeEmail": bool(re.search(r"[\w.-]+@[\w.-]+\.[\w.-]+", json.dumps(g))),
            "PlannedStartDateBeforeEndDate": g["plannedDates"][0]["startDate"] > g["plannedDates"][0]["endDate"],
            "PostDatedAwardDates": g["awardDate"] > today,
            "IncompleteRecipientOrg": any(not o.get("postalCode") for o in orgs),
            "NoGrantProgramme": not g.get("grantProgramme"),
            "NoBeneficiaryLocation": not g.get("beneficiaryLocation"),
            "BeneficiaryLocationNameButNoCode": any(loc.get("name") and not loc.get("geoCode")
                                                    for loc in g.get("beneficiaryLocation", [])),
            "TitleDescriptionSame": g["title"] == g["description"],
            "TitleLength": len(g["title"]) > 140,
            "NoLastModified": not g.get("dateModified"),
            "NoDataSource": not g.get("dataSource"),
            "PlannedDurationNotPresent": "duration" not in g["plannedDates"][0],
        }
        failures += [f"{g['id']}: {name}" for name, failed in checks.items() if failed]
    if len(funder_ids) > 1 or len(funder_names) > 1:
        failures.append("MoreThanOneFundingOrg / MultiFundingOrgIdsForName / MultiFundingNamesForOrgId")
    return failures


def export_file(tmp_path, year="2025/26", as_at=None):
    path = tmp_path / "grants.json"
    out, err = io.StringIO(), io.StringIO()
    args = ["export_360giving", "--year", year, "--output", str(path)] + (["--as-at", as_at] if as_at else [])
    call_command(*args, stdout=out, stderr=err)
    return json.loads(path.read_text(encoding="utf-8")), out.getvalue(), err.getvalue()


def by_id(package):
    return {record["id"]: record for record in package["grants"]}


def ringfence(**changes):
    return {**settings.RINGFENCE, **changes}


# ---- What is published ---------------------------------------------------------------------------------------


def test_do_not_publish_grants_are_left_out_and_counted_on_stderr(grants_scenario, tmp_path):
    package, out, err = export_file(tmp_path)
    g = grants_scenario
    variation = g.outreach.variations.get()
    assert err.strip() == "Left out 1 grant(s) marked do not publish."
    assert out.strip().startswith(f"Wrote 2 grant(s) and 1 change(s) to an award as at "
                                  f"{timezone.localdate():%d/%m/%Y} to ")
    assert [r["id"] for r in package["grants"]] == [f"{PREFIX}-{g.isva.reference}", f"{PREFIX}-{g.outreach.reference}",
                                                    f"{PREFIX}-{g.outreach.reference}-V{variation.pk}"]
    assert "Refuge" not in json.dumps(package) and "Safe Haven" not in json.dumps(package)


def test_grant_records_carry_exact_amounts_the_recipient_the_funder_and_the_source(grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    isva = by_id(package)[f"{PREFIX}-{grants_scenario.isva.reference}"]
    assert (isva["amountAwarded"], isva["amountDisbursed"], isva["currency"]) == (60000, 30000, "GBP")
    assert isva["awardDate"] == "2025-05-01" and isva["fromOpenCall"] == "Yes"
    assert isva["recipientOrganization"] == [{
        "id": "GB-CHC-1187654", "name": "Brindley Survivors Trust", "streetAddress": "14 Canal Side, Birmingham",
        "postalCode": "B1 2JP", "addressCountry": "United Kingdom", "charityNumber": "1187654",
        "companyNumber": "09876543",
    }]
    assert isva["beneficiaryLocation"] == [{"name": "Birmingham", "countryCode": "GB", "geoCode": "E08000025",
                                            "geoCodeType": "MD"}]
    assert isva["plannedDates"] == [{"startDate": "2025-04-01", "endDate": "2026-03-31", "duration": 12}]
    assert isva["grantProgramme"] == [{"code": "MOJ-CORE", "title": "Victims' services core grant"}]
    assert isva["fundingOrganization"] == [FUNDER]
    assert isva["dataSource"] == SOURCE
    assert isva["classifications"] == [{"vocabulary": "Grant status on the package's as-at date", "code": "active",
                                        "title": "Active (being paid)",
                                        "description": f"Status on {timezone.localdate():%d/%m/%Y}."}]
    assert package["publisher"] == {"identifier": "GB-GOR-PB9042", "name": FUNDER["name"],
                                    "website": "https://www.westmidlands-pcc.example/"}
    assert package["accessURL"] == SOURCE
    assert package["identifier"] == f"{PREFIX}-grants-2025-26-as-at-{timezone.localdate().isoformat()}"


def test_a_variation_is_its_own_record_dated_when_decided_and_decisions_are_related_documents(
        grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    g = grants_scenario
    variation = g.outreach.variations.get()
    grant_id, change_id = f"{PREFIX}-{g.outreach.reference}", f"{PREFIX}-{g.outreach.reference}-V{variation.pk}"
    outreach, change = by_id(package)[grant_id], by_id(package)[change_id]
    # The award as approved, on the date it was approved; the increase on the date it was decided.
    assert (outreach["amountAwarded"], outreach["awardDate"]) == (20000, "2025-07-01")
    assert (change["amountAwarded"], change["awardDate"]) == (4000, "2025-09-01")
    assert outreach["amountAwarded"] + change["amountAwarded"] == 24000  # the award as it stands
    assert outreach["relatedActivity"] == [change_id] and change["relatedActivity"] == [grant_id]
    assert change["title"] == f"Increase to grant {g.outreach.reference}: Community outreach"
    assert "An increase of £4,000.00" in change["description"] and "stands at £24,000.00" in change["description"]
    assert "amountDisbursed" not in change  # payments are on the grant's own record
    assert outreach["relatedDocument"] == [{
        "id": "decision-031-2025",
        "title": "Decision 031-2025: Community outreach grants from the proceeds of crime fund",
        "url": f"{SOURCE}decisions/#decision-031-2025",
        "documentType": "Decision notice", "description": "Decision 031-2025 of 20/06/2025."}]
    assert change["relatedDocument"][0]["url"] == f"{SOURCE}decisions/#decision-044-2025"
    # Decision numbers are nowhere among the classifications.
    assert not [c for r in package["grants"] for c in r.get("classifications", []) if "031-2025" in json.dumps(c)
                or "044-2025" in json.dumps(c) or c["vocabulary"] == "Decision"]


def test_a_configured_decision_notice_address_is_used(grants_scenario, settings):
    settings.RINGFENCE = ringfence(DECISION_NOTICE_URL="https://decisions.example.gov.uk/notices/{number}.pdf")
    record = by_id(giving360_export(year="2025/26").package)[f"{PREFIX}-{grants_scenario.outreach.reference}"]
    assert record["relatedDocument"][0]["url"] == "https://decisions.example.gov.uk/notices/031-2025.pdf"


def test_a_reduction_is_a_negative_change_and_a_later_year_publishes_only_its_own_changes(
        grants_scenario, tmp_path, commissioner):
    from grants.variations import variation_approve, variation_request

    g = grants_scenario
    variation = variation_request(grant=g.isva, by=g.base.officer, reason="Service opened late",
                                  amounts=[(g.base.core, g.base.year, "52500.50")])
    variation_approve(variation=variation, by=commissioner, on=date(2026, 4, 2))
    this_year = by_id(giving360_export(year="2025/26").package)
    assert this_year[f"{PREFIX}-{g.isva.reference}"]["amountAwarded"] == 60000
    assert f"{PREFIX}-{g.isva.reference}-V{variation.pk}" not in this_year
    next_year, _out, _err = export_file(tmp_path, year="2026/27")
    (change,) = next_year["grants"]
    assert (change["id"], change["amountAwarded"], change["awardDate"]) == (
        f"{PREFIX}-{g.isva.reference}-V{variation.pk}", -7499.5, "2026-04-02")
    assert json.dumps(change["amountAwarded"]) == "-7499.5"
    assert change["classifications"][0]["code"] == "reduction"
    if SCHEMAS.is_dir():
        assert schema_errors(next_year) == []


# ---- As at a date --------------------------------------------------------------------------------------------


def test_as_at_a_date_counts_what_had_happened_by_then(grants_scenario, tmp_path, commissioner):
    from grants.variations import variation_approve, variation_request

    g = grants_scenario
    extension = variation_request(grant=g.isva, by=g.base.officer, reason="Extended to June",
                                  end_date=date(2026, 6, 30))
    variation_approve(variation=extension, by=commissioner)  # dates only: decided today
    now = by_id(giving360_export(year="2025/26").package)[f"{PREFIX}-{g.isva.reference}"]
    assert now["plannedDates"] == [{"startDate": "2025-04-01", "endDate": "2026-06-30", "duration": 15}]
    before_variation, out, _err = export_file(tmp_path, as_at="2025-08-15")
    records = by_id(before_variation)
    assert list(records) == [f"{PREFIX}-{g.isva.reference}", f"{PREFIX}-{g.outreach.reference}"]
    isva, outreach = records.values()
    assert (isva["amountDisbursed"], isva["classifications"][0]["code"]) == (15000, "active")
    assert isva["plannedDates"][0]["endDate"] == "2026-03-31"  # the extension was decided later
    assert outreach["amountAwarded"] == 20000 and "relatedActivity" not in outreach
    assert before_variation["title"].endswith("grants awarded in 2025/26, as at 15/08/2025")
    assert "as at 15/08/2025" in out

    before_outreach = by_id(giving360_export(year="2025/26", as_at="15/06/2025").package)
    (isva,) = before_outreach.values()  # outreach was approved on 01/07/2025; nothing paid yet
    assert (isva["amountDisbursed"], isva["classifications"][0]["code"]) == (0, "offer_accepted")


def test_a_payment_reversed_after_the_as_at_date_still_counts_then(grants_scenario):
    from grants.models import Payment
    from grants.payments import payment_reverse

    g = grants_scenario
    second = Payment.objects.get(grant=g.isva, paid_on=date(2025, 10, 30))
    payment_reverse(payment=second, reason="Paid to the wrong account", by=g.base.officer, on=date(2025, 11, 5))
    then = by_id(giving360_export(year="2025/26", as_at="2025-10-31").package)
    now = by_id(giving360_export(year="2025/26").package)
    assert then[f"{PREFIX}-{g.isva.reference}"]["amountDisbursed"] == 30000
    assert now[f"{PREFIX}-{g.isva.reference}"]["amountDisbursed"] == 15000


def test_a_withdrawn_grant_shows_what_was_paid_net_of_clawbacks_and_as_it_stood_before(grants_scenario):
    from grants.models import FundingLine
    from grants.payments import clawback_record
    from grants.workflow import grant_withdraw

    g = grants_scenario
    clawback_record(funding_line=FundingLine.objects.get(grant=g.isva), amount="2500.25",
                    received_on=date(2025, 11, 10), reason="Adviser post vacant for a month", by=g.base.officer)
    grant_withdraw(grant=g.isva, by=g.base.officer, reason="Provider stopped delivering", on=date(2025, 11, 15))
    export = giving360_export(year="2025/26")
    isva = by_id(export.package)[f"{PREFIX}-{g.isva.reference}"]
    assert (isva["amountAwarded"], isva["amountDisbursed"]) == (27499.75, 27499.75)
    assert isva["awardDate"] == "2025-05-01"
    assert ("Withdrawn on 15/11/2025. £60,000.00 was awarded; the amount awarded shown is what was paid, "
            "£27,499.75, net of money clawed back.") in isva["description"]
    assert isva["classifications"][0]["code"] == "withdrawn"
    assert export.withdrawn == 1
    before = by_id(giving360_export(year="2025/26", as_at="2025-11-12").package)[f"{PREFIX}-{g.isva.reference}"]
    assert (before["amountAwarded"], before["amountDisbursed"]) == (60000, 27499.75)
    assert before["classifications"][0]["code"] == "active"


def test_a_withdrawn_grant_with_nothing_paid_is_left_out_with_its_changes(grants_scenario, tmp_path):
    from grants.workflow import grant_withdraw

    g = grants_scenario
    grant_withdraw(grant=g.outreach, by=g.base.officer, reason="Partnership ended", on=date(2025, 12, 1))
    package, out, err = export_file(tmp_path)
    assert list(by_id(package)) == [f"{PREFIX}-{g.isva.reference}"]
    assert "Left out 1 withdrawn grant(s) on which nothing was paid." in err
    assert out.startswith("Wrote 1 grant(s) as at")
    assert len(by_id(giving360_export(year="2025/26", as_at="2025-11-30").package)) == 3  # not yet withdrawn


def test_bad_as_at_dates_are_refused_with_the_reason(grants_scenario, tmp_path):
    today = timezone.localdate()
    future = date(today.year + 1, 1, 1)
    with pytest.raises(CommandError, match=f"{future:%d/%m/%Y} is after today"):
        export_file(tmp_path, as_at=future.isoformat())
    with pytest.raises(CommandError, match=r"01/03/2025 is before 2025/26 began \(01/04/2025\)"):
        export_file(tmp_path, as_at="2025-03-01")
    with pytest.raises(CommandError, match="'31/02/2026' is not a date; write it like 31/12/2025"):
        export_file(tmp_path, as_at="31/02/2026")
    assert not (tmp_path / "grants.json").exists()


def test_a_year_without_grants_is_refused(grants_scenario, tmp_path):
    with pytest.raises(CommandError, match="There is no financial year 2031/32"):
        export_file(tmp_path, year="2031/32")
    with pytest.raises(CommandError, match=r"No grants to publish for 2025/26 as at 15/04/2025"):
        export_file(tmp_path, as_at="2025-04-15")


# ---- The funder's identifier and the addresses named -----------------------------------------------------------


@pytest.mark.parametrize("identifier, expected", [
    ("GB-GOR-PB9042", None),
    ("GB-LAE-BIR", None),
    ("GB-CHC-1123456", None),
    ("GB-COH-SC123456", None),
    ("360G-wmopcc", "is not an org-id with a registered prefix"),
    ("XX-FOO-123", "is not an org-id with a registered prefix"),
    ("GB-GOR-", "has no identifier after GB-GOR-"),
    ("GB-GOR-PB 9042", "has no identifier after GB-GOR-"),
    ("GB-CHC-12", "is not a charity identifier"),
    ("GB-COH-123", "is not a company identifier"),
])
def test_org_id_prefixes_are_checked_against_the_registers(identifier, expected):
    refusal = org_id_refusal(identifier)
    assert (refusal is None) if expected is None else (expected in refusal)


def test_an_unregistered_funder_identifier_is_refused_at_export_time(grants_scenario, tmp_path, settings):
    original = settings.RINGFENCE
    settings.RINGFENCE = {**original, "FUNDER_ORG_ID": "360G-wmopcc"}
    with pytest.raises(CommandError, match=r"RINGFENCE_FUNDER_ORG_ID\): '360G-wmopcc' is not an org-id with a "
                                           r"registered prefix.*GB-CHC, GB-COH, GB-EDU, GB-GOR"):
        export_file(tmp_path)
    settings.RINGFENCE = {**original, "FUNDER_ORG_ID": ""}
    with pytest.raises(ValidationError, match="Set RINGFENCE_FUNDER_ORG_ID"):
        giving360_export(year="2025/26")
    settings.RINGFENCE = {**original, "TRANSPARENCY_URL": "our website"}
    with pytest.raises(CommandError, match="RINGFENCE_TRANSPARENCY_URL must be a web address starting https://"):
        export_file(tmp_path)
    assert not (tmp_path / "grants.json").exists()


def test_grants_to_a_person_never_name_them(grants_scenario, settings):
    from grants.models import Organisation

    settings.RINGFENCE = ringfence(PUBLISHER_LOGO_URL="https://www.westmidlands-pcc.example/logo.png")
    Organisation.objects.filter(pk=grants_scenario.brindley.pk).update(is_individual=True)
    package = giving360_export(year="2025/26").package
    text = json.dumps(package)
    assert "Brindley" not in text and "Canal Side" not in text and "B1 2JP" not in text
    record = package["grants"][0]
    assert record["recipientIndividual"] == {"id": f"{PREFIX}-IND-{grants_scenario.brindley.pk}",
                                             "name": "Individual recipient"}
    assert "recipientOrganization" not in record
    assert package["publisher"]["logo"] == "https://www.westmidlands-pcc.example/logo.png"
    if SCHEMAS.is_dir():
        assert schema_errors(package) == []


# ---- The official schema and the data-quality checks ---------------------------------------------------------


@needs_schemas
def test_the_package_validates_against_the_360giving_schema_and_passes_the_quality_checks(grants_scenario, tmp_path):
    from grants.workflow import grant_withdraw

    grant_withdraw(grant=grants_scenario.isva, by=grants_scenario.base.officer, reason="Provider closed",
                   on=date(2025, 11, 15))
    for as_at in (None, "2025-08-15"):
        package, _out, _err = export_file(tmp_path, as_at=as_at)
        assert schema_errors(package) == []
        assert quality_failures(package) == []


@needs_schemas
def test_the_validator_and_the_checks_would_catch_a_broken_record(grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    package["grants"][0]["amountAwarded"] = "60,000.00"
    package["grants"][1]["awardDate"] = "01/07/2025"
    assert len(schema_errors(package)) >= 2
    package["grants"][2]["fundingOrganization"] = [{"id": "360G-wmopcc", "name": FUNDER["name"]}]
    package["grants"][2].pop("dataSource")
    failures = quality_failures(package)
    assert {f.split(": ")[-1] for f in failures} >= {"FundingOrgUnrecognisedPrefix", "FundingOrg360GPrefix",
                                                     "NoDataSource", "MoreThanOneFundingOrg / "
                                                     "MultiFundingOrgIdsForName / MultiFundingNamesForOrgId"}


def test_amounts_in_pence_stay_exact(grants_scenario):
    from grants.models import Payment

    payment = Payment.objects.filter(grant=grants_scenario.isva).first()
    assert payment.paid_on == date(2025, 7, 30)
    export = giving360_export(year="2025/26")
    assert json.dumps(export.package["grants"][0]["amountDisbursed"]) == "30000"
