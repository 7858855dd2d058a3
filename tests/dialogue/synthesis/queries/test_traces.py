"""My input follows answers about items to the values they concern, and shows decisions.

A ranking is one contribution about several items: it is in no theme, so its path runs through
its items (``theme:N`` reaches the proposals of that theme, ``proposal:N`` that proposal, a typed
item its namesake). The consultant's decision on a theme reaching no value is shown to the
theme's authors, reason included, in place of a guess why.
"""

from __future__ import annotations

from dialogue.core.models import RoundKind
from dialogue.core.models.proposal import CoverageStatus
from dialogue.synthesis.services.coverage import mark_coverage
from tests.dialogue.synthesis.views.test_reading import _final, _participant_login
from tests.factories import make_contribution, make_round
from tests.rounds.factories import closed_times

NOT_REACHED = "har ikke nået en endelig værdi"


def _ranking_round(case, items):
    return make_round(
        case.dialogue,
        RoundKind.PRIORITISATION,
        settings={"method": "rank", "items": items},
        **closed_times(),
    )


def test_a_ranked_theme_is_followed_to_the_value_it_became(case, client):
    value = _final(case, title="Trivsel")
    round_ = _ranking_round(
        case,
        [
            {"key": f"theme:{case.themes['big'].id}", "label": "Arbejdsmiljø"},
            {"key": "parkering", "label": "Parkering"},
            {"key": "trivsel-typed", "label": "trivsel"},
        ],
    )
    ranking = make_contribution(round_, case.people[11], "")
    ranking.data = {"method": "rank", "ranking": ["parkering", f"theme:{case.themes['big'].id}"]}
    _participant_login(client, case.people[11])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    section = page.split("<h2>Prioritisation</h2>")[1]
    assert "Om “Arbejdsmiljø”:" in section
    assert f'/values/{value.id}">“Trivsel”</a>' in section
    assert "Om “Parkering”:" in section
    assert "det har ikke ført til en værdi eller et forslag." in section
    assert "Ikke placeret i et tema" not in section
    assert NOT_REACHED not in section


def test_an_item_typed_with_a_values_name_reaches_that_value(case, client):
    value = _final(case, title="Trivsel")
    round_ = _ranking_round(case, [{"key": "trivsel", "label": " trivsel "}])
    ranking = make_contribution(round_, case.people[11], "")
    ranking.data = {"method": "rank", "ranking": ["trivsel"]}
    _participant_login(client, case.people[11])
    section = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert f'/values/{value.id}">“Trivsel”</a>' in section.split("<h2>Prioritisation</h2>")[1]


def test_the_authors_of_a_marked_theme_see_the_decision_and_its_reason(case, client):
    _final(case)
    mark_coverage(
        case.dialogue,
        theme_id=case.themes["small"].id,
        status=CoverageStatus.ADDRESSED_ELSEWHERE,
        reason="Budgetprocessen",
        actor_id=None,
    )
    _participant_login(client, case.people[9])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Konsulentens beslutning om temaet “Parkering”:" in page
    assert "<strong>Håndteret andetsteds</strong>: Budgetprocessen" in page
    assert NOT_REACHED not in page
    _participant_login(client, case.people[11])  # the lonely text: in no marked theme
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Budgetprocessen" not in page
    assert NOT_REACHED in page
