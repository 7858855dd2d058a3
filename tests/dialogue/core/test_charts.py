"""SVG charts: accessible names, escaped labels, no inline styles."""

from dialogue.core.charts import bar_chart, distribution_chart


def test_bar_chart_escapes_labels_and_has_a_title():
    svg = str(bar_chart("c1", "Borda <score>", [("<script>alert(1)</script>", 3.0), ("B", None)]))
    assert '<title id="c1-title">Borda &lt;score&gt;</title>' in svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'role="img"' in svg
    assert 'aria-labelledby="c1-title"' in svg
    assert "style=" not in svg
    assert svg.count("<rect") == 1  # the suppressed row draws no bar


def test_distribution_chart_stacks_the_five_answers_with_a_legend():
    svg = str(
        distribution_chart(
            "c2",
            "Svar",
            [("Åbenhed", (1, 0, 2, 3, 4))],
            [(n, f"ord {n}") for n in range(1, 6)],
            labelled_by="c2-caption",
        )
    )
    assert 'aria-labelledby="c2-title c2-caption"' in svg
    assert svg.count("<rect") == 4 + 5  # four non-empty segments, five legend keys
    assert "ord 5" in svg
