"""The report as a person sees it: rendered from a real result of every kind and opened in headless Chromium.

Uses Debian's ``chromium`` through Playwright's Python API (``executable_path``); Playwright's own browser
download is not needed.  Where either is missing the test is skipped with the reason shown (``-rs``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nullsight.report import load_results, write_report

FIXTURES = Path(__file__).parents[1] / "fixtures" / "results"
WIDTH = 1280


@pytest.fixture(scope="module")
def page_report(tmp_path_factory, browser_launch):
    results = load_results(sorted(FIXTURES.glob("*.json")))  # each bound to its folder, where its pictures are
    out = write_report(results, tmp_path_factory.mktemp("report") / "report.html", title="browser check")
    errors: list[str] = []
    sync_playwright, launch = browser_launch
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": WIDTH, "height": 900})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(out.resolve().as_uri(), wait_until="load")
        facts = page.evaluate("""() => ({
            images: Array.from(document.images).map(i => ({alt: i.alt, ok: i.complete && i.naturalWidth > 0})),
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            summary: Array.from(document.querySelectorAll('#summary li')).map(li => li.textContent),
            overflowing: Array.from(document.querySelectorAll('.table-wrap'))
                .filter(w => w.getBoundingClientRect().right > window.innerWidth + 1).length,
        })""")
        browser.close()
    return facts, errors, out, results


def test_no_console_errors(page_report):
    _, errors, _, _ = page_report
    assert errors == []


def test_every_image_decodes_and_has_alt_text(page_report):
    facts, _, _, _ = page_report
    assert facts["images"], "the report has no figure"
    assert all(image["ok"] for image in facts["images"]), [i["alt"] for i in facts["images"] if not i["ok"]]
    assert all(image["alt"].strip() for image in facts["images"])


def test_page_never_scrolls_sideways_at_1280px(page_report):
    facts, _, _, _ = page_report
    assert facts["scrollWidth"] <= facts["innerWidth"], facts
    assert facts["overflowing"] == 0


def test_summary_has_one_line_per_result(page_report):
    facts, _, _, results = page_report
    assert len(facts["summary"]) == len(results)


def test_report_stays_small(page_report):
    _, _, out, results = page_report
    assert out.stat().st_size < 60_000 * len(results)  # figures are palette PNGs, no raw JSON dumps
