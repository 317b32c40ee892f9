"""Apps depend one way: core <- funds <- ledger <- corporate <- income <- grants <- spending <- payments
<- banking <- yearend <- monitoring <- documents <- notifications <- portal <- reports <- transparency <- jobs
<- demo. An app may import the apps to its left, never one to its right. This reads every module of every app
(imports at the top, inside functions and under TYPE_CHECKING alike, and ``apps.get_model("app", ...)`` look-ups)
and fails naming the file, the line and the app it reached for."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = ["core", "funds", "ledger", "corporate", "income", "grants", "spending", "payments", "banking", "yearend",
          "monitoring", "documents", "notifications", "portal", "reports", "transparency", "jobs", "demo"]
ROOT = Path(settings.BASE_DIR)


def _imported_apps(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value.split(".")[0]


def layering_violations(root: Path = ROOT) -> list[str]:
    found = []
    for position, app in enumerate(LAYERS):
        allowed = set(LAYERS[: position + 1])
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, target in _imported_apps(tree):
                if target in LAYERS and target not in allowed:
                    found.append(f"{path.relative_to(root)}:{line} imports {target}, which is above {app}")
    return found


def test_no_app_imports_an_app_above_it():
    assert layering_violations() == []


def test_every_app_is_in_the_layering():
    """A new app must be given its place, or this test would silently not check it."""
    local = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert local - {"config"} <= set(LAYERS), f"Apps without a layer: {sorted(local - set(LAYERS))}"


@pytest.mark.parametrize(
    "source, app, expected",
    [
        ("from grants.models import Grant\n", "funds", "imports grants"),
        ("def f():\n    import reports.exports\n", "ledger", "imports reports"),
        ("from django.apps import apps\napps.get_model('ledger', 'JournalEntry')\n", "funds", "imports ledger"),
    ],
)
def test_the_check_catches_upward_imports(tmp_path, source, app, expected):
    (tmp_path / app).mkdir()
    (tmp_path / app / "module.py").write_text(source)
    for other in LAYERS:
        (tmp_path / other).mkdir(exist_ok=True)
    found = layering_violations(tmp_path)
    assert len(found) == 1 and expected in found[0]


def test_the_check_allows_downward_imports(tmp_path):
    for other in LAYERS:
        (tmp_path / other).mkdir()
    (tmp_path / "reports" / "module.py").write_text("from grants.models import Grant\nfrom core.money import gbp\n")
    assert layering_violations(tmp_path) == []
