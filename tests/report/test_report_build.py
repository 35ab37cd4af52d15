"""Building report HTML: registered and generic sections, escaping, determinism."""

from __future__ import annotations

import base64

import pytest

from nullsight.errors import InvalidInputError
from nullsight.report import SECTION_BUILDERS, Figure, Section, Table, build_report, figure_png, new_figure


def _png() -> bytes:
    fig, ax = new_figure(3, 2)
    ax.plot([0, 1, 2], [2, 0, 1])
    return figure_png(fig)


PNG = _png()


@SECTION_BUILDERS.register("test-widget")
def _build_widgets(results: list[dict]) -> list[Section]:
    rows = [[r["name"], r["score"]] for r in results]
    table = Table("Scores", ["widget", "score"], rows)
    figure = Figure("Score chart", PNG, caption="one bar per widget")
    return [Section("Widget comparison", "test-widget", "All **widgets**.", [table], [figure])]


def _results() -> list[dict]:
    return [
        {"kind": "test-widget", "command": "nullsight widget a", "name": "alpha", "score": 0.25},
        {"kind": "test-widget", "command": ["nullsight", "widget", "b c"], "name": "beta", "score": 1234567},
        {"kind": "mystery", "command": "nullsight m", "model": "resnet18", "accuracy": 0.5, "spectrum": [1.0] * 50},
    ]


def test_registered_builder_renders_table_and_figure():
    html = build_report(_results())
    assert "Widget comparison" in html
    assert "<th>widget</th>" in html and '<th class="num">score</th>' in html
    assert '<td class="num">0.25</td>' in html and '<td class="num">1,234,567</td>' in html
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in html
    assert "one bar per widget" in html and "<strong>widgets</strong>" in html
    assert "nullsight widget a" in html and "nullsight widget &#39;b c&#39;" in html


def test_unknown_kind_falls_back_to_generic_section():
    html = build_report(_results())
    assert "Mystery: resnet18" in html
    assert "<td>accuracy</td>" in html and "<td>resnet18</td>" in html
    assert "<details>" in html and "more items" in html  # collapsed, abridged JSON


def test_kinds_in_stable_order_with_table_of_contents():
    html = build_report(list(reversed(_results())))
    assert html.index('id="kind-mystery"') < html.index('id="kind-test-widget"')
    assert 'href="#kind-mystery"' in html and 'href="#kind-test-widget"' in html


def test_same_results_give_identical_html():
    assert build_report(_results(), title="t") == build_report(_results(), title="t")
    assert "generated" not in build_report(_results())
    assert "generated 2024-01-01" in build_report(_results(), generated_at="2024-01-01")


def test_html_is_escaped():
    evil = "<script>alert(1)</script>"
    result = {"kind": evil, "command": evil, "name": evil, "note": evil}
    html = build_report([result], title=evil)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_self_contained():
    html = build_report(_results())
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "nullsight " in html  # version shown


def test_result_without_kind_is_rejected():
    with pytest.raises(InvalidInputError, match="no 'kind'"):
        build_report([{"command": "x"}])


def test_figure_requires_png_bytes():
    with pytest.raises(TypeError):
        Figure("bad", b"not a png")


def test_figure_png_closes_the_figure_and_is_deterministic():
    import matplotlib
    import matplotlib.pyplot as plt

    assert matplotlib.get_backend().lower() == "agg"
    open_before = len(plt.get_fignums())
    assert _png() == PNG
    assert len(plt.get_fignums()) == open_before


def test_summary_markdown_and_number_formatting():
    from nullsight.report.render import format_cell, markdownish

    html = markdownish("Rank is **low** in `layer<1>`.\n\n- one\n- two <b>")
    assert html == (
        "<p>Rank is <strong>low</strong> in <code>layer&lt;1&gt;</code>.</p>\n"
        "<ul><li>one</li><li>two &lt;b&gt;</li></ul>"
    )
    assert format_cell(None) == ("—", False) and format_cell(True) == ("yes", False)
    assert format_cell(0.000012) == ("1.200e-05", True) and format_cell("12.5%") == ("12.5%", True)
