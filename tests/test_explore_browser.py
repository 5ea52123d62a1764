"""`spinekit explore` in a real browser: Playwright drives Debian's Chromium against Voilà.

One server for the module, started on a free port and always stopped with Ctrl-C (SIGINT to
its process group; SIGKILL only if it does not stop), also when a test fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from _helpers import needs_chromium

# Skips before the module's fixtures: no server is started for a browser that is not there.
pytestmark = needs_chromium

START_TIMEOUT = 90
# plotly.js, the explorer's controls and first outputs, drawn with a live kernel.
PAGE_TIMEOUT = 60_000

BARS = """() => {
  const plots = document.querySelectorAll('.sk-gantt .js-plotly-plot');
  const gd = plots[plots.length - 1];
  const out = {};
  for (const t of gd.data) {
    if (!t.customdata) continue;
    const at = t.base || t.x;  // bars start at their base, milestones sit at x
    Array.from(t.customdata).forEach((id, i) => { out[id] = String(at[i]).slice(0, 10); });
  }
  return out;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("explore")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spinekit", "explore", "--port", str(port)],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    found = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "http://" in line:
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not found.wait(0.2):
            assert proc.poll() is None, "spinekit explore stopped:\n" + "".join(lines)
            assert time.monotonic() < deadline, "no URL printed in time:\n" + "".join(lines)
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", "".join(lines))
        assert url and int(url.group(1)) == port, "".join(lines)
        yield url.group(0), folder
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        reader.join(5)
        proc.stdout.close()
    assert proc.returncode == 0, "".join(lines)
    assert "Stopping the scope explorer" in "".join(lines)


def test_page_follows_the_controls(sync_api, server, browser, tmp_path):
    url, _ = server
    page = browser.new_page(viewport={"width": 1500, "height": 2600})
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else outside.append(r.url)
    )
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    expect = sync_api.expect
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT)
        finish = page.locator("[data-kpi=finish] .sk-kpi-value")
        expect(finish).to_have_text("Thu 10 Feb 2028", timeout=PAGE_TIMEOUT)
        page.wait_for_selector(".sk-gantt .js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT)
        assert page.locator("text=import spinekit").count() == 0  # no code shown
        bars = page.evaluate(BARS)
        assert bars["ods-code"] == "2027-01-04" and "go-live-org2" not in bars
        page.screenshot(path=tmp_path / "explorer-before.png")

        # Requests from week 3: the ODS code, which starts the critical path, moves two weeks
        # (10 working days, no bank holiday in between), and so does the finish.
        handle = page.locator(".sk-request-week .noUi-handle")
        handle.focus()
        handle.press("ArrowRight")
        handle.press("ArrowRight")
        expect(finish).to_have_text("Thu 24 Feb 2028", timeout=20_000)
        expect(page.locator("[data-kpi=change] .sk-kpi-sub")).to_contain_text("→ 3")
        page.wait_for_function(f"() => ({BARS})()['ods-code'] === '2027-01-18'", timeout=20_000)

        # A second deploying organisation: its go-live and per-organisation tasks join the Gantt.
        orgs = page.locator(".sk-organisations input")
        orgs.fill("2")
        orgs.press("Enter")
        page.wait_for_function(f"() => 'go-live-org2' in ({BARS})()", timeout=20_000)
        expect(page.locator("[data-kpi=change] .sk-kpi-sub")).to_contain_text("organisations 1 → 2")
        page.screenshot(path=tmp_path / "explorer-after.png")
    finally:
        page.close()
    assert outside == [] and failed == []  # no CDN: everything comes from the local server
    # The widget extensions find the JupyterLab packages they were built against: no
    # "Unsatisfied version 4.2.5 ... (required ^4.6.2)" or any other warning or error.
    assert [m for m in console if m.startswith(("warning", "error"))] == []


def test_save_button_writes_a_new_programme_file(sync_api, server, browser):
    url, folder = server
    page = browser.new_page(viewport={"width": 1500, "height": 1800})
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT)
        page.wait_for_selector("[data-kpi=finish]", timeout=PAGE_TIMEOUT)
        page.get_by_role("button", name="Save setting").click()
        saved = page.locator("[data-output=saved]")
        sync_api.expect(saved).to_contain_text("Saved", timeout=20_000)
        page.get_by_role("button", name="Save setting").click()
        sync_api.expect(saved).to_contain_text("already exists", timeout=20_000)
    finally:
        page.close()
    assert [p.name for p in folder.glob("*.yaml")] == ["pds-eps-and-cis2-for-one-trust-explored.yaml"]
