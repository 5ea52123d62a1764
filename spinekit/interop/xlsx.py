"""The plan as an Excel workbook a programme office can use at once (written with openpyxl).

Sheets: **Schedule** (one row per task: real date cells, floats, critical, owner, track, the
basis of each estimate), **Risk** (when a simulation is given: P-dates, chance of meeting the
target, criticality and sensitivity by task, risk drivers), **Scenarios** (when the file has
scenarios: each one's deterministic finish beside the plan's), **Assumptions** (calendar,
closures, risks, sources) and **Health check** (findings and what to start this week).

Every sheet has a frozen header row, filters and column widths. Text that a spreadsheet would run
as a formula (beginning ``=``, ``+``, ``-``, ``@``, tab or carriage return) is written as text
with a leading apostrophe (:func:`spinekit.interop.tables.safe_cell`); numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from spinekit.interop.tables import safe_cell

if TYPE_CHECKING:
    from spinekit.analysis.check import HealthCheck
    from spinekit.engine.schedule import Schedule
    from spinekit.engine.simulate import SimulationResult

__all__ = ["to_xlsx", "SCHEDULE_SHEET"]

SCHEDULE_SHEET = "Schedule"
_DATE_FORMAT = "yyyy-mm-dd"
_MAX_WIDTH = 60


def _sheet(book: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Any:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_value(v) for v in row])
    widths = [len(str(h)) for h in header]
    for row in ws.iter_rows(min_row=2):
        for i, cell in enumerate(row):
            if isinstance(cell.value, dt.date):
                cell.number_format = _DATE_FORMAT
                widths[i] = max(widths[i], 10)
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text begins with
                cell.alignment = Alignment(horizontal="left", vertical="top")
                widths[i] = max(widths[i], min(len(cell.value), _MAX_WIDTH))
            elif cell.value is not None:
                widths[i] = max(widths[i], len(str(cell.value)))
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width + 2
    ws.freeze_panes = "A2"
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(ws.max_row, 1)}"
    return ws


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (list, tuple)):
        return safe_cell(", ".join(map(str, value)))
    return safe_cell(value)


def to_xlsx(
    sched: Schedule,
    check: HealthCheck,
    *,
    simulation: SimulationResult | None = None,
    scenarios: Sequence[tuple[str, str, Schedule]] = (),
) -> bytes:
    """The workbook's bytes.

    Parameters
    ----------
    sched:
        The deterministic schedule of the programme as written.
    check:
        Its health check.
    simulation:
        A Monte Carlo simulation of the same programme, for the Risk sheet.
    scenarios:
        ``(id, name, schedule)`` of each scenario, for the Scenarios sheet.
    """
    from openpyxl import Workbook

    p = sched.programme
    book = Workbook()
    book.remove(book.active)
    header = [
        "id", "name", "start", "finish", "duration", "total_float", "free_float", "critical",
        "owner", "service", "environment", "kind", "track", "basis",
    ]  # fmt: skip
    basis = {t.id: t.basis for t in p.tasks}
    rows = [[*(r[k] for k in header[:-1]), basis.get(r["id"])] for r in sched.records()]
    _sheet(book, SCHEDULE_SHEET, header, rows)

    if simulation is not None:
        rows = [["deterministic", simulation.deterministic_date, simulation.deterministic_offset]]
        rows += [[k.upper(), simulation.finish_date[k], simulation.finish_offset[k]] for k in simulation.finish_date]
        if simulation.on_time_probability is not None:
            rows.append(["chance of meeting the target", p.target, round(simulation.on_time_probability, 4)])
        rows.append(["iterations", None, simulation.iterations])
        rows.append(["seed", None, simulation.seed])
        rows.append([None, None, None])
        rows.append(["task", "criticality", "sensitivity"])
        for tid in sorted(simulation.criticality, key=lambda t: -simulation.criticality[t]):
            rows.append([tid, round(simulation.criticality[tid], 4), round(simulation.sensitivity.get(tid, 0.0), 4)])
        if simulation.risk_drivers:
            rows.append([None, None, None])
            rows.append(["risk", "mean delay to finish (working days)", None])
            rows += [[rid, round(v, 2), None] for rid, v in simulation.risk_drivers.items()]
        _sheet(book, "Risk", ["measure", "date or value", "working days or share"], rows)

    if scenarios:
        rows = [[sid, name, s.finish_date, s.finish_offset, s.finish_offset - sched.finish_offset]
                for sid, name, s in scenarios]  # fmt: skip
        _sheet(book, "Scenarios", ["scenario", "name", "finish", "working days", "vs plan as written"], rows)

    cal = p.calendar
    rows = [
        ["programme", p.name, None, None],
        ["start", cal.day0, None, None],
        ["target", p.target, None, None],
        ["bank holidays", cal.region, None, None],
    ]
    rows += [["closure", c.start, c.end, c.name] for c in cal.closures]
    rows += [
        ["risk", r.id, f"probability {r.probability:g}; impact {r.impact.min:g}/{r.impact.likely:g}/{r.impact.max:g}"
         f" days ({r.impact.dist})", ", ".join(r.tasks)]
        for r in p.risks
    ]  # fmt: skip
    rows += [["source", t.id, t.name, t.basis] for t in p.tasks if t.basis]
    _sheet(book, "Assumptions", ["item", "value", "detail", "note"], rows)

    rows = [[f.severity, f.rule, f.title, f.message, list(f.tasks), f.fix] for f in check.findings]
    rows += [
        ["start this week" if s.can_start_now else "start soon", "lead time", s.name,
         f"latest start {s.latest_start.isoformat()}; {s.total_float} working days of float", [s.id], s.owner]
        for s in check.start_this_week
    ]  # fmt: skip
    _sheet(book, "Health check", ["severity", "rule", "title", "message", "tasks", "fix or owner"], rows)

    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
