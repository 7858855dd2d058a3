"""Builders for rounds with items and for answers given as someone (they flush, never commit).

Also reads an answer back as its kind describes it on the author's "my input" page.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from tests.conftest import TEST_SECRETS
from tests.factories import make_member, make_round

ITEMS = [
    {"key": "arbejdsmiljo", "label": "Arbejdsmiljø"},
    {"key": "digitalisering", "label": "Digitalisering"},
    {"key": "rekruttering", "label": "Rekruttering"},
    {"key": "samarbejde", "label": "Samarbejde"},
]
_nonces = itertools.count(1)


def make_item_round(dialogue, kind: RoundKind, items=None, **settings):
    """An open round of ``kind`` asking about ``items`` (four Danish themes by default)."""
    settings = {"items": ITEMS if items is None else items, **settings}
    return make_round(dialogue, kind, settings=settings)


def author_of(membership) -> str:
    """The pseudonym the app stores ``membership``'s input under."""
    return author_pseudonym(
        TEST_SECRETS["ANON_SECRET"], membership.dialogue_id, membership.person_id
    )


def participants(dialogue, count: int, **values):
    """``count`` participants of ``dialogue``."""
    return [make_member(dialogue, **values) for _ in range(count)]


def answer(round_, membership, given, now=None, nonce=None, **kwargs):
    """Store ``given`` as ``membership``'s answer through the kind, like the view does."""
    return get_kind(round_.kind).answer(
        round_,
        author_of(membership),
        given,
        nonce=nonce or f"nonce-{next(_nonces)}",
        now=now or utcnow(),
        **kwargs,
    )


def closed_times():
    """Opening and closing a week ago: the round has closed."""
    now = utcnow()
    return {"opens_at": now - dt.timedelta(days=8), "closes_at": now - dt.timedelta(days=1)}


def own_descriptions(round_, membership):
    """How the round's kind puts each of ``membership``'s stored answers into words."""
    kind = get_kind(round_.kind)
    rows = Session.scalars(
        select(Contribution).where(
            Contribution.round_id == round_.id, Contribution.author == author_of(membership)
        )
    )
    return [kind.describe(round_, row) for row in rows]
