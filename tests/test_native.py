"""The compiled critical path kernels: built, used, and equal to the numpy passes.

The hand-computed schedules, the invariants and the per-task reference run on both engines
(the ``engine`` fixture); these tests cover what is particular to the kernels: the layout they
compute, large networks, bad input that must not reach C, and how spinekit falls back.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import os
import pickle
import shutil
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
from conftest import KERNELS_MISSING

from spinekit import compile_network, example_path, passes, read_programme, schedule
from spinekit.engine import cpm as _cpm
from spinekit.engine import native as _native
from spinekit.engine.cpm import NO_DEADLINE, free_float

needs_kernels = pytest.mark.skipif(_native.LIBRARY is None, reason=KERNELS_MISSING)


def random_graph(n, seed, recency=12.0):
    """A deep random network with every link type, leads and lags, ids added out of order."""
    rng = np.random.default_rng(seed)
    g = nx.DiGraph()
    g.add_nodes_from(f"t{i}" for i in rng.permutation(n))
    kinds = np.array(["FS", "SS", "FF", "SF"])
    for i in range(1, n):
        back = 1 + np.floor(rng.exponential(recency, size=rng.integers(1, 4))).astype(int)
        for p in sorted({max(0, i - b) for b in back}):
            g.add_edge(
                f"t{p}", f"t{i}", type=str(rng.choice(kinds, p=[0.7, 0.1, 0.15, 0.05])), lag=int(rng.integers(-5, 6))
            )
    return g, rng


def both(fn, monkeypatch):
    """``fn()`` on the compiled kernels, then on numpy."""
    compiled = fn()
    with monkeypatch.context() as m:
        m.setattr(_native, "LIBRARY", None)
        return compiled, fn()


@needs_kernels
def test_kernels_are_built_and_loaded():
    assert _native.status().startswith("compiled kernels")
    assert _native.LIBRARY.sk_abi() == _native.ABI


@needs_kernels
@pytest.mark.parametrize("seed", range(6))
def test_layout_equals_the_numpy_layout(seed):
    g, _ = random_graph(300, seed)
    nodes, tails, heads, _, _ = _cpm._read_links(g)
    got = _native.layout(tails, heads, len(nodes))
    want = _cpm._layout_numpy(tails, heads, len(nodes))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


@needs_kernels
def test_layout_puts_every_predecessor_first_and_groups_links():
    g, _ = random_graph(500, 7)
    net = compile_network(g)
    assert np.all(np.diff(net.generation) >= 0)
    for lk, key in ((net.forward, net.forward.succ), (net.backward, net.backward.pred)):
        assert np.all(lk.pred < lk.succ)  # topological order
        assert np.array_equal(np.repeat(np.arange(net.size), np.diff(lk.ptr)), key)
    for u, v, data in g.edges(data=True):  # every link once, with its own lag, in both groupings
        for lk in (net.forward, net.backward):
            k = np.flatnonzero((lk.pred == net.index[u]) & (lk.succ == net.index[v]))
            assert k.size == 1 and lk.lag[k[0]] == data["lag"]


@needs_kernels
@pytest.mark.parametrize("n, seed", [(1, 0), (2, 1), (40, 2), (2_000, 3), (20_000, 4)])
def test_schedules_equal_the_numpy_passes(n, seed, monkeypatch):
    g, rng = random_graph(n, seed)
    net = compile_network(g)
    d = rng.integers(0, 25, size=n)
    lower = np.where(rng.random(n) < 0.05, rng.integers(0, 200, size=n), 0)
    upper = np.where(rng.random(n) < 0.1, rng.integers(0, 60, size=n), NO_DEADLINE)

    def run():
        res = passes(net, d, lower, upper)
        return res, free_float(net, d, res)

    (c, c_ff), (p, p_ff) = both(run, monkeypatch)
    assert int(c.finish) == int(p.finish)
    for field in ("es", "ef", "ls", "lf"):
        np.testing.assert_array_equal(getattr(c, field), getattr(p, field), err_msg=field)
    np.testing.assert_array_equal(c_ff, p_ff)
    assert (c.ls - c.es).min() < 0 or n < 40  # deadlines bite somewhere on the larger networks


@needs_kernels
def test_schedule_runs_through_the_kernels(monkeypatch):
    calls = []
    real = _native.forward
    monkeypatch.setattr(_native, "forward", lambda *a: calls.append(a) or real(*a))
    sched = schedule(read_programme(example_path()))
    assert calls, "schedule() did not use the compiled kernels"
    compiled = sched.table
    monkeypatch.setattr(_native, "LIBRARY", None)
    assert schedule(read_programme(example_path())).table.equals(compiled)


@needs_kernels
def test_cycles_are_found_by_the_compiled_layout():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    nx.set_edge_attributes(g, "FS", "type")
    nx.set_edge_attributes(g, 0, "lag")
    with pytest.raises(nx.NetworkXUnfeasible):
        compile_network(g)


@needs_kernels
def test_empty_and_unlinked_networks():
    empty = compile_network(nx.DiGraph())
    res = passes(empty, np.zeros(0, dtype=np.int64))
    assert res.es.size == 0 and int(res.finish) == 0
    assert free_float(empty, np.zeros(0, dtype=np.int64), res).size == 0

    g = nx.DiGraph()
    g.add_nodes_from(["a", "b", "c"])
    net = compile_network(g)
    d = np.array([3, 0, 5])
    res = passes(net, d)
    assert int(res.finish) == 5
    assert [int(x) for x in res.total_float] == [2, 5, 0]
    assert [int(x) for x in free_float(net, d, res)] == [2, 5, 0]


@needs_kernels
def test_wrong_sized_input_is_refused_before_it_reaches_c():
    g, _ = random_graph(30, 5)
    net = compile_network(g)
    with pytest.raises(ValueError, match="one value per task"):
        passes(net, np.ones(29, dtype=np.int64))
    res = passes(net, np.ones(30, dtype=np.int64))
    with pytest.raises(ValueError, match="one value per task"):
        free_float(net, np.ones(31, dtype=np.int64), res)
    with pytest.raises(TypeError):
        _native.forward(30, net.forward.into(), np.ones(30), np.zeros(30))
    with pytest.raises(ValueError, match="upper: expected one value per task"):
        passes(net, np.ones(30, dtype=np.int64), upper=np.array([5]))
    with pytest.raises(ValueError, match="among the tasks"):
        _native.layout(np.array([0, 7]), np.array([1, 2]), 5)


@needs_kernels
def test_copied_and_unpickled_networks_schedule_from_their_own_arrays(monkeypatch):
    g, rng = random_graph(400, 11)
    net = compile_network(g)
    d = rng.integers(0, 20, size=400)
    want = passes(net, d)
    want_ff = free_float(net, d, want)
    clones = [copy.deepcopy(net), pickle.loads(pickle.dumps(net))]
    for lk in (net.forward, net.backward):  # wreck the original: a clone must not read it
        for a in lk.into() + lk.out_of():
            a.flags.writeable = True
            a[:] = -7
    for clone in clones:
        assert clone.forward.pred.ctypes.data != net.forward.pred.ctypes.data
        got = passes(clone, d)
        np.testing.assert_array_equal(got.es, want.es)
        np.testing.assert_array_equal(got.lf, want.lf)
        np.testing.assert_array_equal(free_float(clone, d, got), want_ff)


@needs_kernels
def test_tampered_networks_are_refused_not_followed():
    """Link arrays that are not a topological grouping never take the kernels out of bounds."""
    g, rng = random_graph(300, 15)
    d = rng.integers(0, 20, size=300)
    cases = {
        "predecessor out of range": lambda n: n.forward.pred.__setitem__(5, 10**12),
        "predecessor out of order": lambda n: n.forward.pred.__setitem__(-1, 299),
        "offsets past the links": lambda n: n.forward.ptr.__setitem__(150, 10**9),
        "offsets backwards": lambda n: n.forward.ptr.__setitem__(150, 0),
        "successor out of range": lambda n: n.backward.succ.__setitem__(3, -1),
    }
    for tamper in cases.values():
        net = pickle.loads(pickle.dumps(compile_network(g)))  # unpickled arrays are writeable
        tamper(net)
        with pytest.raises(ValueError, match="not a topological grouping"):
            res = passes(net, d)
            free_float(net, d, res)
    net = compile_network(g)
    for ids in (net.ids[:3], net.ids + tuple(f"x{i}" for i in range(10_000))):
        with pytest.raises(ValueError):
            passes(dataclasses.replace(net, ids=ids), np.ones(len(ids), dtype=np.int64))


@needs_kernels
def test_a_backward_link_to_its_own_task_is_refused():
    """A successor equal to the task itself (s == v) would read the task's own unfinished LF."""
    g, rng = random_graph(300, 15)
    d = rng.integers(0, 20, size=300)
    net = pickle.loads(pickle.dumps(compile_network(g)))
    ptr = net.backward.ptr
    v = next(v for v in range(300) if ptr[v + 1] > ptr[v])  # the first task with a successor
    net.backward.succ[ptr[v]] = v
    with pytest.raises(ValueError, match="not a topological grouping"):
        passes(net, d)  # the backward pass alone must refuse it


