"""Parse and validate programme data (the YAML contract) into the domain model.

Parsing is pure: it takes already-loaded data. Reading files lives in ``spinekit._io``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from ._calendar import FIRST_YEAR, HOLIDAY_REGIONS, LAST_YEAR, Closure, WorkingCalendar
from ._catalogue import Catalogue
from ._exceptions import ProgrammeError, UnknownTaskError, did_you_mean
from ._model import (
    DEPENDENCY_TYPES,
    DISTRIBUTIONS,
    Correlation,
    Dependency,
    Duration,
    Programme,
    Risk,
    Task,
)
from ._schema import Strict
from ._scope import Scope, ServiceChoice, apply_overrides, expand_scope

__all__ = ["parse_programme", "load_yaml"]

_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where available
    """Safe YAML loader that leaves dates as text, so they are validated with clear messages."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_duplicate_keys(loader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        # Keys are plain scalars in programme files; compare their text without building them.
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def load_yaml(text: str, source: str | None = None) -> Any:
    """Load YAML text safely (dates stay strings, duplicate keys are errors)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProgrammeError(
            f"malformed YAML{where}: {problem}; check indentation and quoting", source=source
        ) from None


# --- boundary schema (pydantic) -------------------------------------------------------------


def _date(value: Any) -> dt.date:
    day = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is None:
        raise ValueError(f"not a valid ISO date (YYYY-MM-DD): {value!r}")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day} is outside the years spinekit plans in ({FIRST_YEAR}-{LAST_YEAR})")
    return day


# Durations and lags beyond this (about 400 years) are typing mistakes, not plans.
_MAX_DAYS = 100_000


def _whole(value: Any, what: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a whole number of working days, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"{what} must be a whole number of working days, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be {minimum} or more, got {value!r}")
    if abs(value) > _MAX_DAYS:
        raise ValueError(f"{what} must be within {_MAX_DAYS:,} working days, got {value!r}")
    return int(value)


def _days(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number of working days, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more, got {value!r}")
    if value > _MAX_DAYS:
        raise ValueError(f"{what} must be within {_MAX_DAYS:,} working days, got {value!r}")
    return float(value)


class _ThreePoint(Strict):
    min: Any
    likely: Any
    max: Any
    dist: str = "pert"

    @field_validator("min", "likely", "max")
    @classmethod
    def _number(cls, v: Any, info) -> float:
        return _days(v, info.field_name)

    @field_validator("dist")
    @classmethod
    def _dist(cls, v: Any) -> str:
        if v not in DISTRIBUTIONS:
            extra = did_you_mean(str(v), DISTRIBUTIONS, lead="; ")
            raise ValueError(f"unknown distribution {v!r}; use one of {', '.join(DISTRIBUTIONS)}{extra}")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> _ThreePoint:
        if not (self.min <= self.likely <= self.max):
            raise ValueError(
                f"three-point estimate needs min <= likely <= max, got min={self.min:g}, "
                f"likely={self.likely:g}, max={self.max:g}"
            )
        return self

    def to_duration(self) -> Duration:
        return Duration(self.min, self.likely, self.max, self.dist)


class _Link(Strict):
    task: str
    type: str = "FS"
    lag: Any = 0

    @field_validator("type")
    @classmethod
    def _type(cls, v: Any) -> str:
        up = str(v).upper()
        if up not in DEPENDENCY_TYPES:
            raise ValueError(f"unknown dependency type {v!r}; use one of {', '.join(DEPENDENCY_TYPES)}")
        return up

    @field_validator("lag")
    @classmethod
    def _lag(cls, v: Any) -> int:
        return _whole(v, "lag")


class _Task(Strict):
    id: str
    name: str | None = None
    duration: Any
    depends_on: list[str | _Link] = Field(default_factory=list)
    not_before: Any = None
    deadline: Any = None
    owner: str | None = None
    service: str | None = None
    environment: str | None = None
    kind: str | None = None
    track: str | None = None
    basis: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("depends_on", mode="before")
    @classmethod
    def _ids_text(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v]
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"task id {v!r} may use only letters, digits, '-', '_' and '.'")
        return v

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return _ThreePoint.model_validate(v)
        return _whole(v, "duration", minimum=0)

    @field_validator("not_before", "deadline")
    @classmethod
    def _dates(cls, v: Any) -> dt.date | None:
        return None if v is None else _date(v)


class _Closure(Strict):
    from_: Any = Field(alias="from")
    to: Any
    name: str = ""

    @field_validator("from_", "to")
    @classmethod
    def _dates(cls, v: Any) -> dt.date:
        return _date(v)

    @model_validator(mode="after")
    def _ordered(self) -> _Closure:
        if self.to < self.from_:
            raise ValueError(f"closure ends ({self.to}) before it starts ({self.from_})")
        return self


class _Calendar(Strict):
    holidays: str = "england-and-wales"
    closures: list[_Closure] = Field(default_factory=list)

    @field_validator("holidays")
    @classmethod
    def _region(cls, v: str) -> str:
        if v not in HOLIDAY_REGIONS:
            extra = did_you_mean(v, HOLIDAY_REGIONS, lead="; ")
            raise ValueError(f"unknown holiday region {v!r}; use one of {', '.join(HOLIDAY_REGIONS)}{extra}")
        return v


class _Risk(Strict):
    id: str
    name: str | None = None
    probability: float
    impact: Any
    tasks: list[str]

    @field_validator("probability", mode="before")
    @classmethod
    def _p_number(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"probability must be a number between 0 and 1, got {v!r}")
        return v

    @field_validator("probability")
    @classmethod
    def _p(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {v!r}")
        return v

    @field_validator("impact", mode="before")
    @classmethod
    def _impact(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return _ThreePoint.model_validate(v)
        return _days(v, "impact")

    @field_validator("tasks")
    @classmethod
    def _some(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("a risk must name at least one task it delays")
        return v


class _Correlation(Strict):
    tasks: list[str]
    rho: float

    @field_validator("rho", mode="before")
    @classmethod
    def _rho_number(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"rho must be a number strictly between -1 and 1, got {v!r}")
        return v

    @field_validator("rho")
    @classmethod
    def _rho(cls, v: float) -> float:
        if not -1.0 < v < 1.0 or not math.isfinite(v):
            raise ValueError(f"rho must be strictly between -1 and 1, got {v!r}")
        return v

    @field_validator("tasks")
    @classmethod
    def _pair(cls, v: list[str]) -> list[str]:
        if len(set(v)) < 2:
            raise ValueError("a correlation group needs at least two different tasks")
        return v


class _ScopeService(Strict):
    service: str
    operations: list[str] = Field(default_factory=list)


class _ScopeEntry(Strict):
    services: list[str | _ScopeService]
    environments: list[str] = Field(default_factory=lambda: ["int", "production"])
    access: str = "user-restricted"
    smartcards: Any = False
    organisations: Any = 1
    hl7v3_fallback: Any = False

    @field_validator("smartcards")
    @classmethod
    def _bool(cls, v: Any) -> bool:
        if not isinstance(v, bool):
            raise ValueError(f"smartcards must be true or false, got {v!r}")
        return v

    @field_validator("organisations")
    @classmethod
    def _organisations(cls, v: Any) -> int:
        return _whole(v, "organisations", minimum=1)

    @field_validator("hl7v3_fallback")
    @classmethod
    def _fallback(cls, v: Any) -> bool | list[str]:
        if isinstance(v, bool) or (isinstance(v, list) and all(isinstance(s, str) for s in v)):
            return v
        raise ValueError(f"hl7v3_fallback must be true, false or a list of service ids, got {v!r}")

    def to_scope(self) -> Scope:
        services = tuple(
            s if isinstance(s, str) else ServiceChoice.parse(s.service, s.operations) for s in self.services
        )
        fallback = self.hl7v3_fallback if isinstance(self.hl7v3_fallback, bool) else tuple(self.hl7v3_fallback)
        return Scope(
            services=services,
            environments=tuple(self.environments),
            access=self.access,
            smartcards=self.smartcards,
            organisations=self.organisations,
            hl7v3_fallback=fallback,
        )


class _Programme(Strict):
    name: str
    start: Any
    calendar: _Calendar = Field(default_factory=_Calendar)
    target: Any = None
    tasks: list[_Task] | None = None
    scope: _ScopeEntry | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    risks: list[_Risk] = Field(default_factory=list)
    correlations: list[_Correlation] = Field(default_factory=list)
    scenarios: Any = None

    @field_validator("calendar", mode="before")
    @classmethod
    def _default_calendar(cls, v: Any) -> Any:
        return {} if v is None else v

    @field_validator("start")
    @classmethod
    def _start(cls, v: Any) -> dt.date:
        return _date(v)

    @field_validator("target")
    @classmethod
    def _target(cls, v: Any) -> dt.date | None:
        return None if v is None else _date(v)

    @field_validator("tasks")
    @classmethod
    def _nonempty(cls, v: list[_Task]) -> list[_Task]:
        if not v:
            raise ValueError("the task list is empty; add at least one task")
        return v

    @model_validator(mode="after")
    def _tasks_or_scope(self) -> _Programme:
        if self.tasks is None and self.scope is None:
            raise ValueError("missing required key 'tasks'; give tasks, a scope, or both")
        return self


_MODELS_BY_FIELD: dict[str, type[BaseModel]] = {
    "tasks": _Task,
    "calendar": _Calendar,
    "closures": _Closure,
    "risks": _Risk,
    "correlations": _Correlation,
    "depends_on": _Link,
    "duration": _ThreePoint,
    "impact": _ThreePoint,
    "scope": _ScopeEntry,
    "services": _ScopeService,
}


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _translate(exc: ValidationError, data: Any, source: str | None) -> ProgrammeError:
    """Turn pydantic's first error into one message naming task, field and fix."""
    errors = exc.errors(include_url=False)
    err = errors[0]
    if err["type"] == "missing":
        # A misspelt key also leaves the real one missing: report the misspelling, with its fix.
        err = next(
            (e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == err["loc"][:-1]), err
        )
    if err["type"] == "string_type" and isinstance(err.get("input"), dict):
        # A union of an id string or a mapping: report what is wrong with the mapping.
        prefix = err["loc"][:-1]
        err = next((e for e in errors[1:] if e["loc"][: len(prefix)] == prefix), err)
    loc = [p for p in err["loc"] if p not in ("function-after", "function-before")]
    # pydantic adds union member tags (such as 'str' or '_Link') to the location; drop them.
    loc = [p for p in loc if not (isinstance(p, str) and (p in ("str", "int", "float") or p.startswith("_")))]
    task_id = None
    if len(loc) >= 2 and loc[0] in ("tasks", "risks") and isinstance(loc[1], int):
        items = data.get(loc[0]) if isinstance(data, dict) else None
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"#{loc[1] + 1}"
        task_id = str(ident) if ident is not None else label
        if loc[0] == "risks":
            task_id = None
            loc = [f"risks[{ident if ident is not None else label}]", *loc[2:]]
        else:
            loc = loc[2:]
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    kind = err["type"]
    if kind == "extra_forbidden":
        bad = str(loc[-1]) if loc else "?"
        parent = next((p for p in reversed(loc[:-1]) if isinstance(p, str)), None)
        if parent:
            model = _MODELS_BY_FIELD.get(parent.split("[")[0], _Programme)
        else:
            model = _Task if task_id is not None else _Programme
        valid = _keys(model)
        msg = f"unknown key {bad!r}; " + did_you_mean(bad, valid, f"valid keys are {', '.join(valid)}")
    elif kind == "missing":
        msg = f"missing required key {str(loc[-1]) if loc else '?'!r}"
    elif kind in ("model_type", "dict_type") and task_id is not None and not field:
        msg = f"each task must be a mapping with at least id and duration; got {err.get('input')!r}"
    elif kind in ("model_type", "dict_type") and not loc:
        msg = "the file must be a YAML mapping with name, start and tasks"
    elif kind in ("model_type", "dict_type"):
        msg = f"must be a mapping of keys to values; got {err.get('input')!r}"
    elif kind in ("list_type",):
        msg = f"must be a list; got {err.get('input')!r}"
    elif kind == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
    else:
        msg = f"{err['msg'][0].lower()}{err['msg'][1:]}; got {err.get('input')!r}"
    return ProgrammeError(msg, source=source, task=task_id, field=field or None)


