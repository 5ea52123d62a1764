"""Notebook display: offline plotly figures and escaped tables as HTML outputs.

Reports must open on a laptop with no internet access, so plotly.js is embedded once per
notebook (:func:`plotly_js`) and every figure after it is plain HTML that uses it.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go
    from IPython.display import HTML

__all__ = ["plotly_js", "figure", "table", "note", "heading", "made_line"]

# Report tables are mostly text (names, owners, sources), which reads best left-aligned. The
# class is doubled to outweigh JupyterLab's ":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td"
# (which right-aligns every output cell) in the exported page.
_TABLE_STYLE = (
    "<style>.spinekit-table{border-collapse:collapse;margin:0.5em 0}"
    ".spinekit-table.spinekit-table th,.spinekit-table.spinekit-table td"
    "{text-align:left;padding:0.25em 0.75em;vertical-align:top}"
    ".spinekit-table thead th{border-bottom:1px solid #999}</style>"
)


def _html(text: str) -> HTML:
    from IPython.display import HTML

    return HTML(text)  # type: ignore[no-untyped-call]  # IPython does not annotate HTML


def plotly_js() -> HTML:
    """An output carrying the whole plotly.js library; display it once, before any figure."""
    from plotly.offline import get_plotlyjs

    return _html(f'<script type="text/javascript">{get_plotlyjs()}</script>')


def figure(fig: go.Figure, *, height: int | None = None) -> HTML:
    """A plotly figure as an HTML output that relies on :func:`plotly_js` (no CDN, no MathJax)."""
    import plotly.io as pio

    if height is not None:
        fig = fig.update_layout(height=height)
    return _html(
        pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            default_width="100%",
            config={"displaylogo": False},
        )
    )


def table(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    percent: list[str] | None = None,
    links: list[str] | None = None,
) -> HTML:
    """A DataFrame as an HTML table with every cell escaped (task names are untrusted text).

    ``columns`` renames columns for the reader; ``percent`` columns (shares from 0 to 1) are
    shown as whole percentages; in ``links`` columns, each ``http(s)://`` address (cells hold
    them separated by spaces) becomes a link.
    """
    shown = frame.copy()
    for col in percent or ():
        shown[col] = [f"{v:.0%}" for v in shown[col]]
    if not links:
        if columns:
            shown = shown.rename(columns=columns)
        return _html(
            _TABLE_STYLE + shown.to_html(index=False, escape=True, border=0, classes="spinekit-table", na_rep="")
        )
    for col in shown.columns:
        render = _linked if col in links else _escaped
        shown[col] = [render(v) for v in shown[col]]
    shown.columns = [html.escape(str(columns.get(c, c) if columns else c)) for c in shown.columns]
    return _html(_TABLE_STYLE + shown.to_html(index=False, escape=False, border=0, classes="spinekit-table", na_rep=""))


def _escaped(value: object) -> str:
    return "" if value is None or value != value else html.escape(str(value))  # value != value: NaN


def _linked(value: object) -> str:
    words = _escaped(value).split(" ")
    return " ".join(
        f'<a href="{w}" rel="noopener noreferrer">{w}</a>' if w.startswith(("http://", "https://")) else w
        for w in words
    )


def note(text: str, *, heading: str | None = None) -> HTML:
    """A paragraph (and optional heading) of escaped text."""
    head = f"<h3>{html.escape(heading)}</h3>" if heading else ""
    return _html(f"{head}<p>{html.escape(text)}</p>")


def preformatted(text: str, *, heading: str | None = None) -> HTML:
    """Lines of text kept as written (and an optional section heading), escaped."""
    head = f"<h2>{html.escape(heading)}</h2>" if heading else ""
    return _html(f"{head}<pre class='spinekit-text'>{html.escape(text)}</pre>")


def heading(title: str, subtitle: str | None = None) -> HTML:
    """A page title (and subtitle) as escaped HTML."""
    sub = f"<p class='spinekit-subtitle'>{html.escape(subtitle)}</p>" if subtitle else ""
    return _html(f"<h1>{html.escape(title)}</h1>{sub}")


def made_line(
    *,
    made: dt.datetime,
    version: str,
    catalogue_reviewed: dt.date | None,
    iterations: int,
    seed: int,
) -> HTML:
    """When and how a report was made: time (UTC), spinekit version, catalogue review, seed.

    The seed is what a reader needs to reproduce the Monte Carlo numbers exactly.
    """
    when = made.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    reviewed = (
        f"catalogue reviewed {catalogue_reviewed.isoformat()}"
        if catalogue_reviewed
        else "catalogue review date not recorded"
    )
    text = (
        f"Made {when} with spinekit {version}; {reviewed}; Monte Carlo {iterations:,} iterations, "
        f"seed {seed} (run again with --seed {seed} for the same numbers)."
    )
    return _html(f"<p class='spinekit-made'>{html.escape(text)}</p>")
