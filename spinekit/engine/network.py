"""Build and validate the dependency network of a programme as a ``networkx.DiGraph``.

The graph contract, used everywhere in spinekit: one node per task id, with the
:class:`~spinekit.Task` under the node attribute ``task``; one edge per dependency, from
predecessor to successor, with attributes ``type`` (FS, SS, FF or SF) and ``lag`` (working
days, negative for a lead). A graph from :func:`build_network` is known to be acyclic with
every reference resolved; algorithms take that as given.
"""

from __future__ import annotations

import networkx as nx

from spinekit.model.domain import Programme
from spinekit.model.errors import CycleError, UnknownTaskError, did_you_mean

__all__ = ["build_network"]


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
    graph = nx.DiGraph(name=programme.name)
    for task in programme.tasks:
        graph.add_node(task.id, task=task)
    ids = list(graph.nodes)
    for task in programme.tasks:
        for i, dep in enumerate(task.depends_on):
            if dep.task not in graph:
                extra = did_you_mean(dep.task, ids, "check the spelling or add that task", "; ")
                raise UnknownTaskError(
                    f"depends on unknown task {dep.task!r}{extra}",
                    source=programme.source,
                    task=task.id,
                    field=f"depends_on[{i}]",
                )
            if dep.task == task.id:
                raise CycleError([task.id, task.id], source=programme.source)
            graph.add_edge(dep.task, task.id, type=dep.type, lag=dep.lag)
    # The acyclicity test is a cheap topological sort; find_cycle costs several times more and
    # is run only to name the cycle in the error.
    if nx.is_directed_acyclic_graph(graph):
        return graph
    cycle = nx.find_cycle(graph)
    path = [u for u, _ in cycle] + [cycle[0][0]]
    raise CycleError(path, source=programme.source)
