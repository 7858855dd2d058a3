"""Round kind *action*: commitments that turn each final value into action.

The items are the final values. Per value a participant may write what they will do
themselves, what their team will do and what we will do across units; the scope is stored as
the contribution's aspect, so commitments can later be followed up by scope.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from rounds.structured import ItemTexts


class Action(ItemTexts):
    """Asks how each participant, their team and the units together will act on each value."""

    name = "action"
    label = _l("Action: commitments per value")
    template = "rounds/action.html"
    results_template = "results/_texts.html"
    # A value finalised after the round opened may still be asked about: nobody's commitments
    # to the other values change.
    items_may_grow = True
    aspects = (
        ("me", _l("What I will do")),
        ("team", _l("What my team will do")),
        ("across", _l("What we will do across units")),
    )
