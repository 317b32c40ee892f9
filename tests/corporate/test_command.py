"""python manage.py export_gl_journal --period YYYY-MM --output FILE.csv"""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from corporate.journal import gl_journal, gl_journal_csv
from ledger import accounts as acc
from tests.corporate.conftest import account


def export(period: str, output) -> str:
    out = StringIO()
    call_command("export_gl_journal", "--period", period, "--output", str(output), stdout=out)
    return out.getvalue()


def test_the_command_writes_the_journal_and_prints_its_control_total_and_hash(mapped, tmp_path):
    path = tmp_path / "gl-2025-05.csv"
    printed = export("2025-05", path)
    data = path.read_bytes()
    assert data == gl_journal_csv(gl_journal(period=mapped))
    assert "8 lines from 10 postings; control total £141,335.21 debits = £141,335.21 credits" in printed
    assert f"SHA-256 {hashlib.sha256(data).hexdigest()}" in printed
    assert "journal RF-2025-05, 2025/26 P2 (May 2025)" in printed


def test_exporting_twice_gives_the_same_bytes(mapped, tmp_path):
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    export("2025-05", first)
    export("2025-05", second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("period, message", [
    ("2025-5", "'2025-5' is not a month: write it as year-month, YYYY-MM, for example 2026-10."),
    ("October", "'October' is not a month"),
    ("2031-10", "October 2031 is not a month of any financial year in Ringfence (financial years set up: "
                "2024/25 to 2026/27)."),
    ("2025-06", "2025/26 P3 (Jun 2025) is still open: close the month first"),
])
def test_refusals_are_clear_and_write_no_file(mapped, tmp_path, period, message):
    path = tmp_path / "gl.csv"
    with pytest.raises(CommandError) as refused:
        export(period, path)
    assert message in str(refused.value)
    assert not path.exists()


def test_unmapped_postings_are_refused_by_name_and_write_no_file(mapped, tmp_path):
    from corporate.models import GLMapping

    GLMapping.objects.filter(account=account(acc.POCA_INCOME)).delete()
    path = tmp_path / "gl.csv"
    with pytest.raises(CommandError, match=rf"account {account(acc.POCA_INCOME)} on fund POCA"):
        export("2025-05", path)
    assert not path.exists()


def test_a_folder_or_a_missing_folder_is_refused(mapped, tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        export("2025-05", tmp_path)
    with pytest.raises(CommandError, match="does not exist"):
        export("2025-05", tmp_path / "nowhere" / "gl.csv")
