"""What a staff password must be (TARGETS S7, ASVS 6.2, NIST SP 800-63B 3.1.1.2).

Length only: 8 characters at least and up to ``MAX_LENGTH``, any characters, no composition
rules (they push people to predictable patterns). A password is refused when it appears in
the 3,000 most common passwords or in a list of passwords seen in breaches; both lists ship
with the package (``data/``, sources and licences in ``data/NOTICE.md``).
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
#: Long enough for any passphrase; argon2 hashes it in the same time whatever its length.
MAX_LENGTH = 256

COMMON_LIST = "common-passwords-top3000.txt.gz"
BREACHED_LIST = "breached-passwords.txt.gz"


class WeakPassword(ValueError):
    """A password the policy refuses; ``message`` says why, in the reader's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@cache
def password_list(name: str) -> frozenset[str]:
    """The lower-case passwords of one shipped list, read once per process."""
    data = (resources.files("dialogue.auth") / "data" / name).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").splitlines())


def check_password_policy(password: str) -> None:
    """Raise ``WeakPassword`` unless ``password`` may be a staff password."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_l("The password must have at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_l("The password may have at most %(n)d characters.", n=MAX_LENGTH))
    folded = password.lower()
    if folded in password_list(COMMON_LIST):
        raise WeakPassword(
            _l("This is one of the most common passwords. Choose one that is harder to guess.")
        )
    if folded in password_list(BREACHED_LIST):
        raise WeakPassword(
            _l("This password has appeared in data leaks. Choose one that is not known.")
        )
