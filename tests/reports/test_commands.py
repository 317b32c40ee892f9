"""The command line: export_statement, issue_pack, verify_pack."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reports.sheets import load


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_statement_writes_an_excel_workbook(scenario, tmp_path):
    path = tmp_path / "pack.xlsx"
    out = run("export_statement", "--year", "2025/26", "--as-at", "2026-03-31", "--format", "xlsx",
              "--output", str(path))
    assert f"Wrote {path}" in out and "figures hash " in out
    assert load(path.read_bytes()).sheetnames[:2] == ["Cover", "Fund statement"]


def test_export_statement_writes_a_pdf(scenario, tmp_path):
    path = tmp_path / "pack.pdf"
    run("export_statement", "--year", "2025/26", "--known-at", "2026-01-05T09:00", "--format", "pdf",
        "--output", str(path))
    assert path.read_bytes().startswith(b"%PDF")


def test_export_statement_csv_writes_one_file_per_statement_into_a_folder(scenario, tmp_path):
    folder = tmp_path / "csv"
    run("export_statement", "--year", "2025/26", "--as-at", "2026-03-31", "--format", "csv", "--output", str(folder))
    names = sorted(p.name for p in folder.iterdir())
    keys = ("changes", "fund", "grants", "monitoring", "quarterly", "retained")
    assert names == [f"ringfence-2025-26-as-at-2026-03-31-{k}.csv" for k in keys]
    rows = list(csv.reader(io.StringIO((folder / names[1]).read_text("utf-8-sig"))))
    assert rows[-1][:4] == ["total", "All funds", "", "Total all funds"] and rows[-1][13] == "414056.25"


@pytest.mark.parametrize("args, message", [
    (["--year", "2031/32", "--format", "xlsx"], "There is no financial year 2031/32. Years set up: 2024/25"),
    (["--year", "2025-26", "--format", "xlsx"], "'2025-26' is not a financial year; write it like 2025/26."),
    (["--year", "2025/26", "--format", "docx"], "Unknown format 'docx'; choose one of xlsx, pdf, csv."),
    (["--year", "2025/26", "--format", "pdf", "--as-at", "31.12.2025"], "'31.12.2025' is not a date"),
    (["--year", "2025/26", "--format", "pdf", "--known-at", "soon"], "'soon' is not a moment"),
    (["--year", "2025/26", "--format", "pdf", "--statement", "budget"], "Unknown statement 'budget'"),
])
def test_export_statement_refuses_bad_input_with_a_clear_message(year, tmp_path, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call_command("export_statement", *args, "--output", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_export_statement_exits_non_zero_from_the_shell(year, tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "manage.py", "export_statement", "--year", "2025/26", "--format", "odt", "--output",
         str(tmp_path / "x")], cwd=settings.BASE_DIR, capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Unknown format 'odt'; choose one of xlsx, pdf, csv." in result.stderr


def test_issue_pack_then_verify_pack(scenario):
    out = run("issue_pack", "--year", "2025/26", "--user", "diana", "--formats", "xlsx,csv")
    assert out.startswith("Issued pack ")
    pack_id = out.split()[2].rstrip(":")
    assert "rebuilds exactly" in run("verify_pack", pack_id)
    with pytest.raises(CommandError, match="There is no user 'nobody'"):
        run("issue_pack", "--year", "2025/26", "--user", "nobody")
