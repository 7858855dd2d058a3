"""Background jobs: one active job per key, progress and outcome in the database, clear failures.

Tests run jobs inline (``TESTING``); the thread runner is tested on a database of its own, where
its thread can commit for real. No timing assertions: waiting loops are bounded and only wait.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
import uuid

import pytest
import redis
import rq
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dialogue.admin.jobs import import_job
from dialogue.core import migrate
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.jobs import worker
from dialogue.core.jobs.runner import JobOutcome, JobRefused, enqueue, runner_name
from dialogue.core.jobs.state import STALE_AFTER, get_job
from dialogue.core.models import Job, JobState, Membership, Role
from tests.conftest import csrf_from, require
from tests.dialogue.workbench.corpus import make_analysed_world
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login

SECRET_TEXT = "Min leder Bent siger altid nej"


# --- job functions (module level, as the runners require) -------------------------------------


def counting_job(job, steps: int) -> JobOutcome:
    for step in range(steps + 1):
        job.progress(step, steps, "count")
    return JobOutcome("counted", "/somewhere")


def leaking_job(job) -> None:
    raise RuntimeError(f"crashed while reading: {SECRET_TEXT}")


def refusing_job(job) -> None:
    raise JobRefused("The file has no rows.")


def translated_job(job) -> JobOutcome:
    return JobOutcome(ngettext("%(num)d text embedded.", "%(num)d texts embedded.", 3))


# --- helpers -----------------------------------------------------------------------------------


def log_in(client, membership):
    assert staff_login(client, membership.person.email, STAFF_PASSWORD).status_code == 302


def post(client, page, action, **data):
    token = csrf_from(client.get(page))
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=True)


def workbench_url(dialogue, round_, tail=""):
    return f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/{tail}"


def job_rows():
    return Session.scalars(select(Job).execution_options(populate_existing=True)).all()


# --- the workbench's analysis as a job ---------------------------------------------------------


def test_the_analysis_runs_as_a_job_and_reports_done_with_a_link(client, db_session):
    dialogue, round_, consultant, _ = make_analysed_world(language="en")
    log_in(client, consultant)
    page = workbench_url(dialogue, round_)

    html = post(client, page, workbench_url(dialogue, round_, "run"), seed="0").get_data(
        as_text=True
    )

    assert "The analysis found 3 themes." in html
    (job,) = job_rows()
    assert (job.kind, job.key, job.state) == ("analysis", f"round:{round_.id}", JobState.DONE)
    assert job.active_key is None  # the key is free for the next run
    assert job.done == job.total > 0
    assert job.actor_id == consultant.person_id
    assert job.result_url == f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/"
    status = client.get(workbench_url(dialogue, round_, f"jobs/{job.id}")).get_json()
    assert status["state"] == "done"
    assert status["finished"] is True
    assert status["fraction"] == 1.0
    assert "actor_id" not in status


def test_pressing_run_twice_while_a_run_is_active_starts_no_second_job(client, db_session):
    dialogue, round_, consultant, _ = make_analysed_world(language="en")
    running = Job(
        id="r" * 32,
        kind="analysis",
        key=f"round:{round_.id}",
        active_key=f"analysis:round:{round_.id}",
        state=JobState.RUNNING,
        done=300,
        total=1000,
        message="vectorise",
        updated_at=utcnow(),
        dialogue_id=dialogue.id,
    )
    Session.add(running)
    log_in(client, consultant)
    page = workbench_url(dialogue, round_)

    html = client.get(page).get_data(as_text=True)
    assert 'data-job-status="' + workbench_url(dialogue, round_, f"jobs/{running.id}") in html
    assert "<progress" in html
    assert 'value="300"' in html
    assert "Reading the texts" in html
    assert f'href="{page}"' in html  # the "refresh" link works without JavaScript
    assert 'src="/static/jobs.js"' in html
    assert "<script>" not in html  # CSP: no inline script
    assert f'action="{workbench_url(dialogue, round_, "run")}"' not in html  # no button meanwhile

    # The page has no run form now: a second window (or a double click) posts anyway.
    token = csrf_from(client.get(f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/unassigned"))
    response = client.post(
        workbench_url(dialogue, round_, "run"),
        data={"csrf_token": token, "seed": "0"},
        follow_redirects=True,
    )
    assert "running already" in response.get_data(as_text=True)
    assert len(job_rows()) == 1
    status = client.get(workbench_url(dialogue, round_, f"jobs/{running.id}")).get_json()
    assert (status["state"], status["done"], status["total"]) == ("running", 300, 1000)
    assert status["message"] == "Reading the texts"


def test_the_database_refuses_two_active_jobs_with_the_same_key(db_session):
    for job_id in ("a" * 32, "b" * 32):
        Session.add(Job(id=job_id, kind="analysis", key="round:1", active_key="analysis:round:1"))
    with pytest.raises(IntegrityError):
        Session.flush()


def test_a_job_of_another_round_is_not_found(client, db_session):
    dialogue, round_, consultant, _ = make_analysed_world(language="en")
    other = make_round(dialogue)
    Session.add(Job(id="c" * 32, kind="analysis", key=f"round:{other.id}", dialogue_id=dialogue.id))
    log_in(client, consultant)
    assert client.get(workbench_url(dialogue, round_, f"jobs/{'c' * 32}")).status_code == 404
    assert client.get(workbench_url(dialogue, round_, "jobs/nonexistent")).status_code == 404


def test_an_empty_round_fails_with_the_domain_message(client, db_session):
    dialogue, _, consultant, _ = make_analysed_world(language="en")
    empty = make_round(dialogue)
    log_in(client, consultant)
    html = post(client, workbench_url(dialogue, empty), workbench_url(dialogue, empty, "run"))
    assert "no texts to analyse" in html.get_data(as_text=True)
    (job,) = job_rows()
    assert job.state is JobState.FAILED
    assert "no texts to analyse" in job.message
    html = client.get(workbench_url(dialogue, empty)).get_data(as_text=True)
    assert "did not finish" in html
    assert "Run the analysis" in html  # it can be tried again


# --- failures ----------------------------------------------------------------------------------


def test_a_crash_fails_the_job_with_a_general_message_and_logs_no_text(app_context, caplog):
    dialogue = make_dialogue(language="en")
    Session.commit()
    with caplog.at_level(logging.DEBUG):
        job_id = enqueue("export", f"dialogue:{dialogue.id}", leaking_job, dialogue_id=dialogue.id)
    job = get_job(job_id)
    assert job.state is JobState.FAILED
    assert job.active_key is None
    assert "The job failed" in job.message
    assert SECRET_TEXT not in job.message
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert job_id in logged
    assert "RuntimeError" in logged
    assert SECRET_TEXT not in logged
    assert not any(record.exc_info for record in caplog.records)


def test_a_refusal_keeps_its_own_message(app_context):
    job_id = enqueue("import", "dialogue:0", refusing_job)
    job = get_job(job_id)
    assert (job.state, job.message) == (JobState.FAILED, "The file has no rows.")


def test_an_abandoned_job_no_longer_blocks_its_key(app_context):
    Session.add(
        Job(
            id="d" * 32,
            kind="export",
            key="dialogue:7",
            active_key="export:dialogue:7",
            state=JobState.RUNNING,
            updated_at=utcnow() - STALE_AFTER - dt.timedelta(minutes=1),
        )
    )
    Session.commit()
    job_id = enqueue("export", "dialogue:7", counting_job, 3)
    assert get_job(job_id).state is JobState.DONE
    abandoned = get_job("d" * 32)
    assert abandoned.state is JobState.FAILED
    assert any(words in abandoned.message for words in ("stopped unexpectedly", "stoppede uventet"))


def test_a_job_function_must_be_importable_by_name(app_context):
    with pytest.raises(ValueError, match="module-level"):
        enqueue("export", "x", lambda job: None)


# --- the thread runner, on a database of its own ---------------------------------------------


def test_the_thread_runner_reports_progress_and_outcome(threaded_app):
    app = threaded_app
    with app.app_context():
        job_id = enqueue("export", "dialogue:1", counting_job, 5)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            Session.rollback()  # a new snapshot: the thread commits on its own connection
            job = get_job(job_id)
            if job.state in (JobState.DONE, JobState.FAILED):
                break
            time.sleep(0.05)
        assert job.state is JobState.DONE
        assert (job.done, job.total, job.message, job.result_url) == (5, 5, "counted", "/somewhere")
        assert runner_name(app) == "thread"
        Session.remove()


def test_a_thread_job_speaks_its_dialogues_language(threaded_app):
    """A thread has no request, so no visitor's language: the job's message is the dialogue's."""
    app = threaded_app
    with app.app_context():
        dialogue = make_dialogue(language="da")
        Session.commit()
        job_id = enqueue("export", "dialogue:1", translated_job, dialogue_id=dialogue.id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            Session.rollback()
            job = get_job(job_id)
            if job.state in (JobState.DONE, JobState.FAILED):
                break
            time.sleep(0.05)
        assert (job.state, job.message) == (JobState.DONE, "3 tekster er indlejret.")
        Session.remove()


def test_a_request_starts_a_thread_job_that_ends_on_sqlite_too(threaded_app):
    """The button in the browser, on SQLite with the default thread runner.

    A POST that has read holds SQLite's write lock (BEGIN IMMEDIATE) while the job is recorded
    on a connection of its own: it once waited for its own lock, a 503. The job's progress,
    written on other connections, then outdated the snapshot its transaction had read from:
    "database is locked" at its first write.
    """
    app = threaded_app
    with app.app_context():
        dialogue, round_, consultant, _ = make_analysed_world(language="en")
        Session.commit()
        page, run = workbench_url(dialogue, round_), workbench_url(dialogue, round_, "run")
        Session.remove()
    # Requests outside that app context, so that each has its own (and its own CSRF token).
    client = app.test_client()
    log_in(client, consultant)
    response = client.post(run, data={"csrf_token": csrf_from(client.get(page)), "seed": "0"})
    assert response.status_code == 302
    # The job then runs in its thread and commits, without "database is locked" on SQLite.
    deadline = time.monotonic() + 60
    while "Last analysis" not in client.get(page).get_data(as_text=True):
        assert time.monotonic() < deadline, "the analysis did not end"
        time.sleep(0.2)
    assert "3 themes, 0 texts without a theme." in client.get(page).get_data(as_text=True)
    with app.app_context():
        assert [(job.kind, job.state) for job in job_rows()] == [("analysis", JobState.DONE)]
        Session.remove()


# --- large imports -----------------------------------------------------------------------------


def admin_world(client):
    dialogue = make_dialogue(language="en")
    admin = make_member(dialogue, Role.ADMIN)
    log_in(client, admin)
    return dialogue


def upload(client, dialogue, data: bytes, filename: str):
    page = f"/d/{dialogue.slug}/admin/participants"
    token = csrf_from(client.get(page))
    return client.post(
        f"/d/{dialogue.slug}/admin/participants/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def participants(dialogue):
    return Session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
    )


def test_a_large_import_runs_as_a_job(client, db_session):
    dialogue = admin_world(client)
    rows = "".join(f"p{n}@kommune.example;Person {n};Afdeling {n % 7}\n" for n in range(6000))
    response = upload(client, dialogue, f"email;name;department\n{rows}".encode(), "big.csv")
    html = response.get_data(as_text=True)
    assert "Import done: 6000 new" in html
    (job,) = job_rows()
    assert (job.kind, job.state) == ("import", JobState.DONE)
    assert participants(dialogue) == 6000
    status = client.get(f"/d/{dialogue.slug}/admin/participants/jobs/{job.id}").get_json()
    assert status["state"] == "done"


def test_a_large_import_with_problems_imports_nothing_and_names_lines_not_people(
    client, db_session
):
    dialogue = admin_world(client)
    rows = "".join(f"p{n}@kommune.example;Person {n}\n" for n in range(5999))
    rows += "not-an-address;Hemmelig Person\n"
    html = upload(client, dialogue, f"email;name\n{rows}".encode(), "big.csv").get_data(
        as_text=True
    )
    (job,) = job_rows()
    assert job.state is JobState.FAILED
    assert "Nothing was imported" in job.message
    assert "6001" in job.message
    assert "Hemmelig" not in job.message
    assert "not-an-address" not in job.message
    assert "Nothing was imported" in html
    assert participants(dialogue) == 0


def test_a_small_import_stays_on_the_request(client, db_session):
    dialogue = admin_world(client)
    upload(client, dialogue, b"email;name\na@kommune.example;A\n", "small.csv")
    assert job_rows() == []
    assert participants(dialogue) == 1


# --- the RQ runner, when Redis is there --------------------------------------------------------

RQ_REDIS = "redis://127.0.0.1:6379/0"


def test_an_rq_worker_runs_the_job_and_reports_the_same_way(
    app_factory, fresh_database_url, monkeypatch
):
    connection = redis.Redis.from_url(RQ_REDIS)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    # A queue of this test's own: the Redis is shared, and emptying it would drop others' jobs.
    queue_name = f"test-{uuid.uuid4().hex[:12]}"
    app = app_factory(fresh_database_url, REDIS_URL=RQ_REDIS, DIALOGUE_QUEUE=queue_name)
    migrate.upgrade(app)
    Session.remove()
    monkeypatch.setattr(worker, "_worker_app_instance", app)  # the worker's app: this test's
    with app.app_context():
        assert runner_name(app) == "rq"
        job_id = enqueue("export", "dialogue:2", counting_job, 4)
        Session.rollback()
        assert get_job(job_id).state is JobState.QUEUED
        Session.remove()
    queue = rq.Queue(queue_name, connection=connection)
    rq.SimpleWorker([queue], connection=connection).work(burst=True)
    with app.app_context():
        job = get_job(job_id)
        assert job.state is JobState.DONE
        assert (job.done, job.total, job.message) == (4, 4, "counted")
        Session.remove()
    queue.delete(delete_jobs=True)


# --- an RQ job's description names nobody (TARGETS A9, issue #16) ------------------------------
# RQ writes each job's description to Redis and logs it when a worker starts and finishes the
# job. By default it quotes the call's arguments, and a participant import's argument is the
# uploaded file: its first addresses would reach the worker's log.

# A database of its own; only its own job is removed.
DESCRIPTIONS_REDIS = "redis://127.0.0.1:6379/11"


def test_an_import_job_is_described_without_its_file(app_factory, fresh_database_url):
    connection = redis.Redis.from_url(DESCRIPTIONS_REDIS)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    queue = f"descriptions-{uuid.uuid4().hex[:12]}"
    app = app_factory(fresh_database_url, REDIS_URL=DESCRIPTIONS_REDIS, DIALOGUE_QUEUE=queue)
    migrate.upgrade(app)
    Session.remove()
    data = b"email;name\nmette.hansen@kommune.example;Mette Hansen\n"
    with app.app_context():
        dialogue = make_dialogue()
        Session.commit()
        job_id = enqueue(
            "import",
            f"dialogue:{dialogue.id}",
            import_job,
            dialogue.id,
            data,
            "liste.csv",
            dialogue_id=dialogue.id,
        )
        Session.remove()
    job = rq.job.Job.fetch(f"dialogue-{job_id}", connection=connection)
    try:
        assert "mette" not in job.description
        assert job.description == "import job"
    finally:
        job.delete()
        rq.Queue(queue, connection=connection).delete(delete_jobs=True)
        connection.close()
