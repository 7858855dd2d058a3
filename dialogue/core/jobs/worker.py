"""The ``dialogue worker`` command and the app an RQ worker process runs jobs in."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask

_app_factory: Callable[[], Flask] | None = None
_worker_app_instance: Flask | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Say how a worker process builds its app; ``dialogue`` registers ``create_app`` on import.

    The runner sits below the app it runs jobs for, so it is told rather than importing it.
    Importing this module imports the ``dialogue`` package first, so the factory is known in
    any process that can resolve a job.
    """
    global _app_factory
    _app_factory = factory


def _worker_app() -> Flask:
    """The app an RQ worker process runs jobs in, built once from the environment."""
    global _worker_app_instance
    if _worker_app_instance is None:
        if _app_factory is None:
            raise RuntimeError("no app factory: import dialogue before running jobs")
        _worker_app_instance = _app_factory()
    return _worker_app_instance


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run an RQ worker for the background jobs (needs REDIS_URL)."""
    from redis import Redis
    from rq import Queue, Worker

    app = _worker_app()
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set; without it jobs run in the app server")
    connection = Redis.from_url(url)
    queue = Queue(app.config["DIALOGUE_QUEUE"], connection=connection)
    Worker([queue], connection=connection).work(burst=burst)
