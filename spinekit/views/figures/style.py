"""The figures' house style: fonts, colours, margins, sizes and the small conversions they share.

Layout defaults are defined once, here; every figure module draws with them. Text taken from the
data is HTML-escaped (:func:`esc`) before plotly sees it, so a task name is always shown as text.
"""

from __future__ import annotations

import functools
import html
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    pass

__all__ = [
    "FONT",
    "INK",
    "MUTED",
    "GRID",
    "AXIS",
    "TASK",
    "CRITICAL",
    "CRITICAL_TEXT",
    "LANE",
    "BASELINE",
    "ARROW",
    "TARGET",
    "TODAY",
    "LANE_BAND",
    "WEEKEND_FILL",
    "HOLIDAY_FILL",
    "CLOSURE_FILL",
    "PALETTE",
    "PERCENTILE_COLOURS",
    "MISSING",
    "NO_GROUP",
    "LABEL_CHARS",
    "WRAP_CHARS",
    "DAY",
    "MS_PER_DAY",
    "LABEL_ROW",
    "WEEKEND_SHADING_MAX_DAYS",
    "house_template",
    "Decor",
    "finish_figure",
    "is_missing",
    "esc",
    "short_label",
    "wrapped_label",
    "day_text",
    "short_day",
    "to_dates",
    "to_timestamp",
    "iso_day",
    "to_ms",
    "require_columns",
    "colour_map",
    "figure_height",
    "date_ticks",
    "MAX_DATE_TICKS",
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
    "#005EB8",
    "#009639",
    "#ED8B00",
    "#330072",
    "#00A9CE",
    "#AE2573",
    "#78BE20",
    "#7C2855",
    "#41B6E6",
    "#FFB81C",
    "#006747",
    "#768692",
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


@functools.cache
def house_template() -> go.layout.Template:
    axis = dict(
        showgrid=True,
        gridcolor=GRID,
        zeroline=False,
        showline=True,
        linecolor=AXIS,
        ticks="outside",
        tickcolor=AXIS,
        ticklen=4,
        automargin=True,
        title=dict(font=dict(size=12, color=MUTED)),
    )
    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT, size=12, color=INK),
            title=dict(
                font=dict(size=18, color=INK),
                x=0.0,
                xref="paper",
                xanchor="left",
                y=1.0,
                yref="container",
                yanchor="top",
                pad=dict(t=14),
            ),
            paper_bgcolor="white",
            plot_bgcolor="white",
            colorway=list(PALETTE),
            margin=dict(l=16, r=32, t=96, b=72),
            legend=dict(
                orientation="h",
                x=0.0,
                xanchor="left",
                y=1.0,
                yanchor="bottom",
                yref="paper",
                font=dict(size=11),
                bgcolor="rgba(255,255,255,0)",
                traceorder="normal",
            ),
            hoverlabel=dict(
                font=dict(family=FONT, size=12, color=INK), bgcolor="white", bordercolor=AXIS, align="left"
            ),
            xaxis=axis,
            yaxis=axis,
            bargap=0.2,
        )
    )


@dataclass
class Decor:
    """Shapes and annotations gathered while drawing, set on the layout in one step."""

    shapes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def vline(self, x: Any, *, name: str, colour: str, dash: str = "solid", width: float = 2) -> None:
        self.shapes.append(
            dict(
                type="line",
                name=name,
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                xref="x",
                yref="paper",
                line=dict(color=colour, width=width, dash=dash),
                layer="above",
            )
        )

    def hline(self, y: float, *, name: str, colour: str, dash: str = "dot", width: float = 1) -> None:
        self.shapes.append(
            dict(
                type="line",
                name=name,
                x0=0,
                x1=1,
                y0=y,
                y1=y,
                xref="paper",
                yref="y",
                line=dict(color=colour, width=width, dash=dash),
                layer="below",
            )
        )

    def vrect(self, x0: Any, x1: Any, *, name: str, fill: str) -> None:
        self.shapes.append(
            dict(
                type="rect",
                name=name,
                x0=x0,
                x1=x1,
                y0=0,
                y1=1,
                xref="x",
                yref="paper",
                fillcolor=fill,
                line=dict(width=0),
                layer="below",
            )
        )

    def hrect(self, y0: float, y1: float, *, name: str, fill: str) -> None:
        self.shapes.append(
            dict(
                type="rect",
                name=name,
                x0=0,
                x1=1,
                y0=y0,
                y1=y1,
                xref="paper",
                yref="y",
                fillcolor=fill,
                line=dict(width=0),
                layer="below",
            )
        )

    def shape(self, **shape: Any) -> None:
        self.shapes.append(shape)

    def note(self, **note: Any) -> None:
        self.notes.append(dict(showarrow=False) | note)