def _generated(raw: _Programme, catalogue: Catalogue | None, source: str | None) -> list[Task]:
    if raw.scope is None:
        return []
    if catalogue is None:
        from ._catalogue import load_catalogue

        catalogue = load_catalogue()
    try:
        return expand_scope(raw.scope.to_scope(), catalogue)
    except ProgrammeError as exc:
        raise exc.with_source(source) if source else exc from None


def _override(key: str, value: Any, source: str | None) -> Duration:
    field = f"overrides.{key}"
    try:
        if isinstance(value, dict):
            return _ThreePoint.model_validate(value).to_duration()
        return Duration.fixed(_whole(value, "a lead time", minimum=0))
    except ValueError as exc:
        if not isinstance(exc, ValidationError):
            raise ProgrammeError(f"{exc}; or give {{min, likely, max}}", source=source, field=field) from None
        errors = exc.errors(include_url=False)
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        if err["type"] == "extra_forbidden":
            bad = str(err["loc"][-1])
            msg = f"unknown key {bad!r}; " + did_you_mean(bad, _keys(_ThreePoint), "use min, likely, max")
        elif err["type"] == "missing":
            msg = f"missing required key {str(err['loc'][-1])!r}"
        else:
            msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        raise ProgrammeError(msg, source=source, field=field) from None


