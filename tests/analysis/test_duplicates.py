import numpy as np
import scipy.sparse as sp

from analysis import duplicates
from analysis.duplicates import near_duplicate_groups
from analysis.vectorize import TermVectorizer


def test_groups_near_identical_texts_and_leaves_others_alone():
    texts = [
        "Vi har brug for bedre IT-systemer i hjemmeplejen",
        "Vi har brug for bedre IT-systemer i hjemmeplejen!",
        "vi har brug for BEDRE it-systemer i hjemmeplejen",
        "Ledelsen skal lytte mere til medarbejderne",
        "Ledelsen skal lytte til borgerne og hjemmeplejen",
        "Der er for travlt i hjemmeplejen",
    ]
    vectors = TermVectorizer("da", min_df=1).fit_transform(texts)
    assert [group.tolist() for group in near_duplicate_groups(vectors, random_state=0)] == [
        [0, 1, 2]
    ]


def test_many_identical_texts_form_one_group_and_empty_rows_none():
    vectors = sp.vstack([sp.csr_matrix(np.array([[0.6, 0.8, 0]]))] * 500 + [sp.csr_matrix((3, 3))])
    groups = near_duplicate_groups(vectors, random_state=1)
    assert len(groups) == 1
    assert len(groups[0]) == 500


def test_threshold_separates_similar_from_near_identical():
    vectors = sp.csr_matrix(np.array([[1.0, 0], [0.8, 0.6], [0.8, 0.6]]))  # cosine(0, 1) = 0.8
    assert [g.tolist() for g in near_duplicate_groups(vectors, random_state=0)] == [[1, 2]]


def test_working_in_small_steps_finds_the_same_groups(staff_texts, monkeypatch):
    """Steps of rows and pairs, which bound memory, never split or join a group."""
    texts = [text for text in staff_texts for _ in range(3)] + [""] * 4
    vectors = TermVectorizer("da").fit_transform(texts[:45] + texts[-4:] + texts[45:-4])
    expected = near_duplicate_groups(vectors, random_state=2)
    monkeypatch.setattr(duplicates, "_STEP", 4)
    stepped = near_duplicate_groups(vectors, random_state=2)
    assert len(expected) >= 30
    assert [group.tolist() for group in stepped] == [group.tolist() for group in expected]
