"""Deterministic schedule of a programme: dates, offsets, floats and the critical path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ._calendar import CalendarRangeError
from ._cpm import NO_DEADLINE, CompiledNetwork, compile_network, free_float, passes
from ._exceptions import ProgrammeError
from ._model import Programme
from ._network import build_network

__all__ = ["Schedule", "schedule", "schedule_compiled", "SCHEDULE_COLUMNS", "constraint_bounds"]

#: Columns of the schedule table, in order. Offsets are working-day indices; ``finish`` is the
#: last working day of the task (a milestone's finish is its start).
SCHEDULE_COLUMNS = (
    "id", "name", "start", "finish", "es", "ef", "ls", "lf", "total_float", "free_float",
    "critical", "duration", "owner", "service", "environment", "kind", "track",
)


@dataclass(frozen=True, eq=False)
class Schedule:
    """The deterministic schedule: one row per task (``table``) and the programme finish.

    ``finish_offset`` is F = max EF in working days; ``finish_date`` is the last working day of
    work, date(F - 1). A closing milestone is dated the next working day, date(F): the first
    day on which everything before it is complete.
    """

    programme: Programme
    table: pd.DataFrame
    finish_offset: int
    finish_date: dt.date
    graph: nx.DiGraph
    network: CompiledNetwork

    @property
    def critical_path(self) -> list[str]:
        """Critical task ids along a driving path from a start to the finish, in order.

        Follows, backwards from a critical task that ends the programme, the critical
        predecessor whose link is binding (zero slack), preferring the longest such chain.
        """
        t = self.table.set_index("id")
        crit = set(t.index[t["critical"]])
        if not crit:
            return []
        sub = self.graph.subgraph(crit)
        ends = [i for i in crit if t.at[i, "ef"] == self.finish_offset] or list(crit)
        best: list[str] = []
        memo: dict[str, list[str]] = {}

        def chain(node: str) -> list[str]:
            if node not in memo:
                prevs = [p for p in sub.predecessors(node) if _binding(t, sub.edges[p, node], p, node)]
                longest = max((chain(p) for p in prevs), key=len, default=[])
                memo[node] = [*longest, node]
            return memo[node]

        for end in sorted(ends, key=list(t.index).index):
            c = chain(end)
            if len(c) > len(best):
                best = c
        return best


def _binding(t: pd.DataFrame, edge: dict, p: str, s: str) -> bool:
    at_p = t.at[p, "ef"] if edge["type"] in ("FS", "FF") else t.at[p, "es"]
    at_s = t.at[s, "ef"] if edge["type"] in ("FF", "SF") else t.at[s, "es"]
    return at_s - edge["lag"] - at_p <= 0


def constraint_bounds(programme: Programme, net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray]:
    """``not_before`` and ``deadline`` as working-day bounds (ES lower, EF upper), in ``net`` order."""
    cal = programme.calendar
    lower = np.zeros(net.size, dtype=np.int64)
    upper = np.full(net.size, NO_DEADLINE, dtype=np.int64)
    for task in programme.tasks:
        i = net.index[task.id]
        if task.not_before is not None:
            lower[i] = max(0, cal.index_on_or_after(task.not_before))
        if task.deadline is not None:
            upper[i] = cal.index_on_or_before(task.deadline) + 1
    return lower, upper


def schedule(programme: Programme) -> Schedule:
    """Schedule ``programme`` deterministically (each task at its planned duration).

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Duration, Dependency, Task, Programme, WorkingCalendar
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4)), (
    ...     Task("a", "A", Duration.fixed(3)),
    ...     Task("b", "B", Duration.fixed(2), (Dependency("a"),)),
    ...     Task("c", "C", Duration.fixed(1), (Dependency("a"),))))
    >>> s = schedule(p)
    >>> s.finish_offset, str(s.finish_date)
    (5, '2027-01-08')
    >>> s.table[["id", "es", "ef", "total_float", "critical"]].to_dict("records")[2]
    {'id': 'c', 'es': 3, 'ef': 4, 'total_float': 1, 'critical': False}
    """
    graph = build_network(programme)
    return schedule_compiled(programme, graph, compile_network(graph))


def schedule_compiled(programme: Programme, graph: nx.DiGraph, net: CompiledNetwork) -> Schedule:
    """:func:`schedule` on a network already built and compiled for ``programme``'s links.

    What-if tools that change only durations or dates reuse the network of an earlier schedule.
    """
    by_id = {t.id: t for t in programme.tasks}
    d = np.array([by_id[i].duration.planned for i in net.ids], dtype=np.int64)
    lower, upper = constraint_bounds(programme, net)
    res = passes(net, d, lower, upper)
    ff = free_float(net, d, res)
    tf = res.total_float

    cal = programme.calendar
    finish_idx = np.where(d > 0, res.ef - 1, res.es)
    try:
        starts = cal.dates_of(res.es)
        finishes = cal.dates_of(finish_idx)
        cal.dates_of([res.ls.min(), res.lf.max()])
    except CalendarRangeError as exc:
        worst = net.ids[int(np.argmax(np.abs(np.concatenate([res.ef, res.ls])))) % net.size]
        raise ProgrammeError(
            f"the schedule runs too far: {exc}; check this task's duration, lags and dates",
            source=programme.source, task=worst, field="duration",
        ) from None
    pos = {t.id: k for k, t in enumerate(programme.tasks)}
    order = sorted(range(net.size), key=lambda i: pos[net.ids[i]])
    rows = []
    for i in order:
        task = by_id[net.ids[i]]
        rows.append({
            "id": task.id, "name": task.name, "start": starts[i], "finish": finishes[i],
            "es": int(res.es[i]), "ef": int(res.ef[i]), "ls": int(res.ls[i]), "lf": int(res.lf[i]),
            "total_float": int(tf[i]), "free_float": int(ff[i]), "critical": bool(tf[i] <= 0),
            "duration": int(d[i]), "owner": task.owner, "service": task.service,
            "environment": task.environment, "kind": task.kind, "track": task.track,
        })
    table = pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))
    finish_offset = int(res.finish)
    finish_date = cal.date_of(max(finish_offset - 1, 0))  # within the range checked above
    return Schedule(programme, table, finish_offset, finish_date, graph, net)
