"""Warn a participant, before their text is saved, that it looks identifying.

The form comes back with their text in it, to edit, and with a list of what looked identifying,
each in its context. Beside the list, a small second form carries the same fields as hidden
inputs and a "save it as it is" button, so that saving anyway takes one more explicit click and
works without JavaScript. Nothing is stored until the participant chooses.

Names are warned about as any two or more capitalised words in a row, never by the dialogue's
list: a warning that fired only for listed people would let a participant test whether a given
full name is on the list. It also costs the same whatever the list's length. What is saved
anyway is still flagged against the list (``rounds.identifying``), for the consultant.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.identifying import scan
from rounds.identifying import KIND_LABELS

#: Set by the "save it as it is" button: the participant has seen the warning.
ACCEPT_FIELD = "identifying_ok"
#: Characters of context shown on either side of a detail.
CONTEXT = 30
_NOT_REPEATED = frozenset({"csrf_token", "submit", ACCEPT_FIELD})


@dataclass(frozen=True)
class Finding:
    """One detail in the participant's own text, with a little context on each side."""

    field: str
    kind: str
    before: str
    detail: str
    after: str


@dataclass(frozen=True)
class IdentifyingWarning:
    """What the round's page shows above the form, and how to save anyway."""

    findings: list[Finding]
    #: The submitted fields, to post again unchanged with the "save it as it is" button.
    fields: list[tuple[str, str]]
    action: str


def _context(text: str, start: int, end: int) -> tuple[str, str, str]:
    before = text[max(start - CONTEXT, 0) : start]
    after = text[end : end + CONTEXT]
    return (
        ("…" if start > CONTEXT else "") + before,
        text[start:end],
        after + ("…" if end + CONTEXT < len(text) else ""),
    )


def warning_before_saving(form, posted, action: str) -> IdentifyingWarning | None:
    """A warning if the form's texts look identifying and the participant has not seen it yet.

    ``posted`` is the request's form data and ``action`` its path, where "save it as it is" posts.
    """
    if posted.get(ACCEPT_FIELD):
        return None
    texts = [
        (str(field.label.text), field.data)
        for field in form
        if field.type in ("TextAreaField", "StringField") and field.data
    ]
    if not texts:
        return None
    findings = [
        Finding(label, str(KIND_LABELS[span.kind]), *_context(text, span.start, span.end))
        for label, text in texts
        for span in scan(text, any_name=True)
    ]
    if not findings:
        return None
    fields = [(k, v) for k, v in posted.items(multi=True) if k not in _NOT_REPEATED]
    return IdentifyingWarning(findings, fields, action)
