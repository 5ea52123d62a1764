"""An existing plan with the Spine lead-time and assurance items of a scope added to it.

A supplier's plan already has its own build and go-live. :func:`merge_plan` expands a scope with
the catalogue, drops the scope's own build (``build``) and go-live (``go-live``) tasks, and lets
the plan's build and go-live tasks stand in for them: what the catalogue says gates a build
becomes a predecessor of the plan's build task, what gates go-live a predecessor of its go-live
task, and generated work that waits for a build or a go-live (conformance, the pen test,
hypercare) waits for the plan's task instead. The plan's own tasks keep their names,
durations, dates and links; its build and go-live tasks only gain predecessors, and the
``kind`` and ``environment`` (and ``service``, when they stand in for one service's build) of
what they stand in for where they have none.

Merging is pure: it takes programme-file data (as ``spinekit import`` or a programme YAML
gives it) and returns programme-file data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from spinekit.catalogue.kinds import catalogue_kinds, plain_name
from spinekit.catalogue.load import Catalogue
from spinekit.catalogue.scope import Scope, expand_scope
from spinekit.model.domain import Dependency, Task
from spinekit.model.errors import ProgrammeError, did_you_mean

__all__ = ["MergedPlan", "merge_plan", "JOINS"]

#: The catalogue items a plan's own tasks stand in for, with the ``spinekit new`` flag naming each,
#: and words that make a task a likely candidate when none is named.
JOINS = {
    "build": ("--build-task", ("build", "develop", "implement")),
    "go-live": ("--go-live-task", ("go-live", "go live", "live", "launch", "cutover", "cut-over")),
}
#: What a generated task whose id an imported task already has is renamed to: ``<id>-spine``.
SUFFIX = "-spine"
_LISTED = 8


@dataclass(frozen=True)
class MergedPlan:
    """The merged programme-file data and what the merge did.

    ``joins`` maps each generated build and go-live task to the plan's task that stands in for
    it; ``added`` lists each of the plan's tasks with the predecessors the merge gave it;
    ``renamed`` maps a generated id that an imported task already had to its new id; ``notes``
    says where an imported task has the kind of a generated one (the same work may be planned
    twice).
    """

    data: dict[str, Any]
    joins: dict[str, str] = field(default_factory=dict)
    added: dict[str, list[str]] = field(default_factory=dict)
    tagged: dict[str, dict[str, str]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _listing(entries: Sequence[Mapping[str, Any]]) -> str:
    shown = [f"{e['id']} ({e.get('name') or e['id']})" for e in entries[:_LISTED]]
    more = f" and {len(entries) - _LISTED} more" if len(entries) > _LISTED else ""
    return ", ".join(shown) + more


def _candidates(kind: str, tasks: Sequence[Mapping[str, Any]], kinds: Mapping[str, str | None]) -> list[Any]:
    """The plan's tasks that are ``kind`` by the import rule: tagged so, or named as that one item."""
    return [t for t in tasks if t.get("kind") == kind or kinds.get(plain_name(str(t.get("name") or ""))) == kind]


def _joins(
    kind: str,
    values: Sequence[str],
    generated: Sequence[str],
    tasks: Sequence[Mapping[str, Any]],
    kinds: Mapping[str, str | None],
    source: str | None,
) -> dict[str, str]:
    """Each generated ``kind`` task's stand-in in the plan, from the flag ``values`` or by name."""
    flag, words = JOINS[kind]
    ids = [str(t["id"]) for t in tasks]
    default: str | None = None
    chosen: dict[str, str] = {}
    for value in values:
        left, sep, right = value.rpartition("=")
        target = right.strip()
        if target not in ids:
            hint = did_you_mean(target, ids, f"the plan's tasks are {_listing(tasks)}")
            raise ProgrammeError(f"{flag} {value}: no task {target!r} in the plan; {hint}", source=source, field=flag)
        if not sep:
            default = target
            continue
        if left not in generated:
            hint = did_you_mean(left, generated, f"the scope's {kind} tasks are {', '.join(generated)}")
            raise ProgrammeError(
                f"{flag} {value}: the scope has no {kind} task {left!r}; {hint}", source=source, field=flag
            )
        chosen[left] = target
    if not values:
        found = _candidates(kind, tasks, kinds)
        if len(found) == 1:
            default = str(found[0]["id"])
        elif found:
            raise ProgrammeError(
                f"{len(found)} tasks are named as the catalogue's {kind} item: {_listing(found)}; "
                f"choose one with {flag} ID",
                source=source,
                field=flag,
            )
        else:
            likely = [t for t in tasks if any(w in str(t.get("name") or t["id"]).lower() for w in words)]
            raise ProgrammeError(
                f"no task is named as the catalogue's {kind} item; name the plan's {kind} task with {flag} ID "
                f"({'likely: ' + _listing(likely) if likely else 'its tasks are ' + _listing(tasks)})",
                source=source,
                field=flag,
            )
    missing = [g for g in generated if g not in chosen and default is None]
    if missing:
        raise ProgrammeError(
            f"no task of the plan stands in for {', '.join(missing)}; add {flag} ID (for all) or "
            f"{flag} {missing[0]}=ID",
            source=source,
            field=flag,
        )
    return {g: chosen.get(g, default) or "" for g in generated}


