"""The dialogue engine: an anonymous, multi-round electronic dialogue in the Delphi style."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from dialogue.core.config import PROJECT_ROOT


def create_app(config: Mapping | None = None) -> Flask:
    """Create the application: configuration, database, extensions, blueprints, CLI, errors.

    ``config`` overrides settings read from the environment (tests pass their own database and
    secrets). The instance folder comes from ``DIALOGUE_INSTANCE_PATH`` or ``./instance``.
    """
    from dialogue import cli
    from dialogue.core import db, errors, i18n, security, session_store
    from dialogue.core.config import finish_config, load_config

    config = dict(config or {})
    instance_path = Path(
        config.pop("INSTANCE_PATH", None)
        or os.environ.get("DIALOGUE_INSTANCE_PATH")
        or PROJECT_ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(load_config(instance_path))
    app.config.update(config)
    finish_config(app.config)

    db.init_app(app)
    session_store.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    _init_features(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _init_features(app: Flask) -> None:
    """Register every feature's blueprint and commands (its ``init_app``), core excepted."""
    from dialogue import accounts, admin, auth, participate, staff, web
    from dialogue.demo import init_app as init_demo
    from dialogue.fingerprints import init_app as init_fingerprints
    from dialogue.followup import init_app as init_followup
    from dialogue.identifying import init_app as init_identifying
    from dialogue.membercheck import init_app as init_membercheck
    from dialogue.privacy import init_app as init_privacy
    from dialogue.public import init_app as init_public
    from dialogue.results import init_app as init_results
    from dialogue.rounds_admin import init_app as init_rounds_admin
    from dialogue.synthesis import init_app as init_synthesis
    from dialogue.workbench import init_app as init_workbench

    auth.init_app(app)
    web.init_app(app)
    participate.init_app(app)
    staff.init_app(app)
    admin.init_app(app)
    accounts.init_app(app)
    init_results(app)
    init_rounds_admin(app)
    init_workbench(app)
    init_demo(app)
    init_synthesis(app)
    init_membercheck(app)
    init_followup(app)
    init_public(app)
    init_identifying(app)
    init_fingerprints(app)
    init_privacy(app)


def _let_workers_build_the_app() -> None:
    """A job runs in a process with no app yet: the runner builds one with ``create_app``."""
    from dialogue.core.jobs.worker import use_app_factory

    use_app_factory(create_app)


_let_workers_build_the_app()