def test_link_arrays_are_read_only():
    net = compile_network(random_graph(20, 12)[0])
    with pytest.raises(ValueError, match="read-only"):
        net.forward.ptr[-1] = 10**9


@pytest.mark.usefixtures("engine")
def test_integers_too_large_to_add_exactly_are_refused():
    g = nx.DiGraph()
    g.add_edge("a", "b", type="FS", lag=2**61)
    net = compile_network(g)
    with pytest.raises(OverflowError, match="too large"):
        passes(net, np.array([1, 1]))
    small = compile_network(random_graph(10, 13)[0])
    with pytest.raises(OverflowError, match="too large"):
        passes(small, np.full(10, 2**58))
    with pytest.raises(OverflowError, match="beyond any schedule"):
        passes(small, np.ones(10, dtype=np.int64), lower=np.full(10, 2**63, dtype=np.uint64))
    res = passes(small, np.ones(10, dtype=np.int64))
    with pytest.raises(OverflowError, match="too large"):
        free_float(small, np.ones(10, dtype=np.int64), dataclasses.replace(res, finish=2**62))


@pytest.mark.usefixtures("engine")
def test_bounds_with_whole_durations_must_be_whole_days():
    g, rng = random_graph(40, 16)
    net = compile_network(g)
    d = rng.integers(0, 10, size=40)
    with pytest.raises(ValueError, match="whole working days"):
        passes(net, d, lower=np.full(40, 2.5))
    with pytest.raises(ValueError, match="whole working days"):
        passes(net, d, upper=np.full(40, np.nan))
    np.testing.assert_array_equal(passes(net, d, lower=np.full(40, 3.0)).es, passes(net, d, lower=np.full(40, 3)).es)
    np.testing.assert_array_equal(passes(net, d, upper=np.full(40, np.inf)).lf, passes(net, d).lf)


