"""The programme file's boundary schema: pydantic models that validate untrusted input.

Each model refuses unknown keys; :func:`translate_error` turns pydantic's first error into one
message naming the task, field and fix. Building the domain model from these lives above, in
:mod:`spinekit.catalogue.programme`, where a scope can be expanded with the catalogue.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from spinekit.model.calendar import FIRST_YEAR, HOLIDAY_REGIONS, LAST_YEAR
from spinekit.model.domain import DEPENDENCY_TYPES, DISTRIBUTIONS, Amount, Duration, Rule
from spinekit.model.errors import ProgrammeError, did_you_mean, short_repr

__all__ = [
    "Strict",
    "ThreePointEntry",
    "CostEntry",
    "ResourceEntry",
    "AssignmentEntry",
    "StandingCostEntry",
    "LinkEntry",
    "RuleEntry",
    "TaskEntry",
    "ClosureEntry",
    "CalendarEntry",
    "RiskEntry",
    "CorrelationEntry",
    "ScopeServiceEntry",
    "ScopeEntry",
    "ProgrammeEntry",
    "ChangeEntry",
    "ScenarioEntry",
    "TaskStatusEntry",
    "StatusEntry",
    "parse_date",
    "whole_days",
    "percent_complete",
    "status_keys_text",
    "nonnegative_days",
    "amount",
    "keys_of",
    "three_point_amount",
    "translate_error",
    "TASK_ID",
]

TASK_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


class Strict(BaseModel):
    """A schema that refuses unknown keys (so a misspelt key is reported, not ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_date(value: Any) -> dt.date:
    day = None
    if isinstance(value, str):  # first: text is the common case, and a status has thousands
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    if day is None:
        raise ValueError(f"not a valid ISO date (YYYY-MM-DD): {short_repr(value)}")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day} is outside the years spinekit plans in ({FIRST_YEAR}-{LAST_YEAR})")
    return day


# Durations and lags beyond this (about 400 years) are typing mistakes, not plans.
_MAX_DAYS = 100_000


def whole_days(value: Any, what: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a whole number of working days, got {short_repr(value)}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"{what} must be a whole number of working days, got {short_repr(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be {minimum} or more, got {short_repr(value)}")
    if abs(value) > _MAX_DAYS:
        raise ValueError(f"{what} must be within {_MAX_DAYS:,} working days, got {short_repr(value)}")
    return int(value)


def nonnegative_days(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number of working days, got {short_repr(value)}")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more, got {short_repr(value)}")
    if value > _MAX_DAYS:
        raise ValueError(f"{what} must be within {_MAX_DAYS:,} working days, got {short_repr(value)}")
    return float(value)


# Amounts of money beyond this (a trillion) are typing mistakes, not estimates.
_MAX_AMOUNT = 1e12


