"""The steering report of a 2,000-task chain: how large the page is and how long Chromium takes to open it.

The programme is a chain of 2,000 tasks, each depending on the one before, over four tracks of
500 (build, test, assurance, governance); every task estimates 1-2-4 working days (PERT), so
every task is critical and the plan runs about sixteen years. The report is built as
``spinekit report`` builds it (10,000 iterations, seed 1), then opened in headless Chromium
(Debian's, through Playwright) in a fresh page each time: the time is from asking for the page
to every chart drawn (each plot has its layout). Run::

    uv run python benchmarks/bench_report.py                  # prints the figures
    uv run python benchmarks/bench_report.py --write          # also updates docs/performance.md
    uv run python benchmarks/bench_report.py --html PAGE      # times a page built elsewhere

``--html`` times a page already built (for example by an earlier spinekit, to compare) and
builds nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import _common
import yaml
from _common import publish

import spinekit

START = "<!-- report results: start -->"
END = "<!-- report results: end -->"
TRACKS = ("build", "test", "assurance", "governance")
DRAWN = "[...document.querySelectorAll('.js-plotly-plot')].every(g => g._fullLayout)"


def chain_data(n: int = 2000) -> dict:
    """A chain of ``n`` tasks in four equal tracks, each 1-2-4 working days, as a programme file's data."""
    tasks = []
    for i in range(n):
        task: dict = {
            "id": f"t{i}",
            "name": f"Step {i} of the chain",
            "duration": {"min": 1, "likely": 2, "max": 4},
            "track": TRACKS[i * len(TRACKS) // n],
        }
        if i:
            task["depends_on"] = [f"t{i - 1}"]
        tasks.append(task)
    return {"name": f"chain {n}", "start": "2027-01-04", "tasks": tasks}


def open_times(page_file: Path, repeats: int, timeout_s: float) -> list[float]:
    """Seconds from asking Chromium for ``page_file`` to every chart drawn, once per repeat."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is not on PATH (apt-get install chromium)")
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                began = time.perf_counter()
                page.goto(page_file.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
                page.wait_for_function(DRAWN, timeout=timeout_s * 1000)
                out.append(time.perf_counter() - began)
                page.close()
        finally:
            browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000, help="tasks in the chain (default 2000)")
    parser.add_argument("--iterations", type=int, default=10_000, help="Monte Carlo iterations (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="times the page is opened (default 3)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a page (default 600)")
    parser.add_argument("--html", type=Path, help="time this page instead of building one")
    parser.add_argument("--write", action="store_true", help="write the results into docs/performance.md")
    args = parser.parse_args()

    machine = _common.machine(f"spinekit {spinekit.__version__}, Chromium through Playwright")
    built = ""
    with tempfile.TemporaryDirectory() as tmp:
        page_file = args.html
        if page_file is None:
            programme = Path(tmp) / f"chain-{args.tasks}.yaml"
            programme.write_text(yaml.safe_dump(chain_data(args.tasks), sort_keys=False), encoding="utf-8")
            began = time.perf_counter()
            page_file = spinekit.build_report(programme, Path(tmp), iterations=args.iterations, seed=1).html
            built = f"built in {time.perf_counter() - began:.1f} s ({args.iterations:,} iterations, seed 1); "
        size = page_file.stat().st_size
        times = open_times(page_file, args.repeats, args.timeout)
    text = (
        f"Measured {dt.date.today()} with `uv run python benchmarks/bench_report.py"
        f"{' --write' if args.write else ''}` on {machine}. A {args.tasks:,}-task chain's report: "
        f"{built}**{size / 1e6:.2f} MB**, opened in Chromium in **{statistics.median(times):.1f} s** "
        f"(median of {len(times)}: {', '.join(f'{t:.1f}' for t in times)} s)."
    )
    publish(text, START, END, write=args.write)


if __name__ == "__main__":
    main()
