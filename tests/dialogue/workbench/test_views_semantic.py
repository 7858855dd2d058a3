"""The workbench's method choice: semantic when the extra is there, an explanation when not."""

import re

from tests.dialogue.workbench.test_views import log_in, post, url, world  # noqa: F401 - fixture

SEMANTIC_RADIO = re.compile(r'<input[^>]*value="semantic"[^>]*>')


def test_the_consultant_runs_the_semantic_method(client, world, embedder):  # noqa: F811
    dialogue, round_, consultant, _ = world
    log_in(client, consultant)
    page = url(dialogue, round_)
    radio = SEMANTIC_RADIO.search(client.get(page).get_data(as_text=True)).group()
    assert "disabled" not in radio
    assert "aria-describedby" not in radio

    html = post(client, page, url(dialogue, round_, "run"), seed="0", method="semantic")
    text = html.get_data(as_text=True)
    assert "The analysis found" in text
    assert "Texts were grouped by meaning." in text


def test_without_the_extra_the_option_is_unavailable_and_a_posted_choice_falls_back(
    client,
    world,  # noqa: F811
    without_semantic_extra,
):
    dialogue, round_, consultant, _ = world
    log_in(client, consultant)
    page = url(dialogue, round_)
    html = client.get(page).get_data(as_text=True)
    radio = SEMANTIC_RADIO.search(html).group()
    assert "disabled" in radio
    assert 'aria-describedby="method-hint"' in radio
    assert "its language model is not installed on this server" in html

    text = post(client, page, url(dialogue, round_, "run"), seed="0", method="semantic").get_data(
        as_text=True
    )
    assert "The analysis found 3 themes." in text
    assert "The texts were grouped by shared words instead." in text
    assert "Texts were grouped by shared words." in text


def test_an_unknown_method_is_refused_and_nothing_runs(client, world):  # noqa: F811
    dialogue, round_, consultant, _ = world
    log_in(client, consultant)
    page = url(dialogue, round_)
    response = post(client, page, url(dialogue, round_, "run"), seed="0", method="bert")
    html = response.get_data(as_text=True)
    assert "Method: Not a valid choice." in html
    assert "not been analysed" in html
