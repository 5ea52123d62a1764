"""Reading a programme: the file's schema, then its scope expanded with the Spine catalogue.

Parsing is pure: :func:`parse_programme` takes already-loaded data; :func:`read_programme`
reads a file first. A ``scope`` is expanded into tasks by :mod:`spinekit.catalogue.scope`, and
the ``scenarios`` are validated by :mod:`spinekit.catalogue.scenarios`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from spinekit.catalogue.load import Catalogue, Item, load_catalogue
from spinekit.catalogue.scenarios import parse_scenarios
from spinekit.catalogue.scope import Scope, ServiceChoice, apply_overrides, expand_scope
from spinekit.model.calendar import Closure, WorkingCalendar
from spinekit.model.domain import (
    Amount,
    Assignment,
    Correlation,
    Dependency,
    Duration,
    Programme,
    Resource,
    Risk,
    StandingCost,
    Task,
)
from spinekit.model.errors import ProgrammeError, UnknownTaskError, did_you_mean, short_repr
from spinekit.model.files import collection_paused, read_programme_data
from spinekit.model.schema import (
    CorrelationEntry,
    CostEntry,
    ProgrammeEntry,
    RiskEntry,
    ScopeEntry,
    TaskEntry,
    ThreePointEntry,
    keys_of,
    translate_error,
    whole_days,
)
from spinekit.model.status import apply_status, parse_status, read_status

__all__ = ["parse_programme", "read_programme", "scope_from_entry"]


def read_programme(path: str | os.PathLike[str], status: str | os.PathLike[str] | None = None) -> Programme:
    """Read and validate a programme YAML file, with its progress at a status date if any.

    ``status`` names a status file (see :func:`spinekit.model.status.read_status`); it takes the
    place of any ``status`` block in the programme file.

    Raises
    ------
    ProgrammeError
        The file is missing, unreadable, not YAML, or breaks the programme contract; the
        message starts with the file name.
    """
    with collection_paused():
        data, source = read_programme_data(path)
        if status is None:
            return parse_programme(data, source=source)
        recorded = read_status(status)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "status"}
        return apply_status(parse_programme(data, source=source), recorded, source=os.fspath(status), prefix="")


def scope_from_entry(entry: ScopeEntry) -> Scope:
    """The :class:`Scope` a validated ``scope:`` entry asks for."""
    services = tuple(
        s if isinstance(s, str) else ServiceChoice.parse(s.service, s.operations, s.access) for s in entry.services
    )
    fallback = entry.hl7v3_fallback if isinstance(entry.hl7v3_fallback, bool) else tuple(entry.hl7v3_fallback)
    return Scope(
        services=services,
        environments=tuple(entry.environments),
        access=entry.access,
        smartcards=entry.smartcards,
        organisations=entry.organisations,
        hl7v3_fallback=fallback,
        waves=tuple(entry.waves),
        have=tuple(entry.have),
        deployment=entry.deployment,
    )


def _generated(raw: ProgrammeEntry, catalogue: Catalogue | None, source: str | None, **changes: Any) -> list[Task]:
    if raw.scope is None:
        return []
    if catalogue is None:
        catalogue = load_catalogue()
    try:
        tasks = expand_scope(dataclasses.replace(scope_from_entry(raw.scope), **changes), catalogue)
    except ProgrammeError as exc:
        raise exc.with_source(source) if source else exc from None
    if not raw.scope.indicative_costs:
        return tasks
    if raw.currency != "GBP":
        raise ProgrammeError(
            f"the catalogue's indicative costs are in GBP but the programme's currency is {raw.currency}; "
            "set currency: GBP, or indicative_costs: false and give your own costs",
            source=source,
            field="scope.indicative_costs",
        )
    items = {i.id: i for i in catalogue.items}
    return [_with_indicative_cost(t, items) for t in tasks]


def _rescope(
    raw: ProgrammeEntry,
    catalogue: Catalogue | None,
    source: str | None,
    overrides: dict[str, Duration],
    **changes: Any,
) -> tuple[Task, ...]:
    """The scope's tasks with ``changes`` to its fields, the programme's overrides applied."""
    return tuple(apply_overrides(_generated(raw, catalogue, source, **changes), overrides))


def _with_indicative_cost(task: Task, items: dict[str, Item]) -> Task:
    """``task`` with its catalogue item's indicative fixed cost, where the item has one."""
    item = items.get(task.kind) if task.kind is not None else None
    if item is None or item.cost is None or item.cost_provenance is None:
        return task
    return dataclasses.replace(task, cost=item.cost, cost_basis=item.cost_provenance.describe())


