"""Plotly figures of schedules, schedule risk and scenarios: data in, ``go.Figure`` out.

Every function only draws. Schedules, simulations and sensitivities are computed elsewhere and
passed in as tables, mappings or arrays; arguments such as ``start=`` or ``group=`` name the
column that plays that role. One module per family: :mod:`.gantt`, :mod:`.risk`,
:mod:`.cost`, :mod:`.scenarios`; the house style in :mod:`.style`; only :func:`save_static` (:mod:`.static`)
writes a file.
"""

from spinekit.views.figures.cost import cost_s_curve, joint_confidence_chart
from spinekit.views.figures.gantt import gantt, gantt_comparison
from spinekit.views.figures.risk import (
    criticality_chart,
    finish_histogram,
    s_curve,
    tornado,
)
from spinekit.views.figures.scenarios import scenario_ranges, scenario_s_curves
from spinekit.views.figures.static import STATIC_FORMATS, save_static

__all__ = [
    "gantt",
    "gantt_comparison",
    "finish_histogram",
    "s_curve",
    "tornado",
    "criticality_chart",
    "cost_s_curve",
    "joint_confidence_chart",
    "scenario_ranges",
    "scenario_s_curves",
    "save_static",
    "STATIC_FORMATS",
]
