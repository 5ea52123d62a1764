"""Scenario presets: the common Spine planning pitfalls as changes to a programme.

The presets' descriptions, task selections and risk estimates live in
``data/catalogue/presets.yaml``; this module applies them. Tasks are recognised by their
catalogue ``kind`` (and ``track``), as scope expansion labels them; hand-written tasks take part
when they carry the same labels. A preset with nothing to change in a programme raises
:class:`~spinekit.NothingToChange`: its scenario is the plan as it is, with a note.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from spinekit.engine.network import ancestors, compile_programme, descendants
from spinekit.model.domain import ORGANISATION_ID, Dependency, Duration, Programme, Risk, Task
from spinekit.model.errors import NothingToChange, ProgrammeError, short_repr

__all__ = ["PRESETS", "PresetInfo", "preset_info"]


@dataclass(frozen=True)
class PresetInfo:
    """A preset's id, name and the plain-words description of what it models."""

    id: str
    name: str
    models: str
    settings: dict[str, Any]


@functools.cache
def _presets_data() -> dict[str, PresetInfo]:
    from spinekit.model.files import read_bundled

    raw, _ = read_bundled("catalogue/presets.yaml")
    return {
        pid: PresetInfo(pid, body["name"], " ".join(body["models"].split()), body)
        for pid, body in raw["presets"].items()
    }


def preset_info(preset_id: str) -> PresetInfo:
    """What the preset ``preset_id`` models (from the bundled presets file)."""
    return _presets_data()[preset_id]


def _fail(preset: str, message: str, programme: Programme) -> ProgrammeError:
    return ProgrammeError(f"preset {short_repr(preset)}: {message}", source=programme.source, field="scenarios")


def _with_link(task: Task, pred: str, kind: str = "FS", lag: int = 0) -> Task:
    if any(d.task == pred for d in task.depends_on):
        return task
    return dataclasses.replace(task, depends_on=(*task.depends_on, Dependency(pred, kind, lag)))


def _risk(spec: dict[str, Any], tasks: tuple[str, ...]) -> Risk:
    imp = spec["impact"]
    impact = Duration(float(imp["min"]), float(imp["likely"]), float(imp["max"]))
    return Risk(spec["id"], spec["name"], float(spec["probability"]), impact, tasks)


def _add_risk(programme: Programme, risk: Risk) -> tuple[Risk, ...]:
    """The programme's risks plus ``risk``, renamed if the programme already has that id."""
    rid = _unique_id(risk.id, {r.id for r in programme.risks})
    return (*programme.risks, dataclasses.replace(risk, id=rid))


def late_requests(programme: Programme) -> Programme:
    info = preset_info("late-requests")
    tasks = {t.id: t for t in programme.tasks}
    design = [t.id for t in programme.tasks if t.kind == "design" or t.id == "design"]
    if not design:
        raise _fail("late-requests", "needs a design task (kind: design) to wait for", programme)
    compile_programme(programme)  # checks the links as written: no task has been changed yet
    before_design = ancestors(programme, design) | set(design)
    tracks = set(info.settings["tracks"])
    moved = 0
    for t in programme.tasks:
        if t.track in tracks and t.environment != "production" and t.id not in before_design:
            for d in design:
                tasks[t.id] = _with_link(tasks[t.id], d)
            moved += 1
    if not moved:
        raise NothingToChange("no identity or network request outside production is raised before design")
    return dataclasses.replace(programme, tasks=tuple(tasks.values()))


def deferred_assurance(programme: Programme) -> Programme:
    info = preset_info("deferred-assurance")
    tasks = {t.id: t for t in programme.tasks}
    builds = [t.id for t in programme.tasks if t.track == "build" and t.kind != "design"]
    if not builds:
        raise _fail("deferred-assurance", "finds no build-track tasks to follow", programme)
    compile_programme(programme)  # checks the links as written: no task has been changed yet
    kinds = set(info.settings["kinds"])
    targets = [t.id for t in programme.tasks if t.kind in kinds]
    if not targets:
        raise _fail("deferred-assurance", f"finds no tasks of kind {', '.join(sorted(kinds))}", programme)
    for tid in targets:
        downstream = descendants(programme, [tid])  # the links as written
        for b in builds:
            if b != tid and b not in downstream:
                tasks[tid] = _with_link(tasks[tid], b)
    return dataclasses.replace(programme, tasks=tuple(tasks.values()))


