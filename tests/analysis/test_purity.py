import ast
from pathlib import Path

import pytest

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"
FORBIDDEN = {"flask", "sqlalchemy", "dialogue", "rounds"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(ANALYSIS.glob("*.py")), ids=lambda path: path.name)
def test_analysis_module_imports_no_web_or_database_layer(path):
    assert imported_roots(path).isdisjoint(FORBIDDEN)


def test_imported_roots_sees_forbidden_imports(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import flask.views\nfrom sqlalchemy.orm import Session\n")
    assert imported_roots(module) >= {"flask", "sqlalchemy"}
