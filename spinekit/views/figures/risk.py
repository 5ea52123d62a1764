"""Schedule-risk charts of a Monte Carlo simulation: finish histogram, S-curve, tornado, criticality.

Finish dates are plotted as points; simulations and sensitivities are computed elsewhere and
passed in as arrays, tables or mappings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from spinekit.views.figures.axes import (
    axis_values,
    cdf,
    plot_x,
    point,
    share_by,
    x_range,
    x_shape,
    x_text,
)
from spinekit.views.figures.style import (
    CRITICAL,
    INK,
    MS_PER_DAY,
    MUTED,
    PERCENTILE_COLOURS,
    TARGET,
    TASK,
    Decor,
    day_text,
    esc,
    finish_figure,
    short_label,
)

if TYPE_CHECKING:
    pass

__all__ = ["finish_histogram", "s_curve", "tornado", "criticality_chart"]

#: Criticality bars run from grey (never critical) through amber to red (always critical).
_CRITICALITY_SCALE = [[0.0, "#AEB7BD"], [0.5, "#ED8B00"], [1.0, CRITICAL]]


def _percentile_marks(
    percentiles: Mapping[Any, Any] | None, sample: np.ndarray, is_date: bool
) -> list[tuple[str, float, float]]:
    """(label, level in %, position) per percentile; P50/P80/P90 of the sample by default."""
    if percentiles is None:
        levels = {f"P{q}": q for q in (50, 80, 90)}
        return [(k, q, float(np.quantile(sample, q / 100, method="inverted_cdf"))) for k, q in levels.items()]
    marks = []
    for key, value in percentiles.items():
        if isinstance(key, str):
            q = float(key.strip().lstrip("Pp"))
        else:
            q = float(key) * (100 if float(key) <= 1 else 1)
        marks.append((f"P{q:g}", q, point(value, is_date)))
    return sorted(marks, key=lambda m: m[1])


def _risk_marks(
    deco: Decor,
    marks: list[tuple[str, float, float]],
    sample: np.ndarray,
    is_date: bool,
    target: Any,
    deterministic: Any,
    *,
    on_curve: bool,
) -> None:
    """Lines, with labels, for percentiles, the deterministic plan and the target.

    With ``on_curve`` a percentile's line stops at its level on the S-curve and its label sits
    beside that point; otherwise every line spans the plot, labelled at the top.
    """
    top: list[tuple[float, str, str]] = []
    for label, level, x in marks:
        colour = PERCENTILE_COLOURS.get(label, INK)
        text = f"<b>{label}</b> {x_text(x, is_date)}"
        if on_curve:
            deco.shape(
                type="line",
                name=label,
                x0=x_shape(x, is_date),
                x1=x_shape(x, is_date),
                y0=0,
                y1=level,
                xref="x",
                yref="y",
                layer="above",
                line=dict(color=colour, width=1.5, dash="dash"),
            )
            deco.note(
                x=x_shape(x, is_date),
                y=level,
                xref="x",
                yref="y",
                text=text,
                xanchor="left",
                yanchor="middle",
                xshift=8,
                font=dict(size=11, color=colour),
                bgcolor="rgba(255,255,255,0.85)",
            )
        else:
            deco.vline(x_shape(x, is_date), name=label, colour=colour, dash="dash", width=1.5)
            top.append((x, text, colour))
    if deterministic is not None:
        x = point(deterministic, is_date)
        deco.vline(x_shape(x, is_date), name="deterministic", colour=MUTED, dash="dot", width=1.5)
        top.append((x, f"Plan {x_text(x, is_date)}", MUTED))
    if target is not None:
        x = point(target, is_date)
        deco.vline(x_shape(x, is_date), name="target", colour=TARGET, width=2)
        share = share_by(sample, x)
        top.append((x, f"<b>Target</b> {x_text(x, is_date)} · {share:.0%} on time", TARGET))
    for k, (x, text, colour) in enumerate(sorted(top, key=lambda item: item[0])):
        deco.note(
            x=x_shape(x, is_date),
            y=1 - 0.075 * k,
            xref="x",
            yref="paper",
            text=text,
            xanchor="left",
            yanchor="top",
            font=dict(size=11, color=colour),
            bgcolor="rgba(255,255,255,0.85)",
            xshift=3,
        )


def _extras(target: Any, deterministic: Any, is_date: bool) -> list[float]:
    return [point(v, is_date) for v in (target, deterministic) if v is not None]


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
    sample, is_date = axis_values(finishes)
    marks = _percentile_marks(percentiles, sample, is_date)
    lefts, width = _bins(sample, is_date)
    counts, _ = np.histogram(sample, bins=np.append(lefts, lefts[-1] + width))
    share = counts / counts.sum() * 100
    if is_date:
        period = {1: "", 7: "Week of "}.get(int(width), f"{int(width)} days from ")
        where = [f"{period}{day_text(pd.Timestamp(int(v), unit='D'))}" for v in lefts]
    else:
        where = [f"{v:g} to {v + width:g}" for v in lefts]
    deco = Decor()
    centres = lefts + width / 2
    unit = MS_PER_DAY if is_date else 1
    fig = go.Figure(
        go.Bar(
            x=pd.to_datetime(centres * unit, unit="ms") if is_date else centres,
            y=share,
            width=width * unit * 0.92,
            name="Iterations",
            customdata=counts,
            hovertext=where,
            marker=dict(color="#41B6E6", line=dict(width=0)),
            hovertemplate="%{hovertext}: %{y:.1f}% of iterations (%{customdata:,})<extra></extra>",
        )
    )
    _risk_marks(deco, marks, sample, is_date, target, deterministic, on_curve=False)
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        showlegend=False,
        bargap=0.05,
        subtitle=f"{len(sample):,} iterations",
        xaxis=dict(
            type="date" if is_date else "linear",
            range=x_range(sample, _extras(target, deterministic, is_date), is_date),
            title=dict(text="Finish date" if is_date else "Finish"),
        ),
        yaxis=dict(title=dict(text="Share of iterations"), ticksuffix="%", rangemode="tozero"),
        margin=dict(t=80),
    )


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
    sample, is_date = axis_values(finishes)
    marks = _percentile_marks(percentiles, sample, is_date)
    xs, ys = cdf(sample)
    deco = Decor()
    fig = go.Figure(
        go.Scatter(
            x=plot_x(xs, is_date),
            y=ys,
            mode="lines",
            line=dict(shape="hv", color=TASK, width=2.5),
            name="Finished by",
            fill="tozeroy",
            fillcolor="rgba(0, 94, 184, 0.08)",
            hovertemplate="%{y:.1f}% finished by %{x}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=plot_x(np.array([m[2] for m in marks]), is_date),
            y=[m[1] for m in marks],
            mode="markers",
            name="Percentiles",
            hoverinfo="skip",
            marker=dict(
                size=9, color=[PERCENTILE_COLOURS.get(m[0], INK) for m in marks], line=dict(color="white", width=1.5)
            ),
        )
    )
    _risk_marks(deco, marks, sample, is_date, target, deterministic, on_curve=True)
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        showlegend=False,
        hovermode="x",
        subtitle=f"{len(sample):,} iterations",
        xaxis=dict(
            type="date" if is_date else "linear",
            range=x_range(sample, _extras(target, deterministic, is_date), is_date),
            title=dict(text="Finish date" if is_date else "Finish"),
        ),
        yaxis=dict(title=dict(text="Iterations finished"), ticksuffix="%", range=[0, 104], dtick=20),
        margin=dict(t=80),
    )


def _ranked(
    values: Mapping[str, float] | pd.Series, top: int | None, labels: Mapping[str, str] | None
) -> tuple[pd.Series, list[str]]:
    s = values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    if s.empty:
        raise ValueError("no values to draw")
    s.index = s.index.map(str)
    order = s.abs().sort_values(ascending=False, kind="stable").index
    s = s[order][: top if top else None]
    names = [short_label((labels or {}).get(i, i)) for i in s.index]
    return s, names


def _beyond_noise(values: pd.Series, keep: pd.Series, iterations: int | None, band: str) -> tuple[pd.Series, str]:
    """The values ``keep`` marks as beyond sampling noise, and the caption that says so."""
    runs = f" for {iterations:,} iterations" if iterations else ""
    return values[keep], f"drivers within sampling noise{runs} ({band}) are not shown"


def _no_drivers(title: str | None, height: int | None, caption: str) -> go.Figure:
    """An empty chart whose subtitle says that no task stands out from sampling noise."""
    return finish_figure(
        go.Figure(),
        Decor(),
        title=title,
        height=height or 240,
        showlegend=False,
        subtitle=f"No task beyond sampling noise: {caption}",
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        margin=dict(t=80),
    )


def tornado(
    sensitivity: Mapping[str, float] | pd.Series,
    *,
    top: int | None = 15,
    labels: Mapping[str, str] | None = None,
    value_name: str = "Correlation with programme finish",
    title: str | None = "What drives the finish date",
    height: int | None = None,
    noise: float | None = None,
    iterations: int | None = None,
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
    noise:
        Half-width of the band sampling noise alone fills (for example
        ``SimulationResult.sensitivity_noise``): only tasks outside it are drawn, and the
        caption says so.
    iterations:
        How many iterations the values come from, for the caption.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = tornado({"a": 0.2, "b": -0.7, "c": 0.5})
    >>> list(fig.data[0].customdata)
    ['b', 'c', 'a']
    >>> list(tornado({"a": 0.01, "b": -0.7, "c": 0.5}, noise=0.02).data[0].customdata)
    ['b', 'c']
    """
    caption = ""
    if noise is not None:
        values = pd.Series(sensitivity, dtype=float)
        sensitivity, caption = _beyond_noise(values, values.abs() > noise, iterations, f"±{noise:.3f}")
        if sensitivity.empty:
            return _no_drivers(title, height, caption)
        caption = "; " + caption
    s, names = _ranked(sensitivity, top, labels)
    ys = list(range(len(s)))
    deco = Decor()
    fig = go.Figure(
        go.Bar(
            x=s.to_numpy(),
            y=ys,
            orientation="h",
            customdata=list(s.index),
            name=esc(value_name),
            marker=dict(color=[CRITICAL if v > 0 else TASK for v in s]),
            text=[f"{v:+.2f}" for v in s],
            textposition="outside",
            cliponaxis=False,
            hovertext=[f"<b>{n}</b><br>{esc(i)}<br>{esc(value_name)}: {v:+.3f}" for n, i, v in zip(names, s.index, s)],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    bound = float(s.abs().max()) * 1.25 or 1.0
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height or max(320, 140 + 30 * len(s)),
        showlegend=False,
        subtitle=f"Top {len(s)} tasks by absolute value{caption}",
        xaxis=dict(
            range=[-bound, bound],
            zeroline=True,
            zerolinecolor=MUTED,
            zerolinewidth=1.5,
            title=dict(text=esc(value_name)),
        ),
        yaxis=dict(tickmode="array", tickvals=ys, ticktext=names, range=[len(s) - 0.5, -0.5], showgrid=False, ticks=""),
        margin=dict(t=80),
    )


def criticality_chart(
    criticality: Mapping[str, float] | pd.Series,
    *,
    top: int | None = 20,
    labels: Mapping[str, str] | None = None,
    title: str | None = "How often each task is critical",
    height: int | None = None,
    noise: float | None = None,
    iterations: int | None = None,
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
    noise:
        The smallest criticality the iterations tell apart from zero (for example
        ``SimulationResult.criticality_noise``): only tasks critical more often are drawn,
        and the caption says so.
    iterations:
        How many iterations the values come from, for the caption.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = criticality_chart({"a": 0.25, "b": 1.0})
    >>> list(fig.data[0].customdata), fig.data[0].x.tolist()
    (['b', 'a'], [100.0, 25.0])
    >>> criticality_chart({"a": 0.0002, "b": 1.0}, noise=0.0003).data[0].customdata
    ('b',)
    """
    caption = ""
    if noise is not None:
        values = pd.Series(criticality, dtype=float)
        criticality, caption = _beyond_noise(values, values > noise, iterations, f"critical in {noise:.2%} or less")
        if criticality.empty:
            return _no_drivers(title, height, caption)
        caption = "; " + caption
    s, names = _ranked(criticality, top, labels)
    ys = list(range(len(s)))
    deco = Decor()
    fig = go.Figure(
        go.Bar(
            x=(s * 100).to_numpy(),
            y=ys,
            orientation="h",
            customdata=list(s.index),
            name="Criticality index",
            # Colours are given as colours, not as numbers on a colour scale: plotly.js warns
            # ("Invalid color specifier") when it picks a text colour against a numeric one.
            marker=dict(color=sample_colorscale(_CRITICALITY_SCALE, np.clip(s.to_numpy(), 0.0, 1.0).tolist())),
            text=[f"{v:.0%}" for v in s],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"<b>{n}</b><br>{esc(i)}<br>Critical in {v:.1%} of iterations" for n, i, v in zip(names, s.index, s)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height or max(320, 140 + 30 * len(s)),
        showlegend=False,
        subtitle=f"Share of iterations in which the task is on the critical path{caption}",
        xaxis=dict(range=[0, 112], ticksuffix="%", dtick=20, title=dict(text="Criticality index")),
        yaxis=dict(tickmode="array", tickvals=ys, ticktext=names, range=[len(s) - 0.5, -0.5], showgrid=False, ticks=""),
        margin=dict(t=80),
    )
