"""The dependency network of a programme: validated, as a ``networkx.DiGraph`` or compiled arrays.

The graph contract, used everywhere in spinekit: one node per task id, with the
:class:`~spinekit.Task` under the node attribute ``task``; one edge per dependency, from
predecessor to successor, with attributes ``type`` (FS, SS, FF or SF) and ``lag`` (working
days, negative for a lead). A graph from :func:`build_network` is known to be acyclic with
every reference resolved; algorithms take that as given.

:func:`compile_programme` lays a programme out for the CPM passes directly, without building
the graph (or importing networkx): scheduling needs only the arrays. Both check the same
things and raise the same errors; the graph is built only to name a cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from spinekit.engine.cpm import LINK_ENDS, CompiledNetwork, compile_links
from spinekit.model.domain import Programme
from spinekit.model.errors import CycleError, UnknownTaskError, did_you_mean, short_repr

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["build_network", "compile_programme", "check_references", "ancestors", "descendants"]


def check_references(programme: Programme) -> None:
    """Every dependency names another task of ``programme``.

    Raises
    ------
    UnknownTaskError
        A dependency names a task that does not exist (with the closest id suggested).
    CycleError
        A task depends on itself.
    """
    ids = programme._tasks_by_id
    for task in programme.tasks:
        for i, dep in enumerate(task.depends_on):
            if dep.task not in ids:
                extra = did_you_mean(dep.task, list(ids), "check the spelling or add that task", "; ")
                raise UnknownTaskError(
                    f"depends on unknown task {short_repr(dep.task)}{extra}",
                    source=programme.source,
                    task=task.id,
                    field=f"depends_on[{i}]",
                )
            if dep.task == task.id:
                raise CycleError([task.id, task.id], source=programme.source)


def build_network(programme: Programme) -> nx.DiGraph:
    """Return the validated dependency graph of ``programme``.

    Raises
    ------
    UnknownTaskError
        A dependency names a task that does not exist (with the closest id suggested).
    CycleError
        The dependencies form a cycle; ``.cycle`` is the path, first id repeated last.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Duration, Dependency, Task, Programme, WorkingCalendar
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4)), (
    ...     Task("a", "A", Duration.fixed(2)),
    ...     Task("b", "B", Duration.fixed(3), (Dependency("a", "SS", 1),))))
    >>> g = build_network(p)
    >>> g.edges["a", "b"]
    {'type': 'SS', 'lag': 1}
    """
    import networkx as nx

    check_references(programme)
    graph = nx.DiGraph(name=programme.name)
    for task in programme.tasks:
        graph.add_node(task.id, task=task)
    for task in programme.tasks:
        for dep in task.depends_on:
            graph.add_edge(dep.task, task.id, type=dep.type, lag=dep.lag)
    # The acyclicity test is a cheap topological sort; find_cycle costs several times more and
    # is run only to name the cycle in the error.
    if nx.is_directed_acyclic_graph(graph):
        return graph
    cycle = nx.find_cycle(graph)
    path = [u for u, _ in cycle] + [cycle[0][0]]
    raise CycleError(path, source=programme.source)


def compile_programme(programme: Programme) -> CompiledNetwork:
    """The network of ``programme`` laid out for the CPM passes: what
    ``compile_network(build_network(programme))`` gives, without building the graph.

    Raises
    ------
    UnknownTaskError, CycleError
        As :func:`build_network` does.
    """
    check_references(programme)
    nodes = [t.id for t in programme.tasks]
    position = dict(zip(nodes, range(len(nodes))))
    tails: list[int] = []
    heads: list[int] = []
    lags: list[int] = []
    ends: list[int] = []
    for head, task in enumerate(programme.tasks):
        # One link per predecessor, placed where it is first written, with the last link's type
        # and lag: as the graph keeps a dependency written twice.
        links: dict[str, tuple[str, int]] = {}
        for dep in task.depends_on:
            links[dep.task] = (dep.type, dep.lag)
        for pred, (kind, lag) in links.items():
            tails.append(position[pred])
            heads.append(head)
            lags.append(lag)
            ends.append(LINK_ENDS[kind])
    compiled = compile_links(
        nodes,
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(lags, dtype=np.int64),
        np.array(ends, dtype=np.int64),
    )
    if compiled is None:
        build_network(programme)  # names the cycle
        raise AssertionError("a cycle that the graph does not find")  # pragma: no cover
    return compiled


def ancestors(programme: Programme, task_ids: Iterable[str]) -> set[str]:
    """Every task that one of ``task_ids`` depends on, directly or through others.

    ``programme``'s references are taken as checked (:func:`compile_programme` checks them).
    """
    preds = {t.id: [d.task for d in t.depends_on] for t in programme.tasks}
    return _reach(preds, task_ids)


def descendants(programme: Programme, task_ids: Iterable[str]) -> set[str]:
    """Every task that depends on one of ``task_ids``, directly or through others (references
    taken as checked)."""
    succs: dict[str, list[str]] = {t.id: [] for t in programme.tasks}
    for t in programme.tasks:
        for d in t.depends_on:
            succs[d.task].append(t.id)
    return _reach(succs, task_ids)


def _reach(links: dict[str, list[str]], start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = [n for s in start for n in links[s]]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(links[node])
    return seen