def _unique_id(base: str, taken: Container[str]) -> str:
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def _hl7v3_from_scope(programme: Programme, rescope: Callable[..., tuple[Task, ...]]) -> Programme:
    """``programme`` with what its scope adds when every service that can falls back to HL7 V3."""
    try:
        wider = rescope(hl7v3_fallback=True)
    except ProgrammeError as exc:
        # Only one reason applies here (the scope's services have no HL7 V3 interface); the
        # scope error's own fix speaks to a file that asked for the fallback, which this did not.
        reason = exc.message.split(";")[0]
        raise NothingToChange(f"the scope cannot fall back to HL7 V3 ({reason})") from None
    tasks = {t.id: t for t in programme.tasks}
    added = [t.id for t in wider if t.id not in tasks]
    if not added:
        raise NothingToChange("every service in the scope that has an HL7 V3 interface already uses it")
    for t in wider:
        if t.id not in tasks:
            tasks[t.id] = t
            continue
        # Work already in the plan waits for the new route where the catalogue says it does
        # (conformance for the MHS, the Connection Agreement for CAP); its own links stay.
        for d in t.depends_on:
            if d.task in added:
                tasks[t.id] = _with_link(tasks[t.id], d.task, d.type, d.lag)
    return dataclasses.replace(programme, tasks=tuple(tasks.values()))


def hl7v3_surprise(programme: Programme) -> Programme:
    if programme.rescope is not None:
        return _hl7v3_from_scope(programme, programme.rescope)
    info = preset_info("hl7v3-surprise")
    tasks = {t.id: t for t in programme.tasks}
    design = [t.id for t in programme.tasks if t.kind == "design" or t.id == "design"]
    conformance = [t.id for t in programme.tasks if t.kind == "conformance"]
    scal = [t.id for t in programme.tasks if t.kind == "scal"]
    if not conformance or not scal:
        raise _fail("hl7v3-surprise", "needs conformance and scal tasks (kinds conformance, scal)", programme)
    on_v3 = [t.id for t in programme.tasks if t.kind in ("mhs-build", "hl7v3-route")]
    if on_v3:
        raise NothingToChange(f"the plan already has the HL7 V3 route ({', '.join(on_v3)}) and its assurance")
    route_id = _unique_id("hl7v3-route", tasks)
    route = Task(
        route_id,
        "HSCN, NHS DNS name, MHS endpoint and party key (if HL7 V3 is needed)",
        Duration.fixed(0),
        tuple(Dependency(d) for d in design),
        owner="supplier",
        kind="hl7v3-route",
        track="network",
        basis=f"preset hl7v3-surprise: {info.settings['risk']['basis']}",
    )
    tasks[route_id] = route
    cap_id = _unique_id("hl7v3-cap", tasks)
    cap = Task(
        cap_id,
        "Common Assurance Process for the HL7 V3 interface (if needed)",
        Duration.fixed(0),
        tuple(Dependency(c) for c in conformance),
        owner="NHS England",
        kind="cap-assurance",
        track="assurance",
        basis=f"preset hl7v3-surprise: {info.settings['risk']['basis']}",
    )
    tasks[cap_id] = cap
    for c in conformance:
        tasks[c] = _with_link(tasks[c], route_id)
    for s in scal:
        tasks[s] = _with_link(tasks[s], cap_id)
    risk = _risk(info.settings["risk"], (route_id, cap_id))
    return dataclasses.replace(programme, tasks=tuple(tasks.values()), risks=_add_risk(programme, risk))


def ptl_formality(programme: Programme) -> Programme:
    from spinekit.model.changes import prune_risks, remove_task

    info = preset_info("ptl-formality")
    tasks = {t.id: t for t in programme.tasks}
    skipped = [t.id for t in programme.tasks if t.kind in set(info.settings["kinds"])]
    if not skipped:
        raise NothingToChange("the plan has no validation in DEP (kind dep-validation) to skip")
    for tid in skipped:
        remove_task(tasks, tid)
    # What existed only for the validation goes with it: DEP identities, certificates and test
    # data would otherwise be inherited as predecessors of go-live.
    dep = {e.lower() for e in info.settings["environments"]}
    for tid in [t.id for t in programme.tasks if t.id in tasks and (t.environment or "").lower() in dep]:
        remove_task(tasks, tid)
    smoke = tuple(t.id for t in tasks.values() if t.kind == "smoke-test")
    if not smoke:
        raise _fail("ptl-formality", "needs a production smoke test (kind smoke-test) to carry the risk", programme)
    risk = _risk(info.settings["risk"], smoke)
    risks = prune_risks(_add_risk(programme, risk), tasks)
    return dataclasses.replace(programme, tasks=tuple(tasks.values()), risks=risks)


