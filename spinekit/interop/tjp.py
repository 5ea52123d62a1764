"""Export a programme as a TaskJuggler 3 project that schedules to the same dates as spinekit.

TaskJuggler schedules instants, spinekit whole working days. TaskJuggler starts a task at the
very instant its dependencies allow and reports that instant's date, so a task following one
that ends at 17:00 on a Friday would show as starting that Friday. The export therefore places
every start one working hour into a day:

- the working day is 09:00-17:00 (8 hours), Monday to Friday, less the programme's weekday
  bank holidays and closures (global ``leaves``);
- a task of *d* working days starts at 10:00 on its first day and has a ``length`` of
  ``8d - 1`` working hours, so it ends at 17:00 on its last day; a milestone sits at 10:00
  on its day;
- a lag of *L* working days is a ``gaplength`` of ``8L`` hours, plus one hour on a
  finish-to-start link from a task, which carries the successor from 17:00 to 10:00 on the
  next working day;
- ``not_before`` is a link with a one-hour gap from a milestone at midnight on that date,
  which tj3 carries to 10:00 on the first working day from it.

``tj3`` then reports the start and finish date of every task exactly as
:func:`spinekit.schedule` computes them. FF and SF links and negative lags have no TaskJuggler
equivalent (its links only constrain when a task starts, and its gaps are never negative), so
programmes using them raise :class:`~spinekit.ExportError`.
"""

from __future__ import annotations

import datetime as dt
import re

import networkx as nx
import numpy as np

from spinekit.engine.cpm import compile_network, passes
from spinekit.engine.network import build_network
from spinekit.engine.schedule import constraint_bounds
from spinekit.model.calendar import HOLIDAY_REGIONS
from spinekit.model.domain import Programme, Task
from spinekit.model.errors import ExportError

__all__ = ["to_tjp", "tjp_ids", "TJP_REPORT"]

#: Base name of the CSV task report in every exported project: ``tj3`` writes
#: ``schedule.csv``, one row per task in programme order, columns ``Id;Start;End;Name``,
#: dates as ``YYYY-MM-DD``.
TJP_REPORT = "schedule"

_CONTAINER = "programme"
_ANCHORS = "not_before"
_HOURS_PER_DAY = 8
_OPENS = "09:00"
_STARTS = "10:00"  # one working hour after opening: where a finish-to-start gap ends
_CLOSES = "17:00"
_EARLIEST = dt.date(1970, 1, 1)  # tj3 refuses dates outside these years
_LATEST = dt.date(2035, 12, 31)

# Text tj3 replaces inside any string: ${name} macro calls and $(NAME) environment variables.
_EXPANDED = re.compile(r"\$\{\s*\??[A-Za-z_]|\$\([A-Z_][A-Z_0-9]*\)")


def _where(programme: Programme, task: str | None, field: str) -> str:
    parts = [programme.source, f"task {task!r}" if task is not None else None, f"field {field!r}"]
    return ": ".join(p for p in parts if p)


def _string(text: str, programme: Programme, task: str | None, field: str) -> str:
    """``text`` as a TaskJuggler string literal, on one line (control characters become spaces)."""
    flat = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text)
    if _EXPANDED.search(flat):
        problem = "tj3 would replace the '${...}' or '$(...)' in it"
    elif flat.endswith("\\"):
        problem = "a TaskJuggler string cannot end with a backslash"
    else:
        return '"' + flat.replace('"', '\\"') + '"'
    raise ExportError(f"{_where(programme, task, field)}: {problem}; reword {flat!r}")


def _identifier(task_id: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_]", "_", task_id)
    return f"_{ident}" if ident[0].isdigit() else ident


def tjp_ids(programme: Programme) -> dict[str, str]:
    """The full TaskJuggler id of each task in :func:`to_tjp`'s output, by spinekit id.

    A task keeps its id with ``-`` and ``.`` written as ``_`` (and ``_`` before a leading
    digit); where that clashes with an earlier task's, ``_2``, ``_3``... is added. The
    mapping depends only on the programme's task ids and their order.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Duration, Programme, Task, WorkingCalendar
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4)), tuple(
    ...     Task(i, i, Duration.fixed(1)) for i in ("build-pds", "build_pds", "2fa")))
    >>> tjp_ids(p)
    {'build-pds': 'programme.build_pds', 'build_pds': 'programme.build_pds_2', '2fa': 'programme._2fa'}
    """
    natural = [_identifier(t.id) for t in programme.tasks]
    reserved = set(natural)
    taken: set[str] = set()
    out = {}
    for task, ident in zip(programme.tasks, natural, strict=True):
        candidate, k = ident, 1
        while candidate in taken or (k > 1 and candidate in reserved):
            k += 1
            candidate = f"{ident}_{k}"
        taken.add(candidate)
        out[task.id] = f"{_CONTAINER}.{candidate}"
    return out


