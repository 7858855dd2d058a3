import numpy as np
import scipy.sparse as sp

from analysis.pipeline import ThemeAnalysis
from analysis.themes import class_tfidf, describe_themes, top_terms


def test_class_tfidf_ranks_terms_typical_of_each_theme():
    vectors = sp.csr_matrix(np.array([[1, 1, 0, 1], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 1]]))
    scores = class_tfidf(vectors, np.array([0, 0, 1, 1]), 2)
    assert scores.argmax(axis=1).tolist() == [1, 2]
    assert scores[0, 1] > scores[0, 0]  # a term in every theme ranks below a typical one


def test_top_terms_never_shows_terms_that_are_not_public():
    names = np.array(["jens hansen", "jens", "stress"])
    terms = top_terms(np.array([9.0, 8.0, 1.0]), names, np.array([False, False, True]), 5)
    assert terms == ["stress"]


def test_representatives_are_the_members_closest_to_the_centre():
    vectors = sp.csr_matrix(np.ones((6, 1)))
    similarity = np.array([0.1, 0.9, 0.5, 0.7, 0.3, 0.8])
    (theme,) = describe_themes(
        vectors,
        np.zeros(6, int),
        similarity,
        np.array(["it"]),
        list("abcdef"),
        public=np.array([True]),
        n_representatives=3,
    )
    assert theme.representative_ids == ("b", "f", "d")
    assert theme.member_ids == ("b", "f", "d", "c", "e", "a")
    assert theme.scores == (0.9, 0.8, 0.7, 0.5, 0.3, 0.1)


def test_a_name_in_few_texts_never_reaches_a_public_label(staff_texts):
    planted = list(staff_texts)
    for row in (0, 1, 2):  # the name would be the most typical word of the stress theme
        planted[row] += " Det sagde Søren Kierkegaardsen også."
    public = ThemeAnalysis(random_state=0).fit(planted).result_.themes
    shown = " ".join(theme.label + " " + " ".join(theme.top_terms) for theme in public)
    assert "kierkegaardsen" not in shown
    assert "søren" not in shown
    lax = ThemeAnalysis(min_group_size=2, random_state=0).fit(planted).result_.themes
    assert any("kierkegaardsen" in " ".join(theme.top_terms) for theme in lax)


def test_a_name_in_a_single_text_never_reaches_a_label(staff_texts):
    planted = list(staff_texts)
    planted[5] = "Jens Bramsenhøj er skyld i al den stress og travlhed"
    for min_group_size in (1, 5):
        themes = ThemeAnalysis(min_group_size=min_group_size, random_state=0).fit(planted)
        shown = [term for theme in themes.result_.themes for term in theme.top_terms]
        assert not any("bramsenhøj" in term for term in shown)
