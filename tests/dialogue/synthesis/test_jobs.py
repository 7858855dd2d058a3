"""Out-of-date synthesis figures: shown while a background job computes new ones, never lost."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import render_template
from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Job, JobState, Membership
from dialogue.core.models.analysis import HideReason
from dialogue.core.models.proposal import ProposalKind
from dialogue.synthesis.jobs import KIND, PAGE_INTERVAL, refresh_job, refresh_later
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.figures import FiguresPending, outdated, serving_page, source_sizes
from dialogue.synthesis.services.proposals import add_source, create_proposal
from dialogue.workbench.services.edits import hide_contribution
from rounds.traceability import load_graph
from tests.dialogue.synthesis.views.test_reading import _final
from tests.factories import STAFF_PASSWORD
from tests.logins import staff_login

NOTICE = "being updated"


@pytest.fixture
def page(app, db_session):
    """Figures read as a GET page reads them (the app does this around every GET request)."""
    with app.test_request_context(headers={"Accept-Language": "en"}), serving_page():
        yield


class Progress:
    """What a job function gets, without a job row."""

    def __init__(self) -> None:
        self.reports = []

    def progress(self, done: int, total: int, stage: str = "") -> None:
        self.reports.append((done, total))


@pytest.fixture
def asked(app, monkeypatch):
    """Jobs run in threads, as in production, and the refresh requests are only recorded.

    So are the requests for a closed round's final figures: a thread running that job would
    share the test's one connection, while the test and after it.
    """
    calls = []
    monkeypatch.setitem(app.config, "JOBS_RUNNER", "thread")

    def refresh_later(dialogue_id, **_options):
        calls.append(dialogue_id)

    monkeypatch.setattr("dialogue.synthesis.jobs.refresh_later", refresh_later)
    monkeypatch.setattr("dialogue.core.results_cache.final.finalise_later", lambda round_: None)
    return calls


def test_a_page_never_computes_figures_stored_or_not(case, page):
    _final(case)
    with pytest.raises(FiguresPending) as pending:  # none stored yet: not computed here
        coverage(load_graph(case.dialogue), case.dialogue)
    assert pending.value.dialogue_id == case.dialogue.id
    refresh_job(Progress(), case.dialogue.id)
    before = coverage(load_graph(case.dialogue), case.dialogue)
    assert outdated() == frozenset()
    hide_contribution(case.texts["big"][0], reason=HideReason.OFF_TOPIC, actor_id=None)
    stale = coverage(load_graph(case.dialogue), case.dialogue)
    assert stale.reached_contributions == before.reached_contributions
    assert outdated() == {case.dialogue.id}  # served as stored, noted for the job
    assert NOTICE in render_template("base.html")

    job = Progress()
    refresh_job(job, case.dialogue.id)
    done, total = job.reports[-1]
    assert done == total - 1  # every figure, the last one included
    with serving_page():  # the next page
        fresh = coverage(load_graph(case.dialogue), case.dialogue)
        assert outdated() == frozenset()  # up to date: nothing noted
        assert NOTICE not in render_template("base.html")
    assert fresh.reached_contributions == before.reached_contributions - 1


def test_figures_for_other_themes_or_links_are_left_to_the_job(case, page):
    value = _final(case)
    refresh_job(Progress(), case.dialogue.id)
    graph = load_graph(case.dialogue)
    before = coverage(graph, case.dialogue)
    assert source_sizes(graph, value, case.dialogue) == {case.themes["big"].id: 10}
    add_source(value, theme=case.themes["small"], actor_id=None)
    graph = load_graph(case.dialogue)
    # Stored figures for the old links would lack the new theme: never shown for the new ones.
    with pytest.raises(FiguresPending):
        source_sizes(graph, graph.proposals[value.id], case.dialogue)
    refresh_job(Progress(), case.dialogue.id)
    assert source_sizes(graph, graph.proposals[value.id], case.dialogue) == {
        case.themes["big"].id: 10,
        case.themes["small"].id: 2,
    }
    after = coverage(graph, case.dialogue)
    assert after.reached_contributions == before.reached_contributions + 2
    assert outdated() == frozenset()


def test_a_page_without_stored_figures_says_they_are_being_computed(case, client, asked):
    _final(case)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    for page in ("coverage", "report"):
        response = client.get(f"/d/{case.dialogue.slug}/{page}")
        assert response.status_code == 202
        assert "Tallene beregnes" in response.get_data(as_text=True)  # the dialogue is Danish
    assert asked == [case.dialogue.id, case.dialogue.id]


def test_a_page_shows_outdated_figures_and_asks_for_new_ones(case, client, asked):
    _final(case)
    refresh_job(Progress(), case.dialogue.id)
    hide_contribution(case.texts["big"][0], reason=HideReason.OFF_TOPIC, actor_id=None)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    response = client.get(f"/d/{case.dialogue.slug}/coverage")
    assert response.status_code == 200
    assert "ved at blive opdateret" in response.get_data(as_text=True)  # the dialogue is Danish
    assert asked == [case.dialogue.id]


def test_a_change_to_the_proposals_starts_the_job(case, client):
    value = create_proposal(case.dialogue, kind=ProposalKind.VALUE, title="Kladde", actor_id=None)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    page = client.get(f"/d/{case.dialogue.slug}/proposals/{value.id}")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        f"/d/{case.dialogue.slug}/proposals/{value.id}/drop",
        data={"csrf_token": token, "note": "Lagt til side"},
    )
    assert response.status_code == 303
    job = Session.scalars(select(Job).where(Job.kind == KIND)).one()
    assert (job.key, job.state) == (str(case.dialogue.id), JobState.DONE)


@pytest.mark.parametrize(("ago", "started"), [(10, False), (120, True)])
def test_a_page_starts_no_job_within_a_minute_of_the_last(case, request_context, ago, started):
    # While a round is open each new text makes the figures stale: one job a minute at most.
    Session.add(
        Job(
            id="e" * 32,
            kind=KIND,
            key=str(case.dialogue.id),
            state=JobState.DONE,
            finished_at=utcnow() - dt.timedelta(seconds=ago),
        )
    )
    Session.flush()
    refresh_later(case.dialogue.id, unless_within=PAGE_INTERVAL)
    count = Session.scalar(select(func.count()).select_from(Job).where(Job.kind == KIND))
    assert count == (2 if started else 1)
    refresh_later(case.dialogue.id)  # a change to the proposals always starts one
    assert Session.scalar(select(func.count()).select_from(Job).where(Job.kind == KIND)) == (
        3 if started else 2
    )
