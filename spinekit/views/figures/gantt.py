"""Gantt charts of a schedule, and of two schedules compared: data in, ``go.Figure`` out.

On a Gantt a date is a whole day: a task occupies its days from the start of its first to the
end of its last, so a one-day task has a visible bar. A milestone sits at the start of its day
(everything before it is complete), the today line at the start of today and the target line at
the end of the target day. Figures only draw: schedules are computed elsewhere and passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from spinekit.views.figures.style import (
    ARROW,
    AXIS,
    BASELINE,
    CLOSURE_FILL,
    CRITICAL,
    CRITICAL_TEXT,
    DAY,
    HOLIDAY_FILL,
    INK,
    LABEL_ROW,
    LANE,
    LANE_BAND,
    MISSING,
    MUTED,
    NO_GROUP,
    TARGET,
    TASK,
    TODAY,
    WEEKEND_FILL,
    WEEKEND_SHADING_MAX_DAYS,
    Decor,
    colour_map,
    date_ticks,
    day_text,
    esc,
    figure_height,
    finish_figure,
    is_missing,
    require_columns,
    short_day,
    short_label,
    to_dates,
    to_ms,
    to_timestamp,
    wrapped_label,
)

if TYPE_CHECKING:
    import networkx as nx

    from spinekit.engine.schedule import Schedule
    from spinekit.model.calendar import WorkingCalendar

__all__ = ["gantt", "gantt_comparison", "SUMMARY_TASKS"]

#: Above this many tasks a swimlane Gantt is drawn in summary (one bar per lane) unless asked
#: otherwise: a row per task would make a page too tall to read and too slow to open.
SUMMARY_TASKS = 200


def _unpack(data: pd.DataFrame | Schedule) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table, plus defaults a :class:`Schedule` carries (links, calendar, target, title)."""
    if isinstance(data, pd.DataFrame):
        return data, {}
    prog = data.programme
    table = data.table
    if "basis" not in table.columns:
        basis = {t.id: t.basis for t in prog.tasks}
        table = table.assign(basis=table["id"].map(basis))
    if "why" not in table.columns:
        why = {t.id: t.rule.describe() if t.rule is not None else None for t in prog.tasks}
        table = table.assign(why=table["id"].map(why))
    return table, {"links": data.graph, "calendar": prog.calendar, "target": prog.target, "title": prog.name}


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
        lanes.append(
            {
                "group": g,
                "y": lane_y,
                "first": part["y"].min() if lane_y is None else lane_y,
                "last": part["y"].max(),
                "start": part["_start"].min(),
                "end": part["_end"].max(),
                "tasks": len(part),
                "critical": int(part["_critical"].sum()),
                "float": part["_float"].min(),
            }
        )
    return pd.concat(parts).drop(columns="_pos"), pd.DataFrame(lanes)


def _task_hover(r: pd.Series, lane_name: str | None) -> str:
    lines = [f"<b>{esc(r['_name'])}</b>", f"{esc(r['_id'])}" + (f" · {esc(r['_group'])}" if lane_name else "")]
    if r["_milestone"]:
        lines.append(f"Milestone: {day_text(r['_start'])}")
    else:
        lines += [f"Start: {day_text(r['_start'])}", f"Finish: {day_text(r['finish_figure'])}"]
        if not is_missing(r["_duration"]):
            lines.append(f"Duration: {int(r['_duration'])} working days")
    if not is_missing(r["_float"]):
        crit = " (critical)" if r["_critical"] else ""
        lines.append(f"Total float: {int(r['_float'])} working days{crit}")
    if r["_owner"] is not None:
        lines.append(f"Owner: {short_label(r['_owner'], 80)}")
    if not is_missing(r["_basis"]):
        lines.append(f"Basis: {wrapped_label(r['_basis'])}")
    if not is_missing(r["_why"]):
        lines.append(f"Why here: {wrapped_label(r['_why'])}")
    return "<br>".join(lines)


