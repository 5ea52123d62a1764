"""Deterministic schedule of a programme: dates, offsets, floats and the critical path."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from spinekit.engine.cpm import NO_DEADLINE, CompiledNetwork, free_float, link_slack, passes
from spinekit.engine.network import build_network, compile_programme
from spinekit.model.calendar import CalendarRangeError, WorkingCalendar
from spinekit.model.domain import Programme
from spinekit.model.errors import ProgrammeError

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["Schedule", "schedule", "schedule_compiled", "SCHEDULE_COLUMNS", "constraint_bounds"]

#: Columns of the schedule table, in order. Offsets are working-day indices; ``finish`` is the
#: last working day of the task (a milestone's finish is its start).
SCHEDULE_COLUMNS = (
    "id",
    "name",
    "start",
    "finish",
    "es",
    "ef",
    "ls",
    "lf",
    "total_float",
    "free_float",
    "critical",
    "duration",
    "owner",
    "service",
    "environment",
    "kind",
    "track",
    "basis",
    "basis_kind",
)


@dataclass(frozen=True, eq=False)
class Schedule:
    """The deterministic schedule: one row per task (``table``) and the programme finish.

    ``finish_offset`` is F = max EF in working days; ``finish_date`` is the last working day of
    work, date(F - 1). A closing milestone is dated the next working day, date(F): the first
    day on which everything before it is complete.

    ``columns`` holds the table's columns (:data:`SCHEDULE_COLUMNS`, rows in programme order)
    as lists and arrays; ``table`` (a pandas DataFrame) and ``graph`` (the networkx graph) are
    made the first time they are asked for, so that a schedule written out as text needs
    neither library.
    """

    programme: Programme
    columns: Mapping[str, Any]
    finish_offset: int
    finish_date: dt.date
    network: CompiledNetwork
    _graph: nx.DiGraph | None = field(default=None, repr=False)

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """One row per task, in programme order, with the columns :data:`SCHEDULE_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame(dict(self.columns), columns=list(SCHEDULE_COLUMNS))

    @functools.cached_property
    def graph(self) -> nx.DiGraph:
        """The programme's dependency graph (see :func:`~spinekit.build_network`)."""
        return self._graph if self._graph is not None else build_network(self.programme)

    def records(self) -> list[dict[str, Any]]:
        """The table's rows as plain Python values (``int``, ``bool``, ``str``, ``date``, ``None``)."""
        names = list(SCHEDULE_COLUMNS)
        values = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in map(self.columns.__getitem__, names)]
        return [dict(zip(names, row)) for row in zip(*values)]

    @property
    def critical_path(self) -> list[str]:
        """Critical task ids along a driving path from a start to the finish, in order.

        Follows, backwards from a critical task that ends the programme, the critical
        predecessor whose link is binding (zero slack), preferring the longest such chain.
        Where chains tie, the earliest in programme order (for the end task) and in the
        order the links were written (for each predecessor) wins.
        """
        return list(self._critical_path)  # a new list each time: callers may change theirs

    @functools.cached_property
    def _critical_path(self) -> tuple[str, ...]:
        # One pass in topological order, so that each predecessor's longest binding chain is
        # known before its successors need it: a recursion back from the end would run out of
        # stack on a long chain. A chain is kept as its length and a link back.
        net, t = self.network, self.columns
        rows = net.positions(t["id"])  # the network index of each table row
        es = np.empty(net.size, dtype=np.int64)
        ef = np.empty(net.size, dtype=np.int64)
        critical = np.zeros(net.size, dtype=bool)
        es[rows], ef[rows] = t["es"], t["ef"]
        critical[rows] = t["critical"]
        if not critical.any():
            return ()
        links = net.forward  # grouped by successor, each group in the order the links were written
        usable = (critical[links.pred] & (link_slack(links, es, ef - es) <= 0)).tolist()
        ptr, pred = links.ptr.tolist(), links.pred.tolist()
        # length[-1] (one past the last task) stays 0: the length of "no predecessor".
        length = [0] * (net.size + 1)
        back = [-1] * net.size
        for i in np.flatnonzero(critical).tolist():
            best = -1
            for k in range(ptr[i], ptr[i + 1]):
                # Strictly longer only, so that of equally long chains the first link's is kept.
                if usable[k] and length[pred[k]] > length[best]:
                    best = pred[k]
            back[i], length[i] = best, length[best] + 1
        ends = rows[critical[rows] & (ef[rows] == self.finish_offset)]
        if not ends.size:
            ends = rows[critical[rows]]
        end = max(ends.tolist(), key=length.__getitem__)  # the first of the longest, in table order
        path = []
        while end >= 0:
            path.append(net.ids[end])
            end = back[end]
        return tuple(reversed(path))


def constraint_bounds(programme: Programme, net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray]:
    """``not_before`` and ``deadline`` as working-day bounds (ES lower, EF upper), in ``net`` order."""
    cal = programme.calendar
    lower = np.zeros(net.size, dtype=np.int64)
    upper = np.full(net.size, NO_DEADLINE, dtype=np.int64)
    # One calendar conversion for all the dates.
    own = [(net.index[t.id], t.not_before) for t in programme.tasks if t.not_before is not None]
    due = [(net.index[t.id], t.deadline) for t in programme.tasks if t.deadline is not None]
    if own:
        rows, days = zip(*own)
        lower[list(rows)] = np.maximum(cal.indices(list(days), "forward"), 0)
    if programme.hold is not None:
        # Programme.not_before, for every task at once: the index of the later of two dates is
        # the later of their indices.
        held = np.ones(net.size, dtype=bool)
        held[[net.index[i] for i in programme.started if i in net.index]] = False
        lower[held] = np.maximum(lower[held], cal.index_on_or_after(programme.hold))
    if due:
        rows, days = zip(*due)
        upper[list(rows)] = cal.indices(list(days), "backward") + 1
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
    return schedule_compiled(programme, None, compile_programme(programme))


def _past_the_calendar(cal: WorkingCalendar, index: int) -> bool:
    """Whether working day ``index`` is beyond the years the calendar can date."""
    try:
        cal.date_of(index)
    except CalendarRangeError:
        return True
    return False


def schedule_compiled(programme: Programme, graph: nx.DiGraph | None, net: CompiledNetwork) -> Schedule:
    """:func:`schedule` on a network already compiled for ``programme``'s links.

    What-if tools that change only durations or dates reuse the network (and the graph, when
    one was built) of an earlier schedule.
    """
    tasks = programme._tasks_by_id
    d = np.array([tasks[i].duration.planned for i in net.ids], dtype=np.int64)
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
        source, field, check = programme.source, "duration", "this task's duration, lags and dates"
        longest = int(np.argmax(d))
        if _past_the_calendar(cal, int(res.es[longest]) + int(d[longest])):
            # The longest task runs off the calendar by itself: its own length is the cause.
            worst = net.ids[longest]
            status = programme.status
            got = status.progress(worst) if status is not None else None
            if status is not None and got is not None and got.start is not None and got.remaining is not None:
                source = status.file or programme.source
                field = f"{'' if status.file else 'status.'}tasks.{worst}.remaining"
                check = "the work this task has left in the status"
        raise ProgrammeError(
            f"the schedule runs too far: {exc}; check {check}",
            source=source,
            task=worst,
            field=field,
        ) from None
    order = net.positions(tasks)  # the network index of each row, in programme order
    at = order.tolist()
    rows = [tasks[net.ids[i]] for i in at]
    columns = {
        "id": [t.id for t in rows],
        "name": [t.name for t in rows],
        "start": [starts[i] for i in at],
        "finish": [finishes[i] for i in at],
        "es": res.es[order],
        "ef": res.ef[order],
        "ls": res.ls[order],
        "lf": res.lf[order],
        "total_float": tf[order],
        "free_float": ff[order],
        "critical": tf[order] <= 0,
        "duration": d[order],
        "owner": [t.owner for t in rows],
        "service": [t.service for t in rows],
        "environment": [t.environment for t in rows],
        "kind": [t.kind for t in rows],
        "track": [t.track for t in rows],
        "basis": [t.basis for t in rows],
        "basis_kind": [t.basis_kind for t in rows],
    }
    finish_offset = int(res.finish)
    finish_date = cal.date_of(max(finish_offset - 1, 0))  # within the range checked above
    return Schedule(programme, columns, finish_offset, finish_date, net, graph)
