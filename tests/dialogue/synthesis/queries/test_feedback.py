"""A published free-text round feeds its accepted themes back: results, public and next round pages.

The themes are found by the real analysis run and edited with the workbench's own services, as
a consultant would; the pages are read through the test client.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from analysis.name_fit import fits_name
from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Membership, Round, RoundKind
from dialogue.core.models.proposal import ProposalKind
from dialogue.core.results_cache.codec import decode, encode
from dialogue.core.results_cache.final import finalise
from dialogue.core.results_cache.store import reading_stored
from dialogue.synthesis.queries.feedback import round_themes
from dialogue.synthesis.services.proposals import create_proposal
from dialogue.synthesis.services.publishing import publish_for_consultation
from dialogue.workbench.services import edits as services
from rounds.lifecycle.editing import set_published
from rounds.theme_run.reading import list_active_themes
from rounds.theme_run.running import run_analysis
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.dialogue.workbench.corpus import IT, LEADERSHIP, STAFF_TEXTS, STRESS, make_analysed_world
from tests.dialogue.workbench.test_views import log_in
from tests.factories import make_member, make_round
from tests.rounds.factories import ITEMS, author_of, closed_times

K = 5


def closed_world(texts=STAFF_TEXTS, **dialogue_values):
    """``make_analysed_world`` with its round closed a day ago."""
    dialogue, round_, consultant, contributions = make_analysed_world(
        texts, language="da", min_group_size=K, **dialogue_values
    )
    for name, value in closed_times().items():
        setattr(round_, name, value)
    Session.flush()
    return dialogue, round_, consultant, contributions


def theme_holding(themes, text):
    """The theme whose members include the contribution with this text."""
    for theme in themes:
        bodies = {Session.get(Contribution, m.contribution_id).body for m in theme.members}
        if text in bodies:
            return theme
    raise AssertionError(f"no theme holds {text!r}")


@pytest.fixture
def themed(db_session):
    """Round 1 closed, themed by a run and edited, then published.

    Stress is accepted and described, IT renamed to a name its texts never use and accepted,
    leadership left suggested; a theme made by hand holds three texts.
    """
    dialogue, round_, consultant, contributions = closed_world(is_public=True)
    actor = consultant.person_id
    run_analysis(round_, actor_id=actor, n_themes=3, seed=0)
    themes = list_active_themes(round_)
    stress = theme_holding(themes, STAFF_TEXTS[STRESS[0]])
    it = theme_holding(themes, STAFF_TEXTS[IT[0]])
    leadership = theme_holding(themes, STAFF_TEXTS[LEADERSHIP[0]])
    assert len({stress.id, it.id, leadership.id}) == 3
    services.rename_theme(
        stress,
        label="Stress og travlhed",
        description="Mange beskriver en hverdag uden pauser.",
        actor_id=actor,
    )
    services.accept_theme(stress, actor_id=actor)
    services.rename_theme(it, label="Parkering ved rådhuset", actor_id=actor)
    services.accept_theme(it, actor_id=actor)
    small = services.create_theme(round_, label="Pauser", actor_id=actor)
    moved = [c for c in contributions if "pause" in c.body.casefold()][:3]
    services.move_contributions(round_, [c.id for c in moved], small, actor_id=actor)
    set_published(round_, True, actor_id=actor, now=utcnow())
    Session.flush()
    return (
        dialogue,
        round_,
        consultant,
        {"stress": stress, "it": it, "lead": leadership, "small": small},
    )


def results_page(client, dialogue, round_):
    response = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/results/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def theme_section(html):
    """The themes section of a page, so that other parts (e.g. the round's prompt) do not count."""
    match = re.search(r'<section class="theme-feedback".*?</section>', html, re.S)
    assert match, "the page shows no themes"
    return match.group(0)


def quotes_in(section):
    return [q.strip() for q in re.findall(r"<blockquote>(.*?)</blockquote>", section, re.S)]


def test_participants_see_the_accepted_themes_with_sizes_descriptions_and_fitting_quotes(
    client, themed
):
    dialogue, round_, _consultant, themes = themed
    log_in_participant(client, make_member(dialogue))
    section = theme_section(results_page(client, dialogue, round_))

    assert "Stress og travlhed" in section
    assert "Mange beskriver en hverdag uden pauser." in section
    stress_size = len(themes["stress"].members)
    assert f"{stress_size} tekster" in section
    assert "Parkering ved rådhuset" in section
    # Suggested by the run but never accepted: not shown.
    assert themes["lead"].label not in section
    assert "Ledelsen" not in section
    # Three texts by three people: the name shows, its size does not, and it is quoted from never.
    assert "Pauser" in section
    assert "færre end 5 personer skrev om dette" in section

    quotes = quotes_in(section)
    assert quotes, "a theme of ten authors is quoted"
    stress_texts = {
        Session.get(Contribution, m.contribution_id).body for m in themes["stress"].members
    }
    for quote in quotes:
        assert (
            quote in stress_texts
        )  # only the stress theme's texts fit a name they are shown under
        assert fits_name(quote, "Stress og travlhed", "da")
    assert len(set(quotes)) == len(quotes)
    # The IT theme is large enough to quote, but none of its texts fit the name it was given.
    it_texts = {Session.get(Contribution, m.contribution_id).body for m in themes["it"].members}
    assert not it_texts & set(quotes)


def test_after_a_theme_is_edited_a_page_leaves_the_counting_to_a_job(app, themed, monkeypatch):
    _dialogue, round_, _consultant, themes = themed
    asked = []
    monkeypatch.setattr(
        "dialogue.core.results_cache.final.finalise_later", lambda round_: asked.append(round_.id)
    )
    with app.test_request_context():
        assert "Stress og travlhed" in round_themes(round_).names
        services.rename_theme(themes["stress"], label="Travlhed", actor_id=None)
        with reading_stored():  # a page
            fed = round_themes(round_)
        assert fed.pending
        assert fed.names == []  # never the themes as they were
        assert asked == [round_.id]
        finalise(round_)  # the closed round's job
        with reading_stored():
            fed = round_themes(round_)
        assert not fed.pending
        assert "Travlhed" in fed.names
        assert "Stress og travlhed" not in fed.names


def test_nothing_shows_before_publication_but_staff_check_it_first(client, themed):
    dialogue, round_, consultant, _themes = themed
    set_published(round_, False, actor_id=None, now=utcnow())
    Session.flush()
    log_in(client, consultant)
    assert "Stress og travlhed" in theme_section(results_page(client, dialogue, round_))
    assert "Stress og travlhed" not in client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)


