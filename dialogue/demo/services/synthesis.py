"""The demo's synthesis: themes → draft values → consultation → final values → commitments.

Runs after round 1's theme analysis. Management's five draft values are drafted from the themes
(each linked to the themes whose texts it draws on), published into the consultation round,
asked about again where the consultation found no consensus (``rerate``), and finalised with
change notes – one is set aside; the final values become the action round's items, participants
commit to them, and the consultant marks a few uncovered themes. Everything goes through the
real operations, so the demo shows the whole traceability chain.

The answers of the consultation and action rounds are written here, against the proposals' item
keys; any answers written earlier against the old plain item list are replaced first.
"""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import delete, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Round, RoundKind
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.proposal import CoverageStatus, Perspective, ProposalKind
from dialogue.demo.services import content, corpus, rerate
from dialogue.demo.services.deck import Deck
from dialogue.synthesis.services import coverage as coverage_marks
from dialogue.synthesis.services import proposals as services
from dialogue.synthesis.services import publishing
from rounds.traceability import load_graph

#: Draft value → (perspective, the challenge categories whose themes inform it, how).
DRAFTS = {
    "Borgeren i centrum": (Perspective.CITIZENS, ("borgerne", "digitalisering"), "Borgernes behov"),
    "Samarbejde på tværs": (Perspective.PROCESSES, ("samarbejde",), "Siloer og overlevering"),
    "Faglighed og udvikling": (
        Perspective.EMPLOYEES,
        ("rekruttering", "arbejdsmiljø"),
        "Fastholdelse gennem udvikling",
    ),
    "Åbenhed og tillid": (Perspective.EMPLOYEES, ("ledelse",), "Kommunikation og tillid"),
    "Ansvar for fællesskabet": (Perspective.SOCIETY, ("økonomi", "klima"), "Prioritering"),
}
#: Final wording and the note on what changed in response to the consultation.
FINALS = {
    "Borgeren i centrum": (
        "Borgeren i centrum",
        "Uændret. Flere bad om, at værdien skal kunne "
        "mærkes i hverdagen; det følges op i handlingsrunden.",
    ),
    "Samarbejde på tværs": (
        "Samarbejde på tværs",
        "Teksten nævner nu også samarbejdet med "
        "foreninger og virksomheder, som høringen efterlyste.",
    ),
    "Faglighed og udvikling": (
        "Faglighed og læring",
        "Omdøbt: høringen ønskede læring i hverdagen frem for kurser.",
    ),
    "Åbenhed og tillid": (
        "Åbenhed og tillid",
        "Uændret, men høringen var delt; ledelsen følger op på, hvordan tillid vises i praksis.",
    ),
}
DROPPED = (
    "Ansvar for fællesskabet",
    "Lagt til side: høringen fandt den uklar, og dens indhold indgår nu i de andre værdier.",
)
INITIATIVES = [
    ("Én indgang for borgerne", Perspective.CITIZENS, "borgerne"),
    ("Tværgående læringsnetværk", Perspective.EMPLOYEES, "rekruttering"),
]


def _themes_by_category(dialogue: Dialogue) -> dict[str, list]:
    """Round 1's themes, each under the challenge category most of its texts come from."""
    graph = load_graph(dialogue)
    topics = corpus.challenge_topics()
    found: dict[str, list] = {}
    for theme in graph.themes.values():
        if theme.state not in ACTIVE_STATES or theme.round_id != dialogue.rounds[0].id:
            continue
        bodies = Session.scalars(
            select(Contribution.body).where(Contribution.id.in_(graph.members.get(theme.id, ())))
        )
        counts = Counter(topics.get(body or "") for body in bodies)
        counts.pop(None, None)
        if counts:
            found.setdefault(counts.most_common(1)[0][0], []).append(theme)
    return found


def _round(dialogue: Dialogue, kind: RoundKind) -> Round:
    return next(round_ for round_ in dialogue.rounds if round_.kind is kind)