def eps_intake_queue(programme: Programme) -> Programme:
    from spinekit.catalogue.load import load_catalogue

    item = load_catalogue().item("eps-intake")
    tasks = {t.id: t for t in programme.tasks}
    basis = item.provenance.describe()
    intake = [t.id for t in programme.tasks if t.kind == "eps-intake"]
    if intake and all(tasks[i].duration == item.lead_time for i in intake):
        raise NothingToChange(
            f"the plan already waits for the EPS intake queue ({', '.join(intake)}, at the catalogue's lead time)"
        )
    if intake:
        for tid in intake:
            tasks[tid] = dataclasses.replace(tasks[tid], duration=item.lead_time, basis=basis)
        return dataclasses.replace(programme, tasks=tuple(tasks.values()))
    eps_builds = [t.id for t in programme.tasks if t.service == "eps" and t.track == "build"]
    if not eps_builds:
        raise NothingToChange("the plan has no EPS build work (service: eps, track: build) to queue")
    approvals = [t.id for t in programme.tasks if t.kind == "use-case-approval" and t.service == "eps"]
    new_id = _unique_id("eps-intake", tasks)
    tasks[new_id] = Task(
        new_id,
        item.name,
        item.lead_time,
        tuple(Dependency(a) for a in approvals),
        owner=item.owner,
        service="eps",
        kind="eps-intake",
        track=item.track,
        basis=basis,
    )
    for b in eps_builds:
        tasks[b] = _with_link(tasks[b], new_id)
    return dataclasses.replace(programme, tasks=tuple(tasks.values()))


def extra_organisation(programme: Programme) -> Programme:
    numbered = [(m.group("stem"), int(m.group("n")), t) for t in programme.tasks if (m := ORGANISATION_ID.match(t.id))]
    if not numbered:
        raise _fail("extra-organisation", "finds no per-organisation tasks (ids ending -org1, -org2 ...)", programme)
    last = max(n for _, n, _ in numbered)
    new = last + 1
    tasks = {t.id: t for t in programme.tasks}
    rename = {t.id: f"{stem}{new}" for stem, n, t in numbered if n == last}
    for new_id in rename.values():
        if new_id in tasks:
            raise _fail("extra-organisation", f"task id {short_repr(new_id)} already exists", programme)
    org_ids = {t.id for _, _, t in numbered}
    compile_programme(programme)  # checks the links as written: no task has been changed yet
    feeds_rollout = ancestors(programme, org_ids)
    for tid, t in list(tasks.items()):
        # Work that follows the organisations' rollouts (hypercare, closure) waits for the new
        # one too; work that feeds a rollout (a build needing an INT ASID) needs only the first.
        if tid not in org_ids and tid not in feeds_rollout:
            for d in t.depends_on:
                if d.task in rename:
                    t = _with_link(t, rename[d.task], d.type, d.lag)
            tasks[tid] = t
    for old, new_id in rename.items():
        t = tasks[old]
        deps = tuple(dataclasses.replace(d, task=rename.get(d.task, d.task)) for d in t.depends_on)
        name = re.sub(rf"\borganisation {last}\b", f"organisation {new}", t.name)
        rule = dataclasses.replace(t.rule, organisation=new) if t.rule and t.rule.organisation else t.rule
        tasks[new_id] = dataclasses.replace(t, id=new_id, name=name, depends_on=deps, rule=rule)
    return dataclasses.replace(programme, tasks=tuple(tasks.values()))


#: Preset id -> function from a programme to its variant.
PRESETS: dict[str, Callable[[Programme], Programme]] = {
    "late-requests": late_requests,
    "deferred-assurance": deferred_assurance,
    "hl7v3-surprise": hl7v3_surprise,
    "ptl-formality": ptl_formality,
    "eps-intake-queue": eps_intake_queue,
    "extra-organisation": extra_organisation,
}
