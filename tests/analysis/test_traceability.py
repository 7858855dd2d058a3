from analysis.pipeline import analyse
from analysis.traceability import document_themes, follow_previous


def test_every_analysed_document_can_be_followed_to_its_theme(staff_texts):
    result = analyse(staff_texts + [None, "og det"], random_state=0)
    where = document_themes(result)
    assert set(where) == set(range(len(staff_texts) + 2)) - {len(staff_texts)}
    assert where[len(staff_texts) + 1] is None
    for theme in result.themes:
        assert all(where[doc] == theme.id for doc in theme.member_ids)


def test_rerun_with_another_seed_keeps_theme_ids(staff_texts):
    first = analyse(staff_texts, random_state=0)
    renamed = {theme.label: theme.id for theme in first.themes}
    second, changes = follow_previous(analyse(staff_texts, random_state=5), first)
    assert {theme.label: theme.id for theme in second.themes} == renamed
    assert {change.kind for change in changes} == {"unchanged"}


def test_late_contributions_grow_a_theme_and_keep_its_id(staff_texts):
    first = analyse(staff_texts, random_state=0)
    later = staff_texts + ["Stress og travlhed igen og igen"] * 3
    second, changes = follow_previous(analyse(later, random_state=0), first)
    stress = next(theme for theme in first.themes if "stress" in theme.label)
    change = next(change for change in changes if change.theme_id == stress.id)
    assert change.kind == "grown"
    assert change.size == stress.size + 3
