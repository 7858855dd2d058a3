"""The session store keeps logins and used links outside the backed-up database (TARGETS A11).

Both backends behave alike: the SQLite file of the embedded setup and Redis for several app
servers (run against the Redis on 127.0.0.1, under a prefix of this test's own).
"""

from __future__ import annotations

import time
import uuid

import pytest

from dialogue.core.session_store import RedisStore, SqliteStore
from tests.conftest import require


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteStore(tmp_path / "sessions.db")
        return
    redis_store = RedisStore("redis://127.0.0.1:6379/0", f"test-store-{uuid.uuid4().hex[:8]}")
    try:
        redis_store.redis.ping()
    except Exception:  # noqa: BLE001 - any failure means no Redis
        require(False, "Redis on 127.0.0.1:6379", "make test starts it")
    yield redis_store
    redis_store.clear()


def test_a_record_lives_until_it_expires_or_is_deleted(store):
    later = time.time() + 60
    store.put("session", "a", {"person_id": 1}, later, person_id=1)
    store.put("session", "gone", {"person_id": 1}, time.time() - 1, person_id=1)
    assert store.get("session", "a") == {"person_id": 1}
    assert store.get("session", "gone") is None
    assert store.get("link", "a") is None  # kinds do not mix
    store.delete("session", "a")
    assert store.get("session", "a") is None


def test_ending_one_persons_sessions_leaves_the_others(store):
    later = time.time() + 60
    for key, person in (("a", 1), ("b", 1), ("c", 2)):
        store.put("session", key, {"person_id": person}, later, person_id=person)
    assert store.count("session", 1) == 2
    assert [key for key, _ in store.records("session", 2)] == ["c"]
    assert store.delete_kind("session", 1) == 2
    assert store.get("session", "c") is not None
    assert store.delete_kind("session") == 1
    assert store.count("session") == 0


def test_a_token_can_be_claimed_once(store):
    later = time.time() + 60
    assert store.claim("used", "token", later)
    assert not store.claim("used", "token", later)
    assert store.get("used", "token") == {}
