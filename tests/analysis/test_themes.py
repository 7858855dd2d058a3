import numpy as np
import scipy.sparse as sp

from analysis.pipeline import ThemeAnalysis, analyse
from analysis.themes import author_frequency, class_tfidf, describe_themes, top_terms
from analysis.types import Document


def test_class_tfidf_ranks_terms_typical_of_each_theme():
    vectors = sp.csr_matrix(np.array([[1, 1, 0, 1], [1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 1, 1]]))
    scores = class_tfidf(vectors, np.array([0, 0, 1, 1]), 2)
    assert scores.argmax(axis=1).tolist() == [1, 2]
    assert scores[0, 1] > scores[0, 0]  # a term in every theme ranks below a typical one


def test_top_terms_never_shows_terms_that_are_not_public():
    names = np.array(["jens hansen", "jens", "stress"])
    terms = top_terms(np.array([9.0, 8.0, 1.0]), names, np.array([False, False, True]), 5)
    assert terms == ["stress"]


def test_representatives_start_at_the_centre_and_cover_the_theme_without_repeats():
    # Three members say the same thing (two word for word, one nearly); two others differ.
    vectors = sp.csr_matrix(
        np.array([[1, 0, 0], [1, 0, 0], [0.99, 0.14, 0], [0.6, 0.8, 0], [0.6, 0, 0.8]])
    )
    texts = ["Mere tid!", "mere tid", "Mere tid, tak", "Mere ro", "Mere løn"]
    (theme,) = describe_themes(
        vectors,
        np.zeros(5, int),
        np.array([0.95, 0.95, 0.94, 0.7, 0.6]),
        np.array(["tid", "ro", "løn"]),
        list("abcde"),
        public=np.ones(3, bool),
        n_representatives=3,
        texts=texts,
    )
    assert theme.representative_ids == ("a", "d", "e")
    assert theme.member_ids == ("a", "b", "c", "d", "e")
    assert theme.scores == (0.95, 0.95, 0.94, 0.7, 0.6)


def test_a_near_duplicate_group_gives_one_quote_however_low_the_threshold():
    vectors = sp.csr_matrix(np.array([[1.0, 0], [0.8, 0.6], [0, 1.0]]))
    (theme,) = describe_themes(
        vectors,
        np.zeros(3, int),
        np.array([0.9, 0.8, 0.5]),
        np.array(["tid", "ro"]),
        list("abc"),
        public=np.ones(2, bool),
        duplicate_groups=[np.array([0, 1])],
    )
    assert theme.representative_ids == ("a", "c")


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


# --- label words must be used by enough distinct authors, not merely by enough documents ---


NAME_TEXTS = [f"Jens Hansen gør arbejdsdagen svær, nummer {n}." for n in "abcdef"]


def shown_words(result):
    return " ".join(" ".join([theme.label, *theme.top_terms]) for theme in result.themes)


def test_a_name_written_by_one_author_six_times_is_never_shown(staff_texts):
    documents = [Document(f"s{i}", text, author=f"a{i}") for i, text in enumerate(staff_texts)]
    documents += [Document(f"n{i}", text, author="one") for i, text in enumerate(NAME_TEXTS)]
    result = analyse(documents, random_state=0)
    assert "jens" not in shown_words(result).lower()
    assert "hansen" not in shown_words(result).lower()


def test_the_same_name_from_six_authors_may_be_shown(staff_texts):
    documents = [Document(f"s{i}", text, author=f"a{i}") for i, text in enumerate(staff_texts)]
    documents += [Document(f"n{i}", text, author=f"b{i}") for i, text in enumerate(NAME_TEXTS)]
    assert "hansen" in shown_words(analyse(documents, random_state=0)).lower()


def test_documents_without_authors_count_as_their_own(staff_texts):
    plain = analyse(staff_texts + NAME_TEXTS, random_state=0)
    own = [Document(i, text) for i, text in enumerate(staff_texts + NAME_TEXTS)]
    assert shown_words(plain) == shown_words(analyse(own, random_state=0))


def test_author_frequency_counts_each_author_once_per_term():
    vectors = sp.csr_matrix(np.array([[2.0, 0, 1], [1, 1, 0], [3, 0, 0], [0, 0, 1]]))
    counts = author_frequency(vectors, ["x", "x", None, None])
    assert counts.tolist() == [2, 1, 2]
