"""Stored embeddings: computed by a worker after the participant's commit, once per text."""

import uuid

import numpy as np
import pytest
import redis
import rq
from click.testing import CliRunner
from sqlalchemy import func, select

from analysis.embed import model_name, text_hash
from dialogue.core import migrate
from dialogue.core.db import Session
from dialogue.core.jobs import worker
from dialogue.core.models import AnalysisRun, Contribution, Job
from dialogue.workbench.cli.themes import analyse_command, embed_command, themes_command
from dialogue.workbench.jobs import schedule as schedule_embedding
from rounds import embeddings
from rounds.theme_run.running import run_analysis
from tests.conftest import require
from tests.dialogue.participate.views.test_rounds import setup_round, submit
from tests.dialogue.workbench.cli.test_themes import write_csv
from tests.dialogue.workbench.corpus import STAFF_TEXTS, make_analysed_world
from tests.factories import make_contribution, make_dialogue, make_member, make_round
from tests.rounds.conftest import SHORT, stored


def test_each_text_is_embedded_once_and_again_after_an_edit(small_round, embedder):
    round_, contributions = small_round
    assert {cid for cid, _text in embeddings.pending(round_.id)} == {c.id for c in contributions}
    assert embeddings.embed_pending(round_.id) == 3
    rows = stored(round_)
    assert set(rows) == {c.id for c in contributions}
    row = rows[contributions[0].id]
    assert row.text_hash == text_hash(SHORT[0])
    assert row.model == model_name()
    vector = np.frombuffer(row.vector, dtype="<f4")
    assert vector.shape == (384,)
    assert abs(np.linalg.norm(vector) - 1) < 1e-3
    assert embeddings.pending(round_.id) == []
    assert embeddings.embed_pending(round_.id) == 0

    contributions[1].body = "Printeren virker aldrig."
    Session.flush()
    assert embeddings.pending(round_.id) == [(contributions[1].id, "Printeren virker aldrig.")]
    assert embeddings.embed_pending(round_.id) == 1
    assert stored(round_)[contributions[1].id].text_hash == text_hash("Printeren virker aldrig.")

    Session.delete(contributions[0])  # withdrawn: its vector, derived from its text, goes too
    Session.flush()
    assert contributions[0].id not in stored(round_)


def test_a_vector_of_another_model_is_recomputed(small_round, embedder):
    round_, contributions = small_round
    embeddings.embed_pending(round_.id)
    stored(round_)[contributions[2].id].model = "an-older-model"
    Session.flush()
    assert [cid for cid, _text in embeddings.pending(round_.id)] == [contributions[2].id]


RQ_REDIS = "redis://127.0.0.1:6379/14"  # queue and flag names below are this test's own


def test_with_redis_one_rq_task_per_round_embeds_its_texts(
    app_factory, fresh_database_url, monkeypatch, embedder
):
    connection = redis.Redis.from_url(RQ_REDIS)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    queue_name = f"test-embed-{uuid.uuid4().hex}"
    app = app_factory(
        fresh_database_url,
        REDIS_URL=RQ_REDIS,
        DIALOGUE_QUEUE=queue_name,
        DIALOGUE_EMBED_ON_SUBMIT=True,
    )
    migrate.upgrade(app)
    Session.remove()
    monkeypatch.setattr(worker, "_worker_app_instance", app)  # the worker's app: this test's
    with app.app_context():
        round_, contributions = make_round_with_texts()
        with app.test_request_context():
            schedule_embedding(round_)
            schedule_embedding(round_)  # a task is waiting already: not a second one
        queue = rq.Queue(queue_name, connection=connection)
        assert queue.count == 1
        Session.remove()
    rq.SimpleWorker([queue], connection=connection).work(burst=True)
    with app.app_context():
        assert set(stored(round_)) == {c.id for c in contributions}
        assert Session.scalar(select(func.count()).select_from(Job)) == 0
        with app.test_request_context():
            schedule_embedding(round_)  # the task cleared its flag: new texts queue again
        assert queue.count == 1
        queue.empty()
        queue.delete()
        Session.remove()


