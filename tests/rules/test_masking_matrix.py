"""Rule x path matrix for sensitive fields: a bank account's sort code and number (``BankDetails.sensitive_fields``)
never appear in full anywhere they could be read, and wherever they appear they carry the one mask
(``core.sensitive.mask``: ``******19``).

Brindley Survivors Trust's verified details (20-45-77, 31926819) are changed once, after its grant is approved, to
60-16-13, 44019283 (entered by one officer, verified by a commissioner). Then every place that could show them is
read: the record's history page as each role, the organisation's history and page, the grant's page and timeline,
the changes statement in Excel, CSV and PDF (read back with openpyxl, csv and pdftotext), and the admin's list,
change page, history view and historical versions as a superuser.
"""

import csv
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from core.sensitive import mask
from grants.models import BankDetails
from grants.organisations import bank_details_submit, bank_details_verify
from grants.selectors import grant_timeline
from reports.exports import render
from tests.grants.conftest import (  # noqa: F401  (fixtures)
    approved_grant,
    draft_grant,
    org,
    service,
    submitted_grant,
)
from tests.rules.conftest import page_text

OLD = {"sort_code": "20-45-77", "account_number": "31926819"}
NEW = {"sort_code": "60-16-13", "account_number": "44019283"}
OLD_MASKS = ("******77", "******19")
NEW_MASKS = ("******13", "******83")


def full_forms(details: dict) -> list[str]:
    """Every way a full value could be written: the sort code with and without its hyphens, the account number."""
    return [details["sort_code"], details["sort_code"].replace("-", ""), details["account_number"]]


def assert_masked(text: str, *, shows: tuple[str, ...] = NEW_MASKS, where: str) -> None:
    for full in full_forms(OLD) + full_forms(NEW):
        assert full not in text, f"{where} shows {full} in full"
    for masked in shows:
        assert masked in text, f"{where} does not show the mask {masked}"


@pytest.fixture
def changed(approved_grant, org, officer, commissioner):  # noqa: F811
    """The grant is approved; then the organisation's details change once, verified by a second person."""
    new = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", by=officer,
                              reason="New bank: letter of 02/11/2025", **NEW)
    new = bank_details_verify(details=new, by=commissioner, note="Call-back to the number on the charity register")
    old = BankDetails.objects.get(organisation=org, account_number=OLD["account_number"])
    return approved_grant, old, new


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_one_mask_everywhere_is_the_models_declaration():
    assert BankDetails.sensitive_fields == ("sort_code", "account_number")
    assert mask("44019283") == "******83" and mask("60-16-13") == "******13" and mask("") == ""


def test_the_model_shows_itself_masked(changed):
    _, old, new = changed
    assert str(new) == "Brindley Survivors Trust: ******13 ******83 (Verified)"
    assert (new.masked_sort_code, new.masked_account_number, old.masked) == ("******13", "******83",
                                                                                 "******77 ******19")


@pytest.mark.parametrize("role", ["officer", "officer2", "commissioner", "director"])
def test_history_pages_as_each_role(changed, role, request):
    grant, old, new = changed
    client = client_for(request.getfixturevalue(role))
    page = page_text(client.get(f"/history/grants/bankdetails/{new.pk}/"))
    assert "Sort code — ******13" in page and "Account number — ******83" in page
    assert "Status Awaiting verification Verified" in page
    assert_masked(page, where=f"the history page (as {role})")
    page = page_text(client.get(f"/history/grants/bankdetails/{old.pk}/"))
    assert_masked(page, shows=OLD_MASKS, where=f"the old details' history page (as {role})")
    page = page_text(client.get(f"/history/grants/organisation/{grant.organisation_id}/"))
    assert "New bank details for Brindley Survivors Trust (******13 ******83) await verification" in page
    assert_masked(page, where=f"the organisation's history page (as {role})")


