"""The large dialogue, its rounds, staff and participants in departments and role groups."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dialogue.auth.services.logins import hash_password
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from dialogue.demo.services import content
from dialogue.demo.services.first_rounds import add_weekly_rounds
from dialogue.demo.services.people import STAFF_PASSWORD, STAFF_TOTP_SECRETS
from dialogue.demo.services.scale.bulk import bulk_insert
from rounds.items import slug_key

STAFF = [
    (Role.ADMIN, "admin", "Anna Administrator"),
    (Role.CONSULTANT, "konsulent", "Karl Konsulent"),
    (Role.MANAGEMENT, "direktion", "Dorte Direktør"),
]
#: Department names: areas × units, so a large organisation has a realistic spread of sizes.
AREAS = [
    "Borgerservice",
    "Børn og Unge",
    "Ældre og Sundhed",
    "Teknik og Miljø",
    "Jobcenter",
    "Økonomi og HR",
    "Kultur og Fritid",
    "Social og Handicap",
]
UNITS = ["Nord", "Syd", "Øst", "Vest", "Centrum"]
ROLE_GROUPS = ("Leder", "Medarbejder", "Specialist")
ROLE_WEIGHTS = (8, 80, 12)


def create_dialogue(slug: str) -> Dialogue:
    """The large dialogue ``slug`` and its five rounds."""
    dialogue = Dialogue(
        slug=slug,
        title=f"Stor dialog: {content.TITLE}",
        description=content.DESCRIPTION,
        language="da",
        timezone="Europe/Copenhagen",
        is_public=True,
        min_group_size=5,
    )
    zone = ZoneInfo(dialogue.timezone)
    today = utcnow().astimezone(zone).date()
    start = today - dt.timedelta(days=2 + 7 * (len(content.ROUNDS) - 1))
    themes = [{"key": slug_key(key), "label": label} for key, label in content.THEME_LABELS.items()]
    top = sorted(content.THEME_WEIGHTS, key=lambda key: -content.THEME_WEIGHTS[key])[:4]
    settings = {
        "prioritisation": {"items": themes, "method": "rank", "top_k": 3},
        "culture": {
            "items": [{"key": slug_key(key), "label": content.THEME_LABELS[key]} for key in top]
        },
        "consultation": {"items": [{"key": slug_key(v), "label": v} for v in content.DRAFT_VALUES]},
        "action": {"items": [{"key": slug_key(v), "label": v} for v in content.FINAL_VALUES]},
    }
    add_weekly_rounds(
        dialogue, start, range(len(content.ROUNDS)), lambda kind: settings.get(kind, {})
    )
    Session.add(dialogue)
    Session.flush()
    culture = dialogue.rounds[2]
    culture.settings = {**culture.settings, "source_round": dialogue.rounds[1].id}
    return dialogue


def add_staff(dialogue: Dialogue, domain: str) -> None:
    """The dialogue's staff at ``domain``, with the demo's password and keys."""
    password_hash = hash_password(STAFF_PASSWORD)
    for role, local, name in STAFF:
        person = Person(
            email=f"{local}@{domain}",
            name=name,
            password_hash=password_hash,
            totp_secret=STAFF_TOTP_SECRETS[role],
        )
        Session.add(person)
        Session.add(Membership(person=person, dialogue=dialogue, role=role))
    Session.flush()


def _departments(n_participants: int, rng: random.Random) -> list[tuple[str, int]]:
    """Departments with sizes that vary; one is deliberately tiny, to be suppressed."""
    names = [f"{area} {unit}" for area in AREAS for unit in UNITS]
    weights = [rng.uniform(0.3, 3.0) for _ in names]
    scale = (n_participants - 3) / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[-1] = 3
    sizes[0] += n_participants - sum(sizes)
    return list(zip(names, sizes, strict=True))


def add_participants(dialogue: Dialogue, n: int, domain: str, rng: random.Random) -> list[int]:
    """Bulk-insert people and memberships; return the people's ids in insertion order."""
    departments = _departments(n, rng)
    segment = [dep for dep, size in departments for _ in range(size)]
    roles = rng.choices(ROLE_GROUPS, weights=ROLE_WEIGHTS, k=n)

    def people() -> Iterator[tuple]:
        for number in range(1, n + 1):
            first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
            yield (f"p{number}@{domain}", f"{first} {last}", True)

    bulk_insert(Person.__table__, ("email", "name", "is_active"), people())
    ids = dict(
        Session.execute(
            select(Person.email, Person.id).where(Person.email.like(f"p%@{domain}"))
        ).all()
    )
    person_ids = [ids[f"p{number}@{domain}"] for number in range(1, n + 1)]
    bulk_insert(
        Membership.__table__,
        ("person_id", "dialogue_id", "role", "department", "role_group"),
        (
            (pid, dialogue.id, Role.PARTICIPANT, segment[i], roles[i])
            for i, pid in enumerate(person_ids)
        ),
    )
    return person_ids
