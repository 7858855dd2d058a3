"""A bare Flask endpoint: the ceiling the submission path's throughput is compared with.

Served by the same ``gunicorn.conf.py`` (sync workers, same count), it reads the same form
and answers the same 303, but does nothing else: no session, CSRF, database or templates.
``gunicorn -c gunicorn.conf.py benchmarks.bare_app:app``
"""

from flask import Flask, redirect, request

app = Flask(__name__)


@app.route("/bare", methods=["GET", "POST"])
def bare():
    """Read the form like the real view does, and redirect."""
    _ = request.form.get("body", "")
    return redirect("/bare", 303)


@app.route("/healthz")
def healthz():
    """For the harness's readiness check."""
    return "ok"
