"""Results as pages show them: a rounded count while a round is open, stored ones once closed.

While a round is open, nobody sees more than a rounded count (``live_results``); once it has
closed, the staff's results are computed once and kept (``cached_results``), so that no later
change of membership can be read off them. Importing this module registers the results types
with the results cache, and the staff's final results as a final variant.
"""

from __future__ import annotations

import dataclasses

from analysis.consensus import ItemRatings, Stability
from analysis.rankings import ItemPoints, ItemRanking, KendallW
from dialogue.core.models import Round
from rounds.results.records import ItemResult, RoundResults, suppressed_items
from rounds.results.segments import Breakdown, GroupRow, author_segments
from rounds.results.visible import computing_results, visible_authors

#: How old an open round's participation count may be: counting every author of a large round
#: on each request took half a second, and a count that trails by a minute misleads no one.
OPEN_RESULTS_SECONDS = 60


def stepped(count: int, min_size: int) -> int | None:
    """A count shown while a round is open: down to a multiple of ``min_size``, None below it.

    It moves only once every ``min_size`` answers, so no snapshot before and after one person
    answers can tell that they did.
    """
    return count // min_size * min_size if count >= min_size else None


def live_results(round_: Round) -> RoundResults:
    """What anyone sees of a round that has not closed: about how many have answered, no more.

    No distribution, no breakdown, no item: each of them would change with one answer and
    show it to whoever compares two snapshots.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    k = round_.dialogue.min_group_size
    return RoundResults(
        round_id=round_.id,
        kind=round_.kind.value,
        min_group_size=k,
        respondents=stepped(len(visible_authors(round_)), k),
        items=suppressed_items(kind.items(round_)) if kind else (),
        live=True,
    )


def cached_results(round_: Round, *, staff: bool) -> RoundResults:
    """The round's results as a results page shows them.

    While the round is open (or not yet open): :func:`live_results`, stored for
    ``OPEN_RESULTS_SECONDS`` at a time. Once it has closed: for participants and the public,
    the results without breakdowns, stored until something they depend on changes; for staff
    (``staff``), with breakdowns by department and role group, the *final* results that a job
    computes once after the close (``dialogue.core.results_cache.final.final``) and that no later
    membership change alters; until that job has stored them, results marked ``pending``.
    Participants' and the public's results are computed by the same job on a page (see
    :func:`public_results`). Pages should call this rather than ``kind.results`` directly.
    """
    from dialogue.core.results_cache.final import final
    from dialogue.core.results_cache.store import cached, is_cacheable

    if not is_cacheable(round_):
        return cached(
            round_, "results:live", lambda: live_results(round_), open_seconds=OPEN_RESULTS_SECONDS
        )
    if staff:
        value = final(round_, "results:staff")
        if value is None:
            return pending_results(round_)
        return _tightened(value, round_.dialogue.min_group_size)
    return public_results(round_)


def public_results(round_: Round) -> RoundResults:
    """A closed round's results without breakdowns, stored until what they read changes.

    On a page (``dialogue.core.results_cache.store.serving_page``) they are never computed: at a
    million texts that takes seconds. Until the closed round's job has stored them for the
    round as it is now (after the close, a publication, a hidden text, a changed threshold),
    the page gets results marked ``pending`` and the job is started: never the figures of
    an earlier state, which could show what a raised threshold hides. Elsewhere (the job,
    exports, the command line, tests with jobs run inline) they are computed when missing.
    """
    from dialogue.core.results_cache.final import stored_or_later
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)

    def compute():
        with computing_results():
            return kind.results(round_, None)

    return stored_or_later(round_, "results:public", compute, pending_results(round_))


def pending_results(round_: Round) -> RoundResults:
    """What a page shows of a closed round whose results a job is computing: its items, no more.

    Read from the round's settings only: counting the round's authors, as an open round's
    rounded count does, took most of a second at a million texts.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    return RoundResults(
        round_id=round_.id,
        kind=round_.kind.value,
        min_group_size=round_.dialogue.min_group_size,
        respondents=None,
        items=suppressed_items(kind.items(round_)) if kind else (),
        pending=True,
    )


def _tightened(results: RoundResults, min_size: int) -> RoundResults:
    """Final results under a minimum group size raised after they were computed.

    They are never computed again (that would let them be compared), so what the higher
    threshold hides is hidden from them: items with fewer answers, and every breakdown, whose
    complementary suppression was worked out for the lower one. A lowered threshold shows no
    more than before.
    """
    if results.min_group_size >= min_size:
        return results
    if results.respondents is None or results.respondents < min_size:
        return dataclasses.replace(
            results,
            min_group_size=min_size,
            respondents=None,
            items=tuple(ItemResult(i.key, i.label, None) for i in results.items),
            breakdowns=(),
            kendall=None,
            order=(),
        )
    items = tuple(
        dataclasses.replace(item, changed=None)
        if item.authors is None or item.authors >= min_size
        else ItemResult(item.key, item.label, None)
        for item in results.items
    )
    # The shares who changed were counted over people answering both rounds, fewer than answered.
    return dataclasses.replace(
        results, min_group_size=min_size, items=items, breakdowns=(), changed=None
    )


def _final_staff_results(round_: Round) -> RoundResults:
    """A closed round's results with breakdowns: computed once, by a job (see above)."""
    from flask import current_app

    from rounds import get_kind  # the kinds import this module

    segments = author_segments(round_.dialogue, current_app.config["ANON_SECRET"])
    with computing_results():
        return get_kind(round_.kind).results(round_, segments)


def _register_cached_types() -> None:
    from dialogue.core.results_cache.codec import register
    from dialogue.core.results_cache.final import finaliser, warmer

    finaliser("results:staff")(_final_staff_results)
    warmer(public_results)
    # Stored under the name of the module they were first stored from, which they outlived.
    register(RoundResults, ItemResult, GroupRow, Breakdown, namespace="rounds.results")
    register(ItemRanking, ItemPoints, ItemRatings, KendallW, Stability)


_register_cached_types()
