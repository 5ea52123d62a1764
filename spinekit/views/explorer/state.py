"""Scope explorer model: the explorer's control values in, a programme and its outputs out.

An :class:`ExplorerState` holds what the controls say: the scope (services with interface and
operations, environments, deploying organisations, access, smartcards, HL7 V3 fallback), the
timing choices (the week lead-time requests are raised, assurance in parallel or as a final
phase), lead-time overrides by task id, and the start and target dates. :func:`evaluate` turns a
state and the programme file it started from (:class:`ExplorerBase`) into an
:class:`ExplorerResult`: the programme data as the file contract writes it, the timing choices
as a scenario of that data, the schedule, a quick Monte Carlo P80, the health check, and the
change against the previous result. Nothing here reads files or touches the display.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from spinekit.catalogue.load import Catalogue
from spinekit.catalogue.presets import PRESETS, preset_info
from spinekit.catalogue.programme import parse_programme, scope_from_entry
from spinekit.catalogue.scope import Scope, ServiceChoice
from spinekit.engine.cpm import CompiledNetwork, compile_network
from spinekit.engine.network import build_network
from spinekit.engine.schedule import Schedule, schedule_compiled
from spinekit.model.domain import Change, Dependency, Duration, Programme, Scenario, Task
from spinekit.model.errors import NothingToChange, ProgrammeError

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from spinekit.analysis.check import HealthCheck
    from spinekit.engine.simulate import SimulationResult

__all__ = [
    "ASSURANCE",
    "ExplorerBase",
    "ExplorerState",
    "ExplorerResult",
    "LeadTime",
    "Difference",
    "evaluate",
    "saved_document",
]

#: Assurance timing: in parallel from day one, or deferred to a final phase after build.
ASSURANCE = ("parallel", "deferred")

#: Iterations and seed of the explorer's quick simulation. One seed for every setting, so two
#: settings are compared on the same random numbers.
QUICK_ITERATIONS = 500
QUICK_SEED = 20261126

_ENV_LABELS = {"int": "INT", "dep": "DEP", "production": "production"}


@dataclass(frozen=True)
class ExplorerState:
    """The explorer's control values: a scope, timing choices, lead times and dates.

    Parameters
    ----------
    start, target:
        Programme start and target dates.
    services, environments, organisations, access, smartcards, hl7v3_fallback:
        The scope, as :class:`~spinekit.Scope` has it.
    request_week:
        The week (1 = the start week) from which identity and network requests are raised.
    assurance:
        ``parallel`` (clinical safety, DSPT and pen test from day one) or ``deferred`` (after
        every build task: the ``deferred-assurance`` preset).
    lead_times:
        ``(task id, likely working days)`` pairs overriding lead times, sorted by id.
    """

    start: dt.date
    services: tuple[ServiceChoice, ...]
    environments: tuple[str, ...] = ("int", "production")
    organisations: int = 1
    access: str = "user-restricted"
    smartcards: bool = False
    hl7v3_fallback: bool | tuple[str, ...] = False
    request_week: int = 1
    assurance: str = "parallel"
    lead_times: tuple[tuple[str, int], ...] = ()
    target: dt.date | None = None

    @classmethod
    def from_programme(cls, base: ExplorerBase) -> ExplorerState:
        """The setting a programme file describes (requests in week one, assurance in parallel)."""
        scope = base.scope
        merged: dict[str, ServiceChoice] = {}
        for entry in scope.services:
            choice = entry if isinstance(entry, ServiceChoice) else ServiceChoice.parse(entry)
            if choice.service in merged:
                kept = merged[choice.service]
                ops = kept.operations + tuple(o for o in choice.operations if o not in kept.operations)
                merged[choice.service] = dataclasses.replace(kept, operations=ops)
            else:
                merged[choice.service] = choice
        # A service the scope brings in itself (CIS2, with user-restricted access) has tasks in
        # the plan, so its box shows ticked.
        catalogue_services = set(base.catalogue.service_ids)
        for task in base.programme.tasks:
            if task.service in catalogue_services and task.service not in merged:
                merged[task.service] = ServiceChoice(task.service)
        return cls(
            start=base.programme.start,
            target=base.programme.target,
            services=tuple(merged.values()),
            environments=tuple(scope.environments),
            organisations=scope.organisations,
            access=scope.access,
            smartcards=scope.smartcards,
            hl7v3_fallback=scope.hl7v3_fallback,
        )

    def replace(self, **changes: Any) -> ExplorerState:
        """A copy with some values changed."""
        return dataclasses.replace(self, **changes)

    def with_lead_time(self, task_id: str, days: int | None) -> ExplorerState:
        """A copy with ``task_id``'s lead time overridden (``None`` removes the override)."""
        kept = {k: v for k, v in self.lead_times if k != task_id}
        if days is not None:
            kept[task_id] = int(days)
        return self.replace(lead_times=tuple(sorted(kept.items())))

    def scope(self) -> Scope:
        """The scope part of the setting."""
        return Scope(
            self.services, self.environments, self.access, self.smartcards, self.organisations, self.hl7v3_fallback
        )

    def scope_data(self) -> dict[str, Any]:
        """The scope as the programme file writes it."""
        services: list[Any] = []
        for c in self.services:
            sid = f"{c.service}:{c.interface}" if c.interface else c.service
            services.append({"service": sid, "operations": list(c.operations)} if c.operations else sid)
        fallback = self.hl7v3_fallback if isinstance(self.hl7v3_fallback, bool) else list(self.hl7v3_fallback)
        return {
            "services": services,
            "environments": list(self.environments),
            "access": self.access,
            "smartcards": self.smartcards,
            "organisations": self.organisations,
            "hl7v3_fallback": fallback,
        }


