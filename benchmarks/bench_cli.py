"""Whole-process timings of the ``spinekit`` command, each beside a baseline measured in the same run.

What a planner waits for is the whole process: interpreter start, imports, reading the file,
the work, writing the output. Each case is run as a fresh process (wall time, median of
``--repeats`` runs, cases interleaved so that a busy moment hits all of them alike) beside the
baseline it is judged against:

* ``spinekit --version`` and ``spinekit --help`` against ``python -c "import numpy"``: no slower;
* ``spinekit schedule`` on the bundled example (the default table, and CSV) against
  ``python -c "import numpy, yaml, pydantic"``: within 2.5x;
* ``spinekit schedule`` of a random 5,000-task network (CSV out) against TaskJuggler (``tj3``)
  scheduling the same network from ``spinekit export --to tjp`` (its CSV report out): at least
  10x faster. The network's links are FS and SS (with lags), the two kinds TaskJuggler has.
  Before timing, tj3's finish dates are checked against spinekit's for every task;
* ``spinekit simulate`` of a random 1,000-task network, 10,000 iterations, against a floor: a
  numpy-only process that loads the same network's arrays, draws the same kind of durations and
  runs the forward pass alone (no backward pass, criticality, sensitivity or output): within 2x.

The environment is compiled to bytecode first (``python -m compileall``), as an installed
package is. Run::

    uv run python benchmarks/bench_cli.py             # prints the table
    uv run python benchmarks/bench_cli.py --write     # also updates docs/performance.md
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import _common
import numpy as np
import yaml
from _common import publish
from bench_simulate import random_programme_data

import spinekit
from spinekit import schedule
from spinekit.interop.tjp import TJP_REPORT, to_tjp

START = "<!-- command results: start -->"
END = "<!-- command results: end -->"
PY = sys.executable
SPINEKIT = str(Path(PY).with_name("spinekit"))

FLOOR = r"""
import sys
import numpy as np

data = np.load(sys.argv[1])
lo, mode, hi = data["lo"], data["mode"], data["hi"]
ptr, pred, lag, kind = data["ptr"], data["pred"], data["lag"], data["kind"]
iterations = int(sys.argv[2])
rng = np.random.default_rng(1)
# Tasks are in topological order; every iteration at once, task by task.
d = np.rint(rng.triangular(lo, mode, np.maximum(hi, mode + 1e-9), size=(iterations, lo.size)))
es = np.zeros((iterations, lo.size))
bounds = ptr.tolist()
for j in range(lo.size):
    a, b = bounds[j], bounds[j + 1]
    if a == b:
        continue
    p = pred[a:b]
    cand = es[:, p] + lag[a:b] + d[:, p] * (kind[a:b] & 1)  # from the predecessor's start or finish
    cand -= d[:, j : j + 1] * (kind[a:b] >> 1)  # to the successor's start or finish
    es[:, j] = np.maximum(cand.max(axis=1), 0)
finish = (es + d).max(axis=1)
print(float(np.percentile(finish, 80)))
"""


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def medians(cases: dict[str, list[str]], cwd: Path, repeats: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for cmd in cases.values():  # one warm-up each: the file cache, not the bytecode, is cold
        timed(cmd, cwd)
    for _ in range(repeats):
        for name, cmd in cases.items():
            runs[name].append(timed(cmd, cwd))
    return {name: statistics.median(t) for name, t in runs.items()}


def write_programme(programme_dict: dict, path: Path) -> None:
    path.write_text(yaml.safe_dump(programme_dict, sort_keys=False), encoding="utf-8")


def taskjuggler_links(data: dict) -> dict:
    """``data`` with its FF and SF links made FS: TaskJuggler's links constrain only starts."""
    for task in data["tasks"]:
        for link in task.get("depends_on", []):
            if link["type"] not in ("FS", "SS"):
                link["type"] = "FS"
    return data


def floor_arrays(path: Path, programme_file: Path) -> None:
    """The network of ``programme_file`` as arrays for the floor process, tasks in topological order."""
    import networkx as nx

    from spinekit import read_programme
    from spinekit.engine.network import build_network

    p = read_programme(programme_file)
    g = build_network(p)
    order = list(nx.topological_sort(g))
    pos = {tid: i for i, tid in enumerate(order)}
    tasks = {t.id: t for t in p.tasks}
    ends = {"FS": 1, "SS": 0, "FF": 3, "SF": 2}
    ptr, pred, lag, kind = [0], [], [], []
    for tid in order:
        for dep in tasks[tid].depends_on:
            pred.append(pos[dep.task])
            lag.append(dep.lag)
            kind.append(ends[dep.type])
        ptr.append(len(pred))
    durations = [tasks[t].duration for t in order]
    np.savez(
        path,
        lo=np.array([d.min for d in durations], float),
        mode=np.array([d.likely for d in durations], float),
        hi=np.array([d.max for d in durations], float),
        ptr=np.array(ptr),
        pred=np.array(pred, dtype=np.int64),
        lag=np.array(lag, dtype=float),
        kind=np.array(kind, dtype=np.int64),
    )