def test_the_public_page_shows_the_same_themes(client, themed):
    dialogue, _round, _consultant, themes = themed
    html = client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    section = theme_section(html)
    assert "<h5" in section  # under the round's h3 and its results' h4
    assert "Stress og travlhed" in section
    assert themes["lead"].label not in section
    assert "færre end 5 personer skrev om dette" in section
    assert quotes_in(section)
    english = theme_section(client.get(f"/p/{dialogue.slug}/en/").get_data(as_text=True))
    assert "The themes we found" in english
    assert "fewer than 5 people wrote about this" in english


def test_a_theme_below_the_quote_threshold_shows_its_size_but_no_quote(client, db_session):
    texts = [STAFF_TEXTS[i] for i in STRESS] + [STAFF_TEXTS[i] for i in IT]
    dialogue, round_, consultant, contributions = closed_world(texts)
    theme = services.create_theme(round_, label="Stress og travlhed", actor_id=consultant.person_id)
    few = contributions[: VERBATIM_MIN_AUTHORS - 1]
    services.move_contributions(round_, [c.id for c in few], theme, actor_id=consultant.person_id)
    set_published(round_, True, actor_id=None, now=utcnow())
    Session.flush()
    log_in_participant(client, make_member(dialogue))
    section = theme_section(results_page(client, dialogue, round_))
    assert f"{VERBATIM_MIN_AUTHORS - 1} tekster" in section
    assert not quotes_in(section)


def test_the_next_round_recalls_the_themes_and_links_to_the_results(client, themed):
    dialogue, round_, _consultant, themes = themed
    culture = make_round(dialogue, RoundKind.CULTURE, settings={"items": ITEMS})
    participant = make_member(dialogue)
    log_in_participant(client, participant)
    html = client.get(f"/d/{dialogue.slug}/rounds/{culture.id}/").get_data(as_text=True)
    recall = re.search(r'<section class="recall".*?</section>', html, re.S).group(0)
    assert "I sidste runde fandt vi disse temaer:" in recall
    assert "<li>Stress og travlhed</li>" in recall
    assert themes["lead"].label not in recall
    assert f'href="/d/{dialogue.slug}/rounds/{round_.id}/results/"' in recall


