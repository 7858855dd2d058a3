"""Every kind of background job, run the way production runs it, outside any request.

The jobs are enqueued through the app's own functions (those its pages and commands call) in
an application context with no request, as a command or another job would. One test runs
each kind through ``dialogue worker`` (RQ on the Redis at 127.0.0.1:6379, a queue of the test's
own) in a subprocess; another through the thread runner of an app server's process. Each job
must end ``done``, its message in the dialogue's language (Danish) although the installation's
default is English. ``dialogue.core.jobs.runner.KINDS`` lists the kinds; a kind missing here fails.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from flask import has_request_context
from rq import Queue
from sqlalchemy import func, select

import dialogue
from benchmarks.harness import engine_for
from dialogue import create_app
from dialogue.admin.jobs import start_import
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.jobs import runner
from dialogue.core.jobs.state import latest_job
from dialogue.core.models import Contribution, ContributionEmbedding, Dialogue, Job, JobState, Round
from dialogue.core.results_cache.final import finalise_later
from dialogue.fingerprints.jobs import record_later
from dialogue.privacy.jobs import start_purge
from dialogue.synthesis.jobs import refresh_later
from dialogue.workbench.jobs import schedule, start_analysis
from tests.conftest import require
from tests.e2e.conftest import DEFAULT_LANGUAGE, DIALOGUE, SECRETS, Site

REDIS_URL = "redis://127.0.0.1:6379/0"
#: Bound of every wait: a job that takes longer has hung.
DEADLINE = 240
SLUG = "vaerdier"
#: A round of the demo with few texts, for the embedding job.
SMALL_ROUND = 5
PARTICIPANTS = b"email,name\nnyjob1@x.example,Ny Et\nnyjob2@x.example,Ny To\n"

#: What each kind's message says when it ends, in Danish (None: the kind reports no message).
DANISH = {
    "analysis": re.compile(r"^Analysen fandt \d+ temaer?\.$"),
    "import": re.compile(r"^Importen er gennemført: 2 nye, 0 opdateret, 0 uændret\.$"),
    "fingerprint": None,
    "figures": None,
    "final-results": None,
    "purge": None,
}


def _app(site: Site, **settings):
    """The app as a server or worker process builds it from its settings (not TESTING)."""
    return create_app(
        {
            "DATABASE_URL": site.database_url,
            "INSTANCE_PATH": site.instance,
            "DIALOGUE_DEFAULT_LANGUAGE": DEFAULT_LANGUAGE,
            **SECRETS,
            **settings,
        }
    )


def _enqueue_every_kind(app) -> dict[str, str]:
    """Start one job of each kind through the functions the product calls; kind → job id."""
    with app.app_context():
        assert not has_request_context()
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == SLUG))
        rounds = {round_.position: round_ for round_ in dialogue.rounds}
        started = {
            "analysis": start_analysis(rounds[1], actor_id=None, n_themes=None, seed=1),
            "import": start_import(dialogue, PARTICIPANTS, "nye.csv", actor_id=None),
            "purge": start_purge(),  # the demo is not due: the job purges nothing, and ends
        }
        schedule(Session.get(Round, SMALL_ROUND))
        published = rounds[1]
        assert record_later(published, now=utcnow(), actor_id=None, newly=False)
        refresh_later(dialogue.id)
        finalise_later(published)
        for kind, key in (
            ("fingerprint", str(published.id)),
            ("figures", str(dialogue.id)),
            ("final-results", str(published.id)),
        ):
            job = latest_job(kind, key)
            assert job is not None, f"no {kind} job was enqueued"
            started[kind] = job.id
        Session.remove()
    return started


def _wait_until_finished(database_url: str, job_ids: dict[str, str], worker=None) -> dict:
    """Poll the jobs table (bounded) until every job has finished; kind → (state, message)."""
    engine = engine_for(database_url)
    deadline = time.monotonic() + DEADLINE
    try:
        while True:
            with engine.connect() as connection:
                rows = {
                    row.id: (row.state, row.message)
                    for row in connection.execute(
                        select(Job.id, Job.state, Job.message).where(Job.id.in_(job_ids.values()))
                    )
                }
            finished = {
                kind: rows[job_id]
                for kind, job_id in job_ids.items()
                if job_id in rows and not rows[job_id][0].is_active
            }
            if len(finished) == len(job_ids):
                return finished
            if worker is not None and worker.poll() is not None:
                pytest.fail(f"the worker exited with status {worker.returncode}")
            if time.monotonic() > deadline:
                pytest.fail(f"jobs still running after {DEADLINE} s: {rows}")
            time.sleep(0.2)
    finally:
        engine.dispose()


def _texts_without_vector(database_url: str) -> int:
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                select(func.count())
                .select_from(Contribution)
                .outerjoin(ContributionEmbedding)
                .where(
                    Contribution.round_id == SMALL_ROUND,
                    Contribution.body != "",
                    ContributionEmbedding.contribution_id.is_(None),
                )
            )
    finally:
        engine.dispose()


def _wait_for_vectors(database_url: str, worker) -> None:
    """Embedding is no job with a row: a task per round, whose work shows as stored vectors."""
    deadline = time.monotonic() + DEADLINE
    while _texts_without_vector(database_url):
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with status {worker.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"texts still without a vector after {DEADLINE} s")
        time.sleep(0.2)


def _check(outcomes: dict) -> None:
    for kind, (state, message) in outcomes.items():
        assert (kind, state) == (kind, JobState.DONE), message
        pattern = DANISH[kind]
        if pattern is None:
            assert not message
        else:
            assert pattern.match(message), f"{kind}: {message!r} is not the Danish message"


def test_every_kind_of_job_is_tested():
    assert set(DANISH) == set(runner.KINDS)


def test_every_module_level_job_kind_is_registered():
    """A module that enqueues a job ``…KIND`` not in ``dialogue.core.jobs.runner.KINDS`` fails."""
    root = Path(dialogue.__file__).parent.parent  # the checkout: dialogue/ and rounds/
    defined = {}
    for path in [*root.joinpath("dialogue").rglob("*.py"), *root.joinpath("rounds").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        if path == Path(runner.__file__) or "enqueue(" not in source:
            continue
        for kind in re.findall(r'^[A-Z_]*KIND = "([^"]+)"', source, re.M):
            defined[kind] = ".".join(path.relative_to(root).with_suffix("").parts)
    assert defined == runner.KINDS


@pytest.fixture
def queue_name():
    """A queue of this test's own on the shared Redis, deleted afterwards."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    yield name
    Queue(name, connection=connection).delete(delete_jobs=True)
    connection.close()


