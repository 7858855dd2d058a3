"""The embedding worker's batches: new texts of watched rounds embedded, edits honoured."""

import datetime as dt

from sqlalchemy import func, select

from analysis.embed import text_hash
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Job
from rounds import embedding_worker
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import setup_round, submit
from tests.factories import make_contribution, make_dialogue, make_member, make_round
from tests.rounds.conftest import stored


def run_worker_once():
    """What the embedding worker does at each look: embed the watched rounds' new texts."""
    return embedding_worker.embed_new_texts(
        embedding_worker.watched_rounds(utcnow()), commit=Session.commit
    )


def test_a_submission_leaves_no_job_row_and_the_worker_embeds_it(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "DIALOGUE_EMBED_ON_SUBMIT", True)
    dialogue, _, round_ = setup_round(client)
    assert submit(client, dialogue, round_, "Vi mangler tid til borgerne").status_code == 303
    contribution = Session.scalar(select(Contribution).where(Contribution.round_id == round_.id))
    assert stored(round_) == {}  # not in the request
    assert Session.scalar(select(func.count()).select_from(Job)) == 0
    assert run_worker_once() == 1
    assert stored(round_)[contribution.id].text_hash == text_hash("Vi mangler tid til borgerne")
    assert run_worker_once() == 0


def test_an_edit_drops_the_vector_and_the_worker_embeds_the_new_text(client, embedder):
    dialogue, _, round_ = setup_round(client)
    submit(client, dialogue, round_, "Første udgave")
    run_worker_once()
    contribution = Session.scalar(select(Contribution).where(Contribution.round_id == round_.id))
    edit_url = f"/d/{dialogue.slug}/contributions/{contribution.id}/edit"
    edited = client.post(
        edit_url, data={"csrf_token": csrf_from(client.get(edit_url)), "body": "Anden udgave"}
    )
    assert edited.status_code == 303
    assert stored(round_) == {}
    assert run_worker_once() == 1
    assert stored(round_)[contribution.id].text_hash == text_hash("Anden udgave")


def test_a_text_edited_while_its_vector_is_computed_keeps_no_stale_vector(
    small_round, embedder, monkeypatch
):
    round_, contributions = small_round
    Session.commit()

    class EditingMeanwhile:
        """The real model, while a participant edits a text during the computation."""

        name = embedder.name

        def embed(self, texts, progress=None):
            contributions[0].body = "Skrevet om imens"
            Session.commit()
            return embedder.embed(texts, progress=progress)

    monkeypatch.setattr(embedding_worker, "load_embedder", lambda threads=1: EditingMeanwhile())
    assert embedding_worker.embed_batch([round_.id], commit=Session.commit) == 3
    assert set(stored(round_)) == {contributions[1].id, contributions[2].id}
    monkeypatch.undo()
    assert embedding_worker.embed_batch([round_.id], commit=Session.commit) == 1
    assert stored(round_)[contributions[0].id].text_hash == text_hash("Skrevet om imens")


def test_closed_rounds_are_left_to_the_analysis(db_session, embedder):
    dialogue = make_dialogue()
    now = utcnow()
    closed = make_round(
        dialogue, opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=2)
    )
    member = make_member(dialogue)
    make_contribution(closed, member, "Vi har for travlt.")
    assert closed.id not in embedding_worker.watched_rounds(now)
    assert closed.id in embedding_worker.watched_rounds(now - dt.timedelta(days=3))


def test_the_worker_waits_for_a_lull_while_texts_arrive():
    lull = embedding_worker.Lull(quiet=10, patience=600)
    assert lull.look(5, now=0)  # at start: what is there is embedded at once
    assert not lull.look(6, now=2)  # texts arriving: wait
    assert not lull.look(9, now=4)
    assert lull.arriving(now=4)
    assert not lull.look(9, now=13)  # 9 s without a new text
    assert lull.look(9, now=14)  # 10 s: the lull
    assert not lull.arriving(now=14)


def test_a_text_waits_no_longer_than_the_patience_however_busy_the_round():
    lull = embedding_worker.Lull(quiet=10, patience=600)
    lull.look(0, now=0)
    # A text every 5 s: the first arrived at 5 s.
    assert not any(lull.look(count, now=count * 5) for count in range(1, 121))
    assert lull.look(121, now=605)  # it has waited 600 s
    assert lull.look(122, now=606)  # batch after batch until caught up, however many arrive
    lull.caught_up()
    assert not lull.look(123, now=610)  # and then a new wait
    assert lull.look(130, now=1210)


def test_counting_the_texts_of_watched_rounds(small_round):
    round_, _contributions = small_round
    assert embedding_worker.texts_in([]) == 0
    before = embedding_worker.texts_in([round_.id])
    make_contribution(round_, make_member(round_.dialogue), "Vi mangler tid")
    assert embedding_worker.texts_in([round_.id]) == before + 1
