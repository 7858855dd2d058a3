"""Retention settings, and deleting or purging a dialogue: writes that flush only.

Deleting a dialogue relies on the schema: every table reaches ``dialogues`` through a foreign
key with ``ON DELETE CASCADE`` (rounds, contributions and everything hanging off them,
memberships, jobs, audit events), so one ``DELETE`` removes it all, whatever tables are added
later; the tests check every table of the metadata. What no foreign key reaches is removed by
hand: the people who belonged to no other dialogue, audit events about them, and, after the
commit (``dialogue.privacy.services.outside``), their login sessions and the mails in the outbox.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.models import (
    AuditEvent,
    Contribution,
    ContributionEmbedding,
    Dialogue,
    Job,
    MemberCheck,
    Membership,
    ModerationState,
    Person,
    Proposal,
    Round,
    RoundResultsCache,
    Theme,
)
from dialogue.core.models.proposal import ProposalStatus
from dialogue.core.models.question import QuestionAnswer, RoundQuestion
from dialogue.privacy.queries import row_counts
from rounds.traceability import chunks, load_graph, placed_in

MAX_RETENTION_DAYS = 3650


class PrivacyError(UserError):
    """A refused privacy setting; the message says which and why."""


@dataclass
class Removal:
    """What a deletion or purge removed: rows per table, and what to forget outside the database."""

    slug: str
    rows: dict[str, int] = field(default_factory=dict)
    person_ids: list[int] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    sessions: int = 0
    mails: int = 0
    #: Titles of unpublished rounds kept (in part) because a final value traces into them.
    traced_rounds: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary an operator reads: one line per kind of thing removed."""
        found = [f"{table}: {count}" for table, count in sorted(self.rows.items()) if count]
        found.append(f"login sessions: {self.sessions}")
        found.append(f"outbox mails: {self.mails}")
        for title in self.traced_rounds:
            found.append(
                f"kept of the unpublished round {title!r}: only the themes and texts "
                "behind the final values"
            )
        return found


# --- the notice and retention settings ------------------------------------------------------------


def save_settings(
    dialogue: Dialogue,
    actor_id: int | None,
    *,
    data_controller: str,
    retention_days: int,
    keep_results: bool,
    notice_da: str,
    notice_en: str,
) -> None:
    """Store the admin's notice and retention settings, audited (staff action, no participant)."""
    if not 1 <= retention_days <= MAX_RETENTION_DAYS:
        raise PrivacyError(
            _l("The retention period must be between 1 and %(max)d days.", max=MAX_RETENTION_DAYS)
        )
    dialogue.data_controller = data_controller.strip()
    dialogue.retention_days = retention_days
    dialogue.keep_results = keep_results
    dialogue.notice_da = notice_da.strip()
    dialogue.notice_en = notice_en.strip()
    record_event(
        actor_id,
        "privacy.settings",
        dialogue,
        subject=f"dialogue:{dialogue.id}",
        retention_days=retention_days,
        keep_results=keep_results,
    )


# --- deleting and purging -------------------------------------------------------------------------


def _leaving_people(dialogue: Dialogue) -> list[Person]:
    """The dialogue's members who belong to no other dialogue: they go with it."""
    others = select(Membership.person_id).where(Membership.dialogue_id != dialogue.id)
    return list(
        Session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.dialogue_id == dialogue.id, Person.id.not_in(others))
        )
    )


def _remove_people(dialogue: Dialogue, removal: Removal) -> None:
    """Memberships, the people who leave with them, and audit events about those people."""
    leaving = _leaving_people(dialogue)
    removal.person_ids = [person.id for person in leaving]
    removal.emails = [person.email for person in leaving]
    Session.execute(delete(Membership).where(Membership.dialogue_id == dialogue.id))
    for ids in chunks(removal.person_ids):
        subjects = [f"person:{person_id}" for person_id in ids]
        Session.execute(delete(AuditEvent).where(AuditEvent.subject.in_(subjects)))
        Session.execute(delete(Person).where(Person.id.in_(ids)))


def _counted(removal: Removal, before: dict[str, int]) -> Removal:
    Session.flush()
    after = row_counts()
    removal.rows = {name: before[name] - after[name] for name in before}
    Session.expire_all()
    return removal


def delete_dialogue(dialogue: Dialogue) -> Removal:
    """Delete the dialogue and everything of it, for good; ``outside.forget_outside_database`` next.

    No audit event is written: it would have to name the dialogue, and nothing of it may remain.
    The command that calls this prints the summary instead.
    """
    before = row_counts()
    removal = Removal(slug=dialogue.slug)
    dialogue_id = dialogue.id
    _remove_people(dialogue, removal)
    Session.execute(delete(Dialogue).where(Dialogue.id == dialogue_id))
    return _counted(removal, before)