def _critical_runs(crit: pd.DataFrame, calendar: WorkingCalendar | None) -> pd.DataFrame:
    """The critical tasks of each summary row joined into runs, one bar per run.

    A run goes on while the next task (by start) begins with no working day since the run's
    end, so a chain of critical tasks is one bar, not one per task. One row per run: ``y``,
    ``start``, ``end``, ``first`` and ``last`` (index labels of its first and last task in
    ``crit``) and ``tasks`` (how many).
    """
    crit = crit.sort_values(["y", "_start", "_end"], kind="stable")
    starts = crit["_start"].to_numpy("datetime64[D]")
    rows = crit["y"].to_numpy()
    holidays: list[dt.date] = []
    if calendar is not None and len(crit):
        holidays = calendar.non_working_days(crit["_start"].min().date(), crit["_end"].max().date())
    # Where the run so far reaches, row by row: the latest end among the tasks before.
    reach = crit.groupby("y")["_end"].cummax().to_numpy("datetime64[D]")
    new = np.ones(len(crit), dtype=bool)
    if len(crit) > 1:
        gap = np.busday_count(reach[:-1], starts[1:], holidays=holidays)
        new[1:] = (rows[1:] != rows[:-1]) | (gap > 0)
    grouped = crit.assign(_run=np.cumsum(new), _label=crit.index).groupby("_run")
    return pd.DataFrame(
        {
            "y": grouped["y"].first(),
            "start": grouped["_start"].min(),
            "end": grouped["_end"].max(),
            "first": grouped["_label"].first(),
            "last": grouped["_label"].last(),
            "tasks": grouped.size(),
        }
    ).reset_index(drop=True)


def _run_hover(run: pd.Series, w: pd.DataFrame, group: str | None) -> str:
    """A critical run's hover: the task's own text for a run of one, else its span and ends."""
    if run["tasks"] == 1:
        return _task_hover(w.loc[run["first"]], group)
    return "<br>".join(
        [
            f"<b>Critical path: {run['tasks']:,} tasks in a row</b>",
            f"{day_text(run['start'])} to {day_text(run['end'] - DAY)}",
            f"First: {short_label(w.at[run['first'], '_name'])}",
            f"Last: {short_label(w.at[run['last'], '_name'])}",
        ]
    )


def _lane_hover(lane: pd.Series) -> str:
    lines = [
        f"<b>{esc(lane['group'])}</b>",
        f"{day_text(lane['start'])} to {day_text(lane['end'] - DAY)}",
        f"{lane['tasks']} tasks, {lane['critical']} critical",
    ]
    if not is_missing(lane["float"]):
        lines.append(f"Least total float: {int(lane['float'])} working days")
    return "<br>".join(lines)


def _shade_calendar(deco: Decor, lo: pd.Timestamp, hi: pd.Timestamp, calendar: WorkingCalendar | None) -> None:
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
        x0, x1 = max(to_timestamp(c.start), lo), min(to_timestamp(c.end) + DAY, hi)
        deco.vrect(x0, x1, fill=CLOSURE_FILL, name="closure")
        deco.note(
            x=x0 + (x1 - x0) / 2,
            y=0,
            xref="x",
            yref="paper",
            text=short_label(c.name or "Closure", 40),
            textangle=-90,
            yanchor="bottom",
            font=dict(size=10, color="#8A6100"),
        )
    for day in calendar.non_working_days(lo.date(), hi.date()):
        if day not in closure_days:
            deco.vrect(to_timestamp(day), to_timestamp(day) + DAY, fill=HOLIDAY_FILL, name="bank holiday")


