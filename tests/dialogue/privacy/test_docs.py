"""The README leads an operator to the procedure that deletes backups older than the retention.

Deleting a dialogue's data is not done while older backups still hold it (issue #23, item 2).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ANCHOR = "backup-expiry-after-purge"


def flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def section(path: Path, heading: str) -> str:
    """The text under ``### heading`` up to the next heading."""
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#)", text, re.M | re.S)
    assert found, f"{path.name} has no section {heading!r}"
    return " ".join(found.group(1).split())


def test_the_readme_names_the_procedure_for_backups_older_than_the_retention():
    readme = flat(ROOT / "README.md")
    assert "deleting backups older than a dialogue's retention period" in readme
    assert f"(docs/operations.md#{ANCHOR})" in readme


def test_the_procedure_deletes_every_backup_older_than_the_purge():
    procedure = section(ROOT / "docs" / "operations.md", "Backup expiry after purge")
    assert "`dialogue purge`" in procedure
    assert "`dialogue delete`" in procedure
    assert "delete every backup taken before that day" in procedure
    assert "No backup may be kept longer than the retention period" in procedure
    assert f"operations.md#{ANCHOR}" in flat(ROOT / "docs" / "dpia.md")
