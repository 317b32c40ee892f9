"""The 360Giving export, validated against the official schemas in ../shared/360giving when they are there."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.giving360 import giving360_export

SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "360giving"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(),
    reason=f"The 360Giving schemas are not at {SCHEMAS} (../shared/360giving beside the repository), so the "
           "export is not validated against them here.",
)
GRANT_SCHEMA_1_4_2 = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"


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


def export_file(tmp_path, year="2025/26"):
    path = tmp_path / "grants.json"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_360giving", "--year", year, "--output", str(path), stdout=out, stderr=err)
    return json.loads(path.read_text(encoding="utf-8")), out.getvalue(), err.getvalue()


def test_do_not_publish_grants_are_left_out_and_counted_on_stderr(grants_scenario, tmp_path):
    package, out, err = export_file(tmp_path)
    assert err.strip() == "Left out 1 grant(s) marked do not publish."
    assert out.strip().startswith("Wrote 2 grant(s) to ")
    g = grants_scenario
    assert [r["id"] for r in package["grants"]] == [f"360G-wmopcc-{g.isva.reference}",
                                                    f"360G-wmopcc-{g.outreach.reference}"]
    assert "Refuge support" not in json.dumps(package)


def test_grant_records_carry_exact_amounts_and_the_recipient(grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    isva, outreach = package["grants"]
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
    assert outreach["amountAwarded"] == 24000  # the varied award
    assert outreach["classifications"] == [{"vocabulary": "Decision", "code": "031-2025",
                                            "title": "Decision 031-2025"}]
    assert outreach["beneficiaryLocation"][0]["geoCodeType"] == "PFA"
    assert isva["fundingOrganization"] == [{"id": "360G-wmopcc", "name": settings.RINGFENCE["OWNING_BODY"]}]


@needs_schemas
def test_the_package_validates_against_the_360giving_schema(grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


@needs_schemas
def test_the_validator_would_catch_a_broken_record(grants_scenario, tmp_path):
    package, _out, _err = export_file(tmp_path)
    package["grants"][0]["amountAwarded"] = "60,000.00"
    package["grants"][1]["awardDate"] = "01/07/2025"
    assert len(list(validator().iter_errors(package))) >= 2


def test_a_year_without_grants_is_refused(grants_scenario, tmp_path):
    with pytest.raises(CommandError, match="No grants to publish for 2026/27"):
        export_file(tmp_path, year="2026/27")
    with pytest.raises(CommandError, match="There is no financial year 2031/32"):
        export_file(tmp_path, year="2031/32")


def test_amounts_in_pence_stay_exact(grants_scenario):
    from grants.models import Payment

    payment = Payment.objects.filter(grant=grants_scenario.isva).first()
    assert payment.paid_on == date(2025, 7, 30)
    export = giving360_export(year="2025/26")
    assert json.dumps(export.package["grants"][0]["amountDisbursed"]) == "30000"
