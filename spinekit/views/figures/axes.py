"""The x axis shared by the risk and scenario charts: dates or plain numbers, in whole days."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from spinekit.views.figures.style import iso_day, short_day

__all__ = ["axis_values", "cdf", "plot_x", "point", "share_by", "x_range", "x_shape", "x_text"]


def axis_values(values: Any) -> tuple[np.ndarray, bool]:
    """Values as floats, and whether they were dates (then counted in days from 1970-01-01)."""
    s = (
        values
        if isinstance(values, pd.Series)
        else pd.Series(values if isinstance(values, np.ndarray) else list(values))
    )
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


def point(value: Any, is_date: bool) -> float:
    """One date or number in the units of a sample (``is_date`` says which)."""
    days, value_is_date = axis_values([value])
    if value_is_date != is_date:
        unit = "a date" if is_date else "a number"
        raise ValueError(f"{value!r} should be {unit}, like the finishes it is drawn with")
    return float(days[0])


def plot_x(days: np.ndarray | float, is_date: bool) -> Any:
    if not is_date:
        return days
    return pd.to_datetime(np.asarray(days, dtype=np.int64), unit="D")


def x_text(value: float, is_date: bool) -> str:
    if is_date:
        return short_day(pd.Timestamp(int(value), unit="D"))
    return f"{value:g}"


def x_shape(value: float, is_date: bool) -> Any:
    return iso_day(pd.Timestamp(int(value), unit="D")) if is_date else value


def share_by(sample: np.ndarray, limit: float) -> float:
    return float(np.mean(sample <= limit))


def x_range(
    values: np.ndarray, extra: Iterable[float], is_date: bool, *, pad_share: float = 0.04, right_pads: float = 2
) -> list[Any]:
    """The x-axis range of a risk or scenario chart, in whole days (or units).

    Parameters
    ----------
    values, extra:
        The points drawn (in the units of :func:`axis_values`) and any marks beside them.
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
    return [x_shape(np.floor(lo - pad), is_date), x_shape(np.ceil(hi + pad * right_pads), is_date)]


def cdf(sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and the percentage of the sample at or below each, from 0 at the left."""
    values, counts = np.unique(sample, return_counts=True)
    share = np.cumsum(counts) / counts.sum() * 100
    return np.concatenate([[values[0] - 1], values]), np.concatenate([[0.0], share])
