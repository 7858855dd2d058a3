import json

import pytest

from analysis.report import themes_report


def test_report_has_exactly_the_documented_shape(staff_texts):
    report = themes_report(staff_texts + [None, "  ", 42], seed=0)
    assert set(report) == {"parameters", "themes", "unassigned", "skipped"}
    for theme in report["themes"]:
        assert set(theme) == {"id", "label", "top_terms", "size", "members", "representatives"}
        assert theme["size"] == len(theme["members"])
        assert 1 <= len(theme["representatives"]) <= 5
    assert report["skipped"] == [30, 31]
    assert report["parameters"]["random_state"] == 0
    assert json.loads(json.dumps(report)) == report


def test_every_non_empty_row_appears_exactly_once(staff_texts):
    texts = [None] + staff_texts + ["", "og det er"]
    report = themes_report(texts, language="da", seed=1)
    rows = [row for theme in report["themes"] for row in theme["members"]]
    rows += report["unassigned"]
    assert sorted(rows) == [row for row, text in enumerate(texts) if text and text.strip()]
    assert report["skipped"] == [0, 31]


def test_requested_number_of_themes_is_used(staff_texts):
    report = themes_report(staff_texts, n_themes=2, seed=0)
    assert len(report["themes"]) == 2
    assert report["parameters"]["n_themes"] == 2


def test_progress_callback_gets_stage_done_and_total(staff_texts):
    calls = []
    themes_report(staff_texts, progress=lambda *call: calls.append(call))
    assert ("vectorise", 30, 30) in calls
    assert all(done <= total for _, done, total in calls)


def test_empty_input_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        themes_report([])


def test_themes_report_keeps_counting_rows_without_authors():
    report = themes_report(["bike lanes"] * 5 + ["bus tickets"], min_group_size=2)
    assert report["themes"][0]["label"] == "bike lanes"