def purge_dialogue(dialogue: Dialogue, today: dt.date) -> Removal:
    """After the retention period: keep the published results and final values, anonymously.

    Goes: every membership and the people in no other dialogue, the audit trail and jobs,
    unpublished rounds, hidden texts, proposals that never became final, member checks and text
    vectors. A final value keeps its trace: of an unpublished round it draws on, the themes it
    links to (with their merged and split family) and the texts in them or linked directly stay,
    and the rest of that round goes (:func:`_trim_to_trace`). Flagged details stay flagged, so
    the kept texts stay masked where they were and their fingerprints still verify. What stays
    cannot be joined to anybody: each author's pseudonym is replaced by a random one (still one
    per author, so counts of distinct authors hold) and the retry keys derived from it are
    cleared. When the admin chose not to keep results, the whole dialogue is deleted
    (:func:`delete_dialogue`).
    """
    if not dialogue.keep_results:
        return delete_dialogue(dialogue)
    before = row_counts()
    removal = Removal(slug=dialogue.slug)
    _remove_people(dialogue, removal)
    Session.execute(delete(AuditEvent).where(AuditEvent.dialogue_id == dialogue.id))
    Session.execute(delete(Job).where(Job.dialogue_id == dialogue.id))
    Session.execute(
        delete(Proposal).where(
            Proposal.dialogue_id == dialogue.id, Proposal.status != ProposalStatus.FINAL
        )
    )
    _trim_to_trace(dialogue, removal)
    round_ids = select(Round.id).where(Round.dialogue_id == dialogue.id).scalar_subquery()
    texts = select(Contribution.id).where(Contribution.round_id.in_(round_ids))
    Session.execute(
        delete(Contribution).where(
            Contribution.round_id.in_(round_ids),
            Contribution.moderation == ModerationState.HIDDEN,
        )
    )
    for model in (MemberCheck, ContributionEmbedding):
        Session.execute(delete(model).where(model.contribution_id.in_(texts)))
    _replace_pseudonyms(round_ids)
    dialogue.purged_on = today
    return _counted(removal, before)


def _replace_pseudonyms(round_ids) -> None:
    """Give each author of the rounds' texts and answers one random pseudonym; clear retry keys."""
    authors = set(
        Session.scalars(
            select(Contribution.author).where(Contribution.round_id.in_(round_ids)).distinct()
        )
    )
    questions = select(RoundQuestion.id).where(RoundQuestion.round_id.in_(round_ids))
    answered = QuestionAnswer.question_id.in_(questions)
    authors |= set(Session.scalars(select(QuestionAnswer.author).where(answered).distinct()))
    for author in sorted(authors):
        # One random pseudonym per author across texts and answers, so that counts still hold.
        anonymous = secrets.token_hex(32)
        Session.execute(
            update(Contribution)
            .where(Contribution.round_id.in_(round_ids), Contribution.author == author)
            .values(author=anonymous, submission_key=None)
        )
        Session.execute(
            update(QuestionAnswer)
            .where(answered, QuestionAnswer.author == author)
            .values(author=anonymous)
        )


def _trim_to_trace(dialogue: Dialogue, removal: Removal) -> None:
    """Delete the unpublished rounds, keeping of each only what a final value traces to.

    Runs once only final proposals are left. Their theme links reach the linked theme's whole
    family (merged into, split off), so every theme of it stays with its placements, and the
    texts placed in them or linked directly stay too; each kept link then still leads to the
    same texts. The round's other themes and texts, and its stored results (which may quote
    texts that are gone now), are deleted.
    """
    Session.flush()
    Session.expire_all()
    graph = load_graph(dialogue)
    themes = {
        member
        for proposal in graph.proposals.values()
        for source in proposal.sources
        if source.theme_id is not None
        for member in graph.family(source.theme_id)
    }
    texts = placed_in(themes) | {
        cid
        for proposal in graph.proposals.values()
        for cid in graph.source_contribution_ids(proposal)
    }
    unpublished = list(
        Session.scalars(
            select(Round)
            .where(Round.dialogue_id == dialogue.id, Round.is_published.is_(False))
            .order_by(Round.position)
        )
    )
    kept_rounds = {graph.themes[theme_id].round_id for theme_id in themes}
    for ids in chunks(sorted(texts)):
        kept_rounds.update(
            Session.scalars(select(Contribution.round_id).where(Contribution.id.in_(ids)))
        )
    for round_ in unpublished:
        if round_.id not in kept_rounds:
            Session.execute(delete(Round).where(Round.id == round_.id))
            continue
        removal.traced_rounds.append(round_.title)
        Session.execute(delete(Theme).where(Theme.round_id == round_.id, Theme.id.not_in(themes)))
        stale = select(Contribution.id).where(Contribution.round_id == round_.id)
        doomed = set(Session.scalars(stale)) - texts
        for ids in chunks(sorted(doomed)):
            Session.execute(delete(Contribution).where(Contribution.id.in_(ids)))
        Session.execute(delete(RoundResultsCache).where(RoundResultsCache.round_id == round_.id))