@dataclass(frozen=True, eq=False)
class ExplorerBase:
    """The programme file an exploration starts from: its data, validated, with a scope.

    Raises
    ------
    ProgrammeError
        The data is invalid, or has no ``scope`` to explore.
    """

    data: Mapping[str, Any]
    programme: Programme
    scope: Scope
    catalogue: Catalogue

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], *, source: str | None = None, catalogue: Catalogue | None = None
    ) -> ExplorerBase:
        """Validate programme data (as loaded from YAML) for exploring."""
        from spinekit.catalogue.load import load_catalogue
        from spinekit.model.schema import ScopeEntry

        catalogue = catalogue or load_catalogue()
        programme = parse_programme(dict(data), source=source, catalogue=catalogue)
        if not isinstance(data.get("scope"), Mapping):
            raise ProgrammeError(
                "has no scope to explore; add a scope (services, environments, organisations) "
                "or start one with `spinekit new`",
                source=source,
                field="scope",
            )
        scope = scope_from_entry(ScopeEntry.model_validate(data["scope"]))
        return cls(data, programme, scope, catalogue)


@dataclass(frozen=True)
class LeadTime:
    """A task whose lead time the explorer offers to override: its planned and default days."""

    id: str
    name: str
    days: int
    default: int
    critical: bool

    @property
    def overridden(self) -> bool:
        """Whether the explorer's setting changes this lead time."""
        return self.days != self.default


@dataclass(frozen=True)
class Difference:
    """How a result differs from the previous one: finish moves and the settings changed."""

    finish_working_days: int
    p80_working_days: int
    settings: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ExplorerResult:
    """The explorer's outputs for one setting.

    ``data`` is the programme (without scenarios) in the file contract and ``scenario`` the
    timing choices as a scenario of it; ``programme`` is that scenario applied, which
    ``schedule``, ``simulation`` and ``check`` describe. ``difference`` compares with the
    previous result, when there was one.
    """

    state: ExplorerState
    data: dict[str, Any]
    scenario: Scenario
    programme: Programme
    schedule: Schedule
    simulation: SimulationResult
    check: HealthCheck | None
    lead_times: tuple[LeadTime, ...]
    difference: Difference | None

    @property
    def finish_date(self) -> dt.date:
        """The deterministic finish (the last working day of work)."""
        return self.schedule.finish_date

    @property
    def p50(self) -> dt.date:
        """P50 finish of the quick simulation."""
        return self.simulation.finish_date["p50"]

    @property
    def p80(self) -> dt.date:
        """P80 finish of the quick simulation."""
        return self.simulation.finish_date["p80"]

    @property
    def on_time_probability(self) -> float | None:
        """Share of simulated finishes on or before the target (None without a target)."""
        return self.simulation.on_time_probability

    def critical_path_words(self) -> str:
        """The critical path as a sentence."""
        from spinekit.analysis.summary import critical_path_words

        return critical_path_words(self.schedule)

    def figure(self, *, title: str | None = None, today: dt.date | None = None) -> go.Figure:
        """The Gantt chart of the schedule, in swimlanes by track (``title=""`` for none)."""
        from spinekit.views.figures.gantt import gantt

        return gantt(self.schedule, today=today, title=title)


# --- building the programme ---------------------------------------------------------------


