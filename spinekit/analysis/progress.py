"""Progress at a status date: the forecast as a snapshot, and what changed against history.

:func:`take_snapshot` turns a schedule and a simulation of a programme with a status into the
:class:`~spinekit.model.history.Snapshot` that ``spinekit record`` stores. :func:`progress`
summarises where the programme stands (done, in progress, not started, earned days, overdue
lead-time items) and, given the history, the variance against a baseline and what changed since
the last snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spinekit.engine.schedule import Schedule
from spinekit.engine.simulate import SimulationResult
from spinekit.model.calendar import WorkingCalendar
from spinekit.model.domain import Programme, Status
from spinekit.model.errors import ProgrammeError
from spinekit.model.history import Baseline, Snapshot, TaskSnapshot

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "take_snapshot",
    "task_states",
    "TaskVariance",
    "Progress",
    "progress",
    "recorded_progress",
    "variance_table",
    "baseline_table",
    "finished_by_date",
]


def task_states(programme: Programme) -> dict[str, str]:
    """Each task's state at the status date: ``done``, ``in progress`` or ``not started``."""
    states = {}
    for t in programme.tasks:
        got = programme.status.progress(t.id) if programme.status is not None else None
        if got is None or got.start is None:
            states[t.id] = "not started"
        elif got.finish is not None or t.is_milestone:
            states[t.id] = "done"
        else:
            states[t.id] = "in progress"
    return states


def _require_status(programme: Programme) -> Status:
    if programme.status is None:
        raise ProgrammeError(
            "no status date: add a status block (status: {date: ...}) or give --status FILE",
            source=programme.source,
            field="status",
        )
    return programme.status


def take_snapshot(
    schedule: Schedule, simulation: SimulationResult, *, recorded_at: dt.datetime | None = None
) -> Snapshot:
    """The forecast of ``schedule.programme`` at its status date, with ``simulation`` of it.

    Raises
    ------
    ProgrammeError
        The programme has no status.
    """
    programme = schedule.programme
    status = _require_status(programme)
    states = task_states(programme)
    tasks = tuple(
        TaskSnapshot(
            r["id"],
            r["name"],
            r["start"],
            r["finish"],
            int(r["total_float"]),
            int(r["free_float"]),
            bool(r["critical"]),
            float(simulation.criticality.get(r["id"], 0.0)),
            states[r["id"]],
        )
        for r in schedule.records()
    )
    planned = programme.planned if programme.planned is not None else programme
    risks = tuple((r.id, status.risk(r.id) or "open") for r in planned.risks)
    when = recorded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return Snapshot(
        programme.name,
        status.date,
        when,
        schedule.finish_date,
        simulation.finish_date["p50"],
        simulation.finish_date["p80"],
        simulation.finish_date["p90"],
        simulation.on_time_probability,
        programme.target,
        simulation.iterations,
        simulation.seed,
        tasks,
        risks,
    )


@dataclass(frozen=True)
class TaskVariance:
    """One task's forecast finish against the baseline's (slip in working days, + is later)."""

    id: str
    baseline_finish: dt.date
    forecast_finish: dt.date
    slip: int
    critical: bool


