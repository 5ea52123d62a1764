"""The steering report renders in headless Chromium with no network: charts are drawn."""

from __future__ import annotations

import pytest
from _helpers import needs_chromium


@pytest.mark.slow
@needs_chromium  # before the fixtures: no report is built for a missing browser
@pytest.mark.usefixtures("sync_api")  # set up before the (session-scoped) report: skips first
def test_report_renders_charts_offline(browser, example_report, tmp_path):
    files = example_report
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requested = []
    console = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.goto(files.html.as_uri(), wait_until="load")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    page.wait_for_timeout(500)  # let every chart finish drawing
    # plotly.js logs "WARN: Invalid color specifier" (as a console trace) for a colour it cannot use.
    assert [m for m in console if m.startswith(("error", "warning")) or "WARN" in m] == []
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
