"""Plain-words summaries of a schedule and its risk, for steering groups and reports."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from spinekit.analysis.freshness import cited_sources
from spinekit.engine.schedule import Schedule
from spinekit.model.domain import Programme

if TYPE_CHECKING:
    from spinekit.analysis.check import HealthCheck
    from spinekit.analysis.compare import Comparison
    from spinekit.engine.simulate import SimulationResult

__all__ = [
    "critical_path_words",
    "steering_summary_html",
    "finish_dates",
    "top_risks",
    "top_drivers",
    "assumptions",
    "cost_assumptions",
    "cost_summary",
    "scenario_table",
    "findings_table",
    "sources_cited",
    "scenario_summary",
    "start_this_week_table",
    "health_lines",
    "start_now_lines",
]


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _weeks(days: int) -> str:
    w = days / 5
    return f"{w:.0f} weeks" if w >= 2 else f"{days} working days"


def critical_path_words(sched: Schedule, *, limit: int = 12) -> str:
    """The critical path as a sentence, e.g. "ODS code (10 days), then ...".

    A path longer than ``limit`` tasks is summarised: its first three tasks, how many come
    between with the three longest of them, its last three, and the count.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Duration, Dependency, Task, Programme, WorkingCalendar, schedule
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4)), (
    ...     Task("a", "Request ASID", Duration.fixed(3)),
    ...     Task("b", "Go live", Duration.fixed(0), (Dependency("a"),))))
    >>> critical_path_words(schedule(p))
    'Request ASID (3 days), then Go live (milestone, 2027-01-07).'
    """
    t = sched.table.set_index("id")
    path = sched.critical_path

    def words(tid: str) -> str:
        d = int(t.at[tid, "duration"])
        label = f"milestone, {t.at[tid, 'start']}" if d == 0 else f"{d} day{'s' if d != 1 else ''}"
        return f"{t.at[tid, 'name']} ({label})"

    if not path:
        return "No critical path."
    if len(path) <= limit:
        return ", then ".join(map(words, path)) + "."
    middle = path[3:-3]
    longest = sorted(middle, key=lambda tid: -int(t.at[tid, "duration"]))[:3]
    longest_in_order = [tid for tid in middle if tid in longest]
    return (
        ", then ".join(map(words, path[:3]))
        + f", then {len(middle):,} more tasks (the longest: {', '.join(map(words, longest_in_order))}), then "
        + ", then ".join(map(words, path[-3:]))
        + f". {len(path):,} tasks in all."
    )


def finish_dates(simulation: SimulationResult) -> list[dt.date]:
    """Each iteration's finish as a date: the date of working day ceil(F) - 1."""
    from spinekit.engine.simulate import _finish_index

    cal = simulation.programme.calendar
    idx = np.asarray(_finish_index(simulation.finish), dtype=np.int64)
    return cal.dates_of(idx)


def top_risks(simulation: SimulationResult, n: int = 5) -> pd.DataFrame:
    """Risk events by how much they add to P80 (working days), largest first."""
    risks = {r.id: r for r in simulation.programme.risks}
    rows = [
        {
            "risk": rid,
            "name": risks[rid].name,
            "probability": risks[rid].probability,
            "tasks": ", ".join(risks[rid].tasks),
            "days_added_to_p80": round(days, 1),
        }
        for rid, days in simulation.risk_drivers.items()
    ]
    frame = pd.DataFrame(rows, columns=["risk", "name", "probability", "tasks", "days_added_to_p80"])
    return frame.sort_values("days_added_to_p80", ascending=False, kind="stable").head(n).reset_index(drop=True)


def top_drivers(simulation: SimulationResult, n: int = 8) -> pd.DataFrame:
    """Tasks whose duration most drives the finish (Spearman), with how often they are critical."""
    names = {t.id: t.name for t in simulation.programme.tasks}
    rows = [
        {
            "task": tid,
            "name": names[tid],
            "sensitivity": round(rho, 3),
            "criticality": round(simulation.criticality[tid], 3),
        }
        for tid, rho in simulation.sensitivity.items()
    ]
    frame = pd.DataFrame(rows, columns=["task", "name", "sensitivity", "criticality"])
    order = frame["sensitivity"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].head(n).reset_index(drop=True)


