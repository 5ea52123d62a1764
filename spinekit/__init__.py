"""spinekit: scoping and estimation workbook for NHS Spine integrations.

Models a programme's services, prerequisites and lead times as a dependency network, then
computes critical paths, schedule risk and what-if scenarios.
"""

from ._calendar import HOLIDAY_REGIONS, Closure, WorkingCalendar
from ._catalogue import Catalogue, Interface, Item, Provenance, Service, Source, load_catalogue, parse_catalogue
from ._exceptions import CatalogueError
from ._cpm import CompiledNetwork, Passes, compile_network, passes
from ._exceptions import CycleError, ExportError, ProgrammeError, SpinekitError, UnknownTaskError
from ._io import data_dir, example_path, read_programme, write_atomic
from ._model import (
    DEPENDENCY_TYPES,
    DISTRIBUTIONS,
    Correlation,
    Dependency,
    Duration,
    Programme,
    Risk,
    Task,
)
from ._network import build_network
from ._programme import parse_programme
from ._schedule import SCHEDULE_COLUMNS, Schedule, schedule
from ._exceptions import FigureExportError
from ._figures import (
    STATIC_FORMATS,
    criticality_chart,
    finish_histogram,
    gantt,
    gantt_comparison,
    s_curve,
    save_static,
    scenario_ranges,
    scenario_s_curves,
    tornado,
)
from ._scope import Scope, ServiceChoice, apply_overrides, expand_scope
from ._starter import starter_programme
from ._simulate import PERCENTILES, SimulationResult, simulate
from ._summary import (
    assumptions,
    critical_path_words,
    findings_table,
    health_lines,
    start_now_lines,
    start_this_week_table,
    finish_dates,
    scenario_summary,
    scenario_table,
    sources_cited,
    steering_summary_html,
    top_drivers,
    top_risks,
)
from ._compare import Comparison, ScenarioResult, changed_tasks, changed_tasks_words, compare
from ._scenarios import apply_scenario
from ._check import SEVERITIES, Finding, HealthCheck, StartItem, check_plan
from ._report import ReportError, ReportFiles, build_report
from .explorer import ExplorerState, build_explorer

__version__ = "0.1.0"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Interface",
    "Item",
    "Provenance",
    "Service",
    "Source",
    "load_catalogue",
    "parse_catalogue",
    "Scope",
    "ServiceChoice",
    "apply_overrides",
    "expand_scope",
    "starter_programme",
    "HOLIDAY_REGIONS",
    "Closure",
    "WorkingCalendar",
    "CompiledNetwork",
    "Passes",
    "compile_network",
    "passes",
    "CycleError",
    "ExportError",
    "ProgrammeError",
    "SpinekitError",
    "UnknownTaskError",
    "data_dir",
    "example_path",
    "read_programme",
    "write_atomic",
    "DEPENDENCY_TYPES",
    "DISTRIBUTIONS",
    "Correlation",
    "Dependency",
    "Duration",
    "Programme",
    "Risk",
    "Task",
    "build_network",
    "parse_programme",
    "SCHEDULE_COLUMNS",
    "Schedule",
    "schedule",
    "FigureExportError",
    "STATIC_FORMATS",
    "criticality_chart",
    "finish_histogram",
    "gantt",
    "gantt_comparison",
    "s_curve",
    "save_static",
    "scenario_ranges",
    "scenario_s_curves",
    "tornado",
    "PERCENTILES",
    "SimulationResult",
    "simulate",
    "assumptions",
    "critical_path_words",
    "finish_dates",
    "findings_table",
    "health_lines",
    "start_now_lines",
    "start_this_week_table",
    "scenario_table",
    "scenario_summary",
    "sources_cited",
    "steering_summary_html",
    "top_drivers",
    "top_risks",
    "Comparison",
    "ScenarioResult",
    "compare",
    "changed_tasks",
    "changed_tasks_words",
    "apply_scenario",
    "SEVERITIES",
    "Finding",
    "HealthCheck",
    "StartItem",
    "check_plan",
    "ReportError",
    "ReportFiles",
    "build_report",
    "ExplorerState",
    "build_explorer",
]
