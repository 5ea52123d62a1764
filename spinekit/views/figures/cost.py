"""Cost-risk charts of a Monte Carlo simulation: the cost S-curve and the joint confidence chart.

Costs and finishes are passed in as arrays (one value per iteration), computed elsewhere. The
cost tornado is :func:`~spinekit.views.figures.risk.tornado` given the cost drivers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from spinekit.views.figures.axes import axis_values, cdf, plot_x, point, x_range, x_shape, x_text
from spinekit.views.figures.style import (
    INK,
    MUTED,
    PERCENTILE_COLOURS,
    TARGET,
    TASK,
    Decor,
    esc,
    finish_figure,
)

__all__ = ["cost_s_curve", "joint_confidence_chart"]

#: Iterations drawn at most in the joint confidence chart (the shares use all of them).
MAX_POINTS = 4_000

_INSIDE = "rgba(0, 150, 57, 0.10)"  # NHS green, faint: the joint confidence quadrant


def _money(value: float, currency: str) -> str:
    return f"{esc(currency)} {value:,.0f}"


def cost_s_curve(
    costs: Sequence[float] | np.ndarray | pd.Series,
    *,
    percentiles: Mapping[str, float] | None = None,
    budget: float | None = None,
    deterministic: float | None = None,
    currency: str = "GBP",
    title: str | None = "Probability of costing at most",
    height: int = 460,
) -> go.Figure:
    """Cost S-curve: the share of simulated iterations costing at most each amount.

    Parameters
    ----------
    costs:
        One total cost per iteration.
    percentiles:
        Amounts to mark, such as ``{"P50": 410000, "P80": 455000}``; by default P50, P80 and
        P90 of ``costs``.
    budget, deterministic:
        The budget (labelled with the share of iterations within it) and the deterministic cost.
    currency:
        The currency code shown with amounts.
    title, height:
        Figure title and height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = cost_s_curve([100, 200, 300, 400], budget=250)
    >>> fig.data[0].y.tolist(), [s.name for s in fig.layout.shapes]
    ([0.0, 25.0, 50.0, 75.0, 100.0], ['P50', 'P80', 'P90', 'budget'])
    """
    sample, is_date = axis_values(costs)
    if is_date:
        raise ValueError("expected amounts of money, got dates")
    if percentiles is None:
        marks = {f"P{q}": float(np.quantile(sample, q / 100, method="inverted_cdf")) for q in (50, 80, 90)}
    else:
        marks = {k.upper(): float(v) for k, v in percentiles.items()}
    xs, ys = cdf(sample)
    deco = Decor()
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(shape="hv", color=TASK, width=2.5),
            name="Costing at most",
            fill="tozeroy",
            fillcolor="rgba(0, 94, 184, 0.08)",
            hovertemplate=f"%{{y:.1f}}% cost at most {esc(currency)} %{{x:,.0f}}<extra></extra>",
        )
    )
    top: list[tuple[float, str, str]] = []
    for label, x in marks.items():
        level = float(label.lstrip("P"))
        colour = PERCENTILE_COLOURS.get(label, INK)
        deco.shape(
            type="line",
            name=label,
            x0=x,
            x1=x,
            y0=0,
            y1=level,
            xref="x",
            yref="y",
            layer="above",
            line=dict(color=colour, width=1.5, dash="dash"),
        )
        deco.note(
            x=x,
            y=level,
            xref="x",
            yref="y",
            text=f"<b>{label}</b> {_money(x, currency)}",
            xanchor="left",
            yanchor="middle",
            xshift=8,
            font=dict(size=11, color=colour),
            bgcolor="rgba(255,255,255,0.85)",
        )
    if deterministic is not None:
        deco.vline(deterministic, name="deterministic", colour=MUTED, dash="dot", width=1.5)
        top.append((deterministic, f"Plan {_money(deterministic, currency)}", MUTED))
    if budget is not None:
        deco.vline(budget, name="budget", colour=TARGET, width=2)
        share = float(np.mean(sample <= budget))
        top.append((budget, f"<b>Budget</b> {_money(budget, currency)} · {share:.0%} within", TARGET))
    for k, (x, text, colour) in enumerate(sorted(top)):
        deco.note(
            x=x,
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
    extra = [v for v in (budget, deterministic) if v is not None]
    lo, hi = min([float(sample.min()), *extra]), max([float(sample.max()), *extra])
    pad = max((hi - lo) * 0.04, 1.0)
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        showlegend=False,
        hovermode="x",
        subtitle=f"{len(sample):,} iterations",
        xaxis=dict(range=[lo - pad, hi + 2 * pad], title=dict(text=f"Total cost ({esc(currency)})")),
        yaxis=dict(title=dict(text="Iterations costing at most"), ticksuffix="%", range=[0, 104], dtick=20),
        margin=dict(t=80),
    )


def joint_confidence_chart(
    finishes: Sequence[Any] | np.ndarray | pd.Series,
    costs: Sequence[float] | np.ndarray | pd.Series,
    *,
    target: Any = None,
    budget: float | None = None,
    currency: str = "GBP",
    max_points: int = MAX_POINTS,
    title: str | None = "Date and cost together",
    height: int = 520,
) -> go.Figure:
    """The joint confidence (JCL) chart: each iteration's finish against its cost.

    The target and budget lines split the iterations into four quadrants; the one that both
    finishes by the target and costs at most the budget is shaded, and labelled with its share:
    the joint confidence level.

    Parameters
    ----------
    finishes, costs:
        One finish (a date or a number) and one total cost per iteration, in iteration order.
    target, budget:
        The target (same units as ``finishes``) and the budget.
    currency:
        The currency code shown with amounts.
    max_points:
        At most this many iterations are drawn (the first ones); shares use them all.
    title, height:
        Figure title and height in pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> fig = joint_confidence_chart([10, 12, 14, 16], [100, 140, 120, 180], target=13, budget=150)
    >>> fig.layout.annotations[0].text
    'Joint confidence <b>50%</b>: by the target and within the budget'
    """
    when, is_date = axis_values(finishes)
    money, money_is_date = axis_values(costs)
    if money_is_date:
        raise ValueError("expected amounts of money, got dates")
    if when.shape != money.shape:
        raise ValueError(f"{when.size} finishes but {money.size} costs; give one of each per iteration")
    deco = Decor()
    shown = slice(0, max_points)
    fig = go.Figure(
        go.Scatter(
            x=plot_x(when[shown], is_date),
            y=money[shown],
            mode="markers",
            name="Iterations",
            marker=dict(size=4, color=TASK, opacity=0.35, line=dict(width=0)),
            hovertemplate=f"Finish %{{x}}<br>Cost {esc(currency)} %{{y:,.0f}}<extra></extra>",
        )
    )
    t = point(target, is_date) if target is not None else None
    if t is not None:
        deco.vline(x_shape(t, is_date), name="target", colour=TARGET, width=2)
    if budget is not None:
        deco.hline(float(budget), name="budget", colour=TARGET, dash="solid", width=2)
    if t is not None and budget is not None:
        inside = (when <= t) & (money <= budget)
        lo = x_range(when, [t], is_date)[0]
        deco.shape(
            type="rect",
            name="joint confidence",
            x0=lo,
            x1=x_shape(t, is_date),
            y0=min(float(money.min()), float(budget)) - abs(float(budget)) * 0.05 - 1,
            y1=float(budget),
            xref="x",
            yref="y",
            fillcolor=_INSIDE,
            line=dict(width=0),
            layer="below",
        )
        deco.note(
            x=0.01,
            y=0.99,
            xref="paper",
            yref="paper",
            text=f"Joint confidence <b>{float(np.mean(inside)):.0%}</b>: by the target and within the budget",
            xanchor="left",
            yanchor="top",
            font=dict(size=12, color=TARGET),
            bgcolor="rgba(255,255,255,0.85)",
        )
    if t is not None:
        deco.note(
            x=x_shape(t, is_date),
            y=0.0,
            xref="x",
            yref="paper",
            text=f"Target {x_text(t, is_date)} · {float(np.mean(when <= t)):.0%}",
            xanchor="left",
            yanchor="bottom",
            xshift=3,
            font=dict(size=11, color=TARGET),
            bgcolor="rgba(255,255,255,0.85)",
        )
    if budget is not None:
        deco.note(
            x=1.0,
            y=float(budget),
            xref="paper",
            yref="y",
            text=f"Budget {_money(float(budget), currency)} · {float(np.mean(money <= budget)):.0%}",
            xanchor="right",
            yanchor="bottom",
            font=dict(size=11, color=TARGET),
            bgcolor="rgba(255,255,255,0.85)",
        )
    drawn = min(len(when), max_points)
    subtitle = f"{len(when):,} iterations" + (f", the first {drawn:,} drawn" if drawn < len(when) else "")
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        showlegend=False,
        subtitle=subtitle,
        xaxis=dict(
            type="date" if is_date else "linear",
            range=x_range(when, [t] if t is not None else [], is_date),
            title=dict(text="Finish date" if is_date else "Finish"),
        ),
        yaxis=dict(title=dict(text=f"Total cost ({esc(currency)})"), tickformat=",.0f"),
        margin=dict(t=80),
    )
