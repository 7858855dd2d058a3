"""Fuzz the text paths with atheris for 60 s in all: any input that breaks an invariant fails (S9).

atheris drives libFuzzer, which takes over its process, so each target runs in a subprocess
(``python -m tests.fuzz``) from its seeds for an equal share of the minute. libFuzzer keeps every
failing input under ``test-artifacts/fuzz/<target>/``; the failure shows it decoded, with the
traceback. The functions fuzzed never touch a database, so the PostgreSQL run of ``make test``
skips them instead of repeating the same minute.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz import TARGETS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "fuzz"
SECONDS = 60 // len(TARGETS)
#: Fewer executions than this means the fuzzer did not really run.
MIN_RUNS = 100

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="pure text functions, no database: fuzzed once, in the SQLite run",
    ),
]


@pytest.mark.parametrize("name", TARGETS)
def test_no_input_breaks_an_invariant(name, tmp_path):
    target = importlib.import_module(f"tests.fuzz.{name}")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(target.SEEDS):
        (corpus / f"seed-{i}").write_bytes(seed.encode())
    artifacts = ARTIFACTS / name
    artifacts.mkdir(parents=True, exist_ok=True)
    command = [
        *(sys.executable, "-m", "tests.fuzz", name),
        f"-max_total_time={SECONDS}",
        "-max_len=6000",  # a little more than the longest text a form accepts
        "-timeout=10",  # an input this slow is a hang (say, a backtracking regex): it fails
        "-print_final_stats=1",
        f"-artifact_prefix={artifacts}/",
        str(corpus),
    ]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, errors="replace", timeout=SECONDS + 120
    )
    log = "\n".join(line for line in result.stderr.splitlines() if "Instrumenting" not in line)
    written = [Path(path) for path in re.findall(r"Test unit written to (\S+)", log)]
    if result.returncode or written:
        failing = "\n".join(f"{path}:\n  {target.inputs(path.read_bytes())!a}" for path in written)
        pytest.fail(
            f"fuzz target {name} exited with {result.returncode}; failing input as the target "
            f"gets it (replay: python -m tests.fuzz {name} FILE):\n{failing}\n\n{log[-6000:]}"
        )
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", log)
    assert runs, log[-2000:]
    assert int(runs.group(1)) >= MIN_RUNS, log[-2000:]
