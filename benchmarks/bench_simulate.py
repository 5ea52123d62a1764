"""Benchmark spinekit's Monte Carlo simulation: speed, memory and the gain over a per-iteration loop.

Three measurements, each against a target from the simulation's design:

* **speed** - 10,000 iterations of a random 1,000-task network (three-point durations, mostly
  PERT, all four link types with lags), criticality and sensitivity included: under 1 s on a
  2-core machine. The figure is the whole :func:`spinekit.simulate` call, deterministic
  schedule, sampling and summaries included; best and median of several runs.
* **memory** - the bundled example (with its risks and correlations) at 100,000 and 1,000,000
  iterations, each in a fresh process: peak RSS above the process's level after a warm-up run.
  Everything but the finish offsets kept for the percentiles (8 bytes per iteration for F, for
  the copy of F the percentiles sort, and for each risk's "without" run) is bounded by the chunk
  size, so the two peaks should differ by about that much and no more.
* **speed-up** - against scheduling one iteration at a time, on the same networks: (a) calling
  the CPM passes (:func:`spinekit.passes`) on one iteration's durations, with criticality, for a
  sample of iterations, durations drawn beforehand so the loop pays for nothing else; and
  (b) calling the deterministic scheduler :func:`spinekit.schedule` per iteration. Both are
  extrapolated from a sample to the full iteration count.

Run::

    uv run python benchmarks/bench_simulate.py
    uv run python benchmarks/bench_simulate.py --write     # updates docs/performance.md
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import DOC, machine, replace_between

import spinekit
from spinekit import Duration, example_path, parse_programme, read_programme, schedule, simulate
from spinekit.engine.cpm import passes
from spinekit.engine.schedule import constraint_bounds

HEADING = "## Monte Carlo simulation"
START = "<!-- monte-carlo results: start -->"
END = "<!-- monte-carlo results: end -->"
DATE = "2026-11-26"


def random_programme(n: int, *, seed: int = 0, recency: float = 30.0):
    """:func:`random_programme_data` as a programme."""
    return parse_programme(random_programme_data(n, seed=seed, recency=recency))


def random_programme_data(n: int, *, seed: int = 0, recency: float = 30.0) -> dict:
    """A random programme of ``n`` tasks with three-point durations, as a programme file's data.

    Task ``i`` has 1-3 predecessors among the tasks before it, at distances drawn from an
    exponential distribution with mean ``recency`` (so the network is deep, like a real
    programme). Links are 80 % FS, 10 % SS, 8 % FF, 2 % SF; non-FS links and one FS link in
    ten carry a lag of 0-5 days. One task in twenty is a milestone; the rest have whole-day
    estimates (likely 2-29 days, min up to half below, max up to twice above), 80 % PERT,
    10 % triangular, 10 % uniform. No risks or correlations.
    """
    rng = np.random.default_rng(seed)
    tasks = []
    for i in range(n):
        task: dict = {"id": f"T{i:05d}"}
        if rng.random() < 0.05:
            task["duration"] = 0
        else:
            likely = int(rng.integers(2, 30))
            dist = str(rng.choice(["pert"] * 8 + ["triangular", "uniform"]))
            task["duration"] = {
                "min": likely - int(rng.integers(0, likely // 2 + 1)),
                "likely": likely,
                "max": likely + int(rng.integers(1, 2 * likely + 2)),
                "dist": dist,
            }
        if i:
            back = np.unique(np.minimum(i, 1 + rng.exponential(recency, int(rng.integers(1, 4))).astype(int)))
            links = []
            for b in back:
                kind = str(rng.choice(["FS", "SS", "FF", "SF"], p=[0.8, 0.1, 0.08, 0.02]))
                lag = int(rng.integers(0, 6)) if kind != "FS" or rng.random() < 0.1 else 0
                links.append({"task": f"T{i - int(b):05d}", "type": kind, "lag": lag})
            task["depends_on"] = links
        tasks.append(task)
    return {"name": f"random {n}", "start": "2027-01-04", "tasks": tasks}


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def bench_speed(n: int, iterations: int, repeats: int) -> dict:
    p = random_programme(n)
    simulate(p, 200, seed=0)  # warm caches (calendar, imports)
    times = _timed(lambda: simulate(p, iterations, seed=1), repeats)
    r = simulate(p, iterations, seed=1)
    return {
        "tasks": n,
        "links": sum(len(t.depends_on) for t in p.tasks),
        "iterations": iterations,
        "best": min(times),
        "median": statistics.median(times),
        "sensitivity_iterations": r.sensitivity_iterations,
    }


def bench_stages(n: int, iterations: int) -> dict:
    """Serial time of each stage of one run; a real run draws the next chunk during the passes."""
    from spinekit.engine.simulate import _CHUNK_CELLS, _MIN_CHUNK, _Sampler, _sensitivity_size, _spearman

    p = random_programme(n)
    out = {}
    t = time.perf_counter()
    sched = schedule(p)
    out["schedule"] = time.perf_counter() - t
    net = sched.network
    lower, upper = constraint_bounds(p, net)
    sampler = _Sampler.build(p, net, 1)
    width = max(_MIN_CHUNK, _CHUNK_CELLS // net.size)
    t = time.perf_counter()
    draws = [sampler.draw(min(width, iterations - f)) for f in range(0, iterations, width)]
    out["sampling"] = time.perf_counter() - t
    t = time.perf_counter()
    finish = []
    for d in draws:
        res = passes(net, d.durations, lower, upper)
        np.count_nonzero(res.total_float <= 1e-9, axis=1)
        finish.append(res.finish)
    out["passes and criticality"] = time.perf_counter() - t
    size = _sensitivity_size(iterations, sampler.varying.size)
    sample = np.concatenate([d.durations[sampler.varying] for d in draws], axis=1)[:, :size]
    t = time.perf_counter()
    _spearman(sample, np.concatenate(finish)[:size], sampler.may_tie)
    out["sensitivity"] = time.perf_counter() - t
    return out


def bench_correlation_cost(iterations: int) -> dict:
    """The bundled example with and without its correlation groups (exact Beta inverse CDFs)."""
    p = read_programme(example_path())
    simulate(p, 1000, seed=0)
    out = {}
    for name, q in (("with", p), ("without", dataclasses.replace(p, correlations=()))):
        out[name] = min(_timed(lambda q=q: simulate(q, iterations, seed=1), 2))
    out["iterations"] = iterations
    out["pert_correlated"] = sum(
        1
        for t in {x for c in p.correlations for x in c.tasks}
        if not p.task(t).duration.is_fixed and p.task(t).duration.dist == "pert"
    )
    return out


def bench_loop(programme, iterations: int, vectorised: float, sample: int, schedule_sample: int) -> dict:
    """Per-iteration loops, extrapolated from ``sample`` iterations to ``iterations``."""
    sched = schedule(programme)
    net = sched.network
    lower, upper = constraint_bounds(programme, net)
    by_id = {t.id: t.duration for t in programme.tasks}
    rng = np.random.default_rng(2)
    draws = np.array(
        [
            np.full(sample, float(by_id[i].likely))
            if by_id[i].is_fixed
            else rng.uniform(by_id[i].min, by_id[i].max, sample)
            for i in net.ids
        ]
    )
    critical = np.zeros(net.size, dtype=np.int64)

    def loop():
        for k in range(sample):
            res = passes(net, draws[:, k], lower, upper)
            np.add(critical, res.total_float <= 1e-9, out=critical)

    per_pass = min(_timed(loop, 3)) / sample

    variants = []
    for k in range(schedule_sample):
        tasks = tuple(
            dataclasses.replace(t, duration=Duration.fixed(int(round(draws[net.index[t.id], k]))))
            for t in programme.tasks
        )
        variants.append(dataclasses.replace(programme, tasks=tasks))
    t = time.perf_counter()
    for v in variants:
        schedule(v)
    per_schedule = (time.perf_counter() - t) / schedule_sample
    return {
        "passes_loop": per_pass * iterations,
        "schedule_loop": per_schedule * iterations,
        "speedup_passes": per_pass * iterations / vectorised,
        "speedup_schedule": per_schedule * iterations / vectorised,
    }


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def memory_child(iterations: int) -> None:
    """Print the run's time and peak RSS (Linux: VmHWM, reset after the warm-up run)."""
    p = read_programme(example_path())
    simulate(p, 1000, seed=0)
    # ru_maxrss would carry over the parent's peak across fork and exec; VmHWM is this
    # process's own, and writing 5 to clear_refs resets it to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")
    base = _status_mib("VmRSS")
    t = time.perf_counter()
    r = simulate(p, iterations, seed=1)
    seconds = time.perf_counter() - t
    print(
        json.dumps(
            {
                "iterations": iterations,
                "seconds": seconds,
                "base_mib": base,
                "peak_mib": _status_mib("VmHWM"),
                "kept_mib": 8 * (2 + len(p.risks)) * iterations / 2**20,
                "p80": r.to_dict()["finish_offset"]["p80"],
            }
        )
    )


