"""Benchmark: what costs add to ``simulate`` on the 1,000-task benchmark network.

The same random network (``bench_simulate.random_programme_data``) is simulated as it is and
with costs: every task that takes time uses one of three resources (one in four part-time),
one task in five has a three-point fixed cost, and the programme has two standing costs.
Durations are drawn from the same streams either way, so the difference is the cost work.

    uv run python benchmarks/bench_cost.py              # prints the medians and the ratio
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from bench_simulate import random_programme_data

from spinekit import parse_programme, schedule, simulate


def with_costs(data: dict, seed: int = 0) -> dict:
    """``data`` with resources, fixed costs and standing costs added."""
    rng = np.random.default_rng(seed)
    out = dict(data)
    out["resources"] = [
        {"id": "dev", "rate": 4200},
        {"id": "test", "rate": 2500},
        {"id": "cso", "rate": 850},
    ]
    out["standing_costs"] = [{"name": "programme management", "rate": 600}, {"name": "hosting", "rate": 90}]
    tasks = []
    for t in data["tasks"]:
        t = dict(t)
        if t["duration"] != 0:
            rid = str(rng.choice(["dev", "test", "cso"]))
            t["resources"] = [{"id": rid, "share": 0.5}] if rng.random() < 0.25 else [rid]
        if rng.random() < 0.2:
            likely = float(rng.integers(1000, 20000))
            t["cost"] = {"min": likely * 0.7, "likely": likely, "max": likely * 1.8}
        tasks.append(t)
    out["tasks"] = tasks
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = random_programme_data(args.tasks)
    times: dict[str, list[float]] = {"without costs": [], "with costs": []}
    programmes = {"without costs": parse_programme(data), "with costs": parse_programme(with_costs(data))}
    scheds = {k: schedule(p) for k, p in programmes.items()}
    for _ in range(args.repeats):
        for key, p in programmes.items():  # interleaved, so load changes hit both alike
            t = time.perf_counter()
            simulate(p, args.iterations, seed=1, schedule=scheds[key])
            times[key].append(time.perf_counter() - t)
    base, costed = (statistics.median(times[k]) for k in ("without costs", "with costs"))
    print(f"simulate {args.tasks:,} tasks x {args.iterations:,} iterations, medians of {args.repeats}")
    print(f"  without costs {base:.3f} s")
    print(f"  with costs    {costed:.3f} s  (+{costed / base - 1:.1%})")


if __name__ == "__main__":
    main()
