"""TARGETS A11: the order and the times of writes link nobody to their text.

Twenty-four participants (the target asks for 12 or more) log in by link and write one text
each, one after another, through the real app on a real database (nothing mocked, every
request committed); every other one first asks for a new link on /login/link. The adversary
then holds only the database: every table, SQLite's rowid, PostgreSQL's ctid and xmin, and
every column. It orders every table that names a person by every one of those signals, orders
the new contributions by every signal too, and pairs the two orders. It must do no better than
chance, on the live database and on the database that ``dialogue backup`` wrote, restored.

Participants log in in an order unrelated to the order they were imported in, as they do in
life; so what the import wrote (ids, names) says nothing about who logged in when, and any
pairing that beats chance comes from something written at the participant's own action.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from scipy.stats import spearmanr
from scipy.stats import t as student_t
from sqlalchemy import inspect, text

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, QuestionType, Role
from rounds.questions.setup import QuestionSpec, add_question
from tests.conftest import TEST_SECRETS, csrf_from
from tests.factories import make_round

#: Participants: more than the 12 the target asks for, so that a random order reaches the rank
#: correlation limit by chance far less often than once in a thousand comparisons.
N = 24
#: The order in which the imported participants 0..23 log in and write: fixed, so the test
#: is repeatable, and unrelated to the import order (checked below).
LOGIN_ORDER = [12, 0, 6, 9, 15, 1, 8, 18, 20, 19, 21, 16, 14, 23, 11, 3, 5, 13, 10, 4, 2, 17, 7, 22]
#: The texts written, in login order. Their alphabetical order is unrelated to the order of
#: logins and to the order of import, as real texts are; "Tekst 1", "Tekst 2" … would give the
#: adversary the login order through the text itself.
TEXTS = [
    "Kantine",
    "Udvikling",
    "Nærvær",
    "Arbejdsmiljø",
    "Hjemmearbejde",
    "Trivsel",
    "Digitalisering",
    "Samarbejde",
    "Ressourcer",
    "Faglighed",
    "Sygefravær",
    "Borgerkontakt",
    "Efteruddannelse",
    "Information",
    "Parkering",
    "Vagtplaner",
    "Ordentlighed",
    "Tillid",
    "Ledelse",
    "Anerkendelse",
    "Gennemsigtighed",
    "Mødekultur",
    "Fleksibilitet",
    "Kommunikation",
]
#: A rank correlation this strong (either way) between a person order and a text order fails;
#: see ``rho_limit``.
RHO_LIMIT = 0.7
#: More people paired with their own text than this fails; see ``pairing_limit``.
PAIRED_LIMIT = 2

LINK = re.compile(r"/link/([\w-]+)")
NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="nonce"')


def pairing_limit(comparisons: int) -> int:
    """Correct pairs that chance reaches with probability below 1 in 1,000 over all tries.

    Paired position by position, a random order gets k people right with the Poisson(1)
    probability (the fixed points of a random permutation), whatever N: more than 2 right
    happens by chance in 8 % of tries. With several tries the bar rises so that a secure
    system fails this test less than once in a thousand runs; ``PAIRED_LIMIT`` is the floor.
    """
    limit = PAIRED_LIMIT
    while (
        sum(math.exp(-1) / math.factorial(k) for k in range(limit + 1, N + 1)) * max(comparisons, 1)
        > 1e-3
    ):
        limit += 1
    return limit


def test_the_orders_the_test_chooses_are_unrelated():
    """Login order, import order and the texts' own order share nothing the adversary could use."""
    text_order = [sorted(TEXTS).index(body) for body in TEXTS]
    for first, second in (
        (range(N), LOGIN_ORDER),
        (range(N), text_order),
        (LOGIN_ORDER, text_order),
    ):
        assert abs(spearmanr(first, second).statistic) < 0.2
        assert sum(a == b for a, b in zip(first, second, strict=True)) <= 1


@pytest.fixture
def cohort(fresh_database_url, app_factory, tmp_path):
    """N invited participants (invited at once, by the admin) and an open round."""
    app = app_factory(fresh_database_url)
    migrate.upgrade(app)
    with app.app_context():
        dialogue = Dialogue(slug="ordre", title="Ordre")
        Session.add(dialogue)
        people = []
        for number in range(N):
            person = Person(email=f"deltager{number:02}@example.org", name=f"Deltager {number:02}")
            Session.add(Membership(person=person, dialogue=dialogue, role=Role.PARTICIPANT))
            people.append(person)
        Session.flush()
        round_ = make_round(dialogue)
        add_question(round_, QUESTION, actor_id=None)
        tokens = [
            issue_login_link(person.memberships[0], dt.timedelta(days=7)) for person in people
        ]
        Session.commit()
        ids = [person.id for person in people]
        slug, round_id, dialogue_id = dialogue.slug, round_.id, dialogue.id
        Session.remove()
    return app, dialogue_id, slug, round_id, ids, tokens


