"""The stored synthesis figures of a dialogue, computed anew in a background job.

Coverage, the report's theme table, "why this value?" and a proposal's link sizes count hundreds of
thousands of rows at a million texts (see :mod:`dialogue.synthesis.queries.figures`). A page that
finds them out of date shows the stored ones and calls :func:`refresh_later`; a change to the
proposals calls it too, so a new final value's figures are ready before anyone asks. One job per
dialogue at a time: a page asking while it runs, or within a minute after, starts nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from functools import partial

from dialogue.core.clock import utcnow
from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.runner import JobActive, enqueue
from dialogue.core.jobs.state import latest_job
from dialogue.core.models import Dialogue
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.exports import theme_rows
from dialogue.synthesis.queries.figures import REFRESHING, source_sizes
from dialogue.synthesis.queries.traces import trace_figures
from rounds.traceability import load_graph

KIND = "figures"
#: A page that finds the figures out of date starts no job if one ended this recently: while a
#: round is open every new text does so, and each job reads the whole dialogue.
PAGE_INTERVAL = dt.timedelta(seconds=60)


def refresh_later(dialogue_id: int, *, unless_within: dt.timedelta | None = None) -> None:
    """Have a job bring the dialogue's stored figures up to date (unless one is at it).

    ``unless_within``: nor if the last job ended less than this long ago.
    """
    if unless_within is not None:
        last = latest_job(KIND, str(dialogue_id))
        if last is not None and last.finished_at and utcnow() - last.finished_at < unless_within:
            return
    with suppress(JobActive):
        enqueue(KIND, str(dialogue_id), refresh_job, dialogue_id, dialogue_id=dialogue_id)


def refresh_job(job: JobContext, dialogue_id: int) -> None:
    """Compute every stored figure of the dialogue that is out of date, and store it.

    It only reads: each figure is stored in a transaction of its own
    (``dialogue.core.results_cache``), so on SQLite the job must not hold the write lock it would
    otherwise take up front.
    """
    intent, refreshing = WRITE_INTENT.set(False), REFRESHING.set(True)
    try:
        dialogue = Session.get(Dialogue, dialogue_id)
        if dialogue is None:
            return
        graph = load_graph(dialogue)
        proposals = sorted(graph.proposals.values(), key=lambda proposal: proposal.id)
        steps = [
            partial(coverage, graph, dialogue),
            partial(theme_rows, graph, dialogue),
            *(partial(trace_figures, graph, proposal, dialogue) for proposal in proposals),
            *(partial(source_sizes, graph, proposal, dialogue) for proposal in proposals),
        ]
        for done, step in enumerate(steps):
            job.progress(done, len(steps))
            step()
    finally:
        REFRESHING.reset(refreshing)
        WRITE_INTENT.reset(intent)
