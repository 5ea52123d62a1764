"""Benchmark spinekit's deterministic CPM schedule against three peers on random networks.

Compares the full schedule (forward pass, backward pass, total and free float) computed by
spinekit (:func:`spinekit.passes` and ``free_float`` on a network laid out by
:func:`spinekit.compile_network`) with

* a straightforward networkx implementation that walks the nodes one at a time in
  ``nx.topological_sort`` order, reading links through ``G.pred`` / ``G.succ``;
* the same algorithm over plain Python lists of integers (``lists``), the network turned into
  them beforehand: the fastest plain-Python program we know of;
* the ``criticalpath`` package (PyPI), which knows only finish-to-start links without lags, so
  it runs on a finish-to-start-only variant of each network.

Before it is timed, every peer is checked against spinekit on the very network it is timed on
(ES, EF, LS and LF of every task, hence total float; free float where the peer computes it), so
the comparison is between programs that compute the same schedule.

Two things are timed for each. *Scheduling a prepared network*: each program's network is made
ready beforehand as that program keeps it (spinekit: compiled; networkx: the graph and a
topological order; lists: its lists; criticalpath: its own ``Node`` network), then the passes
and floats are timed. *A first schedule from a graph in hand*: the preparation is timed as
well.

Run with the ``bench`` dependency group::

    uv run --group bench python benchmarks/bench_schedule.py
    uv run --group bench python benchmarks/bench_schedule.py --sizes 1000 10000 --repeats 5
    uv run --group bench python benchmarks/bench_schedule.py --write   # updates docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import _common
import networkx as nx
import numpy as np
from _common import DOC, replace_between

from spinekit.engine import native as _native
from spinekit.engine.cpm import compile_network, free_float, passes

RESULTS_START = "<!-- results: start -->"
RESULTS_END = "<!-- results: end -->"
#: Ids are strings, as in a programme file; "EXIT" is reserved by criticalpath.
ID = "T{:06d}"


# -- random networks ---------------------------------------------------------------------------


def random_network(n: int, *, fs_only: bool = False, recency: float = 30.0, seed: int = 0):
    """A random project network of ``n`` tasks and its durations (working days).

    Task ``i`` has 1-3 predecessors among tasks ``0..i-1``; the distance back to each is drawn
    from an exponential distribution with mean ``recency``, so links mostly join nearby tasks
    and the network is deep, as a real programme is. Links are 80 % FS, 10 % SS, 8 % FF, 2 % SF
    (``fs_only`` makes them all FS without lag); SS/FF/SF carry a lag of 0-5 days and one FS link
    in ten one of 0-5 days. Durations are 1-20 days with one task in twenty a milestone (0).
    The same ``n`` and ``seed`` give the same network; ``fs_only`` keeps the same topology and
    durations.
    """
    rng = np.random.default_rng(seed)
    ids = [ID.format(i) for i in range(n)]
    durations = rng.integers(1, 21, size=n)
    durations[rng.random(n) < 0.05] = 0
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    n_pred = rng.integers(1, 4, size=n)
    kinds = rng.choice(["FS", "SS", "FF", "SF"], p=[0.80, 0.10, 0.08, 0.02], size=(n, 3))
    lags = rng.integers(0, 6, size=(n, 3))
    fs_lag = rng.random((n, 3)) < 0.1
    back = 1 + np.floor(rng.exponential(recency, size=(n, 3))).astype(np.int64)
    for i in range(1, n):
        preds = {max(0, i - b) for b in back[i, : n_pred[i]]}
        for j, p in enumerate(sorted(preds)):
            kind = "FS" if fs_only else str(kinds[i, j])
            lag = 0 if fs_only or (kind == "FS" and not fs_lag[i, j]) else int(lags[i, j])
            graph.add_edge(ids[p], ids[i], type=kind, lag=lag)
    return graph, dict(zip(ids, durations.tolist()))


# -- the three implementations -----------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """Per-task results, in a common id -> value form for comparison."""

    es: dict
    ef: dict
    ls: dict
    lf: dict
    free_float: dict | None


def spinekit_engine(graph: nx.DiGraph, duration: dict):
    """From a graph in hand: compile, gather durations, passes, free float."""
    net = compile_network(graph)
    d = np.fromiter((duration[i] for i in net.ids), dtype=np.int64, count=net.size)
    res = passes(net, d)
    return net, res, free_float(net, d, res)


def spinekit_repeat(net, d: np.ndarray):
    """The repeated-use path: passes and free float on an already compiled network."""
    res = passes(net, d)
    return res, free_float(net, d, res)


def spinekit_result(graph: nx.DiGraph, duration: dict) -> Result:
    net, res, ff = spinekit_engine(graph, duration)

    def by_id(a):
        return dict(zip(net.ids, a.tolist()))

    return Result(by_id(res.es), by_id(res.ef), by_id(res.ls), by_id(res.lf), by_id(ff))


def networkx_cpm(graph: nx.DiGraph, duration: dict, order: list | None = None) -> Result:
    """CPM one node at a time over ``nx.topological_sort``, with the same link semantics.

    ``order``, a topological order worked out beforehand, skips the sort: the peer's own
    preparation of a network, as :func:`~spinekit.compile_network` is spinekit's.
    """
    if order is None:
        order = list(nx.topological_sort(graph))
    es: dict = {}
    ef: dict = {}
    for v in order:
        d = duration[v]
        start = 0
        for p, link in graph.pred[v].items():
            kind, lag = link["type"], link["lag"]
            if kind == "FS":
                bound = ef[p] + lag
            elif kind == "SS":
                bound = es[p] + lag
            elif kind == "FF":
                bound = ef[p] + lag - d
            else:
                bound = es[p] + lag - d
            if bound > start:
                start = bound
        es[v] = start
        ef[v] = start + d
    finish = max(ef.values(), default=0)

    ls: dict = {}
    lf: dict = {}
    ff: dict = {}
    for v in reversed(order):
        d = duration[v]
        late = finish
        free = finish - ef[v]
        for s, link in graph.succ[v].items():
            kind, lag = link["type"], link["lag"]
            if kind == "FS":
                bound, slack = ls[s] - lag, es[s] - lag - ef[v]
            elif kind == "SS":
                bound, slack = ls[s] - lag + d, es[s] - lag - es[v]
            elif kind == "FF":
                bound, slack = lf[s] - lag, ef[s] - lag - ef[v]
            else:
                bound, slack = lf[s] - lag + d, ef[s] - lag - es[v]
            if bound < late:
                late = bound
            if slack < free:
                free = slack
        lf[v] = late
        ls[v] = late - d
        ff[v] = free
    return Result(es, ef, ls, lf, ff)


@dataclass(frozen=True)
class ListNetwork:
    """A network as plain Python lists, tasks numbered in topological order: a per-task
    program's counterpart of spinekit's compiled network, made once and scheduled many times.
    ``links_in[v]`` and ``links_out[v]`` hold ``(other task, leaves finish, reaches finish,
    lag)`` for each link, the flags as 0 or 1 as in spinekit's arrays."""

    ids: list
    duration: list
    links_in: list
    links_out: list


