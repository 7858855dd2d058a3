"""Staff passwords: 8 to 256 characters, no composition rules, not common, not breached (S7)."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest
from flask_babel import force_locale

from dialogue.accounts.cli import set_password_command
from dialogue.auth.services.logins import check_password, hash_password
from dialogue.auth.services.password_policy import (
    BREACHED_LIST,
    COMMON_LIST,
    MAX_LENGTH,
    WeakPassword,
    check_password_policy,
    password_list,
)
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Person, Role
from tests.factories import make_dialogue, make_member

#: Not in either list (checked below), so only its length decides.
FILLER = "fjordkaffe-"


def passphrase(length: int) -> str:
    return (FILLER * (length // len(FILLER) + 1))[:length]


def test_the_lists_ship_with_the_package_with_their_licences():
    data = resources.files("dialogue.auth") / "data"
    notice = (data / "NOTICE.md").read_text()
    assert "BSD" in notice
    assert "MIT" in notice
    assert len(password_list(COMMON_LIST)) == 3000
    assert len(password_list(BREACHED_LIST)) >= 10_000
    common = gzip.decompress((data / COMMON_LIST).read_bytes()).decode().split()
    assert common[:4] == ["123456", "123456789", "qwerty", "password"]  # most frequent first


@pytest.mark.parametrize("length", [8, 9, 128, 129, MAX_LENGTH])
def test_eight_characters_and_more_are_accepted(app_context, length):
    check_password_policy(passphrase(length))


@pytest.mark.parametrize(
    "password", ["hvalrossen", "HVALROSSEN", "        x", "æøåæøåæø", "🙂" * 8]
)
def test_there_are_no_composition_rules(app_context, password):
    check_password_policy(password)


@pytest.mark.parametrize(
    ("password", "danish"),
    [
        (passphrase(7), "skal have mindst 8 tegn"),
        (passphrase(MAX_LENGTH + 1), f"højst have {MAX_LENGTH} tegn"),
        ("baseball", "mest almindelige adgangskoder"),
        ("PassWord1", "mest almindelige adgangskoder"),  # compared in lower case
        ("trustno1", "mest almindelige adgangskoder"),
        ("semperfi", "datalæk"),
        ("lifehack", "datalæk"),
    ],
)
def test_weak_passwords_are_refused_with_a_translated_reason(app_context, password, danish):
    with pytest.raises(WeakPassword) as refused:
        hash_password(password)
    with force_locale("da"):
        assert danish in str(refused.value.message)
    with force_locale("en"):
        assert "password" in str(refused.value.message).lower()


def test_the_examples_are_where_the_tests_say(app_context):
    assert "baseball" in password_list(COMMON_LIST)
    assert "semperfi" not in password_list(COMMON_LIST)
    assert {"semperfi", "lifehack"} <= password_list(BREACHED_LIST)
    everything = password_list(COMMON_LIST) | password_list(BREACHED_LIST)
    assert FILLER not in everything
    assert "hvalrossen" not in everything


def test_set_password_applies_the_policy_and_is_audited(app, app_context):
    staff = make_member(make_dialogue(), Role.ADMIN)
    Session.commit()
    runner = app.test_cli_runner()

    refused = runner.invoke(set_password_command, [staff.person.email, "--password", "baseball"])
    assert refused.exit_code != 0
    assert "most common passwords" in refused.output

    new = passphrase(20)
    accepted = runner.invoke(set_password_command, [staff.person.email, "--password", new])
    assert accepted.exit_code == 0, accepted.output
    person = Session.get(Person, staff.person_id)
    assert check_password(person, new)
    assert Session.query(AuditEvent).filter_by(action="set_password").count() == 1


def test_participants_get_no_password(app, app_context):
    participant = make_member(make_dialogue())
    Session.commit()
    result = app.test_cli_runner().invoke(
        set_password_command, [participant.person.email, "--password", passphrase(20)]
    )
    assert result.exit_code != 0
    assert "not staff" in result.output
    assert Session.get(Person, participant.person_id).password_hash is None