def _duration_data(d: Duration) -> int | float | dict[str, Any]:
    if d.is_fixed:
        return _number(d.likely)
    out: dict[str, Any] = {"min": _number(d.min), "likely": _number(d.likely), "max": _number(d.max)}
    if d.dist != "pert":
        out["dist"] = d.dist
    return out


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def scaled_lead_time(default: Duration, days: int) -> Duration:
    """``default`` moved to ``days`` likely working days, its range scaled in proportion.

    Examples
    --------
    >>> scaled_lead_time(Duration(20, 40, 120), 20)
    Duration(min=10, likely=20, max=60, dist='pert')
    >>> scaled_lead_time(Duration.fixed(10), 15).is_fixed
    True
    """
    if default.is_fixed or default.likely <= 0:
        return Duration.fixed(days)
    f = days / default.likely
    low = min(days, int(math.floor(default.min * f)))
    high = max(days, int(math.ceil(default.max * f)))
    return Duration(low, days, high, default.dist)


def _without_missing(items: list[Any], ids: set[str], least: int) -> list[Any]:
    """Risks or correlation groups limited to tasks the scope still has."""
    kept = []
    for item in items:
        tasks = [t for t in item.get("tasks", []) if t in ids]
        if len(tasks) >= least:
            kept.append({**item, "tasks": tasks})
    return kept


def _programme_data(base: ExplorerBase, state: ExplorerState) -> tuple[dict[str, Any], Programme, dict[str, Duration]]:
    """The programme data of a setting, its programme, and the lead times before its overrides."""
    data = {k: v for k, v in base.data.items() if k not in ("scenarios", "target")}
    data["start"] = state.start.isoformat()
    if state.target is not None:
        data["target"] = state.target.isoformat()
    data["scope"] = state.scope_data()
    source = base.programme.source
    plain = {k: v for k, v in data.items() if k not in ("risks", "correlations")}
    defaults = {t.id: t.duration for t in parse_programme(plain, source=source, catalogue=base.catalogue).tasks}

    overrides = dict(base.data.get("overrides") or {})
    for tid, days in state.lead_times:
        if tid in defaults:
            overrides[tid] = _duration_data(scaled_lead_time(defaults[tid], days))
    if overrides:
        data["overrides"] = overrides
    ids = set(defaults)
    for key, least in (("risks", 1), ("correlations", 2)):
        if key in data:
            data[key] = _without_missing(list(data[key] or []), ids, least)
    # Keep the file's key order, with any key the setting added at the end.
    order = [k for k in base.data if k in data] + [k for k in data if k not in base.data]
    data = {k: data[k] for k in order}
    programme = parse_programme(data, source=source, catalogue=base.catalogue)
    return data, programme, defaults


def request_tasks(programme: Programme, tracks: tuple[str, ...] | None = None) -> list[Task]:
    """The lead-time requests that start a chain: they bound every request after them.

    Requests are the identity and network tasks outside production (as the ``late-requests``
    preset counts them). A request whose every link comes from another request, finish-to-start
    or start-to-start with no lead, starts no earlier than that request and needs no bound.
    """
    tracks = tracks or tuple(preset_info("late-requests").settings["tracks"])
    requests = {t.id for t in programme.tasks if t.track in tracks and t.environment != "production"}
    return [
        t
        for t in programme.tasks
        if t.id in requests
        and not (
            t.depends_on and all(d.task in requests and d.type in ("FS", "SS") and d.lag >= 0 for d in t.depends_on)
        )
    ]


def request_date(state: ExplorerState) -> dt.date:
    """The first day of the week in which requests are raised."""
    return state.start + dt.timedelta(weeks=state.request_week - 1)


def timing_scenario(
    state: ExplorerState, programme: Programme, scenario_id: str = "explored", name: str = "Explored setting"
) -> Scenario:
    """The timing choices of ``state`` as a scenario of ``programme``."""
    changes: tuple[Change, ...] = ()
    if state.request_week > 1:
        when = request_date(state)
        changes = tuple(Change(task=t.id, not_before=when) for t in request_tasks(programme))
    preset = "deferred-assurance" if state.assurance == "deferred" else None
    return Scenario(scenario_id, name, preset, changes)


def _apply(programme: Programme, scenario: Scenario) -> Programme:
    from spinekit.model.changes import apply_changes

    if scenario.preset is not None:
        try:
            programme = PRESETS[scenario.preset](programme)
        except NothingToChange:
            pass  # the preset has nothing to change: the plan as it is
    return apply_changes(programme, scenario)


