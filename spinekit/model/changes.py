"""Changes to a programme: scenario change entries made into values, and applied in order.

Removing a task keeps the network whole (its dependants inherit its predecessors) and narrows
the risks to the tasks that remain; presets and scenarios both edit programmes through these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Container, Iterable
from typing import Any

from pydantic import ValidationError

from spinekit.model.calendar import Closure, WorkingCalendar
from spinekit.model.domain import Change, Dependency, Duration, Programme, Risk, Scenario, Task
from spinekit.model.errors import ProgrammeError, UnknownTaskError, did_you_mean, short_repr
from spinekit.model.schema import (
    CalendarEntry,
    ChangeEntry,
    LinkEntry,
    ThreePointEntry,
    nonnegative_days,
    parse_date,
    whole_days,
)

__all__ = ["convert_change", "apply_changes", "remove_task", "prune_risks"]


def convert_change(raw: ChangeEntry, base: Programme, where: str, source: str | None) -> Change:
    """The domain :class:`Change` for one validated change; errors name the change (``where``)."""
    try:
        return build_change(raw, base)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        msg = str(err["ctx"]["error"]) if err["type"] == "value_error" and "ctx" in err else err["msg"]
        raise ProgrammeError(msg, source=source, field=f"{where}{loc}") from None
    except ValueError as exc:
        raise ProgrammeError(str(exc), source=source, field=where) from None


def build_change(raw: ChangeEntry, base: Programme) -> Change:
    def duration(value: Any, what: str) -> Duration:
        if isinstance(value, dict):
            return ThreePointEntry.model_validate(value).to_duration()
        if what == "duration":
            return Duration.fixed(whole_days(value, what, minimum=0))
        return Duration.fixed(nonnegative_days(value, what))

    links = []
    for item in raw.depends_on_add:
        if isinstance(item, str):
            links.append(Dependency(item))
        else:
            link = LinkEntry.model_validate(item)
            links.append(Dependency(link.task, link.type, link.lag))
    calendar = None
    if raw.calendar is not None:
        cal = CalendarEntry.model_validate(raw.calendar)
        calendar = WorkingCalendar(
            start=base.calendar.start,
            region=cal.holidays,
            closures=tuple(Closure(c.from_, c.to, c.name) for c in cal.closures),
        )
    nb = raw.not_before
    return Change(
        task=raw.task,
        risk=raw.risk,
        duration=None if raw.duration is None else duration(raw.duration, "duration"),
        depends_on_add=tuple(links),
        depends_on_remove=tuple(raw.depends_on_remove),
        remove=raw.remove,
        not_before=None if nb in (None, "none") else parse_date(nb),
        clear_not_before=nb == "none",
        deadline=None if raw.deadline is None else parse_date(raw.deadline),
        probability=raw.probability,
        impact=None if raw.impact is None else duration(raw.impact, "impact"),
        calendar=calendar,
        start=None if raw.start is None else parse_date(raw.start),
    )


def _unknown(
    kind: str, ident: str, known: Iterable[str], scenario: Scenario, field: str, source: str | None
) -> ProgrammeError:
    extra = did_you_mean(ident, known, lead="; ")
    cls = UnknownTaskError if kind == "task" else ProgrammeError
    return cls(
        f"scenario {short_repr(scenario.id)} refers to unknown {kind} {short_repr(ident)}{extra}",
        source=source,
        field=f"scenarios[{scenario.id}].{field}",
    )


def _inherit(removed: Task, link_to_removed: Dependency) -> list[Dependency]:
    """Links a dependant gets from a removed task's predecessors.

    p -(t1, l1)-> r -(t2, l2)-> s becomes p -(t1[0] + t2[1], l1 + l2)-> s: the side of p that
    drove r and the side of s that r drove, with the lags added.
    """
    out = []
    for up in removed.depends_on:
        kind = up.type[0] + link_to_removed.type[1]
        out.append(Dependency(up.task, kind, up.lag + link_to_removed.lag))
    return out


def remove_task(tasks: dict[str, Task], victim: str) -> None:
    gone = tasks.pop(victim)
    for tid, t in list(tasks.items()):
        link = next((d for d in t.depends_on if d.task == victim), None)
        if link is None:
            continue
        kept = [d for d in t.depends_on if d.task != victim]
        have = {d.task for d in kept}
        for new in _inherit(gone, link):
            if new.task not in have:
                kept.append(new)
                have.add(new.task)
        tasks[tid] = dataclasses.replace(t, depends_on=tuple(kept))


def prune_risks(risks: Iterable[Risk], tasks: Container[str]) -> tuple[Risk, ...]:
    """``risks`` narrowed to the ids in ``tasks``, in order; a risk left with no task is dropped.

    Used wherever tasks are removed, so that no risk delays a task the programme no longer has.
    """
    kept = []
    for r in risks:
        hit = tuple(t for t in r.tasks if t in tasks)
        if hit:
            kept.append(dataclasses.replace(r, tasks=hit))
    return tuple(kept)


def apply_changes(programme: Programme, scenario: Scenario) -> Programme:
    """Apply ``scenario.changes`` (not its preset) to ``programme``."""
    src = programme.source
    tasks = {t.id: t for t in programme.tasks}
    risks = {r.id: r for r in programme.risks}
    calendar = programme.calendar
    for k, ch in enumerate(scenario.changes):
        if ch.task is not None:
            if ch.task not in tasks:
                raise _unknown("task", ch.task, tasks, scenario, f"changes[{k}].task", src)
            if ch.remove:
                remove_task(tasks, ch.task)
                continue
            t = tasks[ch.task]
            deps = [d for d in t.depends_on if d.task not in ch.depends_on_remove]
            for rid in ch.depends_on_remove:
                if rid not in {d.task for d in t.depends_on}:
                    raise _unknown(
                        "predecessor",
                        rid,
                        [d.task for d in t.depends_on],
                        scenario,
                        f"changes[{k}].depends_on_remove",
                        src,
                    )
            for link in ch.depends_on_add:
                if link.task not in tasks:
                    raise _unknown("task", link.task, tasks, scenario, f"changes[{k}].depends_on_add", src)
                deps = [d for d in deps if d.task != link.task] + [link]
            updates: dict[str, Any] = {"depends_on": tuple(deps)}
            if ch.duration is not None:
                updates["duration"] = ch.duration
            if ch.not_before is not None or ch.clear_not_before:
                updates["not_before"] = ch.not_before
            if ch.deadline is not None:
                updates["deadline"] = ch.deadline
            tasks[ch.task] = dataclasses.replace(t, **updates)
        elif ch.risk is not None:
            if ch.risk not in risks:
                raise _unknown("risk", ch.risk, risks, scenario, f"changes[{k}].risk", src)
            r = risks[ch.risk]
            risks[ch.risk] = dataclasses.replace(
                r,
                probability=r.probability if ch.probability is None else ch.probability,
                impact=r.impact if ch.impact is None else ch.impact,
            )
        if ch.calendar is not None:
            calendar = dataclasses.replace(ch.calendar, start=calendar.start)
        if ch.start is not None:
            calendar = dataclasses.replace(calendar, start=ch.start)
    kept_risks = prune_risks(risks.values(), tasks)
    if not tasks:
        raise ProgrammeError(
            f"scenario {short_repr(scenario.id)} removes every task; keep at least one",
            source=src,
            field=f"scenarios[{scenario.id}]",
        )
    # Correlation groups keep every member, removed ones included: the sampler draws the
    # group as a whole so the remaining members keep their random numbers.
    return dataclasses.replace(
        programme,
        tasks=tuple(tasks.values()),
        risks=kept_risks,
        calendar=calendar,
    )
