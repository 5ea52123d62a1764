"""Plotly figures of schedules, schedule risk and scenarios: data in, ``go.Figure`` out.

Every function only draws. Schedules, simulations and sensitivities are computed elsewhere and
passed in as tables, mappings or arrays; arguments such as ``start=`` or ``group=`` name the
column that plays that role. Text taken from the data (task names, owners, provenance) is
HTML-escaped before plotly sees it, so a task name is always shown as text. Layout defaults
(template, fonts, colours, margins, heights) are defined once, at the top of this module.
Only :func:`save_static` writes a file: the figure as an image, for slide decks.

On a Gantt a date is a whole day: a task occupies its days from the start of its first to the
end of its last, so a one-day task has a visible bar. A milestone sits at the start of its day
(everything before it is complete), the today line at the start of today and the target line at
the end of the target day. Risk and scenario charts plot finish dates as points.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._exceptions import FigureExportError
from ._io import write_atomic

if TYPE_CHECKING:
    import networkx as nx

    from ._calendar import WorkingCalendar
    from ._schedule import Schedule

__all__ = [
    "gantt",
    "gantt_comparison",
    "finish_histogram",
    "s_curve",
    "tornado",
    "criticality_chart",
    "scenario_ranges",
    "scenario_s_curves",
    "save_static",
    "STATIC_FORMATS",
]

# --- Layout defaults: the one place for fonts, colours, margins and sizes --------------------

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
INK = "#231F20"
MUTED = "#425563"  # NHS dark grey
GRID = "#E8EDEE"  # NHS pale grey
AXIS = "#AEB7BD"
TASK = "#005EB8"  # NHS blue
CRITICAL = "#DA291C"  # NHS red
CRITICAL_TEXT = "#A00000"
LANE = "#425563"
BASELINE = "#AEB7BD"
ARROW = "#8A9BA6"
TARGET = "#330072"  # NHS purple
TODAY = "#ED8B00"  # NHS orange
LANE_BAND = "#F4F7F8"
WEEKEND_FILL = "rgba(232, 237, 238, 0.55)"
HOLIDAY_FILL = "rgba(118, 134, 146, 0.22)"
CLOSURE_FILL = "rgba(255, 184, 28, 0.20)"
#: Categorical colours (NHS identity palette, red kept for the critical path).
PALETTE = (
    "#005EB8", "#009639", "#ED8B00", "#330072", "#00A9CE", "#AE2573",
    "#78BE20", "#7C2855", "#41B6E6", "#FFB81C", "#006747", "#768692",
)
PERCENTILE_COLOURS = {"P50": "#005EB8", "P80": "#003087", "P90": "#231F20"}
MISSING = "Unassigned"
NO_GROUP = "Other"
LABEL_CHARS = 48
WRAP_CHARS = 64
DAY = pd.Timedelta(days=1)
MS_PER_DAY = 86_400_000
#: Gantt row (above the first task) that holds the today, target and finish labels.
LABEL_ROW = -1.0
#: Weekends are shaded only on Gantts spanning fewer days than this, to stay readable.
WEEKEND_SHADING_MAX_DAYS = 120
#: Static image formats :func:`save_static` writes, by file suffix.
STATIC_FORMATS = ("png", "svg", "pdf", "jpeg", "jpg", "webp")


@functools.cache
def _template() -> go.layout.Template:
    axis = dict(
        showgrid=True, gridcolor=GRID, zeroline=False, showline=True, linecolor=AXIS,
        ticks="outside", tickcolor=AXIS, ticklen=4, automargin=True,
        title=dict(font=dict(size=12, color=MUTED)),
    )
    return go.layout.Template(layout=dict(
        font=dict(family=FONT, size=12, color=INK),
        title=dict(font=dict(size=18, color=INK), x=0.0, xref="paper", xanchor="left",
                   y=1.0, yref="container", yanchor="top", pad=dict(t=14)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(PALETTE),
        margin=dict(l=16, r=32, t=96, b=72),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.0, yanchor="bottom",
                    yref="paper", font=dict(size=11), bgcolor="rgba(255,255,255,0)",
                    traceorder="normal"),
        hoverlabel=dict(font=dict(family=FONT, size=12, color=INK), bgcolor="white",
                        bordercolor=AXIS, align="left"),
        xaxis=axis,
        yaxis=axis,
        bargap=0.2,
    ))


@dataclass
class _Decor:
    """Shapes and annotations gathered while drawing, set on the layout in one step."""

    shapes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def vline(self, x: Any, *, name: str, colour: str, dash: str = "solid",
              width: float = 2) -> None:
        self.shapes.append(dict(type="line", name=name, x0=x, x1=x, y0=0, y1=1, xref="x",
                                yref="paper", line=dict(color=colour, width=width, dash=dash),
                                layer="above"))

    def hline(self, y: float, *, name: str, colour: str, dash: str = "dot",
              width: float = 1) -> None:
        self.shapes.append(dict(type="line", name=name, x0=0, x1=1, y0=y, y1=y, xref="paper",
                                yref="y", line=dict(color=colour, width=width, dash=dash),
                                layer="below"))

    def vrect(self, x0: Any, x1: Any, *, name: str, fill: str) -> None:
        self.shapes.append(dict(type="rect", name=name, x0=x0, x1=x1, y0=0, y1=1, xref="x",
                                yref="paper", fillcolor=fill, line=dict(width=0), layer="below"))

    def hrect(self, y0: float, y1: float, *, name: str, fill: str) -> None:
        self.shapes.append(dict(type="rect", name=name, x0=0, x1=1, y0=y0, y1=y1, xref="paper",
                                yref="y", fillcolor=fill, line=dict(width=0), layer="below"))

    def shape(self, **shape: Any) -> None:
        self.shapes.append(shape)

    def note(self, **note: Any) -> None:
        self.notes.append(dict(showarrow=False) | note)


def _finish(fig: go.Figure, deco: _Decor, *, title: str | None, height: int,
            subtitle: str | None = None, **layout: Any) -> go.Figure:
    """Apply the house layout, the title and the gathered shapes and annotations."""
    text = _esc(title) if title else None
    fig.update_layout(
        template=_template(), height=height, shapes=deco.shapes, annotations=deco.notes,
        title=dict(text=text, subtitle=dict(text=_esc(subtitle) if subtitle else None)),
        **layout,
    )
    return fig


# --- Small conversions ----------------------------------------------------------------------

def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, bytes)) and bool(pd.isna(value)))


def _esc(value: Any) -> str:
    """``value`` as text that plotly shows literally (``<``, ``>`` and ``&`` escaped)."""
    return "" if _missing(value) else html.escape(str(value), quote=False)


def _label(value: Any, limit: int = LABEL_CHARS) -> str:
    text = MISSING if _missing(value) else str(value)
    if len(text) <= limit:
        return _esc(text)
    # Keep a closing "(INT, organisation 2)"-style qualifier: it is what tells rows apart.
    tail = text[text.rfind("(") :] if text.endswith(")") and "(" in text else ""
    if tail and len(tail) <= limit // 2:
        return _esc(text[: limit - len(tail) - 2].rstrip() + "… " + tail)
    return _esc(text[: limit - 1].rstrip() + "…")


def _wrapped(value: Any) -> str:
    return "<br>".join(_esc(line) for line in textwrap.wrap(str(value), WRAP_CHARS))


def _day_text(ts: pd.Timestamp) -> str:
    return f"{ts:%a} {ts.day} {ts:%b %Y}"


def _short_day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%b %Y}"


def _dates(values: Iterable[Any]) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).dt.normalize()


def _timestamp(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


def _ms(delta: pd.Timedelta) -> float:
    return delta / pd.Timedelta(milliseconds=1)


def _require(table: pd.DataFrame, **roles: str | None) -> None:
    for role, column in roles.items():
        if column is not None and column not in table.columns:
            raise ValueError(
                f"{role}={column!r} is not a column of the table; columns are "
                f"{', '.join(map(str, table.columns))} (pass {role}=None to leave it out)"
            )


def _colour_map(categories: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in categories:
        if c not in out:
            out[c] = "#768692" if c == MISSING else PALETTE[len(out) % len(PALETTE)]
    return out


def _height(rows: int, scale: float = 1.0) -> tuple[int, int]:
    """Figure height and tick font size for ``rows`` Gantt rows: rows stay legible as they grow."""
    per_row, font = (26, 12) if rows <= 40 else (20, 11) if rows <= 120 else (16, 10)
    return max(360, int(150 + per_row * rows * scale)), font


def _date_ticks(span: pd.Timedelta) -> dict[str, Any]:
    """Tick spacing for a date axis: weeks, months or quarters, by the span shown."""
    if span.days <= 92:
        return dict(dtick=7 * MS_PER_DAY, tick0="2000-01-03", tickformat="%d %b\n%Y")
    if span.days <= 550:
        return dict(dtick="M1", tickformat="%b\n%Y")
    return dict(dtick="M3", tickformat="%b\n%Y")


# --- Gantt ----------------------------------------------------------------------------------

def _unpack(data: pd.DataFrame | Schedule) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table, plus defaults a :class:`Schedule` carries (links, calendar, target, title)."""
    if isinstance(data, pd.DataFrame):
        return data, {}
    prog = data.programme
    table = data.table
    if "basis" not in table.columns:
        basis = {t.id: t.basis for t in prog.tasks}
        table = table.assign(basis=table["id"].map(basis))
    return table, {"links": data.graph, "calendar": prog.calendar, "target": prog.target,
                   "title": prog.name}