def _entry(task: Task, links: Sequence[Dependency]) -> dict[str, Any]:
    """A generated task as a programme file's task entry."""
    d = task.duration
    duration: Any = _days(d.likely)
    if d.min != d.max:
        duration = {"min": _days(d.min), "likely": duration, "max": _days(d.max)}
        if d.dist != "pert":
            duration["dist"] = d.dist
    entry: dict[str, Any] = {"id": task.id, "name": task.name, "duration": duration}
    if links:
        entry["depends_on"] = [_link(dep) for dep in links]
    for key in ("owner", "service", "environment", "kind", "track", "basis"):
        value = getattr(task, key)
        if value is not None:
            entry[key] = value
    if task.rule is not None:
        entry["rule"] = {k: v for k, v in task.rule.to_dict().items() if v not in (None, [])}
    return entry


def _days(value: float) -> int | float:
    """Whole days as an integer, as a planner writes them."""
    return int(value) if float(value).is_integer() else value


def _link(dep: Dependency) -> str | dict[str, Any]:
    if dep.type == "FS" and dep.lag == 0:
        return dep.task
    link: dict[str, Any] = {"task": dep.task}
    if dep.type != "FS":
        link["type"] = dep.type
    if dep.lag:
        link["lag"] = dep.lag
    return link


def _linked_task(value: Any) -> str:
    return str(value["task"] if isinstance(value, Mapping) else value)


