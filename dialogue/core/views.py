"""The step every form view shares: validate, run one operation, commit, or say why not.

Services flush and never commit, so the view commits once its operation has succeeded. A refused
operation is rolled back before the page says why, so that nothing it flushed is shown or kept.
How the outcome is shown (a flash and a redirect, or the page again with 422) stays the view's.
Only views use this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.forms import first_error


@dataclass(frozen=True)
class Outcome:
    """What an attempt gave: the operation's result, or the message saying why not."""

    result: Any = None
    #: Why nothing was saved, ready to show; None when the operation ran and was committed.
    message: Any = None
    #: The operation's refusal, for its status and the field it concerns; None otherwise.
    refusal: UserError | None = None


def attempt(operation: Callable[[], Any], form=None, *, conflict=None) -> Outcome:
    """Validate ``form`` (if given), run ``operation`` and commit; or roll back and say why.

    ``conflict``, when given, is the message for the database refusing a write that raced
    another one (an ``IntegrityError``); without it such an error is not expected and escapes.
    """
    if form is not None and not form.validate_on_submit():
        Session.rollback()
        return Outcome(message=first_error(form))
    try:
        result = operation()
    except UserError as exc:
        Session.rollback()
        return Outcome(message=exc.message, refusal=exc)
    except IntegrityError:
        if conflict is None:
            raise
        Session.rollback()
        return Outcome(message=conflict)
    Session.commit()
    return Outcome(result)