def _links(programme: Programme) -> tuple[tuple[str, tuple[Dependency, ...]], ...]:
    return tuple((t.id, t.depends_on) for t in programme.tasks)


def _check_state(state: ExplorerState) -> None:
    if not isinstance(state.start, dt.date):
        raise ProgrammeError("choose a start date", field="start")
    if state.assurance not in ASSURANCE:
        raise ProgrammeError(
            f"unknown assurance timing {state.assurance!r}; use parallel or deferred", field="assurance"
        )
    if isinstance(state.request_week, bool) or not isinstance(state.request_week, int) or state.request_week < 1:
        raise ProgrammeError(f"request week must be 1 or more, got {state.request_week!r}", field="request_week")
    if state.target is not None and state.target < state.start:
        raise ProgrammeError(f"the target {state.target} is before the start {state.start}", field="target")


# --- scheduling on a known network --------------------------------------------------------


def _schedule_on(programme: Programme, graph: nx.DiGraph, net: CompiledNetwork) -> Schedule:
    """The schedule of ``programme`` on its already validated and compiled network.

    Only durations, dates and constraints may differ from the programme the network was built
    for; the tasks and links must be the same.
    """
    graph = graph.copy()
    for task in programme.tasks:
        graph.nodes[task.id]["task"] = task
    return schedule_compiled(programme, graph, net)


def _schedule(programme: Programme, previous: ExplorerResult | None) -> Schedule:
    if previous is not None and _links(previous.programme) == _links(programme):
        return _schedule_on(programme, previous.schedule.graph, previous.schedule.network)
    graph = build_network(programme)
    return _schedule_on(programme, graph, compile_network(graph))


# --- outputs ------------------------------------------------------------------------------


def _lead_times(
    programme: Programme, sched: Schedule, defaults: Mapping[str, Duration], state: ExplorerState
) -> tuple[LeadTime, ...]:
    """Tasks on the critical path, then any other task whose lead time the setting overrides."""
    by_id = {t.id: t for t in programme.tasks}
    path = sched.critical_path
    ids = [i for i in path if not by_id[i].is_milestone]
    ids += [i for i, _ in state.lead_times if i in by_id and i not in ids]
    return tuple(
        LeadTime(
            i,
            by_id[i].name,
            by_id[i].duration.planned,
            defaults[i].planned if i in defaults else by_id[i].duration.planned,
            i in path,
        )
        for i in ids
    )


def _services_text(c: ServiceChoice, catalogue: Catalogue) -> str:
    return catalogue.service(c.service).label if c.service in catalogue.service_ids else c.service


def describe_changes(before: ExplorerState, after: ExplorerState, catalogue: Catalogue) -> tuple[str, ...]:
    """What changed between two settings, in short phrases ("organisations 1 → 2")."""
    out: list[str] = []
    old = {c.service: c for c in before.services}
    new = {c.service: c for c in after.services}
    for sid, c in new.items():
        label = _services_text(c, catalogue)
        if sid not in old:
            out.append(f"+{label}")
            continue
        o = old[sid]
        if (o.interface or "") != (c.interface or ""):
            out.append(f"{label} interface {o.interface or 'default'} → {c.interface or 'default'}")
        added = [x for x in c.operations if x not in o.operations]
        removed = [x for x in o.operations if x not in c.operations]
        if added or removed:
            parts = [f"+{x}" for x in added] + [f"−{x}" for x in removed]
            out.append(f"{label} operations {' '.join(parts)}")
    out += [f"−{_services_text(c, catalogue)}" for sid, c in old.items() if sid not in new]
    for env in ("int", "dep", "production"):
        if (env in before.environments) != (env in after.environments):
            out.append(f"{'+' if env in after.environments else '−'}{_ENV_LABELS[env]}")
    if before.organisations != after.organisations:
        out.append(f"organisations {before.organisations} → {after.organisations}")
    if before.access != after.access:
        out.append(f"access {before.access} → {after.access}")
    if before.smartcards != after.smartcards:
        out.append(f"smartcards {'on' if after.smartcards else 'off'}")
    if before.hl7v3_fallback != after.hl7v3_fallback:
        out.append(f"HL7 V3 fallback {'on' if after.hl7v3_fallback else 'off'}")
    if before.request_week != after.request_week:
        out.append(f"requests from week {before.request_week} → {after.request_week}")
    if before.assurance != after.assurance:
        out.append(f"assurance {before.assurance} → {after.assurance}")
    old_lt, new_lt = dict(before.lead_times), dict(after.lead_times)
    for tid in sorted(set(old_lt) | set(new_lt)):
        if old_lt.get(tid) != new_lt.get(tid):
            out.append(f"{tid} {new_lt[tid]} days" if tid in new_lt else f"{tid} lead time reset")
    if before.start != after.start:
        out.append(f"start {before.start} → {after.start}")
    if before.target != after.target:
        out.append(f"target {before.target} → {after.target}")
    return tuple(out)


