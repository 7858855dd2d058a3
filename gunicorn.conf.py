"""Production settings for gunicorn: ``gunicorn -c gunicorn.conf.py dialogue.wsgi:app``.

Every setting can be changed through the environment, so the same file serves a laptop, the
load tests in ``benchmarks/`` and a server behind a reverse proxy:

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``): stay on loopback behind a TLS proxy.
- ``GUNICORN_WORKERS`` (default 2 × cores + 1, or ``WEB_CONCURRENCY``): sync workers, one
  request each. More than one per core, because a submission spends part of its time waiting
  for its commit to reach the disk, when another worker can use the core (benchmarks/RESULTS.md).
- ``GUNICORN_TIMEOUT`` (default ``30``): seconds before a stuck worker is killed and replaced.
- ``GUNICORN_ACCESSLOG`` (default ``-``, standard output; empty switches it off).
- ``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1``): the proxy whose X-Forwarded-Proto is trusted.

The access log (TARGETS A9) names no participant: no client address (``%(h)s``), no query
string, no referrer, no user agent, and every id in a path is blanked
(``dialogue.core.log_privacy``):
``/d/x/contributions/<uuid>/edit`` at a given time would say when its author was at work. The
error log gets the same treatment, since gunicorn names the path of a request that failed.
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from dialogue.core.log_privacy import RedactPaths, redact_path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or 2 * (os.cpu_count() or 1) + 1
)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 2
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app once in the master and fork the workers from it: start-up (about 2 s of imports)
# is paid once, memory is shared, and a killed worker is replaced at once. No connection is
# opened before the fork, and post_fork drops the pool anyway, so no worker inherits one.
preload_app = True
# The control socket (gunicornc) is not used; a fixed path would clash between instances.
control_socket_disable = True

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
#: Time, method, path (without query string), protocol, status, bytes, milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class RedactingLogger(Logger):
    """gunicorn's logger, minus every id and login token in the paths it writes."""

    def setup(self, cfg):
        """Set up as usual, then blank ids in error-log lines too ("Error handling request …")."""
        super().setup(cfg)
        self.error_log.addFilter(RedactPaths())

    def atoms(self, resp, req, environ, request_time):
        """The usual log atoms with every id of the path replaced by ``…``."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact_path(atoms.get("U") or "")
        atoms["r"] = "-"  # the raw request line holds the query string and the ids
        atoms["f"] = "-"  # so does the referrer: the page the request came from
        return atoms


logger_class = RedactingLogger


def post_fork(server, worker):
    """Give each worker a fresh connection pool (never share a database socket across a fork)."""
    flask_app = getattr(worker.app, "callable", None)
    extensions = getattr(flask_app, "extensions", {})
    if "db_engine" in extensions:
        extensions["db_engine"].dispose(close=False)
