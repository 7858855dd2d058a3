"""The synthesis tests' dialogue with themes, shared with the member-check tests."""

from tests.dialogue.synthesis.conftest import case, request_context  # noqa: F401
