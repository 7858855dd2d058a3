import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.pipeline import SKIPPED, ThemeAnalysis, analyse
from analysis.types import Document


def assert_every_document_once(result, documents):
    placed = [doc for theme in result.themes for doc in theme.member_ids]
    placed += list(result.unassigned) + list(result.skipped)
    assert sorted(placed, key=str) == sorted((doc.id for doc in documents), key=str)


def test_finds_labelled_themes_and_keeps_ids(staff_texts):
    documents = [Document(f"c{row}", text) for row, text in enumerate(staff_texts)]
    result = analyse(documents, random_state=0)
    assert sorted(theme.label for theme in result.themes) == [
        "IT-systemerne",
        "ledelsen, medarbejderne",
        "stress og travlhed",
    ]
    assert result.language == "da"
    assert_every_document_once(result, documents)
    assert all(set(theme.representative_ids) <= set(theme.member_ids) for theme in result.themes)


def test_same_seed_same_result_and_parameters_recorded(staff_texts):
    first = analyse(staff_texts, random_state=7)
    assert first == analyse(staff_texts, random_state=7)
    assert first.parameters["random_state"] == 7
    assert first.parameters["detected_language"] == "da"


def test_progress_is_reported_for_each_stage(staff_texts):
    stages = []
    ThemeAnalysis(random_state=0).fit(staff_texts, progress=lambda s, d, t: stages.append(s))
    assert {"vectorise", "reduce", "choose themes", "cluster", "describe", "duplicates"} <= set(
        stages
    )


def test_near_duplicates_are_grouped_by_document_id(staff_texts):
    texts = staff_texts + [staff_texts[3] + "!"]
    result = analyse(texts, random_state=0)
    assert (3, len(staff_texts)) in result.duplicate_groups


@pytest.mark.parametrize(
    ("documents", "message"),
    [([], "empty"), ([None, "", "   "], "content"), ([12, 13], "content")],
)
def test_impossible_input_raises_a_clear_value_error(documents, message):
    with pytest.raises(ValueError, match=message):
        analyse(documents)


@pytest.mark.parametrize(("option", "value"), [("language", "de"), ("n_themes", 0)])
def test_invalid_parameters_raise_value_error(staff_texts, option, value):
    with pytest.raises(ValueError, match=option):
        analyse(staff_texts, **{option: value})


def test_five_texts_give_at_most_one_theme():
    result = analyse(["mere tid", "mere tid tak", "bedre IT", "mere tid nu", "mere tid!"])
    assert len(result.themes) <= 1
    assert sum(theme.size for theme in result.themes) + len(result.unassigned) == 5


def test_identical_texts_form_one_theme():
    result = analyse(["Vi har for travlt i hjemmeplejen"] * 20, random_state=0)
    assert [theme.size for theme in result.themes] == [20]
    assert result.duplicate_groups == (tuple(range(20)),)


def test_stop_words_and_numbers_only_leave_everything_unassigned():
    texts = ["og det er", "123 456", "hvad med dem", "1.000 / 2,5 %", "det er det"] * 4
    result = analyse(texts, random_state=0)
    assert result.themes == ()
    assert result.unassigned == tuple(range(20))


@pytest.mark.parametrize(
    "texts",
    [
        ["我们需要更多的时间和更好的系统", "领导应该多听员工的意见", "工作压力太大了"] * 4,
        ["نحتاج إلى مزيد من الوقت", "يجب على القيادة أن تستمع", "ضغط العمل كبير جدا"] * 4,
    ],
    ids=["chinese", "arabic"],
)
def test_unexpected_scripts_give_a_result_not_a_crash(texts):
    documents = [Document(row, text) for row, text in enumerate(texts)]
    result = analyse(documents, random_state=0)
    assert_every_document_once(result, documents)


def test_very_long_texts_are_handled(staff_texts):
    texts = staff_texts + [" ".join(staff_texts) * 30]
    result = analyse(texts, random_state=0)
    assert len(result.themes) >= 3
    assert_every_document_once(result, [Document(row, text) for row, text in enumerate(texts)])


def test_labels_mark_skipped_and_unassigned(staff_texts):
    analysis = ThemeAnalysis(random_state=0).fit(staff_texts + [None, "og det"])
    assert analysis.labels_[-2] == SKIPPED
    assert analysis.labels_[-1] == -1
    assert np.all(analysis.labels_[:-2] >= 0)


words = st.sampled_from(["stress", "travlhed", "ledelse", "systemer", "borgere", "og", "42", ""])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.lists(words, max_size=6).map(" ".join)), max_size=40))
def test_every_document_lands_exactly_once(texts):
    documents = [Document(row, text) for row, text in enumerate(texts)]
    if not any(text and text.strip() for text in texts):
        with pytest.raises(ValueError, match="texts"):
            analyse(documents, random_state=0)
        return
    assert_every_document_once(analyse(documents, random_state=0), documents)
