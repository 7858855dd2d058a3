"""The locked-settings rule: what a round's settings may no longer change once it has input.

A change that would invalidate input the round already has is refused; a kind whose items are
answered each on its own may still get new items after the old ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from dialogue.core.models import Round
from rounds import get_kind
from rounds.answered import has_input
from rounds.errors import InvalidSettings, RoundError


class SettingsLocked(RoundError):
    """A change would invalidate input the round already has."""

    status = 409


#: The refusal to replace the items of a round that has input (see :func:`refuse_locked`).
ITEMS_LOCKED = _l("This round already has input, so its items can no longer change.")
#: The same, for a kind whose items may still grow (see :func:`only_appends`).
ITEMS_GROW_ONLY = _l(
    "This round already has input: its items can no longer change, but new items can be added "
    "after them. Nothing was saved."
)


def kind_of(round_or_kind):
    """The kind implementation of a round or kind, or InvalidSettings when it is not available."""
    kind = get_kind(getattr(round_or_kind, "kind", round_or_kind))
    if kind is None:
        raise InvalidSettings(_l("This kind of round is not available."), field="kind")
    return kind


def stored_settings(kind, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """What a round stores of its settings: only what differs from the kind's defaults."""
    return {k: v for k, v in cleaned.items() if kind.default_settings.get(k) != v}


def refuse_locked(
    round_: Round, changed: Iterable[str], *, answered: bool, message=None, field=None
) -> None:
    """Refuse changing settings the round's kind locks once it has input: they would invalidate it.

    Without ``message`` the refusal names the locked settings, as the settings form needs;
    replacing the items gives its own words. ``field`` defaults to the first locked setting.
    """
    kind = kind_of(round_)
    locked = [key for key in changed if key in kind.locked_settings]
    if not (answered and locked):
        return
    if message is None:
        labels = {f.name: str(f.label) for f in kind.form_fields}
        message = _l(
            "This round already has input, so these settings can no longer change: "
            "%(names)s. Nothing was saved.",
            names=", ".join(labels.get(key, key) for key in locked),
        )
    raise SettingsLocked(message, field=field or locked[0])


def only_appends(round_: Round, items: list[Mapping[str, str]]) -> bool:
    """Whether ``items`` are the round's items as they are plus new ones after them.

    Only on a kind whose items are answered each on its own: then the change touches no
    answer given.
    """
    kind = kind_of(round_)
    old = list(kind.settings(round_).get("items") or [])
    return kind.items_may_grow and len(items) > len(old) and list(items[: len(old)]) == old


def fixed_settings(round_: Round) -> frozenset[str]:
    """The settings the admin can no longer change, since the round has input.

    Items that may still grow at the end are not among them.
    """
    kind = kind_of(round_)
    if not has_input(round_):
        return frozenset()
    return kind.locked_settings - ({"items"} if kind.items_may_grow else set())
