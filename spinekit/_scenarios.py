"""What-if scenarios: named variants of a programme, built from changes and presets.

A scenario is a list of changes applied, in order, to the base programme (after its preset,
if it names one). Changes are validated against the programme when it is read, so a scenario
that names an unknown task or risk is reported with the scenario and the id.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Container, Iterable
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from ._calendar import WorkingCalendar
from ._exceptions import ProgrammeError, did_you_mean
from ._model import Change, Dependency, Duration, Programme, Risk, Scenario, Task
from ._presets import PRESETS
from ._schema import Strict

__all__ = ["Change", "Scenario", "apply_scenario", "parse_scenarios", "PRESETS"]


# --- boundary schema ------------------------------------------------------------------------


class _ChangeModel(Strict):
    task: str | None = None
    risk: str | None = None
    duration: Any = None
    depends_on_add: list[Any] = Field(default_factory=list)
    depends_on_remove: list[str] = Field(default_factory=list)
    remove: bool = False
    not_before: Any = None
    deadline: Any = None
    probability: float | None = None
    impact: Any = None
    calendar: dict[str, Any] | None = None
    start: Any = None

    @field_validator("probability")
    @classmethod
    def _probability(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 1.0:  # also rejects NaN
            raise ValueError(f"probability must be between 0 and 1, got {v!r}")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> _ChangeModel:
        targets = [k for k in ("task", "risk") if getattr(self, k) is not None]
        if len(targets) > 1:
            raise ValueError("a change edits one task or one risk; split it into two changes")
        if self.task is not None and (self.probability is not None or self.impact is not None):
            raise ValueError("probability and impact belong to a risk change: use 'risk:' instead of 'task:'")
        if self.risk is not None and (self.duration is not None or self.remove or self.depends_on_add
                                      or self.depends_on_remove or self.not_before or self.deadline):
            raise ValueError("a risk change can set only probability and impact")
        task_fields = (self.duration, self.not_before, self.deadline)
        if self.task is None and (any(v is not None for v in task_fields) or self.remove
                                  or self.depends_on_add or self.depends_on_remove):
            raise ValueError("task fields need 'task:' naming the task to change")
        if self.remove and (self.duration is not None or self.depends_on_add or self.depends_on_remove
                            or self.not_before is not None or self.deadline is not None):
            raise ValueError("a change that removes a task cannot also edit it; drop the other fields")
        if not (targets or self.calendar is not None or self.start is not None):
            raise ValueError("a change needs 'task:', 'risk:', 'calendar:' or 'start:'")
        return self


class _ScenarioModel(Strict):
    id: str
    name: str | None = None
    preset: str | None = None
    changes: list[_ChangeModel] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.match(r"^[A-Za-z0-9_.\-]+$", v):
            raise ValueError(f"scenario id {v!r} may use only letters, digits, '-', '_' and '.'")
        return v

    @field_validator("preset")
    @classmethod
    def _preset(cls, v: str | None) -> str | None:
        if v is not None and v not in PRESETS:
            extra = did_you_mean(v, PRESETS, f"use one of {', '.join(PRESETS)}", "; ")
            raise ValueError(f"unknown preset {v!r}{extra}")
        return v


def _convert_change(raw: _ChangeModel, base: Programme, where: str, source: str | None) -> Change:
    """The domain :class:`Change` for one validated change; errors name the change (``where``)."""
    try:
        return _build_change(raw, base)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        msg = str(err["ctx"]["error"]) if err["type"] == "value_error" and "ctx" in err else err["msg"]
        raise ProgrammeError(msg, source=source, field=f"{where}{loc}") from None
    except ValueError as exc:
        raise ProgrammeError(str(exc), source=source, field=where) from None


def _build_change(raw: _ChangeModel, base: Programme) -> Change:
    from ._programme import _Calendar, _Link, _ThreePoint, _date, _days, _whole

    def duration(value: Any, what: str) -> Duration:
        if isinstance(value, dict):
            return _ThreePoint.model_validate(value).to_duration()
        if what == "duration":
            return Duration.fixed(_whole(value, what, minimum=0))
        return Duration.fixed(_days(value, what))

    links = []
    for item in raw.depends_on_add:
        if isinstance(item, str):
            links.append(Dependency(item))
        else:
            link = _Link.model_validate(item)
            links.append(Dependency(link.task, link.type, link.lag))
    calendar = None
    if raw.calendar is not None:
        cal = _Calendar.model_validate(raw.calendar)
        from ._calendar import Closure

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
        not_before=None if nb in (None, "none") else _date(nb),
        clear_not_before=nb == "none",
        deadline=None if raw.deadline is None else _date(raw.deadline),
        probability=raw.probability,
        impact=None if raw.impact is None else duration(raw.impact, "impact"),
        calendar=calendar,
        start=None if raw.start is None else _date(raw.start),
    )


def parse_scenarios(data: Any, base: Programme, *, source: str | None = None) -> tuple[Scenario, ...]:
    """Validate the ``scenarios`` list of a programme file against the base programme.

    Every scenario is applied once here, so unknown ids, cycles and bad values surface when the
    file is read, with the scenario named.
    """
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ProgrammeError("must be a list of scenarios, each with an id", source=source, field="scenarios")
    out: list[Scenario] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        where = f"scenarios[{label}]"
        try:
            raw = _ScenarioModel.model_validate(item)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["ctx"]["error"]) if err["type"] == "value_error" and "ctx" in err else err["msg"]
            if err["type"] == "extra_forbidden":
                bad = str(err["loc"][-1])
                valid = list(_ChangeModel.model_fields) if "changes" in err["loc"] else list(_ScenarioModel.model_fields)
                msg = f"unknown key {bad!r}; " + did_you_mean(bad, valid, f"valid keys are {', '.join(valid)}")
            raise ProgrammeError(msg, source=source, field=f"{where}.{loc}" if loc else where) from None
        changes = [_convert_change(c, base, f"{where}.changes[{k}]", source) for k, c in enumerate(raw.changes)]
        if raw.id in seen:
            raise ProgrammeError("duplicate scenario id; every scenario needs its own id", source=source, field=where)
        seen.add(raw.id)
        scenario = Scenario(raw.id, raw.name or raw.id, raw.preset, tuple(changes))
        try:
            apply_scenario(base, scenario)  # validates references now, with the scenario named
        except ProgrammeError as exc:
            raise exc.with_source(source) if source else exc
        out.append(scenario)
    return tuple(out)


# --- applying changes ---------------------------------------------------------------------------


def _unknown(kind: str, ident: str, known, scenario: Scenario, field: str, source) -> ProgrammeError:
    from ._exceptions import UnknownTaskError

    extra = did_you_mean(ident, known, lead="; ")
    cls = UnknownTaskError if kind == "task" else ProgrammeError
    return cls(
        f"scenario {scenario.id!r} refers to unknown {kind} {ident!r}{extra}",
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


def _remove_task(tasks: dict[str, Task], victim: str) -> None:
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


def _prune_risks(risks: Iterable[Risk], tasks: Container[str]) -> tuple[Risk, ...]:
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
                _remove_task(tasks, ch.task)
                continue
            t = tasks[ch.task]
            deps = [d for d in t.depends_on if d.task not in ch.depends_on_remove]
            for rid in ch.depends_on_remove:
                if rid not in {d.task for d in t.depends_on}:
                    raise _unknown("predecessor", rid, [d.task for d in t.depends_on], scenario,
                                   f"changes[{k}].depends_on_remove", src)
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
    kept_risks = _prune_risks(risks.values(), tasks)
    if not tasks:
        raise ProgrammeError(
            f"scenario {scenario.id!r} removes every task; keep at least one",
            source=src, field=f"scenarios[{scenario.id}]",
        )
    # Correlation groups keep every member, removed ones included: the sampler draws the
    # group as a whole so the remaining members keep their random numbers.
    return dataclasses.replace(
        programme,
        tasks=tuple(tasks.values()),
        risks=kept_risks,
        calendar=calendar,
    )


def apply_preset_and_changes(programme: Programme, scenario: Scenario) -> Programme:
    """``scenario``'s preset (if any), then its changes, applied to ``programme``.

    :func:`apply_scenario` without its final network check, for callers that build the
    network themselves. A preset's error is raised again with the scenario's ``preset``
    field and the programme's source, so it points at the scenario that named the preset.

    Raises
    ------
    ProgrammeError
        The preset does not fit the programme, or a change names an unknown task or risk.
    """
    result = programme
    if scenario.preset is not None:
        try:
            result = PRESETS[scenario.preset](result)
        except ProgrammeError as exc:
            raise ProgrammeError(exc.message, source=programme.source,
                                 field=f"scenarios[{scenario.id}].preset") from None
    return apply_changes(result, scenario)


def apply_scenario(programme: Programme, scenario: Scenario) -> Programme:
    """The programme as ``scenario`` has it: its preset first, then its changes, validated."""
    from ._network import build_network

    result = apply_preset_and_changes(programme, scenario)
    try:
        build_network(result)
    except ProgrammeError as exc:
        raise ProgrammeError(
            f"scenario {scenario.id!r} breaks the network: {exc.message}",
            source=programme.source, task=exc.task, field=f"scenarios[{scenario.id}]",
        ) from None
    return result
