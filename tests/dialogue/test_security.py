"""Rate limits and cookie flags (TARGETS S4, S8)."""

from tests.conftest import csrf_from


def test_login_is_rate_limited_per_address(app, app_factory, database_url):
    limited = app_factory(database_url, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    token = csrf_from(client.get("/login"))
    data = {"csrf_token": token, "email": "someone@example.org", "password": "wrong"}
    statuses = [client.post("/login", data=data).status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    assert "Vent et minut" in client.post("/login", data=data).get_data(as_text=True)


def test_login_limit_per_address_does_not_block_other_addresses(app, app_factory, database_url):
    limited = app_factory(database_url, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    token = csrf_from(client.get("/login"))
    for number in range(6):
        data = {"csrf_token": token, "email": f"user{number}@example.org", "password": "x"}
        assert client.post("/login", data=data).status_code == 422


def test_session_cookie_is_hardened_behind_https(app_factory, database_url):
    app = app_factory(database_url, PUBLIC_URL="https://dialog.example.dk")
    client = app.test_client()
    response = client.get("/", base_url="https://dialog.example.dk")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie
