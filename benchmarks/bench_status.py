"""Benchmark: what a ``status`` block adds to ``schedule`` and ``simulate`` on the benchmark networks.

Target: a status adds less than 10 % to ``spinekit schedule`` and ``spinekit simulate``.

The networks are the other benchmarks' (``bench_simulate.random_programme_data``): 1,000 tasks
(seed 1) and 5,000 tasks (seed 5, links reaching back 300 tasks on average), as in
``bench_cli.py``. Each is run three ways:

* **no status**: the plan as it is;
* **empty status**: a status dated the Friday before the start, with no progress. The network
  and the work on it are the same as without; what is added is the status machinery itself
  (validating the block, pinning every task at the status date);
* **30 % done**: the plan's own deterministic forecast recorded as actuals at the date by which
  30 % of its tasks finish (tasks done with their start and finish, tasks in progress with their
  start and the days left). The forecast is unchanged by it (checked before timing), so this is
  the status a programme office records on a programme on plan; Monte Carlo then samples only
  the work left.

Each file is the plan as ``bench_cli.py`` writes it, followed by the status block (if any)
written as a planner writes one, a line per task.

Two measures, both CPU time (user and system, every thread), the best and the median of
``--repeats`` runs, the three variants interleaved so that a busy moment hits each alike (the
target is judged on the best runs, the closest measure of the work itself on a shared machine):

* **whole process**: ``spinekit schedule FILE --format csv`` and ``spinekit simulate FILE
  --iterations 10000 --seed 1``, each a fresh process, the status block inside FILE. The
  environment is compiled to bytecode first (``python -m compileall``, as ``bench_cli.py``
  does) and the runs write none (``PYTHONDONTWRITEBYTECODE=1``, as ``python -B``);
* **in process**: ``parse_programme`` of the loaded file data (validation and the status) then
  ``schedule``, or ``schedule`` and ``simulate``: the work without interpreter start, imports
  and YAML parsing, each run after a garbage collection. Parsing and scheduling takes 20-120 ms,
  so a moment's noise is a larger share of it: those cases run four times as often.

Run::

    uv run python benchmarks/bench_status.py            # prints the tables
    uv run python benchmarks/bench_status.py --write    # also updates docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from _common import machine, publish
from bench_cli import SPINEKIT, compile_environment
from bench_simulate import random_programme_data

import spinekit
from spinekit import parse_programme, schedule, simulate

START = "<!-- status results: start -->"
END = "<!-- status results: end -->"
VARIANTS = ("no status", "empty status", "30 % done")
ITERATIONS = 10_000
TARGET = 1.10


def empty_status(data: dict) -> dict:
    """``data`` with a status dated the Friday before its start and no progress."""
    start = dt.date.fromisoformat(data["start"])
    friday = start - dt.timedelta(days=(start.weekday() - 4) % 7 or 7)
    return {**data, "status": {"date": friday.isoformat()}}


def on_plan_status(data: dict, share_done: float = 0.3) -> dict:
    """``data`` with its own forecast recorded as actuals where ``share_done`` of tasks finish.

    Raises
    ------
    SystemExit
        The status moved the forecast: the variants would not do the same work.
    """
    plan = schedule(parse_programme(data))
    records = plan.records()
    day = sorted(r["ef"] for r in records)[int(len(records) * share_done)]
    cal = plan.programme.calendar
    tasks = {}
    for r in records:
        es, ef = r["es"], r["ef"]
        if es > day or es == day + 1:
            continue  # not started by the end of the status date
        if ef <= day + 1 or es == ef:
            tasks[r["id"]] = {"start": r["start"].isoformat(), "finish": r["finish"].isoformat()}
        else:
            tasks[r["id"]] = {"start": r["start"].isoformat(), "remaining": ef - (day + 1)}
    out = {**data, "status": {"date": cal.date_of(day).isoformat(), "tasks": tasks}}
    tracked = schedule(parse_programme(out))
    if [(r["id"], r["start"], r["finish"]) for r in tracked.records()] != [
        (r["id"], r["start"], r["finish"]) for r in records
    ]:
        raise SystemExit("recording the forecast as actuals moved the forecast; not timing it")
    return out


def programme_text(data: dict) -> str:
    """``data`` as a programme file: the plan as the other benchmarks write it, then any status
    block as a planner writes one, a line per task (``T00042: {start: ..., finish: ...}``)."""
    plan = {k: v for k, v in data.items() if k != "status"}
    text = yaml.safe_dump(plan, sort_keys=False)
    if "status" in data:
        text += yaml.safe_dump({"status": data["status"]}, sort_keys=False, default_flow_style=None, width=200)
    return text


def child_cpu(cmd: list[str]) -> float:
    """CPU seconds (user and system) of one run of ``cmd`` as a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def own_cpu(work: Callable[[], object]) -> float:
    """CPU seconds of this process (every thread) doing ``work`` once, after a garbage collection."""
    gc.collect()
    t = time.process_time()
    work()
    return time.process_time() - t


