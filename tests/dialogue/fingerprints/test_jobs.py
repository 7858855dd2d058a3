"""Tamper-evident rounds: a fingerprint at publication, ``dialogue verify``, re-publication."""

import json

import pytest
import sqlalchemy as sa

from analysis.fingerprint import canonical_bytes, canonical_form, from_export
from analysis.fingerprint import fingerprint as digest
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    Job,
    JobState,
    ModerationState,
    Role,
    RoundFingerprint,
    RoundResultsCache,
    Theme,
    ThemeMember,
)
from dialogue.core.models.analysis import ThemeState
from dialogue.fingerprints.cli import verify_command
from dialogue.fingerprints.jobs import KIND, record_later
from dialogue.synthesis.queries.exports import build_export
from rounds import fingerprint
from rounds.lifecycle.editing import set_published
from rounds.redaction import flagged_in_round, redact
from tests.conftest import csrf_from
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login
from tests.rounds.factories import closed_times


def publish(round_, published=True):
    """Publish (or withdraw) as the results page does: the fingerprint is a job after the commit."""
    newly, now = published and not round_.is_published, utcnow()
    set_published(round_, published, actor_id=None, now=now)
    if published:
        assert record_later(round_, now=now, actor_id=None, newly=newly)


def published_world(**dialogue_values):
    """A closed, published round with texts (one holds a phone number), two themes and links."""
    dialogue = make_dialogue(**dialogue_values)
    round_ = make_round(dialogue, **closed_times())
    member = make_member(dialogue)
    texts = ["For lidt tid til borgerne", "Ring 22 33 44 55 om vagter", "Nye IT-systemer"]
    contributions = [make_contribution(round_, member, text) for text in texts]
    stress = Theme(round_id=round_.id, label="Tid", state=ThemeState.ACCEPTED)
    it = Theme(round_id=round_.id, label="IT")
    Session.add_all([stress, it])
    Session.flush()
    Session.add_all(
        [
            ThemeMember(theme_id=stress.id, contribution_id=contributions[0].id),
            ThemeMember(theme_id=stress.id, contribution_id=contributions[1].id),
            ThemeMember(theme_id=it.id, contribution_id=contributions[2].id),
        ]
    )
    Session.flush()
    now = utcnow()
    set_published(round_, True, actor_id=None, now=now)
    fingerprint.record(round_, now=now, actor_id=None, newly_published=True)
    return dialogue, round_, contributions, stress


def run_verify(app, slug):
    return app.test_cli_runner().invoke(verify_command, [slug])


def test_the_canonical_form_does_not_depend_on_the_order_of_rows():
    rows = [
        {"id": "b", "target": None, "data": {}, "text": "to", "day": "2026-11-02"},
        {"id": "a", "target": None, "data": {"x": 1}, "text": "én", "day": "2026-11-01"},
    ]
    themes = [{"id": 2, "label": "T", "description": "", "state": "accepted", "merged_into_id": 1}]
    one = canonical_form(7, "challenges", rows, themes, [(2, "b"), (2, "a")])
    two = canonical_form(7, "challenges", rows[::-1], themes, [(2, "a"), (2, "b")])
    assert canonical_bytes(one) == canonical_bytes(two)
    assert canonical_bytes(one).startswith(b'{"contributions":[{"data":{"x":1},"day":"2026-11-01"')
    changed = canonical_form(7, "challenges", rows, themes, [(2, "a")])
    assert digest(changed) != digest(one)


def test_publishing_records_a_fingerprint_that_verifies(app, app_context):
    dialogue, round_, _, _ = published_world()
    (row,) = fingerprint.history(round_)
    assert row.sha256 == fingerprint.compute(round_)
    assert len(row.sha256) == 64
    result = run_verify(app, dialogue.slug)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK ")
    assert row.sha256 in result.output


def test_an_export_with_texts_gives_the_same_fingerprint(app_context):
    dialogue, round_, _, _ = published_world()
    export = json.loads(json.dumps(build_export(dialogue, raw_text=True)))
    assert from_export(export, round_.id) == fingerprint.latest(round_).sha256
    with pytest.raises(ValueError, match="no texts"):
        from_export(build_export(dialogue, raw_text=False), round_.id)


@pytest.mark.parametrize("change", ["text", "theme label", "link", "hidden"])
def test_changed_data_is_reported_as_changed(app, app_context, change):
    dialogue, round_, contributions, stress = published_world()
    if change == "text":
        contributions[0].body = "For lidt tid til borgerne!"
    elif change == "theme label":
        stress.label = "Tid og travlhed"
    elif change == "link":
        Session.execute(sa.delete(ThemeMember).where(ThemeMember.theme_id == stress.id))
    else:
        contributions[2].moderation = ModerationState.HIDDEN
    Session.flush()
    result = run_verify(app, dialogue.slug)
    assert result.exit_code == 1
    assert result.output.startswith("CHANGED ")


