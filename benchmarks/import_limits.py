"""Time and peak memory of reading hostile .xlsx files, with and without the size checks.

Each case runs in a fresh subprocess, so one run's peak resident memory (``ru_maxrss``) does
not hide another's. "checked" is what the product does now
(``dialogue.core.tabular.reading.read_table``: refused by ``check_workbook`` before openpyxl
reads anything); "unchecked" reads the same file with openpyxl's read-only mode as the readers
did before (issue #16: 29 s and 125 MB for a file of 131 KB with 200,000 rows).

Run: ``python benchmarks/import_limits.py``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = ("many_rows", "far_row", "far_column", "large_unpacked")


def run_one(case: str, mode: str) -> dict:
    """Read one bomb one way in this process; the figures as a dict."""
    import io

    from openpyxl import load_workbook

    from dialogue import create_app
    from dialogue.core.tabular.reading import TableError, read_table
    from tests import xlsx_bombs

    data = getattr(xlsx_bombs, case)()
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    started = time.perf_counter()
    outcome = "read"
    with app.test_request_context():  # the refusal's message is translated
        if mode == "checked":
            try:
                read_table(data, "bomb.xlsx")
            except TableError:
                outcome = "refused"
        else:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
            outcome = f"{rows} rows"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": case,
        "mode": mode,
        "kb": len(data) // 1024,
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_mb),
    }


def main() -> None:
    """Every case in a subprocess of its own, as a Markdown table; or one case when given."""
    if len(sys.argv) == 3:
        print(json.dumps(run_one(sys.argv[1], sys.argv[2])))
        return
    print("| file | size | how | outcome | seconds | peak MB |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        for mode in ("checked", "unchecked"):
            if mode == "unchecked" and case in ("far_column", "far_row"):
                continue  # unbounded: 16,384 cells per row, or a million rows
            try:
                output = subprocess.run(
                    [sys.executable, __file__, case, mode],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=True,
                ).stdout
                r = json.loads(output.splitlines()[-1])
                print(
                    f"| {case} | {r['kb']} KB | {mode} | {r['outcome']} | {r['seconds']} |"
                    f" {r['peak_mb']} |"
                )
            except subprocess.TimeoutExpired:
                print(f"| {case} | | {mode} | over 120 s | | |")


if __name__ == "__main__":
    main()