def list_network(graph: nx.DiGraph, duration: dict) -> ListNetwork:
    ids = list(nx.topological_sort(graph))
    at = {v: i for i, v in enumerate(ids)}
    ends = {"FS": (1, 0), "SS": (0, 0), "FF": (1, 1), "SF": (0, 1)}

    def link(other, data):
        pf, sf = ends[data["type"]]
        return (at[other], pf, sf, data["lag"])

    return ListNetwork(
        ids,
        [duration[v] for v in ids],
        [[link(p, k) for p, k in graph.pred[v].items()] for v in ids],
        [[link(s, k) for s, k in graph.succ[v].items()] for v in ids],
    )


def lists_cpm(net: ListNetwork):
    """CPM one task at a time over integer lists: the fastest plain-Python peer we know of."""
    dur, n = net.duration, len(net.duration)
    es = [0] * n
    for v in range(n):
        dv, start = dur[v], 0
        for p, pf, sf, lag in net.links_in[v]:
            bound = es[p] + dur[p] * pf + lag - dv * sf
            if bound > start:
                start = bound
        es[v] = start
    finish = max((e + d for e, d in zip(es, dur)), default=0)
    lf, ff = [0] * n, [0] * n
    for v in range(n - 1, -1, -1):
        dv, late, free = dur[v], finish, finish - es[v] - dur[v]
        for s, pf, sf, lag in net.links_out[v]:
            bound = lf[s] - dur[s] * (1 - sf) - lag + dv * (1 - pf)
            if bound < late:
                late = bound
            slack = es[s] + dur[s] * sf - lag - es[v] - dv * pf
            if slack < free:
                free = slack
        lf[v], ff[v] = late, free
    return es, lf, ff