@dataclass(frozen=True)
class Progress:
    """Where a programme stands at its status date (see :func:`progress`)."""

    programme: str
    status_date: dt.date
    counts: dict[str, int]
    #: Earned and planned working days; None where only a snapshot is known (see
    #: :func:`recorded_progress`), which does not keep them.
    earned_days: float | None
    planned_days: float | None
    overdue: tuple[str, ...]
    finish: dt.date
    baseline: Baseline | None = None
    go_live_slip: int | None = None
    variance: tuple[TaskVariance, ...] = ()
    new_tasks: tuple[str, ...] = ()
    removed_tasks: tuple[str, ...] = ()
    previous: dt.date | None = None
    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Whether this is the history's latest snapshot rather than a status in the plan.
    recorded: bool = False

    @property
    def slipped_critical(self) -> tuple[str, ...]:
        """Critical tasks forecast to finish later than in the baseline."""
        return tuple(v.id for v in self.variance if v.critical and v.slip > 0)

    def to_dict(self) -> dict[str, Any]:
        """The ``spinekit status --format json`` document."""
        doc: dict[str, Any] = {
            "programme": self.programme,
            "status_date": self.status_date.isoformat(),
            "counts": dict(self.counts),
            "earned_days": None if self.earned_days is None else round(self.earned_days, 2),
            "planned_days": None if self.planned_days is None else round(self.planned_days, 2),
            "overdue_lead_time": None if self.recorded else list(self.overdue),
            "finish_date": self.finish.isoformat(),
        }
        if self.recorded:
            doc["recorded"] = True  # from the history's latest snapshot: no earned days or overdue items
        if self.baseline is not None:
            doc["baseline"] = {
                "name": self.baseline.name,
                "status_date": self.baseline.status_date.isoformat(),
                "go_live_slip": self.go_live_slip,
                "slipped_critical": list(self.slipped_critical),
                "new_tasks": list(self.new_tasks),
                "removed_tasks": list(self.removed_tasks),
                "tasks": [
                    {
                        "id": v.id,
                        "baseline_finish": v.baseline_finish.isoformat(),
                        "forecast_finish": v.forecast_finish.isoformat(),
                        "slip": v.slip,
                        "critical": v.critical,
                    }
                    for v in self.variance
                ],
            }
        if self.previous is not None:
            doc["since"] = {"status_date": self.previous.isoformat(), **{k: list(v) for k, v in self.changes.items()}}
        return doc

    def to_text(self) -> str:
        """The ``spinekit status`` summary for people."""
        c = self.counts
        counted = f"{c['done']} done, {c['in progress']} in progress, {c['not started']} not started"
        if self.earned_days is not None and self.planned_days is not None:
            counted += f"; earned {self.earned_days:.1f} of {self.planned_days:.1f} planned working days"
        lines = [f"{self.programme}: progress at {self.status_date}", counted, f"forecast finish {self.finish}"]
        if self.recorded:
            lines.insert(
                1,
                "as the history's latest snapshot recorded it (the plan has no status: give --status FILE "
                "for earned days and overdue lead-time items)",
            )
        if self.overdue:
            lines += ["", "Overdue lead-time items (not started, could have been): " + ", ".join(self.overdue)]
        if self.baseline is not None:
            lines += [
                "",
                f"Against baseline {self.baseline.name!r} ({self.baseline.status_date}): go-live "
                + _slip_words(self.go_live_slip or 0),
            ]
            if self.slipped_critical:
                lines.append("slipped critical tasks: " + ", ".join(self.slipped_critical))
            if self.new_tasks:
                lines.append("new tasks: " + ", ".join(self.new_tasks))
            if self.removed_tasks:
                lines.append("removed tasks: " + ", ".join(self.removed_tasks))
            moved = [v for v in self.variance if v.slip]
            if moved:
                w = max(len("task"), *(len(v.id) for v in moved))
                lines.append(f"{'task':<{w}}  baseline    forecast    slip")
                lines += [f"{v.id:<{w}}  {v.baseline_finish}  {v.forecast_finish}  {v.slip:>+4}" for v in moved]
        if self.previous is not None:
            lines += ["", f"Since the snapshot at {self.previous}:"]
            said = [f"{k}: {', '.join(v)}" for k, v in self.changes.items() if v]
            lines += said or ["no change"]
        return "\n".join(lines) + "\n"


def _slip_words(slip: int) -> str:
    if slip == 0:
        return "on the baseline date"
    return f"{abs(slip)} working day{'s' if abs(slip) != 1 else ''} {'later' if slip > 0 else 'earlier'}"


def _earned(programme: Programme, states: dict[str, str], s: int) -> tuple[float, float]:
    """Earned and planned working days: each task's planned duration, times the share done."""
    planned = programme.planned if programme.planned is not None else programme
    cal = programme.calendar
    earned = total = 0.0
    for t in planned.tasks:
        days = float(t.duration.planned)
        total += days
        if states[t.id] == "done":
            earned += days
        elif states[t.id] == "in progress":
            got = programme.status.progress(t.id) if programme.status is not None else None
            if got is None or got.start is None:
                continue
            if got.percent_complete is not None:
                share = got.percent_complete / 100.0
            else:
                elapsed = max(s - cal.index_on_or_after(got.start), 0)
                left = got.remaining.likely if got.remaining is not None else 0.0
                share = elapsed / (elapsed + left) if elapsed + left > 0 else 1.0
            earned += days * share
    return earned, total


