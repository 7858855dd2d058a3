"""Configuration: safe defaults, secrets outside the database, clear errors."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue.core.config import ConfigError, finish_config, instance_secret, load_config

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