def add_synthesis(
    dialogue: Dialogue, authors: list[str], rng: random.Random, rerate_rng: random.Random
) -> None:
    """Run the demo's synthesis chain on a dialogue whose rounds 1–3 have their input.

    Between the consultation and the final values, the consultation is asked again
    (``rerate``), with a generator of its own so that the rest of the demo stays as it was.
    """
    consultation = _round(dialogue, RoundKind.CONSULTATION)
    action = _round(dialogue, RoundKind.ACTION)
    for round_ in (consultation, action):
        Session.execute(delete(Contribution).where(Contribution.round_id == round_.id))
    themes = _themes_by_category(dialogue)
    drafts = {}
    for title, (perspective, categories, note) in DRAFTS.items():
        proposal = services.create_proposal(
            dialogue, kind=ProposalKind.VALUE, title=title, perspective=perspective, actor_id=None
        )
        for category in categories:
            for theme in themes.get(category, []):
                services.add_source(proposal, theme=theme, note=note, actor_id=None)
        drafts[title] = proposal
    publishing.publish_for_consultation(list(drafts.values()), consultation, actor_id=None)
    _add_ratings(consultation, drafts, authors, rng)
    rerate.run_rerating(consultation, rerate_rng)
    for title, (final_title, note) in FINALS.items():
        services.finalise_proposal(
            drafts[title],
            title=final_title,
            text=drafts[title].current.text,
            note=note,
            actor_id=None,
        )
    services.drop_proposal(drafts[DROPPED[0]], note=DROPPED[1], actor_id=None)
    _add_initiatives(dialogue, themes)
    publishing.feed_final_values(action, actor_id=None)
    _add_commitments(action, [drafts[title] for title in FINALS], authors, rng)
    _mark_uncovered(dialogue, themes)


def _add_ratings(round_: Round, drafts: dict, authors: list[str], rng: random.Random) -> None:
    """Most rate every draft value; a few comment (as the old plain-list demo did)."""
    decks = {title: Deck(texts, rng) for title, texts in corpus.CONSULTATION_COMMENTS.items()}
    rows = []
    for author in rng.sample(authors, k=len(authors) * 7 // 10):
        for title, weights in content.DRAFT_VALUES.items():
            if rng.random() < 0.05:
                continue
            comment = None
            if rng.random() < 0.12:
                comment = decks[title].draw()
            rows.append(
                Contribution(
                    round_id=round_.id,
                    author=author,
                    target=drafts[title].item_key,
                    data={"rating": rng.choices(range(1, 6), weights=weights)[0]},
                    body=comment,
                    created_on=round_.opens_at.date(),
                )
            )
    Session.add_all(rows)
    Session.flush()


def _add_initiatives(dialogue: Dialogue, themes: dict[str, list]) -> None:
    for title, perspective, category in INITIATIVES:
        initiative = services.create_proposal(
            dialogue,
            kind=ProposalKind.INITIATIVE,
            title=title,
            perspective=perspective,
            actor_id=None,
        )
        for theme in themes.get(category, [])[:1]:
            services.add_source(initiative, theme=theme, note="Konkret forslag", actor_id=None)
        services.finalise_proposal(initiative, title=title, text="", note="", actor_id=None)


def _add_commitments(round_: Round, values: list, authors: list[str], rng: random.Random) -> None:
    """The open round: a first few have committed to one or two final values already."""
    decks = {scope: Deck(texts, rng) for scope, texts in corpus.COMMITMENTS.items()}
    rows = []
    for author in rng.sample(authors, k=len(authors) // 8):
        for value in rng.sample(values, k=rng.randint(1, 2)):
            for scope in rng.sample(list(decks), k=rng.randint(1, 2)):
                rows.append(
                    Contribution(
                        round_id=round_.id,
                        author=author,
                        target=value.item_key,
                        data={"aspect": scope},
                        body=decks[scope].draw(),
                        created_on=round_.opens_at.date(),
                    )
                )
    Session.add_all(rows)
    Session.flush()


def _mark_uncovered(dialogue: Dialogue, themes: dict[str, list]) -> None:
    """The consultant's first decisions on themes that reach no final value."""
    marks = {
        "klima": (CoverageStatus.FOLLOW_UP, "Tages op i kommunens klimaplan"),
        "økonomi": (CoverageStatus.ADDRESSED_ELSEWHERE, "Budgetprocessen"),
    }
    for category, (status, reason) in marks.items():
        for theme in themes.get(category, [])[:1]:
            coverage_marks.mark_coverage(
                dialogue, theme_id=theme.id, status=status, reason=reason, actor_id=None
            )
