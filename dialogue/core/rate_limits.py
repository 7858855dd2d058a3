"""Rate-limit keys that name nobody (TARGETS S8, issue #16).

The limits are counted under keys such as ``login:<e-mail>``, ``link:<token>`` or
``submit:<session id>``; the shared storage (Redis) keeps them for the window and may snapshot
them to disk. Raw, they would tell whoever reads that storage which address tried to log in,
which link was used, and which login session wrote how often (a session id leads to its person
through the session table). So every key is replaced by a keyed hash before the limiter sees it:
HMAC-SHA-256 under a key derived from ``SECRET_KEY``, never from ``ANON_SECRET``, which must
stay the one secret that links pseudonyms to people. Equal inputs still give equal keys, so the
limits hold across workers and servers sharing ``SECRET_KEY``; the client's address, the default
key, is hashed too.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable

from flask import current_app
from flask_limiter import Limiter

#: Separates this use of ``SECRET_KEY`` from every other one (sessions, CSRF).
_PURPOSE = b"dialogue rate-limit keys"


@functools.lru_cache(maxsize=4)
def _key_for(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()


def keyed_hash(value: str) -> str:
    """``value`` as a rate-limit key: 32 hex digits of its HMAC, stable for one ``SECRET_KEY``."""
    key = _key_for(str(current_app.config["SECRET_KEY"]))
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def hashed(key_func: Callable[[], str]) -> Callable[[], str]:
    """``key_func`` whose result is replaced by its keyed hash (an empty key stays empty)."""

    @functools.wraps(key_func)
    def key() -> str:
        raw = key_func()
        return keyed_hash(raw) if raw else raw

    return key


class HashedKeyLimiter(Limiter):
    """Flask-Limiter, with every key function's result hashed before it is stored or logged."""

    def __init__(self, *, key_func: Callable[[], str], **options):
        super().__init__(key_func=hashed(key_func), **options)

    def limit(self, limit_value, *, key_func=None, **options):
        """As ``Limiter.limit``; a given ``key_func`` is hashed."""
        return super().limit(limit_value, key_func=key_func and hashed(key_func), **options)

    def shared_limit(self, limit_value, scope, *, key_func=None, **options):
        """As ``Limiter.shared_limit``; a given ``key_func`` is hashed."""
        return super().shared_limit(
            limit_value, scope, key_func=key_func and hashed(key_func), **options
        )
