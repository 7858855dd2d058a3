"""Every feature package has the same shape: modules named by role and nothing else.

A reader who knows one feature knows where to look in all of them; a module that fits no role is a
sign that code belongs in another role or in ``dialogue.core`` (docs/contributing.md).
"""

from pathlib import Path

import pytest

DIALOGUE = Path(__file__).resolve().parents[1] / "dialogue"
ROLES = {"views", "forms", "services", "queries", "jobs", "cli"}
#: Packages of ``dialogue`` that are not features: the base layer and the web assets.
NOT_FEATURES = {"core", "static", "translations"}
#: Folders of files a feature reads (not Python): the password lists of sign-in, the demo's texts.
DATA = {"data"}

FEATURES = sorted(
    path
    for path in DIALOGUE.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_FEATURES
)


def misplaced(feature: Path) -> list[str]:
    """The entries of a feature package that are neither its ``__init__`` nor a role."""
    odd = []
    for entry in sorted(feature.iterdir()):
        if entry.name == "__pycache__" or entry.name in DATA:
            continue
        name = entry.stem if entry.suffix == ".py" else entry.name
        is_package = entry.is_dir() and (entry / "__init__.py").exists()
        if entry.name == "__init__.py" or (name in ROLES and (entry.suffix == ".py" or is_package)):
            continue
        odd.append(entry.name)
    return odd


@pytest.mark.parametrize("feature", FEATURES, ids=lambda path: path.name)
def test_feature_holds_only_role_modules(feature):
    assert misplaced(feature) == []


def test_a_loose_module_is_found(tmp_path):
    feature = tmp_path / "feature"
    (feature / "queries").mkdir(parents=True)
    for name in ("__init__.py", "views.py", "helpers.py", "queries/__init__.py"):
        (feature / name).write_text('"""Why."""\n')
    assert misplaced(feature) == ["helpers.py"]
