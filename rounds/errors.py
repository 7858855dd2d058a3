"""Why a round refuses something. Views turn these into a message and a 4xx status."""

from __future__ import annotations

from dialogue.core.errors import UserError


class RoundError(UserError):
    """Base of the domain errors of rounds; ``message`` is ready to show (translated lazily)."""


class SubmissionRejected(RoundError):
    """The input breaks a rule of the round kind (too long, too many, unknown item …)."""


class RoundClosed(RoundError):
    """The round is not open at this moment; nothing was stored."""

    status = 409


class InvalidSettings(RoundError):
    """The settings given to a round do not fit its kind."""
