"""The demo shows identifying details (flagged, redacted) and fingerprints on published rounds."""

import json

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Redaction
from dialogue.demo.services import content
from dialogue.demo.services.guard import WARNED_TEXT
from dialogue.demo.services.people import STAFF_PASSWORD
from dialogue.synthesis.queries.exports import build_export
from rounds import fingerprint
from rounds.redaction import flagged_in_round
from tests.dialogue.demo.test_cli import run_demo
from tests.logins import staff_login


def test_demo_has_a_flagged_and_a_redacted_detail_and_fingerprints(app, client):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    challenges = dialogue.rounds[0]
    ((flagged, spans),) = flagged_in_round(challenges.id)
    assert flagged.body == WARNED_TEXT
    assert [span.kind for span in spans] == ["phone"]
    (redaction,) = Session.scalars(select(Redaction)).all()
    assert redaction.kind == "name"
    assert redaction.actor_id is not None
    export = json.dumps(build_export(dialogue, raw_text=True), ensure_ascii=False)
    assert "22 33 44 55" not in export
    assert "[hidden:phone]" in export
    assert "[fjernet: navn]" in export

    published = [r for r in dialogue.rounds if r.is_published]
    assert [len(fingerprint.history(r)) for r in published] == [2, 1, 1, 1, 1]
    assert all(check.verdict is fingerprint.Verdict.OK for check in fingerprint.verify(dialogue))

    assert client.get(f"/p/{content.SLUG}/").get_data(as_text=True).count("Fingeraftryk") == 5
    staff_login(client, "konsulent@demo.example", STAFF_PASSWORD)
    review = client.get(f"/d/{content.SLUG}/staff/rounds/{challenges.id}/identifying/")
    assert "<mark>22 33 44 55</mark>" in review.get_data(as_text=True)
