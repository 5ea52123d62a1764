"""The steering report renders in headless Chromium with no network: charts are drawn."""

from __future__ import annotations

import shutil

import pytest

from spinekit import build_report

CHROMIUM = shutil.which("chromium")


@pytest.mark.slow
def test_report_renders_charts_offline(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not on PATH (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    files = build_report(None, tmp_path / "out", iterations=300, seed=3)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requested = []
            page.on("request", lambda r: requested.append(r.url))
            page.goto(files.html.as_uri(), wait_until="load")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
            assert page.evaluate("typeof window.Plotly") == "object"
            plots = page.locator(".js-plotly-plot")
            assert plots.count() >= 6
            box = plots.first.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 200
            # The Gantt draws its bars: SVG traces inside the first plot.
            assert plots.first.locator("g.trace").count() > 3
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 50_000
            assert not [u for u in requested if u.startswith(("http://", "https://"))], requested
        finally:
            browser.close()