def interleaved(cases: dict[str, Callable[[], float]], repeats: int) -> dict[str, tuple[float, float]]:
    """Best and median of ``repeats`` measurements of each case, the cases taking turns; one
    warm-up each."""
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for measure in cases.values():
        measure()
    for _ in range(repeats):
        for name, measure in cases.items():
            runs[name].append(measure())
    return {name: (min(t), statistics.median(t)) for name, t in runs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats", type=int, default=15, help="runs of each case (default 15; half, at least 3, of the longer ones)"
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    compile_environment()
    host = machine(f"spinekit {spinekit.__version__}; bytecode compiled beforehand")
    networks = {
        "1,000": random_programme_data(1000, seed=1),
        "5,000": random_programme_data(5000, seed=5, recency=300),
    }
    variants = {
        name: {"no status": data, "empty status": empty_status(data), "30 % done": on_plan_status(data)}
        for name, data in networks.items()
    }
    done_counts = {name: len(v["30 % done"]["status"]["tasks"]) for name, v in variants.items()}
    results: list[tuple[str, str, dict[str, tuple[float, float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[tuple[str, str], Path] = {}
        for name, by_variant in variants.items():
            for variant, data in by_variant.items():
                path = Path(tmp) / f"{name.replace(',', '')}-{variant.replace(' ', '-').replace('%', 'pc')}.yaml"
                path.write_text(programme_text(data), encoding="utf-8")
                files[name, variant] = path
        for name, command, extra, repeats in (
            ("1,000", "schedule", ["--format", "csv"], args.repeats),
            ("5,000", "schedule", ["--format", "csv"], max(3, args.repeats // 2)),
            ("1,000", "simulate", ["--iterations", str(ITERATIONS), "--seed", "1"], max(3, args.repeats // 2)),
        ):
            cases = {v: (lambda cmd=[SPINEKIT, command, str(files[name, v]), *extra]: child_cpu(cmd)) for v in VARIANTS}
            results.append(
                (
                    f"`spinekit {command}` {name} tasks{' x 10,000' if command == 'simulate' else ''}",
                    f"whole process, {repeats} runs",
                    interleaved(cases, repeats),
                )
            )
    for name, command, repeats in (
        ("1,000", "schedule", 4 * args.repeats),
        ("5,000", "schedule", 4 * args.repeats),
        ("1,000", "simulate", max(3, args.repeats // 2)),
    ):

        def work(data: dict, command: str = command) -> Callable[[], float]:
            def run() -> object:
                p = parse_programme(data)
                s = schedule(p)
                return simulate(p, ITERATIONS, seed=1, schedule=s) if command == "simulate" else s

            return lambda: own_cpu(run)

        cases = {v: work(variants[name][v]) for v in VARIANTS}
        what = "parse and schedule" if command == "schedule" else "parse, schedule and simulate x 10,000"
        results.append((f"{what}, {name} tasks", f"in process, {repeats} runs", interleaved(cases, repeats)))

    lines = [
        f"Measured {dt.date.today().isoformat()} with `uv run python benchmarks/bench_status.py --write` on "
        f"{host}. CPU time (user and system, all threads) in seconds, best run (median in brackets); "
        "ratios against no status, of the best runs (of the medians). The 30 % done status has "
        f"{done_counts['1,000']:,} of 1,000 and {done_counts['5,000']:,} of 5,000 tasks started or done.",
        "",
        "| case | measure | no status | empty status | ratio | 30 % done | ratio | target < 1.10x |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    met = True
    for case, measure, t in results:
        (base, base_median) = t["no status"]
        cells = []
        ok = True
        for variant in ("empty status", "30 % done"):
            best, median = t[variant]
            ok &= best / base < TARGET
            cells += [f"{best:.3f} ({median:.3f})", f"{best / base:.2f}x ({median / base_median:.2f}x)"]
        met &= ok
        lines.append(
            f"| {case} | {measure} | {base:.3f} ({base_median:.3f}) | {' | '.join(cells)} | "
            f"{'met' if ok else '**not met**'} |"
        )
    lines += ["", f"Target (a status adds less than 10 %, best runs, every case): **{'met' if met else 'not met'}**."]
    text = "\n".join(lines)
    return publish(text, START, END, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