def progress(
    schedule: Schedule,
    snapshots: Sequence[Snapshot] = (),
    baselines: Sequence[Baseline] = (),
    *,
    baseline: str | None = None,
) -> Progress:
    """Where ``schedule.programme`` stands at its status date, against its history if given.

    ``snapshots`` (oldest first) and ``baselines`` come from the history; the variance is
    against ``baseline`` (default: the latest baseline) and the changes are since the latest
    snapshot before the status date.

    Raises
    ------
    ProgrammeError
        The programme has no status, or ``baseline`` names no baseline.
    """
    from spinekit.analysis.check import check_plan

    programme = schedule.programme
    status = _require_status(programme)
    states = task_states(programme)
    counts = _counts(states)
    s = programme.calendar.index_on_or_after(status.date + dt.timedelta(days=1))
    earned, total = _earned(programme, states, s)
    health = check_plan(programme, schedule)
    overdue = next((f.tasks for f in health.findings if f.rule == "overdue-lead-time"), ())
    rows = {r["id"]: (r["finish"], bool(r["critical"])) for r in schedule.records()}
    result = Progress(programme.name, status.date, counts, earned, total, overdue, schedule.finish_date)
    return _against_history(
        result,
        rows,
        states,
        status.risk,
        snapshots,
        baselines,
        baseline,
        programme.calendar,
        programme.source,
    )


def recorded_progress(
    snapshots: Sequence[Snapshot],
    baselines: Sequence[Baseline],
    calendar: WorkingCalendar,
    *,
    baseline: str | None = None,
    source: str | None = None,
) -> Progress:
    """Where the programme stood at its latest snapshot, against its baseline and the snapshot
    before: the progress of a plan read without a status whose history was recorded with
    status files.

    A snapshot keeps each task's state, forecast dates and criticality and each risk's state,
    so the counts, the variance and the changes are as :func:`progress` gave them when it was
    recorded; it does not keep earned days or overdue items (None and none here).

    Raises
    ------
    ProgrammeError
        There are no snapshots, or ``baseline`` names no baseline.
    """
    if not snapshots:
        raise ProgrammeError("no snapshots yet: record one with spinekit record FILE --status F", source=source)
    latest = max(snapshots, key=lambda x: x.status_date)
    states = {t.id: t.state for t in latest.tasks}
    rows = {t.id: (t.finish, t.critical) for t in latest.tasks}
    risks = dict(latest.risks)
    result = Progress(
        latest.programme,
        latest.status_date,
        _counts(states),
        None,
        None,
        (),
        latest.deterministic_finish,
        recorded=True,
    )
    return _against_history(result, rows, states, risks.get, snapshots, baselines, baseline, calendar, source)


def _counts(states: dict[str, str]) -> dict[str, int]:
    return {k: sum(v == k for v in states.values()) for k in ("done", "in progress", "not started")}


def _against_history(
    result: Progress,
    rows: dict[str, tuple[dt.date, bool]],
    states: dict[str, str],
    risk_state: Callable[[str], str | None],
    snapshots: Sequence[Snapshot],
    baselines: Sequence[Baseline],
    baseline: str | None,
    cal: WorkingCalendar,
    source: str | None,
) -> Progress:
    """``result`` with the variance against ``baseline`` (default: the latest baseline) and the
    changes since the latest snapshot before its status date; ``rows`` gives each task's forecast
    finish and whether it is critical, ``risk_state`` each risk's state now."""
    chosen: Baseline | None = None
    if baseline is not None:
        chosen = next((b for b in baselines if b.name == baseline), None)
        if chosen is None:
            names = ", ".join(b.name for b in baselines) or "none yet"
            raise ProgrammeError(f"no baseline named {baseline!r} (baselines: {names})", source=source)
    elif baselines:
        chosen = max(baselines, key=lambda b: (b.created_at, b.name))
    base = next((x for x in snapshots if chosen is not None and x.status_date == chosen.status_date), None)
    if chosen is not None and base is not None:
        variance = []
        for tid, (finish, critical) in rows.items():
            was = base.task(tid)
            if was is None:
                continue
            variance.append(
                TaskVariance(tid, was.finish, finish, cal.working_days_between(was.finish, finish), critical)
            )
        result = _with(
            result,
            baseline=chosen,
            go_live_slip=cal.working_days_between(base.deterministic_finish, result.finish),
            variance=tuple(variance),
            new_tasks=tuple(i for i in rows if base.task(i) is None),
            removed_tasks=tuple(t.id for t in base.tasks if t.id not in rows),
        )
    before = sorted((x for x in snapshots if x.status_date < result.status_date), key=lambda x: x.status_date)
    if before:
        last = before[-1]
        result = _with(result, previous=last.status_date, changes=_changes(last, rows, states, risk_state, cal))
    return result


