"""Privacy reads: the notice, when retention ends, and a participant's own copy of their input.

The notice of a dialogue is the admin's own text, or a standard one built from settings.

Why the acceptance is not stored anywhere
-----------------------------------------
The notice is shown on the page where a participant's login link is confirmed, beside the
button that logs them in, with a way to leave instead; a participant who signs in another way
sees it before the dialogue's first page (``views.require_notice``). So every participant has
seen the notice before their first contribution. Pressing the button is going on; only the
login's own cookie remembers it. A stored acceptance would be worse on every count:

- a flag or a time on the membership would be written at the participant's own moment, just
  before their first contribution, in a row that names them: its write order and time (SQLite's
  rowid pages, PostgreSQL's ``xmin``) could be set beside the new contributions (TARGETS A11);
- even a bare boolean tells staff and any copy of the database who has opened the dialogue,
  which nothing else shows (TARGETS A8: nobody can tell who has or has not taken part);
- a per-person record of consent is not needed: the legal basis of a dialogue run by a public
  body is its task, not consent, and the notice's duty is to inform, which showing it does.

The text is shown again at each login, which costs the participant a glance and keeps nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from dialogue.core.db import Base, Session
from dialogue.core.i18n import page_language
from dialogue.core.models import (
    Dialogue,
    MemberCheck,
)
from rounds import submissions
from rounds.questions.answering import own_choices
from rounds.traceability import chunks

#: A spreadsheet would run a cell starting with these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LANGUAGES = ("da", "en")


def retention_ends(dialogue: Dialogue) -> dt.datetime | None:
    """When the retention period ends: the last round's close plus the period; None: no rounds."""
    if not dialogue.rounds:
        return None
    last_close = max(round_.closes_at for round_ in dialogue.rounds)
    return last_close + dt.timedelta(days=dialogue.retention_days)


def custom_text(dialogue: Dialogue, language: str) -> str:
    """The admin's own notice in ``language``, or "" when the standard text applies."""
    return dialogue.notice_da if language == "da" else dialogue.notice_en


def notice_paragraphs(dialogue: Dialogue, language: str | None = None) -> list[str]:
    """The notice in ``language`` (the page's by default), as paragraphs of plain text.

    The admin's text is split on blank lines and rendered escaped, paragraph by paragraph: no
    markup from the form ever reaches a page.
    """
    language = language or str(get_locale() or dialogue.language)
    if language not in LANGUAGES:
        language = dialogue.language
    own = custom_text(dialogue, language).replace("\r\n", "\n").strip()
    if own:
        return [part.strip() for part in own.split("\n\n") if part.strip()]
    return standard_notice(dialogue, language)


def standard_notice(dialogue: Dialogue, language: str) -> list[str]:
    """The standard notice, filled in with the dialogue's controller, threshold and retention."""
    with force_locale(language):
        controller = dialogue.data_controller or _("the organisation that runs the dialogue")
        when, kept = _retention_wording(dialogue)
        size = dialogue.min_group_size
        return [
            _(
                "Data controller: %(controller)s is responsible for the personal data in the "
                "dialogue “%(title)s”.",
                controller=controller,
                title=dialogue.title,
            ),
            _(
                "Purpose: to hold an anonymous dialogue in rounds with the people invited, and to "
                "build shared values or a strategy from what they write."
            ),
            _(
                "Legal basis: the data controller's tasks in the public interest, or its "
                "legitimate interest as an employer (GDPR article 6(1)(e) or (f)). Taking part is "
                "voluntary."
            ),
            _(
                "What is stored: your name, e-mail address, department and role group, to send "
                "you your links and to show figures for groups of at least %(size)d people; and "
                "what you write. What you write is stored under a code, not under your name, "
                "with the day it was written and no finer time.",
                size=size,
            ),
            _(
                "Who can see what: the consultant reads all contributions, never who wrote them. "
                "Management and the public see themes, counts and results for groups of at least "
                "%(size)d people. Only you can see which contributions are yours, on “My input”, "
                "where you can also download or erase them. The administrator sees names and "
                "e-mail addresses, never who wrote what or who has taken part.",
                size=size,
            ),
            _(
                "How long: names, e-mail addresses, login links and logs are deleted %(when)s. "
                "Backups are deleted on the same schedule.",
                when=when,
            )
            + " "
            + kept,
            _(
                "Your rights: you can ask %(controller)s for access to your data, to correct it "
                "or to erase it, and you can complain to the Danish Data Protection Agency "
                "(Datatilsynet).",
                controller=controller,
            ),
        ]


