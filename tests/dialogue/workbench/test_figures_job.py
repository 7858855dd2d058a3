"""A closed round's workbench figures are computed by its job, never by the page asking for them.

At a million texts counting them took a second or more on the first request after each edit.
The thread runner runs the jobs here, as in an app server, on a database of its own where its
thread commits for real. No timing assertions: the waiting loops are bounded and only wait.
"""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Job, JobState, RoundKind, RoundResultsCache
from dialogue.core.results_cache.final import finalise
from tests.conftest import csrf_from
from tests.dialogue.workbench.corpus import make_analysed_world
from tests.dialogue.workbench.test_views import log_in, url
from tests.factories import make_dialogue
from tests.rounds.factories import closed_times, make_item_round

BEING_COMPUTED = "They are being computed now"
UNASSIGNED = re.compile(r"(\d+) contributions? fits? no theme")
DEADLINE = 60


def until_computed(client, page: str, unassigned_before: int | None = None) -> str:
    """The page once it has its figures; while it answers 202, none of them (nor older ones)."""
    deadline = time.monotonic() + DEADLINE
    while (response := client.get(page)).status_code == 202:
        html = response.get_data(as_text=True)
        assert BEING_COMPUTED in html
        assert not UNASSIGNED.search(html)
        assert time.monotonic() < deadline, "the job did not store the figures"
        time.sleep(0.2)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert int(UNASSIGNED.search(html).group(1)) != unassigned_before
    return html


def jobs_done(app) -> None:
    """Wait until no job is queued or running (bounded)."""
    deadline = time.monotonic() + DEADLINE
    with app.app_context():
        active = [JobState.QUEUED, JobState.RUNNING]
        while Session.scalars(select(Job).where(Job.state.in_(active))).first():
            assert time.monotonic() < deadline, "a job did not end"
            Session.rollback()  # a new snapshot: the thread commits on its own connection
            time.sleep(0.2)
        Session.remove()


def test_a_closed_rounds_page_waits_for_the_job_and_never_shows_earlier_figures(threaded_app):
    app = threaded_app
    with app.app_context():
        dialogue, round_, consultant, texts = make_analysed_world(language="en")
        for name, value in closed_times().items():
            setattr(round_, name, value)
        Session.commit()
        page, unassigned = url(dialogue, round_), url(dialogue, round_, "unassigned")
        hide = url(dialogue, round_, f"contributions/{texts[0].id}/hide")
        Session.remove()
    client = app.test_client()
    log_in(client, consultant)

    response = client.get(unassigned)
    assert response.status_code == 202  # the request started the round's job, and says so
    assert BEING_COMPUTED in response.get_data(as_text=True)
    before = int(UNASSIGNED.search(until_computed(client, page)).group(1))
    assert before == len(texts)
    assert client.get(unassigned).status_code == 200

    token = csrf_from(client.get(page))
    response = client.post(hide, data={"csrf_token": token, "reason": "off_topic"})
    assert response.status_code == 302  # the edit started the job that counts anew
    html = until_computed(client, page, unassigned_before=before)
    assert int(UNASSIGNED.search(html).group(1)) == before - 1


def test_a_run_stores_the_figures_before_its_job_is_done(threaded_app):
    app = threaded_app
    with app.app_context():
        dialogue, round_, consultant, _ = make_analysed_world(language="en")
        for name, value in closed_times().items():
            setattr(round_, name, value)
        Session.commit()
        page = url(dialogue, round_)
        Session.remove()
    client = app.test_client()
    log_in(client, consultant)
    until_computed(client, page)  # the texts, none in a theme yet

    response = client.post(
        url(dialogue, round_, "run"), data={"csrf_token": csrf_from(client.get(page)), "seed": "0"}
    )
    assert response.status_code == 302
    jobs_done(app)
    response = client.get(page)
    assert response.status_code == 200
    assert "3 themes, 0 texts without a theme." in response.get_data(as_text=True)


def test_the_job_stores_the_plain_page_of_a_round_without_parts(app_context):
    """A prioritisation round has nothing to theme, yet its workbench page shows its counts."""
    round_ = make_item_round(make_dialogue(), RoundKind.PRIORITISATION)
    for name, value in closed_times().items():
        setattr(round_, name, value)
    Session.commit()
    finalise(round_)
    stored = Session.scalars(
        select(RoundResultsCache.variant).where(RoundResultsCache.round_id == round_.id)
    ).all()
    assert "workbench" in stored
