"""Every user-facing string has a Danish translation, and the catalogue matches the code."""

import subprocess
import sys

from babel.messages.pofile import read_po

from dialogue import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "dialogue" / "translations" / "da" / "LC_MESSAGES" / "messages.po"


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_every_danish_message_is_translated_and_not_fuzzy():
    catalogue = read_catalogue(CATALOGUE)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(extracted),
            *(str(PROJECT_ROOT / folder) for folder in ("dialogue", "rounds", "templates")),
        ],
        check=True,
        capture_output=True,
    )
    in_code = {m.id for m in read_catalogue(extracted) if m.id}
    translated = {m.id for m in read_catalogue(CATALOGUE) if m.id}
    assert in_code - translated == set(), "run `dialogue translations extract` and translate"
