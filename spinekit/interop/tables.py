"""The schedule as text: a table for the terminal, CSV for spreadsheets, JSON for programs.

None of these needs pandas. CSV cells are made safe to open in a spreadsheet: a text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a formula
(OWASP, "CSV Injection"), so it is written with a leading apostrophe, which spreadsheets show
as text; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spinekit.engine.schedule import Schedule

__all__ = ["safe_cell", "csv_text", "text_table", "schedule_csv", "schedule_json", "schedule_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet should see it: text that would run as a formula gets a leading ``'``.

    >>> safe_cell('=HYPERLINK("http://x","click")'), safe_cell("-2.5"), safe_cell(-3), safe_cell("a-b")
    ('\\'=HYPERLINK("http://x","click")', '-2.5', -3, 'a-b')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (comma-separated, minimal quoting, ``\\n`` line ends) with every cell made safe.

    ``None`` is an empty cell; ``True``/``False`` are ``true``/``false``; dates are ISO dates.
    """
    lines = [",".join(_csv_field(safe_cell(h)) for h in header)]
    lines.extend(",".join(_csv_field(_csv_value(v)) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def _csv_field(value: Any) -> str:
    # Quoted where a reader would otherwise split it: a comma, a quote or either line end
    # (the csv module's writer leaves a lone carriage return unquoted).
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(value)


def text_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table laid out as pandas' ``DataFrame.to_string(index=False)`` lays it out.

    Every column is right-aligned to its widest cell, one space between columns; the header of a
    column of numbers gets a leading space. ``spinekit schedule`` reads as it always has.
    """
    columns = []
    for i, name in enumerate(header):
        values = [row[i] for row in rows]
        numeric = bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        if numeric:
            cells = [f" {name}", *map(str, values)]
        else:
            cells = [str(name), *map(str, values)]
        width = max(map(len, cells))
        columns.append([c.rjust(width) for c in cells])
    return "\n".join(" ".join(line) for line in zip(*columns))


def schedule_text(sched: Schedule) -> str:
    """The ``spinekit schedule`` table: a heading line, then one row per task."""
    records = sched.records()
    rows = [
        (
            r["id"],
            r["start"],
            r["finish"],
            r["duration"],
            r["total_float"],
            r["free_float"],
            "yes" if r["critical"] else "",
        )
        for r in records
    ]
    p = sched.programme
    critical = sum(1 for r in records if r["critical"])
    head = (
        f"{p.name}\n"
        f"start {p.calendar.day0}  finish {sched.finish_date}  "
        f"({sched.finish_offset} working days, {critical} critical tasks)\n"
    )
    header = ["task", "start", "finish", "days", "total float", "free float", "critical"]
    return head + "\n" + text_table(header, rows) + "\n"


def schedule_csv(sched: Schedule) -> str:
    """The schedule table as CSV, columns :data:`~spinekit.SCHEDULE_COLUMNS`."""
    records = sched.records()
    header = list(records[0]) if records else []
    return csv_text(header, (list(r.values()) for r in records))


def schedule_json(sched: Schedule) -> str:
    """The schedule as a JSON document: the programme, its finish, critical path and tasks.

    A task generated from the catalogue carries its ``rule`` (see :class:`~spinekit.Rule`);
    a hand-written task has none, as it has no other key whose value is missing.
    """
    p = sched.programme
    tasks = []
    for row in sched.records():
        row["start"] = row["start"].isoformat()
        row["finish"] = row["finish"].isoformat()
        rule = p.task(row["id"]).rule
        row["rule"] = rule.to_dict() if rule is not None else None
        tasks.append({k: v for k, v in row.items() if v is not None})
    doc = {
        "programme": p.name,
        "start": p.calendar.day0.isoformat(),
        "finish_offset": sched.finish_offset,
        "finish_date": sched.finish_date.isoformat(),
        "critical_path": sched.critical_path,
        "tasks": tasks,
    }
    return json.dumps(doc, indent=2) + "\n"