def test_the_next_round_recalls_nothing_before_publication(client, themed):
    dialogue, round_, _consultant, _themes = themed
    set_published(round_, False, actor_id=None, now=utcnow())
    culture = make_round(dialogue, RoundKind.CULTURE, settings={"items": ITEMS})
    Session.flush()
    log_in_participant(client, make_member(dialogue))
    html = client.get(f"/d/{dialogue.slug}/rounds/{culture.id}/").get_data(as_text=True)
    assert 'class="recall"' not in html
    assert "Stress og travlhed" not in html


@pytest.fixture
def consulted(db_session):
    """A closed consultation of two drafts: thirty rated comments split over them, themed."""
    dialogue, _r, consultant, _c = closed_world([], is_public=True)
    round_ = make_round(dialogue, RoundKind.CONSULTATION)
    drafts = [
        create_proposal(dialogue, kind=ProposalKind.VALUE, title=title, actor_id=None)
        for title in ("Arbejdsglæde", "Digital sammenhæng")
    ]
    publish_for_consultation(drafts, round_, actor_id=None)
    for number, text in enumerate(STAFF_TEXTS):
        Session.add(
            Contribution(
                round=round_,
                author=author_of(make_member(dialogue)),
                body=text,
                target=drafts[number % 2].item_key,
                data={"rating": 4},
                created_on=round_.opens_at.date(),
            )
        )
    for name, value in closed_times().items():
        setattr(round_, name, value)
    Session.flush()
    key = drafts[0].item_key
    run_analysis(round_, part=key, actor_id=consultant.person_id, n_themes=2, seed=0)
    accepted, *others = sorted(list_active_themes(round_, key), key=lambda t: -len(t.members))
    services.rename_theme(accepted, label="Kommentarernes hovedtema", actor_id=consultant.person_id)
    services.accept_theme(accepted, actor_id=consultant.person_id)
    set_published(round_, True, actor_id=None, now=utcnow())
    Session.flush()
    return dialogue, round_, consultant, drafts, accepted, others


def test_consultation_results_show_the_themes_of_each_values_comments(client, consulted):
    dialogue, round_, consultant, drafts, accepted, others = consulted
    log_in_participant(client, make_member(dialogue))
    pages = [results_page(client, dialogue, round_)]
    pages.append(client.get(f"/p/{dialogue.slug}/").get_data(as_text=True))
    log_in(client, consultant)
    pages.append(results_page(client, dialogue, round_))
    shown = f"Kommentarernes hovedtema ({len(accepted.members)} tekster)"
    for html in pages:
        assert '<th scope="col">Temaer i kommentarerne</th>' in html
        row = re.search(r'<th scope="row">Arbejdsglæde</th>.*?</tr>', html, re.S).group(0)
        assert shown in row
        for theme in others:  # suggested only
            assert f"{theme.label} (" not in row
        other_row = re.search(r'<th scope="row">Digital sammenhæng</th>.*?</tr>', html, re.S)
        assert "Kommentarernes hovedtema" not in other_row.group(0)
    for html in pages[:2]:  # comments stay with the consultant: no quotes, no other texts
        assert "<blockquote>" not in html
        assert 'class="theme-feedback"' not in html
        assert STAFF_TEXTS[0] not in html
    proposal = client.get(f"/d/{dialogue.slug}/proposals/{drafts[0].id}")
    assert proposal.status_code == 200
    assert shown in proposal.get_data(as_text=True)
    other = client.get(f"/d/{dialogue.slug}/proposals/{drafts[1].id}").get_data(as_text=True)
    assert "Temaer i kommentarerne" not in other


def test_a_round_asking_again_shows_each_items_accepted_themes_beside_it(client, consulted):
    dialogue, round_, consultant, drafts, accepted, others = consulted
    again = make_round(
        dialogue,
        RoundKind.CONSULTATION,
        settings={"items": round_.settings["items"], "repeat_of": round_.id},
    )
    member_id = make_member(dialogue).id
    log_in_participant(client, Session.get(Membership, member_id))
    html = client.get(f"/d/{dialogue.slug}/rounds/{again.id}/").get_data(as_text=True)
    item = html.split("<legend>Arbejdsglæde</legend>")[1].split("</fieldset>")[0]
    assert "Temaer i kommentarerne og begrundelserne sidst:" in item
    assert f"Kommentarernes hovedtema ({len(accepted.members)} tekster)" in item
    assert item.index("Kommentarernes hovedtema") < item.index('type="radio"')  # read, then answer
    for theme in others:  # suggested only
        assert theme.label not in html
    other = html.split("<legend>Digital sammenhæng</legend>")[1].split("</fieldset>")[0]
    assert "Temaer i kommentarerne" not in other
    assert "<blockquote>" not in html  # comments stay with the consultant: no quotes
    assert STAFF_TEXTS[0] not in html

    set_published(Session.get(Round, round_.id), False, actor_id=None, now=utcnow())
    Session.flush()
    html = client.get(f"/d/{dialogue.slug}/rounds/{again.id}/").get_data(as_text=True)
    assert "Kommentarernes hovedtema" not in html  # not before the results are published


