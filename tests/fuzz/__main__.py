"""Run one fuzz target under atheris: ``python -m tests.fuzz TARGET [libFuzzer flags] [corpus]``.

Only the code under test is instrumented for coverage, not the standard library or the
dependencies, so the fuzzer's feedback is about our branches.
"""

import importlib
import sys

import atheris

from tests.fuzz import TARGETS

#: Modules whose coverage guides the fuzzer.
INSTRUMENTED = ["analysis.text", "analysis.identifying", "rounds.submissions"]


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz {{{','.join(TARGETS)}}} [libFuzzer flags]")
    with atheris.instrument_imports(include=INSTRUMENTED):
        target = importlib.import_module(f"tests.fuzz.{argv[1]}")

    def one_input(data: bytes) -> None:
        target.check(*target.inputs(data))

    atheris.Setup([argv[0], *argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
