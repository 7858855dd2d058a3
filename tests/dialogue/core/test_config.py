"""Configuration: safe defaults, secrets outside the database, clear errors.

Secrets (TARGETS S12): SECRET_KEY and ANON_SECRET have no built-in default. Unless set in the
environment, each instance generates its own, so two fresh instance folders get different ones,
and a secret shorter than 32 characters is refused wherever it comes from.
"""

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue import PROJECT_ROOT, create_app
from dialogue.core.config import (
    ENVIRONMENT,
    MIN_SECRET_LENGTH,
    ConfigError,
    finish_config,
    instance_secret,
    load_config,
)
from tests.conftest import TEST_SECRETS

DIALOGUE_COMMAND = str(Path(sys.executable).with_name("dialogue"))


def test_secrets_are_generated_once_with_owner_only_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("ANON_SECRET", raising=False)
    instance = tmp_path / "instance"

    first = load_config(instance)
    second = load_config(instance)

    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["ANON_SECRET"] == second["ANON_SECRET"]
    assert first["SECRET_KEY"] != first["ANON_SECRET"]
    for name in ("secret_key", "anon_secret"):
        assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(tmp_path)
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'dialogue.db'}"


def test_a_short_secret_file_is_refused(tmp_path):
    (tmp_path / "anon_secret").write_text("short")
    with pytest.raises(ConfigError, match="shorter than 32"):
        instance_secret(tmp_path, "anon_secret")


def test_identical_secrets_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ANON_SECRET", "s" * 40)
    with pytest.raises(ConfigError, match="must differ"):
        finish_config(load_config(tmp_path))


def test_an_unknown_time_zone_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DIALOGUE_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(ConfigError, match="DIALOGUE_TIMEZONE"):
        finish_config(load_config(tmp_path))


def run_cli(tmp_path, *args, **env):
    environment = {**os.environ, "DIALOGUE_INSTANCE_PATH": str(tmp_path / "instance"), **env}
    return subprocess.run(
        [DIALOGUE_COMMAND, *args], capture_output=True, text=True, env=environment, check=False
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL is not a valid database URL"),
        (
            {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "the database cannot be used",
        ),
        ({"DIALOGUE_INSTANCE_PATH": "/proc/no-such-folder"}, "cannot create the instance folder"),
    ],
)
def test_cli_reports_bad_settings_in_one_line(tmp_path, env, expected):
    result = run_cli(tmp_path, "db", "upgrade", **env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_an_unwritable_instance_folder(tmp_path):
    if os.geteuid() == 0:
        # root may write anywhere; a read-only bind is what stops it, so use a file path instead
        blocker = tmp_path / "file"
        blocker.write_text("")
        result = run_cli(tmp_path, "db", "upgrade", DIALOGUE_INSTANCE_PATH=str(blocker / "sub"))
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = run_cli(tmp_path, "db", "upgrade", DIALOGUE_INSTANCE_PATH=str(locked))
    assert result.returncode == 1
    assert result.stderr.startswith("dialogue: ")
    assert "Traceback" not in result.stderr


# --- Secrets ------------------------------------------------------------------------------


def test_the_code_has_no_default_secret():
    assert ENVIRONMENT["SECRET_KEY"] is None
    assert ENVIRONMENT["ANON_SECRET"] is None
    source = (PROJECT_ROOT / "dialogue" / "core" / "config.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert len(node.value) < MIN_SECRET_LENGTH or " " in node.value, node.value


def test_each_fresh_instance_generates_its_own_secrets(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ANON_SECRET"):
        monkeypatch.delenv(name, raising=False)
    first = load_config(tmp_path / "one")
    second = load_config(tmp_path / "two")
    for name in ("SECRET_KEY", "ANON_SECRET"):
        assert len(first[name]) >= MIN_SECRET_LENGTH
        assert first[name] != second[name]
        assert first[name] not in TEST_SECRETS.values()
    assert first["SECRET_KEY"] != first["ANON_SECRET"]
    finish_config(first)  # and they pass the checks


def test_the_app_itself_uses_the_generated_secrets(database_url, tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ANON_SECRET"):
        monkeypatch.delenv(name, raising=False)
    apps = [
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / name)})
        for name in ("a", "b")
    ]
    try:
        for name in ("SECRET_KEY", "ANON_SECRET"):
            assert apps[0].config[name] != apps[1].config[name]
            assert apps[0].config[name] == (tmp_path / "a" / name.lower()).read_text().strip()
    finally:
        for app in apps:
            app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("name", ["SECRET_KEY", "ANON_SECRET"])
@pytest.mark.parametrize("value", ["", "changeme", "x" * (MIN_SECRET_LENGTH - 1)])
def test_a_short_secret_from_the_environment_is_refused(tmp_path, monkeypatch, name, value):
    other = "ANON_SECRET" if name == "SECRET_KEY" else "SECRET_KEY"
    monkeypatch.setenv(other, "o" * 48)
    monkeypatch.setenv(name, value)
    config = load_config(tmp_path)
    if value == "":
        # An empty variable counts as unset: a generated secret is used, never the empty one.
        assert len(config[name]) >= MIN_SECRET_LENGTH
        finish_config(config)
        return
    with pytest.raises(ConfigError, match=f"{name} must be at least {MIN_SECRET_LENGTH}"):
        finish_config(config)


def test_a_short_secret_passed_to_create_app_is_refused(database_url, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be at least"):
        create_app(
            {
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "dev",
                "ANON_SECRET": TEST_SECRETS["ANON_SECRET"],
            }
        )


def test_a_long_enough_secret_from_the_environment_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * MIN_SECRET_LENGTH)
    monkeypatch.setenv("ANON_SECRET", "a" * MIN_SECRET_LENGTH)
    config = load_config(tmp_path)
    finish_config(config)
    assert config["SECRET_KEY"] == "s" * MIN_SECRET_LENGTH
    assert not (tmp_path / "secret_key").exists()