def amount(value: Any, what: str) -> float:
    """A non-negative, finite amount of money (in the programme's currency)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be an amount of money (a number), got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more, got {value!r}")
    if value > _MAX_AMOUNT:
        raise ValueError(f"{what} must be at most {_MAX_AMOUNT:,.0f}, got {value!r}")
    return float(value)


class ThreePointEntry(Strict):
    """A three-point estimate in working days."""

    min: Any
    likely: Any
    max: Any
    dist: str = "pert"

    @field_validator("min", "likely", "max")
    @classmethod
    def _number(cls, v: Any, info: ValidationInfo) -> float:
        return nonnegative_days(v, str(info.field_name))

    @field_validator("dist")
    @classmethod
    def _dist(cls, v: str) -> str:
        if v not in DISTRIBUTIONS:
            extra = did_you_mean(str(v), DISTRIBUTIONS, lead="; ")
            raise ValueError(f"unknown distribution {short_repr(v)}; use one of {', '.join(DISTRIBUTIONS)}{extra}")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> ThreePointEntry:
        if not (self.min <= self.likely <= self.max):
            raise ValueError(
                f"three-point estimate needs min <= likely <= max, got min={self.min:g}, "
                f"likely={self.likely:g}, max={self.max:g}"
            )
        return self

    def to_duration(self) -> Duration:
        return Duration(self.min, self.likely, self.max, self.dist)


class CostEntry(ThreePointEntry):
    """A three-point estimate of an amount of money: the same distributions and default."""

    @field_validator("min", "likely", "max")
    @classmethod
    def _number(cls, v: Any, info: ValidationInfo) -> float:
        return amount(v, str(info.field_name))

    def to_amount(self) -> Amount:
        return Amount(self.min, self.likely, self.max, self.dist)


def three_point_amount(value: Any, what: str) -> Any:
    """A ``cost`` or ``cost_impact`` value: a number, or a mapping validated as a CostEntry."""
    if isinstance(value, dict):
        return CostEntry.model_validate(value)
    return amount(value, what)


class AssignmentEntry(Strict):
    """A task's use of a resource: its id and the share of the resource's time (1 = full time)."""

    id: str
    share: Any = 1.0

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("share")
    @classmethod
    def _share(cls, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"share must be a number between 0 and 1 (0.5 for half time), got {v!r}")
        if not 0 < v <= 1:
            raise ValueError(
                f"share must be more than 0 and at most 1 (0.5 for half time), got {v!r}; "
                "for more than one person, give the resource the rate of the whole team"
            )
        return float(v)


class ResourceEntry(Strict):
    """A resource (a person, role or team) and its rate per working day."""

    id: str
    name: str | None = None
    rate: Any
    basis: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not TASK_ID.match(v):
            raise ValueError(f"resource id {v!r} may use only letters, digits, '-', '_' and '.'")
        return v

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: Any) -> float:
        return amount(v, "rate")


class StandingCostEntry(Strict):
    """A cost of the whole programme per working day, from its start to its finish."""

    name: str
    rate: Any
    basis: str | None = None

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: Any) -> float:
        return amount(v, "rate")


class LinkEntry(Strict):
    task: str
    type: str = "FS"
    lag: Any = 0

    @field_validator("type")
    @classmethod
    def _type(cls, v: Any) -> str:
        up = str(v).upper()
        if up not in DEPENDENCY_TYPES:
            raise ValueError(f"unknown dependency type {short_repr(v)}; use one of {', '.join(DEPENDENCY_TYPES)}")
        return up

    @field_validator("lag")
    @classmethod
    def _lag(cls, v: Any) -> int:
        return whole_days(v, "lag")


class RuleEntry(Strict):
    """Why a generated task is here: the catalogue rule that produced it."""

    item: str
    service: str | None = None
    interface: str | None = None
    operations: list[str] = Field(default_factory=list)
    repeat: list[str] = Field(default_factory=list)
    environment: str | None = None
    organisation: int | None = None
    wave: int | None = None
    route: str | None = None
    needed_by: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @field_validator("organisation", "wave", mode="before")
    @classmethod
    def _whole(cls, v: Any, info: ValidationInfo) -> Any:
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ValueError(f"{info.field_name} must be a whole number of 1 or more, got {short_repr(v)}")
        return v

    def to_rule(self) -> Rule:
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in self.model_dump().items()}
        return Rule(**fields)


class TaskEntry(Strict):
    id: str
    name: str | None = None
    duration: Any
    depends_on: list[str | LinkEntry] = Field(default_factory=list)
    not_before: Any = None
    deadline: Any = None
    owner: str | None = None
    service: str | None = None
    environment: str | None = None
    kind: str | None = None
    track: str | None = None
    basis: str | None = None
    resources: list[str | AssignmentEntry] = Field(default_factory=list)
    cost: Any = None
    cost_basis: str | None = None
    rule: RuleEntry | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("resources", mode="before")
    @classmethod
    def _resource_ids_text(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v]
        return v

    @field_validator("cost", mode="before")
    @classmethod
    def _cost(cls, v: Any) -> Any:
        return None if v is None else three_point_amount(v, "cost")

    @field_validator("depends_on", mode="before")
    @classmethod
    def _ids_text(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in v]
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not TASK_ID.match(v):
            raise ValueError(f"task id {short_repr(v)} may use only letters, digits, '-', '_' and '.'")
        return v

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return ThreePointEntry.model_validate(v)
        return whole_days(v, "duration", minimum=0)

    @field_validator("not_before", "deadline")
    @classmethod
    def _dates(cls, v: Any) -> dt.date | None:
        return None if v is None else parse_date(v)


class ClosureEntry(Strict):
    from_: Any = Field(alias="from")
    to: Any
    name: str = ""

    @field_validator("from_", "to")
    @classmethod
    def _dates(cls, v: Any) -> dt.date:
        return parse_date(v)

    @model_validator(mode="after")
    def _ordered(self) -> ClosureEntry:
        if self.to < self.from_:
            raise ValueError(f"closure ends ({self.to}) before it starts ({self.from_})")
        return self


class CalendarEntry(Strict):
    holidays: str = "england-and-wales"
    closures: list[ClosureEntry] = Field(default_factory=list)

    @field_validator("holidays")
    @classmethod
    def _region(cls, v: str) -> str:
        if v not in HOLIDAY_REGIONS:
            extra = did_you_mean(v, HOLIDAY_REGIONS, lead="; ")
            raise ValueError(f"unknown holiday region {short_repr(v)}; use one of {', '.join(HOLIDAY_REGIONS)}{extra}")
        return v


class RiskEntry(Strict):
    id: str
    name: str | None = None
    probability: float
    impact: Any
    tasks: list[str]
    cost_impact: Any = None

    @field_validator("probability", mode="before")
    @classmethod
    def _p_number(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"probability must be a number between 0 and 1, got {short_repr(v)}")
        return v

    @field_validator("probability")
    @classmethod
    def _p(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"probability must be between 0 and 1, got {short_repr(v)}")
        return v

    @field_validator("impact", mode="before")
    @classmethod
    def _impact(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return ThreePointEntry.model_validate(v)
        return nonnegative_days(v, "impact")

    @field_validator("cost_impact", mode="before")
    @classmethod
    def _cost_impact(cls, v: Any) -> Any:
        return None if v is None else three_point_amount(v, "cost_impact")

    @field_validator("tasks")
    @classmethod
    def _some(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("a risk must name at least one task it delays")
        return v


class CorrelationEntry(Strict):
    tasks: list[str]
    rho: float

    @field_validator("rho", mode="before")
    @classmethod
    def _rho_number(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"rho must be a number strictly between -1 and 1, got {short_repr(v)}")
        return v

    @field_validator("rho")
    @classmethod
    def _rho(cls, v: float) -> float:
        if not -1.0 < v < 1.0 or not math.isfinite(v):
            raise ValueError(f"rho must be strictly between -1 and 1, got {short_repr(v)}")
        return v

    @field_validator("tasks")
    @classmethod
    def _pair(cls, v: list[str]) -> list[str]:
        if len(set(v)) < 2:
            raise ValueError("a correlation group needs at least two different tasks")
        return v


class ScopeServiceEntry(Strict):
    service: str
    operations: list[str] = Field(default_factory=list)
    access: str | None = None


class ScopeEntry(Strict):
    services: list[str | ScopeServiceEntry]
    environments: list[str] = Field(default_factory=lambda: ["int", "production"])
    access: str = "user-restricted"
    smartcards: Any = False
    organisations: Any = 1
    hl7v3_fallback: Any = False
    indicative_costs: Any = False
    waves: list[Any] = Field(default_factory=list)
    have: list[str] = Field(default_factory=list)
    deployment: str = "hosted"

    @field_validator("smartcards", "indicative_costs")
    @classmethod
    def _bool(cls, v: Any, info: ValidationInfo) -> bool:
        if not isinstance(v, bool):
            raise ValueError(f"{info.field_name} must be true or false, got {short_repr(v)}")
        return v

    @field_validator("organisations")
    @classmethod
    def _organisations(cls, v: Any) -> int:
        return whole_days(v, "organisations", minimum=1)

    @field_validator("waves")
    @classmethod
    def _waves(cls, v: list[Any]) -> list[int]:
        for n in v:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise ValueError(f"waves are numbers of organisations, each 1 or more, such as [1, 2]; got {n!r}")
        return v

    @field_validator("hl7v3_fallback")
    @classmethod
    def _fallback(cls, v: Any) -> bool | list[str]:
        if isinstance(v, bool) or (isinstance(v, list) and all(isinstance(s, str) for s in v)):
            return v
        raise ValueError(f"hl7v3_fallback must be true, false or a list of service ids, got {short_repr(v)}")


class ProgrammeEntry(Strict):
    name: str
    start: Any
    calendar: CalendarEntry = Field(default_factory=CalendarEntry)
    target: Any = None
    tasks: list[TaskEntry] | None = None
    scope: ScopeEntry | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    risks: list[RiskEntry] = Field(default_factory=list)
    correlations: list[CorrelationEntry] = Field(default_factory=list)
    scenarios: Any = None
    currency: str = "GBP"
    budget: Any = None
    resources: list[ResourceEntry] = Field(default_factory=list)
    standing_costs: list[StandingCostEntry] = Field(default_factory=list)
    status: Any = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"currency must be a three-letter ISO 4217 code such as GBP, got {v!r}")
        return v

    @field_validator("budget")
    @classmethod
    def _budget(cls, v: Any) -> float | None:
        return None if v is None else amount(v, "budget")

    @field_validator("resources", "standing_costs", mode="before")
    @classmethod
    def _no_list(cls, v: Any) -> Any:
        return [] if v is None else v

    @field_validator("calendar", mode="before")
    @classmethod
    def _default_calendar(cls, v: Any) -> Any:
        return {} if v is None else v

    @field_validator("start")
    @classmethod
    def _start(cls, v: Any) -> dt.date:
        return parse_date(v)

    @field_validator("target")
    @classmethod
    def _target(cls, v: Any) -> dt.date | None:
        return None if v is None else parse_date(v)

    @field_validator("tasks")
    @classmethod
    def _nonempty(cls, v: list[TaskEntry]) -> list[TaskEntry]:
        if not v:
            raise ValueError("the task list is empty; add at least one task")
        return v

    @model_validator(mode="after")
    def _tasks_or_scope(self) -> ProgrammeEntry:
        if self.tasks is None and self.scope is None:
            raise ValueError("missing required key 'tasks'; give tasks, a scope, or both")
        return self


_MODELS_BY_FIELD: dict[str, type[BaseModel]] = {
    "tasks": TaskEntry,
    "calendar": CalendarEntry,
    "closures": ClosureEntry,
    "risks": RiskEntry,
    "correlations": CorrelationEntry,
    "depends_on": LinkEntry,
    "rule": RuleEntry,
    "duration": ThreePointEntry,
    "impact": ThreePointEntry,
    "cost": CostEntry,
    "cost_impact": CostEntry,
    "resources": ResourceEntry,
    "standing_costs": StandingCostEntry,
    "scope": ScopeEntry,
    "services": ScopeServiceEntry,
}


# pydantic adds these union member names to an error's location.
_UNION_TAGS = frozenset({"str", "int", "float", "AssignmentEntry", *(m.__name__ for m in _MODELS_BY_FIELD.values())})


def keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def translate_error(exc: ValidationError, data: Any, source: str | None) -> ProgrammeError:
    """Turn pydantic's first error into one message naming task, field and fix."""
    errors = exc.errors(include_url=False)
    err = errors[0]
    if err["type"] == "missing":
        # A misspelt key also leaves the real one missing: report the misspelling, with its fix.
        err = next((e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == err["loc"][:-1]), err)
    if err["type"] == "string_type" and isinstance(err.get("input"), dict):
        # A union of an id string or a mapping: report what is wrong with the mapping.
        prefix = err["loc"][:-1]
        err = next((e for e in errors[1:] if e["loc"][: len(prefix)] == prefix), err)
    loc = [p for p in err["loc"] if p not in ("function-after", "function-before")]
    # pydantic adds union member tags (such as 'str' or 'LinkEntry') to the location; drop them.
    loc = [p for p in loc if not (isinstance(p, str) and p in _UNION_TAGS)]
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
        model: type[BaseModel]
        if parent == "resources" and task_id is not None:
            model = AssignmentEntry
        elif parent:
            model = _MODELS_BY_FIELD.get(parent.split("[")[0], ProgrammeEntry)
        else:
            model = TaskEntry if task_id is not None else ProgrammeEntry
        valid = keys_of(model)
        msg = f"unknown key {short_repr(bad)}; " + did_you_mean(bad, valid, f"valid keys are {', '.join(valid)}")
    elif kind == "missing":
        msg = f"missing required key {short_repr(str(loc[-1]) if loc else '?')}"
    elif kind in ("model_type", "dict_type") and task_id is not None and not field:
        msg = f"each task must be a mapping with at least id and duration; got {short_repr(err.get('input'))}"
    elif kind in ("model_type", "dict_type") and not loc:
        msg = "the file must be a YAML mapping with name, start and tasks"
    elif kind in ("model_type", "dict_type"):
        msg = f"must be a mapping of keys to values; got {short_repr(err.get('input'))}"
    elif kind in ("list_type",):
        msg = f"must be a list; got {short_repr(err.get('input'))}"
    elif kind == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
    else:
        msg = f"{err['msg'][0].lower()}{err['msg'][1:]}; got {short_repr(err.get('input'))}"
    return ProgrammeError(msg, source=source, task=task_id, field=field or None)