def request_link(app, email: str) -> str:
    """Ask for a new link on /login/link, as a participant who lost theirs, and read the mail."""
    client = app.test_client()
    form = client.get("/login/link")
    response = client.post("/login/link", data={"csrf_token": csrf_from(form), "email": email})
    assert response.status_code == 302
    outbox = Path(app.config["MAIL_OUTBOX"])
    for path in outbox.glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == email:
            path.unlink()
            [link] = LINK.findall(message.get_body(preferencelist=("plain",)).get_content())
            return link
    raise AssertionError(f"no new link was mailed to {email}")


#: An extra question every participant answers after their text: its rows are content too.
QUESTION = QuestionSpec(
    QuestionType.SINGLE,
    "Hvor ofte?",
    "How often?",
    options=[("Dagligt", "Daily"), ("Ugentligt", "Weekly"), ("Sjældent", "Rarely")],
)
CHOICE = re.compile(r'type="radio" name="(q\d+)" id="[^"]*" value="(\d+)"')


def participate(app, slug, round_id, token, body):
    """One participant's visit: confirm the link, open the round, save one text, answer.

    The answer goes to the round's extra question, where it has one.
    """
    client = app.test_client()
    confirm = client.get(f"/link/{token}")
    assert confirm.status_code == 200
    assert client.post(f"/link/{token}", data={"csrf_token": csrf_from(confirm)}).status_code == 302
    page = client.get(f"/d/{slug}/rounds/{round_id}/")
    html = page.get_data(as_text=True)
    nonce = next(group for group in NONCE.search(html).groups() if group)
    response = client.post(
        f"/d/{slug}/rounds/{round_id}/contributions",
        data={"csrf_token": csrf_from(page), "nonce": nonce, "body": body},
    )
    assert response.status_code == 303
    page = client.get(f"/d/{slug}/rounds/{round_id}/")
    choices = CHOICE.findall(page.get_data(as_text=True))
    if not choices:  # a round without extra questions (the other A11 tests reuse this visit)
        return
    name, option = choices[sorted(TEXTS).index(body.split()[0]) % len(choices)]
    response = client.post(
        f"/d/{slug}/rounds/{round_id}/questions",
        data={"csrf_token": csrf_from(page), name: option},
    )
    assert response.status_code == 303


# --- the adversary ------------------------------------------------------------------------------


def _signals(connection, table: str) -> list[str]:
    """What the backend keeps about each row beyond its columns."""
    if connection.dialect.name == "postgresql":
        return ["ctid", "xmin::text::bigint"]
    try:
        connection.execute(text(f'SELECT rowid FROM "{table}" LIMIT 1'))
    except Exception:  # noqa: BLE001 - a WITHOUT ROWID table has none
        connection.rollback()
        return []
    return ["rowid"]