def check_tj3_agrees(programme_file: Path, folder: Path) -> None:
    from spinekit import read_programme

    p = read_programme(programme_file)
    sched = schedule(p).table.set_index("id")
    rows = (folder / f"{TJP_REPORT}.csv").read_text(encoding="utf-8").splitlines()[1:]
    wrong = 0
    for line in rows:
        tj_id, _start, end, _name = line.split(";", 3)
        tid = tj_id.strip('"')
        if tid in sched.index and str(sched.at[tid, "finish"]) != end.strip('"')[:10]:
            wrong += 1
    if wrong or len(rows) != len(sched):
        raise SystemExit(f"tj3 and spinekit disagree on {wrong} of {len(rows)} tasks; not timing them")


def compile_environment() -> None:
    paths = sysconfig.get_paths()
    for root in {paths["purelib"], paths["platlib"], str(Path(spinekit.__file__).parent)}:
        compileall.compile_dir(root, quiet=1, workers=0)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args(argv)
    if shutil.which("tj3") is None:
        raise SystemExit("tj3 (TaskJuggler) is needed: apt-get install tj3")
    compile_environment()
    host = _common.machine(f"spinekit {spinekit.__version__}; bytecode compiled beforehand")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, sim = folder / "network-5000.yaml", folder / "network-1000.yaml"
        # Links reach back 300 tasks on average, so the plan ends in 2030: TaskJuggler 3 schedules
        # only up to 2035.
        write_programme(taskjuggler_links(random_programme_data(5000, seed=5, recency=300)), big)
        write_programme(random_programme_data(1000, seed=1), sim)
        (folder / "plan.tjp").write_text(to_tjp(__import__("spinekit").read_programme(big)), encoding="utf-8")
        subprocess.run(["tj3", "--no-color", "plan.tjp"], cwd=folder, check=True, capture_output=True)
        check_tj3_agrees(big, folder)
        floor_arrays(folder / "floor.npz", sim)
        (folder / "floor.py").write_text(FLOOR, encoding="utf-8")

        quick = medians(
            {
                "numpy": [PY, "-c", "import numpy"],
                "version": [SPINEKIT, "--version"],
                "help": [SPINEKIT, "--help"],
                "numpy yaml pydantic": [PY, "-c", "import numpy, yaml, pydantic"],
                "schedule": [SPINEKIT, "schedule"],
                "schedule csv": [SPINEKIT, "schedule", "--format", "csv"],
            },
            folder,
            args.repeats,
        )
        heavy = medians(
            {
                "numpy ": [PY, "-c", "import numpy"],
                "schedule 5000": [SPINEKIT, "schedule", str(big), "--format", "csv"],
                "tj3 5000": ["tj3", "--no-color", "plan.tjp"],
                "simulate": [SPINEKIT, "simulate", str(sim), "--iterations", "10000", "--seed", "1"],
                "floor": [PY, "floor.py", "floor.npz", "10000"],
            },
            folder,
            max(3, args.repeats // 2),
        )
    t = {**quick, **heavy}
    rows = [
        ("`spinekit --version`", t["version"], "`import numpy`", t["numpy"], 1.0, "no slower"),
        ("`spinekit --help`", t["help"], "`import numpy`", t["numpy"], 1.0, "no slower"),
        (
            "`spinekit schedule` (example, table)",
            t["schedule"],
            "`import numpy, yaml, pydantic`",
            t["numpy yaml pydantic"],
            2.5,
            "within 2.5x",
        ),
        (
            "`spinekit schedule --format csv` (example)",
            t["schedule csv"],
            "`import numpy, yaml, pydantic`",
            t["numpy yaml pydantic"],
            2.5,
            "within 2.5x",
        ),
        (
            "`spinekit schedule` 5,000 tasks (CSV)",
            t["schedule 5000"],
            "`tj3` on the same network",
            t["tj3 5000"],
            0.1,
            "at least 10x faster",
        ),
        (
            "`spinekit simulate` 1,000 tasks x 10,000",
            t["simulate"],
            "numpy forward-pass floor",
            t["floor"],
            2.0,
            "within 2x",
        ),
    ]
    lines = [
        f"Measured {dt.date.today().isoformat()} with `uv run python benchmarks/bench_cli.py --write` on {host}. "
        f"Medians of {args.repeats} runs (the 5,000-task, tj3 and simulation cases {max(3, args.repeats // 2)}), "
        "each a fresh process, wall time.",
        "",
        "| command | time | baseline | baseline time | ratio | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for name, got, base_name, base, limit, target in rows:
        met = got <= base * limit
        lines.append(
            f"| {name} | {got:.3f} s | {base_name} | {base:.3f} s | {ratio(got, base)} | {target} | "
            f"{'yes' if met else '**no**'} |"
        )
    text = "\n".join(lines)
    return publish(text, START, END, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