def finish_figure(
    fig: go.Figure, deco: Decor, *, title: str | None, height: int, subtitle: str | None = None, **layout: Any
) -> go.Figure:
    """Apply the house layout, the title and the gathered shapes and annotations."""
    text = esc(title) if title else None
    fig.update_layout(
        template=house_template(),
        height=height,
        shapes=deco.shapes,
        annotations=deco.notes,
        title=dict(text=text, subtitle=dict(text=esc(subtitle) if subtitle else None)),
        **layout,
    )
    return fig


# --- Small conversions ----------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, bytes)) and bool(pd.isna(value)))


def esc(value: Any) -> str:
    """``value`` as text that plotly shows literally (``<``, ``>`` and ``&`` escaped)."""
    return "" if is_missing(value) else html.escape(str(value), quote=False)


def short_label(value: Any, limit: int = LABEL_CHARS) -> str:
    text = MISSING if is_missing(value) else str(value)
    if len(text) <= limit:
        return esc(text)
    # Keep what tells rows apart: a closing "(production, organisation 2)" qualifier, or a
    # closing ": PDS" service label; the rest is cut at a word boundary before it.
    tail = ""
    if text.endswith(")") and "(" in text:
        tail = " " + text[text.rfind("(") :]
        before = text[: text.rfind("(")].rstrip()
        service = before[before.rfind(": ") :] if ": " in before else ""
        if service and len(service) <= 24:  # "…: PDS (INT)": the service and the qualifier
            tail = service + tail
    elif ": " in text:
        tail = text[text.rfind(": ") :]
    if len(tail) > limit - 12:
        tail = tail.replace("organisation ", "org ").replace("production", "prod")
    if tail and len(tail) <= limit - 12:
        head = text[: limit - len(tail) - 1]
        head = head.rsplit(" ", 1)[0] if " " in head.strip() else head
        return esc(head.rstrip(" ,;:") + "…" + tail)
    return esc(text[: limit - 1].rstrip() + "…")


def wrapped_label(value: Any) -> str:
    return "<br>".join(esc(line) for line in textwrap.wrap(str(value), WRAP_CHARS))


def day_text(ts: pd.Timestamp) -> str:
    return f"{ts:%a} {ts.day} {ts:%b %Y}"


def short_day(ts: pd.Timestamp) -> str:
    return f"{ts.day} {ts:%b %Y}"


def to_dates(values: Iterable[Any]) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).dt.normalize()


def to_timestamp(value: Any) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def iso_day(ts: pd.Timestamp) -> str:
    day: str = ts.strftime("%Y-%m-%d")
    return day


def to_ms(delta: pd.Timedelta) -> float:
    ms: float = delta / pd.Timedelta(milliseconds=1)
    return ms


def require_columns(table: pd.DataFrame, **roles: str | None) -> None:
    for role, column in roles.items():
        if column is not None and column not in table.columns:
            raise ValueError(
                f"{role}={column!r} is not a column of the table; columns are "
                f"{', '.join(map(str, table.columns))} (pass {role}=None to leave it out)"
            )


def colour_map(categories: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in categories:
        if c not in out:
            out[c] = "#768692" if c == MISSING else PALETTE[len(out) % len(PALETTE)]
    return out


def figure_height(rows: int, scale: float = 1.0) -> tuple[int, int]:
    """Figure height and tick font size for ``rows`` Gantt rows: rows stay legible as they grow."""
    per_row, font = (26, 12) if rows <= 40 else (20, 11) if rows <= 120 else (16, 10)
    return max(360, int(150 + per_row * rows * scale)), font


#: Most labelled ticks a date axis has: fewer than one per 80 pixels of a page-wide chart.
MAX_DATE_TICKS = 16
#: Steps of a date axis, shortest first: (days in a step, plotly ``dtick``, label format).
_DATE_STEPS = (
    (7, 7 * 86_400_000, "%d %b\n%Y"),
    (365.25 / 12, "M1", "%b\n%Y"),
    (365.25 / 4, "M3", "%b\n%Y"),
    *((365.25 * k, f"M{12 * k}", "%Y") for k in (1, 2, 5, 10, 20, 50)),
)


def date_ticks(span: pd.Timedelta, max_ticks: int = MAX_DATE_TICKS) -> dict[str, Any]:
    """Tick spacing for a date axis: weeks, months, quarters or years, by the span shown.

    The shortest step that gives at most ``max_ticks`` ticks over ``span``; years are
    labelled by the year alone, on 1 January.

    Examples
    --------
    >>> date_ticks(pd.Timedelta(days=60))["tickformat"]
    '%d %b\\n%Y'
    >>> [date_ticks(pd.Timedelta(days=d))["dtick"] for d in (400, 1400, 5000, 20000)]
    ['M1', 'M3', 'M12', 'M60']
    """
    days, dtick, fmt = next((step for step in _DATE_STEPS if span.days / step[0] <= max_ticks), _DATE_STEPS[-1])
    tick0 = "2000-01-03" if days == 7 else "2000-01-01"  # a Monday; the first of a year
    return dict(dtick=dtick, tick0=tick0, tickformat=fmt)
