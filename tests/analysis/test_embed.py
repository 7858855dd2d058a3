"""The semantic method: embeddings group the texts, TF-IDF terms still name the themes."""

import numpy as np
import pytest

from analysis.embed import WINDOW, semantic_installed, semantic_space
from analysis.pipeline import ThemeAnalysis, analyse
from analysis.text import text_languages
from analysis.types import Document
from tests.analysis.test_themes import NAME_TEXTS, shown_words

#: Two topics, each written in Danish and in English with different words.
STRESS = [
    "Vi har alt for travlt og når ikke vores opgaver.",
    "Arbejdspresset er så stort, at flere kolleger er sygemeldt med stress.",
    "Der er ingen pauser, og jeg går hjem helt udmattet.",
    "We are overworked and there is never time to catch our breath.",
    "The workload is so heavy that colleagues are off sick with stress.",
    "I go home exhausted every day because of the pressure.",
]
COMPUTERS = [
    "IT-systemerne går ned, og det sker flere gange om ugen.",
    "Computerne er langsomme, og programmerne fryser hele tiden.",
    "Vi mister arbejdstid, fordi journalsystemet ikke virker.",
    "The computer systems crash several times a week.",
    "Our software is slow and keeps freezing during the day.",
    "We lose hours because the case management system does not work.",
]


def topic_embeddings(staff_texts, rng):
    """Vectors that put each block of ten staff texts near its own direction."""
    directions = np.eye(3, 8, dtype=np.float32)
    rows = np.repeat(directions, 10, axis=0) + rng.normal(0, 0.05, (30, 8)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def mean_similarity(space, same_topic: bool, same_language: bool) -> float:
    topic = np.repeat([0, 1], 6)
    language = np.tile(np.repeat([0, 1], 3), 2)
    pairs = (topic[:, None] == topic) == same_topic
    pairs &= (language[:, None] == language) == same_language
    pairs &= ~np.eye(12, dtype=bool)
    return float((space @ space.T)[pairs].mean())


def test_in_a_mix_of_languages_a_topic_is_closer_than_a_language(embedder):
    vectors, _tokens = embedder.embed(STRESS + COMPUTERS)
    languages = text_languages(STRESS + COMPUTERS)
    assert languages == ["da"] * 3 + ["en"] * 3 + ["da"] * 3 + ["en"] * 3
    space = semantic_space(vectors, languages)
    across_languages = mean_similarity(space, same_topic=True, same_language=False)
    across_topics = mean_similarity(space, same_topic=False, same_language=True)
    assert across_languages > across_topics + 0.2


def test_the_semantic_method_runs_on_mixed_languages(embedder):
    analysis = ThemeAnalysis(method="semantic", min_group_size=3, random_state=0)
    result = analysis.fit(STRESS + COMPUTERS).result_
    assert (analysis.method_, analysis.fallback_) == ("semantic", None)
    placed = [doc for theme in result.themes for doc in theme.member_ids]
    assert sorted(placed + list(result.unassigned)) == list(range(12))


def test_stored_embeddings_are_clustered_and_labels_are_words(staff_texts):
    embeddings = topic_embeddings(staff_texts, np.random.default_rng(0))
    analysis = ThemeAnalysis(method="semantic", random_state=0)
    result = analysis.fit(staff_texts, embeddings=embeddings).result_
    groups = {frozenset(theme.member_ids) for theme in result.themes}
    assert groups == {frozenset(range(0, 10)), frozenset(range(10, 20)), frozenset(range(20, 30))}
    assert sorted(theme.label for theme in result.themes) == [
        "IT-systemerne",
        "ledelsen, medarbejderne",
        "stress og travlhed",
    ]
    assert result.parameters["method"] == "semantic"
    assert result.parameters["method_used"] == "semantic"
    assert analysis.clusterer_.algorithm == "spectral"  # embeddings: neighbour graph


def test_a_name_from_one_author_never_labels_a_semantic_theme(staff_texts):
    """A7 whatever grouped the texts: label terms need enough distinct authors."""
    rng = np.random.default_rng(1)
    embeddings = topic_embeddings(staff_texts, rng)
    near_stress = embeddings[:6] + rng.normal(0, 0.01, embeddings[:6].shape).astype(np.float32)
    documents = [Document(f"s{i}", text, author=f"a{i}") for i, text in enumerate(staff_texts)]
    documents += [Document(f"n{i}", text, author="one") for i, text in enumerate(NAME_TEXTS)]
    result = analyse(
        documents,
        method="semantic",
        embeddings=np.vstack([embeddings, near_stress]),
        random_state=0,
    )
    named = [theme for theme in result.themes if "n0" in theme.member_ids]
    assert named, "the name texts joined a theme, so its label was at risk"
    assert "jens" not in shown_words(result).lower()
    assert "hansen" not in shown_words(result).lower()


def test_without_the_extra_the_analysis_falls_back_to_tfidf_and_says_so(
    staff_texts, without_semantic_extra
):
    assert not semantic_installed()
    analysis = ThemeAnalysis(method="semantic", random_state=0).fit(staff_texts)
    assert (analysis.method_, analysis.fallback_) == ("tfidf", "missing")
    assert analysis.result_.parameters["fallback"] == "missing"
    plain = ThemeAnalysis(random_state=0).fit(staff_texts)
    assert analysis.labels_.tolist() == plain.labels_.tolist()
    assert analysis.clusterer_.algorithm == plain.clusterer_.algorithm == "kmeans"


def test_a_model_that_fails_to_load_falls_back_to_tfidf(staff_texts, broken_model):
    analysis = ThemeAnalysis(method="semantic", random_state=0).fit(staff_texts)
    assert (analysis.method_, analysis.fallback_) == ("tfidf", "failed")
    assert len(analysis.result_.themes) == 3


def test_a_text_longer_than_the_window_is_embedded_whole_and_counted(embedder):
    sentence = "Vi har for travlt, og arbejdspresset gør os syge af stress. "
    long_text = sentence * 35
    vectors, tokens = embedder.embed([sentence, long_text, "Computerne går ned."])
    assert tokens[0] < WINDOW < tokens[1]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > 0.9 > similarity[1, 2]
    texts = [long_text] + STRESS + COMPUTERS
    analysis = ThemeAnalysis(2, method="semantic", min_group_size=3, random_state=0).fit(texts)
    assert analysis.n_windowed_ == 1
    assert analysis.result_.parameters["n_windowed"] == 1


@pytest.mark.parametrize(
    ("params", "embeddings", "message"),
    [
        ({"method": "bert"}, None, "method must be one of"),
        ({}, np.zeros((30, 4)), "only used by method='semantic'"),
        ({"method": "semantic"}, np.ones((29, 4)), "one row per document (30)"),
        ({"method": "semantic"}, np.full((30, 4), np.nan), "finite"),
    ],
)
def test_bad_semantic_input_is_refused_with_a_message(staff_texts, params, embeddings, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ThemeAnalysis(random_state=0, **params).fit(staff_texts, embeddings=embeddings)