def lists_result(net: ListNetwork) -> Result:
    es, lf, ff = lists_cpm(net)
    ef = [e + d for e, d in zip(es, net.duration)]
    ls = [f - d for f, d in zip(lf, net.duration)]

    def by_id(a):
        return dict(zip(net.ids, a))

    return Result(by_id(es), by_id(ef), by_id(ls), by_id(lf), by_id(ff))


def criticalpath_cpm(graph: nx.DiGraph, duration: dict):
    """The ``criticalpath`` package from a graph in hand: build its nodes, link, update_all."""
    project = criticalpath_network(graph, duration)
    project.update_all()
    return project


def criticalpath_network(graph: nx.DiGraph, duration: dict):
    """The ``criticalpath`` package's own network for a graph, ready for ``update_all()``.

    ``Node.update_all`` ends by calling ``get_critical_path``, which enumerates every path
    through the network (exponential in the number of tasks: it does not finish on these
    networks), so that one step is replaced by a constant; the forward and backward passes run
    as shipped. ``add_exit`` joins every sink to a zero-length exit node, without which the
    package would set each sink's late finish to its own early finish instead of the programme
    finish.
    """
    from criticalpath import Node

    project = Node("project")
    for v in graph:
        project.add(Node(v, duration=duration[v]))
    for u, v in graph.edges:
        project.link(u, v)
    project.add_exit()
    exit_node = project.exit_node
    project.get_critical_path = lambda as_item=False: (0, [exit_node], set())
    return project


def criticalpath_result(project) -> Result:
    nodes = [node for node in project.nodes if node is not project.exit_node]
    return Result(
        {n.name: n.es for n in nodes},
        {n.name: n.ef for n in nodes},
        {n.name: n.ls for n in nodes},
        {n.name: n.lf for n in nodes},
        None,
    )


def check_same(name: str, got: Result, want: Result) -> None:
    """Raise AssertionError unless ``got`` equals spinekit's ``want`` for every task."""
    for field in ("es", "ef", "ls", "lf", "free_float"):
        g, w = getattr(got, field), getattr(want, field)
        if g is None:
            continue
        bad = [k for k in w if g[k] != w[k]]
        if bad:
            raise AssertionError(f"{name} disagrees with spinekit on {field} for {len(bad)} tasks, e.g. {bad[0]}")


# -- timing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall times of one case, in seconds: the best run and the median run."""

    best: float
    median: float


@dataclass(frozen=True)
class Case:
    """``fn(setup())`` timed ``runs`` times; ``setup``, untimed, runs before each."""

    fn: Callable
    runs: int
    setup: Callable[[], object] | None = None