# --- scenarios -----------------------------------------------------------------------------


class ChangeEntry(Strict):
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
            raise ValueError(f"probability must be between 0 and 1, got {short_repr(v)}")
        return v

    @model_validator(mode="after")
    def _one_target(self) -> ChangeEntry:
        targets = [k for k in ("task", "risk") if getattr(self, k) is not None]
        if len(targets) > 1:
            raise ValueError("a change edits one task or one risk; split it into two changes")
        if self.task is not None and (self.probability is not None or self.impact is not None):
            raise ValueError("probability and impact belong to a risk change: use 'risk:' instead of 'task:'")
        if self.risk is not None and (
            self.duration is not None
            or self.remove
            or self.depends_on_add
            or self.depends_on_remove
            or self.not_before
            or self.deadline
        ):
            raise ValueError("a risk change can set only probability and impact")
        task_fields = (self.duration, self.not_before, self.deadline)
        if self.task is None and (
            any(v is not None for v in task_fields) or self.remove or self.depends_on_add or self.depends_on_remove
        ):
            raise ValueError("task fields need 'task:' naming the task to change")
        if self.remove and (
            self.duration is not None
            or self.depends_on_add
            or self.depends_on_remove
            or self.not_before is not None
            or self.deadline is not None
        ):
            raise ValueError("a change that removes a task cannot also edit it; drop the other fields")
        if not (targets or self.calendar is not None or self.start is not None):
            raise ValueError("a change needs 'task:', 'risk:', 'calendar:' or 'start:'")
        return self


