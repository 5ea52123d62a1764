"""Progress on a live programme: the ``status`` block, checked and applied to the network.

A status is a transformation of the programme; the critical path engine is unchanged. With
``s`` the index of the first working day after ``status.date``:

- a started task keeps its actual start: its incoming links are dropped and it is pinned there
  (``not_before`` = the actual start). Done, its duration is the working days from start to
  finish inclusive; in progress, the working days from its start up to ``s`` plus what remains
  (``remaining``, or ``ceil(likely x (1 - p/100))`` for ``percent_complete: p``; in Monte Carlo
  each point of the estimate is scaled by ``1 - p/100``);
- a task not yet started gets ``not_before = max(its own not_before, s)``: it is left as planned
  and the programme's ``hold`` (the date of ``s``) says so, read through
  :meth:`~spinekit.model.domain.Programme.not_before`;
- a closed risk is dropped, an occurred one fires for certain; neither risks nor correlations
  touch a done task.

Parsing (:func:`parse_status`) is pure; :func:`read_status` reads a file first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from spinekit.model.domain import RISK_STATES, Correlation, Duration, Programme, Risk, Status, Task, TaskProgress
from spinekit.model.errors import ProgrammeError, SpinekitError, UnknownTaskError, did_you_mean
from spinekit.model.files import read_programme_data
from spinekit.model.schema import (
    StatusEntry,
    Strict,
    TaskStatusEntry,
    ThreePointEntry,
    keys_of,
    parse_date,
    percent_complete,
    status_keys_text,
    whole_days,
)

__all__ = ["parse_status", "read_status", "status_files_for", "apply_status", "status_index"]

_PREFIX = "status."


def read_status(path: str | os.PathLike[str]) -> Status:
    """Read a status file: the ``status`` block on its own, or a mapping with a ``status`` key.

    Raises
    ------
    ProgrammeError
        The file is missing, unreadable, not YAML, or breaks the status contract.
    """
    data, source = read_programme_data(path)
    if isinstance(data, dict) and set(data) == {"status"}:
        data = data["status"]
    return parse_status(data, source=source, prefix="")


def status_files_for(files: Sequence[str], statuses: Sequence[str] | None) -> list[str | None]:
    """The status file of each programme file, given as ``--status`` once per file in order, or
    none (each then uses its own ``status`` block).

    Raises
    ------
    SpinekitError
        There are status files, but not one per programme file.
    """
    given = list(statuses or ())
    if given and len(given) != len(files):
        raise SpinekitError(
            f"{len(given)} status files for {len(files)} programme files; give one --status per programme file, "
            "in the same order, or none"
        )
    return list(given) if given else [None] * len(files)


def parse_status(data: Any, *, source: str | None = None, prefix: str = _PREFIX) -> Status:
    """Validate a loaded ``status`` block (types and ranges only; see :func:`apply_status`).

    ``prefix`` is put before field names in error messages (``status.`` inside a programme
    file, nothing in a file of its own).

    Raises
    ------
    ProgrammeError
        A key is unknown or a value has the wrong type or range; the message names the task and
        field.
    """
    if not isinstance(data, dict):
        raise ProgrammeError(
            f"the status must be a mapping with date, tasks and risks; got {data!r}",
            source=source,
            field=prefix.rstrip(".") or None,
        )
    plain = _plain(data)
    if plain is not None:
        date, tasks, given_risks = plain
    else:
        try:
            raw = StatusEntry.model_validate(data)
        except ValidationError as exc:
            raise _translate(exc, source, prefix) from None
        date, given_risks = raw.date, raw.risks
        tasks = tuple((tid, _progress(entry)) for tid, entry in raw.tasks.items())
    risks = []
    for rid, state in given_risks.items():
        if state not in RISK_STATES:
            extra = did_you_mean(str(state), RISK_STATES, "use closed or occurred", "; ")
            raise ProgrammeError(f"unknown risk state {state!r}{extra}", source=source, field=f"{prefix}risks.{rid}")
        risks.append((rid, str(state)))
    return Status(date, tasks, tuple(risks), file=None if prefix else source)


_STATUS_KEYS = frozenset(keys_of(StatusEntry))
_PROGRESS_KEYS = frozenset(keys_of(TaskStatusEntry))


def _plain(data: dict[Any, Any]) -> tuple[dt.date, tuple[tuple[str, TaskProgress], ...], dict[str, Any]] | None:
    """The status block read without pydantic when it is plainly well formed, else None.

    A status lists a line per task of a large programme, and building a pydantic model of each
    costs several times the rest of the status. Any entry that this path does not take as it
    is (a fault, or a three-point ``remaining``) sends the whole block to ``StatusEntry``, which
    reads it the same way and reports a fault in its one message. The checks are the schema's
    own functions, so the two readings cannot differ.
    """
    if "date" not in data or not data.keys() <= _STATUS_KEYS:
        return None
    try:
        date = parse_date(data["date"])
        given_tasks = status_keys_text(data.get("tasks"))
        given_risks = status_keys_text(data.get("risks"))
        if type(given_tasks) is not dict or type(given_risks) is not dict:
            return None
        if any(type(rid) is not str for rid in given_risks):
            return None
        tasks = []
        new = object.__new__
        days: dict[str, dt.date] = {}  # a status repeats its dates: each text is read once

        def day(value: Any) -> dt.date:
            if type(value) is not str:
                return parse_date(value)
            got = days.get(value)
            if got is None:
                got = days[value] = parse_date(value)
            return got

        for tid, entry in given_tasks.items():
            if type(tid) is not str or type(entry) is not dict or not entry.keys() <= _PROGRESS_KEYS:
                return None
            start, finish = entry.get("start"), entry.get("finish")
            remaining, percent = entry.get("remaining"), entry.get("percent_complete")
            if isinstance(remaining, dict):
                return None
            # TaskProgress's fields set as its __init__ would, a third faster (no per-field
            # frozen-dataclass setattr); it has no __init__ logic and no slots.
            progress: TaskProgress = new(TaskProgress)
            progress.__dict__.update(
                start=None if start is None else day(start),
                finish=None if finish is None else day(finish),
                remaining=None if remaining is None else _fixed(whole_days(remaining, "remaining", minimum=0)),
                percent_complete=None if percent is None else percent_complete(percent),
            )
            tasks.append((tid, progress))
    except ValueError:
        return None
    return date, tuple(tasks), given_risks


def _progress(entry: TaskStatusEntry) -> TaskProgress:
    remaining = entry.remaining
    if isinstance(remaining, ThreePointEntry):
        remaining = remaining.to_duration()
    elif remaining is not None:
        remaining = _fixed(remaining)
    return TaskProgress(entry.start, entry.finish, remaining, entry.percent_complete)


def _translate(exc: ValidationError, source: str | None, prefix: str) -> ProgrammeError:
    errors = exc.errors(include_url=False)
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [p for p in err["loc"] if p not in ("function-after", "function-before", "ThreePointEntry", "int")]
    task = str(loc[1]) if len(loc) >= 2 and loc[0] == "tasks" else None
    field = prefix + ".".join(str(p) for p in loc) if loc else prefix.rstrip(".") or None
    kind = err["type"]
    if kind == "extra_forbidden":
        bad = str(loc[-1])
        model: type[Strict] = TaskStatusEntry if task is not None and len(loc) == 3 else StatusEntry
        if len(loc) == 4:
            model = ThreePointEntry
        valid = keys_of(model)
        msg = f"unknown key {bad!r}; " + did_you_mean(bad, valid, f"valid keys are {', '.join(valid)}")
    elif kind == "missing":
        msg = f"missing required key {str(loc[-1])!r}"
    elif kind in ("model_type", "dict_type"):
        msg = f"must be a mapping of keys to values; got {err.get('input')!r}"
    elif kind == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
    else:
        msg = f"{err['msg'][0].lower()}{err['msg'][1:]}; got {err.get('input')!r}"
    return ProgrammeError(msg, source=source, task=task, field=field)


def status_index(programme: Programme, status: Status) -> int:
    """``s``: the working-day index of the first working day after ``status.date``."""
    return programme.calendar.index_on_or_after(status.date + dt.timedelta(days=1))


def apply_status(
    programme: Programme,
    status: Status,
    *,
    source: str | None = None,
    prefix: str = _PREFIX,
    hold_unstarted: bool = True,
) -> Programme:
    """``programme`` as it stands at ``status.date``: actuals pinned, remaining work re-planned.

    The result carries ``status``, the programme as planned (``planned``) and ``hold``, the
    date no task not yet started starts before (its tasks keep their own ``not_before``; read
    the date in force with :meth:`~spinekit.model.domain.Programme.not_before`); applied to a
    programme that already has a status, the new status replaces the old.
    ``hold_unstarted=False`` leaves tasks not yet started where the network puts them, even
    before the status date (to see what should have started by now).

    Raises
    ------
    ProgrammeError
        An actual date after the status date, a finish before its start or without one,
        ``remaining`` with ``finish``, both ``remaining`` and ``percent_complete``, or progress on
        a task that has not started; the message names the task and field.
    UnknownTaskError
        The status names a task or risk the programme does not have.
    """
    if programme.planned is not None:
        programme = programme.planned  # a new status replaces the one applied before
    where = source if source is not None else programme.source
    by_id = programme._tasks_by_id
    date = status.date
    started: dict[str, tuple[Task, TaskProgress]] = {}  # the last entry of an id counts, as in Status
    for tid, p in status.tasks:
        task = by_id.get(tid)
        if task is None:
            extra = did_you_mean(tid, by_id, "check the spelling against the task ids", "; ")
            raise UnknownTaskError(f"unknown task {tid!r}{extra}", source=where, task=tid, field=f"{prefix}tasks")
        _check_progress(tid, p, date, task, where, prefix)
        if p.start is not None:
            started[tid] = (task, p)
        else:
            started.pop(tid, None)
    risk_ids = [r.id for r in programme.risks]
    for rid, _state in status.risks:
        if rid not in risk_ids:
            extra = did_you_mean(rid, risk_ids, "check the spelling against the risk ids", "; ")
            raise UnknownTaskError(f"unknown risk {rid!r}{extra}", source=where, field=f"{prefix}risks.{rid}")

    calendar = programme.calendar
    starts = [p.start for _, p in started.values() if p.start is not None]
    if starts and min(starts) < calendar.day0:
        # Work began before the planned start: count working days from the first actual start.
        calendar = dataclasses.replace(calendar, start=min(starts))
    s = calendar.index_on_or_after(date + dt.timedelta(days=1))
    # Every date converted at once: a large programme has thousands.
    begun = calendar.indices(starts, "forward")
    ended = calendar.indices([p.finish or p.start for _, p in started.values() if p.start is not None], "backward")
    done = set()

    def pin(task: Task, got: TaskProgress, a: int, f: int) -> Task:
        if got.finish is not None or task.is_milestone:
            done.add(task.id)
            duration = _fixed(0 if task.is_milestone else max(f - a + 1, 0))
        else:
            duration = _in_progress(task.duration, got, max(s - a, 0))
        return _pinned(task, duration, got.start)

    # Tasks not started stay as planned: the programme's hold keeps them from starting before
    # s (Programme.not_before), which costs no copy of each.
    dated = list(zip(started.values(), begun.tolist(), ended.tolist()))
    changed = {task.id: pin(task, got, a, f) for (task, got), a, f in dated}
    # Each id keeps its place: the tasks in programme order, and the lookup the schedule needs
    # (Programme._tasks_by_id) without building it again for thousands of tasks.
    lookup = {**by_id, **changed}
    after: dict[str, Task] | None = lookup
    if not changed:
        tasks = programme.tasks
    elif len(by_id) == len(programme.tasks):
        tasks = tuple(lookup.values())
    else:  # a programme built with repeated ids: each copy pinned from its own fields
        at = {task.id: (got, a, f) for (task, got), a, f in dated}
        tasks = tuple([pin(t, *at[t.id]) if t.id in at else t for t in programme.tasks])
        after = None

    risks = []
    for r in programme.risks:
        state = status.risk(r.id)
        hit = tuple(t for t in r.tasks if t not in done)
        if state == "closed" or not hit:
            continue
        risks.append(Risk(r.id, r.name, 1.0 if state == "occurred" else r.probability, r.impact, hit))
    correlations = []
    for c in programme.correlations:
        kept = tuple(t for t in c.tasks if t not in done)
        if len(kept) >= 2:
            correlations.append(Correlation(kept, c.rho))
    tracked = dataclasses.replace(
        programme,
        calendar=calendar,
        tasks=tasks,
        risks=tuple(risks),
        correlations=tuple(correlations),
        status=status,
        planned=programme,
        hold=calendar.date_of(s) if hold_unstarted else None,
    )
    if after is not None:
        tracked.__dict__["_tasks_by_id"] = after  # the cached property's value, as it would build it
    return tracked


def _pinned(task: Task, duration: Duration, start: dt.date | None) -> Task:
    """``task`` started on ``start``: its ``duration`` as it stands, no incoming links, pinned.

    ``dataclasses.replace`` does the same about three times slower, and this runs for every
    task started. ``Task`` has no ``__init__`` logic, no slots and no cached values, so copying
    its fields is the same as constructing it.
    """
    new: Task = object.__new__(Task)
    fields = new.__dict__
    fields.update(task.__dict__)
    fields["duration"] = duration
    fields["depends_on"] = ()
    fields["not_before"] = start
    return new


#: Fixed durations shared: frozen values, and a status makes one per task started. Typed, so
#: that 7 and 7.0 stay apart (a percentage gives 7.0, working days count 7).
_shared_fixed = functools.lru_cache(maxsize=1024, typed=True)(Duration.fixed)


def _fixed(days: float) -> Duration:
    return _shared_fixed(days)


def _in_progress(planned: Duration, p: TaskProgress, elapsed: int) -> Duration:
    """Elapsed working days plus what remains, as a duration."""
    if p.remaining is not None:
        left = p.remaining
    else:
        done = p.percent_complete or 0.0
        # (x * (100 - p)) / 100 keeps whole results exact: 10 at 60% is 4.0, not 4.000000000000001.
        lo, likely, hi = (x * (100.0 - done) / 100.0 for x in (planned.min, planned.likely, planned.max))
        left = Duration(lo, likely, hi, planned.dist)
        if left.is_fixed:
            left = Duration.fixed(left.likely)
    if left.is_fixed:
        return _fixed(elapsed + left.likely)
    return Duration(elapsed + left.min, elapsed + left.likely, elapsed + left.max, left.dist)


def _check_progress(tid: str, p: TaskProgress, date: dt.date, task: Task, source: str | None, prefix: str) -> None:
    start, finish, remaining = p.start, p.finish, p.remaining
    if start is not None and start <= date:  # the two shapes a status is made of, passed quickly
        if finish is None and (remaining is None) != (p.percent_complete is None):
            return  # in progress
        if finish is not None and start <= finish <= date and remaining is None:
            return  # done

    def fail(field: str, message: str) -> ProgrammeError:
        return ProgrammeError(message, source=source, task=tid, field=f"{prefix}tasks.{tid}.{field}")

    if p.finish is not None and p.start is None:
        raise fail("finish", "a finish needs a start; add the actual start date")
    if p.start is not None and p.start > date:
        raise fail("start", f"actual start {p.start} is after the status date {date}; correct it or move status.date")
    if p.finish is not None and p.finish > date:
        raise fail(
            "finish", f"actual finish {p.finish} is after the status date {date}; correct it or move status.date"
        )
    if p.start is not None and p.finish is not None and p.finish < p.start:
        raise fail("finish", f"finish {p.finish} is before start {p.start}; correct one of the dates")
    if p.remaining is not None and p.finish is not None:
        raise fail("remaining", "a finished task has no remaining work; drop remaining or finish")
    if p.remaining is not None and p.percent_complete is not None:
        raise fail("percent_complete", "give remaining or percent_complete, not both")
    if p.start is None and (p.remaining is not None or p.percent_complete is not None):
        field = "remaining" if p.remaining is not None else "percent_complete"
        raise fail(field, "progress needs an actual start; add start (a task not started keeps its estimate)")
    if p.start is not None and p.finish is None and p.remaining is None and p.percent_complete is None:
        if not task.is_milestone:
            raise fail("start", "a task in progress needs remaining or percent_complete; or give finish if it is done")
