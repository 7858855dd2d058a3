"""An RQ job's description names nobody (TARGETS A9, issue #16).

RQ writes each job's description to Redis and logs it when a worker starts and finishes the
job. By default it quotes the call's arguments, and a participant import's argument is the
uploaded file: its first addresses would reach the worker's log.
"""

from __future__ import annotations

import uuid

import redis
import rq

from dialogue.admin.jobs import import_job
from dialogue.core import jobs, migrate
from dialogue.core.db import Session
from tests.conftest import require
from tests.factories import make_dialogue

RQ_REDIS = "redis://127.0.0.1:6379/11"  # this test's own database; only its own job is removed


def test_an_import_job_is_described_without_its_file(app_factory, fresh_database_url):
    connection = redis.Redis.from_url(RQ_REDIS)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    queue = f"descriptions-{uuid.uuid4().hex[:12]}"
    app = app_factory(fresh_database_url, REDIS_URL=RQ_REDIS, DIALOGUE_QUEUE=queue)
    migrate.upgrade(app)
    Session.remove()
    data = b"email;name\nmette.hansen@kommune.example;Mette Hansen\n"
    with app.app_context():
        dialogue = make_dialogue()
        Session.commit()
        job_id = jobs.enqueue(
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