@pytest.mark.parametrize("role", ["officer", "commissioner", "director"])
def test_grant_and_organisation_pages_and_the_timeline_as_each_role(changed, role, request):
    grant, _, new = changed
    client = client_for(request.getfixturevalue(role))
    page = page_text(client.get(f"/grants/{grant.pk}/timeline/"))
    assert "Bank details added (Brindley Survivors Trust's bank details)" in page
    assert "Sort code — ******13 Account number — ******83" in page
    assert_masked(page, where=f"the grant's timeline (as {role})")
    assert_masked(page_text(client.get(f"/grants/{grant.pk}/")), where=f"the grant's page (as {role})")
    page = page_text(client.get(f"/organisations/{grant.organisation_id}/"))
    assert_masked(page, shows=NEW_MASKS + OLD_MASKS, where=f"the organisation's page (as {role})")


def test_the_timeline_selector_and_the_decided_verification_page(changed, officer2):
    grant, _, new = changed
    values = [(c.label, c.before, c.after) for e in grant_timeline(grant) for c in e.changes
              if c.name in BankDetails.sensitive_fields]
    assert values == [("Sort code", "", "******13"), ("Account number", "", "******83")]
    page = page_text(client_for(officer2).get(reverse("grants:bank_details_decide", args=[new.pk])))
    assert_masked(page, shows=NEW_MASKS + ("******19",), where="the verification page of decided details")


def test_only_the_verifier_of_pending_details_reads_them_in_full(org, officer, officer2):  # noqa: F811
    pending = bank_details_submit(organisation=org, account_name="Brindley Survivors Trust", by=officer, **NEW)
    page = page_text(client_for(officer2).get(reverse("grants:bank_details_decide", args=[pending.pk])))
    assert NEW["account_number"] in page and NEW["sort_code"] in page
    assert "******19" in page and OLD["account_number"] not in page  # the details they replace stay masked


def _statement(fmt: str, director) -> bytes:
    return render(fmt, year="2025/26", user=director, statement="changes")[2]


def test_the_changes_statement_in_excel(changed, director):
    workbook = openpyxl.load_workbook(io.BytesIO(_statement("xlsx", director)), read_only=True)
    cells = [str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for v in row
             if v is not None]
    text = "\n".join(cells)
    assert "Account number: ******83" in text and "Sort code: ******13" in text
    assert_masked(text, where="the changes statement (xlsx)")


def test_the_changes_statement_in_csv(changed, director):
    rows = list(csv.reader(io.StringIO(_statement("csv", director).decode("utf-8-sig"))))
    bank = [row for row in rows if "Bank details" in row]
    assert bank and any("Account number: ******83" in cell for row in bank for cell in row)
    assert_masked("\n".join(",".join(row) for row in rows), where="the changes statement (csv)")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_changes_statement_in_pdf(changed, director, tmp_path):
    path = tmp_path / "changes.pdf"
    path.write_bytes(_statement("pdf", director))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert_masked(text, where="the changes statement (pdf)")


def test_the_admin_as_superuser(changed, admin_user):
    grant, old, new = changed
    client = client_for(admin_user)
    where = {
        "the admin's list": reverse("admin:grants_bankdetails_changelist"),
        "the admin's change page": reverse("admin:grants_bankdetails_change", args=[new.pk]),
        "the admin's history view": reverse("admin:grants_bankdetails_history", args=[new.pk]),
        "the organisation's admin page": reverse("admin:grants_organisation_change", args=[grant.organisation_id]),
    }
    for name, url in where.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert_masked(page_text(response), where=name)
    history = page_text(client.get(where["the admin's history view"]))
    assert "Status: Awaiting verification → Verified" in history
    for record in new.history.all():
        url = reverse("admin:grants_bankdetails_simple_history", args=[new.pk, record.history_id])
        response = client.get(url)
        assert response.status_code == 200
        assert_masked(page_text(response), where="a historical version in the admin")
