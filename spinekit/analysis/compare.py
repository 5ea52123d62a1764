"""Compare scenarios: schedule and simulate each variant on common random numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spinekit.catalogue.scenarios import BASELINE, apply_scenario, select_scenarios
from spinekit.engine.cost import deterministic_cost
from spinekit.engine.schedule import Schedule, schedule
from spinekit.model.domain import Programme, Risk, Scenario

if TYPE_CHECKING:
    from spinekit.engine.simulate import SimulationResult

__all__ = [
    "ScenarioResult",
    "Comparison",
    "compare",
    "select_scenarios",
    "changed_tasks",
    "changed_tasks_words",
    "BASELINE",
]


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """One scenario's programme, deterministic schedule and (optionally) simulation."""

    scenario: Scenario
    programme: Programme
    schedule: Schedule
    simulation: SimulationResult | None


@dataclass(frozen=True, eq=False)
class Comparison:
    """Scenarios side by side; the first is the reference for differences."""

    results: tuple[ScenarioResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``compare`` JSON document."""
        first = self.results[0]
        out = []
        for r in self.results:
            entry: dict[str, Any] = {"id": r.scenario.id, "name": r.scenario.name}
            if r.scenario.note is not None:
                entry["note"] = r.scenario.note
            entry["deterministic"] = {
                "finish_offset": r.schedule.finish_offset,
                "finish_date": r.schedule.finish_date.isoformat(),
            }
            costed = r.programme.has_costs
            if costed:
                entry["deterministic"]["cost"] = round(deterministic_cost(r.schedule).total, 2) + 0.0
            if r.simulation is not None:
                sim = r.simulation.to_dict()
                entry["finish_offset"] = sim["finish_offset"]
                entry["finish_date"] = sim["finish_date"]
                entry["on_time_probability"] = sim.get("on_time_probability")
                if "cost" in sim:
                    entry["cost"] = sim["cost"]
                    entry["joint_confidence"] = sim["joint_confidence"]
                    entry["cost_drivers"] = sim["cost_drivers"]
            entry["critical_path"] = r.schedule.critical_path
            entry["difference"] = _difference(first, r)
            entry["changed_tasks"] = changed_tasks(first.programme, r.programme)
            out.append(entry)
        doc: dict[str, Any] = {"programme": first.programme.name}
        if first.simulation is not None:
            doc["iterations"] = first.simulation.iterations
            doc["seed"] = first.simulation.seed
        doc["scenarios"] = out
        return doc

    def to_text(self) -> str:
        """A table for people: one row per scenario, differences against the first."""
        import pandas as pd

        # One document for the table and the notes below it: its critical paths and changed
        # tasks are the costly parts, so they are not worked out a second time.
        entries = self.to_dict()["scenarios"]
        rows = []
        for entry in entries:
            diff = entry["difference"]
            row = {
                "scenario": entry["id"],
                "finish": entry["deterministic"]["finish_date"],
                "vs first (working days)": diff["deterministic_working_days"],
                "vs first (weeks)": diff["deterministic_calendar_weeks"],
            }
            if "finish_date" in entry:
                fd = entry["finish_date"]
                row |= {
                    "P50": fd["p50"],
                    "P80": fd["p80"],
                    "P90": fd["p90"],
                    "P80 vs first (working days)": diff["p80_working_days"],
                }
                if entry.get("on_time_probability") is not None:
                    row["on time"] = f"{entry['on_time_probability']:.0%}"
            if "cost" in entry["deterministic"]:
                row["cost"] = f"{entry['deterministic']['cost']:,.0f}"
            if "cost" in entry:
                row["P80 cost"] = f"{entry['cost']['p80']:,.0f}"
                if "p80_cost" in diff:
                    row["P80 cost vs first"] = f"{diff['p80_cost']:+,.0f}"
                if entry["cost"]["within_budget_probability"] is not None:
                    row["within budget"] = f"{entry['cost']['within_budget_probability']:.0%}"
                if entry["joint_confidence"] is not None:
                    row["joint confidence"] = f"{entry['joint_confidence']:.0%}"
            rows.append(row)
        first = self.results[0]
        head = f"{first.programme.name}\n"
        if first.simulation is not None:
            head += f"{first.simulation.iterations:,} iterations per scenario, seed {first.simulation.seed}\n"
        notes = []
        for k, (r, entry) in enumerate(zip(self.results, entries)):
            changes = (
                _changes_words(entry["changed_tasks"], first.programme, r.programme) if k else "reference scenario"
            )
            note = f"\n    note: {r.scenario.note}" if r.scenario.note is not None else ""
            notes.append(
                f"  {r.scenario.id}: {r.scenario.name}\n"
                f"    critical path: {' -> '.join(entry['critical_path'])}\n"
                f"    changes: {changes}{note}"
            )
        names = "\n".join(notes)
        table: str = pd.DataFrame(rows).to_string(index=False)
        return head + "\n" + table + "\n\n" + names + "\n"


def _difference(first: ScenarioResult, r: ScenarioResult) -> dict[str, float]:
    cal = first.programme.calendar
    d0, d1 = first.schedule.finish_date, r.schedule.finish_date
    diff = {
        "deterministic_working_days": cal.working_days_between(d0, d1),
        "deterministic_calendar_weeks": round((d1 - d0).days / 7, 1),
    }
    if first.simulation is not None and r.simulation is not None:
        p0, p1 = first.simulation.finish_date["p80"], r.simulation.finish_date["p80"]
        diff["p80_working_days"] = cal.working_days_between(p0, p1)
        diff["p80_calendar_weeks"] = round((p1 - p0).days / 7, 1)
        c0, c1 = first.simulation.cost, r.simulation.cost
        if c0 is not None and c1 is not None:
            diff["p80_cost"] = round(c1.summary["p80"] - c0.summary["p80"], 2) + 0.0
    if first.programme.has_costs and r.programme.has_costs:
        cost0 = deterministic_cost(first.schedule).total
        diff["deterministic_cost"] = round(deterministic_cost(r.schedule).total - cost0, 2) + 0.0
    return diff


def changed_tasks(base: Programme, variant: Programme) -> dict[str, Any]:
    """What ``variant`` changes from ``base``: task ids added, removed and changed (duration,
    links or dates), and the risks whose events differ.

    ``risks`` lists one entry per risk added, removed or changed: ``{"risk": id}`` with
    ``"added": true`` or ``"removed": true``, or each changed field (``probability``,
    ``impact``, ``tasks``) as a ``[before, after]`` pair.
    """
    a = {t.id: t for t in base.tasks}
    b = {t.id: t for t in variant.tasks}
    return {
        "added": [i for i in b if i not in a],
        "removed": [i for i in a if i not in b],
        "changed": [i for i in a if i in b and a[i] != b[i]],
        "risks": _changed_risks(base, variant),
    }


def _risk_fields(r: Risk) -> dict[str, Any]:
    d = r.impact
    impact: Any = d.likely if d.is_fixed else {"min": d.min, "likely": d.likely, "max": d.max}
    return {"probability": r.probability, "impact": impact, "tasks": list(r.tasks)}


def _changed_risks(base: Programme, variant: Programme) -> list[dict[str, Any]]:
    a = {r.id: r for r in base.risks}
    b = {r.id: r for r in variant.risks}
    out: list[dict[str, Any]] = []
    for rid, risk in a.items():
        if rid not in b:
            out.append({"risk": rid, "removed": True})
        elif risk != b[rid]:
            before, after = _risk_fields(risk), _risk_fields(b[rid])
            out.append({"risk": rid} | {k: [before[k], after[k]] for k in before if before[k] != after[k]})
    out += [{"risk": rid, "added": True} | _risk_fields(r) for rid, r in b.items() if rid not in a]
    return out


def changed_tasks_words(base: Programme, variant: Programme) -> str:
    """What a variant changes, in words: the tasks added, removed and changed, by name, and its risks."""
    return _changes_words(changed_tasks(base, variant), base, variant)


def _changes_words(diff: dict[str, Any], base: Programme, variant: Programme) -> str:
    """:func:`changed_tasks_words` for a :func:`changed_tasks` result already at hand."""
    names = {t.id: t.name for t in (*base.tasks, *variant.tasks)}
    parts = [
        f"{label}: {', '.join(names[i] for i in diff[key])}."
        for key, label in (("added", "Added"), ("removed", "Removed"), ("changed", "Changed"))
        if diff[key]
    ]
    risk_names = {r.id: r.name for r in (*base.risks, *variant.risks)}
    risks = [_risk_words(entry, risk_names[entry["risk"]]) for entry in diff.get("risks", [])]
    if risks:
        parts.append(f"Risks: {'; '.join(risks)}.")
    return " ".join(parts) if parts else "No task changes."


def _risk_words(entry: dict[str, Any], name: str) -> str:
    if entry.get("removed"):
        return f"{name} removed"
    if entry.get("added"):
        return f"{name} added (probability {entry['probability']:.0%})"
    said = []
    if "probability" in entry:
        was, now = entry["probability"]
        said.append(f"probability {was:.0%} to {now:.0%}")
    if "impact" in entry:
        said.append(f"impact {_days(entry['impact'][0])} to {_days(entry['impact'][1])}")
    if "tasks" in entry:
        said.append(f"tasks {', '.join(entry['tasks'][1])}")
    return f"{name} {', '.join(said)}"


def _days(impact: Any) -> str:
    if isinstance(impact, dict):
        return f"{impact['min']:g}-{impact['likely']:g}-{impact['max']:g} days"
    return f"{impact:g} days"


def compare(
    programme: Programme,
    scenarios: list[str] | None = None,
    *,
    iterations: int | None = 10_000,
    seed: int | None = None,
    reuse: SimulationResult | None = None,
) -> Comparison:
    """Schedule (and, unless ``iterations`` is None, simulate) each scenario.

    Every scenario is simulated with the same seed. Random numbers are drawn per task and per
    risk id, so a task a scenario leaves unchanged gets the same durations in every scenario,
    and differences between scenarios are the changes, not sampling noise.

    ``reuse`` is a :class:`SimulationResult` already run with the same iterations and seed; a
    scenario whose programme is that result's programme takes it instead of running again.
    """
    from spinekit.engine.simulate import _resolve_seed, simulate

    chosen = select_scenarios(programme, scenarios)
    if iterations is not None:
        seed = _resolve_seed(seed, None)
    results = []
    for sc in chosen:
        variant = apply_scenario(programme, sc)
        # Scheduled once: the simulation takes this schedule rather than computing its own.
        sched = schedule(variant)
        if iterations is None:
            sim = None
        elif reuse is not None and reuse.programme == variant and reuse.iterations == iterations and reuse.seed == seed:
            sim = reuse
        else:
            sim = simulate(variant, iterations, seed=seed, schedule=sched)
        results.append(ScenarioResult(sc, variant, sched, sim))
    return Comparison(tuple(results))