def parse_programme(data: Any, *, source: str | None = None, catalogue: Catalogue | None = None) -> Programme:
    """Validate loaded programme data and build the domain :class:`Programme`.

    A ``scope`` is expanded into tasks with the Spine catalogue; hand-written ``tasks`` are
    added to those and may depend on them, and ``overrides`` change lead times by task id or
    kind.

    Parameters
    ----------
    data:
        The programme as loaded from YAML (a mapping).
    source:
        Where the data came from, for error messages.
    catalogue:
        The catalogue a ``scope`` is expanded with (default: spinekit's bundled catalogue).

    Raises
    ------
    ProgrammeError
        On any contract violation; the message names the task and field and suggests a fix.
    UnknownTaskError
        When a risk or correlation names a task that does not exist.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a YAML {type(data).__name__}"
        raise ProgrammeError(
            f"the file is {kind}, not a mapping; a programme needs name, start and tasks",
            source=source,
        )
    try:
        raw = _Programme.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, data, source) from None

    generated = _generated(raw, catalogue, source)
    seen: set[str] = {t.id for t in generated}
    for t in raw.tasks or []:
        if t.id in seen:
            problem = (
                "the scope already generates a task with this id; rename yours, or change the "
                "generated task's lead time under overrides"
                if any(g.id == t.id for g in generated)
                else "duplicate task id; every task needs its own id"
            )
            raise ProgrammeError(problem, source=source, task=t.id, field="id")
        seen.add(t.id)

    overrides = {k: _override(k, v, source) for k, v in raw.overrides.items()}
    try:
        written = [_to_task(t, source) for t in raw.tasks or []]
        tasks = tuple(apply_overrides([*generated, *written], overrides))
    except ProgrammeError as exc:
        raise exc.with_source(source) if source else exc from None
    calendar = WorkingCalendar(
        start=raw.start,
        region=raw.calendar.holidays,
        closures=tuple(Closure(c.from_, c.to, c.name) for c in raw.calendar.closures),
    )
    risks = tuple(_to_risk(r, seen, source) for r in raw.risks)
    if len({r.id for r in risks}) != len(risks):
        dup = next(r.id for r in risks if sum(x.id == r.id for x in risks) > 1)
        raise ProgrammeError("duplicate risk id; every risk needs its own id", source=source, field=f"risks[{dup}]")
    correlations = tuple(_to_correlation(i, c, seen, source) for i, c in enumerate(raw.correlations))
    programme = Programme(
        name=raw.name,
        calendar=calendar,
        tasks=tasks,
        target=raw.target,
        risks=risks,
        correlations=correlations,
        source=source,
    )
    if raw.scenarios is None:
        return programme
    from ._scenarios import parse_scenarios

    scenarios = parse_scenarios(raw.scenarios, programme, source=source)
    return dataclasses.replace(programme, scenarios=scenarios)


def _to_task(t: _Task, source: str | None) -> Task:
    duration = t.duration.to_duration() if isinstance(t.duration, _ThreePoint) else Duration.fixed(t.duration)
    deps = []
    seen: set[str] = set()
    for i, d in enumerate(t.depends_on):
        link = Dependency(d) if isinstance(d, str) else Dependency(d.task, d.type, d.lag)
        if link.task in seen:
            raise ProgrammeError(
                f"{link.task!r} is listed twice; keep one link to each predecessor",
                source=source,
                task=t.id,
                field=f"depends_on[{i}]",
            )
        seen.add(link.task)
        deps.append(link)
    return Task(
        id=t.id,
        name=t.name if t.name is not None else t.id,
        duration=duration,
        depends_on=tuple(deps),
        not_before=t.not_before,
        deadline=t.deadline,
        owner=t.owner,
        service=t.service,
        environment=t.environment,
        kind=t.kind,
        track=t.track,
        basis=t.basis,
    )


def _check_ids(ids: list[str], known: set[str], source: str | None, field: str) -> None:
    for i, tid in enumerate(ids):
        if tid not in known:
            extra = did_you_mean(tid, known, lead="; ")
            raise UnknownTaskError(
                f"unknown task {tid!r}{extra}", source=source, field=f"{field}.tasks[{i}]"
            )


def _to_risk(r: _Risk, known: set[str], source: str | None) -> Risk:
    _check_ids(r.tasks, known, source, f"risks[{r.id}]")
    impact = r.impact.to_duration() if isinstance(r.impact, _ThreePoint) else Duration.fixed(r.impact)
    return Risk(r.id, r.name or r.id, r.probability, impact, tuple(r.tasks))


def _to_correlation(i: int, c: _Correlation, known: set[str], source: str | None) -> Correlation:
    _check_ids(c.tasks, known, source, f"correlations[{i}]")
    return Correlation(tuple(dict.fromkeys(c.tasks)), c.rho)
