"""Critical path passes over arrays: forward, backward and float.

The network is compiled once (:func:`compile_network`): tasks in topological order, links
grouped by the task each pass updates. :func:`passes` then runs on durations of shape
``(tasks,)`` for one schedule, or ``(tasks, iterations)`` for many at once (Monte Carlo).

Two engines compute the same passes. One schedule in whole days runs in the compiled kernels
(``_kernels.c``, through :mod:`spinekit.engine.native`), one task at a time. Everything else, and
everything where the kernels were not built, runs in numpy level by level: each topological
generation is a handful of numpy operations whatever the number of iterations, with no Python
loop over iterations.

Constraints, with ``d`` the duration and ``EF = ES + d``::

    FS: ES(s) >= EF(p) + lag        SS: ES(s) >= ES(p) + lag
    FF: EF(s) >= EF(p) + lag        SF: EF(s) >= ES(p) + lag
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from spinekit.engine import native as _native

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CompiledNetwork", "Passes", "compile_network", "compile_links", "passes", "NO_DEADLINE", "LINK_ENDS"]

#: Upper bound used for tasks without a deadline (far beyond any real schedule).
NO_DEADLINE = 2**52

#: Link type -> 1 if it leaves the predecessor's finish, + 2 if it reaches the successor's finish.
#: Each link type as two bits: 1 leaves from the predecessor's finish, 2 reaches the successor's finish.
LINK_ENDS = {"FS": 1, "SS": 0, "SF": 2, "FF": 3}
_ENDS = LINK_ENDS


@dataclass(frozen=True)
class _Links:
    """Every link of the network as parallel arrays, grouped by the task a pass updates.

    ``ptr`` has one entry per task and one more: that task's links are ``ptr[i]:ptr[i + 1]``.
    """

    ptr: np.ndarray
    pred: np.ndarray
    succ: np.ndarray
    lag: np.ndarray
    pred_finish: np.ndarray  # 1 where the link leaves the predecessor's finish (FS, FF)
    succ_finish: np.ndarray  # 1 where the link reaches the successor's finish (FF, SF)

    # The kernels take the arrays themselves and their addresses afresh on every call, never
    # kept: a copied or unpickled network has arrays of its own, elsewhere in memory.
    def into(self) -> tuple[np.ndarray, ...]:
        """The arrays of the compiled forward pass (links grouped by successor)."""
        return (self.ptr, self.pred, self.lag, self.pred_finish, self.succ_finish)

    def out_of(self) -> tuple[np.ndarray, ...]:
        """The arrays of the compiled backward pass and free float (grouped by predecessor)."""
        return (self.ptr, self.succ, self.lag, self.pred_finish, self.succ_finish)


class _Level(NamedTuple):
    """One level of a numpy pass (a tuple, as thousands are built and unpacked per network)."""

    links: slice  # this level's run of the pass's links
    source: np.ndarray  # the task each of those links reads from
    tasks: slice | np.ndarray  # tasks that receive a bound, each from one group of links
    starts: np.ndarray  # offset of each task's group within the run, for reduceat


class _Levels(NamedTuple):
    forward: tuple[_Level, ...]  # one per generation after the first
    backward: tuple[_Level, ...]  # deepest generation first, the last one left out
    by_pred: _Level  # every backward link at once (for free float)


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """A validated network laid out as arrays, in topological order.

    ``ids[i]`` is the task at index ``i``; tasks are ordered by topological generation, so every
    predecessor has a lower index than its successors.
    """

    ids: tuple[str, ...]
    index: dict[str, int]
    generation: np.ndarray  # of each task, in index order (non-decreasing)
    forward: _Links  # links grouped by successor
    backward: _Links  # the same links grouped by predecessor

    @property
    def size(self) -> int:
        """Number of tasks."""
        return len(self.ids)

    def positions(self, ids: Iterable[str]) -> npt.NDArray[np.int64]:
        """Indices of the given task ids."""
        return np.array([self.index[i] for i in ids], dtype=np.int64)

    @cached_property
    def lag_extent(self) -> int:
        """The largest lag or lead, in absolute value (for the overflow check)."""
        return _extent(self.forward.lag)

    @cached_property
    def levels(self) -> _Levels:
        """The links cut into topological levels, for the numpy passes (built when first used).

        Each level is a handful of numpy operations whatever the number of iterations, which is
        what lets :func:`passes` schedule thousands of Monte Carlo iterations at once.
        """
        n, gen = self.size, self.generation
        depth = int(gen[-1]) if n else 0
        bounds = np.searchsorted(gen, np.arange(depth + 2)).tolist()  # first task of each, and n

        # Forward: a generation's tasks are contiguous and, beyond the first, each has a link in.
        fw = self.forward
        first_in = fw.ptr.tolist()
        offset = fw.ptr[:n] - fw.ptr[np.asarray(bounds)[gen]]  # of each task's links in its level
        fwd = []
        for g in range(1, depth + 1):
            t0, t1 = bounds[g], bounds[g + 1]
            e0, e1 = first_in[t0], first_in[t1]
            fwd.append(_Level(slice(e0, e1), fw.pred[e0:e1], slice(t0, t1), offset[t0:t1]))

        # Backward: every generation but the last has tasks with links out, not all of them.
        bw = self.backward
        tasks_out = np.flatnonzero(np.diff(bw.ptr))
        first_out = bw.ptr[tasks_out]
        cut = np.searchsorted(tasks_out, bounds)
        offset = first_out - first_out[cut[gen[tasks_out]]]
        cut, first_link = cut.tolist(), [*first_out.tolist(), bw.pred.size]
        bwd = []
        for g in range(depth - 1, -1, -1):
            k0, k1 = cut[g], cut[g + 1]
            e0, e1 = first_link[k0], first_link[k1]
            bwd.append(_Level(slice(e0, e1), bw.succ[e0:e1], tasks_out[k0:k1], offset[k0:k1]))
        by_pred = _Level(slice(0, bw.pred.size), bw.succ, tasks_out, first_out)
        return _Levels(tuple(fwd), tuple(bwd), by_pred)


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
        tf: np.ndarray = self.ls - self.es
        return tf


def _generations(tails: np.ndarray, heads: np.ndarray, n: int) -> np.ndarray | None:
    """Topological generation of each of ``n`` nodes, given each link's tail and head.

    Kahn's algorithm, first in first out: nodes leave the queue generation by generation, so a
    node's generation is one more than that of the predecessor that releases it. ``None`` when
    the links form a cycle.
    """
    ptr, k = _group(tails, n)
    successors = heads[k].tolist()
    bounds = ptr.tolist()
    waiting = np.bincount(heads, minlength=n).tolist()
    generation = [0] * n
    queue = [v for v, k in enumerate(waiting) if not k]
    for v in queue:
        nxt = generation[v] + 1
        for s in successors[bounds[v] : bounds[v + 1]]:
            waiting[s] -= 1
            if not waiting[s]:
                generation[s] = nxt
                queue.append(s)
    if len(queue) < n:
        return None
    return np.array(generation, dtype=np.int64)


def _stable_order(key: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """``np.argsort(key, kind="stable")`` for non-negative task indices, several times faster.

    Each key is made distinct by its position (``key * len(key) + position``, far within 64
    bits for any network that fits in memory), so the default sort gives the one stable order.
    """
    return np.argsort(key * key.size + np.arange(key.size))


def _group(key: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and a stable ordering of links grouped by ``key`` (a task index per link)."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return ptr, _stable_order(key)


def _layout_numpy(tails: np.ndarray, heads: np.ndarray, n: int) -> _native.Layout | None:
    """:func:`spinekit.engine.native.layout` in numpy and Python, for when the kernels are absent."""
    generation = _generations(tails, heads, n)
    if generation is None:
        return None
    order = _stable_order(generation)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    in_ptr, in_link = _group(rank[heads], n)
    out_ptr, out_link = _group(rank[tails], n)
    return generation, order, rank, in_ptr, in_link, out_ptr, out_link


def _read_links(
    graph: nx.DiGraph,
) -> tuple[list[Any], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The nodes, and each link's tail and head (node positions), lag and ends.

    Links are read node by node, each node's links in the order in which
    :func:`~spinekit.build_network` adds them.
    """
    pred = graph._pred  # what graph.pred views, without a view per node
    nodes = list(pred)
    n = len(nodes)
    position = dict(zip(nodes, range(n)))
    preds = list(pred.values())
    in_degree = np.fromiter(map(len, preds), dtype=np.int64, count=n)
    m = int(in_degree.sum())
    tails = np.fromiter(map(position.__getitem__, chain.from_iterable(preds)), np.int64, count=m)
    heads = np.repeat(np.arange(n), in_degree)
    data = list(chain.from_iterable(map(dict.values, preds)))
    try:  # every link of a graph from build_network has both
        lag = np.fromiter(map(itemgetter("lag"), data), dtype=np.int64, count=m)
        ends = np.fromiter(map(_ENDS.__getitem__, map(itemgetter("type"), data)), np.int64, count=m)
    except KeyError:
        lag = np.fromiter(map(dict.get, data, repeat("lag"), repeat(0)), dtype=np.int64, count=m)
        kinds = map(dict.get, data, repeat("type"), repeat("FS"))
        ends = np.fromiter(map(_ENDS.get, kinds, repeat(0)), dtype=np.int64, count=m)
    return nodes, tails, heads, lag, ends