def test_quotes_never_repeat_a_text_in_other_words(client, db_session):
    same = [
        "Stress og travlhed hver eneste dag.",
        "stress og travlhed hver eneste dag!",
        "Stress, og travlhed, hver eneste dag",
        "STRESS og travlhed hver eneste dag …",
        "Stress og travlhed hver eneste dag",
        "Stress og travlhed hver eneste dag.. ",
        "Stress og travlhed hver eneste dag?",
        "Stress og travlhed – hver eneste dag.",
    ]
    other = ["Travlheden betyder, at kvaliteten af arbejdet falder."] * 2
    dialogue, round_, consultant, contributions = closed_world(same + other)
    theme = services.create_theme(round_, label="Stress og travlhed", actor_id=consultant.person_id)
    services.move_contributions(
        round_, [c.id for c in contributions], theme, actor_id=consultant.person_id
    )
    set_published(round_, True, actor_id=None, now=utcnow())
    Session.flush()
    log_in_participant(client, make_member(dialogue))
    quotes = quotes_in(theme_section(results_page(client, dialogue, round_)))
    assert len(quotes) == 2
    assert sum("kvaliteten" in quote for quote in quotes) == 1


def test_the_workbench_flags_quotes_that_do_not_fit_the_name_and_says_what_accepting_does(
    client, themed
):
    dialogue, round_, consultant, themes = themed
    log_in(client, consultant)
    html = client.get(f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/").get_data(as_text=True)
    cards = {
        label: re.search(
            rf"<article class=\"card\">\s*<h3><a [^>]*>{label}</a>.*?</article>", html, re.S
        ).group(0)
        for label in ("Parkering ved rådhuset", "Stress og travlhed", themes["lead"].label)
    }
    flag = "Teksten har intet ord til fælles med temaets navn"
    assert "<blockquote>" in cards["Parkering ved rådhuset"]
    assert cards["Parkering ved rådhuset"].count(flag) == cards["Parkering ved rådhuset"].count(
        "<blockquote>"
    )
    assert flag not in cards["Stress og travlhed"]
    assert "Vises for deltagerne og offentligheden" in cards["Stress og travlhed"]
    assert "Godkend temaet for at vise det" in cards[themes["lead"].label]


def test_a_culture_rounds_strengths_and_weaknesses_are_fed_back_apart_in_the_readers_language(
    app, client, db_session
):
    dialogue, _r, consultant, _c = closed_world([], is_public=True)
    round_ = make_round(dialogue, RoundKind.CULTURE, settings={"items": ITEMS}, **closed_times())
    for aspect, texts in (("strength", STAFF_TEXTS[:20]), ("weakness", STAFF_TEXTS[10:])):
        for number, text in enumerate(texts):
            Session.add(
                Contribution(
                    round=round_,
                    author=author_of(make_member(dialogue)),
                    body=text,
                    target=ITEMS[number % 4]["key"],
                    data={"aspect": aspect},
                    created_on=round_.opens_at.date(),
                )
            )
    Session.flush()
    for part in ("strength", "weakness"):
        run_analysis(round_, part=part, actor_id=consultant.person_id, n_themes=2, seed=0)
        for theme in list_active_themes(round_, part):
            services.accept_theme(theme, actor_id=consultant.person_id)
    set_published(round_, True, actor_id=None, now=utcnow())
    Session.flush()
    danish = theme_section(client.get(f"/p/{dialogue.slug}/").get_data(as_text=True))
    english = theme_section(client.get(f"/p/{dialogue.slug}/en/").get_data(as_text=True))
    assert "<h6>En styrke ved vores kultur</h6>" in danish
    assert "<h6>En svaghed</h6>" in danish
    assert "<h6>A strength of our culture</h6>" in english
    assert "<h6>A weakness</h6>" in english
    # As stored with the round's results: the part's name still follows the reader's language.
    with app.test_request_context(), force_locale("en"):
        stored = decode(encode(round_themes(round_)))
    with app.test_request_context(), force_locale("da"):
        assert [str(part.label) for part in stored.parts] == [
            "En styrke ved vores kultur",
            "En svaghed",
        ]
