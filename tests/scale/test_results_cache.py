"""Results of closed rounds are computed once and stored; any change makes them recomputed."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Role, Round, RoundResultsCache
from dialogue.core.results_cache.codec import decode, encode
from dialogue.core.results_cache.final import finalise, finalise_closed
from dialogue.core.results_cache.store import cached
from rounds import get_kind
from rounds.results.cached import cached_results
from rounds.results.segments import author_segments
from rounds.theme_run.reading import theme_parts
from tests.conftest import TEST_SECRETS
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.dialogue.results.test_views import rated_round, url
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login


def stored(round_):
    return Session.scalar(
        select(func.count())
        .select_from(RoundResultsCache)
        .where(RoundResultsCache.round_id == round_.id)
    )


def test_the_codec_gives_back_what_it_was_given(app, app_context):
    dialogue = make_dialogue(language="en")
    make_member(dialogue, department="IT")
    round_ = rated_round(dialogue)
    results = get_kind(round_.kind).results(
        round_, author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    )
    again = decode(encode(results))
    with app.test_request_context():  # lazy strings compare by their text in a language
        assert again == results
        assert str(decode(encode(_l("mean rating")))) == str(_l("mean rating"))
    assert math.isnan(decode(encode(float("nan"))))


def test_a_closed_round_is_computed_once_and_recomputed_after_a_change(app_context):
    round_ = rated_round(make_dialogue(language="en"))
    calls = []

    def compute():
        calls.append(1)
        return {"answer": len(calls)}

    assert cached(round_, "test", compute) == {"answer": 1}
    assert cached(round_, "test", compute) == {"answer": 1}
    assert len(calls) == 1
    round_.is_published = True  # publishing changes the version
    assert cached(round_, "test", compute) == {"answer": 2}
    round_.settings = {**round_.settings, "note": "changed"}
    assert cached(round_, "test", compute) == {"answer": 3}


def test_an_open_round_is_never_stored(app_context):
    round_ = make_round(make_dialogue())  # open now
    assert cached(round_, "test", lambda: 1) == 1
    assert stored(round_) == 0


def test_an_open_round_is_kept_for_open_seconds_at_most(app_context, monkeypatch):
    round_ = make_round(make_dialogue())  # open now
    window = int(utcnow().timestamp()) // 60 * 60
    clock = {"now": window + 1}
    monkeypatch.setattr(
        "dialogue.core.results_cache.store.utcnow",
        lambda: dt.datetime.fromtimestamp(clock["now"], dt.UTC),
    )
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached(round_, "test", compute, open_seconds=60) == 1
    clock["now"] = window + 59
    assert cached(round_, "test", compute, open_seconds=60) == 1
    assert stored(round_) == 1
    clock["now"] = window + 60  # the next window: at most a minute old
    assert cached(round_, "test", compute, open_seconds=60) == 2


def test_stored_results_equal_computed_ones(app, app_context):
    dialogue = make_dialogue(language="en")
    make_member(dialogue, department="IT")
    round_ = rated_round(dialogue)
    computed = cached_results(round_, staff=True)
    assert not computed.pending  # the job that computes the final figures ran inline
    # The staff's results and the participation, both final, the participants' results, the
    # themes of the comments fed back (none accepted) and the workbench's figures of each part.
    assert stored(round_) == 4 + len(theme_parts(round_))
    with app.test_request_context():
        assert cached_results(round_, staff=True) == computed
        assert computed == get_kind(round_.kind).results(
            round_, author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
        )
        assert cached_results(round_, staff=False) == get_kind(round_.kind).results(round_, None)


def test_a_results_page_looks_the_same_from_the_store(client):
    dialogue = make_dialogue(language="en")
    consultant = make_member(dialogue, Role.CONSULTANT)
    round_ = rated_round(dialogue)
    assert staff_login(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    first = client.get(url(dialogue, round_)).get_data(as_text=True)
    second = client.get(url(dialogue, round_)).get_data(as_text=True)
    assert "Arbejdsmilj" in first or "arbejdsmiljo" in first
    assert first.split('name="csrf_token"')[0] == second.split('name="csrf_token"')[0]


def test_entries_stored_before_the_results_moved_into_a_package_still_decode():
    # As stored by rounds/results.py and rounds/participation.py, before they became modules of
    # the rounds.results package: a closed round's final figures must decode, not be redone.
    from rounds.results import participation, segments

    old = {
        "__t": "rounds.participation.GroupRow",
        "f": {"name": "HR", "invited": 12, "contributors": 7},
    }
    assert decode(old) == participation.GroupRow("HR", 12, 7)
    row = segments.GroupRow("HR", 7, {"a": 4.0})
    assert encode(row)["__t"] == "rounds.results.GroupRow"
    assert decode(encode(row)) == row


@pytest.fixture
def later(app, monkeypatch):
    """Pages run as in production (jobs apart from the request); the jobs asked for are recorded."""
    calls = []
    monkeypatch.setitem(app.config, "JOBS_RUNNER", "thread")
    monkeypatch.setattr(
        "dialogue.core.results_cache.final.finalise_later", lambda round_: calls.append(round_.id)
    )
    return calls


BEING_COMPUTED = "Its results are being computed"


def run_job(app, round_):
    """What the closed round's job does (tests that use ``client`` hold no app context)."""
    round_id = round_.id
    with app.app_context():
        finalise(Session.get(Round, round_id))
        Session.commit()  # the entries' savepoints sit inside this context's, in the test's


def test_a_page_leaves_a_closed_rounds_results_to_a_job_and_says_so(app, client, later):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue, published=True)
    log_in_participant(client, make_member(dialogue))
    response = client.get(url(dialogue, round_))
    assert response.status_code == 202
    page = response.get_data(as_text=True)
    assert BEING_COMPUTED in page
    assert "Consensus" not in page
    assert later == [round_.id]
    assert stored(round_) == 0  # nothing computed in the request

    run_job(app, round_)
    response = client.get(url(dialogue, round_))
    assert response.status_code == 200
    assert "Consensus" in response.get_data(as_text=True)
    assert later == [round_.id]


def test_after_a_change_a_page_never_shows_the_earlier_results(app, client, later):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue, published=True)
    run_job(app, round_)
    log_in_participant(client, make_member(dialogue))
    assert "6 people answered" in client.get(url(dialogue, round_)).get_data(as_text=True)
    # The six answers are now too few to show (the objects above left with the request).
    Session.get(Dialogue, dialogue.id).min_group_size = 7
    response = client.get(url(dialogue, round_))
    assert response.status_code == 202
    assert "6 people answered" not in response.get_data(as_text=True)
    run_job(app, round_)
    page = client.get(url(dialogue, round_)).get_data(as_text=True)
    assert "Fewer than 7 people answered" in page


def test_the_public_page_is_not_cached_while_results_are_being_computed(app, client, later):
    dialogue = make_dialogue(language="en", is_public=True)
    round_ = rated_round(dialogue, published=True)
    response = client.get(f"/p/{dialogue.slug}/")
    assert response.status_code == 202
    assert response.headers["Cache-Control"] == "no-store"
    assert later  # the round's job, asked for by its results and its participation
    run_job(app, round_)
    response = client.get(f"/p/{dialogue.slug}/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_the_tick_stores_what_closed_rounds_lack(app_context):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue, published=True)
    open_round = make_round(dialogue)
    Session.commit()  # as the tick does, after its reminders
    finalise_closed()
    # The staff's results and the participation, both final, the participants' results, the
    # themes of the comments fed back (none accepted) and the workbench's figures of each part.
    assert stored(round_) == 4 + len(theme_parts(round_))
    assert stored(open_round) == 0