def _lanes(w: pd.DataFrame, layout: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Order tasks into swimlanes and give each task and lane a row position ``y``.

    Lanes come in order of their earliest start (unlabelled tasks last), tasks in a lane by
    start then finish. ``layout`` is ``"headers"`` (a header row, then one row per task),
    ``"summary"`` (one row per lane, holding its tasks) or ``"flat"`` (one row per task).
    Returns the tasks and one row per lane (``y`` is None for flat lanes).
    """
    w = w.assign(_pos=range(len(w)))
    firsts = w.groupby("_group", sort=False)["_start"].min()
    order = sorted(firsts.index, key=lambda g: (g == NO_GROUP, firsts[g]))
    lanes, parts, y = [], [], 0
    for g in order:
        part = w[w["_group"] == g].sort_values(["_start", "_end", "_pos"], kind="stable")
        lane_y = None if layout == "flat" else y
        if layout == "summary":
            part = part.assign(y=y)
            y += 1
        else:
            y += layout == "headers"
            part = part.assign(y=range(y, y + len(part)))
            y += len(part)
        parts.append(part)
        lanes.append({
            "group": g, "y": lane_y, "first": part["y"].min() if lane_y is None else lane_y,
            "last": part["y"].max(), "start": part["_start"].min(), "end": part["_end"].max(),
            "tasks": len(part), "critical": int(part["_critical"].sum()),
            "float": part["_float"].min(),
        })
    return pd.concat(parts).drop(columns="_pos"), pd.DataFrame(lanes)


def _task_hover(r: pd.Series, lane_name: str | None) -> str:
    lines = [f"<b>{_esc(r['_name'])}</b>", f"{_esc(r['_id'])}" + (
        f" · {_esc(r['_group'])}" if lane_name else "")]
    if r["_milestone"]:
        lines.append(f"Milestone: {_day_text(r['_start'])}")
    else:
        lines += [f"Start: {_day_text(r['_start'])}", f"Finish: {_day_text(r['_finish'])}"]
        if not _missing(r["_duration"]):
            lines.append(f"Duration: {int(r['_duration'])} working days")
    if not _missing(r["_float"]):
        crit = " (critical)" if r["_critical"] else ""
        lines.append(f"Total float: {int(r['_float'])} working days{crit}")
    if r["_owner"] is not None:
        lines.append(f"Owner: {_label(r['_owner'], 80)}")
    if not _missing(r["_basis"]):
        lines.append(f"Basis: {_wrapped(r['_basis'])}")
    return "<br>".join(lines)


def _lane_hover(lane: pd.Series) -> str:
    lines = [f"<b>{_esc(lane['group'])}</b>",
             f"{_day_text(lane['start'])} to {_day_text(lane['end'] - DAY)}",
             f"{lane['tasks']} tasks, {lane['critical']} critical"]
    if not _missing(lane["float"]):
        lines.append(f"Least total float: {int(lane['float'])} working days")
    return "<br>".join(lines)


def _shade_calendar(deco: _Decor, lo: pd.Timestamp, hi: pd.Timestamp,
                    calendar: WorkingCalendar | None) -> None:
    """Weekends (short spans only), bank holidays and closures between ``lo`` and ``hi``."""
    if (hi - lo).days < WEEKEND_SHADING_MAX_DAYS:
        sat = lo - pd.Timedelta(days=(lo.weekday() - 5) % 7)
        while sat < hi:
            deco.vrect(max(sat, lo), min(sat + 2 * DAY, hi), fill=WEEKEND_FILL, name="weekend")
            sat += pd.Timedelta(days=7)
    if calendar is None:
        return
    closure_days: set[dt.date] = set()
    for c in calendar.closures:
        if c.end < lo.date() or c.start > hi.date():
            continue
        days = (c.end - c.start).days + 1
        closure_days.update(c.start + dt.timedelta(days=k) for k in range(days))
        x0, x1 = max(_timestamp(c.start), lo), min(_timestamp(c.end) + DAY, hi)
        deco.vrect(x0, x1, fill=CLOSURE_FILL, name="closure")
        deco.note(x=x0 + (x1 - x0) / 2, y=0, xref="x", yref="paper",
                  text=_label(c.name or "Closure", 40), textangle=-90, yanchor="bottom",
                  font=dict(size=10, color="#8A6100"))
    for day in calendar.non_working_days(lo.date(), hi.date()):
        if day not in closure_days:
            deco.vrect(_timestamp(day), _timestamp(day) + DAY, fill=HOLIDAY_FILL,
                       name="bank holiday")


def _date_marks(deco: _Decor, target: Any, today: Any) -> None:
    if target is not None:
        t = _timestamp(target)
        deco.vline(t + DAY, name="target", colour=TARGET, dash="dash")
        deco.note(x=t + DAY, y=LABEL_ROW, xref="x", yref="y",
                  xanchor="right", text=f"<b>Target {_short_day(t)}</b> ",
                  font=dict(size=11, color=TARGET), bgcolor="rgba(255,255,255,0.8)")
    if today is not None:
        t = _timestamp(today)
        deco.vline(t, name="today", colour=TODAY)
        deco.note(x=t, y=LABEL_ROW, xref="x", yref="y", xanchor="left",
                  text=f" <b>Today {_short_day(t)}</b>", font=dict(size=11, color=TODAY),
                  bgcolor="rgba(255,255,255,0.8)")


def _x_range(lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    pad = max(pd.Timedelta(days=2), (hi - lo) * 0.02)
    return (lo - pad).floor("D"), (hi + pad).ceil("D")


def _gantt_canvas(w: pd.DataFrame, lanes: pd.DataFrame, *, banded: bool,
                  calendar: WorkingCalendar | None, marks: Iterable[Any],
                  ) -> tuple[_Decor, tuple[pd.Timestamp, pd.Timestamp]]:
    """The background of a Gantt: lane bands and calendar shading, and its date range.

    Parameters
    ----------
    w, lanes:
        The tasks and lanes, from :func:`_lanes`.
    banded:
        Shade every other lane (swimlane layouts; a flat Gantt has one lane).
    calendar:
        Working calendar whose non-working days are shaded, or None.
    marks:
        Days drawn beside the bars (today, target, simulated finishes), None where not drawn;
        the range covers each whole day.

    Returns
    -------
    (_Decor, (pandas.Timestamp, pandas.Timestamp))
        The shapes so far, to add to, and the x-axis range.
    """
    deco = _Decor()
    if banded:
        for k, lane in enumerate(lanes.itertuples()):
            if k % 2 == 0:
                deco.hrect(lane.y - 0.5, lane.last + 0.5, fill=LANE_BAND, name="lane")
    marks_at = [_timestamp(d) for d in marks if d is not None]
    lo = min([w["_start"].min(), *marks_at])
    hi = max([w["_end"].max(), *(d + DAY for d in marks_at)])
    x0, x1 = _x_range(lo, hi)
    _shade_calendar(deco, x0, x1, calendar)
    return deco, (x0, x1)


def _arrows(w: pd.DataFrame, links: nx.DiGraph) -> list[go.Scatter]:
    """Dependency connectors: predecessor anchor, down or up to the successor row, across to it."""
    at = w.set_index("_id")
    xs: list[Any] = []
    ys: list[Any] = []
    heads_x, heads_y, heads_symbol = [], [], []
    for p, s, attrs in links.edges(data=True):
        p, s = str(p), str(s)
        if p not in at.index or s not in at.index:
            continue
        kind = attrs.get("type", "FS")
        xp = at.at[p, "_end"] if kind in ("FS", "FF") else at.at[p, "_start"]
        xs_ = at.at[s, "_start"] if kind in ("FS", "SS") else at.at[s, "_end"]
        yp, ys_ = at.at[p, "y"], at.at[s, "y"]
        xs += [xp, xp, xs_, None]
        ys += [yp, ys_, ys_, None]
        heads_x.append(xs_)
        heads_y.append(ys_)
        heads_symbol.append("triangle-right" if xs_ >= xp else "triangle-left")
    if not heads_x:
        return []
    lines = go.Scatter(
        x=xs, y=ys, mode="lines", name="Dependency", legendgroup="dependency",
        line=dict(color=ARROW, width=0.8), hoverinfo="skip", connectgaps=False,
    )
    heads = go.Scatter(
        x=heads_x, y=heads_y, mode="markers", name="Dependency arrowhead", legendgroup="dependency",
        showlegend=False, hoverinfo="skip",
        marker=dict(symbol=heads_symbol, size=8, color=ARROW),
    )
    return [lines, heads]


def _whiskers(w: pd.DataFrame, percentiles: pd.DataFrame | Mapping[str, Any]) -> go.Scatter:
    p = (percentiles if isinstance(percentiles, pd.DataFrame)
         else pd.DataFrame.from_dict(dict(percentiles), orient="index"))
    p = p.rename(columns=str.lower)
    _require(p, p50="p50", p80="p80")
    p.index = p.index.map(str)
    xs: list[Any] = []
    ys: list[Any] = []
    text: list[str | None] = []
    for _, r in w.iterrows():
        if r["_id"] not in p.index:
            continue
        shift = pd.Timedelta(0) if r["_milestone"] else DAY
        p50, p80 = _timestamp(p.at[r["_id"], "p50"]), _timestamp(p.at[r["_id"], "p80"])
        hover = (f"<b>{_esc(r['_name'])}</b><br>Simulated finish<br>P50: {_day_text(p50)}"
                 f"<br>P80: {_day_text(p80)}")
        xs += [p50 + shift, p80 + shift, None]
        ys += [r["y"], r["y"], None]
        text += [hover, hover, None]
    return go.Scatter(
        x=xs, y=ys, mode="lines+markers", name="P50–P80 finish (simulated)",
        line=dict(color=INK, width=1.5), hovertext=text,
        hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(symbol="line-ns-open", size=11, color=INK, line=dict(width=2, color=INK)),
    )


def _work_table(t: pd.DataFrame, *, task: str, name: str | None, start: str, finish: str,
                duration: str | None, group: str | None, critical: str | None,
                total_float: str | None, owner: str | None, basis: str | None) -> pd.DataFrame:
    n = len(t)
    w = pd.DataFrame({"_id": t[task].astype(str).to_numpy()})
    w["_name"] = (t[name] if name else t[task]).to_numpy()
    w["_start"] = _dates(t[start]).to_numpy()
    w["_finish"] = _dates(t[finish]).to_numpy()
    w["_duration"] = t[duration].to_numpy() if duration else np.full(n, np.nan)
    w["_milestone"] = (t[duration] == 0).to_numpy() if duration else np.zeros(n, bool)
    w["_end"] = np.where(w["_milestone"], w["_start"], w["_finish"] + DAY)
    w["_end"] = pd.to_datetime(w["_end"])
    w["_group"] = ([NO_GROUP if _missing(v) else str(v) for v in t[group]] if group
                   else [""] * n)
    w["_critical"] = t[critical].fillna(False).astype(bool).to_numpy() if critical else False
    w["_float"] = t[total_float].to_numpy() if total_float else np.nan
    w["_owner"] = pd.Series(list(t[owner]) if owner else [None] * n, dtype=object)
    w["_basis"] = pd.Series(list(t[basis]) if basis and basis in t.columns else [None] * n,
                            dtype=object)
    return w


def _colour_keys(w: pd.DataFrame, table: pd.DataFrame, color: str | None,
                 critical: str | None) -> dict[str, str]:
    """Set each task's legend key (``_key``) from the ``color`` column; return key -> colour."""
    if color is None:
        w["_key"] = "Task"
        return {"Task": TASK}
    if color == critical:
        w["_key"] = np.where(w["_critical"], "Critical", "Not critical")
        return {"Critical": CRITICAL, "Not critical": TASK}
    w["_key"] = [MISSING if _missing(v) else str(v) for v in table[color]]
    return _colour_map(w["_key"])


def gantt(
    data: pd.DataFrame | Schedule,
    *,
    task: str = "id",
    name: str | None = "name",
    start: str = "start",
    finish: str = "finish",
    duration: str | None = "duration",
    group: str | None = "track",
    color: str | None = "owner",
    critical: str | None = "critical",
    total_float: str | None = "total_float",
    owner: str | None = "owner",
    basis: str | None = "basis",
    links: nx.DiGraph | None = None,
    arrows: bool = False,
    calendar: WorkingCalendar | None = None,
    target: dt.date | None = None,
    today: dt.date | None = None,
    percentiles: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None = None,
    summary: bool = False,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Gantt chart of a schedule table: one bar per task on real dates, in swimlanes.

    Parameters
    ----------
    data:
        One row per task (a schedule table), or a :class:`Schedule`, which also supplies
        ``basis`` (lead-time provenance), ``links``, ``calendar``, ``target`` and ``title``
        unless they are given.
    task, name, start, finish, duration:
        Columns of the task id, display name, first and last working day (dates), and
        duration; a duration of 0 marks a milestone, drawn as a diamond.
    group:
        Column whose values form the swimlanes (for example ``"track"`` or ``"service"``);
        None for a single lane.
    color:
        Column that colours the bars (for example ``"owner"``); the ``critical`` column gives
        critical and non-critical colours; None colours every bar alike.
    critical, total_float, owner, basis:
        Columns for the critical flag (outlined in red), total float, owner and provenance,
        shown on hover. ``basis`` is used when the column exists. None leaves one out.
    links:
        Dependency network (edges with ``type``) for ``arrows=True``.
    arrows:
        Draw dependency connectors from each predecessor to its successor.
    calendar:
        Working calendar whose bank holidays and closures are shaded.
    target, today:
        Dates drawn as vertical lines; nothing is drawn for None.
    percentiles:
        Simulated finishes per task id, with ``p50`` and ``p80`` dates (a DataFrame indexed by
        task id, or a mapping id -> {"p50": date, "p80": date}), drawn as whiskers.
    summary:
        One bar per lane spanning its tasks (milestones still shown), for large programmes.
    title:
        Figure title.
    height:
        Height in pixels; by default it grows with the number of rows.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import spinekit
    >>> s = spinekit.schedule(spinekit.read_programme(spinekit.example_path()))
    >>> fig = spinekit.gantt(s, group="track", color="owner", arrows=True)
    >>> [t.name for t in fig.data][:2]
    ['Lane span', 'NHS England']
    """
    table, defaults = _unpack(data)
    links = links if links is not None else defaults.get("links")
    calendar = calendar if calendar is not None else defaults.get("calendar")
    target = target if target is not None else defaults.get("target")
    title = title if title is not None else defaults.get("title")
    _require(table, task=task, name=name, start=start, finish=finish, duration=duration,
             group=group, color=color, critical=critical, total_float=total_float, owner=owner)
    if table.empty:
        raise ValueError("the table has no tasks to draw")
    if summary and group is None:
        raise ValueError("summary=True draws one bar per lane; name the lanes with group=")
    w = _work_table(table, task=task, name=name, start=start, finish=finish, duration=duration,
                    group=group, critical=critical, total_float=total_float, owner=owner,
                    basis=basis)
    colours = _colour_keys(w, table, color, critical)
    layout = "summary" if summary else "headers" if group is not None else "flat"
    w, lanes = _lanes(w, layout)
    rows = int(w["y"].max() + 1)
    fig = go.Figure()
    marks_at = [today, target]
    if percentiles is not None and not summary:
        # The whiskers must fit too: take the latest simulated P80 as a mark.
        p80s = (list(percentiles["p80"]) if isinstance(percentiles, pd.DataFrame)
                else [v.get("p80") for v in dict(percentiles).values()])
        marks_at += [max(_timestamp(d) for d in p80s if d is not None)] if any(
            d is not None for d in p80s) else []
    deco, (x0, x1) = _gantt_canvas(w, lanes, banded=layout != "flat", calendar=calendar,
                                   marks=marks_at)

    bars = w[~w["_milestone"]]
    # Each task's hover text, built once: the critical-path overlay repeats its tasks' text.
    # In summary only the critical bars and the milestones are drawn one per task.
    hovered = w[w["_critical"] | w["_milestone"]] if summary else w
    hover = {k: _task_hover(r, group) for k, r in hovered.iterrows()}
    spans = lanes[lanes["end"] > lanes["start"]] if layout != "flat" else lanes.iloc[:0]
    if not spans.empty:
        fig.add_trace(go.Bar(
            y=spans["y"], base=spans["start"], x=[_ms(d) for d in spans["end"] - spans["start"]],
            orientation="h", width=0.6 if summary else 0.22, name="Lane span",
            customdata=spans["group"],
            showlegend=summary, marker=dict(color=TASK if summary else LANE, line_width=0),
            hovertext=[_lane_hover(r) for _, r in spans.iterrows()],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if not summary:
        for key, colour in colours.items():
            part = bars[bars["_key"] == key]
            if part.empty:
                continue
            fig.add_trace(go.Bar(
                y=part["y"], base=part["_start"], x=[_ms(d) for d in part["_end"] - part["_start"]],
                orientation="h", width=0.62, name=_label(key, 40), customdata=part["_id"],
                marker=dict(color=colour, line=dict(color="white", width=0.5)),
                hovertext=[hover[k] for k in part.index],
                hovertemplate="%{hovertext}<extra></extra>",
            ))
    crit = bars[bars["_critical"]] if summary or color != critical else bars.iloc[:0]
    if not crit.empty:
        # Drawn over the task bars (or, in summary, over the lane spans) so the critical path
        # reads at a glance and its legend entry toggles it.
        fig.add_trace(go.Bar(
            y=crit["y"], base=crit["_start"], x=[_ms(d) for d in crit["_end"] - crit["_start"]],
            orientation="h", width=0.6 if summary else 0.62, name="Critical path",
            customdata=crit["_id"],
            marker=dict(color=CRITICAL if summary else "rgba(0,0,0,0)",
                        line=dict(color=CRITICAL, width=0 if summary else 2.5)),
            hovertext=[hover[k] for k in crit.index],
            hovertemplate="%{hovertext}<extra></extra>",
            hoverinfo=None if summary else "skip",
        ))
    marks = w[w["_milestone"]]
    if not marks.empty:
        fig.add_trace(go.Scatter(
            x=marks["_start"], y=marks["y"], mode="markers", name="Milestone",
            customdata=marks["_id"],
            # In summary, red diamonds would vanish on the red critical segments they end.
            marker=dict(symbol="diamond", size=15,
                        color=[CRITICAL if c and not summary else INK for c in marks["_critical"]],
                        line=dict(color="white", width=1.5)),
            hovertext=[hover[k] for k in marks.index],
            hovertemplate="%{hovertext}<extra></extra>",
        ))
    if percentiles is not None and not summary:
        fig.add_trace(_whiskers(w, percentiles))
    if arrows and links is not None and not summary:
        fig.add_traces(_arrows(w, links))
    _date_marks(deco, target, today)

    ticks = _row_labels(w, lanes, layout, mark_critical=True)
    subtitle = f"Finish {_day_text(_last_work_day(w))} · {len(w)} tasks"
    if critical is not None:
        subtitle += f", {int(w['_critical'].sum())} critical"
    return _finish_gantt(fig, deco, ticks, rows=rows, x_range=(x0, x1), title=title,
                         subtitle=subtitle, height=height)


def _last_work_day(w: pd.DataFrame) -> pd.Timestamp:
    """The programme's last working day of work (as the schedule's ``finish_date``)."""
    work = w[~w["_milestone"]]
    return (work if not work.empty else w)["_finish"].max()


def _row_labels(w: pd.DataFrame, lanes: pd.DataFrame, layout: str, *,
                mark_critical: bool) -> list[tuple[int, str]]:
    """(row, label) for every Gantt row: lane names in bold, critical task names in red."""
    lane_rows = ([] if layout == "flat"
                 else [(int(y), g) for y, g in zip(lanes["y"], lanes["group"])])
    if layout == "summary":
        return [(y, f"<b>{_label(g)}</b>") for y, g in lane_rows]
    ticks = [(y, f"<b>{_label(g).upper()}</b>") for y, g in lane_rows]
    for y, name, critical in zip(w["y"], w["_name"], w["_critical"]):
        text = _label(name)
        if mark_critical and critical:
            text = f'<span style="color:{CRITICAL_TEXT}">{text}</span>'
        ticks.append((int(y), text))
    return sorted(ticks)


def _finish_gantt(fig: go.Figure, deco: _Decor, ticks: list[tuple[int, str]], *, rows: int,
                  x_range: tuple[pd.Timestamp, pd.Timestamp], title: str | None,
                  subtitle: str | None, height: int | None, row_scale: float = 1.0) -> go.Figure:
    """Gantt layout: a row per tick under the label row, and a date axis.

    Tall charts get a second date axis along the top, so their legend moves to the bottom.
    """
    auto, font = _height(rows + 1, row_scale)
    height = height or auto
    x0, x1 = x_range
    top_axis = rows > 30
    legend: dict[str, Any] = {}
    margin = dict(t=96)
    if top_axis:
        margin = dict(t=130, b=80)
        legend = dict(yref="container", y=0, yanchor="bottom")
    xaxis = dict(type="date", range=[x0, x1], **_date_ticks(x1 - x0), showspikes=True,
                 spikemode="across", spikesnap="cursor", spikecolor=AXIS, spikethickness=1,
                 spikedash="dot")
    layout: dict[str, Any] = {}
    if top_axis:
        layout["xaxis2"] = dict(xaxis, overlaying="x", side="top", matches="x", showgrid=False,
                                showspikes=False)
        fig.add_trace(go.Scatter(x=[x0, x1], y=[0, 0], xaxis="x2", mode="markers",
                                 marker=dict(opacity=0), hoverinfo="skip", showlegend=False))
    return _finish(
        fig, deco, title=title, subtitle=subtitle, height=height, barmode="overlay",
        hovermode="closest", margin=margin, legend=legend,
        xaxis=xaxis,
        yaxis=dict(tickmode="array", tickvals=[y for y, _ in ticks], ticktext=[t for _, t in ticks],
                   range=[rows - 0.5, LABEL_ROW - 0.5], showgrid=False, ticks="",
                   tickfont=dict(size=font), showline=False),
        **layout,
    )


def gantt_comparison(
    baseline: pd.DataFrame | Schedule,
    scenario: pd.DataFrame | Schedule,
    *,
    names: tuple[str, str] = ("Baseline", "Scenario"),
    task: str = "id",
    name: str | None = "name",
    start: str = "start",
    finish: str = "finish",
    duration: str | None = "duration",
    group: str | None = "track",
    critical: str | None = "critical",
    calendar: WorkingCalendar | None = None,
    target: dt.date | None = None,
    today: dt.date | None = None,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Two schedules of the same programme compared: a pair of bars per task on one time axis.

    Tasks are matched by id; the upper (grey) bar is ``baseline``, the lower is ``scenario``,
    outlined in red where critical in the scenario. A task in only one schedule has one bar.
    The vertical lines mark each schedule's last working day.

    Parameters
    ----------
    baseline, scenario:
        Schedule tables (or :class:`Schedule` objects); columns as for :func:`gantt`.
    names:
        Legend names of the two schedules.
    task, name, start, finish, duration, group, critical:
        Column roles, as for :func:`gantt`.
    calendar, target, today, title, height:
        As for :func:`gantt` (``calendar`` and ``target`` default to the scenario's).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    base_table, _ = _unpack(baseline)
    scen_table, defaults = _unpack(scenario)
    calendar = calendar if calendar is not None else defaults.get("calendar")
    target = target if target is not None else defaults.get("target")
    roles = dict(task=task, name=name, start=start, finish=finish, duration=duration,
                 group=group, critical=critical)
    works = []
    for table in (base_table, scen_table):
        _require(table, **roles)
        if table.empty:
            raise ValueError("the table has no tasks to draw")
        works.append(_work_table(table, total_float=None, owner=None, basis=None, **roles))
    before, after = (w.set_index("_id") for w in works)
    ids = list(after.index) + [i for i in before.index if i not in after.index]
    both = after.reindex(ids).combine_first(before.reindex(ids))
    both["_start"] = pd.concat([before["_start"], after["_start"]], axis=1).reindex(ids).min(axis=1)
    both["_end"] = pd.concat([before["_end"], after["_end"]], axis=1).reindex(ids).max(axis=1)
    both["_critical"] = after["_critical"].reindex(ids, fill_value=False).astype(bool)
    w, lanes = _lanes(both.reset_index(names="_id"), "headers" if group else "flat")
    y = w.set_index("_id")["y"]
    rows = int(w["y"].max() + 1)
    fig = go.Figure()
    deco, (x0, x1) = _gantt_canvas(w, lanes, banded=bool(group), calendar=calendar,
                                   marks=(today, target))

    hover = {i: _comparison_hover(i, before, after, names) for i in ids}
    for (label, frame, shift, colour) in ((names[0], before, -0.19, BASELINE),
                                          (names[1], after, 0.19, TASK)):
        bars = frame[~frame["_milestone"]]
        fig.add_trace(go.Bar(
            y=y.reindex(bars.index) + shift, base=bars["_start"],
            x=[_ms(d) for d in bars["_end"] - bars["_start"]], orientation="h", width=0.34,
            name=_esc(label), customdata=list(bars.index),
            marker=dict(color=colour, line=dict(color="white", width=0.5)),
            hovertext=[hover[i] for i in bars.index], hovertemplate="%{hovertext}<extra></extra>",
        ))
        if label == names[1]:
            crit = bars[bars["_critical"]]
            if not crit.empty:
                fig.add_trace(go.Bar(
                    y=y.reindex(crit.index) + shift, base=crit["_start"],
                    x=[_ms(d) for d in crit["_end"] - crit["_start"]], orientation="h",
                    width=0.34, name="Critical path", hoverinfo="skip",
                    marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2)),
                ))
        marks = frame[frame["_milestone"]]
        if not marks.empty:
            fig.add_trace(go.Scatter(
                x=marks["_start"], y=y.reindex(marks.index) + shift, mode="markers",
                name=f"{_esc(label)} milestone", showlegend=False, customdata=list(marks.index),
                marker=dict(symbol="diamond", size=12, color=colour if shift < 0 else INK,
                            line=dict(color="white", width=1)),
                hovertext=[hover[i] for i in marks.index],
                hovertemplate="%{hovertext}<extra></extra>",
            ))
    for label, frame, colour in ((names[0], before, MUTED), (names[1], after, TASK)):
        last = _last_work_day(frame)
        deco.vline(last + DAY, name=f"finish {label}", colour=colour, dash="dot", width=1.5)
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="lines", name=f"{_esc(label)} finish {_short_day(last)}",
            line=dict(color=colour, dash="dot", width=1.5),
        ))
    _date_marks(deco, target, today)

    ticks = _row_labels(w, lanes, "headers" if group else "flat", mark_critical=False)
    moved = (_last_work_day(after) - _last_work_day(before)).days
    if moved:
        subtitle = (f"{names[1]} finishes {abs(moved)} calendar days "
                    f"{'later' if moved > 0 else 'earlier'} than {names[0]}")
    else:
        subtitle = f"{names[1]} finishes on the same day as {names[0]}"
    return _finish_gantt(fig, deco, ticks, rows=rows, x_range=(x0, x1), title=title,
                         subtitle=subtitle, height=height, row_scale=1.15)


def _comparison_hover(task_id: str, before: pd.DataFrame, after: pd.DataFrame,
                      names: tuple[str, str]) -> str:
    row = after.loc[task_id] if task_id in after.index else before.loc[task_id]
    lines = [f"<b>{_esc(row['_name'])}</b>", _esc(task_id)]
    for label, frame in zip(names, (before, after)):
        if task_id not in frame.index:
            lines.append(f"{_esc(label)}: not in this schedule")
            continue
        r = frame.loc[task_id]
        when = (_day_text(r["_start"]) if r["_milestone"]
                else f"{_day_text(r['_start'])} to {_day_text(r['_finish'])}")
        lines.append(f"{_esc(label)}: {when}")
    if task_id in before.index and task_id in after.index:
        days = (after.at[task_id, "_end"] - before.at[task_id, "_end"]).days
        lines.append(f"Finish moves {days:+d} calendar days")
    return "<br>".join(lines)


# --- Risk -----------------------------------------------------------------------------------

def _axis_values(values: Any) -> tuple[np.ndarray, bool]:
    """Values as floats, and whether they were dates (then counted in days from 1970-01-01)."""
    s = values if isinstance(values, pd.Series) else pd.Series(
        values if isinstance(values, np.ndarray) else list(values))
    if s.empty:
        raise ValueError("no values to draw")
    if pd.api.types.is_bool_dtype(s):
        raise ValueError("expected dates or numbers, got booleans")
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float), False
    try:
        days = pd.to_datetime(s).dt.normalize().to_numpy("datetime64[D]")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"expected dates or numbers, got {s.iloc[0]!r}") from exc
    return days.astype(np.int64).astype(float), True


def _point(value: Any, is_date: bool) -> float:
    """One date or number in the units of a sample (``is_date`` says which)."""
    days, value_is_date = _axis_values([value])
    if value_is_date != is_date:
        unit = "a date" if is_date else "a number"
        raise ValueError(f"{value!r} should be {unit}, like the finishes it is drawn with")
    return float(days[0])


def _plot_x(days: np.ndarray | float, is_date: bool) -> Any:
    if not is_date:
        return days
    return pd.to_datetime(np.asarray(days, dtype=np.int64), unit="D")


def _x_text(value: float, is_date: bool) -> str:
    if is_date:
        return _short_day(pd.Timestamp(int(value), unit="D"))
    return f"{value:g}"


def _x_shape(value: float, is_date: bool) -> Any:
    return _iso(pd.Timestamp(int(value), unit="D")) if is_date else value


def _percentile_marks(percentiles: Mapping[Any, Any] | None, sample: np.ndarray,
                      is_date: bool) -> list[tuple[str, float, float]]:
    """(label, level in %, position) per percentile; P50/P80/P90 of the sample by default."""
    if percentiles is None:
        levels = {f"P{q}": q for q in (50, 80, 90)}
        return [(k, q, float(np.quantile(sample, q / 100, method="inverted_cdf")))
                for k, q in levels.items()]
    marks = []
    for key, value in percentiles.items():
        if isinstance(key, str):
            q = float(key.strip().lstrip("Pp"))
        else:
            q = float(key) * (100 if float(key) <= 1 else 1)
        marks.append((f"P{q:g}", q, _point(value, is_date)))
    return sorted(marks, key=lambda m: m[1])


def _share_by(sample: np.ndarray, limit: float) -> float:
    return float(np.mean(sample <= limit))


def _risk_marks(deco: _Decor, marks: list[tuple[str, float, float]], sample: np.ndarray,
                is_date: bool, target: Any, deterministic: Any, *, on_curve: bool) -> None:
    """Lines, with labels, for percentiles, the deterministic plan and the target.

    With ``on_curve`` a percentile's line stops at its level on the S-curve and its label sits
    beside that point; otherwise every line spans the plot, labelled at the top.
    """
    top: list[tuple[float, str, str]] = []
    for label, level, x in marks:
        colour = PERCENTILE_COLOURS.get(label, INK)
        text = f"<b>{label}</b> {_x_text(x, is_date)}"
        if on_curve:
            deco.shape(type="line", name=label, x0=_x_shape(x, is_date), x1=_x_shape(x, is_date),
                       y0=0, y1=level, xref="x", yref="y", layer="above",
                       line=dict(color=colour, width=1.5, dash="dash"))
            deco.note(x=_x_shape(x, is_date), y=level, xref="x", yref="y", text=text,
                      xanchor="left", yanchor="middle", xshift=8,
                      font=dict(size=11, color=colour), bgcolor="rgba(255,255,255,0.85)")
        else:
            deco.vline(_x_shape(x, is_date), name=label, colour=colour, dash="dash", width=1.5)
            top.append((x, text, colour))
    if deterministic is not None:
        x = _point(deterministic, is_date)
        deco.vline(_x_shape(x, is_date), name="deterministic", colour=MUTED, dash="dot", width=1.5)
        top.append((x, f"Plan {_x_text(x, is_date)}", MUTED))
    if target is not None:
        x = _point(target, is_date)
        deco.vline(_x_shape(x, is_date), name="target", colour=TARGET, width=2)
        share = _share_by(sample, x)
        top.append((x, f"<b>Target</b> {_x_text(x, is_date)} · {share:.0%} on time", TARGET))
    for k, (x, text, colour) in enumerate(sorted(top, key=lambda item: item[0])):
        deco.note(x=_x_shape(x, is_date), y=1 - 0.075 * k, xref="x", yref="paper",
                  text=text, xanchor="left", yanchor="top",
                  font=dict(size=11, color=colour), bgcolor="rgba(255,255,255,0.85)",
                  xshift=3)


def _risk_x_range(values: np.ndarray, extra: Iterable[float], is_date: bool, *,
                  pad_share: float = 0.04, right_pads: float = 2) -> list[Any]:
    """The x-axis range of a risk or scenario chart, in whole days (or units).

    Parameters
    ----------
    values, extra:
        The points drawn (in the units of :func:`_axis_values`) and any marks beside them.
    is_date:
        Whether the units are days (the range is then dates).
    pad_share:
        The padding, as a share of the span (at least one unit).
    right_pads:
        Paddings on the right, where labels sit beside the last points.
    """
    lo = min([float(values.min()), *extra])
    hi = max([float(values.max()), *extra])
    pad = max((hi - lo) * pad_share, 1.0)
    return [_x_shape(np.floor(lo - pad), is_date),
            _x_shape(np.ceil(hi + pad * right_pads), is_date)]


def _extras(target: Any, deterministic: Any, is_date: bool) -> list[float]:
    return [_point(v, is_date) for v in (target, deterministic) if v is not None]


def _bins(sample: np.ndarray, is_date: bool) -> tuple[np.ndarray, float]:
    """Left edges and width of the histogram bins: days, weeks from a Monday or four-week
    blocks for dates; about 40 bins (whole units for whole numbers) otherwise."""
    lo, hi = float(sample.min()), float(sample.max())
    span = hi - lo
    if is_date:
        width = 1.0 if span <= 45 else 7.0 if span <= 400 else 28.0
        if width > 1:
            lo -= (lo + 3) % 7  # day 0, 1970-01-01, was a Thursday: step back to a Monday
    elif np.all(sample == np.round(sample)):
        width = float(max(1, int(np.ceil(span / 40))))
    else:
        width = span / 40 or 1.0
    count = int(np.floor((hi - lo) / width)) + 1
    return lo + width * np.arange(count), width


def finish_histogram(
    finishes: Sequence[Any] | np.ndarray | pd.Series,
    *,
    percentiles: Mapping[Any, Any] | None = None,
    target: Any = None,
    deterministic: Any = None,
    title: str | None = "Simulated finish",
    height: int = 460,
) -> go.Figure:
    """Histogram of simulated finishes with percentiles, the deterministic plan and the target.

    Parameters
    ----------
    finishes:
        One simulated finish per iteration: dates, or numbers such as working-day offsets.
    percentiles:
        Lines to mark, for example ``{"P50": date, "P80": date, "P90": date}`` (keys may also
        be 50 or 0.5). By default P50, P80 and P90 of ``finishes`` (the smallest value that at
        least that share of iterations reach); pass the simulation's own to match its summary.
    target, deterministic:
        The target and the deterministic finish, in the same units as ``finishes``.
    title, height:
        Figure title and height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import datetime as dt
    >>> days = [dt.date(2027, 11, 1) + dt.timedelta(days=k % 30) for k in range(300)]
    >>> fig = finish_histogram(days, target=dt.date(2027, 11, 20))
    >>> [s.name for s in fig.layout.shapes]
    ['P50', 'P80', 'P90', 'target']
    """
    sample, is_date = _axis_values(finishes)
    marks = _percentile_marks(percentiles, sample, is_date)
    lefts, width = _bins(sample, is_date)
    counts, _ = np.histogram(sample, bins=np.append(lefts, lefts[-1] + width))
    share = counts / counts.sum() * 100
    if is_date:
        period = {1: "", 7: "Week of "}.get(int(width), f"{int(width)} days from ")
        where = [f"{period}{_day_text(pd.Timestamp(int(v), unit='D'))}" for v in lefts]
    else:
        where = [f"{v:g} to {v + width:g}" for v in lefts]
    deco = _Decor()
    centres = lefts + width / 2
    unit = MS_PER_DAY if is_date else 1
    fig = go.Figure(go.Bar(
        x=pd.to_datetime(centres * unit, unit="ms") if is_date else centres,
        y=share, width=width * unit * 0.92, name="Iterations",
        customdata=counts, hovertext=where,
        marker=dict(color="#41B6E6", line=dict(width=0)),
        hovertemplate="%{hovertext}: %{y:.1f}% of iterations (%{customdata:,})<extra></extra>",
    ))
    _risk_marks(deco, marks, sample, is_date, target, deterministic, on_curve=False)
    return _finish(
        fig, deco, title=title, height=height, showlegend=False, bargap=0.05,
        subtitle=f"{len(sample):,} iterations",
        xaxis=dict(type="date" if is_date else "linear",
                   range=_risk_x_range(sample, _extras(target, deterministic, is_date), is_date),
                   title=dict(text="Finish date" if is_date else "Finish")),
        yaxis=dict(title=dict(text="Share of iterations"), ticksuffix="%", rangemode="tozero"),
        margin=dict(t=80),
    )


def _cdf(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the percentage of the sample at or below each, from 0 at the left."""
    values, counts = np.unique(sample, return_counts=True)
    share = np.cumsum(counts) / counts.sum() * 100
    return np.concatenate([[values[0] - 1], values]), np.concatenate([[0.0], share])


def s_curve(
    finishes: Sequence[Any] | np.ndarray | pd.Series,
    *,
    percentiles: Mapping[Any, Any] | None = None,
    target: Any = None,
    deterministic: Any = None,
    title: str | None = "Probability of finishing by date",
    height: int = 460,
) -> go.Figure:
    """S-curve: the share of simulated iterations finished by each date (the empirical CDF).

    Parameters are as for :func:`finish_histogram`. Percentiles are marked on the curve, and
    the target line is labelled with the share of iterations that finish by it.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = s_curve([10, 11, 12, 13], percentiles={"P50": 11, "P80": 13})
    >>> fig.data[0].y.tolist()
    [0.0, 25.0, 50.0, 75.0, 100.0]
    """
    sample, is_date = _axis_values(finishes)
    marks = _percentile_marks(percentiles, sample, is_date)
    xs, ys = _cdf(sample)
    deco = _Decor()
    fig = go.Figure(go.Scatter(
        x=_plot_x(xs, is_date), y=ys, mode="lines", line=dict(shape="hv", color=TASK, width=2.5),
        name="Finished by", fill="tozeroy", fillcolor="rgba(0, 94, 184, 0.08)",
        hovertemplate="%{y:.1f}% finished by %{x}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=_plot_x(np.array([m[2] for m in marks]), is_date), y=[m[1] for m in marks],
        mode="markers", name="Percentiles", hoverinfo="skip",
        marker=dict(size=9, color=[PERCENTILE_COLOURS.get(m[0], INK) for m in marks],
                    line=dict(color="white", width=1.5)),
    ))
    _risk_marks(deco, marks, sample, is_date, target, deterministic, on_curve=True)
    return _finish(
        fig, deco, title=title, height=height, showlegend=False, hovermode="x",
        subtitle=f"{len(sample):,} iterations",
        xaxis=dict(type="date" if is_date else "linear",
                   range=_risk_x_range(sample, _extras(target, deterministic, is_date), is_date),
                   title=dict(text="Finish date" if is_date else "Finish")),
        yaxis=dict(title=dict(text="Iterations finished"), ticksuffix="%", range=[0, 104],
                   dtick=20),
        margin=dict(t=80),
    )


def _ranked(values: Mapping[str, float] | pd.Series, top: int | None,
            labels: Mapping[str, str] | None) -> tuple[pd.Series, list[str]]:
    s = values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    if s.empty:
        raise ValueError("no values to draw")
    s.index = s.index.map(str)
    order = s.abs().sort_values(ascending=False, kind="stable").index
    s = s[order][: top if top else None]
    names = [_label((labels or {}).get(i, i)) for i in s.index]
    return s, names


def tornado(
    sensitivity: Mapping[str, float] | pd.Series,
    *,
    top: int | None = 15,
    labels: Mapping[str, str] | None = None,
    value_name: str = "Correlation with programme finish",
    title: str | None = "What drives the finish date",
    height: int | None = None,
) -> go.Figure:
    """Tornado chart of sensitivity: the ``top`` tasks by absolute value, largest at the top.

    Parameters
    ----------
    sensitivity:
        Task id -> sensitivity (for example the rank correlation of a task's duration with
        the programme finish). Positive values lengthen the programme.
    top:
        How many tasks to show; None shows all.
    labels:
        Task id -> display name; ids are shown where missing.
    value_name:
        Axis title for the values.
    title, height:
        Figure title; height in pixels (by default it grows with the number of bars).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = tornado({"a": 0.2, "b": -0.7, "c": 0.5})
    >>> list(fig.data[0].customdata)
    ['b', 'c', 'a']
    """
    s, names = _ranked(sensitivity, top, labels)
    ys = list(range(len(s)))
    deco = _Decor()
    fig = go.Figure(go.Bar(
        x=s.to_numpy(), y=ys, orientation="h", customdata=list(s.index), name=_esc(value_name),
        marker=dict(color=[CRITICAL if v > 0 else TASK for v in s]),
        text=[f"{v:+.2f}" for v in s], textposition="outside", cliponaxis=False,
        hovertext=[f"<b>{n}</b><br>{_esc(i)}<br>{_esc(value_name)}: {v:+.3f}"
                   for n, i, v in zip(names, s.index, s)],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    bound = float(s.abs().max()) * 1.25 or 1.0
    return _finish(
        fig, deco, title=title, height=height or max(320, 140 + 30 * len(s)), showlegend=False,
        subtitle=f"Top {len(s)} tasks by absolute value",
        xaxis=dict(range=[-bound, bound], zeroline=True, zerolinecolor=MUTED, zerolinewidth=1.5,
                   title=dict(text=_esc(value_name))),
        yaxis=dict(tickmode="array", tickvals=ys, ticktext=names, range=[len(s) - 0.5, -0.5],
                   showgrid=False, ticks=""),
        margin=dict(t=80),
    )


def criticality_chart(
    criticality: Mapping[str, float] | pd.Series,
    *,
    top: int | None = 20,
    labels: Mapping[str, str] | None = None,
    title: str | None = "How often each task is critical",
    height: int | None = None,
) -> go.Figure:
    """Bar chart of the criticality index: the share of iterations in which a task is critical.

    Parameters
    ----------
    criticality:
        Task id -> share of iterations, from 0 to 1.
    top:
        How many tasks to show, most critical first; None shows all.
    labels:
        Task id -> display name; ids are shown where missing.
    title, height:
        Figure title; height in pixels (by default it grows with the number of bars).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = criticality_chart({"a": 0.25, "b": 1.0})
    >>> list(fig.data[0].customdata), fig.data[0].x.tolist()
    (['b', 'a'], [100.0, 25.0])
    """
    s, names = _ranked(criticality, top, labels)
    ys = list(range(len(s)))
    deco = _Decor()
    fig = go.Figure(go.Bar(
        x=(s * 100).to_numpy(), y=ys, orientation="h", customdata=list(s.index),
        name="Criticality index",
        marker=dict(color=s.to_numpy(), cmin=0, cmax=1, showscale=False,
                    colorscale=[[0, "#AEB7BD"], [0.5, "#ED8B00"], [1, CRITICAL]]),
        text=[f"{v:.0%}" for v in s], textposition="outside", cliponaxis=False,
        hovertext=[f"<b>{n}</b><br>{_esc(i)}<br>Critical in {v:.1%} of iterations"
                   for n, i, v in zip(names, s.index, s)],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    return _finish(
        fig, deco, title=title, height=height or max(320, 140 + 30 * len(s)), showlegend=False,
        subtitle="Share of iterations in which the task is on the critical path",
        xaxis=dict(range=[0, 112], ticksuffix="%", dtick=20, title=dict(text="Criticality index")),
        yaxis=dict(tickmode="array", tickvals=ys, ticktext=names, range=[len(s) - 0.5, -0.5],
                   showgrid=False, ticks=""),
        margin=dict(t=80),
    )


# --- Scenarios ------------------------------------------------------------------------------

def scenario_ranges(
    data: pd.DataFrame,
    *,
    scenario: str = "scenario",
    deterministic: str | None = "deterministic",
    p50: str = "p50",
    p80: str = "p80",
    p90: str | None = "p90",
    target: Any = None,
    title: str | None = "Finish by scenario",
    height: int | None = None,
) -> go.Figure:
    """Range chart of finishes per scenario: a P50-P80 bar, a whisker to P90, the plan marked.

    Parameters
    ----------
    data:
        One row per scenario, in the order to show (first at the top).
    scenario, deterministic, p50, p80, p90:
        Columns of the scenario name and of its finishes (dates or numbers); None leaves the
        deterministic marker or the P90 whisker out.
    target:
        The target finish, drawn as a vertical line.
    title, height:
        Figure title; height in pixels (by default it grows with the number of scenarios).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"scenario": ["base"], "deterministic": [10], "p50": [12],
    ...                   "p80": [15], "p90": [17]})
    >>> bar = scenario_ranges(t).data[0]
    >>> float(bar.base[0]), float(bar.x[0])
    (12.0, 3.0)
    """
    _require(data, scenario=scenario, deterministic=deterministic, p50=p50, p80=p80, p90=p90)
    if data.empty:
        raise ValueError("the table has no scenarios to draw")
    v50, is_date = _axis_values(data[p50])
    v80, _ = _axis_values(data[p80])
    v90 = _axis_values(data[p90])[0] if p90 else None
    plan = _axis_values(data[deterministic])[0] if deterministic else None
    names = [_label(n, 40) for n in data[scenario]]
    ys = list(range(len(data)))
    unit = MS_PER_DAY if is_date else 1

    def hover(k: int) -> str:
        lines = [f"<b>{names[k]}</b>"]
        if plan is not None:
            lines.append(f"Plan: {_x_text(plan[k], is_date)}")
        lines += [f"P50: {_x_text(v50[k], is_date)}", f"P80: {_x_text(v80[k], is_date)}"]
        if v90 is not None:
            lines.append(f"P90: {_x_text(v90[k], is_date)}")
        return "<br>".join(lines)

    texts = [hover(k) for k in ys]
    deco = _Decor()
    fig = go.Figure(go.Bar(
        y=ys, base=_plot_x(v50, is_date), x=(v80 - v50) * unit, orientation="h", width=0.5,
        name="P50 to P80", marker=dict(color=TASK, line=dict(width=0)),
        hovertext=texts, hovertemplate="%{hovertext}<extra></extra>",
    ))
    if v90 is not None:
        xs: list[Any] = []
        wy: list[Any] = []
        for k in ys:
            xs += [*_plot_x(np.array([v80[k], v90[k]]), is_date), None]
            wy += [k, k, None]
        fig.add_trace(go.Scatter(
            x=xs, y=wy, mode="lines", name="P80 to P90", line=dict(color=TASK, width=2),
            hoverinfo="skip",
        ))
        fig.add_trace(go.Scatter(
            x=_plot_x(v90, is_date), y=ys, mode="markers", name="P90", showlegend=False,
            marker=dict(symbol="line-ns", size=14, line=dict(color=TASK, width=2)),
            hovertext=texts, hovertemplate="%{hovertext}<extra></extra>",
        ))
    if plan is not None:
        fig.add_trace(go.Scatter(
            x=_plot_x(plan, is_date), y=ys, mode="markers", name="Deterministic plan",
            marker=dict(symbol="diamond", size=13, color=INK, line=dict(color="white", width=1.5)),
            hovertext=texts, hovertemplate="%{hovertext}<extra></extra>",
        ))
    last = v90 if v90 is not None else v80
    fig.add_trace(go.Scatter(
        x=_plot_x(last, is_date), y=ys, mode="text", showlegend=False, hoverinfo="skip",
        text=[f"  P80 {_x_text(v80[k], is_date)}" + (f" · P90 {_x_text(v90[k], is_date)}"
                                                     if v90 is not None else "") for k in ys],
        textposition="middle right",
        textfont=dict(size=11, color=MUTED),
    ))
    extra = [_point(target, is_date)] if target is not None else []
    every = np.concatenate([v50, v80, *(a for a in (v90, plan) if a is not None)])
    if target is not None:
        x = extra[0]
        deco.vline(_x_shape(x, is_date), name="target", colour=TARGET, width=2)
        deco.note(x=_x_shape(x, is_date), y=1, yref="paper", xref="x",
                  text=f"<b>Target</b> {_x_text(x, is_date)}", xanchor="left",
                  yanchor="bottom", xshift=3, font=dict(size=11, color=TARGET))
    return _finish(
        fig, deco, title=title, height=height or max(300, 170 + 56 * len(data)),
        xaxis=dict(type="date" if is_date else "linear",
                   # Wide on the right: the P80 and P90 labels follow each row's last point.
                   range=_risk_x_range(every, extra, is_date, pad_share=0.05, right_pads=6),
                   title=dict(text="Finish date" if is_date else "Finish")),
        yaxis=dict(tickmode="array", tickvals=ys, ticktext=[f"<b>{n}</b>" for n in names],
                   range=[len(data) - 0.5, -0.5], showgrid=False, ticks=""),
        margin=dict(t=96),
    )


def scenario_s_curves(
    samples: Mapping[str, Sequence[Any] | np.ndarray | pd.Series],
    *,
    target: Any = None,
    title: str | None = "Probability of finishing by date, by scenario",
    height: int = 480,
) -> go.Figure:
    """Overlaid S-curves (empirical CDFs), one per scenario, with the target marked.

    Parameters
    ----------
    samples:
        Scenario name -> simulated finishes (all dates, or all numbers), in legend order.
    target:
        The target finish; the legend then gives each scenario's chance of meeting it.
    title, height:
        Figure title and height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = scenario_s_curves({"a": [1, 2], "b": [2, 3]}, target=2)
    >>> [t.name for t in fig.data]
    ['a · P80 2 · 100% by target', 'b · P80 3 · 50% by target']
    """
    if not samples:
        raise ValueError("no scenarios to draw")
    fig = go.Figure()
    deco = _Decor()
    kinds = set()
    ends: list[float] = []
    for k, (label, values) in enumerate(samples.items()):
        sample, is_date = _axis_values(values)
        kinds.add(is_date)
        xs, ys = _cdf(sample)
        ends += [float(sample.min()), float(sample.max())]
        p80 = float(np.quantile(sample, 0.8, method="inverted_cdf"))
        name = f"{_label(label, 40)} · P80 {_x_text(p80, is_date)}"
        if target is not None:
            name += f" · {_share_by(sample, _point(target, is_date)):.0%} by target"
        fig.add_trace(go.Scatter(
            x=_plot_x(xs, is_date), y=ys, mode="lines", name=name,
            line=dict(shape="hv", width=2.5, color=PALETTE[k % len(PALETTE)]),
            hovertemplate=f"{_label(label, 40)}: %{{y:.1f}}% finished by %{{x}}<extra></extra>",
        ))
    if len(kinds) > 1:
        raise ValueError("every scenario's finishes must be dates, or every one numbers")
    is_date = kinds.pop()
    for level in (50, 80):
        deco.hline(level, name=f"P{level}", colour=AXIS)
        deco.note(x=1, xref="paper", y=level, yref="y", text=f"P{level}",
                  xanchor="right", yanchor="bottom", font=dict(size=10, color=MUTED))
    extra = []
    if target is not None:
        x = _point(target, is_date)
        extra.append(x)
        deco.vline(_x_shape(x, is_date), name="target", colour=TARGET, width=2)
        deco.note(x=_x_shape(x, is_date), y=1, yref="paper", xref="x",
                  text=f"<b>Target</b> {_x_text(x, is_date)}", xanchor="left",
                  yanchor="top", xshift=3, font=dict(size=11, color=TARGET),
                  bgcolor="rgba(255,255,255,0.85)")
    return _finish(
        fig, deco, title=title, height=height, hovermode="closest",
        xaxis=dict(type="date" if is_date else "linear",
                   range=_risk_x_range(np.array(ends), extra, is_date, right_pads=1),
                   title=dict(text="Finish date" if is_date else "Finish")),
        yaxis=dict(title=dict(text="Iterations finished"), ticksuffix="%", range=[0, 104],
                   dtick=20),
        legend=dict(orientation="v", x=0.99, xanchor="right", y=0.03, yanchor="bottom",
                    bgcolor="rgba(255,255,255,0.9)", bordercolor=GRID, borderwidth=1),
        margin=dict(t=80),
    )


# --- Static export ----------------------------------------------------------------------------

def _chrome_missing(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "ChromeNotFoundError":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def save_static(
    fig: go.Figure,
    path: str | os.PathLike[str],
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float = 2.0,
) -> Path:
    """Write ``fig`` as a static image for slides (PNG, SVG, PDF, JPEG or WebP, by suffix).

    Rendering uses kaleido, which drives a local Chrome or Chromium; nothing is downloaded.
    The file is written atomically.

    Parameters
    ----------
    fig:
        The figure.
    path:
        Output file; its suffix picks the format (see ``STATIC_FORMATS``).
    width, height:
        Size in CSS pixels; by default the figure's own, else 1400 wide and 800 high.
    scale:
        Pixel density for raster formats (2 suits slides and high-DPI screens).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FigureExportError
        The suffix is not a static format, or no browser is available to render the image.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in STATIC_FORMATS:
        raise FigureExportError(
            f"{target}: cannot write a {target.suffix or 'suffix-less'} file; "
            f"use one of {', '.join('.' + f for f in STATIC_FORMATS)}"
        )
    try:
        image = fig.to_image(
            format="jpeg" if fmt == "jpg" else fmt,
            width=width or fig.layout.width or 1400,
            height=height or fig.layout.height or 800,
            scale=scale,
        )
    except Exception as exc:
        if _chrome_missing(exc):
            raise FigureExportError(
                f"{target}: static export needs Chromium and none was found; install Debian's "
                "chromium (apt-get install -y chromium) or set BROWSER_PATH to a Chromium binary"
            ) from None
        if type(exc).__module__.split(".")[0] in ("kaleido", "choreographer"):
            raise FigureExportError(f"{target}: static export failed: {exc}") from exc
        raise
    return write_atomic(target, image)
