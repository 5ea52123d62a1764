"""Plan health check: a Spine delivery plan against six delivery properties and schedule quality.

The six properties a serious Spine plan shows: the workflow mapped to named services; FHIR first
with any HL7 V3 fallback slotted in (HSCN, MHS endpoint, party key); lead-time requests in week
one, before build; clinical safety and DSPT in parallel from day one; build against INT with
validation on the path to live; reconciliation and observability before the first production
transaction. Then the schedule-quality checks of the DCMA 14-point assessment: open ends, leads
and long lags, hard date constraints, negative float and single-point estimates on long tasks.
Then freshness: critical tasks resting on old sources, the annual DSPT republication and
credentials that expire before go-live. With a status, the progress rules too: overdue
lead-time items, out-of-sequence progress, a stale status date and actual dates on days off.

Which kinds count as what, the name patterns for hand-written tasks and the thresholds live in
``data/catalogue/health-check.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from spinekit.analysis.freshness import SOURCE_AGE_DAYS, old_sources, renewals, republication_dates
from spinekit.engine.cost import deterministic_cost
from spinekit.engine.network import build_network
from spinekit.engine.schedule import Schedule
from spinekit.engine.schedule import schedule as schedule_programme
from spinekit.engine.simulate import SimulationResult, simulate
from spinekit.model.domain import ORGANISATION_ID, Programme, Status, Task, TaskProgress
from spinekit.model.errors import CatalogueError, closest
from spinekit.model.status import apply_status

__all__ = ["SEVERITIES", "Finding", "StartItem", "HealthCheck", "check_plan"]

#: Finding severities, most serious first. Only ``error`` findings fail the check.
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One result of the health check: which rule, how serious, the tasks involved and the fix."""

    rule: str
    severity: str
    title: str
    message: str
    tasks: tuple[str, ...] = ()
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON-ready values."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title": self.title,
            "message": self.message,
            "tasks": list(self.tasks),
            "fix": self.fix,
        }


@dataclass(frozen=True)
class StartItem:
    """A lead-time item or governance long pole in the "start this week" list.

    ``es`` and ``ls`` are working-day offsets; ``start`` and ``latest_start`` their dates.
    ``can_start_now``: no unfinished predecessor and an earliest start in the first week.
    """

    id: str
    name: str
    kind: str | None
    owner: str | None
    es: int
    ls: int
    start: dt.date
    latest_start: dt.date
    total_float: int
    can_start_now: bool

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain JSON-ready values."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "owner": self.owner,
            "es": self.es,
            "ls": self.ls,
            "start": self.start.isoformat(),
            "latest_start": self.latest_start.isoformat(),
            "total_float": self.total_float,
            "can_start_now": self.can_start_now,
        }


