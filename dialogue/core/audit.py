"""The audit trail: who on the staff did what (ASVS 16.2). Participants are never recorded."""

from __future__ import annotations

from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Dialogue


def record_event(
    actor_id: int | None,
    action: str,
    dialogue: Dialogue | None = None,
    subject: str = "",
    **details,
) -> AuditEvent:
    """Add an audit event; ``details`` hold counts and ids, never a participant's identity."""
    event = AuditEvent(
        actor_id=actor_id,
        dialogue_id=dialogue.id if dialogue is not None else None,
        action=action,
        subject=subject,
        details=details,
    )
    Session.add(event)
    Session.flush()
    return event