def compile_network(graph: nx.DiGraph) -> CompiledNetwork:
    """Lay out a graph from :func:`~spinekit.build_network` as arrays for :func:`passes`."""
    compiled = compile_links(*_read_links(graph))
    if compiled is None:
        import networkx as nx

        raise nx.NetworkXUnfeasible("Graph contains a cycle or graph changed during iteration")
    return compiled


def compile_links(
    nodes: list[Any],
    tails: npt.NDArray[np.int64],
    heads: npt.NDArray[np.int64],
    lag: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
) -> CompiledNetwork | None:
    """Lay out tasks ``nodes`` and links ``tails[k] -> heads[k]`` (positions in ``nodes``).

    ``lag`` is each link's lag in working days and ``ends`` its type as two bits (1: leaves
    from the predecessor's finish, 2: reaches the successor's finish). Each task's links come
    in the order in which they were written. Returns ``None`` when the links form a cycle.
    """
    n = len(nodes)
    lay = (_native.layout if _native.LIBRARY is not None else _layout_numpy)(tails, heads, n)
    if lay is None:
        return None
    generation, order, rank, in_ptr, in_link, out_ptr, out_link = lay
    ids = tuple(map(nodes.__getitem__, order.tolist()))
    pred, succ = rank[tails], rank[heads]
    pf, sf = ends & 1, ends >> 1

    def frozen(a: npt.ArrayLike) -> npt.NDArray[np.int64]:
        a = np.ascontiguousarray(a, dtype=np.int64)
        a.flags.writeable = False  # a guard against slips; the kernels check the grouping anyway
        return a

    def grouped(ptr: np.ndarray, k: np.ndarray) -> _Links:
        return _Links(*map(frozen, (ptr, pred[k], succ[k], lag[k], pf[k], sf[k])))

    return CompiledNetwork(
        ids, dict(zip(ids, range(n))), frozen(generation[order]), grouped(in_ptr, in_link), grouped(out_ptr, out_link)
    )


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

    Raises
    ------
    ValueError
        ``lower`` or ``upper`` is neither one value per task nor a single value, or, with
        integer durations, not whole working days.
    OverflowError
        Integer durations, lags or bounds so large that the passes could not add them exactly
        in 64 bits (far beyond any real programme: sums up to 2**61 working days are allowed).

    Integer durations of any width are scheduled in int64, and so are their bounds.
    """
    d = _durations(durations)
    whole = d.dtype == np.int64
    lower, upper = _bound(net, lower, "lower", whole), _bound(net, upper, "upper", whole)
    if whole:
        _check_span(net, d, _highest(lower), _lowest(upper))
    if _native_ok(d):
        return _passes_native(net, d, lower, upper)
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
    levels = net.levels

    lk = net.forward
    pf, sf, lag = _col(lk.pred_finish, nd), _col(lk.succ_finish, nd), _col(lk.lag, nd)
    w = d[lk.pred] * pf + lag - d[lk.succ] * sf if fused else None
    for links, source, tasks, starts in levels.forward:
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
    lk = net.backward
    ps, ss, lag = 1 - _col(lk.pred_finish, nd), 1 - _col(lk.succ_finish, nd), _col(lk.lag, nd)
    w = d[lk.pred] * ps - lag - d[lk.succ] * ss if fused else None
    for links, source, tasks, starts in levels.backward:
        if w is None:
            cand = lf[source] - d[source] * ss[links] - lag[links] + d[lk.pred[links]] * ps[links]
        else:
            cand = lf[source] + w[links]
        lf[tasks] = np.minimum(lf[tasks], np.minimum.reduceat(cand, starts, axis=0))
    return Passes(es, ef, lf - d, lf, finish)


#: The largest magnitude the integer passes may reach: far from int64's limit, so that no sum
#: of two such values overflows. A deadline later than this is the same as none.
_LIMIT = 2**61


def _durations(durations: npt.ArrayLike) -> np.ndarray:
    """Durations as an array; integers of any width (or booleans) as int64."""
    d = np.asarray(durations)
    if d.dtype.kind in "ub" and d.size and int(d.max()) >= _LIMIT:
        raise OverflowError("durations are too large to schedule exactly in 64-bit integers")
    return d.astype(np.int64) if d.dtype.kind in "iub" and d.dtype != np.int64 else d


def _bound(net: CompiledNetwork, b: npt.ArrayLike | None, name: str, whole: bool) -> np.ndarray | None:
    """``lower`` or ``upper`` as an array of one value per task or a single value.

    With integer durations (``whole``) the bound becomes int64 too, so that both engines compute
    in the same signed integers: it must then be whole days, a deadline later than
    :data:`_LIMIT` (infinity included) meaning none.
    """
    if b is None:
        return None
    a = np.asarray(b)
    if a.shape not in ((), (net.size,)):
        raise ValueError(f"{name}: expected one value per task ({net.size}) or a single value, got shape {a.shape}")
    if not whole or a.dtype == np.int64 and name == "lower":
        return a
    if a.dtype.kind not in "iubf":
        raise ValueError(f"{name}: expected numbers, got {a.dtype}")
    if name == "upper":
        a = np.minimum(a, _LIMIT)
    if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.floor(a))):
        raise ValueError(f"{name}: expected whole working days")
    if a.size and (a.max() >= _LIMIT if name == "lower" else a.min() <= -_LIMIT):
        raise OverflowError(f"{name}: a bound beyond any schedule")
    return a.astype(np.int64)


def _extent(a: np.ndarray) -> int:
    """The largest absolute value in an integer array."""
    return max(_highest(a), _lowest(a))


def _highest(a: np.ndarray | None) -> int:
    return max(int(a.max()), 0) if a is not None and a.size else 0


def _lowest(a: np.ndarray | None) -> int:
    """How far below zero ``a`` reaches."""
    return max(-int(a.min()), 0) if a is not None and a.size else 0


def _check_span(net: CompiledNetwork, d: np.ndarray, high: int, low: int) -> None:
    """Refuse int64 inputs whose sums could pass :data:`_LIMIT`, in either engine.

    Along at most ``n`` links each bound moves by no more than two durations and a lag, so no
    offset strays further than that above ``high`` (the latest lower bound) or below ``-low``
    (the earliest deadline before the start); later deadlines only ever lower LF towards F.
    """
    step = 2 * _extent(d) + net.lag_extent
    if (net.size + 1) * step + high + low >= _LIMIT:
        raise OverflowError(
            "durations, lags or bounds are too large to schedule exactly in "
            "64-bit integers; check for a stray huge value"
        )


def _native_ok(d: np.ndarray) -> bool:
    """Whether the compiled kernels can run this: one schedule, in 64-bit integers."""
    return _native.LIBRARY is not None and d.ndim == 1 and d.dtype == np.int64


def _passes_native(net: CompiledNetwork, d: np.ndarray, lower: np.ndarray | None, upper: np.ndarray | None) -> Passes:
    d = np.ascontiguousarray(d)
    n = net.size
    es = np.zeros(n, dtype=np.int64)
    if lower is not None:
        np.maximum(lower, 0, out=es)
    _native.forward(n, net.forward.into(), d, es)
    ef = es + d
    finish = ef.max() if n else np.zeros((), dtype=d.dtype)
    lf = np.full(n, finish, dtype=np.int64)
    if upper is not None:
        np.minimum(lf, upper, out=lf)
    _native.backward(n, net.backward.out_of(), d, lf)
    return Passes(es, ef, lf - d, lf, finish)


def free_float(net: CompiledNetwork, durations: np.ndarray, result: Passes) -> np.ndarray:
    """Free float: min(F - EF, the least slack to any successor), per task."""
    d = _durations(durations)
    lk = net.backward
    es = np.asarray(result.es)
    if d.dtype == np.int64 and es.dtype == np.int64:  # as for passes, in either engine
        finish = np.asarray(result.finish)
        _check_span(net, d, max(_extent(es), _extent(finish)), 0)
    if _native_ok(d) and es.dtype == np.int64 and np.ndim(result.finish) == 0:
        end = int(result.finish)
        return _native.free_float(net.size, lk.out_of(), np.ascontiguousarray(d), np.ascontiguousarray(es), end)
    ff: np.ndarray = result.finish - result.ef
    if lk.pred.size:
        lv = net.levels.by_pred
        slack = link_slack(lk, result.es, d)
        ff[lv.tasks] = np.minimum(ff[lv.tasks], np.minimum.reduceat(slack, lv.starts, axis=0))
    return ff


def link_slack(links: _Links, es: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """How far each link is from binding: 0 where it holds its successor back, more if not.

    The end of the successor the link reaches, less the lag, less the end of the predecessor
    it leaves (the constraints in the module docstring, rearranged). ``es`` and ``durations``
    are shaped ``(tasks,)`` or ``(tasks, iterations)``; the result has one value (or row) per link.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b", {"type": "FS", "lag": 1}), ("a", "c", {"type": "SS", "lag": 0})])
    >>> net = compile_network(g)
    >>> d = np.array([3, 2, 1])                               # a, b, c in net.ids order
    >>> link_slack(net.forward, np.array([0, 5, 0]), d).tolist()   # a->b (FS), a->c (SS)
    [1, 0]
    """
    nd = durations.ndim
    at_s = es[links.succ] + durations[links.succ] * _col(links.succ_finish, nd)
    at_p = es[links.pred] + durations[links.pred] * _col(links.pred_finish, nd)
    slack: np.ndarray = at_s - _col(links.lag, nd) - at_p
    return slack
