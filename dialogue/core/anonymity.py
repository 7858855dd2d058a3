"""Author pseudonyms and the group size for verbatim text: how input stays apart from people.

The key (``ANON_SECRET``) lives outside the database. Whoever holds a database dump alone cannot
tell which person wrote a contribution; an operator holding both the dump and the key can, and the
documentation says so (docs/anonymity.md).
"""

from __future__ import annotations

import hashlib
import hmac

#: Verbatim text outside the consultant's view comes only from groups at least this large (A6):
#: participants' reasons, theme quotes and comments alike.
VERBATIM_MIN_AUTHORS = 8


def author_pseudonym(secret: str, dialogue_id: int, person_id: int) -> str:
    """The pseudonym under which ``person_id`` contributes to ``dialogue_id``.

    Keyed per dialogue, so that the same person's input in two dialogues cannot be joined.
    """
    message = f"dialogue:{dialogue_id}:person:{person_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
