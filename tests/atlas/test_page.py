"""The atlas page as a file: self-contained, every row and count on it, hostile names escaped, small at 1,300 rows.

The page as a person sees it (sorting, filtering, details in Chromium) is checked in ``test_page_browser.py``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from nullsight.atlas.page import build_page, render_page, report_css, script_json
from nullsight.atlas.result import AtlasResult
from nullsight.errors import InvalidInputError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "atlas" / "atlas-sample.json"
HOSTILE = "timm:</script><script>alert(1)</script>"


def sample() -> dict:
    return json.loads(FIXTURE.read_text())


def synthetic(n: int) -> dict:
    """An atlas of ``n`` rows: the sample's rows repeated under new names, in 60 families per sample family."""
    atlas = sample()
    rows = []
    for i in range(n):
        row = copy.deepcopy(atlas["rows"][i % len(atlas["rows"])])
        row["architecture"] += f"_v{i}"
        row["family"] += f"_{i % 60}"
        rows.append(row)
    atlas["rows"] = rows
    atlas["counts"] = {key: dict(Counter(r[key] for r in rows)) for key in ("verdict", "family", "status")}
    return atlas


def embedded_rows(html: str) -> list[dict]:
    found = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S)
    assert found, "no embedded atlas data"
    return json.loads(found.group(1))["rows"]


def shown_counts(html: str) -> dict[tuple[str, str], int]:
    """The numbers shown by the elements marked ``data-count="group:name"`` (the first number inside each)."""
    found = re.findall(r'data-count="([^"]+)"[^>]*>.*?class="(?:n|num)">([\d,]+)<', html, re.S)
    return {tuple(unescape(key).split(":", 1)): int(n.replace(",", "")) for key, n in found}


@pytest.fixture(scope="module")
def html() -> str:
    return build_page(sample())


@pytest.fixture
def no_chart(monkeypatch):
    """Pages without the chart (a second of matplotlib each) for the tests about the rest of the page."""
    monkeypatch.setattr("nullsight.atlas.page.null_space_chart", lambda rows: None)


def test_one_file_with_nothing_from_the_network(html):
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import|<link\b|<script[^>]*\bsrc=", html, re.I)
    assert re.search(r'<img src="data:image/png;base64,', html), "the chart is not embedded"


def test_every_row_is_on_the_page(html):
    rows = sample()["rows"]
    assert [r["architecture"] for r in embedded_rows(html)] == [r["architecture"] for r in rows]
    for row in rows:
        assert row["architecture"] in html


def test_counts_shown_match_the_json(html):
    counts = sample()["counts"]
    shown = shown_counts(html)
    expected = {(group, name): n for group in ("verdict", "status", "family") for name, n in counts[group].items()}
    assert shown == expected


def test_a_hostile_name_is_text_not_markup(no_chart):
    atlas = sample()
    atlas["rows"][0]["architecture"] = HOSTILE
    atlas["rows"][0]["family"] = "<img src=x onerror=alert(2)>"
    atlas["counts"]["family"] = {"<img src=x onerror=alert(2)>": 1}
    html = build_page(atlas)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert len(re.findall(r"<script\b", html)) == 2  # the data and the page's own script, nothing injected
    assert embedded_rows(html)[0]["architecture"] == HOSTILE
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # the family table, rendered on the server, escapes it


def test_script_json_never_closes_its_element():
    text = script_json({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_weights_note_beside_the_verdicts_for_random_weights(html):
    note = re.search(r'<p class="weights-note" id="weights-note">([^<]*)</p>', html)
    assert note and note.group(1) == sample()["weights_note"]
    assert html.index('id="verdict-counts"') < note.start() < html.index('id="status-counts"')  # among the verdicts


def test_no_weights_note_for_trained_weights(no_chart):
    pretrained = sample()
    for row in pretrained["rows"]:
        row["weights"] = "pretrained"
    assert 'id="weights-note"' not in build_page(pretrained)


def test_header_shows_command_and_versions(html):
    atlas = sample()
    assert atlas["command"] in html
    for name, version in atlas["versions"].items():
        assert re.search(rf"<li>{re.escape(name)} <code>{re.escape(version)}</code></li>", html)


def test_the_typed_result_renders_like_its_json(tmp_path, no_chart):
    typed = AtlasResult.from_dict(sample())
    out = render_page(typed, tmp_path / "atlas.html")
    assert out == tmp_path / "atlas.html"
    assert out.read_text(encoding="utf-8") == build_page(sample())  # and the same atlas gives the same bytes


def test_the_lean_json_renders_with_its_defaults_filled(no_chart):
    lean = AtlasResult.from_dict(sample()).lean_dict()
    rows = embedded_rows(build_page(lean))
    assert [r["architecture"] for r in rows] == [r["architecture"] for r in sample()["rows"]]
    assert [r["source"] for r in rows] == [r["source"] for r in sample()["rows"]]


def test_not_an_atlas_is_refused(no_chart):
    with pytest.raises(InvalidInputError, match="atlas"):
        build_page({"kind": "audit", "schema_version": 1})
    with pytest.raises(TypeError):
        build_page([sample()])


def test_non_finite_numbers_become_empty_cells(no_chart):
    atlas = sample()
    atlas["rows"][0]["evidence"]["max_abs_diff_fp32"] = math.nan
    atlas["rows"][0]["audit"]["null_share"] = math.inf
    rows = embedded_rows(build_page(atlas))  # strict JSON: JSON.parse rejects NaN
    assert rows[0]["evidence"]["max_abs_diff_fp32"] is None and rows[0]["audit"]["null_share"] is None


def test_an_empty_atlas_renders():
    atlas = sample()
    atlas["rows"] = []
    atlas["counts"] = {"verdict": {}, "family": {}, "status": {}}
    html = build_page(atlas)
    assert embedded_rows(html) == []
    assert "No model has both a parameter count" in html


def test_looks_like_the_report(html):
    css = report_css()
    assert "--accent" in css and css in html


def test_1300_rows_stay_under_2_mb(tmp_path):
    atlas = synthetic(1300)
    out = render_page(atlas, tmp_path / "atlas.html")
    size = out.stat().st_size
    assert size < 2_000_000, f"{size:,} bytes for 1,300 rows"
    assert len(embedded_rows(out.read_text(encoding="utf-8"))) == 1300
