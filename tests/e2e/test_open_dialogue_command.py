"""``dialogue open-dialogue`` as an operator runs it: the installed script against the demo."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.e2e.conftest import Site

SLUG = "vaerdier"


def opening(site: Site) -> tuple:
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT open_join, open_rule FROM dialogues WHERE slug = :slug"),
                {"slug": SLUG},
            ).one()
    finally:
        engine.dispose()


def test_open_dialogue_prints_the_join_link_refuses_a_bad_rule_and_closes_again(writable_demo):
    opened = writable_demo.run("open-dialogue", SLUG, "--rule", "@Kommune.dk  groups=staff")
    assert opened.returncode == 0, opened.stderr
    assert f"/join/{SLUG}" in opened.stdout
    assert tuple(opening(writable_demo)) == (True, "@Kommune.dk groups=staff")

    refused = writable_demo.run("open-dialogue", SLUG, "--rule", "not a rule")
    assert refused.returncode == 2
    assert "is neither an e-mail domain" in refused.stderr
    assert tuple(opening(writable_demo)) == (True, "@Kommune.dk groups=staff")

    missing = writable_demo.run("open-dialogue", "no-such-dialogue")
    assert missing.returncode == 2
    assert "there is no dialogue" in missing.stderr

    closed = writable_demo.run("open-dialogue", SLUG, "--off")
    assert closed.returncode == 0, closed.stderr
    assert not opening(writable_demo)[0]
