"""The chosen stack's floor: the least a submission can do with the product's own libraries.

Served like ``bare_app.py`` by the same ``gunicorn.conf.py``, it does what every submission
must and nothing more, each step with the library the product uses for it:

- Flask's signed session cookie, read (the product writes it at sign-in, not per submission);
- Flask-Login loading the signed-in person by primary key through the SQLAlchemy ORM;
- Flask-WTF checking the CSRF token and validating one text field;
- Flask-Limiter counting the POST against a per-session limit (in Redis when
  ``RATELIMIT_STORAGE_URI`` says so, as in the load test);
- one INSERT through SQLAlchemy Core and its commit, with the product's SQLite settings
  (write-ahead log, ``synchronous=FULL``) or on PostgreSQL;
- a 303 to the round's page.

Nothing anonymity, rounds or the identifying-name scan need is done, so its throughput is a
ceiling for the real submission path on the same machine: ``load_test.py`` prints it beside the
submission path and the bare endpoint.
``DATABASE_URL=... gunicorn -c gunicorn.conf.py benchmarks.floor_app:app``
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, redirect, session
from flask_limiter import Limiter
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import String, Text, create_engine, event, insert, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class Base(DeclarativeBase):
    """The floor's own two tables, beside the product's in the same database."""


class FloorPerson(Base, UserMixin):
    """Who signs in."""

    __tablename__ = "floor_people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class FloorText(Base):
    """What is submitted."""

    __tablename__ = "floor_texts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class TextForm(FlaskForm):
    """One text, as the challenges round asks for."""

    body = TextAreaField(validators=[DataRequired(), Length(max=5000)])


def _engine():
    url = make_url(os.environ.get("DATABASE_URL", "sqlite://"))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    if url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def on_connect(connection, _record):
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=10000")

    return engine


app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "floor-" + "k" * 32)
engine = _engine()
app.extensions["db_engine"] = engine  # gunicorn.conf.py's post_fork gives each worker a new pool
Base.metadata.create_all(engine)
Session = scoped_session(sessionmaker(engine))
with Session() as db:
    if db.get(FloorPerson, 1) is None:
        db.add(FloorPerson(id=1, name="floor"))
        db.commit()
Session.remove()

login_manager = LoginManager(app)
limiter = Limiter(
    key_func=lambda: "submit:" + session.get("sid", "anonymous"),
    app=app,
    storage_uri=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
)


@login_manager.user_loader
def load_person(person_id: str):
    """The signed-in person, as the product loads it."""
    return Session.get(FloorPerson, int(person_id))


@app.teardown_appcontext
def end_session(_exc):
    """Return the connection, as the product's scoped session does after each request."""
    Session.remove()


@app.get("/floor/login")
def log_in():
    """Sign in the one person and hand out the form's CSRF token."""
    login_user(Session.get(FloorPerson, 1))
    session["sid"] = uuid.uuid4().hex
    return generate_csrf()


@app.post("/floor")
@login_required
@limiter.limit("100000 per minute")
def submit():
    """Validate, insert, commit, redirect."""
    form = TextForm()
    if not form.validate_on_submit():
        return "invalid", 422
    Session.execute(insert(FloorText).values(id=str(uuid.uuid4()), body=form.body.data))
    Session.commit()
    return redirect("/floor/round?saved=1", 303)


@app.route("/healthz")
def healthz():
    """For the harness's readiness check."""
    return "ok"