def _check_links(programme: Programme) -> None:
    for task in programme.tasks:
        for i, dep in enumerate(task.depends_on):
            if dep.type not in ("FS", "SS"):
                raise ExportError(
                    f"{_where(programme, task.id, f'depends_on[{i}].type')}: TaskJuggler has no "
                    f"{dep.type} link (its links only constrain when a task starts); use FS or SS"
                )
            if dep.lag < 0:
                raise ExportError(
                    f"{_where(programme, task.id, f'depends_on[{i}].lag')}: TaskJuggler gaps "
                    f"cannot be negative, so the lead of {-dep.lag} working days cannot be "
                    "exported; use a lag of 0 or more"
                )


def _at(day: dt.date, time: str) -> str:
    return f"{day.isoformat()}-{time}"


def _latest_end(programme: Programme, task: Task) -> tuple[dt.date, str]:
    """The ``maxend`` of spinekit's deadline bound, EF at most the deadline's working day + 1.

    A task must end by 17:00 on the deadline. A milestone marks the start of its day, which is
    the close of the working day before, so it may fall on the first working day after it.
    """
    deadline = task.deadline
    assert deadline is not None, "only a task with a deadline has a latest end"
    if task.duration.planned > 0:
        return deadline, _CLOSES
    cal = programme.calendar
    return cal.date_of(cal.index_on_or_before(deadline) + 1), _STARTS


def _last_day(programme: Programme, graph: nx.DiGraph) -> dt.date:
    """A day no task can work beyond: the early finish with every link taken as FS.

    An SS link with lag L asks for ES(s) >= ES(p) + L, which an FS link with the same lag
    (ES(s) >= ES(p) + d(p) + L) implies: no task finishes earlier here than in spinekit's
    schedule.
    """
    as_fs = nx.DiGraph()
    as_fs.add_nodes_from(graph)
    as_fs.add_edges_from((p, s, {"type": "FS", "lag": lag}) for p, s, lag in graph.edges(data="lag"))
    net = compile_network(as_fs)
    lower, _ = constraint_bounds(programme, net)
    d = np.array([programme.task(i).duration.planned for i in net.ids], dtype=np.int64)
    return programme.calendar.date_of(int(passes(net, d, lower).finish))


def _leaves(programme: Programme, first: dt.date, last: dt.date) -> list[str]:
    cal = programme.calendar
    lines = []
    subdiv = HOLIDAY_REGIONS[cal.region]
    if subdiv is not None:
        import holidays

        table = holidays.country_holidays("GB", subdiv=subdiv, years=range(first.year, last.year + 1))
        for day, name in sorted(table.items()):
            if first <= day <= last and day.weekday() < 5:
                text = _string(name, programme, None, "calendar.holidays")
                lines.append(f"leaves holiday {text} {day.isoformat()}")
    for i, c in enumerate(cal.closures):
        text = _string(c.name or "Closure", programme, None, f"calendar.closures[{i}].name")
        lines.append(f"leaves holiday {text} {c.start.isoformat()} - {c.end + dt.timedelta(days=1)}")
    return lines


def _task(
    programme: Programme,
    task: Task,
    ids: dict[str, str],
    days: dict[str, int],
    anchors: dict[str, str],
    latest: dict[str, tuple[dt.date, str]],
) -> list[str]:
    d = days[task.id]
    body = [f"length {_HOURS_PER_DAY * d - 1}h  # {d} working day{'s' * (d != 1)}" if d else "milestone"]
    for dep in task.depends_on:
        from_task = days[dep.task] > 0
        gap = _HOURS_PER_DAY * dep.lag + (dep.type == "FS" and from_task)
        # A milestone's start is its end, and tj3's loop check reports loops that do not exist
        # through links to a milestone's start, so SS from a milestone links to its end.
        options = ["onstart"] if dep.type == "SS" and from_task else []
        options += [f"gaplength {gap}h"] if gap else []
        braces = f" {{ {' '.join(options)} }}" if options else ""
        note = f"  # {dep.type}, lag {dep.lag}" if dep.lag else ""
        body.append(f"depends {ids[dep.task]}{braces}{note}")
    if task.id in anchors:
        body.append(f"depends {anchors[task.id]} {{ gaplength 1h }}  # not before {programme.not_before(task)}")
    if task.id in latest:
        body.append(f"maxend {_at(*latest[task.id])}  # deadline {task.deadline}")
    local = ids[task.id].rsplit(".", 1)[1]
    head = f"  task {local} {_string(task.name, programme, task.id, 'name')} {{"
    return [head, *(f"    {line}" for line in body), "  }"]