def merge_plan(
    plan: Mapping[str, Any],
    scope: Scope,
    *,
    build: Sequence[str] = (),
    go_live: Sequence[str] = (),
    catalogue: Catalogue | None = None,
    source: str | None = None,
) -> MergedPlan:
    """``plan`` with the tasks of ``scope`` added, linked into its build and go-live tasks.

    Parameters
    ----------
    plan:
        Programme-file data with hand-written ``tasks`` (an imported plan); not changed.
    scope:
        The Spine services and options whose lead-time and assurance items are added.
    build, go_live:
        ``ID`` (the plan's task that stands in for every generated one) or ``GENERATED=ID``
        (for one generated task, such as ``build-pds=dev-pds``). Empty: the one task of the
        plan named as the catalogue's item, by the rule ``spinekit import`` tags kinds by.
    catalogue:
        The Spine catalogue (default: spinekit's bundled one).
    source:
        The plan's file, for error messages.

    Raises
    ------
    ProgrammeError
        The plan has a scope of its own or no tasks; a flag names a task that does not exist;
        no task, or more than one, is named as the build or go-live item. The message names
        the file and the flag, and lists the candidates.

    Examples
    --------
    >>> plan = {"name": "p", "start": "2027-01-04", "tasks": [
    ...     {"id": "dev", "name": "Development", "duration": 40},
    ...     {"id": "live", "name": "Launch", "duration": 0, "depends_on": ["dev"]}]}
    >>> merged = merge_plan(plan, Scope(services=("pds",)), build=["dev"], go_live=["live"])
    >>> merged.joins  # PDS for healthcare workers brings CIS2 and its build
    {'build-pds': 'dev', 'build-cis2': 'dev', 'go-live-org1': 'live'}
    >>> "api-application-pds-int" in merged.added["dev"]
    True
    """
    if catalogue is None:
        from spinekit.catalogue.load import load_catalogue

        catalogue = load_catalogue()
    if "scope" in plan:
        raise ProgrammeError(
            "the plan already has a scope, which generates the Spine items; add the services to its scope instead",
            source=source,
            field="scope",
        )
    raw_tasks = plan.get("tasks")
    if not isinstance(raw_tasks, list) or not raw_tasks or not all(isinstance(t, Mapping) for t in raw_tasks):
        raise ProgrammeError("the plan has no tasks to merge with; give a list of tasks", source=source, field="tasks")
    imported = [{**t, "id": str(t.get("id"))} for t in raw_tasks]
    kinds = catalogue_kinds(catalogue)
    generated = expand_scope(scope, catalogue)

    stand_in: dict[str, str] = {}
    for kind, values in (("build", build), ("go-live", go_live)):
        ids = [t.id for t in generated if t.kind == kind]
        stand_in |= _joins(kind, values, ids, imported, kinds, source)

    taken = {t["id"] for t in imported}
    renamed: dict[str, str] = {}
    for t in generated:
        if t.id in stand_in or t.id not in taken:
            continue
        new, n = f"{t.id}{SUFFIX}", 1
        while new in taken or any(g.id == new for g in generated):
            n += 1
            new = f"{t.id}{SUFFIX}-{n}"
        renamed[t.id] = new
        taken.add(new)

    def mapped(dep: Dependency, own: str) -> Dependency | None:
        target = stand_in.get(dep.task) or renamed.get(dep.task, dep.task)
        return None if target == own else Dependency(target, dep.type, dep.lag)

    def unique(links: Sequence[Dependency | None], have: Sequence[str] = ()) -> list[Dependency]:
        seen, out = set(have), []
        for link in links:
            if link is not None and link.task not in seen:
                seen.add(link.task)
                out.append(link)
        return out

    added: dict[str, list[Dependency | None]] = {}
    for t in generated:
        if t.id in stand_in:
            own = stand_in[t.id]
            added.setdefault(own, []).extend(mapped(dep, own) for dep in t.depends_on)
    # A stand-in takes the kind, environment and service of what it stands in for, where it has
    # none, so that the health check knows the plan's build and go-live.
    tags: dict[str, dict[str, str]] = {}
    for target in dict.fromkeys(stand_in.values()):
        standing = [t for t in generated if stand_in.get(t.id) == target]
        for key in ("kind", "environment", "service"):
            shared = {getattr(t, key) for t in standing}
            if len(shared) == 1 and None not in shared:
                tags.setdefault(target, {})[key] = shared.pop()
    tasks: list[dict[str, Any]] = []
    gained: dict[str, list[str]] = {}
    tagged: dict[str, dict[str, str]] = {}
    for entry in imported:
        new_tags = {k: v for k, v in tags.get(entry["id"], {}).items() if not entry.get(k)}
        if new_tags:
            entry = {**entry, **new_tags}
            tagged[entry["id"]] = new_tags
        if entry["id"] in added:
            have = [_linked_task(d) for d in entry.get("depends_on") or []]
            extra = unique(added[entry["id"]], have)
            if extra:
                entry = {**entry, "depends_on": [*(entry.get("depends_on") or []), *(_link(d) for d in extra)]}
                gained[entry["id"]] = [d.task for d in extra]
        tasks.append(entry)
    for t in generated:
        if t.id in stand_in:
            continue
        own = renamed.get(t.id, t.id)
        links = unique([mapped(dep, own) for dep in t.depends_on])
        tasks.append(_entry(replace(t, id=own), links))

    generated_kinds = {t.kind for t in generated if t.id not in stand_in}
    notes = [
        f"task {e['id']!r} is a {e['kind']} item, and the scope adds {e['kind']} tasks too: "
        "check the same work is not planned twice"
        for e in imported
        if e.get("kind") in generated_kinds
    ]
    return MergedPlan({**plan, "tasks": tasks}, stand_in, gained, tagged, renamed, notes)
