"""A small dialogue with themes built by hand, for the synthesis and traceability tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask_babel import force_locale

from dialogue.core.db import Session
from dialogue.core.models import Role, RoundKind, Theme, ThemeMember
from dialogue.core.models.analysis import MemberSource, ThemeState
from tests.factories import make_contribution, make_dialogue, make_member, make_round
from tests.rounds.factories import closed_times


@pytest.fixture
def request_context(app, db_session):
    """No request, as in a command or a job: the language is stated, as that code states it."""
    with app.app_context(), force_locale("en"):
        yield


@dataclass
class Case:
    """Twelve participants, one challenges round, three themes and one text in no theme.

    ``big`` holds 9 authors' texts, ``small`` 2, ``lonely`` 1; participant 11 wrote the
    unthemed text. Participant 0 also wrote a second text in ``big``.
    """

    dialogue: object
    round_: object
    people: list
    texts: dict
    themes: dict
    consultant: object
    management: object


def make_theme(round_, label, contributions, state=ThemeState.ACCEPTED) -> Theme:
    """A theme holding ``contributions``, scored in order."""
    theme = Theme(round_id=round_.id, label=label, state=state)
    theme.members = [
        ThemeMember(contribution_id=c.id, source=MemberSource.AUTO, score=1.0 - i / 100)
        for i, c in enumerate(contributions)
    ]
    Session.add(theme)
    Session.flush()
    return theme


@pytest.fixture
def case(db_session) -> Case:
    dialogue = make_dialogue(min_group_size=5, is_public=True)
    round_ = make_round(dialogue, RoundKind.CHALLENGES, **closed_times())
    people = [make_member(dialogue) for _ in range(12)]
    texts = {
        "big": [
            make_contribution(round_, p, f"Stor udfordring {i}") for i, p in enumerate(people[:9])
        ],
        "small": [
            make_contribution(round_, p, f"Lille udfordring {i}")
            for i, p in enumerate(people[9:11])
        ],
        "lonely": [make_contribution(round_, people[11], "Ensom udfordring")],
        "extra": [make_contribution(round_, people[0], "Endnu en stor udfordring")],
    }
    themes = {
        "big": make_theme(round_, "Arbejdsmiljø", texts["big"] + texts["extra"]),
        "small": make_theme(round_, "Parkering", texts["small"]),
    }
    return Case(
        dialogue,
        round_,
        people,
        texts,
        themes,
        make_member(dialogue, Role.CONSULTANT),
        make_member(dialogue, Role.MANAGEMENT),
    )