def bench_memory(sizes: list[int]) -> list[dict]:
    out = []
    for n in sizes:
        run = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(n)], capture_output=True, text=True, check=True
        )
        out.append(json.loads(run.stdout))
    return out


def report(speed: dict, stages: dict, loop: dict, example_loop: dict, memory: list[dict], corr: dict, host: str) -> str:
    p = read_programme(example_path())
    example = (
        f"{len(p.tasks)} tasks, {len(p.risks)} risks, {len(p.correlations)} correlation groups, `{example_path().name}`"
    )
    lines = [
        f"Measured {DATE} with `uv run python benchmarks/bench_simulate.py --write` on {host}.",
        "",
        f"**Speed.** {speed['iterations']:,} iterations of a random {speed['tasks']:,}-task network "
        f"({speed['links']:,} links, mostly PERT durations), criticality and sensitivity included "
        f"(sensitivity over all {speed['sensitivity_iterations']:,} iterations): "
        f"**{speed['best']:.2f} s** best, {speed['median']:.2f} s median. Target: under 1 s.",
        "",
        "Each stage run on its own, serially (a run draws the next chunk on a second core while "
        "the passes run): " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()) + ".",
        "",
        f"**Memory.** The bundled example ({example}), each run in a fresh process; peak RSS during "
        "the run, and its increase over the RSS before it (after imports and a 1,000-iteration "
        "warm-up):",
        "",
        "| iterations | time | peak RSS | increase | per-iteration arrays: F, its sorted copy, each risk's F |",
        "|---:|---:|---:|---:|---:|",
    ]
    for m in memory:
        lines.append(
            f"| {m['iterations']:,} | {m['seconds']:.1f} s | {m['peak_mib']:.0f} MiB | "
            f"{m['peak_mib'] - m['base_mib']:.0f} MiB | {m['kept_mib']:.0f} MiB |"
        )
    if len(memory) >= 2:
        a, b = memory[0], memory[-1]
        growth = b["peak_mib"] - a["peak_mib"]
        kept = b["kept_mib"] - a["kept_mib"]
        lines += [
            "",
            f"From {a['iterations']:,} to {b['iterations']:,} iterations the peak grows by "
            f"{growth:.0f} MiB, against {kept:.0f} MiB more in the per-iteration arrays (8 bytes "
            "each per iteration, as documented): the rest of the working set (chunk arrays, the "
            "sensitivity sample) does not grow with iterations.",
        ]
    lines += [
        "",
        f"The example's {corr['pert_correlated']} correlated PERT tasks go through the "
        "exact Beta inverse CDF (`scipy.special.betaincinv`, about 1 µs a draw), which sets the "
        f"pace of these runs: {corr['iterations']:,} iterations take {corr['with']:.2f} s with "
        f"the correlation groups and {corr['without']:.2f} s without them.",
    ]
    lines += [
        "",
        "**Speed-up over a per-iteration loop** (loops timed on a sample, extrapolated):",
        "",
        "| network | vectorised | loop over `passes` (1-D) | speed-up | loop over `schedule()` | speed-up |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, lp in (
        (f"random {speed['tasks']:,} tasks, {speed['iterations']:,} iterations", loop),
        (f"bundled example, {memory[-1]['iterations']:,} iterations", example_loop),
    ):
        lines.append(
            f"| {name} | {lp['vectorised']:.2f} s | {lp['passes_loop']:.1f} s | "
            f"{lp['speedup_passes']:.0f}x | {lp['schedule_loop']:.0f} s | {lp['speedup_schedule']:.0f}x |"
        )
    low_schedule = min(loop["speedup_schedule"], example_loop["speedup_schedule"])
    low_passes = min(loop["speedup_passes"], example_loop["speedup_passes"])
    per_iteration = loop["vectorised"] / speed["iterations"] * 1e6
    lines += [
        "",
        "Target: at least 100x faster than looping the deterministic scheduler. Against "
        f"`schedule()` per iteration the gain is at least {low_schedule:.0f}x "
        f"({'met' if low_schedule >= 100 else 'not met'}). Against the stricter baseline, the bare "
        f"`passes` loop, it is at least {low_passes:.0f}x "
        f"({'met' if low_passes >= 100 else 'not met'}): that loop is given durations drawn in "
        "advance and does only the two passes and the float test, each already vectorised across "
        "the tasks of a network level, so it pays numpy's per-call overhead per level rather than "
        f"per task; the vectorised run costs {per_iteration:.0f} µs per iteration on "
        f"{speed['tasks']:,} tasks, sampling and sensitivity included, where the passes themselves "
        "are memory-bound numpy operations.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--write", action="store_true", help=f"update the {HEADING!r} section of {DOC.name}")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return

    host = machine(f"spinekit {spinekit.__version__}")
    print(host, file=sys.stderr)
    speed = bench_speed(args.tasks, args.iterations, args.repeats)
    print("speed", speed, file=sys.stderr)
    stages = bench_stages(args.tasks, args.iterations)
    print("stages", stages, file=sys.stderr)
    loop = bench_loop(random_programme(args.tasks), args.iterations, speed["best"], 200, 10)
    loop["vectorised"] = speed["best"]
    print("loop", loop, file=sys.stderr)
    memory = bench_memory(args.memory)
    print("memory", memory, file=sys.stderr)
    example = read_programme(example_path())
    example_loop = bench_loop(example, memory[-1]["iterations"], memory[-1]["seconds"], 2000, 50)
    example_loop["vectorised"] = memory[-1]["seconds"]
    print("example loop", example_loop, file=sys.stderr)
    corr = bench_correlation_cost(100_000)
    print("correlation", corr, file=sys.stderr)

    body = report(speed, stages, loop, example_loop, memory, corr, host)
    print(body)
    if args.write:
        replace_between(START, END, body)
        print(f"\nwritten to {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
