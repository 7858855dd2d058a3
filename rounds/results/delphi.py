"""The Delphi loop: controlled feedback, the declared consensus and stop rule, settled items.

Templates reach the functions here as ``delphi`` (``dialogue.results.views.template_helpers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS as VERBATIM_MIN_AUTHORS  # for templates
from dialogue.core.clock import utcnow
from dialogue.core.models import Round
from rounds.results.cached import cached_results
from rounds.results.reasons import REASON_MAX_LENGTH as REASON_MAX_LENGTH  # for templates
from rounds.results.reasons import shared_reasons
from rounds.results.records import ItemResult, RoundResults


@dataclass(frozen=True)
class DelphiFeedback:
    """What a participant sees of earlier rounds while answering this one.

    ``rounds``: the published results of the rounds that feed this one. ``previous``: the
    participant's own ratings in the round this one repeats (their own data, always theirs to
    see); ``previous_results``: the group's results there by item key, once published;
    ``previous_reasons``: the reasons given there that others may read, by item key, so that
    they stand beside the item asked about again rather than deep in the earlier results.
    """

    rounds: tuple[tuple[Round, RoundResults], ...] = ()
    previous: Mapping[str, int] = field(default_factory=dict)
    previous_results: Mapping[str, ItemResult] = field(default_factory=dict)
    previous_reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def delphi_feedback(round_: Round, author: str | None) -> DelphiFeedback:
    """The controlled feedback for ``round_``: published earlier results, own earlier answers.

    Unpublished results stay with the staff, so a round that feeds this one but is not yet
    published is left out. No breakdowns: feedback is for participants.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    if kind is None:
        return DelphiFeedback()
    pairs = []
    for earlier in kind.feedback_rounds(round_):
        earlier_kind = get_kind(earlier.kind)
        if earlier.is_published and earlier_kind is not None:
            pairs.append((earlier, cached_results(earlier, staff=False)))
    repeated = kind.repeated_round(round_)
    previous, previous_results, previous_reasons = {}, {}, {}
    if repeated is not None and author is not None:
        previous = (kind.repeated_ratings(round_) or {}).get(author, {})
        for earlier, results in pairs:
            if earlier.id == repeated.id and not results.pending:
                previous_results = {item.key: item for item in results.items}
                asked = [item.key for item in kind.items(round_)]
                previous_reasons = shared_reasons(repeated, asked, utcnow())
    return DelphiFeedback(tuple(pairs), previous, previous_results, previous_reasons)


# --- The declared consensus and stop rule ---------------------------------------------------

#: Verdicts that settle an item: the panel agrees, for or against, so it is not asked again.
SETTLED = frozenset({"consensus", "consensus against"})


@dataclass(frozen=True)
class DeclaredRule:
    """What a rating round declared before anyone answered: when items agree, when to stop.

    ``iteration`` counts this round and the earlier rounds it repeats (1 for a first rating).
    """

    min_share: float
    max_iqr: float
    polar_share: float
    stop_after: int
    stop_change: float
    iteration: int


@dataclass(frozen=True)
class StopVerdict:
    """What the stop rule says after a closed round: ``why`` is one of the reasons below.

    ``settled``: every shown item reached consensus; ``stable``: fewer than the declared share
    changed their answer; ``limit``: the declared number of rounds is reached; ``continue``: the
    items in ``open_items`` may be asked about again.
    """

    stop: bool
    why: str
    open_items: tuple[str, ...] = ()
    changed: float | None = None


def repeat_chain(round_: Round) -> list[Round]:
    """``round_`` and the earlier rounds it repeats, the latest first.

    Each step goes to an earlier position (``repeated_round`` refuses any other), so it ends.
    """
    from rounds import get_kind  # the kinds import this module

    chain = [round_]
    while (kind := get_kind(chain[-1].kind)) is not None:
        earlier = kind.repeated_round(chain[-1])
        if earlier is None:
            break
        chain.append(earlier)
    return chain


def declared_rule(round_: Round) -> DeclaredRule | None:
    """The rule ``round_`` declared, or None where participants do not rate 1–5."""
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    if kind is None or not kind.rates(round_):
        return None
    settings = kind.settings(round_)
    names = ("min_share", "max_iqr", "polar_share", "stop_after", "stop_change")
    return DeclaredRule(
        **{name: settings[name] for name in names}, iteration=len(repeat_chain(round_))
    )


def stop_verdict(round_: Round, results: RoundResults) -> StopVerdict | None:
    """What the declared stop rule says about a closed round's results; None without them.

    Items hidden for too few answers count as open: nothing shows that they were settled.
    """
    rule = declared_rule(round_)
    if rule is None or results.suppressed or results.live or results.pending:
        return None
    open_items = tuple(item.label for item in results.items if item.verdict not in SETTLED)
    changed = results.changed
    if not open_items:
        return StopVerdict(True, "settled", changed=changed)
    if changed is not None and changed < rule.stop_change:
        return StopVerdict(True, "stable", open_items, changed)
    if rule.iteration >= rule.stop_after:
        return StopVerdict(True, "limit", open_items, changed)
    return StopVerdict(False, "continue", open_items, changed)


def settled_earlier(round_: Round) -> list[ItemResult]:
    """Items settled in the published rounds this one repeats and not asked about again.

    Only published results are read, so nobody learns here what a results page would not show.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    if kind is None:
        return []
    asked = {item.key for item in kind.items(round_)}
    settled: dict[str, ItemResult] = {}
    for earlier in repeat_chain(round_)[1:]:
        if not earlier.is_published:
            continue
        for item in cached_results(earlier, staff=False).items:
            if item.verdict in SETTLED and item.key not in asked:
                settled.setdefault(item.key, item)
    return list(settled.values())


def reasons_for(round_: Round, results: RoundResults) -> dict[str, tuple[str, ...]]:
    """The reasons that may be shown beside ``results``, by item key (see ``shared_reasons``)."""
    return shared_reasons(round_, [item.key for item in results.items], utcnow())