def _retention_wording(dialogue: Dialogue) -> tuple[str, str]:
    """When the notice says personal data are deleted, and what is kept after that."""
    ends = retention_ends(dialogue)
    when = (
        _(
            "%(days)d days after the last round closes (%(date)s)",
            days=dialogue.retention_days,
            date=format_date(ends.astimezone(ZoneInfo(dialogue.timezone)).date(), "long"),
        )
        if ends is not None
        else _("%(days)d days after the last round closes", days=dialogue.retention_days)
    )
    kept = (
        _(
            "The published results and final values are kept after that, without any "
            "personal data. Of rounds whose results were not published, only the themes and "
            "texts that a final value was built on are kept."
        )
        if dialogue.keep_results
        else _("Then the whole dialogue is deleted, its results included.")
    )
    return when, kept


def is_due(dialogue: Dialogue, now: dt.datetime) -> bool:
    """Whether the dialogue's retention period has ended and its purge has not run yet."""
    ends = retention_ends(dialogue)
    return dialogue.purged_on is None and ends is not None and ends <= now


def due_dialogues(now: dt.datetime) -> list[Dialogue]:
    """Every dialogue whose purge is due at ``now``."""
    candidates = Session.scalars(
        select(Dialogue).where(Dialogue.purged_on.is_(None)).order_by(Dialogue.id)
    )
    return [dialogue for dialogue in candidates if is_due(dialogue, now)]


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema: the before and after of a removal."""
    return {
        table.name: Session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def own_input(dialogue: Dialogue, author: str) -> list[dict[str, Any]]:
    """Everything the author wrote in the dialogue, round by round, as plain values."""
    found = []
    for round_ in dialogue.rounds:
        own = submissions.list_own(round_, author)
        checks = {
            check.contribution_id: check
            for ids in chunks([c.id for c in own])
            for check in Session.scalars(
                select(MemberCheck).where(MemberCheck.contribution_id.in_(ids))
            )
        }
        for contribution in own:
            check = checks.get(contribution.id)
            found.append(
                {
                    "round": round_.position,
                    "round_title": round_.title,
                    "written_on": contribution.created_on.isoformat(),
                    "item": contribution.target,
                    "text": contribution.body,
                    "answers": contribution.data,
                    "check_answer": check.answer.value if check else None,
                    "check_comment": check.comment if check else None,
                }
            )
        for question, day, chosen in own_choices(round_, author):
            found.append(
                {
                    "round": round_.position,
                    "round_title": round_.title,
                    "written_on": day.isoformat(),
                    "item": question.target,
                    "text": None,
                    "answers": {"question": question.text(page_language()), "chosen": chosen},
                    "check_answer": None,
                    "check_comment": None,
                }
            )
    return found


def as_json(rows: list[dict[str, Any]]) -> bytes:
    """The participant's copy as UTF-8 JSON, indented for people who open it in an editor."""
    return json.dumps({"contributions": rows}, ensure_ascii=False, indent=2).encode()


def as_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """One line per contribution; structured answers as JSON in one column."""
    columns = (
        "round",
        "round_title",
        "written_on",
        "item",
        "text",
        "answers",
        "check_answer",
        "check_comment",
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        answers = row["answers"]
        values = {
            **row,
            "answers": "" if answers is None else json.dumps(answers, ensure_ascii=False),
        }
        writer.writerow([_cell(values[name]) for name in columns])
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes spreadsheets read UTF-8


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