class ScenarioEntry(Strict):
    id: str
    name: str | None = None
    preset: str | None = None
    changes: list[ChangeEntry] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not TASK_ID.match(v):
            raise ValueError(f"scenario id {short_repr(v)} may use only letters, digits, '-', '_' and '.'")
        return v


# --- status --------------------------------------------------------------------------------


def status_keys_text(v: Any) -> Any:
    """A status's ``tasks`` or ``risks`` mapping with whole-number ids as text and each empty
    entry as an empty mapping (YAML reads ``42:`` as the number 42 with no value)."""
    if v is None:
        return {}
    if isinstance(v, dict):
        return {
            str(k) if isinstance(k, int) and not isinstance(k, bool) else k: ({} if x is None else x)
            for k, x in v.items()
        }
    return v


def percent_complete(v: Any) -> float:
    """A status's ``percent_complete``: a number from 0 to 100."""
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"percent_complete must be a number from 0 to 100, got {v!r}")
    if not 0 <= v <= 100:
        raise ValueError(f"percent_complete must be from 0 to 100, got {v!r}")
    return float(v)


class TaskStatusEntry(Strict):
    start: Any = None
    finish: Any = None
    remaining: Any = None
    percent_complete: Any = None

    @field_validator("start", "finish")
    @classmethod
    def _dates(cls, v: Any) -> dt.date | None:
        return None if v is None else parse_date(v)

    @field_validator("remaining", mode="before")
    @classmethod
    def _remaining(cls, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, dict):
            return ThreePointEntry.model_validate(v)
        return whole_days(v, "remaining", minimum=0)

    @field_validator("percent_complete")
    @classmethod
    def _percent(cls, v: Any) -> float | None:
        return None if v is None else percent_complete(v)


class StatusEntry(Strict):
    date: Any
    tasks: dict[str, TaskStatusEntry] = Field(default_factory=dict)
    risks: dict[str, Any] = Field(default_factory=dict)

    @field_validator("tasks", "risks", mode="before")
    @classmethod
    def _keys_text(cls, v: Any) -> Any:
        return status_keys_text(v)

    @field_validator("date")
    @classmethod
    def _date(cls, v: Any) -> dt.date:
        return parse_date(v)
