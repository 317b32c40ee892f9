"""Issued packs: stored files and hashes, exact rebuilds, and the movement against the previous pack."""

import hashlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import save_with_history
from core.models import Event
from funds.models import Fund
from reports.models import IssuedPack
from reports.packs import pack_issue, pack_movement, pack_verify
from tests.reports.conftest import commit, pay
from tests.reports.sheets import evaluate, load, row_of


def test_issuing_stores_each_file_with_its_hash_and_the_parameters(scenario):
    pack = pack_issue(year="2025/26", as_at="2025-12-31", by=scenario.director, note="December FDG")
    files = {f.filename: f for f in pack.files.all()}
    stem = "ringfence-2025-26-as-at-2025-12-31"
    keys = ("changes", "fund", "grants", "monitoring", "quarterly", "retained")
    assert sorted(files) == [f"{stem}-{key}.csv" for key in keys] + [f"{stem}.pdf", f"{stem}.xlsx"]
    for stored in files.values():
        content = bytes(stored.content)
        assert stored.sha256 == hashlib.sha256(content).hexdigest() and stored.size == len(content)
    assert pack.known_at == pack.issued_at
    assert pack.parameters["year"] == "2025/26" and pack.parameters["as_at"] == "2025-12-31"
    assert pack.parameters["issued_by"] == "Diana" and pack.parameters["previous_pack"] is None
    assert pack.summary["MOJ-CORE"]["available"] == "300000.00"
    assert pack.summary["MOJ-CORE"]["name"] == "Victims' services core grant"
    cover = load(bytes(files["ringfence-2025-26-as-at-2025-12-31.xlsx"].content))["Cover"]
    facts = {row[0]: row[1] for row in cover.iter_rows(min_row=4, max_row=12, values_only=True)}
    assert facts["Issued by"] == "Diana" and facts["Pack hash (SHA-256 of the figures)"] == pack.figures_hash
    assert Event.objects.filter(kind="pack.issued", object_id=str(pack.pk)).count() == 1


def test_an_issued_pack_rebuilds_to_the_same_figures_and_bytes_after_later_changes(scenario):
    pack = pack_issue(year="2025/26", as_at="2025-12-31", by=scenario.director)
    commit(scenario.core, "15000.00", scenario.officer, date(2025, 11, 30))  # backdated into the period
    pay(scenario.core, "5000.00", scenario.officer, date(2025, 12, 1))
    fund = Fund.objects.get(pk=scenario.core.pk)
    fund.name = "Renamed after the pack was issued"
    save_with_history(fund, by=scenario.officer, reason="Rename")
    check = pack_verify(pack=pack)
    assert check.figures_match
    assert check.files == {f.filename: True for f in pack.files.all()}
    assert check.ok


def test_the_next_pack_shows_the_movement_per_fund(scenario):
    first = pack_issue(year="2025/26", as_at="2026-03-31", by=scenario.director)
    pay(scenario.core, "25000.00", scenario.officer, date(2026, 1, 15))
    second = pack_issue(year="2025/26", as_at="2026-03-31", by=scenario.officer)
    assert second.parameters["previous_pack"] == first.pk
    core = next(line for line in pack_movement(pack=second) if line.fund == "MOJ-CORE")
    assert (core.previous["actual"], core.current["actual"]) == (D("90000.00"), D("115000.00"))
    assert core.movement == {"revised": D("0.00"), "awarded": D("0.00"), "received": D("0.00"),
                             "committed": D("-25000.00"), "actual": D("25000.00"), "available": D("0.00"),
                             "forecast": D("0.00")}
    workbook = load(bytes(second.files.get(format="xlsx").content))
    sheet = workbook["Movement"]
    core_row = row_of(sheet, "A", "MOJ-CORE")
    assert [sheet[f"{c}{core_row}"].value for c in "FG"] == [-25000, 25000]
    total = row_of(sheet, "A", "All funds")
    assert sheet[f"G{total}"].value.startswith("=SUM(") and evaluate(sheet, sheet[f"G{total}"].value) == D("25000")
    assert pack_verify(pack=second).ok


def test_only_finance_directors_and_officers_issue_packs(scenario, commissioner):
    with pytest.raises(PermissionDenied):
        pack_issue(year="2025/26", by=commissioner)
    with pytest.raises(ValidationError, match="Choose formats from xlsx, pdf, csv; docx is not one"):
        pack_issue(year="2025/26", by=scenario.director, formats=["docx"])
    assert not IssuedPack.objects.exists()