def measure(cases: dict[str, Case]) -> dict[str, Timing]:
    """Time each case with the garbage collector on.

    The cases take turns, one run each, so that a busy spell on the machine falls on all of them
    alike rather than on whichever happened to be running.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for k in range(max(c.runs for c in cases.values())):
        for name, c in cases.items():
            if k < c.runs:
                args = () if c.setup is None else (c.setup(),)
                gc.collect()
                t0 = time.perf_counter()
                c.fn(*args)
                times[name].append(time.perf_counter() - t0)
    return {name: Timing(min(t), statistics.median(t)) for name, t in times.items()}


@dataclass(frozen=True)
class Row:
    tasks: int
    links: int
    levels: int
    variant: str
    repeat: Timing  # passes + free_float on a compiled network
    prepared: dict[str, Timing]  # peer -> its passes and floats on its prepared network
    engine: Timing  # compile_network, durations in order, passes, free_float: from a graph
    first: dict[str, Timing]  # peer -> preparation, passes and floats, from a graph

    def speedup(self, stat: str = "best") -> float:
        """Scheduling a prepared network: the fastest peer's time over spinekit's."""
        return min(getattr(t, stat) for t in self.prepared.values()) / getattr(self.repeat, stat)

    def first_speedup(self, stat: str = "best") -> float:
        """A first schedule from a graph: the fastest peer's time over spinekit's engine."""
        return min(getattr(t, stat) for t in self.first.values()) / getattr(self.engine, stat)


def run(size: int, variant: str, args: argparse.Namespace) -> Row:
    """Check each implementation against spinekit on one network (a warm-up too), then time it."""
    fs_only = variant == "FS only"
    graph, duration = random_network(size, fs_only=fs_only, recency=args.recency, seed=args.seed)
    net = compile_network(graph)
    d = np.fromiter((duration[i] for i in net.ids), dtype=np.int64, count=net.size)
    order = list(nx.topological_sort(graph))
    lists = list_network(graph, duration)

    want = spinekit_result(graph, duration)
    check_same("networkx", networkx_cpm(graph, duration), want)
    check_same("networkx (order given)", networkx_cpm(graph, duration, order), want)
    check_same("lists", lists_result(lists), want)
    check_same("lists (from a graph)", lists_result(list_network(graph, duration)), want)
    n = args.repeats
    cases = {
        "spinekit": Case(lambda: spinekit_repeat(net, d), n),
        "networkx": Case(lambda: networkx_cpm(graph, duration, order), n),
        "lists": Case(lambda: lists_cpm(lists), n),
        "spinekit first": Case(lambda: spinekit_engine(graph, duration), n),
        "networkx first": Case(lambda: networkx_cpm(graph, duration), n),
        "lists first": Case(lambda: lists_cpm(list_network(graph, duration)), n),
    }
    if fs_only and size <= args.criticalpath_max:
        check_same("criticalpath", criticalpath_result(criticalpath_cpm(graph, duration)), want)
        runs = args.criticalpath_repeats
        cases["criticalpath"] = Case(
            lambda project: project.update_all(), runs, lambda: criticalpath_network(graph, duration)
        )
        cases["criticalpath first"] = Case(lambda: criticalpath_cpm(graph, duration), runs)
    spinekit_repeat(net, d)

    t = measure(cases)
    levels = sum(1 for _ in nx.topological_generations(graph))
    peers = [name for name in t if name != "spinekit" and not name.endswith(" first")]
    return Row(
        size,
        graph.number_of_edges(),
        levels,
        variant,
        t["spinekit"],
        {p: t[p] for p in peers},
        t["spinekit first"],
        {p: t[f"{p} first"] for p in peers},
    )


# -- report ------------------------------------------------------------------------------------


def machine() -> str:
    import criticalpath

    versions = (
        f"networkx {nx.__version__}, criticalpath {criticalpath.__version__}; spinekit "
        f"engine: {_native.status().split(' (')[0]}"
    )
    return f"{dt.date.today().isoformat()} on {_common.machine(versions)}"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.2f}" if seconds < 1 else f"{seconds * 1e3:,.0f}"


def cell(t: Timing) -> str:
    return f"{ms(t.best)} ({ms(t.median)})"


PEERS = ("networkx", "lists", "criticalpath")


def table(rows: list[Row], criticalpath_max: int, first: bool) -> str:
    """One table: scheduling prepared networks, or (``first``) first schedules from a graph."""
    lines = [
        "| tasks | links | levels | link types | spinekit | networkx | lists | criticalpath "
        "| fastest peer ÷ spinekit |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        times = r.first if first else r.prepared
        mine, ratio = (r.engine, r.first_speedup) if first else (r.repeat, r.speedup)
        peers = []
        for p in PEERS:
            if p in times:
                peers.append(cell(times[p]))
            elif r.variant == "FS only":
                peers.append(f"not run (> {criticalpath_max:,} tasks)")
            else:
                peers.append("n/a (FS only)")
        lines.append(
            f"| {r.tasks:,} | {r.links:,} | {r.levels:,} | {r.variant} | **{cell(mine)}** "
            f"| {' | '.join(peers)} | {ratio('best'):,.1f}× ({ratio('median'):,.1f}×) |"
        )
    return "\n".join(lines)


def verdict(rows: list[Row]) -> str:
    """The project's targets at 10,000 tasks: the worse of the two link mixes, best runs."""
    at_10k = [r for r in rows if r.tasks == 10_000]
    if not at_10k:
        return "Targets not judged: no 10,000-task run."
    worst = max(at_10k, key=lambda r: r.engine.best)
    slowest = min(at_10k, key=lambda r: r.speedup())
    first = min(at_10k, key=lambda r: r.first_speedup())
    met_time, met_ratio = worst.engine.best < 0.05, slowest.speedup() >= 10
    first_ok = first.first_speedup() >= 10
    return (
        f"Targets at 10,000 tasks (best runs, the worse of the two link mixes). **Time**: a first "
        f"schedule from a graph in hand, compilation included, takes {ms(worst.engine.best)} ms "
        f"(median {ms(worst.engine.median)} ms) against under 50 ms: "
        f"**{'met' if met_time else 'missed'}**. **Speed**, judged on scheduling a prepared "
        f"network (forward pass, backward pass, total and free float): "
        f"{slowest.speedup():,.1f}× faster than the fastest peer (medians: "
        f"{slowest.speedup('median'):,.1f}×) against at least 10×: "
        f"**{'met' if met_ratio else 'missed'}**. Judged instead on a first schedule from a "
        f"graph in hand, preparation included on both sides, spinekit is "
        f"{first.first_speedup():.1f}× faster than the fastest peer (medians: "
        f"{first.first_speedup('median'):.1f}×): **{'met' if first_ok else 'short of 10×'}**."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1_000, 10_000, 100_000],
        help="numbers of tasks (default: 1000 10000 100000)",
    )
    parser.add_argument(
        "--repeats", type=int, default=21, help="timed runs of spinekit and of the networkx and lists peers per case"
    )
    parser.add_argument("--criticalpath-repeats", type=int, default=3, help="timed runs of criticalpath per case")
    parser.add_argument(
        "--criticalpath-max",
        type=int,
        default=10_000,
        help="largest network given to criticalpath (its time grows steeply)",
    )
    parser.add_argument(
        "--recency", type=float, default=30.0, help="mean distance back, in tasks, from a task to its predecessors"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="replace the results section of docs/performance.md")
    args = parser.parse_args(argv)

    measured = machine()
    rows = []
    for size in args.sizes:
        for variant in ("mixed", "FS only"):
            rows.append(run(size, variant, args))
            print(f"done: {size:,} tasks, {variant}", file=sys.stderr, flush=True)
    text = (
        f"Measured {measured}. Wall time in ms, best (median) of {args.repeats} runs, "
        f"{args.criticalpath_repeats} for criticalpath; networks from "
        f"`random_network(n, seed={args.seed}, recency={args.recency:g})`. "
        f"Every peer agreed with spinekit on every task.\n\n"
        f"**Scheduling a prepared network** (forward pass, backward pass, total and free "
        f"float):\n\n{table(rows, args.criticalpath_max, first=False)}\n\n"
        f"**A first schedule from a graph in hand** (preparation included):\n\n"
        f"{table(rows, args.criticalpath_max, first=True)}\n\n{verdict(rows)}"
    )
    print(text)
    if args.write:
        replace_between(RESULTS_START, RESULTS_END, text)
        print(f"written to {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
