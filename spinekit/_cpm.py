"""Critical path passes over arrays: forward, backward and float, vectorised by network level.

The network is compiled once (:func:`compile_network`) into link arrays grouped by topological
generation. :func:`passes` then runs on durations of shape ``(tasks,)`` for one schedule, or
``(tasks, iterations)`` for many at once (Monte Carlo): every level is a handful of numpy
operations whatever the number of iterations, and there is no Python loop over iterations.

Constraints, with ``d`` the duration and ``EF = ES + d``::

    FS: ES(s) >= EF(p) + lag        SS: ES(s) >= ES(p) + lag
    FF: EF(s) >= EF(p) + lag        SF: EF(s) >= ES(p) + lag
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat
from typing import NamedTuple

import networkx as nx
import numpy as np

__all__ = ["CompiledNetwork", "Passes", "compile_network", "passes", "NO_DEADLINE"]

#: Upper bound used for tasks without a deadline (far beyond any real schedule).
NO_DEADLINE = 2**52

#: Link type -> 1 if it leaves the predecessor's finish, + 2 if it reaches the successor's finish.
_ENDS = {"FS": 1, "SF": 2, "FF": 3}


@dataclass(frozen=True)
class _Links:
    """Every link of the network as parallel arrays, in the order one pass visits them."""

    pred: np.ndarray
    succ: np.ndarray
    lag: np.ndarray
    pred_finish: np.ndarray  # 1 where the link leaves the predecessor's finish (FS, FF)
    succ_finish: np.ndarray  # 1 where the link reaches the successor's finish (FF, SF)


class _Level(NamedTuple):
    """One level of a pass (a tuple, as thousands are built and unpacked per network)."""

    links: slice  # this level's run of the pass's links
    source: np.ndarray  # the task each of those links reads from
    tasks: slice | np.ndarray  # tasks that receive a bound, each from one group of links
    starts: np.ndarray  # offset of each task's group within the run, for reduceat


@dataclass(frozen=True)
class _Pass:
    links: _Links
    levels: tuple[_Level, ...]


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """A validated network laid out as arrays, in topological order.

    ``ids[i]`` is the task at index ``i``; every predecessor has a lower index than its successors.
    """

    ids: tuple[str, ...]
    index: dict[str, int]
    forward: _Pass  # links grouped by successor, one level per generation
    backward: _Pass  # links grouped by predecessor, deepest generation first
    by_pred: _Level  # every backward link at once (for free float)

    @property
    def size(self) -> int:
        """Number of tasks."""
        return len(self.ids)

    def positions(self, ids) -> np.ndarray:
        """Indices of the given task ids."""
        return np.array([self.index[i] for i in ids], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Passes:
    """Early and late offsets (working days) for each task; arrays shaped like the durations."""

    es: np.ndarray
    ef: np.ndarray
    ls: np.ndarray
    lf: np.ndarray
    finish: np.ndarray  # programme finish F = max EF, shape () or (iterations,)

    @property
    def total_float(self) -> np.ndarray:
        """LS - ES for each task."""
        return self.ls - self.es


def _generations(tails: np.ndarray, heads: np.ndarray, n: int) -> np.ndarray:
    """Topological generation of each of ``n`` nodes, given each link's tail and head.

    Kahn's algorithm, first in first out: nodes leave the queue generation by generation, so a
    node's generation is one more than that of the predecessor that releases it.
    """
    successors = heads[np.argsort(tails)].tolist()
    bounds = [0, *np.cumsum(np.bincount(tails, minlength=n)).tolist()]
    waiting = np.bincount(heads, minlength=n).tolist()
    generation = [0] * n
    queue = [v for v, k in enumerate(waiting) if not k]
    for v in queue:
        nxt = generation[v] + 1
        for s in successors[bounds[v]:bounds[v + 1]]:
            waiting[s] -= 1
            if not waiting[s]:
                generation[s] = nxt
                queue.append(s)
    if len(queue) < n:
        raise nx.NetworkXUnfeasible("Graph contains a cycle or graph changed during iteration")
    return np.array(generation, dtype=np.int64)


def _read_links(graph: nx.DiGraph):
    """The nodes, and each link's tail and head (node positions), lag and ends.

    Links are read node by node, each node's links in: the order in which
    :func:`~spinekit.build_network` adds them, and so the order in which they lie in memory,
    which matters once a network outgrows the processor's caches.
    """
    nodes = list(graph)
    n = len(nodes)
    position = dict(zip(nodes, range(n)))
    preds = [nbrs for _, nbrs in graph.reverse(copy=False).adjacency()]
    in_degree = np.fromiter(map(len, preds), dtype=np.int64, count=n)
    m = int(in_degree.sum())
    tails = np.fromiter(map(position.__getitem__, chain.from_iterable(preds)), np.int64, count=m)
    heads = np.repeat(np.arange(n), in_degree)
    data = list(chain.from_iterable(map(dict.values, preds)))
    lag = np.fromiter(map(dict.get, data, repeat("lag"), repeat(0)), dtype=np.int64, count=m)
    kinds = map(dict.get, data, repeat("type"), repeat("FS"))
    ends = np.fromiter(map(_ENDS.get, kinds, repeat(0)), dtype=np.int64, count=m)
    return nodes, tails, heads, lag, ends


def _sorted_links(links: _Links, idx: np.ndarray) -> _Links:
    return _Links(links.pred[idx], links.succ[idx], links.lag[idx],
                  links.pred_finish[idx], links.succ_finish[idx])


def compile_network(graph: nx.DiGraph) -> CompiledNetwork:
    """Lay out a graph from :func:`~spinekit.build_network` as arrays for :func:`passes`."""
    nodes, tails, heads, lag, ends = _read_links(graph)
    n, m = len(nodes), tails.size
    generation = _generations(tails, heads, n)
    order = np.argsort(generation, kind="stable")  # task index -> node position
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    ids = tuple(map(nodes.__getitem__, order.tolist()))
    index = dict(zip(ids, range(n)))
    level = generation[order]
    depth = int(level.max(initial=0))
    first_task = np.searchsorted(level, np.arange(depth + 2))  # of each generation, and n
    links = _Links(rank[tails], rank[heads], lag, ends & 1, ends >> 1)

    # Forward: a generation's tasks are contiguous and, beyond the first, each has a link in.
    # Within a task's group links follow the graph's order, so the layout depends on it alone.
    forward = _sorted_links(links, np.argsort(links.succ * n + tails))
    first_in = np.searchsorted(forward.succ, np.arange(n + 1))
    offset = first_in[:n] - first_in[first_task[level]]
    bounds, first_in = first_task.tolist(), first_in.tolist()
    fwd_levels = []
    for g in range(1, depth + 1):
        t0, t1 = bounds[g], bounds[g + 1]
        e0, e1 = first_in[t0], first_in[t1]
        fwd_levels.append(_Level(slice(e0, e1), forward.pred[e0:e1], slice(t0, t1), offset[t0:t1]))

    # Backward: every generation but the last has tasks with links out, not all of them.
    backward = _sorted_links(links, np.argsort(links.pred * n + heads))
    tasks_out, first_out = np.unique(backward.pred, return_index=True)
    cut = np.searchsorted(tasks_out, first_task)
    offset = first_out - first_out[cut[level[tasks_out]]]
    cut, first_link = cut.tolist(), [*first_out.tolist(), m]
    bwd_levels = []
    for g in range(depth - 1, -1, -1):
        k0, k1 = cut[g], cut[g + 1]
        e0, e1 = first_link[k0], first_link[k1]
        bwd_levels.append(
            _Level(slice(e0, e1), backward.succ[e0:e1], tasks_out[k0:k1], offset[k0:k1])
        )

    by_pred = _Level(slice(0, m), backward.succ, tasks_out, first_out)
    return CompiledNetwork(ids, index, _Pass(forward, tuple(fwd_levels)),
                           _Pass(backward, tuple(bwd_levels)), by_pred)


def _col(a: np.ndarray, ndim: int) -> np.ndarray:
    return a if ndim == 1 else a.reshape(-1, *([1] * (ndim - 1)))


def passes(
    net: CompiledNetwork,
    durations: np.ndarray,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
) -> Passes:
    """Forward and backward passes.

    Parameters
    ----------
    net:
        The compiled network.
    durations:
        Shape ``(tasks,)`` or ``(tasks, iterations)``, in the order of ``net.ids``.
    lower:
        Earliest start per task (``not_before`` as an index, 0 otherwise); shape ``(tasks,)``.
    upper:
        Latest finish per task from deadlines (:data:`NO_DEADLINE` where there is none).

    Returns
    -------
    Passes
        ES, EF, LS, LF and the programme finish F = max EF; LF never exceeds F.
    """
    d = np.asarray(durations)
    nd = d.ndim
    n = net.size
    es = np.zeros_like(d)
    if lower is not None:
        es[...] = _col(np.maximum(np.asarray(lower), 0), nd)
    # One schedule in signed integers: the part of each bound that does not depend on ES or LF is
    # summed once for every link, which is exact in any order. Otherwise it is summed level by
    # level, in the order written below: floats then round exactly as written, and a level's
    # (links, iterations) products stay in cache where a table for every link would not.
    fused = nd == 1 and np.issubdtype(d.dtype, np.signedinteger)

    lk = net.forward.links
    pf, sf, lag = _col(lk.pred_finish, nd), _col(lk.succ_finish, nd), _col(lk.lag, nd)
    w = d[lk.pred] * pf + lag - d[lk.succ] * sf if fused else None
    for links, source, tasks, starts in net.forward.levels:
        if w is None:
            cand = es[source] + d[source] * pf[links] + lag[links] - d[lk.succ[links]] * sf[links]
        else:
            cand = es[source] + w[links]
        level = es[tasks]  # a view: a generation's tasks are contiguous
        np.maximum(level, np.maximum.reduceat(cand, starts, axis=0), out=level)
    ef = es + d
    finish = ef.max(axis=0) if n else np.zeros(d.shape[1:], dtype=d.dtype)

    lf = np.empty_like(ef)
    lf[...] = finish
    if upper is not None:
        np.minimum(lf, _col(np.asarray(upper), nd), out=lf)
    lk = net.backward.links
    ps, ss, lag = 1 - _col(lk.pred_finish, nd), 1 - _col(lk.succ_finish, nd), _col(lk.lag, nd)
    w = d[lk.pred] * ps - lag - d[lk.succ] * ss if fused else None
    for links, source, tasks, starts in net.backward.levels:
        if w is None:
            cand = lf[source] - d[source] * ss[links] - lag[links] + d[lk.pred[links]] * ps[links]
        else:
            cand = lf[source] + w[links]
        lf[tasks] = np.minimum(lf[tasks], np.minimum.reduceat(cand, starts, axis=0))
    return Passes(es, ef, lf - d, lf, finish)


def free_float(net: CompiledNetwork, durations: np.ndarray, result: Passes) -> np.ndarray:
    """Free float: min(F - EF, the least slack to any successor), per task."""
    d = np.asarray(durations)
    nd = d.ndim
    ff = result.finish - result.ef
    lk, lv = net.backward.links, net.by_pred
    if lk.pred.size:
        at_s = result.es[lk.succ] + d[lk.succ] * _col(lk.succ_finish, nd)
        at_p = result.es[lk.pred] + d[lk.pred] * _col(lk.pred_finish, nd)
        slack = at_s - _col(lk.lag, nd) - at_p
        ff[lv.tasks] = np.minimum(ff[lv.tasks], np.minimum.reduceat(slack, lv.starts, axis=0))
    return ff