def _with(p: Progress, **changes: Any) -> Progress:
    import dataclasses

    return dataclasses.replace(p, **changes)


def _changes(
    last: Snapshot,
    rows: dict[str, tuple[dt.date, bool]],
    states: dict[str, str],
    risk_state: Callable[[str], str | None],
    cal: WorkingCalendar,
) -> dict[str, tuple[str, ...]]:
    was = {t.id: t for t in last.tasks}
    finished = tuple(i for i, st in states.items() if st == "done" and i in was and was[i].state != "done")
    started = tuple(i for i, st in states.items() if st != "not started" and i in was and was[i].state == "not started")
    slipped = tuple(i for i, (f, _) in rows.items() if i in was and cal.working_days_between(was[i].finish, f) > 0)
    became_critical = tuple(i for i, (_, c) in rows.items() if i in was and c and not was[i].critical)
    left_critical = tuple(i for i, (_, c) in rows.items() if i in was and not c and was[i].critical)
    old_risks = dict(last.risks)
    closed = tuple(i for i, st in old_risks.items() if st != "closed" and risk_state(i) == "closed")
    occurred = tuple(i for i, st in old_risks.items() if st != "occurred" and risk_state(i) == "occurred")
    return {
        "finished": finished,
        "started": started,
        "slipped": slipped,
        "risks closed": closed,
        "risks occurred": occurred,
        "became critical": became_critical,
        "no longer critical": left_critical,
    }


def variance_table(result: Progress) -> pd.DataFrame:
    """One row per task against the baseline: baseline and forecast finish, slip, critical.

    Slipped critical tasks first, then by slip (largest first); empty without a baseline.
    """
    import pandas as pd

    rows = sorted(result.variance, key=lambda v: (not (v.critical and v.slip > 0), -v.slip, v.id))
    return pd.DataFrame(
        {
            "task": [v.id for v in rows],
            "baseline finish": [v.baseline_finish for v in rows],
            "forecast finish": [v.forecast_finish for v in rows],
            "slip (working days)": [v.slip for v in rows],
            "critical": ["yes" if v.critical else "" for v in rows],
        },
        columns=["task", "baseline finish", "forecast finish", "slip (working days)", "critical"],
    )


def baseline_table(snapshot: Snapshot, schedule: Schedule) -> pd.DataFrame:
    """A snapshot's task dates as a schedule table, for a Gantt of baseline beside forecast.

    Columns ``id, name, start, finish, duration, track, critical``; ``duration`` and ``track``
    come from ``schedule`` (the current forecast) where it has the task, so that milestones and
    swimlanes match.
    """
    import pandas as pd

    now = {r["id"]: r for r in schedule.records()}
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "start": t.start,
            "finish": t.finish,
            "duration": now[t.id]["duration"] if t.id in now else max((t.finish - t.start).days, 1),
            "track": now[t.id]["track"] if t.id in now else None,
            "critical": t.critical,
        }
        for t in snapshot.tasks
    ]
    return pd.DataFrame(rows, columns=["id", "name", "start", "finish", "duration", "track", "critical"])


def finished_by_date(planned: Snapshot, programme: Programme) -> tuple[list[dt.date], list[dt.date]]:
    """The finish dates of the tasks (milestones aside) as ``planned`` had them, and as they
    actually finished by ``programme``'s status date: the two lines of a burn-up chart."""
    milestones = {t.id for t in (programme.planned or programme).tasks if t.is_milestone}
    plan = sorted(t.finish for t in planned.tasks if t.id not in milestones)
    status = programme.status
    actual = sorted(
        p.finish for tid, p in (status.tasks if status is not None else ()) if p.finish and tid not in milestones
    )
    return plan, actual
