"""Coverage-guided fuzzing of the pure text paths every contribution goes through (S9).

Each target module here turns a fuzzer's bytes into arguments with ``inputs`` and asserts the
function's invariants with ``check``; ``SEEDS`` are realistic texts to start mutating from. The
modules do not import atheris, so a test can decode a crash input to show what failed. Run one
with libFuzzer's flags, or replay a crash input by giving its file::

    python -m tests.fuzz text -max_total_time=20
    python -m tests.fuzz text test-artifacts/fuzz/text/crash-…
"""

#: Target modules, by the name ``python -m tests.fuzz`` takes.
TARGETS = ("text", "identifying", "submission")


def decode(data: bytes) -> str:
    """Bytes as text the way werkzeug decodes a form: UTF-8, invalid bytes replaced.

    Lone surrogates never reach the code under test (the form decoder replaces them and neither
    database stores them), so they are not generated.
    """
    return data.decode("utf-8", "replace")
