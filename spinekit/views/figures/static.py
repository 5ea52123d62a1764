"""Static export: a figure saved as an image (PNG, SVG, PDF …) for slide decks, through kaleido."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from spinekit.model.errors import FigureExportError
from spinekit.model.files import write_atomic

if TYPE_CHECKING:
    pass

__all__ = ["save_static", "STATIC_FORMATS"]

STATIC_FORMATS = ("png", "svg", "pdf", "jpeg", "jpg", "webp")


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
