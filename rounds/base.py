"""The common interface of round kinds. Generic code calls it and never branches on the kind."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from rounds.errors import InvalidSettings


class RoundKindBase(ABC):
    """What a kind of round asks, how it validates and stores input, and what it feeds back.

    A kind is a stateless object; everything about a particular round comes in as arguments.
    """

    #: Matches ``RoundKind`` values and the module name.
    name: ClassVar[str]
    #: The participant's page for an open round.
    template: ClassVar[str]
    #: The Flask-WTF form class of the participant's input.
    form_class: ClassVar[type]
    #: Settings and their defaults; a round stores only what differs.
    default_settings: ClassVar[Mapping[str, Any]] = {}

    def settings(self, round_) -> dict[str, Any]:
        """The round's effective settings: defaults overlaid with what the round stores."""
        return {**self.default_settings, **(round_.settings or {})}

    def validate_settings(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Check settings an admin entered; unknown keys and wrong types are refused."""
        unknown = set(raw) - set(self.default_settings)
        if unknown:
            raise InvalidSettings(f"unknown settings: {', '.join(sorted(unknown))}")
        cleaned = {}
        for key, value in raw.items():
            expected = type(self.default_settings[key])
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                raise InvalidSettings(f"{key} must be {expected.__name__}", field=key)
            cleaned[key] = value
        return cleaned

    def form(self, round_, **kwargs):
        """The participant's input form for ``round_`` (kinds with per-item fields override)."""
        return self.form_class(**kwargs)

    @abstractmethod
    def submit(self, round_, author: str, form, now):
        """Validate ``form`` against the round's rules and store it; raise ``RoundError``."""

    @abstractmethod
    def edit(self, contribution, form, now):
        """Change one stored contribution of the author; raise ``RoundError``."""

    def analysis_texts(self, round_) -> list[tuple[Any, str]]:
        """(contribution id, text) pairs that the theme analysis reads; none by default."""
        return []
