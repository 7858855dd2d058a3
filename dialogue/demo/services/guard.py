"""The demo's identifying details and fingerprints.

Round 1 gets two texts with identifying details. One gives a phone number: its writer was
warned and saved it anyway, so it waits, flagged and masked everywhere, on the consultant's
"Identifying details" page. The other names a colleague from the participant list, and the
consultant has redacted the name. Every published round has a fingerprint; round 1 was
published again after the redaction, so it shows a history of two. (To see the warning itself,
log in as a participant and write a phone number in the open action round.)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Person, Role
from rounds import fingerprint
from rounds.lifecycle.editing import set_published
from rounds.redaction import flagged_in_round, redact

WARNED_TEXT = (
    "Ring gerne til mig på 22 33 44 55, hvis I vil høre mere om, hvordan vagtplanerne "
    "presser os i weekenderne."
)
NAMING_TEXT = (
    "{name} har lavet en vagtplan i sin afdeling, som alle afdelinger kunne lære af, "
    "fordi den giver mere tid til borgerne."
)


def add_identifying_examples(dialogue: Dialogue, participants: list[Person], authors: list[str]):
    """Two round-1 texts with details that got past the warning (flagged as they are stored)."""
    challenges = dialogue.rounds[0]
    day = challenges.opens_at.date() + dt.timedelta(days=3)
    Session.add_all(
        [
            Contribution(
                round_id=challenges.id, author=authors[3], body=WARNED_TEXT, created_on=day
            ),
            Contribution(
                round_id=challenges.id,
                author=authors[11],
                body=NAMING_TEXT.format(name=participants[0].name),
                created_on=day,
            ),
        ]
    )
    Session.flush()


def publish_and_redact(dialogue: Dialogue) -> None:
    """Fingerprint each published round at its publication; redact the name; publish again."""
    for round_ in dialogue.rounds:
        if round_.is_published:
            published = min(round_.closes_at + dt.timedelta(hours=4), utcnow())
            fingerprint.record(round_, now=published, actor_id=None, newly_published=True)
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.CONSULTANT
        )
    )
    challenges = dialogue.rounds[0]
    for _contribution, spans in flagged_in_round(challenges.id):
        for span in spans:
            if span.kind == "name":
                redact(span, actor_id=consultant)
    set_published(challenges, True, actor_id=consultant, now=utcnow())
    fingerprint.record(challenges, now=utcnow(), actor_id=consultant, newly_published=False)
