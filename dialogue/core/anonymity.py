"""Author pseudonyms: the one link between a person and their input, computable only with a key.

The key (``ANON_SECRET``) lives outside the database. Whoever holds a database dump alone cannot
tell which person wrote a contribution; an operator holding both the dump and the key can, and the
documentation says so (docs/anonymity.md).
"""

from __future__ import annotations

import hashlib
import hmac


def author_pseudonym(secret: str, dialogue_id: int, person_id: int) -> str:
    """The pseudonym under which ``person_id`` contributes to ``dialogue_id``.

    Keyed per dialogue, so that the same person's input in two dialogues cannot be joined.
    """
    message = f"dialogue:{dialogue_id}:person:{person_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
