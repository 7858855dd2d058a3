"""Configuration from environment variables, with safe defaults for the embedded setup."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The checkout's root: templates/ and migrations/ sit beside the packages.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


#: Environment variables read at start-up, with their defaults (None: derived, see below).
ENVIRONMENT = {
    "DATABASE_URL": None,
    "SECRET_KEY": None,  # nosec B105
    "ANON_SECRET": None,  # nosec B105
    "DIALOGUE_TIMEZONE": "Europe/Copenhagen",
    "DIALOGUE_DEFAULT_LANGUAGE": "da",
    "MAIL_SERVER": "",
    "MAIL_PORT": "25",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",  # nosec B105
    "MAIL_USE_TLS": "false",
    "MAIL_SENDER": "dialog@localhost",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": "",
    "SESSION_STORE_URL": "",
    "SESSION_STORE_PREFIX": "dialogue-sessions",
    # The RQ queue that app servers fill and `dialogue worker` empties (one per installation
    # sharing a Redis).
    "DIALOGUE_QUEUE": "dialogue",
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "ACCESSIBILITY_STATEMENT_URL": "",
    "DIALOGUE_EMBED_ON_SUBMIT": "true",
    "DIALOGUE_EMBEDDING_THREADS": "1",
    # Signing in through the organisation's OpenID provider (off unless all three are set).
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",  # nosec B105
    # Authentication context (acr) values that mean the provider checked a second factor.
    "OIDC_MFA_ACR_VALUES": "",
    # New participants an open dialogue accepts per hour, whoever asks (an abuse cap).
    "OPEN_JOINS_PER_HOUR": "200",
}

#: The shortest secret accepted, from the environment or from an instance file.
MIN_SECRET_LENGTH = 32

#: Settings that never come from the environment.
DEFAULTS = {
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "da",
    "LANGUAGES": ("da", "en"),
}


def ensure_instance_folder(path: Path) -> Path:
    """Create the instance folder if needed and check that we can write to it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the instance folder {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"the instance folder {path} is not writable")
    return path


def instance_secret(instance_path: Path, name: str) -> str:
    """Read a secret from ``instance/<name>``, generating it once with owner-only permissions.

    Secrets live in files beside the database, never in it: the anonymity secret must not travel
    with a database dump.
    """
    path = instance_path / name
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ConfigError(f"cannot write the secret file {path}: {exc.strerror}") from exc
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"the secret in {path} is shorter than {MIN_SECRET_LENGTH} characters")
    return secret


def load_config(instance_path: Path) -> dict:
    """Build the configuration dictionary from defaults, the environment and instance files."""
    config = dict(DEFAULTS)
    config.update({key: os.environ.get(key, default) for key, default in ENVIRONMENT.items()})
    ensure_instance_folder(instance_path)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'dialogue.db'}"
    config["SECRET_KEY"] = config["SECRET_KEY"] or instance_secret(instance_path, "secret_key")
    config["ANON_SECRET"] = config["ANON_SECRET"] or instance_secret(instance_path, "anon_secret")
    config["MAIL_PORT"] = int(config["MAIL_PORT"])
    config["MAIL_USE_TLS"] = config["MAIL_USE_TLS"].lower() in {"1", "true", "yes"}
    config["MAIL_OUTBOX"] = str(instance_path / "outbox")
    # Logins and used links, outside the backed-up database (dialogue.core.session_store).
    config["SESSION_STORE_PATH"] = str(instance_path / "sessions.db")
    config["DIALOGUE_EMBED_ON_SUBMIT"] = config["DIALOGUE_EMBED_ON_SUBMIT"].lower() in {
        "1",
        "true",
        "yes",
    }
    config["DIALOGUE_EMBEDDING_THREADS"] = int(config["DIALOGUE_EMBEDDING_THREADS"])
    config["OPEN_JOINS_PER_HOUR"] = int(config["OPEN_JOINS_PER_HOUR"])
    config["OIDC_MFA_ACR_VALUES"] = [
        value.strip() for value in config["OIDC_MFA_ACR_VALUES"].split(",") if value.strip()
    ]
    return config


def finish_config(config: dict) -> None:
    """Refuse settings that would silently weaken the product, and derive the rest."""
    for name in ("SECRET_KEY", "ANON_SECRET"):
        if len(str(config.get(name) or "")) < MIN_SECRET_LENGTH:
            raise ConfigError(f"{name} must be at least {MIN_SECRET_LENGTH} characters long")
    if config["SECRET_KEY"] == config["ANON_SECRET"]:
        raise ConfigError("SECRET_KEY and ANON_SECRET must differ")
    try:
        ZoneInfo(config["DIALOGUE_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown DIALOGUE_TIMEZONE {config['DIALOGUE_TIMEZONE']!r}") from exc
    if config["DIALOGUE_DEFAULT_LANGUAGE"] not in config["LANGUAGES"]:
        raise ConfigError("DIALOGUE_DEFAULT_LANGUAGE must be 'da' or 'en'")
    # Flask-Babel's fallback (and a job's without a dialogue) is the installation's default.
    config["BABEL_DEFAULT_LOCALE"] = config["DIALOGUE_DEFAULT_LANGUAGE"]
    oidc = [config.get(name) for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")]
    if any(oidc) and not all(oidc):
        raise ConfigError("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together: set all")
    config["OIDC_ENABLED"] = all(oidc)
    # Behind HTTPS the cookie is Secure and host-only (the __Host- prefix enforces both).
    secure = config["PUBLIC_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = secure
    config["SESSION_COOKIE_NAME"] = "__Host-session" if secure else "session"
