"""Each kind puts a stored answer into words for its author's "my input" page."""

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from tests.factories import make_dialogue
from tests.rounds.factories import answer, author_of, make_item_round, participants


def own_descriptions(round_, membership):
    kind = get_kind(round_.kind)
    rows = Session.scalars(
        select(Contribution).where(
            Contribution.round_id == round_.id, Contribution.author == author_of(membership)
        )
    )
    return [kind.describe(round_, row) for row in rows]


def test_a_ranking_reads_as_places_with_item_names(request_context):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rank", places=2)
    (member,) = participants(dialogue, 1)
    answer(round_, member, ["samarbejde", "arbejdsmiljo"], other="Husk ældreplejen")
    assert own_descriptions(round_, member) == [
        ["1. Samarbejde", "2. Arbejdsmiljø", "Husk ældreplejen"]
    ]


def test_a_consultation_answer_names_the_value_and_the_rating(request_context):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    (member,) = participants(dialogue, 1)
    answer(round_, member, {"digitalisering": (5, "Godt forslag")})
    lines = own_descriptions(round_, member)
    assert len(lines) == 1
    assert lines[0][0].startswith("Digitalisering: ")
    assert lines[0][1] == "Godt forslag"
