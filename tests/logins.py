"""Logging in from a test client: the password step, the code step, and both in a row."""

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Person
from tests.conftest import csrf_from
from tests.factories import totp_code


def password_step(client, email, password):
    """Only the first factor: the response to the login form."""
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def code_step(client, email, code=None):
    """The second factor of an enrolled staff member: post their current (or a given) code."""
    person = Session.scalar(select(Person).where(Person.email == email.strip().lower()))
    code = code or totp_code(person)
    token = csrf_from(client.get("/login/code"))
    return client.post("/login/code", data={"csrf_token": token, "code": code})


def staff_login(client, email, password):
    """A whole staff login: password, then the TOTP code when the password was accepted."""
    response = password_step(client, email, password)
    if response.status_code != 302 or not response.headers["Location"].endswith("/login/code"):
        return response
    return code_step(client, email)