def to_tjp(programme: Programme) -> str:
    """The programme as a TaskJuggler 3 project (the text of a ``.tjp`` file).

    Tasks keep their planned durations, FS and SS links with their lags, ``not_before`` and
    ``deadline`` (as ``maxend``, which ``tj3`` reports as a warning when it is missed, where
    spinekit shows negative float). Ids are mapped by :func:`tjp_ids`. The project ends with
    the CSV task report :data:`TJP_REPORT`, so running ``tj3`` on it writes ``schedule.csv``.

    Raises
    ------
    ExportError
        A link is FF or SF, a lag is negative, or a name holds text that ``tj3`` would
        replace; the message names the task and the field.
    ProgrammeError
        A link names an unknown task, or the links form a cycle.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Dependency, Duration, Programme, Task, WorkingCalendar
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4), region="none"), (
    ...     Task("a", "A", Duration.fixed(2)),
    ...     Task("b", "B", Duration.fixed(0), (Dependency("a", "FS", 1),))))
    >>> print(to_tjp(p).split("\\n\\n")[2])
    task programme "x" {
      start 2027-01-04-10:00
      task a "A" {
        length 15h  # 2 working days
      }
      task b "B" {
        milestone
        depends programme.a { gaplength 9h }  # FS, lag 1
      }
    }
    """
    graph = build_network(programme)
    _check_links(programme)
    cal = programme.calendar
    ids = tjp_ids(programme)
    days = {t.id: t.duration.planned for t in programme.tasks}
    starts = {t.id: programme.not_before(t) for t in programme.tasks}
    bounded = {tid: day for tid, day in starts.items() if day and day > programme.start}
    anchors = {tid: f"{_ANCHORS}.on_{day:%Y_%m_%d}" for tid, day in bounded.items()}
    latest = {t.id: _latest_end(programme, t) for t in programme.tasks if t.deadline is not None}
    # The project must hold every date the file names, or tj3 refuses it.
    first = min([programme.start, *(day for day, _ in latest.values())])
    last = max([_last_day(programme, graph), *(day for day, _ in latest.values())])
    if first < _EARLIEST or last >= _LATEST:
        raise ExportError(
            f"{programme.source + ': ' if programme.source else ''}the programme needs dates from "
            f"{first} to {last}, but TaskJuggler 3 only schedules from {_EARLIEST} to "
            f"{_LATEST - dt.timedelta(days=1)}"
        )
    end = min(last + dt.timedelta(days=7), _LATEST)
    title = _string(programme.name, programme, None, "name")
    origin = f" from {programme.source}" if programme.source else ""

    out = [
        f"# TaskJuggler 3 project exported by spinekit{origin}.",
        f"# Tasks start at {_STARTS} and end at {_CLOSES} so that tj3 reports spinekit's dates:",
        f"# a task of d working days is {_HOURS_PER_DAY}d-1 hours long; a lag of L days is a gap of "
        f"{_HOURS_PER_DAY}L hours,",
        "# plus 1 hour on a finish-to-start link from a task.",
        f"project spinekit {title} {first.isoformat()} - {end.isoformat()} {{",
        "  timingresolution 60min",
        '  timezone "UTC"',
        f"  dailyworkinghours {_HOURS_PER_DAY}",
        f"  workinghours mon - fri {_OPENS} - {_CLOSES}",
        "  workinghours sat, sun off",
        "}",
        "",
        f"# Non-working weekdays: bank holidays ({cal.region}) and closures.",
        *_leaves(programme, first, end),
        "",
        f"task {_CONTAINER} {title} {{",
        f"  start {_at(cal.day0, _STARTS)}",
    ]
    for task in programme.tasks:
        out.extend(_task(programme, task, ids, days, anchors, latest))
    out.append("}")
    if bounded:
        out.extend(["", f'task {_ANCHORS} "Not-before dates" {{'])
        for day in sorted(set(bounded.values())):
            out.append(f'  task on_{day:%Y_%m_%d} "Not before {day}" {{ milestone start {day.isoformat()} }}')
        out.append("}")
    out.extend(
        [
            "",
            f'taskreport {TJP_REPORT} "{TJP_REPORT}" {{',
            "  formats csv",
            "  columns id, start, end, name",
            '  timeformat "%Y-%m-%d"',
            f"  hidetask ~ischildof({_CONTAINER})",
            "  sorttasks seqno.up",
            "}",
        ]
    )
    return "\n".join(out) + "\n"
