"""Benchmark the scope explorer's latency: from a change of a control to updated outputs.

Two paths are timed on the bundled example (PDS, EPS and CIS2 for one Trust), without a
browser:

* **state to outputs**: :func:`spinekit.views.explorer.evaluate` (programme, scenario, schedule on the
  reused or a new network, 500-iteration simulation, health check) plus the Gantt figure and
  its HTML, the pure work behind every update;
* **widget update**: a control's value set on an :class:`~spinekit.views.explorer.Explorer` with no
  kernel attached, timed by the explorer itself from the change to the last output set
  (``Explorer.latency``), so it adds reading the controls and building the outputs' HTML.

Each kind of change is applied ``--repeats`` times, alternating between two values, after a
warm-up. The stages of the state-to-outputs path are timed separately as well.

    uv run python benchmarks/bench_explorer.py           # prints the tables
    uv run python benchmarks/bench_explorer.py --write   # and replaces the results in docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import sys
import time

import numpy as np
from _common import cpu_model, publish

RESULTS_START = "<!-- explorer results: start -->"
RESULTS_END = "<!-- explorer results: end -->"
TARGET_MS = 200.0


def _changes(state):
    """(label, two settings to alternate between) for each kind of change."""
    return [
        ("request start week 1 ↔ 3", state, state.replace(request_week=3)),
        ("deploying organisations 1 ↔ 2", state, state.replace(organisations=2)),
        ("assurance parallel ↔ deferred", state, state.replace(assurance="deferred")),
        ("add DEP", state, state.replace(environments=("int", "dep", "production"))),
        ("EPS intake lead time 130 ↔ 40 days", state, state.with_lead_time("eps-intake", 40)),
    ]


def _stats(ms: list[float]) -> tuple[float, float, float]:
    return statistics.median(ms), float(np.percentile(ms, 90)), max(ms)


def state_to_outputs(base, changes, repeats: int) -> tuple[list[tuple[str, list[float]]], dict[str, list[float]]]:
    import plotly.io as pio

    from spinekit.analysis.check import check_plan
    from spinekit.engine.simulate import simulate
    from spinekit.views.explorer import state as ex

    rows, stages = (
        [],
        {
            k: []
            for k in (
                "programme and scenario",
                "schedule",
                "simulation (500)",
                "health check",
                "Gantt figure",
                "figure HTML",
            )
        },
    )
    for label, a, b in changes:
        previous = ex.evaluate(base, a)
        times = []
        for k in range(repeats + 2):
            state = b if k % 2 == 0 else a
            gc.collect()
            t0 = time.perf_counter()
            result = ex.evaluate(base, state, previous)
            pio.to_html(result.figure(title=""), full_html=False, include_plotlyjs=False, include_mathjax=False)
            elapsed = (time.perf_counter() - t0) * 1000
            if k >= 2:
                times.append(elapsed)
                # The same update again, stage by stage.
                t = time.perf_counter()
                _, planned, _ = ex._programme_data(base, state)
                programme = ex._apply(planned, ex.timing_scenario(state, planned))
                stages["programme and scenario"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                sched = ex._schedule(programme, previous)
                stages["schedule"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                simulate(programme, ex.QUICK_ITERATIONS, seed=ex.QUICK_SEED)
                stages["simulation (500)"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                check_plan(programme, sched)
                stages["health check"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                fig = result.figure(title="")
                stages["Gantt figure"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                pio.to_html(fig, full_html=False, include_plotlyjs=False, include_mathjax=False)
                stages["figure HTML"].append((time.perf_counter() - t) * 1000)
            previous = result
        rows.append((label, times))
    return rows, stages


def widget_update(base, repeats: int) -> list[tuple[str, list[float]]]:
    from spinekit.views.explorer.widgets import Explorer

    explorer = Explorer(base, debounce=0.0)
    controls = [
        ("request start week slider", explorer.request_week, 3),
        ("organisations box", explorer.organisations, 2),
        ("assurance buttons", explorer.assurance, "deferred"),
        ("DEP checkbox", explorer.environments["dep"], True),
        ("EPS intake lead-time slider", None, 40),
    ]
    rows = []
    for label, widget, value in controls:
        target = widget if widget is not None else explorer._lead_sliders["eps-intake"]
        initial = target.value
        times = []
        for k in range(repeats + 2):
            gc.collect()
            target.value = value if k % 2 == 0 else initial
            if k >= 2:
                times.append(explorer.latency * 1000)
        rows.append((label, times))
    return rows


def table(rows, title: str) -> str:
    lines = [f"| {title} | median ms | p90 ms | max ms |", "|---|---:|---:|---:|"]
    for label, ms in rows:
        med, p90, top = _stats(ms)
        lines.append(f"| {label} | {med:.0f} | {p90:.0f} | {top:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed updates per kind of change")
    parser.add_argument("--write", action="store_true", help="replace the explorer results in docs/performance.md")
    args = parser.parse_args(argv)

    from spinekit.views.explorer.widgets import ExplorerState, read_base

    base = read_base()
    state = ExplorerState.from_programme(base)
    pure, stages = state_to_outputs(base, _changes(state), args.repeats)
    widgets = widget_update(base, args.repeats)
    all_pure = [m for _, ms in pure for m in ms]
    all_widget = [m for _, ms in widgets for m in ms]
    head = (
        f"Measured {dt.date.today()} on {os.cpu_count()} cores ({cpu_model()}), Python "
        f"{platform.python_version()}, {args.repeats} updates per row after a warm-up; load average "
        f"{os.getloadavg()[0]:.1f} when the run ended (other jobs shared the machine when above 1)."
    )
    verdict = (
        f"Over all {len(all_widget)} widget updates: median {statistics.median(all_widget):.0f} ms, "
        f"p90 {np.percentile(all_widget, 90):.0f} ms, max {max(all_widget):.0f} ms "
        f"(target < {TARGET_MS:.0f} ms); state to outputs: median {statistics.median(all_pure):.0f} ms, "
        f"p90 {np.percentile(all_pure, 90):.0f} ms."
    )
    text = "\n\n".join(
        [
            head,
            table(pure, "State to outputs (`evaluate`, Gantt, HTML)"),
            table(widgets, "Widget update (change to last output set)"),
            table(list(stages.items()), "Stage of one update"),
            verdict,
        ]
    )
    return publish(text, RESULTS_START, RESULTS_END, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
