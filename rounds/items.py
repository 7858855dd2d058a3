"""The items a round asks about: themes to prioritise, draft values to rate, final values to act on.

A round's items live in ``settings["items"]`` as a list of ``{"key", "label"}``. That list is the
one seam between where items come from and the kinds that use them: today an admin types them in
or copies the top of an earlier round; later the theme analysis will fill the same list with keys
like ``"theme:12"``. Keys are what contributions store in ``Contribution.target``, so they must stay
stable once a round has input, while labels are only shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from dialogue.core.models.question import QUESTION_TARGET_PREFIX
from rounds.errors import InvalidSettings

#: ``Contribution.target`` holds at most 64 characters.
MAX_KEY_LENGTH = 64
MAX_LABEL_LENGTH = 200
MAX_ITEMS = 40
_KEY = re.compile(r"^[a-z0-9][a-z0-9_:.-]*$")
_NOT_KEY = re.compile(r"[^a-z0-9]+")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


@dataclass(frozen=True)
class Item:
    """One thing a round asks about."""

    key: str
    label: str

    @property
    def field(self) -> str:
        """A form-field name for this item: keys may hold characters HTML ids should not."""
        return field_name(self.key)

    def as_setting(self) -> dict[str, str]:
        """The JSON form stored in ``Round.settings["items"]``."""
        return {"key": self.key, "label": self.label}


def field_name(key: str) -> str:
    """The form-field prefix of the item ``key``."""
    return "item_" + _NOT_KEY.sub("_", key)


def slug_key(label: str) -> str:
    """A readable key made from a label ("Borgeren i centrum" → "borgeren-i-centrum")."""
    text = unicodedata.normalize("NFKD", label.lower().translate(_DANISH))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_KEY.sub("-", text).strip("-")[:MAX_KEY_LENGTH].strip("-") or "item"


def items_of(settings: Mapping[str, Any]) -> list[Item]:
    """The items in a round's (already validated) settings, in the order shown."""
    return [Item(entry["key"], entry["label"]) for entry in settings.get("items") or []]


def validate_items(raw: Any) -> list[dict[str, str]]:
    """Check an item list: keys unique, safe and short, labels present; return it cleaned."""
    if not isinstance(raw, list):
        raise InvalidSettings(_l("The items must be a list."), field="items")
    if len(raw) > MAX_ITEMS:
        raise InvalidSettings(
            _l("A round can ask about at most %(count)d items.", count=MAX_ITEMS), field="items"
        )
    cleaned, keys, fields = [], set(), set()
    for entry in raw:
        if not isinstance(entry, Mapping) or set(entry) != {"key", "label"}:
            raise InvalidSettings(_l("Each item needs a key and a label."), field="items")
        key, label = str(entry["key"]).strip(), " ".join(str(entry["label"]).split())
        if not label or len(label) > MAX_LABEL_LENGTH:
            raise InvalidSettings(
                _l(
                    "Each item needs a label of at most %(count)d characters.",
                    count=MAX_LABEL_LENGTH,
                ),
                field="items",
            )
        if not _KEY.match(key) or len(key) > MAX_KEY_LENGTH:
            raise InvalidSettings(
                _l("The item key “%(key)s” may only hold a–z, 0–9 and - _ : .", key=key[:70]),
                field="items",
            )
        if key.startswith(QUESTION_TARGET_PREFIX):  # the targets of extra questions' answers
            raise InvalidSettings(
                _l("The item key “%(key)s” is reserved.", key=key[:70]), field="items"
            )
        if key in keys or field_name(key) in fields:
            raise InvalidSettings(
                _l("The item “%(label)s” appears twice.", label=label), field="items"
            )
        keys.add(key)
        fields.add(field_name(key))
        cleaned.append({"key": key, "label": label})
    return cleaned


def parse_item_lines(text: str, existing: Iterable[Item] = ()) -> list[dict[str, str]]:
    """Turn an admin's list (one item per line) into items, keeping the keys of ``existing``.

    The admin sees and types labels only. A line with the label of an existing item keeps that
    item's key, so that answers and the link to a proposal (``proposal:<id>``) stay with it; a
    line whose label is new, where the list is as long as before, is the item at that place
    reworded and keeps its key too. Other lines get a key made from the label. ``key | label``
    is still read, for lists written before keys were hidden.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    existing = list(existing)
    by_label: dict[str, list[str]] = {}
    for item in existing:
        by_label.setdefault(" ".join(item.label.split()), []).append(item.key)
    entries: list[tuple[str | None, str]] = []
    for line in lines:
        key, sep, label = line.partition("|")
        if sep:
            entries.append((key.strip(), label.strip()))
        else:
            label = " ".join(line.split())
            kept = by_label.get(label)
            entries.append((kept.pop(0) if kept else None, label))
    if len(entries) == len(existing):
        taken = {key for key, _label in entries if key is not None}
        entries = [
            (existing[i].key if key is None and existing[i].key not in taken else key, label)
            for i, (key, label) in enumerate(entries)
        ]
    used = {key for key, _label in entries if key is not None}
    items = []
    for key, label in entries:
        if key is None:
            key = base = slug_key(label)
            number = 2
            while key in used:
                key, number = f"{base[: MAX_KEY_LENGTH - 4]}-{number}", number + 1
            used.add(key)
        items.append({"key": key, "label": label})
    return validate_items(items)


def item_lines(items: Iterable[Item]) -> str:
    """The admin's editable text of an item list: one label per line (keys stay internal)."""
    return "\n".join(item.label for item in items)
