"""Critical path passes over arrays: forward, backward and float, vectorised by network level.

The network is compiled once (:func:`compile_network`) into edge arrays grouped by topological
generation. :func:`passes` then runs on durations of shape ``(tasks,)`` for one schedule, or
``(tasks, iterations)`` for many at once (Monte Carlo): every level is a handful of numpy
operations whatever the number of iterations, and there is no Python loop over iterations.

Constraints, with ``d`` the duration and ``EF = ES + d``::

    FS: ES(s) >= EF(p) + lag        SS: ES(s) >= ES(p) + lag
    FF: EF(s) >= EF(p) + lag        SF: EF(s) >= ES(p) + lag
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = ["CompiledNetwork", "Passes", "compile_network", "passes", "NO_DEADLINE"]

#: Upper bound used for tasks without a deadline (far beyond any real schedule).
NO_DEADLINE = 2**52


@dataclass(frozen=True)
class _Level:
    tasks: np.ndarray  # task indices that receive a bound at this level
    pred: np.ndarray  # edge predecessor index, grouped by the task receiving the bound
    succ: np.ndarray  # edge successor index, grouped the same way
    lag: np.ndarray
    pred_finish: np.ndarray  # 1 where the link leaves the predecessor's finish (FS, FF)
    succ_finish: np.ndarray  # 1 where the link reaches the successor's finish (FF, SF)
    starts: np.ndarray  # offsets of each task's group, for reduceat


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """A validated network laid out as arrays, in topological order.

    ``ids[i]`` is the task at index ``i``; every predecessor has a lower index than its successors.
    """

    ids: tuple[str, ...]
    index: dict[str, int]
    forward: tuple[_Level, ...]
    backward: tuple[_Level, ...]
    by_pred: _Level  # every edge, grouped by predecessor (for free float)

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


def _group(order_key: np.ndarray, group_key: np.ndarray, pred, succ, lag, pf, sf) -> _Level:
    idx = np.lexsort((order_key, group_key))
    keys = group_key[idx]
    tasks, starts = np.unique(keys, return_index=True)
    return _Level(tasks, pred[idx], succ[idx], lag[idx], pf[idx], sf[idx], starts)


def compile_network(graph: nx.DiGraph) -> CompiledNetwork:
    """Lay out a graph from :func:`~spinekit.build_network` as arrays for :func:`passes`."""
    position = {node: k for k, node in enumerate(graph.nodes)}
    generations = [sorted(g, key=position.__getitem__) for g in nx.topological_generations(graph)]
    ids = tuple(node for gen in generations for node in gen)
    index = {node: i for i, node in enumerate(ids)}
    level_of = np.empty(len(ids), dtype=np.int64)
    for depth, gen in enumerate(generations):
        level_of[[index[n] for n in gen]] = depth

    m = graph.number_of_edges()
    pred = np.empty(m, dtype=np.int64)
    succ = np.empty(m, dtype=np.int64)
    lag = np.empty(m, dtype=np.int64)
    pf = np.empty(m, dtype=np.int64)
    sf = np.empty(m, dtype=np.int64)
    for k, (u, v, data) in enumerate(graph.edges(data=True)):
        pred[k], succ[k], lag[k] = index[u], index[v], data.get("lag", 0)
        kind = data.get("type", "FS")
        pf[k] = kind in ("FS", "FF")
        sf[k] = kind in ("FF", "SF")

    def levels(of: np.ndarray, key: np.ndarray) -> tuple[_Level, ...]:
        out = []
        lv = level_of[of]
        order = np.argsort(lv, kind="stable")
        bounds = np.flatnonzero(np.diff(lv[order])) + 1
        for chunk in np.split(order, bounds) if m else []:
            out.append(_group(np.arange(chunk.size), key[chunk], pred[chunk], succ[chunk],
                              lag[chunk], pf[chunk], sf[chunk]))
        return tuple(out)

    forward = levels(succ, succ)
    backward = tuple(reversed(levels(pred, pred)))
    by_pred = _group(np.arange(m), pred, pred, succ, lag, pf, sf)
    return CompiledNetwork(ids, index, forward, backward, by_pred)


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
    for lv in net.forward:
        dp, ds = d[lv.pred], d[lv.succ]
        cand = es[lv.pred] + dp * _col(lv.pred_finish, nd) + _col(lv.lag, nd) - ds * _col(lv.succ_finish, nd)
        best = np.maximum.reduceat(cand, lv.starts, axis=0)
        es[lv.tasks] = np.maximum(es[lv.tasks], best)
    ef = es + d
    finish = ef.max(axis=0) if n else np.zeros(d.shape[1:], dtype=d.dtype)

    lf = np.empty_like(ef)
    lf[...] = finish
    if upper is not None:
        np.minimum(lf, _col(np.asarray(upper), nd), out=lf)
    for lv in net.backward:
        dp, ds = d[lv.pred], d[lv.succ]
        bound = (lf[lv.succ] - ds * (1 - _col(lv.succ_finish, nd)) - _col(lv.lag, nd)
                 + dp * (1 - _col(lv.pred_finish, nd)))
        best = np.minimum.reduceat(bound, lv.starts, axis=0)
        lf[lv.tasks] = np.minimum(lf[lv.tasks], best)
    return Passes(es, ef, lf - d, lf, finish)


def free_float(net: CompiledNetwork, durations: np.ndarray, result: Passes) -> np.ndarray:
    """Free float: min(F - EF, the least slack to any successor), per task."""
    d = np.asarray(durations)
    nd = d.ndim
    ff = result.finish - result.ef
    lv = net.by_pred
    if lv.pred.size:
        at_s = result.es[lv.succ] + d[lv.succ] * _col(lv.succ_finish, nd)
        at_p = result.es[lv.pred] + d[lv.pred] * _col(lv.pred_finish, nd)
        slack = at_s - _col(lv.lag, nd) - at_p
        ff[lv.tasks] = np.minimum(ff[lv.tasks], np.minimum.reduceat(slack, lv.starts, axis=0))
    return ff
