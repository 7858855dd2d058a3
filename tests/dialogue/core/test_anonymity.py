"""The anonymity promise at the schema level (TARGETS A1): content carries no identity."""

import hashlib

import pytest
import sqlalchemy as sa

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Base, Session
from dialogue.core.models import Contribution, Role
from rounds.results.participation import round_participation
from tests.conftest import TEST_SECRETS
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login
from tests.rounds.factories import closed_times

#: The only tables allowed to hold or point at people. Everything else is content.
IDENTITY_TABLES = {"people", "memberships", "audit_events"}
#: Login links sent earlier and kept working: beside the membership's own link, nothing else.
IDENTITY_TABLES |= {"kept_links"}

#: Staff/audit tables of the theme workbench: they name the *staff member* who acted
#: (``actor_id`` → people) and nothing else about people. Participants are never recorded there:
#: they appear only as contribution ids, which carry no identity.
STAFF_ACTION_TABLES = {"analysis_runs": {"actor_id"}, "theme_edits": {"actor_id"}}
#: Proposals, their versions and links, and coverage decisions are written by staff (management,
#: the consultant) and name only the staff member who acted. Their links to participants' input
#: go through contribution and theme ids, never through a person.
STAFF_ACTION_TABLES |= {
    "proposals": {"actor_id"},
    "proposal_versions": {"actor_id"},
    "proposal_sources": {"actor_id"},
    "coverage_marks": {"actor_id"},
}

#: Background jobs (analysis runs, imports, exports) are system records started by staff: they
#: may name the staff member who started one (``actor_id``), never a participant, and their
#: message never holds contribution text.
STAFF_ACTION_TABLES |= {"jobs": {"actor_id"}}

#: A redaction names the consultant who replaced a detail, the contribution and the kind of
#: detail (phone, e-mail …); never the original text and never the author.
STAFF_ACTION_TABLES |= {"redactions": {"actor_id"}}
#: Follow-up of final values and critical factors: initiatives, their dated notes and periodic
#: reviews are written by management or the consultant and name only the staff member who acted.
#: An initiative promoted from a commitment reaches it by contribution id, as a proposal source
#: does – never through a person.
STAFF_ACTION_TABLES |= {
    "follow_ups": {"actor_id"},
    "follow_up_notes": {"actor_id"},
    "follow_up_reviews": {"actor_id"},
}

#: The log of invitation and reminder sends: counts, and the admin who sent (none for the
#: scheduler); never a recipient (TARGETS A8).
STAFF_ACTION_TABLES |= {"mail_sends": {"actor_id"}}

#: Every column a content table may have. A new column must be added here on purpose.
CONTENT_COLUMNS = {
    "dialogues": {
        "id",
        "slug",
        "title",
        "description",
        "language",
        "timezone",
        "is_public",
        "min_group_size",
        # The name of the ID-token claim participants sign in with ("email"), not a value.
        "oidc_claim",
        # Whether anyone may join, and the rule: e-mail domains and claim=value terms, no person.
        "open_join",
        "open_rule",
        # The privacy notice and retention: the organisation's name and settings, no person.
        "data_controller",
        "notice_da",
        "notice_en",
        "retention_days",
        "keep_results",
        "purged_on",
    },
    "rounds": {
        "id",
        "dialogue_id",
        "position",
        "kind",
        "title",
        "prompt",
        "opens_at",
        "closes_at",
        "settings",
        "is_published",
    },
    "contributions": {
        "id",
        "round_id",
        "author",
        "body",
        "data",
        "target",
        "created_on",
        "moderation",
        "submission_key",
        "released",  # whether staff may read it yet: batches of k authors, no time
    },
    "themes": {
        "id",
        "round_id",
        "part",  # which question of the round its texts answer (strength, weakness …)
        "label",
        "description",
        "top_terms",
        "state",
        "origin",
        "has_custom_label",
        "run_id",
        "merged_into_id",
        "withdrawn_sources",  # how many of its texts their authors took back: a count, no date
    },
    "theme_members": {"id", "theme_id", "contribution_id", "source", "score"},
    "contribution_moderations": {"id", "contribution_id", "reason", "note"},
    #: Sentence embeddings for the semantic analysis: keyed by the contribution's random id,
    #: with no author and no time (when a vector was computed would date its text).
    "contribution_embeddings": {"contribution_id", "model", "text_hash", "vector", "tokens"},
    #: A participant's "is this what you meant?" about one contribution: keyed by the
    #: contribution's random id alone (no counter that tells the order of answers), with no time
    #: and no person; ``response`` is the consultant's visible answer (who gave it is in the
    #: audit trail, which names staff only).
    "member_checks": {"contribution_id", "answer", "comment", "response"},
    #: Stored results of closed rounds: aggregates with small groups already suppressed.
    "round_results_cache": {"id", "round_id", "variant", "version", "payload", "created_at"},
    #: Where a contribution's text looks identifying: offsets and kind, never the matched text.
    "identifying_spans": {"id", "contribution_id", "span_start", "span_end", "kind"},
    #: A hash over a published round's anonymous data and when it was published (staff time).
    "round_fingerprints": {"id", "round_id", "form_version", "sha256", "published_at"},
    #: When the scheduler reminds everyone of a round: hours before it closes, nothing else.
    "reminder_schedules": {"id", "round_id", "hours_before_close"},
    #: A round's extra questions and their options: staff content.
    "round_questions": {
        "id", "round_id", "position", "type", "text_da", "text_en", "required", "maximum",
        "band_set",
    },
    "question_options": {"id", "question_id", "position", "label_da", "label_en"},
    #: A chosen option or scale value: a pseudonym, a random id and the day, like a contribution.
    "question_answers": {"id", "question_id", "author", "option_id", "value", "created_on"},
}  # fmt: skip