def assumptions(programme: Programme) -> pd.DataFrame:
    """Every task's lead time (min / likely / max, distribution) with its owner and provenance."""
    rows = []
    for t in programme.tasks:
        d = t.duration
        rows.append(
            {
                "task": t.id,
                "name": t.name,
                "owner": t.owner or "",
                "min": _number(d.min),
                "likely": _number(d.likely),
                "max": _number(d.max),
                "distribution": "fixed" if d.is_fixed else d.dist,
                "basis": t.basis or "not stated",
            }
        )
    return pd.DataFrame(rows)


def cost_assumptions(programme: Programme) -> pd.DataFrame:
    """Every cost input: day rates, standing costs, fixed task costs and risk cost impacts, with bases.

    One row per input; ``per`` says what an amount is for (a working day of the task or of the
    programme, the task, or an occurrence of the risk), and ``basis`` where it comes from.
    """
    rows = []

    def add(item: str, name: str, kind: str, per: str, low: float, likely: float, high: float, basis: Any) -> None:
        rows.append(
            {
                "item": item,
                "name": name,
                "kind": kind,
                "min": _number(low),
                "likely": _number(likely),
                "max": _number(high),
                "per": per,
                "basis": basis or "not stated",
            }
        )

    used: dict[str, list[str]] = {}
    for t in programme.tasks:
        for a in t.resources:
            used.setdefault(a.resource, []).append(t.id)
    for r in programme.resources:
        tasks = used.get(r.id, [])
        kind = f"day rate ({len(tasks)} task{'s' if len(tasks) != 1 else ''})"
        add(r.id, r.name, kind, "working day of a task", r.rate, r.rate, r.rate, r.basis)
    for standing in programme.standing_costs:
        rate = standing.rate
        add("", standing.name, "standing cost", "working day of the programme", rate, rate, rate, standing.basis)
    for t in programme.tasks:
        if t.cost is not None:
            add(t.id, t.name, "fixed cost", "task", t.cost.min, t.cost.likely, t.cost.max, t.cost_basis)
    for k in programme.risks:
        if k.cost_impact is not None:
            c = k.cost_impact
            kind = f"risk cost ({k.probability:.0%} likely)"
            add(k.id, k.name, kind, "occurrence", c.min, c.likely, c.max, None)
    return pd.DataFrame(rows, columns=["item", "name", "kind", "min", "likely", "max", "per", "basis"])