def _date_marks(deco: Decor, target: Any, today: Any) -> None:
    if target is not None:
        t = to_timestamp(target)
        deco.vline(t + DAY, name="target", colour=TARGET, dash="dash")
        deco.note(
            x=t + DAY,
            y=LABEL_ROW,
            xref="x",
            yref="y",
            xanchor="right",
            text=f"<b>Target {short_day(t)}</b> ",
            font=dict(size=11, color=TARGET),
            bgcolor="rgba(255,255,255,0.8)",
        )
    if today is not None:
        t = to_timestamp(today)
        deco.vline(t, name="today", colour=TODAY)
        deco.note(
            x=t,
            y=LABEL_ROW,
            xref="x",
            yref="y",
            xanchor="left",
            text=f" <b>Today {short_day(t)}</b>",
            font=dict(size=11, color=TODAY),
            bgcolor="rgba(255,255,255,0.8)",
        )


def _x_range(lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    pad = max(pd.Timedelta(days=2), (hi - lo) * 0.02)
    return (lo - pad).floor("D"), (hi + pad).ceil("D")


def _gantt_canvas(
    w: pd.DataFrame,
    lanes: pd.DataFrame,
    *,
    banded: bool,
    calendar: WorkingCalendar | None,
    marks: Iterable[Any],
) -> tuple[Decor, tuple[pd.Timestamp, pd.Timestamp]]:
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
    (Decor, (pandas.Timestamp, pandas.Timestamp))
        The shapes so far, to add to, and the x-axis range.
    """
    deco = Decor()
    if banded:
        for k, lane in enumerate(lanes.itertuples()):
            if k % 2 == 0:
                deco.hrect(lane.y - 0.5, lane.last + 0.5, fill=LANE_BAND, name="lane")
    marks_at = [to_timestamp(d) for d in marks if d is not None]
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
        x=xs,
        y=ys,
        mode="lines",
        name="Dependency",
        legendgroup="dependency",
        line=dict(color=ARROW, width=0.8),
        hoverinfo="skip",
        connectgaps=False,
    )
    heads = go.Scatter(
        x=heads_x,
        y=heads_y,
        mode="markers",
        name="Dependency arrowhead",
        legendgroup="dependency",
        showlegend=False,
        hoverinfo="skip",
        marker=dict(symbol=heads_symbol, size=8, color=ARROW),
    )
    return [lines, heads]


def _whiskers(w: pd.DataFrame, percentiles: pd.DataFrame | Mapping[str, Any]) -> go.Scatter:
    p = (
        percentiles
        if isinstance(percentiles, pd.DataFrame)
        else pd.DataFrame.from_dict(dict(percentiles), orient="index")
    )
    p = p.rename(columns=str.lower)
    require_columns(p, p50="p50", p80="p80")
    p.index = p.index.map(str)
    xs: list[Any] = []
    ys: list[Any] = []
    text: list[str | None] = []
    for _, r in w.iterrows():
        if r["_id"] not in p.index:
            continue
        shift = pd.Timedelta(0) if r["_milestone"] else DAY
        p50, p80 = to_timestamp(p.at[r["_id"], "p50"]), to_timestamp(p.at[r["_id"], "p80"])
        hover = f"<b>{esc(r['_name'])}</b><br>Simulated finish<br>P50: {day_text(p50)}<br>P80: {day_text(p80)}"
        xs += [p50 + shift, p80 + shift, None]
        ys += [r["y"], r["y"], None]
        text += [hover, hover, None]
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines+markers",
        name="P50–P80 finish (simulated)",
        line=dict(color=INK, width=1.5),
        hovertext=text,
        hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(symbol="line-ns-open", size=11, color=INK, line=dict(width=2, color=INK)),
    )


def _work_table(
    t: pd.DataFrame,
    *,
    task: str,
    name: str | None,
    start: str,
    finish: str,
    duration: str | None,
    group: str | None,
    critical: str | None,
    total_float: str | None,
    owner: str | None,
    basis: str | None,
    why: str | None = None,
) -> pd.DataFrame:
    n = len(t)
    w = pd.DataFrame({"_id": t[task].astype(str).to_numpy()})
    w["_name"] = (t[name] if name else t[task]).to_numpy()
    w["_start"] = to_dates(t[start]).to_numpy()
    w["finish_figure"] = to_dates(t[finish]).to_numpy()
    w["_duration"] = t[duration].to_numpy() if duration else np.full(n, np.nan)
    w["_milestone"] = (t[duration] == 0).to_numpy() if duration else np.zeros(n, bool)
    w["_end"] = np.where(w["_milestone"], w["_start"], w["finish_figure"] + DAY)
    w["_end"] = pd.to_datetime(w["_end"])
    w["_group"] = [NO_GROUP if is_missing(v) else str(v) for v in t[group]] if group else [""] * n
    w["_critical"] = t[critical].fillna(False).astype(bool).to_numpy() if critical else False
    w["_float"] = t[total_float].to_numpy() if total_float else np.nan
    w["_owner"] = pd.Series(list(t[owner]) if owner else [None] * n, dtype=object)
    w["_basis"] = pd.Series(list(t[basis]) if basis and basis in t.columns else [None] * n, dtype=object)
    w["_why"] = pd.Series(list(t[why]) if why and why in t.columns else [None] * n, dtype=object)
    return w


def _colour_keys(w: pd.DataFrame, table: pd.DataFrame, color: str | None, critical: str | None) -> dict[str, str]:
    """Set each task's legend key (``_key``) from the ``color`` column; return key -> colour."""
    if color is None:
        w["_key"] = "Task"
        return {"Task": TASK}
    if color == critical:
        w["_key"] = np.where(w["_critical"], "Critical", "Not critical")
        return {"Critical": CRITICAL, "Not critical": TASK}
    w["_key"] = [MISSING if is_missing(v) else str(v) for v in table[color]]
    return colour_map(w["_key"])


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
    why: str | None = "why",
    links: nx.DiGraph | None = None,
    arrows: bool = False,
    calendar: WorkingCalendar | None = None,
    target: dt.date | None = None,
    today: dt.date | None = None,
    percentiles: pd.DataFrame | Mapping[str, Mapping[str, Any]] | None = None,
    summary: bool | None = None,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Gantt chart of a schedule table: one bar per task on real dates, in swimlanes.

    Parameters
    ----------
    data:
        One row per task (a schedule table), or a :class:`Schedule`, which also supplies
        ``basis`` (lead-time provenance), ``why`` (the catalogue rule behind a generated task),
        ``links``, ``calendar``, ``target`` and ``title`` unless they are given.
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
    why:
        Column of why each task is here (the catalogue rule that generated it), shown on hover
        as "Why here" when the column exists; None leaves it out.
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
        One bar per lane spanning its tasks, with the critical path over it in red (a run of
        critical tasks one after another is one bar) and milestones still shown, for large
        programmes. None (the default) draws the summary when there are lanes (``group``) and
        more than :data:`SUMMARY_TASKS` tasks.
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
    require_columns(
        table,
        task=task,
        name=name,
        start=start,
        finish=finish,
        duration=duration,
        group=group,
        color=color,
        critical=critical,
        total_float=total_float,
        owner=owner,
    )
    if table.empty:
        raise ValueError("the table has no tasks to draw")
    auto = summary is None
    if summary is None:
        summary = group is not None and len(table) > SUMMARY_TASKS
    if summary and group is None:
        raise ValueError("summary=True draws one bar per lane; name the lanes with group=")
    w = _work_table(
        table,
        task=task,
        name=name,
        start=start,
        finish=finish,
        duration=duration,
        group=group,
        critical=critical,
        total_float=total_float,
        owner=owner,
        basis=basis,
        why=why,
    )
    colours = _colour_keys(w, table, color, critical)
    layout = "summary" if summary else "headers" if group is not None else "flat"
    w, lanes = _lanes(w, layout)
    rows = int(w["y"].max() + 1)
    fig = go.Figure()
    marks_at = [today, target]
    if percentiles is not None and not summary:
        # The whiskers must fit too: take the latest simulated P80 as a mark.
        p80s = (
            list(percentiles["p80"])
            if isinstance(percentiles, pd.DataFrame)
            else [v.get("p80") for v in dict(percentiles).values()]
        )
        marks_at += [max(to_timestamp(d) for d in p80s if d is not None)] if any(d is not None for d in p80s) else []
    deco, (x0, x1) = _gantt_canvas(w, lanes, banded=layout != "flat", calendar=calendar, marks=marks_at)

    bars = w[~w["_milestone"]]
    # Each task's hover text, built once: the critical-path overlay repeats its tasks' text.
    # In summary only the milestones are drawn one per task (critical runs describe themselves).
    hovered = w[w["_milestone"]] if summary else w
    hover = {k: _task_hover(r, group) for k, r in hovered.iterrows()}
    spans = lanes[lanes["end"] > lanes["start"]] if layout != "flat" else lanes.iloc[:0]
    if not spans.empty:
        fig.add_trace(
            go.Bar(
                y=spans["y"],
                base=spans["start"],
                x=[to_ms(d) for d in spans["end"] - spans["start"]],
                orientation="h",
                width=0.6 if summary else 0.22,
                name="Lane span",
                customdata=spans["group"],
                showlegend=summary,
                marker=dict(color=TASK if summary else LANE, line_width=0),
                hovertext=[_lane_hover(r) for _, r in spans.iterrows()],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    if not summary:
        for key, colour in colours.items():
            part = bars[bars["_key"] == key]
            if part.empty:
                continue
            fig.add_trace(
                go.Bar(
                    y=part["y"],
                    base=part["_start"],
                    x=[to_ms(d) for d in part["_end"] - part["_start"]],
                    orientation="h",
                    width=0.62,
                    name=short_label(key, 40),
                    customdata=part["_id"],
                    marker=dict(color=colour, line=dict(color="white", width=0.5)),
                    hovertext=[hover[k] for k in part.index],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
    # The critical path over the bars, so it reads at a glance and its legend entry toggles
    # it: in summary, red runs over the lane spans; otherwise red outlines on the task bars
    # (unless the bars are coloured by criticality already).
    crit = bars[bars["_critical"]] if summary or color != critical else bars.iloc[:0]
    if not crit.empty:
        if summary:
            runs = _critical_runs(crit, calendar)
            ids = [w.at[k, "_id"] for k in runs["first"]]
            style: dict[str, Any] = dict(
                width=0.6,
                marker=dict(color=CRITICAL, line_width=0),
                hovertext=[_run_hover(r, w, group) for _, r in runs.iterrows()],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        else:
            runs = crit.rename(columns={"_start": "start", "_end": "end"})
            ids = list(crit["_id"])
            style = dict(
                width=0.62, marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2.5)), hoverinfo="skip"
            )
        fig.add_trace(
            go.Bar(
                y=runs["y"],
                base=runs["start"],
                x=[to_ms(d) for d in runs["end"] - runs["start"]],
                orientation="h",
                name="Critical path",
                customdata=ids,
                **style,
            )
        )
    marks = w[w["_milestone"]]
    if not marks.empty:
        fig.add_trace(
            go.Scatter(
                x=marks["_start"],
                y=marks["y"],
                mode="markers",
                name="Milestone",
                customdata=marks["_id"],
                # In summary, red diamonds would vanish on the red critical segments they end.
                marker=dict(
                    symbol="diamond",
                    size=15,
                    color=[CRITICAL if c and not summary else INK for c in marks["_critical"]],
                    line=dict(color="white", width=1.5),
                ),
                hovertext=[hover[k] for k in marks.index],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    if percentiles is not None and not summary:
        fig.add_trace(_whiskers(w, percentiles))
    if arrows and links is not None and not summary:
        fig.add_traces(_arrows(w, links))
    _date_marks(deco, target, today)

    ticks = _row_labels(w, lanes, layout, mark_critical=True)
    subtitle = f"Finish {day_text(_last_work_day(w))} · {len(w):,} tasks"
    if critical is not None:
        subtitle += f", {int(w['_critical'].sum()):,} critical"
    if summary:
        subtitle += " · one bar per lane" + (f", as there are more than {SUMMARY_TASKS} tasks" if auto else "")
    return _finish_gantt(fig, deco, ticks, rows=rows, x_range=(x0, x1), title=title, subtitle=subtitle, height=height)


def _last_work_day(w: pd.DataFrame) -> pd.Timestamp:
    """The programme's last working day of work (as the schedule's ``finish_date``)."""
    work = w[~w["_milestone"]]
    return (work if not work.empty else w)["finish_figure"].max()


def _row_labels(w: pd.DataFrame, lanes: pd.DataFrame, layout: str, *, mark_critical: bool) -> list[tuple[int, str]]:
    """(row, label) for every Gantt row: lane names in bold, critical task names in red."""
    lane_rows = [] if layout == "flat" else [(int(y), g) for y, g in zip(lanes["y"], lanes["group"])]
    if layout == "summary":
        return [(y, f"<b>{short_label(g)}</b>") for y, g in lane_rows]
    ticks = [(y, f"<b>{short_label(g).upper()}</b>") for y, g in lane_rows]
    for y, name, critical in zip(w["y"], w["_name"], w["_critical"]):
        text = short_label(name)
        if mark_critical and critical:
            text = f'<span style="color:{CRITICAL_TEXT}">{text}</span>'
        ticks.append((int(y), text))
    return sorted(ticks)


def _finish_gantt(
    fig: go.Figure,
    deco: Decor,
    ticks: list[tuple[int, str]],
    *,
    rows: int,
    x_range: tuple[pd.Timestamp, pd.Timestamp],
    title: str | None,
    subtitle: str | None,
    height: int | None,
    row_scale: float = 1.0,
) -> go.Figure:
    """Gantt layout: a row per tick under the label row, and a date axis.

    Tall charts get a second date axis along the top, so their legend moves to the bottom.
    """
    auto, font = figure_height(rows + 1, row_scale)
    height = height or auto
    x0, x1 = x_range
    top_axis = rows > 30
    legend: dict[str, Any] = {}
    margin = dict(t=96)
    if top_axis:
        margin = dict(t=130, b=80)
        legend = dict(yref="container", y=0, yanchor="bottom")
    xaxis = dict(
        type="date",
        range=[x0, x1],
        **date_ticks(x1 - x0),
        showspikes=True,
        spikemode="across",
        spikesnap="cursor",
        spikecolor=AXIS,
        spikethickness=1,
        spikedash="dot",
    )
    layout: dict[str, Any] = {}
    if top_axis:
        layout["xaxis2"] = dict(xaxis, overlaying="x", side="top", matches="x", showgrid=False, showspikes=False)
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[0, 0],
                xaxis="x2",
                mode="markers",
                marker=dict(opacity=0),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return finish_figure(
        fig,
        deco,
        title=title,
        subtitle=subtitle,
        height=height,
        barmode="overlay",
        hovermode="closest",
        margin=margin,
        legend=legend,
        xaxis=xaxis,
        yaxis=dict(
            tickmode="array",
            tickvals=[y for y, _ in ticks],
            ticktext=[t for _, t in ticks],
            range=[rows - 0.5, LABEL_ROW - 0.5],
            showgrid=False,
            ticks="",
            tickfont=dict(size=font),
            showline=False,
        ),
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
    roles = dict(task=task, name=name, start=start, finish=finish, duration=duration, group=group, critical=critical)
    works = []
    for table in (base_table, scen_table):
        require_columns(table, **roles)
        if table.empty:
            raise ValueError("the table has no tasks to draw")
        works.append(
            _work_table(
                table,
                task=task,
                name=name,
                start=start,
                finish=finish,
                duration=duration,
                group=group,
                critical=critical,
                total_float=None,
                owner=None,
                basis=None,
            )
        )
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
    deco, (x0, x1) = _gantt_canvas(w, lanes, banded=bool(group), calendar=calendar, marks=(today, target))

    hover = {i: _comparison_hover(i, before, after, names) for i in ids}
    for label, frame, shift, colour in ((names[0], before, -0.19, BASELINE), (names[1], after, 0.19, TASK)):
        bars = frame[~frame["_milestone"]]
        fig.add_trace(
            go.Bar(
                y=y.reindex(bars.index) + shift,
                base=bars["_start"],
                x=[to_ms(d) for d in bars["_end"] - bars["_start"]],
                orientation="h",
                width=0.34,
                name=esc(label),
                customdata=list(bars.index),
                marker=dict(color=colour, line=dict(color="white", width=0.5)),
                hovertext=[hover[i] for i in bars.index],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
        if label == names[1]:
            crit = bars[bars["_critical"]]
            if not crit.empty:
                fig.add_trace(
                    go.Bar(
                        y=y.reindex(crit.index) + shift,
                        base=crit["_start"],
                        x=[to_ms(d) for d in crit["_end"] - crit["_start"]],
                        orientation="h",
                        width=0.34,
                        name="Critical path",
                        hoverinfo="skip",
                        marker=dict(color="rgba(0,0,0,0)", line=dict(color=CRITICAL, width=2)),
                    )
                )
        marks = frame[frame["_milestone"]]
        if not marks.empty:
            fig.add_trace(
                go.Scatter(
                    x=marks["_start"],
                    y=y.reindex(marks.index) + shift,
                    mode="markers",
                    name=f"{esc(label)} milestone",
                    showlegend=False,
                    customdata=list(marks.index),
                    marker=dict(
                        symbol="diamond", size=12, color=colour if shift < 0 else INK, line=dict(color="white", width=1)
                    ),
                    hovertext=[hover[i] for i in marks.index],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
    for label, frame, colour in ((names[0], before, MUTED), (names[1], after, TASK)):
        last = _last_work_day(frame)
        deco.vline(last + DAY, name=f"finish {label}", colour=colour, dash="dot", width=1.5)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=f"{esc(label)} finish {short_day(last)}",
                line=dict(color=colour, dash="dot", width=1.5),
            )
        )
    _date_marks(deco, target, today)

    ticks = _row_labels(w, lanes, "headers" if group else "flat", mark_critical=False)
    moved = (_last_work_day(after) - _last_work_day(before)).days
    if moved:
        subtitle = (
            f"{names[1]} finishes {abs(moved)} calendar days {'later' if moved > 0 else 'earlier'} than {names[0]}"
        )
    else:
        subtitle = f"{names[1]} finishes on the same day as {names[0]}"
    return _finish_gantt(
        fig, deco, ticks, rows=rows, x_range=(x0, x1), title=title, subtitle=subtitle, height=height, row_scale=1.15
    )


def _comparison_hover(task_id: str, before: pd.DataFrame, after: pd.DataFrame, names: tuple[str, str]) -> str:
    row = after.loc[task_id] if task_id in after.index else before.loc[task_id]
    lines = [f"<b>{esc(row['_name'])}</b>", esc(task_id)]
    for label, frame in zip(names, (before, after)):
        if task_id not in frame.index:
            lines.append(f"{esc(label)}: not in this schedule")
            continue
        r = frame.loc[task_id]
        when = (
            day_text(r["_start"]) if r["_milestone"] else f"{day_text(r['_start'])} to {day_text(r['finish_figure'])}"
        )
        lines.append(f"{esc(label)}: {when}")
    if task_id in before.index and task_id in after.index:
        days = (after.at[task_id, "_end"] - before.at[task_id, "_end"]).days
        lines.append(f"Finish moves {days:+d} calendar days")
    return "<br>".join(lines)