def evaluate(
    base: ExplorerBase,
    state: ExplorerState,
    previous: ExplorerResult | None = None,
    *,
    iterations: int = QUICK_ITERATIONS,
    seed: int = QUICK_SEED,
    check: bool = True,
) -> ExplorerResult:
    """The explorer's outputs for ``state``.

    Parameters
    ----------
    base:
        The programme file the exploration started from.
    state:
        The control values.
    previous:
        The result of the previous setting: the change is measured against it, and its
        validated, compiled network is reused when only durations, dates or constraints differ.
    iterations, seed:
        The quick simulation's size and seed.
    check:
        Whether to run the plan health check.

    Raises
    ------
    ProgrammeError
        The setting makes an invalid programme (for example an HL7 V3 fallback with no service
        that has one); the message names the field and the fix.

    Examples
    --------
    >>> import spinekit
    >>> from spinekit.model.files import load_yaml
    >>> base = ExplorerBase.from_data(load_yaml(spinekit.example_path().read_text()))
    >>> one = evaluate(base, ExplorerState.from_programme(base))
    >>> two = evaluate(base, one.state.replace(request_week=3), one)
    >>> two.difference.finish_working_days, two.difference.settings
    (10, ('requests from week 1 → 3',))
    """
    from spinekit.engine.simulate import simulate

    _check_state(state)
    data, planned, defaults = _programme_data(base, state)
    scenario = timing_scenario(state, planned)
    programme = _apply(planned, scenario)
    sched = _schedule(programme, previous)
    sim = simulate(programme, iterations, seed=seed, schedule=sched)
    health = None
    if check:
        from spinekit.analysis.check import check_plan

        health = check_plan(programme, sched, simulation=sim)
    difference = None
    if previous is not None:
        cal = programme.calendar
        difference = Difference(
            cal.working_days_between(previous.finish_date, sched.finish_date),
            cal.working_days_between(previous.p80, sim.finish_date["p80"]),
            describe_changes(previous.state, state, base.catalogue),
        )
    return ExplorerResult(
        state, data, scenario, programme, sched, sim, health, _lead_times(programme, sched, defaults, state), difference
    )


# --- saving -------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A file-name and id friendly form of ``text`` ("Two Trusts, DEP" -> "two-trusts-dep")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "explored"


def _change_data(c: Change) -> dict[str, Any]:
    assert c.not_before is not None, "the explorer's changes all set not_before"
    return {"task": c.task, "not_before": c.not_before.isoformat()}


def saved_document(base: ExplorerBase, result: ExplorerResult, name: str, file_name: str = "FILE") -> tuple[str, str]:
    """The programme file that records ``result`` under ``name``, and its scenario id.

    The file holds the explored scope, lead times and dates; the timing choices (request week,
    deferred assurance) are its scenario ``id``, so ``spinekit report FILE --scenario id``
    shows the setting as explored. The original file's scenarios that still apply are kept.
    """
    import yaml

    from spinekit.catalogue.scenarios import parse_scenarios

    data = dict(result.data)
    data["name"] = name
    planned = parse_programme(data, source=base.programme.source, catalogue=base.catalogue)
    kept = []
    for raw in base.data.get("scenarios") or []:
        try:
            parse_scenarios([raw], planned)
        except ProgrammeError:
            continue
        kept.append(raw)
    taken = {s.get("id") for s in kept if isinstance(s, Mapping)}
    sid, n = slug(name), 2
    while sid in taken:
        sid, n = f"{slug(name)}-{n}", n + 1
    entry: dict[str, Any] = {"id": sid, "name": name}
    if result.scenario.preset:
        entry["preset"] = result.scenario.preset
    if result.scenario.changes:
        entry["changes"] = [_change_data(c) for c in result.scenario.changes]
    data["scenarios"] = [*kept, entry]
    s = result.state
    head = (
        f"# {name}: saved from the spinekit scope explorer.\n"
        f"# Timing as explored (requests from week {s.request_week}, assurance {s.assurance}) is\n"
        f"# scenario {sid!r}: spinekit report {file_name} --scenario {sid}\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    return head + body, sid