@pytest.mark.usefixtures("engine")
def test_unsigned_and_boolean_bounds_mean_what_they_say():
    g, rng = random_graph(60, 14)
    net = compile_network(g)
    d = rng.integers(0, 10, size=60)
    up = np.where(rng.random(60) < 0.2, rng.integers(0, 40, size=60), NO_DEADLINE)
    lo = rng.integers(0, 30, size=60)
    want = passes(net, d, lo, up)
    got = passes(net, d, lo.astype(np.uint64), up.astype(np.uint64))
    for field in ("es", "lf"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field))
    huge = np.full(60, 2**64 - 1, dtype=np.uint64)  # later than anything: no deadline at all
    np.testing.assert_array_equal(passes(net, d, upper=huge).lf, passes(net, d).lf)
    ones = passes(net, d, lower=np.ones(60, dtype=bool))
    np.testing.assert_array_equal(ones.es, passes(net, d, lower=np.ones(60, dtype=np.int64)).es)


@needs_kernels
def test_a_library_built_from_other_source_is_not_used(tmp_path):
    """A library left over from an earlier _kernels.c is recognised, and numpy used instead."""
    here = os.path.dirname(_native.__file__)
    for name in ("native.py", "_kernels.c", _native.LIBRARY_NAME):
        shutil.copy(os.path.join(here, name), tmp_path / name)

    def status():
        spec = importlib.util.spec_from_file_location("native_copy", tmp_path / "native.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.LIBRARY is not None, module.status()

    assert status()[0]
    with open(tmp_path / "_kernels.c", "a") as f:
        f.write("\n/* changed */\n")
    loaded, why = status()
    assert not loaded and "another version of _kernels.c" in why


@needs_kernels
def test_iterations_and_fractions_take_the_numpy_passes(monkeypatch):
    """Iterations and fractions go level by level; integers of any width take the kernels."""
    g, rng = random_graph(200, 9)
    net = compile_network(g)
    d = rng.integers(0, 20, size=200)
    calls = []
    real = _native.forward
    monkeypatch.setattr(_native, "forward", lambda *a: calls.append(1) or real(*a))
    want = passes(net, d)
    narrow = passes(net, d.astype(np.int16))
    assert len(calls) == 2 and narrow.es.dtype == np.int64
    np.testing.assert_array_equal(narrow.lf, want.lf)
    np.testing.assert_allclose(passes(net, d.astype(float)).es, want.es)
    many = passes(net, np.repeat(d[:, None], 3, axis=1))
    np.testing.assert_array_equal(many.es[:, 2], want.es)
    assert len(calls) == 2


@pytest.mark.usefixtures("engine")
def test_narrow_integers_are_added_in_64_bits():
    g = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.set_edge_attributes(g, "FS", "type")
    nx.set_edge_attributes(g, 0, "lag")
    net = compile_network(g)
    res = passes(net, np.full(3, 2**30, dtype=np.int32))
    assert [int(x) for x in res.es] == [0, 2**30, 2**31] and int(res.finish) == 3 * 2**30


def test_spinekit_native_0_selects_numpy_and_version_says_so():
    code = "from spinekit.engine import native as _native; print(_native.LIBRARY is None); print(_native.status())"
    env = {**os.environ, "SPINEKIT_NATIVE": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    assert out == ["True", "numpy passes (SPINEKIT_NATIVE=0)"]
    version = subprocess.run(
        [sys.executable, "-m", "spinekit", "--version"], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert version.endswith("(critical path engine: numpy passes (SPINEKIT_NATIVE=0))\n")


@needs_kernels
def test_version_names_the_compiled_library():
    out = subprocess.run(
        [sys.executable, "-m", "spinekit", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert "critical path engine: compiled kernels (" in out and _native.LIBRARY_NAME in out
