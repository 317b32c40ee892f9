"""The mapping pages (finance officers edit, finance directors read) and the monthly journal page and download."""

from corporate.journal import gl_journal, gl_journal_csv, sha256
from corporate.models import GLMapping
from ledger import accounts as acc
from tests.corporate.conftest import account, month
from tests.rules.conftest import page_text
from tests.web.conftest import signed_in

MAPPINGS = "/corporate/mappings/"
JOURNAL = "/corporate/journal/"


def test_the_mapping_page_lists_what_has_postings_and_no_mapping(may_postings, officer):
    text = page_text(signed_in(officer).get(MAPPINGS))
    assert "9 account and fund pairs have postings and no mapping" in text  # April to June: nothing mapped yet
    assert f"{account(acc.POCA_INCOME).code} {account(acc.POCA_INCOME).name} POCA" in text
    assert "Map for POCA on account 4100" in text and "Map for all funds on account 4100" in text


def test_the_mapping_page_says_where_each_pair_goes(mapped, officer):
    response = signed_in(officer).get(MAPPINGS)
    text = page_text(response)
    assert "Every account and fund with postings is mapped." in text
    assert "5000 Grants paid to commissioned services POCA PCC420 52100 the fund's own mapping" in text
    assert "5000 Grants paid to commissioned services MOJ-CORE PCC410 52100 the all-funds mapping" in text


def test_a_finance_director_reads_the_mapping_without_edit_links(mapped, director):
    response = signed_in(director).get(MAPPINGS)
    assert response.status_code == 200
    assert b"/corporate/mappings/new/" not in response.content and b"/edit/" not in response.content
    assert signed_in(director).get("/corporate/mappings/new/").status_code == 403


def test_an_officer_adds_a_mapping_from_the_missing_list(may_postings, poca_fund, officer):
    client = signed_in(officer)
    form = client.get(f"/corporate/mappings/new/?account={account(acc.POCA_INCOME).pk}&fund={poca_fund.pk}")
    assert f'<option value="{poca_fund.pk}" selected>'.encode() in form.content
    response = client.post("/corporate/mappings/new/", {
        "account": account(acc.POCA_INCOME).pk, "fund": poca_fund.pk, "cost_centre": "PCC410",
        "subjective": "41000", "reason": "",
    })
    assert response.status_code == 302 and response["Location"] == MAPPINGS
    mapping = GLMapping.objects.get(account=account(acc.POCA_INCOME))
    assert (mapping.fund, mapping.target, mapping.history.get().history_user) == (poca_fund, "PCC410/41000", officer)


def test_a_bad_code_is_shown_next_to_the_form_and_nothing_is_written(may_postings, officer):
    response = signed_in(officer).post("/corporate/mappings/new/", {
        "account": account(acc.CASH).pk, "fund": "", "cost_centre": "PCC 100", "subjective": "10100"})
    assert response.status_code == 400
    assert "use only letters, digits and hyphens inside the code" in page_text(response)
    assert not GLMapping.objects.exists()


def test_an_officer_changes_and_removes_a_mapping_with_a_reason(mapped, officer):
    client = signed_in(officer)
    mapping = GLMapping.objects.get(account=account(acc.CASH))
    edit = f"/corporate/mappings/{mapping.pk}/edit/"
    assert 'value="PCC100"' in client.get(edit).content.decode()
    refused = client.post(edit, {"cost_centre": "PCC101", "subjective": "10100", "reason": ""})
    assert refused.status_code == 400
    changed = client.post(edit, {"cost_centre": "PCC101", "subjective": "10100", "reason": "Renumbered"})
    assert changed.status_code == 302
    mapping.refresh_from_db()
    assert mapping.cost_centre == "PCC101"
    remove = f"/corporate/mappings/{mapping.pk}/remove/"
    assert client.post(remove, {"reason": ""}).status_code == 400
    assert client.post(remove, {"reason": "Cash is mapped per fund now"}).status_code == 302
    assert not GLMapping.objects.filter(pk=mapping.pk).exists()
    assert "Not mapped" in page_text(client.get(MAPPINGS))


def test_the_journal_page_offers_closed_months_and_says_why_not_for_open_ones(mapped, director):
    text = page_text(signed_in(director).get(f"{JOURNAL}?year=2025"))
    journal = gl_journal(period=mapped)
    assert f"P2 May 2025 RF-2025-05 8 £141,335.21 Download CSV for May 2025 SHA-256 " \
           f"{sha256(gl_journal_csv(journal))}" in text
    assert "P3 June 2025 Open 2025/26 P3 (Jun 2025) is still open: close the month first" in text


def test_the_journal_page_shows_a_closed_month_that_is_not_mapped(may_postings, officer):
    text = page_text(signed_in(officer).get(f"{JOURNAL}?year=2025"))
    assert "P2 May 2025 Not mapped The journal for 2025/26 P2 (May 2025) cannot be made" in text


def test_downloading_gives_the_exported_bytes(mapped, officer):
    response = signed_in(officer).get(f"{JOURNAL}2025/5/csv/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ringfence-gl-journal-2025-05.csv"'
    assert response.content == gl_journal_csv(gl_journal(period=mapped))
    assert response["X-Content-SHA256"] == sha256(response.content)


def test_downloading_a_refused_month_goes_back_with_the_reason(mapped, officer):
    client = signed_in(officer)
    response = client.get(f"{JOURNAL}2025/6/csv/", follow=True)
    assert response.redirect_chain == [(f"{JOURNAL}?year=2025", 302)]
    assert "2025/26 P3 (Jun 2025) is still open: close the month first" in page_text(response)
    assert client.get(f"{JOURNAL}2040/6/csv/").status_code == 404
    assert client.get(f"{JOURNAL}2025/13/csv/").status_code == 404


def test_commissioners_do_not_reach_the_corporate_pages(mapped, commissioner):
    client = signed_in(commissioner)
    for url in (MAPPINGS, JOURNAL, f"{JOURNAL}2025/5/csv/"):
        assert client.get(url).status_code == 403
    assert month(2025, 5).is_closed
