"""The canonical form of a published round and its SHA-256 fingerprint (``docs/fingerprints.md``).

A fingerprint lets anyone check that a round's published data has not changed since: the
product stores it at publication and shows it on the public page; ``dialogue verify`` recomputes
it from the database, and :func:`from_export` recomputes it from a dialogue export with texts.
The form is plain JSON with sorted keys and no whitespace, so any language can rebuild it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

FORMAT = "dialogue-round-fingerprint"
#: Grows whenever the canonical form changes; stored with every fingerprint.
VERSION = 1


def canonical_form(
    round_id: int,
    kind: str,
    contributions: Iterable[Mapping[str, Any]],
    themes: Iterable[Mapping[str, Any]],
    links: Iterable[tuple[int, str]],
) -> dict[str, Any]:
    """The round's published data in a fixed shape and order.

    ``contributions``: visible ones, each with ``id``, ``target``, ``data``, ``text`` and ``day``;
    ``themes``: all of the round's, each with ``id``, ``label``, ``description``, ``state`` and
    ``merged_into_id``; ``links``: (theme id, contribution id) of active themes.
    """
    contribution_keys = ("id", "target", "data", "text", "day")
    theme_keys = ("id", "label", "description", "state", "merged_into_id")
    return {
        "format": FORMAT,
        "version": VERSION,
        "round": {"id": round_id, "kind": kind},
        "contributions": sorted(
            ({key: row[key] for key in contribution_keys} for row in contributions),
            key=lambda row: row["id"],
        ),
        "themes": sorted(
            ({key: row[key] for key in theme_keys} for row in themes), key=lambda row: row["id"]
        ),
        "links": sorted([int(theme_id), str(cid)] for theme_id, cid in links),
    }


def canonical_bytes(form: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: the bytes that are hashed.

    >>> canonical_bytes({"b": [1, "æ"], "a": None}).decode("utf-8")
    '{"a":null,"b":[1,"æ"]}'
    """
    text = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def fingerprint(form: Mapping[str, Any]) -> str:
    """The SHA-256 of the canonical form, in hex."""
    return hashlib.sha256(canonical_bytes(form)).hexdigest()


def from_export(export: Mapping[str, Any], round_id: int) -> str:
    """The fingerprint of one round, recomputed from a dialogue export made with texts.

    The export (``docs/export-json.md``) holds visible contributions only, with flagged details
    already masked, exactly as the fingerprint covers them.
    """
    if not export.get("raw_text"):
        raise ValueError("the export has no texts; export it with --with-text")
    (round_,) = [r for r in export["rounds"] if r["id"] == round_id]
    contributions = [c for c in export["contributions"] if c["round_id"] == round_id]
    themes = [t for t in export["themes"] if t["round_id"] == round_id]
    theme_ids = {t["id"] for t in themes}
    links = [
        (theme_id, c["id"])
        for c in contributions
        for theme_id in c["theme_ids"]
        if theme_id in theme_ids
    ]
    return fingerprint(canonical_form(round_id, round_["kind"], contributions, themes, links))