def test_every_table_is_classified():
    classified = IDENTITY_TABLES | set(STAFF_ACTION_TABLES) | set(CONTENT_COLUMNS)
    assert set(Base.metadata.tables) == classified


def test_staff_action_tables_refer_to_people_only_as_the_acting_staff_member():
    for name, allowed in STAFF_ACTION_TABLES.items():
        columns = {
            foreign_key.parent.name
            for foreign_key in Base.metadata.tables[name].foreign_keys
            if foreign_key.column.table.name in IDENTITY_TABLES
        }
        assert columns == allowed, name


def test_content_tables_have_only_allowed_columns():
    for name, allowed in CONTENT_COLUMNS.items():
        assert set(Base.metadata.tables[name].columns.keys()) == allowed, name


def test_no_content_table_refers_to_an_identity_table():
    for name in CONTENT_COLUMNS:
        for foreign_key in Base.metadata.tables[name].foreign_keys:
            assert foreign_key.column.table.name not in IDENTITY_TABLES, name


@pytest.mark.parametrize("table", ["contributions", "question_answers"])
def test_participant_input_records_the_day_not_the_time(table):
    columns = Base.metadata.tables[table].columns
    assert isinstance(columns["created_on"].type, sa.Date)
    assert not any(isinstance(c.type, sa.DateTime) for c in columns)


def test_pseudonyms_differ_per_dialogue_and_need_the_secret():
    secret = "s" * 40
    assert author_pseudonym(secret, 1, 7) == author_pseudonym(secret, 1, 7)
    assert author_pseudonym(secret, 1, 7) != author_pseudonym(secret, 2, 7)
    assert author_pseudonym(secret, 1, 7) != author_pseudonym("t" * 40, 1, 7)


# --- A populated dialogue, seen by someone who holds the database but not the secret ---

DEPARTMENT_SIZES = {"Lille": 2, "Tre": 3, "Fire": 4, "Fem": 5, "Otte": 8, "Stor": 40}


@pytest.fixture
def populated(db_session):
    """A dialogue with departments of sizes {2,3,4,5,8,40}; most members contributed twice."""
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    members = []
    for department, size in DEPARTMENT_SIZES.items():
        for number in range(size):
            role_group = "Leder" if number == 0 else "Medarbejder"
            members.append(make_member(dialogue, department=department, role_group=role_group))
    for index, member in enumerate(members):
        if index % 7 == 3:
            continue
        make_contribution(round_, member, f"Udfordring {index}a")
        make_contribution(round_, member, f"Udfordring {index}b")
    return dialogue, round_, members


