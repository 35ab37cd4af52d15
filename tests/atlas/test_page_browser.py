"""The atlas page as a person uses it, in headless Chromium: sorting, filtering, a model's detail, the width.

Uses Debian's ``chromium`` through Playwright's Python API (``executable_path``); Playwright's own browser
download is not needed.  Where either is missing the test is skipped with the reason shown (``-rs``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nullsight.atlas.page import render_page

FIXTURE = Path(__file__).parents[1] / "fixtures" / "atlas" / "atlas-sample.json"
HOSTILE = "timm:</script><script>alert(1)</script><img src=x onerror=alert(2)>"
WIDTH = 1280

VISIBLE = """key => Array.from(document.querySelectorAll('#atlas tbody tr:not([hidden])'))
    .map(tr => tr.querySelector(`td[data-key="${key}"]`).textContent)"""


def atlas() -> dict:
    data = json.loads(FIXTURE.read_text())
    hostile = json.loads(json.dumps(data["rows"][0]))
    hostile["architecture"] = HOSTILE
    data["rows"].append(hostile)
    data["counts"]["verdict"][hostile["verdict"]] += 1
    data["counts"]["family"][hostile["family"]] += 1
    data["counts"]["status"][hostile["status"]] += 1
    return data


def haystack(row: dict) -> str:
    """What the text filter searches in a row (the page's own list, in Python)."""
    op = row.get("first_operator") or {}
    fields = (row["architecture"], row["family"], row["source"], row["task"], row["verdict"], row["status"],
              op.get("kind"), op.get("signature"), op.get("module_type"), row.get("error"))
    return " ".join(str(f) for f in fields if f).lower()


def number(text: str) -> int | None:
    return None if text == "—" else int(text.removeprefix("≥ ").replace(",", ""))


@pytest.fixture(scope="module")
def session(tmp_path_factory, browser_launch):
    """Everything the tests look at, gathered in one browser session: ``(facts, errors, dialogs, atlas)``."""
    data = atlas()
    out = render_page(data, tmp_path_factory.mktemp("atlas") / "atlas.html")
    errors: list[str] = []
    dialogs: list[str] = []
    facts: dict = {}
    sync_playwright, launch = browser_launch
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.set_default_timeout(5000)  # a broken page fails in seconds, not after Playwright's 30
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(out.resolve().as_uri(), wait_until="load")
        visible = lambda key: page.evaluate(VISIBLE, key)  # noqa: E731
        shown = lambda: (int(page.get_attribute("#shown", "data-shown")), len(visible("architecture")))  # noqa: E731
        sort_state = lambda: page.get_attribute('#atlas th[data-key="parameters"]', "aria-sort")  # noqa: E731

        facts["loaded"] = visible("architecture")
        facts["null_dimension"] = dict(zip(facts["loaded"], visible("null_dimension")))
        facts["headers_are_buttons"] = page.evaluate("""() => Array.from(document.querySelectorAll('#atlas thead th'))
            .every(th => th.querySelector('button') && th.hasAttribute('aria-sort'))""")
        page.click('#atlas th[data-key="parameters"] button')
        facts["ascending"] = (sort_state(), visible("parameters"))
        page.click('#atlas th[data-key="parameters"] button')
        facts["descending"] = (sort_state(), visible("parameters"))
        page.click('#atlas th[data-key="architecture"] button')
        facts["by_name"] = visible("architecture")

        facts["text"] = {}
        for term in ("deit", "torchvision", "memory", "patchify 16x16"):
            page.fill("#f-text", term)
            facts["text"][term] = shown()
        page.fill("#f-text", "")
        page.select_option("#f-verdict", "exact")
        facts["exact"] = shown()
        page.fill("#f-text", "small")
        facts["exact_small"] = shown()
        page.fill("#f-text", "")
        page.select_option("#f-verdict", "")
        page.click('#family-counts button[data-family="resnet"]')
        facts["family_button"] = (page.input_value("#f-family"), shown(), visible("family"))
        page.select_option("#f-family", "")
        facts["shown_text"] = page.text_content("#shown")

        def open_detail(name: str) -> dict:
            page.fill("#f-text", "")
            page.locator("#atlas a.detail-link", has_text=name).first.click()
            page.wait_for_selector("#detail:not([hidden])")
            # the previous model's detail is visible until the hash change lands: wait for this one's
            page.wait_for_function("name => document.getElementById('detail').dataset.architecture === name", arg=name)
            return page.evaluate("""() => ({
                title: document.querySelector('#detail h3').textContent,
                architecture: document.getElementById('detail').dataset.architecture,
                text: document.getElementById('detail').innerText,
                largest: Array.from(document.querySelectorAll('#detail table.largest tbody tr'))
                    .map(tr => Array.from(tr.cells).map(td => td.textContent)),
                inView: (r => r.top < innerHeight && r.bottom > 0)(document.getElementById('detail').getBoundingClientRect()),
            })""")

        facts["detail"] = {name: open_detail(name) for name in
                           ("timm:vit_tiny_patch16_224", "timm:resnet50", "timm:samvit_huge_patch16", HOSTILE)}
        facts["hash"] = page.evaluate("location.hash")
        facts["width"] = page.evaluate("""() => ({
            scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
            overflowing: Array.from(document.querySelectorAll('main *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.atlas-wrap, .table-wrap'))
                .map(e => e.tagName + '#' + e.id),
        })""")
        facts["image_ok"] = page.evaluate("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        browser.close()
    return facts, errors, dialogs, data


def test_loads_without_errors_or_injected_script(session):
    facts, errors, dialogs, _ = session
    assert errors == []
    assert dialogs == []  # the hostile name never ran
    assert facts["image_ok"]


def test_every_row_is_in_the_table(session):
    facts, _, _, data = session
    assert facts["loaded"] == [row["architecture"] for row in data["rows"]]  # the hostile name shown as text


def test_a_lower_bound_is_marked(session):
    facts, _, _, data = session
    for row in data["rows"]:
        cell = facts["null_dimension"][row["architecture"]]
        assert cell.startswith("≥ ") == bool(row["evidence"] and row["evidence"].get("lower_bound")), row["architecture"]


def test_headers_are_buttons_with_aria_sort(session):
    facts, _, _, _ = session
    assert facts["headers_are_buttons"]


@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_sorting_by_parameters_is_numeric_with_empty_cells_last(session, direction):
    facts, _, _, data = session
    state, cells = facts[direction]
    assert state == direction
    values = [number(text) for text in cells]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), "empty cells are not last"
    assert present == sorted(present, reverse=direction == "descending")
    expected = sorted((r["parameters"] for r in data["rows"] if r["parameters"] is not None), reverse=direction == "descending")
    assert present == expected


def test_sorting_by_name(session):
    facts, _, _, data = session
    assert sorted(facts["by_name"]) == sorted(r["architecture"] for r in data["rows"])
    assert facts["by_name"] != facts["loaded"]  # the order changed


def test_text_filter_counts(session):
    facts, _, _, data = session
    for term, (counted, visible) in facts["text"].items():
        expected = sum(all(t in haystack(r) for t in term.split()) for r in data["rows"])
        assert counted == visible == expected, term
        assert expected > 0, term


def test_verdict_filter_counts(session):
    facts, _, _, data = session
    assert facts["exact"] == (data["counts"]["verdict"]["exact"],) * 2
    expected = sum(r["verdict"] == "exact" and "small" in haystack(r) for r in data["rows"])
    assert facts["exact_small"] == (expected, expected) and 0 < expected < facts["exact"][0]


def test_family_button_filters_the_table(session):
    facts, _, _, data = session
    value, (counted, visible), families = facts["family_button"]
    assert value == "resnet" and set(families) == {"resnet"}
    assert counted == visible == data["counts"]["family"]["resnet"]
    n = len(data["rows"])
    assert facts["shown_text"] == f"shown {n} of {n}"


def test_detail_shows_the_largest_null_spaces_and_the_evidence(session):
    facts, _, _, data = session
    rows = {r["architecture"]: r for r in data["rows"]}
    for name, detail in facts["detail"].items():
        row = rows[name]
        assert detail["architecture"] == name and detail["title"].startswith(name) and detail["inView"]
        largest = [[m["name"], "×".join(map(str, m["shape"])), f"{m['structural_nullity']:,}"]
                   for m in (row["audit"] or {}).get("largest", [])]
        assert detail["largest"] == largest
        if row["evidence"]:
            assert row["evidence"]["method"] in detail["text"]
        if row["error"]:
            assert row["error"] in detail["text"]
    exact = facts["detail"]["timm:vit_tiny_patch16_224"]["text"]
    assert "2.400e-07" in exact and "4.400e-16" in exact  # fp32 and fp64 max |diff|
    assert "normalise → pad to 224x224" in exact  # the steps before the first operator
    assert "0.012" in facts["detail"]["timm:resnet50"]["text"]  # sigma_min


def test_detail_link_is_an_anchor(session):
    facts, _, _, _ = session
    assert facts["hash"].startswith("#model=")


def test_no_horizontal_overflow_at_1280px(session):
    facts, _, _, _ = session
    width = facts["width"]
    assert width["scrollWidth"] <= width["innerWidth"] and width["overflowing"] == [], width