def test_each_kind_runs_through_a_real_rq_worker(writable_demo, queue_name, tmp_path):
    settings = {"REDIS_URL": REDIS_URL, "DIALOGUE_QUEUE": queue_name}
    app = _app(writable_demo, **settings)
    assert runner.runner_name(app) == "rq"
    with open(tmp_path / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [str(DIALOGUE), "worker"],
            env=writable_demo.env(**settings),
            cwd=writable_demo.instance,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _texts_without_vector(writable_demo.database_url) > 0
        started = _enqueue_every_kind(app)
        outcomes = _wait_until_finished(writable_demo.database_url, started, worker)
        _wait_for_vectors(writable_demo.database_url, worker)
    finally:
        worker.send_signal(signal.SIGTERM)  # RQ's warm shutdown: ends after the current job
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        app.extensions["db_engine"].dispose()
    _check(outcomes)


def test_a_job_runs_in_a_thread_of_the_app_process(writable_demo):
    app = _app(writable_demo, JOBS_RUNNER="thread")
    assert runner.runner_name(app) == "thread"
    with app.app_context():
        assert not has_request_context()
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == SLUG))
        round_ = min(dialogue.rounds, key=lambda round_: round_.position)
        job_id = start_analysis(round_, actor_id=None, n_themes=None, seed=2)
        Session.remove()
    try:
        outcomes = _wait_until_finished(writable_demo.database_url, {"analysis": job_id})
    finally:
        app.extensions["db_engine"].dispose()
    _check(outcomes)