def dump_rows(table_names):
    """Every value of every row of these tables, as text."""
    values = []
    for name in table_names:
        table = Base.metadata.tables[name]
        for row in Session.execute(sa.select(table)):
            values.extend(str(value) for value in row)
    return values


def test_content_rows_hold_no_identity_of_any_member(populated):
    _, _, members = populated
    content = " ".join(dump_rows(CONTENT_COLUMNS))
    for member in members:
        assert member.person.email not in content
        assert member.person.name not in content


def test_without_the_secret_no_guess_recomputes_an_author(populated):
    dialogue, round_, members = populated
    authors = set(Session.scalars(sa.select(Contribution.author)))
    guesses = set()
    for member in members:
        person = member.person
        for key in ("", "secret", TEST_SECRETS["SECRET_KEY"], person.email):
            guesses.add(author_pseudonym(key, dialogue.id, person.id))
        for value in (str(person.id), person.email, f"{dialogue.id}:{person.id}"):
            guesses.add(hashlib.sha256(value.encode()).hexdigest())
    assert not authors & guesses
    right = {
        author_pseudonym(TEST_SECRETS["ANON_SECRET"], dialogue.id, m.person_id) for m in members
    }
    assert authors <= right


def test_the_anonymity_secret_is_nowhere_in_the_database(populated):
    everything = " ".join(dump_rows(Base.metadata.tables))
    assert TEST_SECRETS["ANON_SECRET"] not in everything


def close(round_):
    for name, value in closed_times().items():
        setattr(round_, name, value)
    Session.flush()


def test_an_open_rounds_participation_has_no_groups_and_moves_in_steps(populated, app_context):
    _, round_, _ = populated
    participation = round_participation(round_)
    assert participation.live
    assert not participation.by_department
    assert not participation.by_role_group
    assert participation.contributors % 5 == 0
    # The contributions released to the staff: here all, as the fixture writes them directly.
    assert participation.contributions == Session.scalar(
        sa.select(sa.func.count()).select_from(Contribution)
    )


def test_participation_breakdowns_suppress_small_and_derivable_groups(populated, app_context):
    _, round_, _ = populated
    close(round_)
    participation = round_participation(round_)
    rows = {row.name: row for row in participation.by_department}
    for name in ("Lille", "Tre", "Fire"):
        assert rows[name].invited is None
        assert rows[name].contributors is None
    assert rows["Stor"].contributors is not None
    shown = [row.contributors for row in participation.by_department if row.contributors]
    assert all(count >= 5 for count in shown)
    # "Fem" (5 invited, 4 contributed) is hidden, and so is the next-smallest, "Otte":
    # otherwise "Fem" would be the total minus the visible groups.
    assert rows["Fem"].contributors is None
    assert rows["Otte"].contributors is None


def test_staff_pages_show_no_names_or_addresses(populated, client):
    dialogue, round_, members = populated
    consultant = make_member(dialogue, Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    pages = [
        client.get(f"/d/{dialogue.slug}/staff/rounds/{round_.id}/"),
        client.get(f"/d/{dialogue.slug}/staff/rounds/{round_.id}/contributions"),
        client.get(f"/d/{dialogue.slug}/"),
    ]
    html = " ".join(page.get_data(as_text=True) for page in pages)
    assert all(page.status_code == 200 for page in pages)
    assert "Udfordring" in html
    for member in members:
        assert member.person.email not in html
        assert member.person.name not in html


def test_everyone_taking_part_is_not_shown_as_everyone(db_session, app_context):
    """Saying "12 invited, 12 took part" would tell of each invitee that they took part (A8)."""
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    members = [make_member(dialogue, department="Stor") for _ in range(12)]
    for member in members:
        make_contribution(round_, member, "Udfordring")
    close(round_)
    everyone = round_participation(round_)
    assert (everyone.invited, everyone.contributors, everyone.more_than) == (12, 7, True)


def test_a_count_with_enough_absent_is_exact(db_session, app_context):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    members = [make_member(dialogue, department="Stor") for _ in range(12)]
    for member in members[:7]:
        make_contribution(round_, member, "Udfordring")
    close(round_)
    participation = round_participation(round_)
    assert (participation.contributors, participation.more_than) == (7, False)
