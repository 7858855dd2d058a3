"""Server-side record of a login, so that logging out really ends it.

A signed cookie alone cannot be revoked: a copy replayed after logout would still work. The
cookie therefore carries a random session token whose hash must be found here. The row keeps
no activity times (idle expiry lives in the signed cookie), and its absolute expiry is rounded
to the hour, so it says little about when someone was active.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.db import Base


class LoginSession(Base):
    """One logged-in browser."""

    __tablename__ = "login_sessions"

    #: SHA-256 of the token in the cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    is_staff: Mapped[bool]
    #: Staff who gave their password or link but not yet their TOTP code: every staff page
    #: answers 403 until they do, and the session is then replaced by a new one.
    second_factor_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    expires_at: Mapped[dt.datetime]
