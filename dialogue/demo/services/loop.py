"""The demo's closing of the loop: member checks of round 1, and the follow-up of the values.

Runs after the synthesis. About two in five round-1 contributors checked how their texts were
condensed; most recognised them, some did not and commented, and the consultant has dealt
with a few of those (one text moved to a better theme). The final values carry initiatives –
from management and promoted from a commitment – with dated notes, a critical factor from the
coverage view is tracked, and a monthly review was held last week. Everything goes through the
real operations. The first participants whose links the command prints get answers of their
own, so that logging in with one shows a contested contribution that was dealt with.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, CoverageMark, Dialogue, ModerationState, RoundKind
from dialogue.core.models.followup import FollowUpStatus, ReviewPeriod
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.models.proposal import CoverageStatus
from dialogue.followup import services as follow
from dialogue.followup.queries import local_today
from dialogue.membercheck import services as checks
from rounds.traceability import load_graph

COMMENTS = {
    CheckAnswer.PARTLY: [
        "Mit punkt handlede mere om ledelse end om travlhed",
        "Temaet rammer kun halvdelen af det, jeg skrev",
        "Det handler også om, hvordan vi taler sammen på tværs",
    ],
    CheckAnswer.NO: [
        "Jeg skrev om IT-systemerne, ikke om samarbejde",
        "Det her handlede om borgerne, ikke om os selv",
        "Min pointe er forsvundet i temaet",
    ],
}
RESPONSES = [
    "Dit bidrag er flyttet til et tema, der passer bedre.",
    "Temaet er omformuleret, så det også dækker dit punkt.",
    "Vi har taget din pointe med i teksten til værdien.",
]
#: Final value title → (initiative, owner unit, notes as (days ago, status, text)).
INITIATIVES = {
    "Borgeren i centrum": [
        (
            "Borgerpanel ved nye selvbetjeningsløsninger",
            "Borgerservice",
            [(9, "planned", ""), (5, "in_progress", "Første panel holdt med 12 borgere.")],
        ),
    ],
    "Samarbejde på tværs": [
        (
            "Fast tværgående sagsforum hver måned",
            "Jobcenter",
            [(9, "planned", ""), (2, "in_progress", "Første møde aftalt med Børn og Unge.")],
        ),
    ],
    "Faglighed og læring": [
        (
            "Læring på teammøderne",
            "Økonomi og HR",
            [
                (9, "planned", ""),
                (7, "in_progress", "Skabelon til faglig sparring sendt til alle ledere."),
                (1, "done", "Alle teams har holdt mindst én sparring."),
            ],
        ),
    ],
    "Åbenhed og tillid": [
        ("Ledelsesinformation deles med alle", "Direktionssekretariatet", [(9, "planned", "")]),
    ],
}


def add_loop(dialogue: Dialogue, authors: list[str], rng: random.Random) -> None:
    """Member checks, initiatives with notes, a tracked critical factor and a held review."""
    today = local_today(dialogue)
    _add_member_checks(dialogue, authors, rng)
    _add_initiatives(dialogue, today)
    _promote_commitment(dialogue, today)
    _track_factor(dialogue, today)
    follow.record_review(
        dialogue, period=ReviewPeriod.MONTH, day=today - dt.timedelta(days=4), actor_id=None
    )


def _checkable(dialogue: Dialogue, graph) -> dict[str, list[Contribution]]:
    """Round 1's visible texts that are in a theme, by author."""
    themed = {cid for ids in graph.members.values() for cid in ids}
    found: dict[str, list[Contribution]] = {}
    for contribution in Session.scalars(
        select(Contribution)
        .where(
            Contribution.round_id == dialogue.rounds[0].id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
        .order_by(Contribution.id)
    ):
        if contribution.id in themed:
            found.setdefault(contribution.author, []).append(contribution)
    return found


def _add_member_checks(dialogue: Dialogue, authors: list[str], rng: random.Random) -> None:
    graph = load_graph(dialogue)
    by_author = _checkable(dialogue, graph)
    printed = [a for a in authors[:3] if a in by_author]  # the participants whose links print
    others = [a for a in authors[3:] if a in by_author]
    answering = printed + rng.sample(others, k=len(others) * 2 // 5)
    contested = []
    for index, author in enumerate(answering):
        for contribution in by_author[author]:
            answer = rng.choices(list(CheckAnswer), weights=(70, 18, 12))[0]
            if author in printed:  # one recognised, one not: what each demo login shows
                answer = CheckAnswer.YES if index % 2 == 0 else CheckAnswer.NO
            comment = rng.choice(COMMENTS[answer]) if answer.contested else ""
            check = checks.answer_check(graph, contribution, answer=answer, comment=comment)
            if answer.contested:
                contested.append((author in printed, check, contribution))
    _deal_with_some(dialogue, graph, contested)


def _deal_with_some(dialogue: Dialogue, graph, contested) -> None:
    """Deal with the printed participants' first contested answer and two more; one is moved.

    The rest stay open, as they would mid-way through the follow-up.
    """
    chosen = [i for i in contested if i[0]][:1] + [i for i in contested if not i[0]][:2]
    for number, (_printed, check, contribution) in enumerate(chosen):
        move_to = None
        if number == 0:
            current = {t.id for t in graph.themes_of(contribution.id)}
            candidates = [
                t
                for t in graph.themes.values()
                if t.round_id == contribution.round_id
                and t.id not in current
                and t.id in graph.members
            ]
            move_to = min(candidates, key=lambda t: t.id) if candidates else None
        response = RESPONSES[0] if move_to is not None else RESPONSES[1 + number % 2]
        checks.deal_with(check, response=response, move_to=move_to, actor_id=None)


def _add_initiatives(dialogue: Dialogue, today: dt.date) -> None:
    graph = load_graph(dialogue)
    finals = {graph.proposals[i].current.title: graph.proposals[i] for i in graph.final_ids()}
    for title, initiatives in INITIATIVES.items():
        value = finals.get(title)
        if value is None:
            continue
        for name, unit, notes in initiatives:
            (first_days, first_status, _text), *rest = notes
            item = follow.add_initiative(
                value,
                title=name,
                owner_unit=unit,
                status=FollowUpStatus(first_status),
                day=today - dt.timedelta(days=first_days),
            )
            for days, status, text in rest:
                follow.add_note(
                    item,
                    status=FollowUpStatus(status),
                    text=text,
                    day=today - dt.timedelta(days=days),
                )


def _promote_commitment(dialogue: Dialogue, today: dt.date) -> None:
    """Management makes one "across units" commitment an initiative of its value."""
    action = next(r for r in dialogue.rounds if r.kind is RoundKind.ACTION)
    graph = load_graph(dialogue)
    across = [
        c
        for c in Session.scalars(
            select(Contribution)
            .where(Contribution.round_id == action.id, Contribution.target.is_not(None))
            .order_by(Contribution.body, Contribution.id)
        )
        if (c.data or {}).get("aspect") == "across"
    ]
    if not across:
        return
    commitment = across[0]
    value_id = int(commitment.target.split(":", 1)[1])
    item = follow.add_initiative(
        graph.proposals[value_id],
        title=commitment.body[:200],
        owner_unit="Borgerservice",
        commitment=commitment,
        day=today - dt.timedelta(days=1),
    )
    follow.add_note(
        item, status=FollowUpStatus.IN_PROGRESS, text="Tre teams er med fra start.", day=today
    )


def _track_factor(dialogue: Dialogue, today: dt.date) -> None:
    """The climate theme the consultant marked "to be followed up" is tracked."""
    mark = Session.scalar(
        select(CoverageMark)
        .where(
            CoverageMark.dialogue_id == dialogue.id,
            CoverageMark.status == CoverageStatus.FOLLOW_UP,
        )
        .order_by(CoverageMark.id)
        .limit(1)
    )
    if mark is None:
        return
    factor = follow.track_factor(
        mark,
        title=mark.reason or "Klima",
        owner_unit="Teknik og Miljø",
        day=today - dt.timedelta(days=8),
    )
    follow.add_note(
        factor,
        status=FollowUpStatus.IN_PROGRESS,
        text="Punktet er sendt videre til arbejdet med klimaplanen.",
        day=today - dt.timedelta(days=6),
    )
