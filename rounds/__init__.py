"""Round kinds and the round lifecycle: what each kind asks, validates, stores and feeds back.

``KINDS`` maps each ``RoundKind`` to its implementation; generic code calls ``get_kind``.
"""

from __future__ import annotations

from dialogue.models import RoundKind
from rounds.base import RoundKindBase
from rounds.challenges import Challenges

KINDS: dict[RoundKind, RoundKindBase] = {
    RoundKind.CHALLENGES: Challenges(),
}


def get_kind(kind: RoundKind) -> RoundKindBase | None:
    """The implementation of ``kind``, or None while that kind has none yet."""
    return KINDS.get(kind)
