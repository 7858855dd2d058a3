"""The plain sentences that open a round's results (``dialogue.results.queries``)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from analysis.consensus import ItemRatings
from analysis.rankings import ItemPoints, ItemRanking, KendallW
from dialogue.results.queries import plain_summary
from rounds.results.records import ItemResult, RoundResults

PRIORITISATION = "results/_prioritisation.html"


def ranked(w: float) -> RoundResults:
    return RoundResults(
        round_id=1,
        kind="prioritisation",
        min_group_size=5,
        respondents=40,
        method="rank",
        items=(
            ItemResult("a", "Arbejdstid og trivsel", 30, ranking=ItemRanking(60, 1.5, 0.9)),
            ItemResult("b", "Digitalisering", 25, ranking=ItemRanking(40, 2.0, 0.6)),
            ItemResult("c", "Et lille punkt", None),
        ),
        order=("a", "b", "c"),
        kendall=KendallW(w, 12.0, 0.01, 40, 3),
    )


@pytest.mark.parametrize(
    ("w", "agreement"),
    [
        (0.7, "i høj grad enig"),
        (0.4, "nogenlunde enig"),
        (0.15, "kun lidt enig"),
        (0.05, "ikke enig"),
    ],
)
def test_a_ranking_names_the_first_item_and_the_agreement_in_words(app, w, agreement):
    with app.test_request_context(), force_locale("da"):
        summary = plain_summary(ranked(w), PRIORITISATION)
    assert summary.startswith(
        "Samlet set kom “Arbejdstid og trivsel” først, foran “Digitalisering”."
    )
    assert agreement in summary
    assert "Kendall" not in summary


def test_points_and_ratings_name_the_leading_and_the_divided_item(app):
    points = RoundResults(
        1,
        "prioritisation",
        5,
        20,
        method="points",
        budget=100,
        items=(
            ItemResult("a", "Ledelse", 20, points=ItemPoints(600, 30, 0.3)),
            ItemResult("b", "Økonomi", 20, points=ItemPoints(900, 45, 0.45)),
        ),
    )
    ratings = RoundResults(
        1,
        "consultation",
        5,
        20,
        items=(
            ItemResult(
                "a",
                "Åbenhed",
                20,
                ratings=ItemRatings(20, 4.2, 4, 1, 0.85, 0.05),
                verdict="consensus",
            ),
            ItemResult(
                "b",
                "Ansvar",
                20,
                ratings=ItemRatings(20, 3.0, 3, 3, 0.45, 0.45),
                verdict="dissensus",
            ),
        ),
    )
    with app.test_request_context(), force_locale("da"):
        assert (
            plain_summary(points, PRIORITISATION)
            == "“Økonomi” fik flest point: 45 % af alle givne point."
        )
        assert plain_summary(ratings, "results/_ratings.html") == (
            "“Åbenhed” fik de højeste vurderinger: 85 % svarede 4 eller 5."
            " Meningerne var delte om “Ansvar”."
        )


def test_nothing_is_summed_up_while_hidden_or_for_open_text(app):
    hidden = RoundResults(1, "prioritisation", 5, None, method="rank")
    with app.test_request_context(), force_locale("da"):
        assert plain_summary(hidden, PRIORITISATION) == ""
        open_text = RoundResults(1, "challenges", 5, 40, comments=120)
        assert plain_summary(open_text, "results/_participation.html") == ""
