"""Label words must be used by enough distinct authors, not merely by enough documents."""

import numpy as np
import scipy.sparse as sp

from analysis.pipeline import analyse
from analysis.report import themes_report
from analysis.themes import author_frequency
from analysis.types import Document

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


def test_themes_report_keeps_counting_rows_without_authors():
    report = themes_report(["bike lanes"] * 5 + ["bus tickets"], min_group_size=2)
    assert report["themes"][0]["label"] == "bike lanes"
