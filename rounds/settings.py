"""Round settings as the admin's form shows them, and the declared rule of rated rounds.

The rule is the consensus thresholds (``analysis.consensus.consensus_verdict``) and when to stop
repeating a round; prioritisation and consultation rounds declare it in their settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from rounds.errors import InvalidSettings


@dataclass(frozen=True)
class SettingField:
    """One setting as the admin's form shows it; the kind still validates the value.

    ``type`` is one of ``int``, ``float``, ``bool``, ``choice``, ``items`` (an item list typed one
    per line) and ``round`` (an earlier round of the same dialogue, 0 for none).
    """

    name: str
    label: Any
    type: str
    hint: Any = None
    choices: tuple[tuple[str, Any], ...] = ()


#: Thresholds of ``analysis.consensus.consensus_verdict``, adjustable per round.
CONSENSUS_DEFAULTS = {"max_iqr": 1.0, "min_share": 0.7, "polar_share": 0.3}
CONSENSUS_FIELDS = (
    SettingField(
        "max_iqr",
        _l("Consensus: largest interquartile range"),
        "float",
        hint=_l("Answers count as concentrated when half of them lie within this range."),
    ),
    SettingField(
        "min_share",
        _l("Consensus: least share agreeing (0–1)"),
        "float",
        hint=_l(
            "For example 0.7: at least 7 in 10 answer 4 or 5 (or 1 or 2 for consensus against)."
        ),
    ),
    SettingField(
        "polar_share",
        _l("Dissensus: share on each side (0–1)"),
        "float",
        hint=_l("The panel is split when at least this share agrees and this share disagrees."),
    ),
)


#: The declared stop rule of a rating round that is repeated for the items without consensus.
STOP_DEFAULTS = {"stop_after": 3, "stop_change": 0.1}
STOP_FIELDS = (
    SettingField(
        "stop_after",
        _l("Stop rule: at most this many rounds"),
        "int",
        hint=_l("Counting this round and the earlier rounds it repeats."),
    ),
    SettingField(
        "stop_change",
        _l("Stop rule: stop when fewer than this share change their answer (0–1)"),
        "float",
        hint=_l("For example 0.1: stop when fewer than 1 in 10 answers changed since last time."),
    ),
)
#: Consensus and stop rule together: declared before anyone answers, so they lock with input.
RULE_DEFAULTS = {**CONSENSUS_DEFAULTS, **STOP_DEFAULTS}
RULE_FIELDS = (*CONSENSUS_FIELDS, *STOP_FIELDS)


def check_consensus_thresholds(settings: Mapping[str, Any]) -> None:
    """Refuse thresholds that ``consensus_verdict`` would refuse, and a stop rule out of range."""
    polar, share, iqr = settings["polar_share"], settings["min_share"], settings["max_iqr"]
    if not 0 < polar <= 0.5 < share <= 1:
        raise InvalidSettings(
            _l("The shares need 0 < dissensus share ≤ 0.5 < consensus share ≤ 1."),
            field="min_share",
        )
    if not 0 <= iqr <= 4:
        raise InvalidSettings(
            _l("The interquartile range must lie between 0 and 4."), field="max_iqr"
        )
    if not 1 <= settings["stop_after"] <= 10:
        raise InvalidSettings(_l("Stop after between 1 and 10 rounds."), field="stop_after")
    if not 0 <= settings["stop_change"] <= 1:
        raise InvalidSettings(
            _l("The share who change their answer must lie between 0 and 1."),
            field="stop_change",
        )