@dataclass(frozen=True)
class HealthCheck:
    """The findings (errors first) and the "start this week" list of one plan."""

    findings: tuple[Finding, ...]
    start_this_week: tuple[StartItem, ...]
    programme: str = ""

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-severity findings."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning-severity findings."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        """Whether the plan has no error-severity findings."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def to_dict(self) -> dict[str, Any]:
        """The ``check`` JSON document."""
        return {
            "programme": self.programme,
            "ok": self.ok,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "start_this_week": [s.to_dict() for s in self.start_this_week],
        }

    def to_text(self, width: int = 100) -> str:
        """A plain-text report for people: a summary line, the findings, then the start list."""
        c = self.counts()
        verdict = "fails: fix the errors first" if c["error"] else "passes: no errors"
        tally = ", ".join(
            f"{c[s]} {word}{'' if c[s] == 1 else 's'}" for s, word in zip(SEVERITIES, ("error", "warning", "note"))
        )
        lines = [
            f"Plan health check: {self.programme}" if self.programme else "Plan health check",
            f"{tally}; the plan {verdict}",
        ]
        wrap = functools.partial(
            textwrap.fill, width=width, subsequent_indent=" " * 9, break_on_hyphens=False, break_long_words=False
        )
        for f in self.findings:
            lines += ["", f"{f.severity.upper():<7}  {f.title} [{f.rule}]"]
            lines.append(wrap(" " * 9 + f.message))
            if f.fix:
                lines.append(wrap(" " * 9 + "Fix: " + f.fix))
        if self.start_this_week:
            lines += ["", "Start this week: lead-time items and governance long poles, by latest start"]
            tw = max(len("task"), *(len(s.id) for s in self.start_this_week))
            ow = max(len("owner"), *(len(s.owner or "") for s in self.start_this_week))
            lines.append(f"{'now':<4} {'task':<{tw}}  {'owner':<{ow}}  earliest start  latest start  total float")
            lines += [
                f"{'yes' if s.can_start_now else '':<4} {s.id:<{tw}}  {s.owner or '':<{ow}}  "
                f"{s.start!s:<14}  {s.latest_start!s:<12}  {s.total_float:>11}"
                for s in self.start_this_week
            ]
        return "\n".join(lines) + "\n"


# --- rules data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    first_week: int
    stale_status: int
    long_lag: int
    long_fixed: int
    groups: dict[str, frozenset[str]]
    finishing_tracks: frozenset[str]
    int_environments: frozenset[str]
    production_environments: frozenset[str]
    name_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    track_kinds: dict[str, str]
    hl7v3_name: re.Pattern[str]
    int_name: re.Pattern[str]
    vague_spine: re.Pattern[str]


_GROUPS = (
    "lead_time",
    "long_poles",
    "design",
    "build",
    "service_build",
    "clinical_safety",
    "deployment_safety",
    "dspt",
    "validation",
    "observability",
    "first_production",
    "go_live",
    "hl7v3",
    "hscn",
    "endpoint",
    "smartcards",
    "production_identity",
    "assurance_gate",
    "issuing_gate",
)


@functools.cache
def _rules() -> _Rules:
    from spinekit.model.files import read_bundled

    raw, source = read_bundled("catalogue/health-check.yaml")

    def get(*keys: str) -> Any:
        node = raw
        for i, key in enumerate(keys):
            if not isinstance(node, dict) or key not in node:
                raise CatalogueError(
                    "missing; see the file's header comment",
                    source=source,
                    entry=keys[0],
                    field=".".join(keys[1 : i + 1]) or None,
                )
            node = node[key]
        return node

    def pattern(text: Any, *where: str) -> re.Pattern[str]:
        try:
            return re.compile(str(text), re.IGNORECASE)
        except re.error as exc:
            raise CatalogueError(
                f"not a valid regular expression: {exc}",
                source=source,
                entry=where[0],
                field=".".join(where[1:]) or None,
            ) from None

    def threshold(name: str) -> int:
        value = get("thresholds", name, "value")
        if not isinstance(value, int) or value < 0:
            raise CatalogueError(
                f"expected a whole number of days, got {value!r}",
                source=source,
                entry="thresholds",
                field=f"{name}.value",
            )
        return value

    return _Rules(
        first_week=threshold("first_week_days"),
        stale_status=threshold("stale_status_days"),
        long_lag=threshold("long_lag_days"),
        long_fixed=threshold("long_fixed_days"),
        groups={g: frozenset(get("groups", g, "kinds")) for g in _GROUPS},
        finishing_tracks=frozenset(get("groups", "finishing_tracks", "tracks")),
        int_environments=frozenset(e.lower() for e in get("environments", "int")),
        production_environments=frozenset(e.lower() for e in get("environments", "production")),
        name_patterns=tuple(
            (str(entry["kind"]), pattern(entry["pattern"], "name_patterns", f"patterns[{i}]"))
            for i, entry in enumerate(get("name_patterns", "patterns"))
        ),
        track_kinds=dict(get("track_kinds", "tracks")),
        hl7v3_name=pattern(get("other_patterns", "hl7v3_name", "pattern"), "other_patterns", "hl7v3_name"),
        int_name=pattern(get("other_patterns", "int_name", "pattern"), "other_patterns", "int_name"),
        vague_spine=pattern(get("other_patterns", "vague_spine", "pattern"), "other_patterns", "vague_spine"),
    )


@functools.cache
def _service_names() -> re.Pattern[str]:
    from spinekit.catalogue.load import load_catalogue

    words: set[str] = set()
    for s in load_catalogue().services:
        words.update((s.id, s.label, s.name))
    alternatives = sorted(
        (re.escape(w).replace(r"\-", "[- ]?").replace(r"\ ", "[- ]?") for w in words), key=len, reverse=True
    )
    return re.compile(rf"\b({'|'.join(alternatives)})\b", re.IGNORECASE)


# --- the plan as the rules see it ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """The plan under check: ``programme`` as planned (before any status), ``schedule`` the
    forecast (with the status applied), ``graph`` the planned links."""

    programme: Programme
    schedule: Schedule
    rules: _Rules
    tasks: dict[str, Task]
    table: pd.DataFrame
    kinds: dict[str, str | None]
    inferred: dict[str, str]
    graph: nx.DiGraph
    status: Status | None = None
    today: dt.date | None = None
    stale_after: int | None = None
    simulation: SimulationResult | None = None
    source_age: int | None = None

    @functools.cached_property
    def s(self) -> int:
        """The first working day after the status date (0 without a status)."""
        if self.status is None:
            return 0
        return self.schedule.programme.calendar.index_on_or_after(self.status.date + dt.timedelta(days=1))

    def of(self, group: str) -> list[str]:
        """Ids of tasks whose kind is in ``group``, in file order."""
        kinds = self.rules.groups[group]
        return [i for i, k in self.kinds.items() if k in kinds]

    def production(self, task_id: str) -> bool:
        env = self.tasks[task_id].environment
        return env is not None and env.lower() in self.rules.production_environments

    def upstream(self, task_id: str, among: Iterable[str]) -> list[str]:
        """Which of ``among`` the task waits for, directly or through other tasks."""
        before = nx.ancestors(self.graph, task_id)
        return [a for a in among if a in before]

    def at(self, task_id: str, column: str) -> Any:
        return self.table.at[task_id, column]

    def date(self, offset: int) -> dt.date:
        return self.schedule.programme.calendar.date_of(int(offset))

    @property
    def checked_on(self) -> dt.date:
        """The day the check stands on: the status date, else ``today`` (default: today's date)."""
        if self.status is not None:
            return self.status.date
        return self.today if self.today is not None else dt.date.today()

    @functools.cached_property
    def go_live(self) -> tuple[dt.date, str]:
        """The last go-live's finish and what it is ("go-live on"), else the plan's finish."""
        ends = [self.at(i, "finish") for i in self.of("go_live")]
        if ends:
            return max(ends), "go-live on"
        return self.schedule.finish_date, "the plan's finish on"


def _kind_of(task: Task, rules: _Rules) -> tuple[str | None, bool]:
    """The task's kind, and whether it was inferred from its name or track."""
    if task.kind:
        return task.kind, False
    for kind, pattern in rules.name_patterns:
        if pattern.search(task.name):
            return kind, True
    if task.track in rules.track_kinds:
        return rules.track_kinds[task.track], True
    return None, False


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


# --- the six properties ----------------------------------------------------------------------------


def _services(p: _Plan) -> list[Finding]:
    names = _service_names()
    tasks = p.programme.tasks
    if not any(t.service or names.search(t.name) for t in tasks):
        return [
            Finding(
                "services-unnamed",
                "error",
                "Workflow not mapped to services",
                "No task names a national service: none carries a `service` and no task name mentions "
                "PDS, EPS, e-RS, SCR, MESH, NRL, GP Connect, NHS login, CIS2 or SDS. Without the "
                "services, the plan cannot show which interfaces, prerequisites and assurance routes apply.",
                (),
                "Map each step of the workflow to a service and operation (PDS search, EPS send ...), "
                "give build tasks a `service`, or start from a scope: spinekit new --services pds,eps,cis2.",
            )
        ]
    out = []
    vague = [
        t.id
        for t in tasks
        if not t.kind and not t.service and p.rules.vague_spine.search(t.name) and not names.search(t.name)
    ]
    if vague:
        out.append(
            Finding(
                "services-vague",
                "error",
                'Generic "Spine" tasks',
                f"{_ids(vague)} {'is' if len(vague) == 1 else 'are'} planned as connecting to Spine "
                "without naming a service. Spine is a dozen services with different interfaces, "
                "networks, identifiers and assurance routes; a generic task hides all of them.",
                tuple(vague),
                "Split each into work per service and operation (PDS FHIR search, EPS FHIR send, CIS2 "
                "sign-in ...) and set `service` on each.",
            )
        )
    unassigned = [i for i in p.of("service_build") if not p.tasks[i].service and not names.search(p.tasks[i].name)]
    if unassigned:
        out.append(
            Finding(
                "build-without-service",
                "warning",
                "Build work not tied to a service",
                f"Build work {_ids(unassigned)} names no service, so its interface, access mode and "
                "prerequisites cannot be checked.",
                tuple(unassigned),
                "Set `service` on each build task (pds, eps, cis2 ...), one task per service.",
            )
        )
    return out


def _hl7v3(p: _Plan) -> list[Finding]:
    hl7 = [
        t.id
        for t in p.programme.tasks
        if p.kinds[t.id] in p.rules.groups["hl7v3"]
        or (t.service or "").lower().endswith(":hl7v3")
        or p.rules.hl7v3_name.search(t.name)
    ]
    hscn, endpoint = p.of("hscn"), p.of("endpoint")
    out = []
    if hl7:
        out.append(
            Finding(
                "hl7v3-in-scope",
                "info",
                "HL7 V3 work in scope",
                f"HL7 V3 (Spine messaging) work: {_ids(hl7)}. FHIR first: each should be a fallback for "
                "an operation no FHIR interface carries yet (births, new-patient records, PAS slot "
                "management ...), since it brings HSCN, MHS, ASID and party key, and CAP onto the plan.",
                tuple(hl7),
                "Check each HL7 V3 operation against the FHIR interfaces before committing to it.",
            )
        )
        missing = []
        if not hscn:
            missing.append("an HSCN connection")
        if not endpoint:
            missing.append("MHS endpoint registration (ASID and party key)")
        if missing:
            out.append(
                Finding(
                    "hl7v3-route-missing",
                    "error",
                    "HL7 V3 without its route to Spine",
                    f"The plan needs HL7 V3 ({_ids(hl7)}) but has no task for {' or '.join(missing)}. "
                    "HL7 V3 is reached only over HSCN, through a registered MHS endpoint; a new HSCN "
                    "circuit alone can take 8-18 weeks.",
                    tuple(hl7),
                    "Add HSCN, NHS DNS name, MPV registration, MHS endpoint (ASID and party key) and "
                    "Spine certificates as week-one tasks, before the HL7 V3 build (the scope option "
                    "hl7v3_fallback or a `service: pds:hl7v3` brings them in).",
                )
            )
        else:
            build_ids = set(p.of("build"))
            # The MHS is shared by every HL7 V3 service: it needs HSCN, and each service's own
            # HL7 V3 build needs that service's endpoint too (an MHS waiting for every service's
            # endpoint would let one service's registration hold up another's).
            shared = set(p.of("hl7v3"))
            unlinked = []
            for b in (i for i in hl7 if i in build_ids):
                before = nx.ancestors(p.graph, b)  # once for both the HSCN and the endpoint test
                if not any(h in before for h in hscn) or (b not in shared and not any(e in before for e in endpoint)):
                    unlinked.append(b)
            if unlinked:
                out.append(
                    Finding(
                        "hl7v3-route-unlinked",
                        "warning",
                        "HL7 V3 build not waiting for its route",
                        f"HL7 V3 build {_ids(unlinked)} does not depend on the HSCN connection "
                        f"({_ids(hscn)}) and, for a service's build, its MHS endpoint ({_ids(endpoint)}), "
                        "so the schedule assumes it can be built and tested before Spine can reach it.",
                        tuple(unlinked),
                        "Link each HL7 V3 build to the HSCN task, and each service's HL7 V3 build to "
                        "its MHS endpoint (depends_on).",
                    )
                )
    cards = p.of("smartcards")
    if cards and not hscn:
        out.append(
            Finding(
                "smartcards-without-hscn",
                "warning",
                "Smartcards without HSCN",
                f"{_ids(cards)} plans smartcards but the plan has no HSCN task. Smartcard users need "
                "HSCN for Identity Agent and Credential Management, even for internet-facing APIs.",
                tuple(cards),
                "Add an HSCN connection as a week-one task, before the smartcards.",
            )
        )
    return out


def _lead_time(p: _Plan) -> list[Finding]:
    lead = [i for i in p.of("lead_time") if not p.production(i)]
    gates = p.of("design") + p.of("build")
    out = []
    late = {i: p.upstream(i, gates) for i in lead}
    late = {i: g for i, g in late.items() if g}
    if late:
        waits = "; ".join(f"{i} waits for {_ids(g)}" for i, g in late.items())
        out.append(
            Finding(
                "lead-time-after-build",
                "error",
                "Lead-time requests wait for design or build",
                f"{waits}. These requests take weeks at NHS England or a network provider and block "
                "INT build; raised after design, their lead time lands on the critical path.",
                tuple(late),
                "Raise them in week one: remove the links from design and build work so they start "
                "on day one, in parallel with design.",
            )
        )
    week = p.rules.first_week
    # Once work is tracked, requests not yet raised are the overdue rule's business.
    held = [
        i
        for i in lead
        if p.status is None
        and p.graph.in_degree(i) == 0
        and p.tasks[i].not_before is not None
        and p.at(i, "es") >= week
    ]
    if held:
        detail = "; ".join(f"{i} not before {p.tasks[i].not_before}" for i in held)
        out.append(
            Finding(
                "lead-time-not-week-one",
                "warning",
                "Lead-time requests held back from week one",
                f"{detail}. Nothing else holds these back, and every week they wait is a week later "
                "for what depends on them.",
                tuple(held),
                "Remove the not_before dates (or bring them into the first week) unless something "
                "outside the plan really stops the request being raised.",
            )
        )
    return out


def _safety_and_dspt(p: _Plan) -> list[Finding]:
    cso, dcb0160, dspt = p.of("clinical_safety"), p.of("deployment_safety"), p.of("dspt")
    builds = p.of("build")
    out = []
    if not cso:
        out.append(
            Finding(
                "clinical-safety-missing",
                "error",
                "No clinical safety (CSO and DCB0129)",
                "No task covers the named Clinical Safety Officer and the DCB0129 safety case "
                "(kind cso-dcb0129). Every Spine service's assurance (SCAL/DOS) requires it, and the "
                "first safety case takes 4-12 weeks.",
                (),
                "Add a CSO and DCB0129 task that starts on day one, with SCAL (or the Connection "
                "Agreement) depending on it.",
            )
        )
    if not dcb0160:
        out.append(
            Finding(
                "dcb0160-missing",
                "warning",
                "No deployment safety case (DCB0160)",
                "No task covers the deploying organisation's DCB0160 safety case, which each "
                "organisation needs before go-live and which depends on its own CSO's capacity.",
                (),
                "Add a DCB0160 task per deploying organisation, after the DCB0129 case and before "
                "go-live, or confirm it is tracked in the Trust's plan.",
            )
        )
    if not dspt:
        out.append(
            Finding(
                "dspt-missing",
                "error",
                "No DSPT",
                "No task covers the supplier's Data Security and Protection Toolkit at Standards Met "
                "(kind dspt), a SCAL/DOS prerequisite that takes 4-12 weeks the first time.",
                (),
                "Add a DSPT task that starts on day one (after the ODS code), with SCAL depending on it.",
            )
        )
    late_safety = {i: p.upstream(i, builds) for i in cso + dcb0160}
    late_safety = {i: b for i, b in late_safety.items() if b}
    if late_safety:
        waits = "; ".join(f"{i} waits for {_ids(b)}" for i, b in late_safety.items())
        out.append(
            Finding(
                "clinical-safety-after-build",
                "error",
                "Clinical safety as a final phase",
                f"{waits}. A safety case written after the build cannot shape it: hazards found late "
                "mean rework, and SCAL waits for the case.",
                tuple(late_safety),
                "Run clinical safety as a parallel track from day one: remove the links from build "
                "work; let the hazard log grow with design and build.",
            )
        )
    late_dspt = {i: p.upstream(i, builds) for i in dspt}
    late_dspt = {i: b for i, b in late_dspt.items() if b}
    if late_dspt:
        waits = "; ".join(f"{i} waits for {_ids(b)}" for i, b in late_dspt.items())
        out.append(
            Finding(
                "dspt-after-build",
                "error",
                "DSPT as a final phase",
                f"{waits}. DSPT is organisational evidence that does not need the build, and SCAL "
                "cannot be accepted without it.",
                tuple(late_dspt),
                "Start DSPT on day one (after the ODS code) in parallel with the build.",
            )
        )
    on_time = [i for i in cso if i not in late_safety]
    design = p.of("design")
    # Without a design task, the architecture is taken as final when build starts.
    if on_time and (design or builds):
        if design:
            last, gate = max((int(p.at(d, "ef")), d) for d in design)
            what = f"design ({gate}) finishes"
        else:
            last, gate = min((int(p.at(b, "es")), b) for b in builds)
            what = f"build ({gate}) starts"
        first = min(on_time, key=lambda i: (p.at(i, "es"), i))
        if p.at(first, "es") >= last:
            out.append(
                Finding(
                    "cso-after-design",
                    "error",
                    "CSO named after the architecture is final",
                    f"{first} starts on {p.at(first, 'start')}, when {what} (working day {last}). "
                    "The CSO has to review the architecture while it can still change.",
                    (first, gate),
                    f"Name the CSO and start {first} before {gate} finishes, ideally on day one.",
                )
            )
    return out


def _first_production(p: _Plan) -> list[str]:
    return p.of("first_production") or p.of("go_live")


def _int_and_validation(p: _Plan) -> list[Finding]:
    builds = p.of("build")
    out = []
    int_builds = [
        b
        for b in builds
        if (p.tasks[b].environment or "").lower() in p.rules.int_environments
        or (not p.tasks[b].environment and p.rules.int_name.search(p.tasks[b].name))
    ]
    if not int_builds:
        detail = (
            f"Build work {_ids(builds)} names no environment (or another one)"
            if builds
            else "The plan has no build work"
        )
        out.append(
            Finding(
                "int-build-missing",
                "error",
                "No build against INT",
                f"{detail}. Sandbox is stateless with canned responses and cannot prove security "
                "flows; conformance evidence comes from INT.",
                tuple(builds),
                "Plan the build against INT (environment: int), after the INT identity items "
                "(applications, CIS2 client, ASID) and test data.",
            )
        )
    targets = _first_production(p)
    if not targets:
        out.append(
            Finding(
                "go-live-missing",
                "warning",
                "No production smoke test or go-live",
                "The plan has no production smoke test or go-live task, so validation and "
                "observability cannot be checked against the first production transaction.",
                (),
                "Add the production smoke test (kind smoke-test) and a go-live per deploying organisation.",
            )
        )
    candidates = p.of("validation")
    # Everything some target waits for, found once rather than per candidate and target.
    feeds_target = set().union(*(nx.ancestors(p.graph, t) for t in targets))
    valid = [
        v
        for v in candidates
        if p.tasks[v].duration.planned > 0
        and (not builds or p.upstream(v, builds))
        and (not targets or v in feeds_target)
    ]
    if not valid:
        if candidates:
            detail = (
                f"{_ids(candidates)} either take no time or do not sit between build and {_ids(targets) or 'go-live'}"
            )
        else:
            detail = "The plan has no conformance, witness testing or DEP validation"
        out.append(
            Finding(
                "validation-missing",
                "error",
                "No validation on the path to live",
                f"{detail}. Conformance towards the TCC takes review rounds of about a week each, "
                "and defects found in production mean a fix, a retest and a new change slot.",
                tuple(candidates),
                "Add conformance / witness testing (and DEP validation if the Trust wants UAT) after "
                "the INT build and before the smoke test, with a three-point duration.",
            )
        )
    return out


def _observability(p: _Plan) -> list[Finding]:
    obs = p.of("observability")
    if not obs:
        return [
            Finding(
                "observability-missing",
                "error",
                "No reconciliation or observability",
                "No task builds reconciliation, audit and monitoring. Asynchronous edges (MESH "
                "messages that expire after 5 days, HL7 V3 callbacks, PDS retries) fail quietly "
                "without them.",
                (),
                "Add a reconciliation and observability task to the build, before conformance and "
                "the production smoke test.",
            )
        ]
    late = [t for t in _first_production(p) if not p.upstream(t, obs)]
    if not late:
        return []
    return [
        Finding(
            "observability-after-go-live",
            "error",
            "Observability not in place before production",
            f"{_ids(late)} does not wait for {_ids(obs)}, so the first production transaction can "
            "run before reconciliation and monitoring exist.",
            (*obs, *late),
            f"Make {_ids(obs)} part of the build: link it before conformance (and so before the smoke test).",
        )
    ]


# --- schedule quality (DCMA 14-point) ----------------------------------------------------------------


def _production_identities(p: _Plan) -> list[Finding]:
    """Live identities after the assurance that gates them, and before the smoke test using them."""
    live = [i for i in p.of("production_identity") if p.production(i)]
    # Live identities are issued after the agreement that ends assurance (the Connection
    # Agreement, or NHS login's onboarding, which holds its own); any gate only where neither is.
    gates = p.of("issuing_gate") or p.of("assurance_gate")
    out = []
    early = [i for i in live if gates and not p.upstream(i, gates)]
    if early:
        out.append(
            Finding(
                "production-identity-before-assurance",
                "warning",
                "Production identities before assurance",
                f"{_ids(early)} does not wait for {_ids(gates)}. NHS England issues live ASIDs, "
                "endpoints, certificates, mailboxes and applications only once the assurance that "
                "gates them is complete, so the plan shows them too early.",
                tuple(early),
                "Link each production identity after the assurance it needs (usually the Connection Agreement).",
            )
        )
    missing: dict[str, list[str]] = {}
    for smoke in (i for i in p.of("first_production") if p.production(i)):
        service, org = p.tasks[smoke].service, _organisation(p.tasks[smoke])
        mine: dict[str | None, list[str]] = {}
        for i in live:
            # A Trust's own smoke test needs that Trust's identities, not another's.
            if org is not None and _organisation(p.tasks[i]) not in (None, org):
                continue
            if service is None or p.tasks[i].service in (None, service):
                mine.setdefault(p.kinds[i], []).append(i)
        lacking = [ids[0] for ids in mine.values() if not p.upstream(smoke, ids)]
        if lacking:
            missing[smoke] = lacking
    if missing:
        waits = "; ".join(f"{s} runs without {_ids(ids)}" for s, ids in missing.items())
        out.append(
            Finding(
                "smoke-test-without-live-identity",
                "warning",
                "Smoke test before the live identities it uses",
                f"{waits}. The first production transaction needs every production identity it "
                "uses (ASID, endpoint, certificates, mailbox, application).",
                tuple(missing),
                "Link the smoke test after each production identity it uses (its own organisation's, "
                "where a smoke test is for one organisation).",
            )
        )
    return out


def _organisation(task: Task) -> int | None:
    """The deploying organisation a task is for: its rule's, or an ``-orgN`` id's."""
    if task.rule is not None:
        return task.rule.organisation
    m = ORGANISATION_ID.match(task.id)
    return int(m.group("n")) if m else None


def _open_ends(p: _Plan) -> list[Finding]:
    g, out = p.graph, []
    finish = p.schedule.finish_offset
    ends = [
        i
        for i in p.tasks
        if g.out_degree(i) == 0
        and p.at(i, "ef") < finish
        and p.kinds[i] not in p.rules.groups["go_live"]
        and p.tasks[i].track not in p.rules.finishing_tracks
    ]
    if ends:
        out.append(
            Finding(
                "open-end",
                "warning",
                "Tasks with no successor",
                f"{_ids(ends)} {'feeds nothing and finishes' if len(ends) == 1 else 'feed nothing and finish'} "
                "before the programme does, so a slip in them never shows on the finish date.",
                tuple(ends),
                "Link each to the task that needs its output (SCAL, the smoke test or a go-live), or "
                "remove it if nothing does.",
            )
        )
    starts = [i for i in p.tasks if g.in_degree(i) == 0]
    if starts:
        out.append(
            Finding(
                "open-start",
                "info",
                "Tasks with no predecessor",
                f"{_ids(starts)} start on day one (or their not_before date). Right for lead-time "
                "requests, clinical safety and design; other work usually waits for something.",
                tuple(starts),
                "Check that each can really start on day one; link any that needs another task's output.",
            )
        )
    return out


def _lags(p: _Plan) -> list[Finding]:
    leads, long = [], []
    for t in p.programme.tasks:
        for d in t.depends_on:
            if d.lag < 0:
                leads.append((d.task, t.id, d.type, d.lag))
            elif d.lag > p.rules.long_lag:
                long.append((d.task, t.id, d.type, d.lag))
    out = []
    if leads:
        out.append(
            Finding(
                "lead",
                "warning",
                "Negative lags (leads)",
                "; ".join(f"{a} -> {b} ({k}, lag {lag})" for a, b, k, lag in leads) + ". A lead lets "
                "work start before its predecessor's logic says it can, on a promise the schedule "
                "cannot check.",
                tuple(dict.fromkeys(x for a, b, *_ in leads for x in (a, b))),
                "Split the predecessor so the successor depends on the part it needs, or use a "
                "start-to-start link with a positive lag.",
            )
        )
    if long:
        out.append(
            Finding(
                "long-lag",
                "warning",
                f"Lags over {p.rules.long_lag} working days",
                "; ".join(f"{a} -> {b} ({k}, lag {lag})" for a, b, k, lag in long) + ". A long lag "
                "hides work or waiting that has no owner and no estimate.",
                tuple(dict.fromkeys(x for a, b, *_ in long for x in (a, b))),
                "Replace each long lag with a task for what happens in that time (a review, a "
                "booking wait), with an owner and a three-point duration.",
            )
        )
    return out


def _constraints(p: _Plan) -> list[Finding]:
    out = []
    deadlines = [t for t in p.programme.tasks if t.deadline is not None]
    if deadlines:
        out.append(
            Finding(
                "hard-deadline",
                "warning",
                "Hard deadlines",
                "; ".join(f"{t.id} must finish by {t.deadline} (float {p.at(t.id, 'total_float')})" for t in deadlines)
                + ". A deadline bends the float of everything before "
                "it, so the schedule stops showing how late the plan really is.",
                tuple(t.id for t in deadlines),
                "Keep hard dates for real external constraints (a contract date, a change freeze); "
                "otherwise use the programme target and compare the forecast with it.",
            )
        )
    held = [t for t in p.programme.tasks if t.not_before is not None]
    if held:
        out.append(
            Finding(
                "not-before",
                "info",
                "Start-no-earlier-than dates",
                "; ".join(f"{t.id} not before {t.not_before}" for t in held) + ".",
                tuple(t.id for t in held),
                "Keep only the dates something outside the plan imposes (a booked slot, a freeze).",
            )
        )
    return out


def _negative_float(p: _Plan) -> list[Finding]:
    neg = [i for i in p.tasks if p.at(i, "total_float") < 0]
    if not neg:
        return []
    worst = min(int(p.at(i, "total_float")) for i in neg)
    deadlines = [t.id for t in p.programme.tasks if t.deadline is not None]
    cause = f" The deadlines on {_ids(deadlines)} cannot be met." if deadlines else ""
    return [
        Finding(
            "negative-float",
            "error",
            "Negative float",
            f"{_ids(neg)} {'has' if len(neg) == 1 else 'have'} negative total float (down to {worst} "
            f"working days).{cause} The plan as linked cannot finish on time.",
            tuple(neg),
            f"Recover {-worst} working days on this chain (shorter estimates with reasons, work "
            "overlapped, a link removed) or move the deadline.",
        )
    ]


def _target(p: _Plan) -> list[Finding]:
    target = p.programme.target
    if target is None:
        return []
    cal = p.programme.calendar
    if target < cal.day0:
        return [
            Finding(
                "target-before-start",
                "error",
                "Target before the start",
                f"The target {target} is before the programme's first working day {cal.day0}.",
                (),
                "Correct the target or the start date.",
            )
        ]
    finish = p.schedule.finish_date
    if finish <= target:
        return []
    late = cal.working_days_between(target, finish)
    return [
        Finding(
            "target-missed",
            "warning",
            "The plan misses its target",
            f"Even with every task at its likely duration the plan finishes on {finish}, "
            f"{late} working days after the target {target}.",
            tuple(p.schedule.critical_path),
            "Shorten the critical path (start lead-time items earlier, overlap work) or reset the "
            "target with the steering group.",
        )
    ]


def _single_point(p: _Plan) -> list[Finding]:
    long = [t.id for t in p.programme.tasks if t.duration.is_fixed and t.duration.planned > p.rules.long_fixed]
    if not long:
        return []
    return [
        Finding(
            "no-three-point",
            "warning",
            f"Single-point estimates on tasks over {p.rules.long_fixed} days",
            "; ".join(f"{i} ({p.tasks[i].duration.planned} days)" for i in long) + " "
            f"{'has' if len(long) == 1 else 'have'} a fixed duration, so the risk analysis treats "
            "it as certain.",
            tuple(long),
            "Give each a three-point estimate (min, likely, max) with its basis.",
        )
    ]


def _inferred(p: _Plan) -> list[Finding]:
    if not p.inferred:
        return []
    return [
        Finding(
            "kinds-inferred",
            "info",
            "Tasks recognised by name or track",
            f"{len(p.inferred)} tasks carry no kind; the check recognised them by name or track as: "
            + "; ".join(f"{i} as {k}" for i, k in p.inferred.items())
            + ".",
            tuple(p.inferred),
            "Set `kind:` (a catalogue item id) on these tasks to make the check exact.",
        )
    ]


#: Iterations and seed of the Monte Carlo run behind the P80-cost check (when none is given).
COST_CHECK_ITERATIONS = 2_000
COST_CHECK_SEED = 0


def _resources(p: _Plan) -> list[Finding]:
    defined = [r.id for r in p.programme.resources]
    out = []
    for t in p.programme.tasks:
        for a in t.resources:
            if a.resource in defined:
                continue
            hint = closest(a.resource, defined)
            fix = (
                f"Did you mean {hint!r}? Correct the id, or add {{id: {a.resource}, rate: ...}} under resources."
                if hint
                else f"Add {{id: {a.resource}, rate: ...}} under resources, or remove it from the task."
            )
            out.append(
                Finding(
                    "undefined-resource",
                    "warning",
                    "A task uses an undefined resource",
                    f"{t.id} uses resource {a.resource!r}, which the programme does not define, so it "
                    "adds nothing to the cost.",
                    (t.id,),
                    fix,
                )
            )
    return out


def _budget(p: _Plan) -> list[Finding]:
    programme = p.programme
    if programme.budget is None:
        return []
    money = f"{programme.currency} {{:,.0f}}"
    if not programme.has_costs:
        return [
            Finding(
                "budget-without-cost",
                "warning",
                "A budget but no costs",
                f"The programme has a budget of {money.format(programme.budget)} but nothing in it "
                "costs money, so the budget cannot be checked.",
                (),
                "Give tasks resources (with rates under resources) or fixed costs, add standing "
                "costs, or remove the budget.",
            )
        ]
    planned = deterministic_cost(p.schedule).total
    if planned > programme.budget:
        return [
            Finding(
                "cost-over-budget",
                "warning",
                "The plan costs more than its budget",
                f"Even with every task at its likely duration and cost the plan costs "
                f"{money.format(planned)}, above the budget of {money.format(programme.budget)}.",
                (),
                "Cut scope, shorten the time-dependent work (the standing costs run until the "
                "finish) or reset the budget with the steering group.",
            )
        ]
    sim = p.simulation
    if sim is None or sim.cost is None:
        sim = simulate(p.schedule.programme, COST_CHECK_ITERATIONS, COST_CHECK_SEED, schedule=p.schedule)
    cost = sim.cost
    if cost is None or cost.summary["p80"] <= programme.budget:
        return []
    p80 = cost.summary["p80"]
    return [
        Finding(
            "p80-cost-over-budget",
            "warning",
            "The P80 cost exceeds the budget",
            f"The P80 cost is {money.format(p80)} ({sim.iterations:,} iterations, seed {sim.seed}), "
            f"above the budget of {money.format(programme.budget)}: the budget holds in only "
            f"{cost.within_budget_probability or 0:.0%} of the iterations.",
            (),
            "Fund to the P80 cost, reduce the uncertainty on the cost drivers (spinekit simulate "
            "lists them), or cut scope.",
        )
    ]


# --- freshness: sources and renewals ---------------------------------------------------------------


def _source_age(p: _Plan) -> list[Finding]:
    limit = p.source_age if p.source_age is not None else SOURCE_AGE_DAYS
    on = p.checked_on
    old = old_sources(p.schedule, as_of=on, max_age=limit)
    if not old:
        return []
    ids = ", ".join(dict.fromkeys(u.source.id for u in old))
    return [
        Finding(
            "source-age",
            "warning",
            "Critical tasks rest on old sources",
            "; ".join(f"{u.task} rests on {u.describe()}" for u in old)
            + f". They are on the critical path and their sources are more than {limit} days old on "
            f"{on}, so the go-live date moves with any figure that has changed since.",
            tuple(dict.fromkeys(u.task for u in old)),
            f"Re-verify {ids} before committing a date: check the figures against the live source, "
            "then update as_of in data/catalogue/sources.yaml (or change the lead times in the plan).",
        )
    ]


def _held(task: Task) -> bool:
    """Whether the task is something already in place: a milestone waiting for nothing."""
    return task.is_milestone and not task.depends_on


def _dspt_republication(p: _Plan) -> list[Finding]:
    plan = renewals()
    end, what = p.go_live
    due: list[tuple[str, dt.date, list[dt.date]]] = []
    for i, kind in p.kinds.items():
        if kind in plan.dspt_kinds:
            done = p.at(i, "finish")
            dates = republication_dates(done, end, plan.dspt_deadline, in_place=_held(p.tasks[i]))
            if dates:
                due.append((i, done, dates))
    if not due:
        return []
    # A task that waits for the DSPT and runs past its deadline needs the republished one.
    first = min(dates[0] for _, _, dates in due)
    waiting = sorted(
        {d for i, _, _ in due for d in nx.descendants(p.graph, i) if p.at(d, "finish") > first},
        key=lambda d: (p.at(d, "finish"), d),
    )
    detail = "; ".join(
        f"{i} ({'in place at' if _held(p.tasks[i]) else 'published'} {done}) must be republished by "
        + " and by ".join(str(d) for d in dates)
        for i, done, dates in due
    )
    rest = ""
    if waiting:
        more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
        rest = f" {_ids(waiting[:3])}{more} wait for it and finish after {first}."
    return [
        Finding(
            "dspt-republication",
            "warning" if waiting else "info",
            "DSPT republication falls inside the plan",
            f"{detail}. The plan runs to {what} {end}, and a DSPT not republished by its yearly "
            f"deadline lapses ({plan.dspt_basis.split(':')[0]}).{rest}",
            tuple(i for i, _, _ in due),
            "Put the republication in the plan as a task of its own, owned by whoever holds the DSPT, "
            f"finishing by {first}, and keep the evidence current from the first submission.",
        )
    ]


def _credential_expiry(p: _Plan) -> list[Finding]:
    plan = renewals()
    end, what = p.go_live
    lapsing = []
    for i, kind in p.kinds.items():
        valid = plan.credential(kind)
        if valid is None:
            continue
        issued = p.at(i, "finish")
        expires = issued + dt.timedelta(days=valid.validity_days)
        if expires < end:
            lapsing.append((i, issued, expires, valid))
    if not lapsing:
        return []
    bases = {v.kind: f"{v.name}: {v.validity_days} days, {v.basis}" for _, _, _, v in lapsing}
    return [
        Finding(
            "credential-expiry",
            "warning",
            "Credentials expire before go-live",
            "; ".join(f"{i} issued {issued} expires about {expires}" for i, issued, expires, _ in lapsing)
            + f", before {what} {end}. Validity: "
            + "; ".join(bases.values())
            + ".",
            tuple(i for i, _, _, _ in lapsing),
            "Plan each renewal (a new certificate signing request, new test cards) before its expiry, "
            "or request the credential later, nearer the work that uses it.",
        )
    ]


_RULES: tuple[Callable[[_Plan], list[Finding]], ...] = (
    _services,
    _hl7v3,
    _lead_time,
    _safety_and_dspt,
    _int_and_validation,
    _observability,
    _negative_float,
    _target,
    _production_identities,
    _open_ends,
    _lags,
    _constraints,
    _single_point,
    _resources,
    _budget,
    _source_age,
    _dspt_republication,
    _credential_expiry,
    _inferred,
)


# --- progress (a programme with a status) ------------------------------------------------------


def _progress(p: _Plan, task_id: str) -> TaskProgress | None:
    """The task's recorded progress when it has started, else None."""
    got = p.status.progress(task_id) if p.status is not None else None
    return got if got is not None and got.start is not None else None


def _overdue(p: _Plan) -> list[Finding]:
    """Lead-time items that the plan, given the actual progress, had starting by the status date."""
    if p.status is None:
        return []
    lead = [i for i in p.of("lead_time") if _progress(p, i) is None]
    if not lead:
        return []
    # Where the network would put them had nothing waited for the status date.
    free = schedule_programme(apply_status(p.programme, p.status, hold_unstarted=False))
    es = dict(zip(free.columns["id"], free.columns["es"].tolist()))
    overdue = [i for i in lead if es[i] < p.s]
    if not overdue:
        return []
    cal = free.programme.calendar
    detail = "; ".join(f"{i} ({p.tasks[i].name}) could have started on {cal.date_of(es[i])}" for i in overdue)
    return [
        Finding(
            "overdue-lead-time",
            "error",
            "Lead-time items still not requested",
            f"{detail}. None has started by the status date {p.status.date}, and each waits weeks on "
            "NHS England or a provider once raised, so the forecast moves with every day they wait.",
            tuple(overdue),
            "Raise these requests now and record their start in the status; if something really "
            "stops one, give it a not_before date and say why.",
        )
    ]


def _out_of_sequence(p: _Plan) -> list[Finding]:
    """Started tasks whose start breaks a start-constraining link (FS or SS) of the plan."""
    if p.status is None:
        return []
    cal = p.schedule.programme.calendar
    broken = []
    for task in p.programme.tasks:
        mine = _progress(p, task.id)
        if mine is None or mine.start is None:
            continue
        at = cal.index_on_or_after(mine.start)
        for d in task.depends_on:
            pred = _progress(p, d.task)
            if d.type == "FS":
                end = pred.finish if pred is not None else None
                if end is None or cal.index_on_or_before(end) + 1 + d.lag > at:
                    broken.append((task.id, d.task, "finished" if d.lag == 0 else f"finished (+{d.lag} lag)"))
            elif d.type == "SS":
                begun = pred.start if pred is not None else None
                if begun is None or cal.index_on_or_after(begun) + d.lag > at:
                    broken.append((task.id, d.task, "started" if d.lag == 0 else f"started (+{d.lag} lag)"))
    if not broken:
        return []
    return [
        Finding(
            "out-of-sequence",
            "warning",
            "Progress out of sequence",
            "; ".join(f"{t} started before {pred} {what}" for t, pred, what in broken)
            + ". The forecast pins started work where it is, so the links it broke no longer hold "
            "it, and the plan no longer says how the work is really being done.",
            tuple(dict.fromkeys(x for t, pred, _ in broken for x in (t, pred))),
            "Check the actual dates; if the work really overlapped, change the link (for example "
            "to start-to-start with a lag) so the plan shows how it is being done.",
        )
    ]


def _stale(p: _Plan) -> list[Finding]:
    if p.status is None:
        return []
    today = p.today if p.today is not None else dt.date.today()
    limit = p.stale_after if p.stale_after is not None else p.rules.stale_status
    age = (today - p.status.date).days
    if age <= limit:
        return []
    return [
        Finding(
            "stale-status",
            "warning",
            "Stale status",
            f"The status date {p.status.date} is {age} days before {today}, more than {limit}: the "
            "forecast leaves out everything that has happened since.",
            (),
            "Record progress up to this week and move status.date.",
        )
    ]


def _non_working_actuals(p: _Plan) -> list[Finding]:
    """Actual dates on days the calendar does not work: counted from the next working day (a
    start) or to the one before (a finish), which a mistyped date makes silently wrong."""
    if p.status is None:
        return []
    cal = p.schedule.programme.calendar
    odd = []
    for tid, got in p.status.tasks:
        for what, day in (("started", got.start), ("finished", got.finish)):
            if day is not None and not cal.is_working_day(day):
                odd.append((tid, what, day))
    if not odd:
        return []
    words = "; ".join(f"{t} {what} on {day:%A} {day}" for t, what, day in odd)
    return [
        Finding(
            "non-working-actual",
            "warning",
            "Actual dates on non-working days",
            f"{words}. The forecast counts an actual start from the next working day and an actual "
            "finish to the working day before, so work recorded only on such days counts no time.",
            tuple(dict.fromkeys(t for t, _, _ in odd)),
            "Check these dates against the work: correct a mistyped date, or add the day to the "
            "calendar if the team really worked it (remove the closure, or choose another holiday region).",
        )
    ]


_PROGRESS_RULES: tuple[Callable[[_Plan], list[Finding]], ...] = (
    _overdue,
    _out_of_sequence,
    _stale,
    _non_working_actuals,
)


def _start_this_week(p: _Plan) -> tuple[StartItem, ...]:
    kinds = p.rules.groups["lead_time"] | p.rules.groups["long_poles"]
    week = p.s + p.rules.first_week  # the week after the status date, once work is tracked
    items = []
    for i, k in p.kinds.items():
        if k not in kinds or p.production(i) or _progress(p, i) is not None:
            continue
        es, ls = int(p.at(i, "es")), int(p.at(i, "ls"))
        waiting = any(int(p.at(pred, "ef")) > p.s for pred in p.graph.predecessors(i))
        items.append(
            StartItem(
                i,
                p.tasks[i].name,
                k,
                p.tasks[i].owner,
                es,
                ls,
                p.at(i, "start"),
                p.date(ls),
                int(p.at(i, "total_float")),
                es < week and not waiting,
            )
        )
    return tuple(sorted(items, key=lambda s: (s.ls, s.es, s.id)))


def check_plan(
    programme: Programme,
    schedule: Schedule | None = None,
    *,
    simulation: SimulationResult | None = None,
    today: dt.date | None = None,
    stale_after: int | None = None,
    source_age: int | None = None,
) -> HealthCheck:
    """Check ``programme`` against the Spine delivery properties and schedule quality.

    A programme with a status is checked as planned (its links, dates and estimates) and as
    forecast (floats, the target), and three progress rules join in: lead-time items overdue at
    the status date, progress out of sequence with the plan's links, and a stale status.

    Parameters
    ----------
    programme:
        The plan. Tasks are recognised by ``kind``; tasks without one by name or track.
    schedule:
        Its deterministic schedule, if already computed.
    simulation:
        Its Monte Carlo run, if already made; the P80-cost check uses its costs. Without one,
        a programme with costs and a budget is simulated for that check
        (:data:`COST_CHECK_ITERATIONS` iterations, seed :data:`COST_CHECK_SEED`).
    today:
        The day the check is made (default: today's date): for the stale-status rule, and for
        the source-age rule when the programme has no status (with one, ages count to its date).
    stale_after:
        Calendar days after which a status date is stale (default: ``stale_status_days`` in
        ``data/catalogue/health-check.yaml``).
    source_age:
        Calendar days after which a source that a critical task rests on is old (default:
        :data:`~spinekit.analysis.freshness.SOURCE_AGE_DAYS`, 365).

    Returns
    -------
    HealthCheck
        Findings (errors, then warnings, then notes) and the "start this week" list.

    Examples
    --------
    >>> from spinekit import example_path, read_programme
    >>> result = check_plan(read_programme(example_path()))
    >>> result.ok, [f.rule for f in result.errors]
    (True, [])
    >>> result.start_this_week[0].id
    'ods-code'
    """
    rules = _rules()
    sched = schedule if schedule is not None else schedule_programme(programme)
    planned = programme.planned if programme.planned is not None else programme
    kinds: dict[str, str | None] = {}
    inferred: dict[str, str] = {}
    for t in planned.tasks:
        kind, guessed = _kind_of(t, rules)
        kinds[t.id] = kind
        if guessed and kind is not None:  # an inferred kind is never None
            inferred[t.id] = kind
    plan = _Plan(
        planned,
        sched,
        rules,
        {t.id: t for t in planned.tasks},
        sched.table.set_index("id"),
        kinds,
        inferred,
        sched.graph if programme.planned is None else build_network(planned),
        programme.status,
        today,
        stale_after,
        simulation if simulation is not None and simulation.programme is programme else None,
        source_age,
    )
    findings = [f for rule in (*_RULES, *_PROGRESS_RULES) for f in rule(plan)]
    findings.sort(key=lambda f: SEVERITIES.index(f.severity))
    return HealthCheck(tuple(findings), _start_this_week(plan), programme.name)
