"""Round kinds and the round lifecycle: what each kind asks, validates, stores and feeds back.

``KINDS`` maps each ``RoundKind`` to its implementation; generic code calls ``get_kind``. Adding a
kind means adding its module here and its templates (``template``, ``results_template``).
"""

from __future__ import annotations

from dialogue.core.models import RoundKind
from rounds.action import Action
from rounds.base import RoundKindBase
from rounds.challenges import Challenges
from rounds.consultation import Consultation
from rounds.culture import Culture
from rounds.prioritisation import Prioritisation

KINDS: dict[RoundKind, RoundKindBase] = {
    RoundKind.CHALLENGES: Challenges(),
    RoundKind.PRIORITISATION: Prioritisation(),
    RoundKind.CULTURE: Culture(),
    RoundKind.CONSULTATION: Consultation(),
    RoundKind.ACTION: Action(),
}


def get_kind(kind: RoundKind) -> RoundKindBase | None:
    """The implementation of ``kind``, or None while that kind has none yet."""
    return KINDS.get(kind)
