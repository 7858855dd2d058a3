"""The demo's consultant accepts the themes of each published round, so they are fed back.

Participants and the public see a round's themes only once the consultant has accepted them
(:mod:`dialogue.synthesis.queries.feedback`). The demo's consultant has read round 1 by topic and
named its themes; those get a short description as well. A theme the consultant could not name after
one topic (no clear majority) stays suggested, as a consultant would leave a theme they do not yet
stand behind. The later rounds' themes are accepted as the analysis named them, except one the
analysis could only number ("tema N"), which a consultant would have to name first.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from analysis.themes import NUMBERED
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role
from dialogue.core.models.analysis import ThemeState
from dialogue.demo.services import content
from dialogue.workbench.services import edits
from rounds.theme_run.reading import list_active_themes

#: A name the analysis gave by number because no word of the theme could name it.
NUMBERED_NAME = re.compile(rf"(?:{'|'.join(NUMBERED.values())}) \d+")

#: The consultant's description of each round-1 theme, by the topic it is named after.
DESCRIPTIONS = {
    "arbejdsmiljø": "Travlhed, stress og for lidt tid til pauser og faglig sparring.",
    "digitalisering": "IT-systemer, der ikke taler sammen, og nye løsninger uden oplæring.",
    "rekruttering": "Det er svært at skaffe og holde på kvalificerede kolleger.",
    "samarbejde": "Borgere og sager, der falder mellem afdelinger, og viden, der ikke deles.",
    "borgerne": "Borgerne forventer hurtigere svar og mere service, end vi kan give.",
    "økonomi": "Besparelser og prioriteringer, der presser kerneopgaven.",
    "ledelse": "Ledelse, der er langt væk, og beslutninger, der ikke bliver forklaret.",
    "klima": "Ønsket om at gøre mere for klimaet, i driften og i undervisningen.",
}


def accept_published_themes(dialogue: Dialogue) -> None:
    """Accept the named themes of round 1 (described) and every theme of later published rounds."""
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.CONSULTANT
        )
    )
    topic_of = {label: topic for topic, label in content.THEME_LABELS.items()}
    for position, round_ in enumerate(dialogue.rounds):
        if not round_.is_published:
            continue
        for theme in list_active_themes(round_):
            if theme.state is not ThemeState.SUGGESTED:
                continue
            if not theme.has_custom_label and (
                not theme.top_terms or NUMBERED_NAME.fullmatch(theme.label)
            ):
                continue
            if position == 0:
                topic = topic_of.get(theme.label)
                if topic is None:
                    continue
                edits.rename_theme(
                    theme,
                    label=theme.label,
                    description=DESCRIPTIONS.get(topic, ""),
                    actor_id=consultant,
                )
            edits.accept_theme(theme, actor_id=consultant)
