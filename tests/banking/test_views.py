"""The pages, thinly over the services: import, suggestions, confirm all, undo, sign-off, downloads."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banking.models import BankStatement, Match
from tests.banking.conftest import APRIL_CLOSING, APRIL_CSV, banking_rows
from tests.rules.conftest import page_text


def upload(client, april, content=APRIL_CSV, closing=APRIL_CLOSING):
    return client.post(reverse("banking:import"), {
        "period": april.pk, "file": SimpleUploadedFile("april.csv", content, content_type="text/csv"),
        "opening_balance": "0.00", "closing_balance": closing})


def test_a_month_from_import_to_sign_off_and_download(client, april, april_cash, officer, director):
    client.force_login(officer)
    response = upload(client, april)
    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response.url == reverse("banking:statement", args=[statement.pk])
    text = page_text(client.get(response.url))
    assert "Suggested matches (3)" in text and "Payment run PR00001" in text
    assert "You imported Bank statement April 2025" in text  # the importer is told who signs off
    client.post(reverse("banking:match_confirm_all", args=[statement.pk]))
    assert Match.objects.count() == 3
    text = page_text(client.get(reverse("banking:statement", args=[statement.pk])))
    assert "Unmatched statement lines (1, -£12.50)" in text and "Difference £0.00" in text
    client.force_login(director)
    assert "Confirm all suggestions" not in page_text(client.get(reverse("banking:statement", args=[statement.pk])))
    response = client.post(reverse("banking:sign_off", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.reconciled_by == director
    text = page_text(client.get(reverse("banking:index")))
    assert "Reconciled" in text and "April 2025" in text
    xlsx = client.get(reverse("banking:report_xlsx", args=[statement.pk]))
    assert xlsx["Content-Disposition"] == 'attachment; filename="bank-reconciliation-2025-04.xlsx"'
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("banking:report_pdf", args=[statement.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_refused_file_names_its_rows_on_the_page_and_writes_nothing(client, april, officer):
    client.force_login(officer)
    before = banking_rows()
    response = upload(client, april, content=b"Date,Amount,Reference\n31/02/2025,1.00,A\n", closing="1.00")
    assert response.status_code == 200
    assert "row 2: '31/02/2025' is not a date" in page_text(response)
    assert banking_rows() == before


def test_matching_by_hand_and_undo_on_the_page(client, april_statement, april_cash, officer):
    client.force_login(officer)
    line = april_statement.lines.get(number=2)
    client.post(reverse("banking:match_confirm", args=[april_statement.pk]),
                {"line": [line.pk], "entry": [april_cash["bacs2"].pk]})
    response = client.get(reverse("banking:statement", args=[april_statement.pk]))
    assert "The statement lines come to £100,000.00 and the cash items to £250.00" in page_text(response)
    assert not Match.objects.exists()
    client.post(reverse("banking:match_confirm", args=[april_statement.pk]),
                {"line": [line.pk], "entry": [april_cash["bacs1"].pk]})
    match = Match.objects.get()
    client.post(reverse("banking:match_undo", args=[match.pk]), {"reason": "Checking the remittance"})
    match.refresh_from_db()
    assert match.is_undone and match.undo_reason == "Checking the remittance"


def test_directors_read_but_do_not_import_or_match(client, april_statement, director, commissioner):
    client.force_login(director)
    assert client.get(reverse("banking:statement", args=[april_statement.pk])).status_code == 200
    assert client.get(reverse("banking:import")).status_code == 403
    assert client.post(reverse("banking:match_confirm_all", args=[april_statement.pk])).status_code == 403
    client.force_login(commissioner)
    assert client.get(reverse("banking:index")).status_code == 403


def test_withdraw_on_the_page(client, april_statement, officer):
    client.force_login(officer)
    response = client.post(reverse("banking:withdraw", args=[april_statement.pk]), {"reason": "Wrong file"})
    assert response.status_code == 302
    april_statement.refresh_from_db()
    assert april_statement.is_withdrawn


def test_the_import_page_documents_the_columns_and_offers_the_next_month(client, april_statement, may, officer):
    client.force_login(officer)
    response = client.get(reverse("banking:import"))
    text = page_text(response)
    assert response.status_code == 200
    assert "Date : the day the money moved" in text and "Description (optional)" in text
    assert response.context["form"].initial == {"period": may.pk, "opening_balance": "95237.50"}


def test_a_withdrawn_statement_page_says_so(client, april_statement, officer):
    from banking.statements import bank_statement_withdraw

    bank_statement_withdraw(statement=april_statement, by=officer, reason="Wrong file")
    client.force_login(officer)
    text = page_text(client.get(reverse("banking:statement", args=[april_statement.pk])))
    assert "Withdrawn" in text and "Wrong file" in text and "Confirm all suggestions" not in text
