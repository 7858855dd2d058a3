"""Round kind *culture*: today's strengths and weaknesses, measured against the top priorities.

The items are the top priorities of an earlier prioritisation round (copied into the settings by
``rounds.lifecycle.carry_over.take_items_from``); each participant may write a strength and a
weakness of today's culture for each of them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from rounds.structured import ItemTexts


class Culture(ItemTexts):
    """Asks what characterises the culture today, seen against each priority."""

    name = "culture"
    label = _l("Culture: strengths and weaknesses")
    template = "rounds/culture.html"
    results_template = "results/_texts.html"
    aspects = (("strength", _l("A strength of our culture")), ("weakness", _l("A weakness")))
    themed_by_aspect = True
