"""Plain-words summaries of a schedule and its risk, for steering groups."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from ._schedule import Schedule

__all__ = ["critical_path_words", "steering_summary_html"]


def _weeks(days: int) -> str:
    w = days / 5
    return f"{w:.0f} weeks" if w >= 2 else f"{days} working days"


def critical_path_words(sched: Schedule) -> str:
    """The critical path as a sentence, e.g. "ODS code (10 days), then ...".

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
    parts = []
    for tid in sched.critical_path:
        d = int(t.at[tid, "duration"])
        label = f"milestone, {t.at[tid, 'start']}" if d == 0 else f"{d} day{'s' if d != 1 else ''}"
        parts.append(f"{t.at[tid, 'name']} ({label})")
    return (", then ".join(parts) + ".") if parts else "No critical path."


def steering_summary_html(sched: Schedule, simulation: Mapping[str, Any] | None = None) -> str:
    """The report's headline facts as escaped HTML.

    ``simulation`` is the dictionary of :meth:`SimulationResult.to_dict` (the ``simulate`` JSON).
    """
    p = sched.programme
    e = html.escape
    rows = [
        ("Start", str(p.calendar.day0)),
        ("Deterministic finish", f"{sched.finish_date} ({sched.finish_offset} working days, "
                                 f"{_weeks(sched.finish_offset)})"),
    ]
    if p.target is not None:
        rows.append(("Target", str(p.target)))
    if simulation:
        fd = simulation["finish_date"]
        rows.append(("P50 / P80 / P90 finish", f"{fd['p50']} / {fd['p80']} / {fd['p90']}"))
        if simulation.get("on_time_probability") is not None:
            rows.append(("Probability of meeting the target", f"{simulation['on_time_probability']:.0%}"))
        rows.append(("Simulation", f"{simulation['iterations']:,} iterations, seed {simulation['seed']}"))
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return (
        f'<table class="spinekit-summary">{body}</table>'
        f"<p><strong>Critical path:</strong> {e(critical_path_words(sched))}</p>"
    )
