"""Both critical path engines agree with a plain per-task implementation of the same rules.

The reference below follows the scheduling contract one task at a time (forward in topological
order, backward in reverse), over networkx, written independently of spinekit's arrays: the
compiled kernels and the level-by-level numpy passes are each checked against it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinekit import compile_network, passes
from spinekit.engine.cpm import NO_DEADLINE, free_float


def reference(graph, dur, lower, upper):
    order = list(nx.topological_sort(graph))
    es, ef = {}, {}
    for v in order:
        best = max(0, lower[v])
        for u in graph.predecessors(v):
            kind, lag = graph.edges[u, v]["type"], graph.edges[u, v]["lag"]
            if kind == "FS":
                best = max(best, ef[u] + lag)
            elif kind == "SS":
                best = max(best, es[u] + lag)
            elif kind == "FF":
                best = max(best, ef[u] + lag - dur[v])
            else:  # SF
                best = max(best, es[u] + lag - dur[v])
        es[v], ef[v] = best, best + dur[v]
    finish = max(ef.values())
    lf, ls = {}, {}
    for u in reversed(order):
        best = min(finish, upper[u])
        for v in graph.successors(u):
            kind, lag = graph.edges[u, v]["type"], graph.edges[u, v]["lag"]
            if kind == "FS":
                best = min(best, ls[v] - lag)
            elif kind == "SS":
                best = min(best, ls[v] - lag + dur[u])
            elif kind == "FF":
                best = min(best, lf[v] - lag)
            else:  # SF
                best = min(best, lf[v] - lag + dur[u])
        lf[u], ls[u] = best, best - dur[u]
    ff = {}
    for u in order:
        slack = finish - ef[u]
        for v in graph.successors(u):
            kind, lag = graph.edges[u, v]["type"], graph.edges[u, v]["lag"]
            at_u = ef[u] if kind in ("FS", "FF") else es[u]
            at_v = ef[v] if kind in ("FF", "SF") else es[v]
            slack = min(slack, at_v - lag - at_u)
        ff[u] = slack
    return es, ef, ls, lf, ff, finish


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 40))
    g = nx.DiGraph()
    # Tasks are added in a shuffled order so the compiled order differs from insertion order.
    names = [f"t{i}" for i in range(n)]
    for i in draw(st.permutations(range(n))):
        g.add_node(names[i])
    for i in range(1, n):
        for p in draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)):
            g.add_edge(
                names[p], names[i], type=draw(st.sampled_from(["FS", "SS", "FF", "SF"])), lag=draw(st.integers(-6, 6))
            )
    dur = {v: draw(st.integers(0, 15)) for v in g}
    lower = {v: draw(st.sampled_from([0, 0, 0, 3, 12])) for v in g}
    upper = {v: draw(st.sampled_from([NO_DEADLINE, NO_DEADLINE, NO_DEADLINE, 10, 30])) for v in g}
    return g, dur, lower, upper


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graphs())
def test_passes_match_the_per_task_reference(engine, case):
    g, dur, lower, upper = case
    net = compile_network(g)
    d = np.array([dur[i] for i in net.ids], dtype=np.int64)
    res = passes(net, d, np.array([lower[i] for i in net.ids]), np.array([upper[i] for i in net.ids]))
    es, ef, ls, lf, ff, finish = reference(g, dur, lower, upper)
    got_ff = free_float(net, d, res)
    assert int(res.finish) == finish
    for k, v in enumerate(net.ids):
        assert (res.es[k], res.ef[k], res.ls[k], res.lf[k], got_ff[k]) == (es[v], ef[v], ls[v], lf[v], ff[v])


@settings(max_examples=60, deadline=None)
@given(graphs(), st.integers(0, 2**32 - 1))
def test_many_fractional_iterations_at_once_match_the_reference(case, seed):
    g, _, lower, upper = case
    net = compile_network(g)
    d = np.random.default_rng(seed).uniform(0, 10, size=(net.size, 4))
    res = passes(net, d, np.array([lower[i] for i in net.ids]), np.array([upper[i] for i in net.ids]))
    for j in range(d.shape[1]):
        es, ef, ls, lf, _, finish = reference(g, {v: d[k, j] for k, v in enumerate(net.ids)}, lower, upper)
        assert abs(res.finish[j] - finish) < 1e-9
        for k, v in enumerate(net.ids):
            assert abs(res.es[k, j] - es[v]) < 1e-9 and abs(res.lf[k, j] - lf[v]) < 1e-9
