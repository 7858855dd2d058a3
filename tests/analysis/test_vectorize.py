import numpy as np
import pytest

from analysis.vectorize import TermVectorizer, adaptive_document_frequency


def test_feature_names_are_the_most_frequent_surface_forms(staff_texts):
    vectorizer = TermVectorizer("da").fit(staff_texts)
    names = set(vectorizer.feature_names_)
    assert {"ledelsen", "medarbejderne", "systemerne", "stress"} <= names
    assert "medarbejd" not in names  # the stem itself never shows
    assert vectorizer.vocabulary_["medarbejd"] == list(vectorizer.feature_names_).index(
        "medarbejderne"
    )


def test_bigrams_of_adjacent_content_words_are_features():
    texts = ["minimum wage for workers", "raise the minimum wage", "minimum wage now"]
    vectorizer = TermVectorizer("en").fit(texts)
    assert "minimum wage" in set(vectorizer.feature_names_)


def test_rows_are_unit_length_with_sublinear_term_frequency():
    vectors = TermVectorizer("en", min_df=1).fit_transform(["tax tax tax tax cut", "tax cut"])
    norms = np.sqrt(vectors.multiply(vectors).sum(axis=1)).A.ravel()
    assert norms == pytest.approx([1, 1], abs=1e-6)
    # sublinear: four times "tax" weighs 1 + ln 4, not 4 times as much as "cut"
    assert vectors[0].toarray().max() / vectors[0].toarray()[vectors[0].toarray() > 0].min() < 3


def test_transform_matches_fit_transform_and_ignores_unknown_terms(staff_texts):
    vectorizer = TermVectorizer("da")
    fitted = vectorizer.fit_transform(staff_texts)
    again = vectorizer.transform(staff_texts[:5] + ["helt ukendte ord her"])
    assert abs(again[:5] - fitted[:5]).max() < 1e-6
    assert again[5].nnz == 0


def test_document_frequency_limits_adapt_to_corpus_size():
    assert adaptive_document_frequency(30) == (2, 1.0)
    assert adaptive_document_frequency(5_000) == (2, 0.5)
    assert adaptive_document_frequency(1_000_000) == (100, 0.5)


def test_corpus_without_shared_terms_gives_a_matrix_without_columns():
    vectors = TermVectorizer("da").fit_transform(["og det er", "123 456", "!!!"])
    assert vectors.shape == (3, 0)


def test_document_frequency_counts_texts_not_occurrences():
    vectorizer = TermVectorizer("en", min_df=1).fit(["tax tax tax", "tax cut", "cut"])
    df = dict(zip(vectorizer.feature_names_, vectorizer.document_frequency_, strict=True))
    assert df["tax"] == 2
    assert df["cut"] == 2


def test_chunk_size_changes_nothing_in_the_fitted_matrix(staff_texts):
    """The count matrix is built a chunk at a time; pairs met in later chunks get new ids."""
    whole = TermVectorizer("da")
    expected = whole.fit_transform(staff_texts)
    chunked = TermVectorizer("da", chunk_size=7)
    vectors = chunked.fit_transform(staff_texts)
    assert chunked.vocabulary_ == whole.vocabulary_
    assert np.array_equal(chunked.document_frequency_, whole.document_frequency_)
    assert vectors.has_sorted_indices
    assert (vectors != expected).nnz == 0
    assert (chunked.transform(staff_texts) != expected).nnz == 0
