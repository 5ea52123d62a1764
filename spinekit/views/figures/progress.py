"""Progress charts: the milestone trend (slip chart) of a programme's snapshots.

The snapshots are read from the history elsewhere and passed in; this module only draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go

from spinekit.model.history import Snapshot
from spinekit.views.figures.style import PERCENTILE_COLOURS, TARGET, TASK, Decor, finish_figure

__all__ = ["milestone_trend", "burn_up"]

# The P50-P80 band: the P80 colour, light.
_BAND = "rgba(0, 48, 135, 0.15)"


def milestone_trend(
    snapshots: Sequence[Snapshot],
    *,
    target: dt.date | None = None,
    title: str | None = "Milestone trend: go-live forecast at each status date",
    height: int = 420,
) -> go.Figure:
    """The steering group's slip chart: the go-live forecast at each snapshot's status date.

    One point per snapshot (oldest first): the deterministic go-live, the P50 and the P80, with
    the band between P50 and P80 shaded, and the target as a horizontal line. A flat line is a
    forecast that holds; a line climbing to the right is a programme slipping.

    Parameters
    ----------
    snapshots:
        Snapshots of one programme (see :class:`~spinekit.model.history.Snapshot`).
    target:
        The date promised (default: the latest snapshot's target, if any).
    """
    ordered = sorted(snapshots, key=lambda s: s.status_date)
    x = [s.status_date for s in ordered]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x, y=[s.p80 for s in ordered], mode="lines", line=dict(width=0), showlegend=False, hoverinfo="skip"
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[s.p50 for s in ordered],
            mode="lines",
            line=dict(width=0),
            fill="tonexty",
            fillcolor=_BAND,
            name="P50-P80 range",
            hoverinfo="skip",
        )
    )
    lines = (
        ("Deterministic go-live", [s.deterministic_finish for s in ordered], TASK, "dot"),
        ("P50", [s.p50 for s in ordered], PERCENTILE_COLOURS["P50"], "solid"),
        ("P80", [s.p80 for s in ordered], PERCENTILE_COLOURS["P80"], "solid"),
    )
    for name, y, colour, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                line=dict(color=colour, dash=dash, width=2),
                hovertemplate=f"status %{{x|%d %b %Y}}<br>{name} %{{y|%d %b %Y}}<extra></extra>",
            )
        )
    deco = Decor()
    goal = target if target is not None else (ordered[-1].target if ordered else None)
    if goal is not None:
        deco.shapes.append(
            dict(
                type="line",
                name="target",
                x0=0,
                x1=1,
                xref="paper",
                y0=goal,
                y1=goal,
                yref="y",
                line=dict(color=TARGET, width=2, dash="dash"),
            )
        )
        deco.notes.append(
            dict(
                x=1,
                xref="paper",
                xanchor="right",
                y=goal,
                yref="y",
                yanchor="bottom",
                text=f"target {goal:%d %b %Y}",
                showarrow=False,
                font=dict(color=TARGET),
            )
        )
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        xaxis=dict(title="status date", type="date"),
        yaxis=dict(title="forecast go-live", type="date"),
        hovermode="x unified",
    )


def burn_up(
    planned: Sequence[dt.date],
    actual: Sequence[dt.date],
    *,
    status_date: dt.date | None = None,
    title: str | None = "Finished tasks: planned and actual",
    height: int = 380,
) -> go.Figure:
    """A burn-up chart: how many tasks the plan had finished by each date, and how many have.

    ``planned`` and ``actual`` are finish dates (one per task); each line steps up by one at
    each date. The status date, where given, is marked: the actual line stops there.
    """
    fig = go.Figure()
    for name, days, colour, dash in (
        ("Planned (baseline)", sorted(planned), PERCENTILE_COLOURS["P80"], "dot"),
        ("Actual", sorted(actual), TASK, "solid"),
    ):
        fig.add_trace(
            go.Scatter(
                x=list(days),
                y=list(range(1, len(days) + 1)),
                mode="lines",
                line=dict(shape="hv", color=colour, dash=dash, width=2),
                name=name,
                hovertemplate=f"{name}: %{{y}} finished by %{{x|%d %b %Y}}<extra></extra>",
            )
        )
    deco = Decor()
    if status_date is not None:
        deco.vline(status_date, name="status date", colour=TARGET, dash="dash")
    return finish_figure(
        fig,
        deco,
        title=title,
        height=height,
        xaxis=dict(title="date", type="date"),
        yaxis=dict(title="tasks finished", rangemode="tozero"),
    )
