"""Scenario charts: finish ranges and S-curves of what-if scenarios side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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
    AXIS,
    GRID,
    INK,
    MS_PER_DAY,
    MUTED,
    PALETTE,
    TARGET,
    TASK,
    Decor,
    finish_figure,
    require_columns,
    short_label,
)

if TYPE_CHECKING:
    pass

__all__ = ["scenario_ranges", "scenario_s_curves"]


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
    require_columns(data, scenario=scenario, deterministic=deterministic, p50=p50, p80=p80, p90=p90)
    if data.empty:
        raise ValueError("the table has no scenarios to draw")
    v50, is_date = axis_values(data[p50])
    v80, _ = axis_values(data[p80])
    v90 = axis_values(data[p90])[0] if p90 else None
    plan = axis_values(data[deterministic])[0] if deterministic else None
    names = [short_label(n, 40) for n in data[scenario]]
    ys = list(range(len(data)))
    unit = MS_PER_DAY if is_date else 1

    def hover(k: int) -> str:
        lines = [f"<b>{names[k]}</b>"]
        if plan is not None:
            lines.append(f"Plan: {x_text(plan[k], is_date)}")
        lines += [f"P50: {x_text(v50[k], is_date)}", f"P80: {x_text(v80[k], is_date)}"]
        if v90 is not None:
            lines.append(f"P90: {x_text(v90[k], is_date)}")
        return "<br>".join(lines)

    texts = [hover(k) for k in ys]
    deco = Decor()
    fig = go.Figure(
        go.Bar(
            y=ys,
            base=plot_x(v50, is_date),
            x=(v80 - v50) * unit,
            orientation="h",
            width=0.5,
            name="P50 to P80",
            marker=dict(color=TASK, line=dict(width=0)),
            hovertext=texts,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    if v90 is not None:
        xs: list[Any] = []
        wy: list[Any] = []
        for k in ys:
            xs += [*plot_x(np.array([v80[k], v90[k]]), is_date), None]
            wy += [k, k, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=wy,
                mode="lines",
                name="P80 to P90",
                line=dict(color=TASK, width=2),
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=plot_x(v90, is_date),
                y=ys,
                mode="markers",
                name="P90",
                showlegend=False,
                marker=dict(symbol="line-ns", size=14, line=dict(color=TASK, width=2)),
                hovertext=texts,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    if plan is not None:
        fig.add_trace(
            go.Scatter(
                x=plot_x(plan, is_date),
                y=ys,
                mode="markers",
                name="Deterministic plan",
                marker=dict(symbol="diamond", size=13, color=INK, line=dict(color="white", width=1.5)),
                hovertext=texts,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    last = v90 if v90 is not None else v80
    fig.add_trace(
        go.Scatter(
            x=plot_x(last, is_date),
            y=ys,
            mode="text",
            showlegend=False,
            hoverinfo="skip",
            text=[
                f"  P80 {x_text(v80[k], is_date)}" + (f" · P90 {x_text(v90[k], is_date)}" if v90 is not None else "")
                for k in ys
            ],
            textposition="middle right",
            textfont=dict(size=11, color=MUTED),
        )
    )
    extra = [point(target, is_date)] if target is not None else []
    every = np.concatenate([v50, v80, *(a for a in (v90, plan) if a is not None)])
    if target is not None:
        x = extra[0]
        deco.vline(x_shape(x, is_date), name="target", colour=TARGET, width=2)
        # At the foot of the plot, inside it: the legend runs along the top edge.
        deco.note(
            x=x_shape(x, is_date),
            y=0,
            yref="paper",
            xref="x",
            text=f"<b>Target</b> {x_text(x, is_date)}",
            xanchor="left",
            yanchor="bottom",
            xshift=3,
            yshift=2,
            font=dict(size=11, color=TARGET),
            bgcolor="rgba(255,255,255,0.85)",
        )
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height or max(300, 170 + 56 * len(data)),
        xaxis=dict(
            type="date" if is_date else "linear",
            # Wide on the right: the P80 and P90 labels follow each row's last point.
            range=x_range(every, extra, is_date, pad_share=0.05, right_pads=6),
            title=dict(text="Finish date" if is_date else "Finish"),
        ),
        yaxis=dict(
            tickmode="array",
            tickvals=ys,
            ticktext=[f"<b>{n}</b>" for n in names],
            # Room below the last row for the target's label.
            range=[len(data) - 0.5 + (0.45 if target is not None else 0), -0.5],
            showgrid=False,
            ticks="",
        ),
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
    deco = Decor()
    kinds = set()
    ends: list[float] = []
    for k, (label, values) in enumerate(samples.items()):
        sample, is_date = axis_values(values)
        kinds.add(is_date)
        xs, ys = cdf(sample)
        ends += [float(sample.min()), float(sample.max())]
        p80 = float(np.quantile(sample, 0.8, method="inverted_cdf"))
        name = f"{short_label(label, 40)} · P80 {x_text(p80, is_date)}"
        if target is not None:
            name += f" · {share_by(sample, point(target, is_date)):.0%} by target"
        fig.add_trace(
            go.Scatter(
                x=plot_x(xs, is_date),
                y=ys,
                mode="lines",
                name=name,
                line=dict(shape="hv", width=2.5, color=PALETTE[k % len(PALETTE)]),
                hovertemplate=f"{short_label(label, 40)}: %{{y:.1f}}% finished by %{{x}}<extra></extra>",
            )
        )
    if len(kinds) > 1:
        raise ValueError("every scenario's finishes must be dates, or every one numbers")
    is_date = kinds.pop()
    for level in (50, 80):
        deco.hline(level, name=f"P{level}", colour=AXIS)
        deco.note(
            x=1,
            xref="paper",
            y=level,
            yref="y",
            text=f"P{level}",
            xanchor="right",
            yanchor="bottom",
            font=dict(size=10, color=MUTED),
        )
    extra = []
    if target is not None:
        x = point(target, is_date)
        extra.append(x)
        deco.vline(x_shape(x, is_date), name="target", colour=TARGET, width=2)
        deco.note(
            x=x_shape(x, is_date),
            y=1,
            yref="paper",
            xref="x",
            text=f"<b>Target</b> {x_text(x, is_date)}",
            xanchor="left",
            yanchor="top",
            xshift=3,
            font=dict(size=11, color=TARGET),
            bgcolor="rgba(255,255,255,0.85)",
        )
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        hovermode="closest",
        xaxis=dict(
            type="date" if is_date else "linear",
            range=x_range(np.array(ends), extra, is_date, right_pads=1),
            title=dict(text="Finish date" if is_date else "Finish"),
        ),
        yaxis=dict(title=dict(text="Iterations finished"), ticksuffix="%", range=[0, 104], dtick=20),
        legend=dict(
            orientation="v",
            x=0.99,
            xanchor="right",
            y=0.03,
            yanchor="bottom",
            bgcolor="rgba(255,255,255,0.9)",
            bordercolor=GRID,
            borderwidth=1,
        ),
        margin=dict(t=80),
    )