def read_tables(engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table, every column, and the backend's own row signals, as the adversary sees it."""
    tables = {}
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            columns = [column["name"] for column in inspect(connection).get_columns(table)]
            signals = _signals(connection, table)
            names = [*signals, *(f'"{column}"' for column in columns)]
            rows = connection.execute(text(f'SELECT {", ".join(names)} FROM "{table}"')).all()
            labels = [signal.split("::")[0] for signal in signals] + columns
            tables[table] = (labels, [tuple(_orderable(value) for value in row) for row in rows])
    return tables


def _orderable(value):
    if isinstance(value, str) and re.fullmatch(r"\(\d+,\d+\)", value):  # a ctid
        block, offset = value[1:-1].split(",")
        return (int(block), int(offset))
    return value


def _named_by(table: str, record: dict, memberships: dict, emails: dict):
    """The person a row names, if any."""
    if table == "people":
        return record["id"]
    if table == "memberships":
        return record["person_id"]
    person = memberships.get(record.get("membership_id"))
    for column in ("person_id", "actor_id"):
        person = record.get(column) or person
    for value in record.values():
        if isinstance(value, str):
            person = next((owner for email, owner in emails.items() if email in value), person)
    return person


def people_named(tables, participants: dict) -> dict[str, list]:
    """For each table naming a participant: one person per row (None when it names nobody).

    A row names a person through a person id (``person_id``, ``actor_id``, the people table's
    ``id``), a membership id, or an e-mail address held anywhere in it.
    """
    labels, rows = tables["memberships"]
    memberships = {row[labels.index("id")]: row[labels.index("person_id")] for row in rows}
    emails = {email: person for person, email in participants.items()}
    named = {}
    for table, (labels, rows) in tables.items():
        persons = []
        for row in rows:
            person = _named_by(table, dict(zip(labels, row, strict=True)), memberships, emails)
            persons.append(person if person in participants else None)
        if any(persons):
            named[table] = persons
    return named


def orderings(labels, rows):
    """Every column and signal by which the rows can be ordered: name → sort key per row."""
    for index, label in enumerate(labels):
        values = [row[index] for row in rows]
        if any(value is None for value in values) or len(set(map(repr, values))) < 2:
            continue
        try:
            sorted(values)
        except TypeError:
            continue
        yield label, values


def _ranks(keys: list) -> list[float]:
    """Ranks of ``keys`` (ties share their mean rank)."""
    order = sorted(range(len(keys)), key=lambda index: keys[index])
    ranks = [0.0] * len(keys)
    start = 0
    for end in range(1, len(order) + 1):
        if end == len(order) or keys[order[end]] != keys[order[start]]:
            for position in order[start:end]:
                ranks[position] = (start + end - 1) / 2
            start = end
    return ranks


def person_orders(tables, named):
    """For each table and signal: each participant's rank, by their first row in that order."""
    for table, persons in named.items():
        labels, rows = tables[table]
        for label, keys in orderings(labels, rows):
            first = {}
            for key, person in sorted(
                ((key, person) for key, person in zip(keys, persons, strict=True) if person),
                key=lambda pair: pair[0],
            ):
                first.setdefault(person, key)
            if len(first) >= 3:
                yield f"{table}.{label}", first


def _ids(value) -> set[str]:
    """The contribution ids a value may hold: a UUID, or text with one in it (a job's key)."""
    text_ = str(value).replace("-", "").lower()
    return set(re.findall(r"[0-9a-f]{32}", text_))


def content_orders(tables, authors):
    """For each signal of the new contributions and answers, or of a row pointing at one: ranks.

    Each author's text gets its key in that order, and so does their answer to the extra
    question (by its first row); in another table, a text counts by the first row that points
    at it (a job's key, an embedding, a member check …).
    """
    labels, rows = tables["contributions"]
    author, identity = labels.index("author"), labels.index("id")
    mine = [row for row in rows if row[author] in authors]
    writer = {next(iter(_ids(row[identity]))): authors[row[author]] for row in mine}
    for label, keys in orderings(labels, mine):
        yield (
            f"contributions.{label}",
            {authors[row[author]]: key for row, key in zip(mine, keys, strict=True)},
        )
    labels, rows = tables["question_answers"]
    author = labels.index("author")
    mine = [row for row in rows if row[author] in authors]
    for label, keys in orderings(labels, mine):
        first = {}
        for key, row in sorted(zip(keys, mine, strict=True), key=lambda pair: pair[0]):
            first.setdefault(authors[row[author]], key)
        yield f"question_answers.{label}", first
    for table, (labels, rows) in tables.items():
        if table in ("contributions", "question_answers"):
            continue
        writers = [
            next((writer[i] for value in row for i in _ids(value) if i in writer), None)
            for row in rows
        ]
        if not any(writers):
            continue
        pointing = [(row, person) for row, person in zip(rows, writers, strict=True) if person]
        for label, keys in orderings(labels, [row for row, _ in pointing]):
            first = {}
            for key, person in sorted(
                zip(keys, (person for _, person in pointing), strict=True),
                key=lambda pair: pair[0],
            ):
                first.setdefault(person, key)
            yield f"{table}.{label}", first


def attack(engine, participants: dict, authors: dict) -> list[tuple[str, str, float, int]]:
    """Pair every person order with every text order; (person order, text order, rho, right)."""
    tables = read_tables(engine)
    named = people_named(tables, participants)
    texts = list(content_orders(tables, authors))
    results = []
    seen = set()
    for person_label, person_keys in person_orders(tables, named):
        for text_label, text_keys in texts:
            common = sorted(set(person_keys) & set(text_keys))
            if len(common) < 3:
                continue
            person_ranks = _ranks([person_keys[person] for person in common])
            text_ranks = _ranks([text_keys[person] for person in common])
            if len(set(person_ranks)) < 2 or len(set(text_ranks)) < 2:
                continue
            if (tuple(person_ranks), tuple(text_ranks)) in seen:
                continue  # the same two orders under other names: one comparison
            seen.add((tuple(person_ranks), tuple(text_ranks)))
            rho = spearmanr(person_ranks, text_ranks).statistic
            # Pair the k-th person with the k-th text, forwards and backwards.
            right = max(
                sum(a == b for a, b in zip(person_ranks, text_ranks, strict=True)),
                sum(
                    a == len(common) - 1 - b for a, b in zip(person_ranks, text_ranks, strict=True)
                ),
            )
            results.append((person_label, text_label, float(rho), right, len(common)))
    return results


def rho_limit(people: int, comparisons: int) -> float:
    """A rank correlation over ``people`` that chance reaches below 1 in 1,000 over all tries.

    Orders by random values (token hashes, random ids) correlate by chance, and the more so
    the fewer people two orders share: over 12 people a |rho| of 0.72 comes up about once in
    125 tries. As for ``pairing_limit``, the bar rises with the tries (Spearman's rho through
    Student's t with people - 2 degrees of freedom), so that a secure system fails less than
    once in a thousand runs; ``RHO_LIMIT`` is the floor. A real leak, such as ids written in
    login order, gives a rho of about 1 over everyone.
    """
    limit = RHO_LIMIT
    while limit < 1:
        t_value = limit * math.sqrt((people - 2) / (1 - limit**2))
        if 2 * student_t.sf(t_value, people - 2) * max(comparisons, 1) <= 1e-3:
            break
        limit += 0.01
    return min(limit, 1.0)


def beaten(results) -> tuple[list, int]:
    """The pairings that beat chance, and the limit of correct pairs used."""
    limit = pairing_limit(2 * len(results))
    return [
        (person, text_, round(rho, 2), right)
        for person, text_, rho, right, people in results
        if abs(rho) >= rho_limit(people, len(results)) or right > limit
    ], limit


def assert_no_better_than_chance(results):
    assert results, "the adversary found nothing to compare: the test would prove nothing"
    found, limit = beaten(results)
    best_rho = max(abs(rho) for _, _, rho, _, _ in results)
    best_right = max(right for *_, right, _ in results)
    print(
        f"A11 adversary: {len(results)} distinct pairings of orders, strongest |rho| "
        f"{best_rho:.2f} (limit over all {N}: {rho_limit(N, len(results)):.2f}), most paired "
        f"right {best_right} of {N} (limit {limit})"
    )
    assert not found, f"write order links people to texts (limit {limit} pairs): {found}"


def test_write_order_links_nobody_live_and_in_the_restored_backup(cohort, tmp_path):
    app, dialogue_id, slug, round_id, ids, tokens = cohort
    for position, person in enumerate(LOGIN_ORDER):
        token = tokens[person]
        if position % 2:  # every other one lost the invitation and asks for a new link first
            token = request_link(app, f"deltager{person:02}@example.org")
        participate(app, slug, round_id, token, f"{TEXTS[position]} er vigtigst for os")
    Session.remove()
    engine = app.extensions["db_engine"]
    participants = {
        person_id: f"deltager{number:02}@example.org" for number, person_id in enumerate(ids)
    }
    authors = {
        author_pseudonym(TEST_SECRETS["ANON_SECRET"], dialogue_id, person_id): person_id
        for person_id in ids
    }
    live = attack(engine, participants, authors)
    assert_no_better_than_chance(live)
    assert any(text_.startswith("question_answers.") for _person, text_, *_rest in live)

    runner = app.test_cli_runner()
    backup_file = tmp_path / "dialogue.backup"
    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["restore", "--yes", str(backup_file)])
    assert result.exit_code == 0, result.output
    Session.remove()
    restored = attack(engine, participants, authors)
    assert len(restored) > 0
    assert_no_better_than_chance(restored)

    # The adversary does find a write order when there is one: a visit log naming people and
    # a receipt per text, both written in login order, as the old login_sessions and contribution
    # rowids were.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE planted_visits (person_id INTEGER)"))
        connection.execute(text("CREATE TABLE planted_receipts (text_id VARCHAR(40))"))
        texts = dict(
            connection.execute(
                text("SELECT author, id FROM contributions WHERE round_id = :round"),
                {"round": round_id},
            ).all()
        )
        by_person = {person: texts[author] for author, person in authors.items()}
        for person in LOGIN_ORDER:
            connection.execute(
                text("INSERT INTO planted_visits VALUES (:person)"), {"person": ids[person]}
            )
            connection.execute(
                text("INSERT INTO planted_receipts VALUES (:id)"),
                {"id": str(by_person[ids[person]])},
            )
    found, _ = beaten(attack(engine, participants, authors))
    assert any(
        person.startswith("planted_visits") and text_.startswith("planted_receipts")
        for person, text_, *_ in found
    ), found
