"""The management commands still do their work in the foreground and exit with their result: nothing is queued."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from income.models import AwardLetter
from jobs.models import Job
from reports.models import IssuedPack
from tests.income.importing_files import GOOD_ROWS, csv_bytes


def nothing_queued():
    return not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_import_income_records_the_file_before_it_exits(officer, core_fund, tmp_path):
    path = tmp_path / "income.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS[:2]))
    out = StringIO()
    call_command("import_income", str(path), user=officer.username, stdout=out)
    assert "Imported 2 rows from income.csv" in out.getvalue()
    assert AwardLetter.objects.count() == 1 and nothing_queued()


def test_import_income_still_exits_with_an_error_for_a_refused_file(officer, core_fund, tmp_path):
    path = tmp_path / "income.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(CommandError):
        call_command("import_income", str(path), user=officer.username, stdout=StringIO())
    assert nothing_queued()


def test_issue_pack_issues_the_pack_before_it_exits(funded_core, year, director):
    out = StringIO()
    call_command("issue_pack", year="2025/26", month="2026-03", user=director.username, formats="csv", stdout=out)
    pack = IssuedPack.objects.get()
    assert out.getvalue().startswith(f"Issued pack {pack.pk}: 2025/26 as at 31/03/2026") and nothing_queued()


def test_year_end_posts_before_it_exits(closed_year, director):
    out = StringIO()
    call_command("year_end", year="2025/26", user=director.username, stdout=out)
    closed_year.refresh_from_db()
    assert closed_year.is_year_ended and nothing_queued()