def _override(key: str, value: Any, source: str | None) -> Duration:
    field = f"overrides.{key}"
    try:
        if isinstance(value, dict):
            return ThreePointEntry.model_validate(value).to_duration()
        return Duration.fixed(whole_days(value, "a lead time", minimum=0))
    except ValueError as exc:
        if not isinstance(exc, ValidationError):
            raise ProgrammeError(f"{exc}; or give {{min, likely, max}}", source=source, field=field) from None
        errors = exc.errors(include_url=False)
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        if err["type"] == "extra_forbidden":
            bad = str(err["loc"][-1])
            msg = f"unknown key {short_repr(bad)}; " + did_you_mean(
                bad, keys_of(ThreePointEntry), "use min, likely, max"
            )
        elif err["type"] == "missing":
            msg = f"missing required key {short_repr(str(err['loc'][-1]))}"
        else:
            msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
        raise ProgrammeError(msg, source=source, field=field) from None


def parse_programme(data: Any, *, source: str | None = None, catalogue: Catalogue | None = None) -> Programme:
    """Validate loaded programme data and build the domain :class:`Programme`.

    A ``scope`` is expanded into tasks with the Spine catalogue; hand-written ``tasks`` are
    added to those and may depend on them, and ``overrides`` change lead times by task id or
    kind. A ``status`` block is applied last (:func:`spinekit.model.status.apply_status`).

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
    with collection_paused():
        return _parse_programme(data, source, catalogue)


def _kinds(generated: Sequence[Task], ids: set[str]) -> dict[str, list[str]]:
    """The generated tasks of each kind that is not also a task id: what a name may stand for.

    A file written when the scope made one task of a kind (``pen-test``, ``scal``) may still
    name that kind in a link, a risk or a correlation, and then means every task of it
    (``pen-test-pds``, ``pen-test-eps``). An id always wins over a kind.
    """
    by_kind: dict[str, list[str]] = {}
    for g in generated:
        if g.kind is not None and g.kind not in ids:
            by_kind.setdefault(g.kind, []).append(g.id)
    return by_kind


def _by_kind(names: Sequence[str], by_kind: Mapping[str, list[str]]) -> list[str]:
    """``names`` with each kind replaced by its tasks, in order, each id once."""
    return list(dict.fromkeys(t for n in names for t in by_kind.get(n, [n])))


def _links_by_kind(written: list[Task], by_kind: Mapping[str, list[str]]) -> list[Task]:
    """Hand-written tasks whose links may name a kind of generated task instead of an id.

    A link to ``smoke-test`` in a plan whose scope makes ``smoke-test-pds`` and
    ``smoke-test-eps`` waits for both, with the link's type and lag.
    """
    out = []
    for t in written:
        if not any(d.task in by_kind for d in t.depends_on):
            out.append(t)
            continue
        deps: dict[str, Dependency] = {}
        for d in t.depends_on:
            for target in by_kind.get(d.task, [d.task]):
                deps.setdefault(target, dataclasses.replace(d, task=target))
        out.append(dataclasses.replace(t, depends_on=tuple(deps.values())))
    return out


def _parse_programme(data: Any, source: str | None, catalogue: Catalogue | None) -> Programme:
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a YAML {type(data).__name__}"
        raise ProgrammeError(
            f"the file is {kind}, not a mapping; a programme needs name, start and tasks",
            source=source,
        )
    try:
        raw = ProgrammeEntry.model_validate(data)
    except ValidationError as exc:
        raise translate_error(exc, data, source) from None

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
    by_kind = _kinds(generated, seen)
    try:
        written = _links_by_kind([_to_task(t, source) for t in raw.tasks or []], by_kind)
        tasks = tuple(apply_overrides([*generated, *written], overrides))
    except ProgrammeError as exc:
        raise exc.with_source(source) if source else exc from None
    calendar = WorkingCalendar(
        start=raw.start,
        region=raw.calendar.holidays,
        closures=tuple(Closure(c.from_, c.to, c.name) for c in raw.calendar.closures),
    )
    risks = tuple(_to_risk(r, seen, by_kind, source) for r in raw.risks)
    if len({r.id for r in risks}) != len(risks):
        dup = next(r.id for r in risks if sum(x.id == r.id for x in risks) > 1)
        raise ProgrammeError("duplicate risk id; every risk needs its own id", source=source, field=f"risks[{dup}]")
    correlations = tuple(_to_correlation(i, c, seen, by_kind, source) for i, c in enumerate(raw.correlations))
    resources: list[Resource] = []
    for r in raw.resources:
        if any(x.id == r.id for x in resources):
            raise ProgrammeError(
                "duplicate resource id; every resource needs its own id", source=source, field=f"resources[{r.id}]"
            )
        resources.append(Resource(r.id, r.name if r.name is not None else r.id, r.rate, r.basis))
    programme = Programme(
        name=raw.name,
        calendar=calendar,
        tasks=tasks,
        target=raw.target,
        risks=risks,
        correlations=correlations,
        currency=raw.currency,
        budget=raw.budget,
        resources=tuple(resources),
        standing_costs=tuple(StandingCost(c.name, c.rate, c.basis) for c in raw.standing_costs),
        source=source,
        rescope=functools.partial(_rescope, raw, catalogue, source, overrides) if raw.scope is not None else None,
    )
    if raw.scenarios is not None:
        scenarios = parse_scenarios(raw.scenarios, programme, source=source)
        programme = dataclasses.replace(programme, scenarios=scenarios)
    if raw.status is not None:
        return apply_status(programme, parse_status(raw.status, source=source), source=source)
    return programme


def _to_task(t: TaskEntry, source: str | None) -> Task:
    duration = t.duration.to_duration() if isinstance(t.duration, ThreePointEntry) else Duration.fixed(t.duration)
    deps = []
    seen: set[str] = set()
    for i, d in enumerate(t.depends_on):
        link = Dependency(d) if isinstance(d, str) else Dependency(d.task, d.type, d.lag)
        if link.task in seen:
            raise ProgrammeError(
                f"{short_repr(link.task)} is listed twice; keep one link to each predecessor",
                source=source,
                task=t.id,
                field=f"depends_on[{i}]",
            )
        seen.add(link.task)
        deps.append(link)
    uses: list[Assignment] = []
    for i, a in enumerate(t.resources):
        use = Assignment(a) if isinstance(a, str) else Assignment(a.id, a.share)
        if any(u.resource == use.resource for u in uses):
            raise ProgrammeError(
                f"resource {use.resource!r} is listed twice; list it once, with a share if part-time",
                source=source,
                task=t.id,
                field=f"resources[{i}]",
            )
        uses.append(use)
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
        resources=tuple(uses),
        cost=_amount(t.cost),
        cost_basis=t.cost_basis,
        rule=t.rule.to_rule() if t.rule is not None else None,
    )


def _amount(value: CostEntry | float | None) -> Amount | None:
    if value is None:
        return None
    return value.to_amount() if isinstance(value, CostEntry) else Amount.fixed(value)


def _task_ids(
    ids: list[str], known: set[str], by_kind: Mapping[str, list[str]], source: str | None, field: str
) -> tuple[str, ...]:
    """The task ids a risk or correlation names, each kind standing for its tasks; checked."""
    for i, tid in enumerate(ids):
        if tid not in known and tid not in by_kind:
            extra = did_you_mean(tid, known, lead="; ")
            raise UnknownTaskError(f"unknown task {short_repr(tid)}{extra}", source=source, field=f"{field}.tasks[{i}]")
    return tuple(_by_kind(ids, by_kind))


def _to_risk(r: RiskEntry, known: set[str], by_kind: Mapping[str, list[str]], source: str | None) -> Risk:
    tasks = _task_ids(r.tasks, known, by_kind, source, f"risks[{r.id}]")
    impact = r.impact.to_duration() if isinstance(r.impact, ThreePointEntry) else Duration.fixed(r.impact)
    return Risk(r.id, r.name or r.id, r.probability, impact, tasks, _amount(r.cost_impact))


def _to_correlation(
    i: int, c: CorrelationEntry, known: set[str], by_kind: Mapping[str, list[str]], source: str | None
) -> Correlation:
    return Correlation(_task_ids(c.tasks, known, by_kind, source, f"correlations[{i}]"), c.rho)