def test_a_forged_fingerprint_is_reported_as_changed(app, app_context):
    dialogue, round_, _, _ = published_world()
    Session.execute(sa.update(RoundFingerprint).values(sha256="0" * 64))
    result = run_verify(app, dialogue.slug)
    assert result.exit_code == 1
    assert result.output.startswith("CHANGED ")


def test_a_published_round_without_a_fingerprint_is_missing(app, app_context):
    dialogue, _, _, _ = published_world()
    Session.execute(sa.delete(RoundFingerprint))
    result = run_verify(app, dialogue.slug)
    assert result.exit_code == 1
    assert result.output.startswith("MISSING ")


def test_unknown_dialogues_and_unpublished_rounds(app, app_context):
    missing = run_verify(app, "no-such-dialogue")
    assert missing.exit_code == 2
    assert "there is no dialogue 'no-such-dialogue'" in missing.stderr
    dialogue = make_dialogue()
    make_round(dialogue, **closed_times())
    result = run_verify(app, dialogue.slug)
    assert result.exit_code == 0
    assert "no published rounds" in result.output


def test_publishing_again_after_a_redaction_records_a_new_fingerprint(app, app_context):
    dialogue, round_, _, _ = published_world()
    first = fingerprint.latest(round_).sha256
    ((_, (span,)),) = flagged_in_round(round_.id)
    redact(span, actor_id=None)
    assert run_verify(app, dialogue.slug).exit_code == 1
    publish(round_)
    history = fingerprint.history(round_)
    assert [row.sha256 for row in history][1:] == [first]
    assert history[0].sha256 != first
    assert run_verify(app, dialogue.slug).exit_code == 0
    publish(round_)  # nothing changed: no new row
    assert len(fingerprint.history(round_)) == 2
    actions = Session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("round.republish") == 1


def test_withdrawn_and_republished_rounds_keep_their_history(app_context):
    _, round_, _, _ = published_world()
    publish(round_, False)
    publish(round_)
    history = fingerprint.history(round_)
    assert len(history) == 2
    assert history[0].sha256 == history[1].sha256


def test_the_public_and_staff_pages_show_the_fingerprint_and_date(client):
    dialogue, round_, _, _ = published_world(is_public=True, language="da")
    consultant = make_member(dialogue, Role.CONSULTANT)
    sha = fingerprint.latest(round_).sha256
    public = client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    assert f"<code>{sha}</code>" in public
    assert "Offentliggjort" in public
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    url = f"/d/{dialogue.slug}/rounds/{round_.id}/results/"
    page = client.get(url)
    assert f"<code>{sha}</code>" in page.get_data(as_text=True)
    response = client.post(f"{url}publish", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert len(fingerprint.history(round_)) == 1  # publishing unchanged data adds no row


def test_publishing_on_the_page_leaves_the_fingerprint_to_a_job(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue, **closed_times())
    make_contribution(round_, make_member(dialogue), "Too little time for citizens")
    consultant = make_member(dialogue, Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    url = f"/d/{dialogue.slug}/rounds/{round_.id}/results/"
    response = client.post(f"{url}publish", data={"csrf_token": csrf_from(client.get(url))})
    assert response.status_code == 303
    job = Session.scalars(sa.select(Job).where(Job.kind == KIND)).one()
    assert (job.key, job.state) == (str(round_.id), JobState.DONE)
    assert fingerprint.latest(round_).sha256 == fingerprint.compute(round_)
    stored = Session.scalars(
        sa.select(RoundResultsCache.variant).where(RoundResultsCache.round_id == round_.id)
    )
    assert {"results:public", "results:staff:final"} <= set(stored)  # no reader waits for them


def test_the_pages_say_when_a_fingerprint_is_being_computed(app, client):
    dialogue, round_, _, _ = published_world(is_public=True, language="en")
    Session.add(Job(id="f" * 32, kind=KIND, key=str(round_.id), active_key=f"{KIND}:{round_.id}"))
    Session.commit()
    public = client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    assert "is being computed" in public
    assert fingerprint.latest(round_).sha256 in public  # the earlier one still shows
    with app.app_context():  # a second publication meanwhile is refused, and the page says so
        assert not record_later(round_, now=utcnow(), actor_id=None, newly=False)


def test_a_publication_withdrawn_before_its_job_runs_gets_no_fingerprint(app_context):
    dialogue = make_dialogue()
    round_ = make_round(dialogue, **closed_times())
    now = utcnow()
    set_published(round_, True, actor_id=None, now=now)
    set_published(round_, False, actor_id=None, now=now)
    assert record_later(round_, now=now, actor_id=None, newly=True)
    assert fingerprint.history(round_) == []