def cost_summary(simulation: SimulationResult) -> pd.DataFrame:
    """The cost beside the date: the plan, P50, P80 and P90 of each, then the target and budget.

    The last row's ``chance`` gives the joint confidence (finishing by the target and within
    the budget) and the two chances on their own. Empty when the programme has no costs.
    """
    columns = ["measure", "date", "cost", "chance"]
    cost = simulation.cost
    if cost is None:
        return pd.DataFrame(columns=columns)
    money = f"{cost.currency} {{:,.0f}}"
    rows: list[dict[str, Any]] = [
        {
            "measure": "Plan (deterministic)",
            "date": simulation.deterministic_date,
            "cost": money.format(cost.deterministic.total),
            "chance": "",
        }
    ]
    for q in ("p50", "p80", "p90"):
        rows.append(
            {
                "measure": q.upper(),
                "date": simulation.finish_date[q],
                "cost": money.format(cost.summary[q]),
                "chance": f"{q[1:]}% each",
            }
        )
    p = simulation.programme
    if p.target is not None or p.budget is not None:
        parts = []
        if cost.joint_confidence is not None:
            parts.append(f"both {cost.joint_confidence:.0%}")
        if simulation.on_time_probability is not None:
            parts.append(f"date {simulation.on_time_probability:.0%}")
        if cost.within_budget_probability is not None:
            parts.append(f"cost {cost.within_budget_probability:.0%}")
        rows.append(
            {
                "measure": "Target and budget",
                "date": p.target if p.target is not None else "",
                "cost": money.format(p.budget) if p.budget is not None else "",
                "chance": ", ".join(parts),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def scenario_table(comparison: Comparison) -> pd.DataFrame:
    """One row per scenario: name, deterministic and simulated finishes, differences, on time.

    With costs, also each scenario's P80 cost and joint confidence; where a preset had nothing
    to change, a ``note`` saying why.
    """
    from spinekit.analysis.compare import _difference

    first = comparison.results[0]
    rows = []
    for r in comparison.results:
        row = {
            "scenario": r.scenario.name,
            "id": r.scenario.id,
            "deterministic": r.schedule.finish_date,
            "difference_working_days": _difference(first, r)["deterministic_working_days"],
        }
        if r.scenario.note is not None:
            row["note"] = r.scenario.note
        if r.simulation is not None:
            row |= {k: r.simulation.finish_date[k] for k in ("p50", "p80", "p90")}
            row["on_time_probability"] = r.simulation.on_time_probability
            cost = r.simulation.cost
            if cost is not None:
                row["p80_cost"] = cost.summary["p80"]
                row["joint_confidence"] = cost.joint_confidence
        rows.append(row)
    return pd.DataFrame(rows)


def steering_summary_html(
    sched: Schedule,
    simulation: Mapping[str, Any] | None = None,
    *,
    risks: pd.DataFrame | None = None,
    findings: list[tuple[str, str]] | None = None,
    start_now: list[str] | None = None,
) -> str:
    """The report's one-page summary as escaped HTML.

    ``simulation`` is the ``simulate`` JSON document (:meth:`SimulationResult.to_dict`);
    ``risks`` a :func:`top_risks` table; ``findings`` (severity, text) pairs from the health
    check; ``start_now`` the lead-time items to start this week, in words.
    """
    p = sched.programme
    e = html.escape
    rows = [
        ("Start", str(p.calendar.day0)),
        (
            "Deterministic finish",
            f"{sched.finish_date} ({sched.finish_offset} working days, {_weeks(sched.finish_offset)})",
        ),
    ]
    if p.target is not None:
        rows.append(("Target", str(p.target)))
    if simulation:
        fd = simulation["finish_date"]
        rows.append(("P50 finish", fd["p50"]))
        rows.append(("P80 finish", fd["p80"]))
        rows.append(("P90 finish", fd["p90"]))
        if simulation.get("on_time_probability") is not None:
            rows.append(("Probability of meeting the target", f"{simulation['on_time_probability']:.0%}"))
        cost = simulation.get("cost")
        if cost is not None:
            money = f"{cost['currency']} {{:,.0f}}"
            rows.append(("Deterministic cost", money.format(cost["deterministic"])))
            rows.append(("P50 cost", money.format(cost["p50"])))
            rows.append(("P80 cost", money.format(cost["p80"])))
            if cost["budget"] is not None:
                within = cost["within_budget_probability"]
                rows.append(("Budget", f"{money.format(cost['budget'])} ({within:.0%} chance of staying within it)"))
            if simulation.get("joint_confidence") is not None:
                rows.append(("Joint confidence (target and budget)", f"{simulation['joint_confidence']:.0%}"))
        rows.append(("Simulation", f"{simulation['iterations']:,} iterations, seed {simulation['seed']}"))
    body = "".join(f"<tr><th>{e(k)}</th><td data-key='{e(k)}'>{e(v)}</td></tr>" for k, v in rows)
    parts = [
        f'<table class="spinekit-summary">{body}</table>',
        f"<h3>Critical path</h3><p>{e(critical_path_words(sched))}</p>",
    ]
    if risks is not None and len(risks):
        items = "".join(
            f"<li>{e(r['name'])} ({r['probability']:.0%} likely): adds {r['days_added_to_p80']:g} "
            f"working day{'' if r['days_added_to_p80'] == 1 else 's'} to P80</li>"
            for r in risks.to_dict("records")
        )
        parts.append(f"<h3>Top risks</h3><ul>{items}</ul>")
    if findings is not None:
        items = "".join(f"<li><strong>{e(sev)}</strong>: {e(text)}</li>" for sev, text in findings)
        parts.append(f"<h3>Plan health check</h3><ul>{items or '<li>No problems found.</li>'}</ul>")
    if start_now:
        items = "".join(f"<li>{e(s)}</li>" for s in start_now)
        parts.append(f"<h3>Start this week</h3><ul>{items}</ul>")
    return "".join(parts)


def findings_table(health: HealthCheck) -> pd.DataFrame:
    """The health check's findings as a table, errors first."""
    rows = [
        {
            "severity": f.severity,
            "rule": f.rule,
            "finding": f.title,
            "detail": f.message,
            "tasks": ", ".join(f.tasks),
            "fix": f.fix,
        }
        for f in health.findings
    ]
    return pd.DataFrame(rows, columns=["severity", "rule", "finding", "detail", "tasks", "fix"])


def start_this_week_table(health: HealthCheck) -> pd.DataFrame:
    """Lead-time items by latest start, with their float and whether they can start now."""
    rows = [
        {
            "task": s.id,
            "name": s.name,
            "owner": s.owner or "",
            "earliest start": s.start,
            "latest start": s.latest_start,
            "float (working days)": s.total_float,
            "can start now": "yes" if s.can_start_now else "",
        }
        for s in health.start_this_week
    ]
    return pd.DataFrame(rows)


def health_lines(health: HealthCheck, *, limit: int = 8) -> list[tuple[str, str]]:
    """(severity, text) pairs for the summary: errors and warnings, or a clean bill of health."""
    serious = [f for f in health.findings if f.severity in ("error", "warning")]
    lines = [(f.severity, f"{f.title}. {f.fix}".strip()) for f in serious[:limit]]
    if len(serious) > limit:
        lines.append(("note", f"{len(serious) - limit} more findings in the health check section."))
    return lines


def start_now_lines(health: HealthCheck, *, limit: int = 8) -> list[str]:
    """The lead-time items with the least float, in words."""
    out = []
    for s in list(health.start_this_week)[:limit]:
        when = "start now" if s.can_start_now else f"start by {s.latest_start}"
        owner = f"({s.owner or 'owner not set'})"
        # Some catalogue names already say whose task it is ("... Standards Met (supplier)").
        who = s.name if s.name.endswith(owner) else f"{s.name} {owner}"
        out.append(f"{who}: {when}, {s.total_float} working days of float")
    return out


def sources_cited(programme: Programme) -> pd.DataFrame:
    """The sources the programme's lead times cite (``[S7]`` in a task's basis), with addresses."""
    from spinekit.catalogue.load import load_catalogue

    known = {s.id: s for s in load_catalogue().sources}
    cited: dict[str, list[str]] = {}
    for t in programme.tasks:
        for sid in cited_sources(t.basis):
            cited.setdefault(sid, []).append(t.id)
    rows = []
    for sid in sorted(cited, key=lambda x: (int(re.sub(r"\D", "", x)), x)):
        src = known.get(sid)
        rows.append(
            {
                "source": sid,
                "where": " ".join(src.urls)
                if src and src.urls
                else (src.description if src else "not in the catalogue's sources"),
                "cited by": ", ".join(cited[sid]),
            }
        )
    return pd.DataFrame(rows, columns=["source", "where", "cited by"])


def scenario_summary(comparison: Comparison) -> pd.DataFrame:
    """The scenario table for people: dates, the change against the first scenario, on-time odds.

    With costs, also the P80 cost and the joint confidence of each scenario.
    """
    table = scenario_table(comparison)
    out = pd.DataFrame(
        {
            "scenario": table["scenario"],
            "deterministic finish": table["deterministic"],
            "vs first (working days)": table["difference_working_days"],
        }
    )
    for k in ("p50", "p80", "p90"):
        if k in table:
            out[k.upper()] = table[k]
    if "on_time_probability" in table and table["on_time_probability"].notna().any():
        out["chance of meeting the target"] = [
            "" if v is None or v != v else f"{v:.0%}" for v in table["on_time_probability"]
        ]
    if "p80_cost" in table:
        currency = comparison.results[0].programme.currency
        out[f"P80 cost ({currency})"] = ["" if v != v else f"{v:,.0f}" for v in table["p80_cost"]]
    if "joint_confidence" in table and table["joint_confidence"].notna().any():
        out["joint confidence"] = ["" if v is None or v != v else f"{v:.0%}" for v in table["joint_confidence"]]
    if "note" in table:
        # A preset with nothing to change leaves its scenario as the plan is, and says why.
        out["note"] = ["" if not isinstance(v, str) else v for v in table["note"]]
    return out