def test_without_the_extra_a_submission_is_saved_and_nothing_is_queued(
    client, app, monkeypatch, without_semantic_extra
):
    monkeypatch.setitem(app.config, "DIALOGUE_EMBED_ON_SUBMIT", True)
    dialogue, _, round_ = setup_round(client)
    assert submit(client, dialogue, round_, "Vi mangler tid til borgerne").status_code == 303
    assert Session.scalar(select(Contribution).where(Contribution.round_id == round_.id))
    assert Session.scalar(select(Job).where(Job.kind == "embed")) is None
    assert stored(round_) == {}


def test_a_semantic_run_embeds_what_is_missing_and_records_its_method(db_session, embedder):
    _, round_, _, contributions = make_analysed_world()
    embeddings.store([(c.id, c.body) for c in contributions[:10]])
    run = run_analysis(round_, method="semantic", seed=0)
    assert run.method == "semantic"
    assert run.parameters["method"] == "semantic"
    assert run.parameters["fallback"] is None
    assert run.versions["embedding_model"] == model_name()
    assert set(stored(round_)) == {c.id for c in contributions}
    assert run.quality["n_themes"] >= 2


@pytest.mark.parametrize(
    ("failure", "reason"), [("without_semantic_extra", "missing"), ("broken_model", "failed")]
)
def test_a_semantic_run_that_cannot_embed_uses_tfidf_and_says_why(
    db_session, request, failure, reason
):
    request.getfixturevalue(failure)
    _, round_, _, _ = make_analysed_world()
    run = run_analysis(round_, method="semantic", seed=0)
    assert (run.method, run.parameters["method"], run.parameters["fallback"]) == (
        "tfidf",
        "semantic",
        reason,
    )
    assert run.quality["n_themes"] == 3


def test_embed_command_embeds_a_round_and_refuses_an_unknown_one(app, db_session, embedder):
    round_, contributions = make_round_with_texts()
    runner = app.test_cli_runner()
    result = runner.invoke(embed_command, ["--round", str(round_.id)])
    assert result.exit_code == 0, result.output
    assert "3 texts embedded" in result.output
    assert set(stored(round_)) == {c.id for c in contributions}
    missing = runner.invoke(embed_command, ["--round", "999999"])
    assert missing.exit_code == 1
    assert "there is no round 999999" in missing.stderr


def test_embed_command_without_the_extra_says_how_to_install_it(
    app, db_session, without_semantic_extra
):
    result = app.test_cli_runner().invoke(embed_command, [])
    assert result.exit_code == 1
    assert "pip install -e '.[semantic]'" in result.stderr


def test_analyse_command_takes_a_method(app, db_session, embedder):
    _, round_, _, _ = make_analysed_world()
    Session.commit()
    result = app.test_cli_runner().invoke(analyse_command, [str(round_.id), "--method", "semantic"])
    assert result.exit_code == 0, result.output
    assert "(semantic)" in result.output
    run = Session.scalar(select(AnalysisRun).where(AnalysisRun.round_id == round_.id))
    assert run.method == "semantic"
    wrong = app.test_cli_runner().invoke(analyse_command, [str(round_.id), "--method", "bert"])
    assert wrong.exit_code == 2


def test_themes_command_notes_a_fallback(tmp_path, without_semantic_extra):
    source = write_csv(tmp_path / "in.csv", [["tekst"], *[[text] for text in STAFF_TEXTS]])
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        themes_command,
        [str(source), "--text-column", "tekst", "--method", "semantic", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "the semantic extra is not installed" in result.stderr
    assert '"fallback": "missing"' in out.read_text(encoding="utf-8")


def make_round_with_texts():
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    contributions = [make_contribution(round_, member, text) for text in SHORT]
    Session.commit()
    return round_, contributions
