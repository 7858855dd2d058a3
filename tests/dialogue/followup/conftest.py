"""The synthesis tests' dialogue with themes, shared with the follow-up tests."""

from tests.dialogue.synthesis.conftest import case, request_context  # noqa: F401
