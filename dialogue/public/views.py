"""Public pages: a public dialogue's process and results, its final values and why each was chosen.

Only a dialogue marked public shows anything; everything else is "not found", the same answer as
for a dialogue that does not exist. The pages show what staff have released – the results of
rounds that are closed *and* published, and final proposals – as labels, counts from the
minimum group size on, and quotes only from themes large enough (TARGETS A5, A6, R8).

They are the pages an organisation links from its intranet and a citizen bookmarks, so they are
built to be cached: they read nothing from the query string, carry no CSRF token (which would
set a cookie and differ per visitor), and tell shared caches they may keep an anonymous
visitor's copy for five minutes (``dialogue.core.security`` still marks a logged-in person's copy
``no-store``). The language is the dialogue's, or the one in the path (``/p/<slug>/en/``), so
that switching language needs no form and no cookie.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, render_template
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.i18n import page_language
from dialogue.core.models import Dialogue, Proposal, RoundState
from dialogue.core.models.proposal import ProposalStatus
from dialogue.public.queries import public_rounds
from dialogue.synthesis import forms
from dialogue.synthesis.queries.proposals import closing_the_loop, strategy_map_cells
from dialogue.synthesis.queries.traces import value_trace
from rounds.traceability import load_graph

bp = Blueprint("public", __name__, url_prefix="/p/<slug>")

#: How long a shared cache or a browser may keep an anonymous visitor's copy, in seconds.
PUBLIC_MAX_AGE = 300
#: The languages a public page can be asked for in its path.
PATH_LANGUAGES = "any(da, en)"


@bp.url_value_preprocessor
def take_language(_endpoint, values) -> None:
    """A language in the path wins over the visitor's and the dialogue's (see ``core.i18n``)."""
    if values is not None:
        g.path_language = values.pop("lang", None)


@bp.url_defaults
def keep_language(endpoint, values) -> None:
    """Links between public pages stay in the language the visitor chose in the path."""
    language = g.get("path_language")
    if (
        language
        and "lang" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    ):
        values["lang"] = language


def public_dialogue_or_404(slug: str) -> Dialogue:
    """A dialogue that is public; any other is "not found"."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug, Dialogue.is_public))
    if dialogue is None:
        abort(404)
    g.dialogue_language = dialogue.language
    return dialogue


def cacheable(html: str):
    """A public response that shared caches may keep (security headers still apply)."""
    response = make_response(html)
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


@bp.route("/")
@bp.route(f"/<{PATH_LANGUAGES}:lang>/")
def dialogue_page(slug: str):
    """The public page of a dialogue: purpose, timeline, participation, results and values."""
    dialogue = public_dialogue_or_404(slug)
    cells, unplaced = strategy_map_cells(load_graph(dialogue))
    rounds = public_rounds(dialogue, page_language())
    html = render_template(
        "public/dialogue.html",
        dialogue=dialogue,
        rounds=rounds,
        RoundState=RoundState,
        cells=cells,
        unplaced=unplaced,
        labels=forms,
        value_endpoint="public.value",
        map_level=3,
    )
    if any(
        item.released and (item.participation is None or item.results.pending) for item in rounds
    ):
        # A job is computing a round's figures: no cache may keep the page saying so.
        response = make_response(html, 202)
        response.headers["Cache-Control"] = "no-store"
        return response
    return cacheable(html)


@bp.route("/values/")
@bp.route(f"/<{PATH_LANGUAGES}:lang>/values/")
def values(slug: str):
    """The final values and initiatives of a public dialogue, by strategy-map perspective."""
    dialogue = public_dialogue_or_404(slug)
    cells, unplaced = strategy_map_cells(load_graph(dialogue))
    return cacheable(
        render_template(
            "public/values.html",
            dialogue=dialogue,
            cells=cells,
            unplaced=unplaced,
            labels=forms,
            value_endpoint="public.value",
        )
    )


@bp.route("/values/<int:proposal_id>")
@bp.route(f"/<{PATH_LANGUAGES}:lang>/values/<int:proposal_id>")
def value(slug: str, proposal_id: int):
    """Why this value? Themes, numbers and anonymous quotes behind one final value."""
    dialogue = public_dialogue_or_404(slug)
    proposal = Session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.dialogue_id != dialogue.id
        or proposal.status is not ProposalStatus.FINAL
    ):
        abort(404)
    graph = load_graph(dialogue)
    trace = value_trace(graph, graph.proposals[proposal.id], dialogue)
    return cacheable(
        render_template(
            "public/value.html",
            dialogue=dialogue,
            trace=trace,
            labels=forms,
            **closing_the_loop(graph, proposal, dialogue),
        )
    )
