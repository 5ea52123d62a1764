"""spinekit: scoping and estimation workbook for NHS Spine integrations.

Models a programme's services, prerequisites and lead times as a dependency network, then
computes critical paths, schedule risk and what-if scenarios.

Public names resolve lazily (PEP 562): ``import spinekit`` loads nothing heavy, and
``spinekit.schedule`` imports only the modules that scheduling needs. The layers are
``model`` < ``engine`` < ``catalogue`` < ``analysis`` < ``views``/``interop`` < ``cli``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Catalogue": "spinekit.catalogue.load",
    "Interface": "spinekit.catalogue.load",
    "Item": "spinekit.catalogue.load",
    "Provenance": "spinekit.catalogue.load",
    "Service": "spinekit.catalogue.load",
    "Source": "spinekit.catalogue.load",
    "load_catalogue": "spinekit.catalogue.load",
    "parse_catalogue": "spinekit.catalogue.load",
    "CatalogueError": "spinekit.model.errors",
    "CycleError": "spinekit.model.errors",
    "ExportError": "spinekit.model.errors",
    "HistoryError": "spinekit.model.errors",
    "ProgrammeError": "spinekit.model.errors",
    "NothingToChange": "spinekit.model.errors",
    "SpinekitError": "spinekit.model.errors",
    "UnknownTaskError": "spinekit.model.errors",
    "FigureExportError": "spinekit.model.errors",
    "Scope": "spinekit.catalogue.scope",
    "ServiceChoice": "spinekit.catalogue.scope",
    "apply_overrides": "spinekit.catalogue.scope",
    "expand_scope": "spinekit.catalogue.scope",
    "starter_programme": "spinekit.catalogue.starter",
    "HOLIDAY_REGIONS": "spinekit.model.calendar",
    "Closure": "spinekit.model.calendar",
    "WorkingCalendar": "spinekit.model.calendar",
    "CompiledNetwork": "spinekit.engine.cpm",
    "Passes": "spinekit.engine.cpm",
    "compile_network": "spinekit.engine.cpm",
    "passes": "spinekit.engine.cpm",
    "data_dir": "spinekit.model.files",
    "example_path": "spinekit.model.files",
    "write_atomic": "spinekit.model.files",
    "read_programme": "spinekit.catalogue.programme",
    "parse_programme": "spinekit.catalogue.programme",
    "DEPENDENCY_TYPES": "spinekit.model.domain",
    "DISTRIBUTIONS": "spinekit.model.domain",
    "Correlation": "spinekit.model.domain",
    "Dependency": "spinekit.model.domain",
    "Duration": "spinekit.model.domain",
    "Amount": "spinekit.model.domain",
    "Assignment": "spinekit.model.domain",
    "Resource": "spinekit.model.domain",
    "StandingCost": "spinekit.model.domain",
    "CostEstimate": "spinekit.engine.cost",
    "deterministic_cost": "spinekit.engine.cost",
    "Programme": "spinekit.model.domain",
    "Risk": "spinekit.model.domain",
    "Task": "spinekit.model.domain",
    "Rule": "spinekit.model.domain",
    "task_rules": "spinekit.analysis.provenance",
    "why_here_table": "spinekit.analysis.provenance",
    "Status": "spinekit.model.domain",
    "TaskProgress": "spinekit.model.domain",
    "apply_status": "spinekit.model.status",
    "progress": "spinekit.analysis.progress",
    "recorded_progress": "spinekit.analysis.progress",
    "take_snapshot": "spinekit.analysis.progress",
    "variance_table": "spinekit.analysis.progress",
    "baseline_table": "spinekit.analysis.progress",
    "finished_by_date": "spinekit.analysis.progress",
    "calibrate": "spinekit.analysis.calibration",
    "burn_up": "spinekit.views.figures.progress",
    "read_history": "spinekit.model.history",
    "open_history": "spinekit.model.history",
    "default_history_url": "spinekit.model.history",
    "milestone_trend": "spinekit.views.figures.progress",
    "parse_status": "spinekit.model.status",
    "read_status": "spinekit.model.status",
    "build_network": "spinekit.engine.network",
    "SCHEDULE_COLUMNS": "spinekit.engine.schedule",
    "Schedule": "spinekit.engine.schedule",
    "schedule": "spinekit.engine.schedule",
    "STATIC_FORMATS": "spinekit.views.figures.static",
    "save_static": "spinekit.views.figures.static",
    "criticality_chart": "spinekit.views.figures.risk",
    "finish_histogram": "spinekit.views.figures.risk",
    "s_curve": "spinekit.views.figures.risk",
    "tornado": "spinekit.views.figures.risk",
    "gantt": "spinekit.views.figures.gantt",
    "gantt_comparison": "spinekit.views.figures.gantt",
    "scenario_ranges": "spinekit.views.figures.scenarios",
    "scenario_s_curves": "spinekit.views.figures.scenarios",
    "PERCENTILES": "spinekit.engine.simulate",
    "SimulationResult": "spinekit.engine.simulate",
    "simulate": "spinekit.engine.simulate",
    "assumptions": "spinekit.analysis.summary",
    "AsOf": "spinekit.catalogue.load",
    "old_sources": "spinekit.analysis.freshness",
    "reverify_table": "spinekit.analysis.freshness",
    "renewals": "spinekit.analysis.freshness",
    "cost_assumptions": "spinekit.analysis.summary",
    "cost_summary": "spinekit.analysis.summary",
    "cost_s_curve": "spinekit.views.figures.cost",
    "joint_confidence_chart": "spinekit.views.figures.cost",
    "critical_path_words": "spinekit.analysis.summary",
    "finish_dates": "spinekit.analysis.summary",
    "findings_table": "spinekit.analysis.summary",
    "health_lines": "spinekit.analysis.summary",
    "start_now_lines": "spinekit.analysis.summary",
    "start_this_week_table": "spinekit.analysis.summary",
    "scenario_table": "spinekit.analysis.summary",
    "scenario_summary": "spinekit.analysis.summary",
    "sources_cited": "spinekit.analysis.summary",
    "steering_summary_html": "spinekit.analysis.summary",
    "top_drivers": "spinekit.analysis.summary",
    "top_risks": "spinekit.analysis.summary",
    "Comparison": "spinekit.analysis.compare",
    "ScenarioResult": "spinekit.analysis.compare",
    "compare": "spinekit.analysis.compare",
    "changed_tasks": "spinekit.analysis.compare",
    "changed_tasks_words": "spinekit.analysis.compare",
    "apply_scenario": "spinekit.catalogue.scenarios",
    "SEVERITIES": "spinekit.analysis.check",
    "Finding": "spinekit.analysis.check",
    "HealthCheck": "spinekit.analysis.check",
    "StartItem": "spinekit.analysis.check",
    "check_plan": "spinekit.analysis.check",
    "ReportError": "spinekit.views.report",
    "ReportFiles": "spinekit.views.report",
    "build_report": "spinekit.views.report",
    "ExplorerState": "spinekit.views.explorer.widgets",
    "build_explorer": "spinekit.views.explorer.widgets",
}

# Sub-packages reachable as attributes, e.g. ``spinekit.explorer`` for notebooks.
_MODULES: dict[str, str] = {
    "explorer": "spinekit.views.explorer",
    "display": "spinekit.views.display",
    "model": "spinekit.model",
    "engine": "spinekit.engine",
    "catalogue": "spinekit.catalogue",
    "analysis": "spinekit.analysis",
    "views": "spinekit.views",
    "interop": "spinekit.interop",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'spinekit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_MODULES})


if TYPE_CHECKING:  # pragma: no cover - names for type checkers and IDEs
    from spinekit.analysis.calibration import (
        calibrate as calibrate,
    )
    from spinekit.analysis.check import (
        SEVERITIES as SEVERITIES,
    )
    from spinekit.analysis.check import (
        Finding as Finding,
    )
    from spinekit.analysis.check import (
        HealthCheck as HealthCheck,
    )
    from spinekit.analysis.check import (
        StartItem as StartItem,
    )
    from spinekit.analysis.check import (
        check_plan as check_plan,
    )
    from spinekit.analysis.compare import (
        Comparison as Comparison,
    )
    from spinekit.analysis.compare import (
        ScenarioResult as ScenarioResult,
    )
    from spinekit.analysis.compare import (
        changed_tasks as changed_tasks,
    )
    from spinekit.analysis.compare import (
        changed_tasks_words as changed_tasks_words,
    )
    from spinekit.analysis.compare import (
        compare as compare,
    )
    from spinekit.analysis.freshness import (
        old_sources as old_sources,
    )
    from spinekit.analysis.freshness import (
        renewals as renewals,
    )
    from spinekit.analysis.freshness import (
        reverify_table as reverify_table,
    )
    from spinekit.analysis.progress import (
        baseline_table as baseline_table,
    )
    from spinekit.analysis.progress import (
        finished_by_date as finished_by_date,
    )
    from spinekit.analysis.progress import (
        progress as progress,
    )
    from spinekit.analysis.progress import (
        recorded_progress as recorded_progress,
    )
    from spinekit.analysis.progress import (
        take_snapshot as take_snapshot,
    )
    from spinekit.analysis.progress import (
        variance_table as variance_table,
    )
    from spinekit.analysis.provenance import (
        task_rules as task_rules,
    )
    from spinekit.analysis.provenance import (
        why_here_table as why_here_table,
    )
    from spinekit.analysis.summary import (
        assumptions as assumptions,
    )
    from spinekit.analysis.summary import (
        cost_assumptions as cost_assumptions,
    )
    from spinekit.analysis.summary import (
        cost_summary as cost_summary,
    )
    from spinekit.analysis.summary import (
        critical_path_words as critical_path_words,
    )
    from spinekit.analysis.summary import (
        findings_table as findings_table,
    )
    from spinekit.analysis.summary import (
        finish_dates as finish_dates,
    )
    from spinekit.analysis.summary import (
        health_lines as health_lines,
    )
    from spinekit.analysis.summary import (
        scenario_summary as scenario_summary,
    )
    from spinekit.analysis.summary import (
        scenario_table as scenario_table,
    )
    from spinekit.analysis.summary import (
        sources_cited as sources_cited,
    )
    from spinekit.analysis.summary import (
        start_now_lines as start_now_lines,
    )
    from spinekit.analysis.summary import (
        start_this_week_table as start_this_week_table,
    )
    from spinekit.analysis.summary import (
        steering_summary_html as steering_summary_html,
    )
    from spinekit.analysis.summary import (
        top_drivers as top_drivers,
    )
    from spinekit.analysis.summary import (
        top_risks as top_risks,
    )
    from spinekit.catalogue.load import (
        AsOf as AsOf,
    )
    from spinekit.catalogue.load import (
        Catalogue as Catalogue,
    )
    from spinekit.catalogue.load import (
        Interface as Interface,
    )
    from spinekit.catalogue.load import (
        Item as Item,
    )
    from spinekit.catalogue.load import (
        Provenance as Provenance,
    )
    from spinekit.catalogue.load import (
        Service as Service,
    )
    from spinekit.catalogue.load import (
        Source as Source,
    )
    from spinekit.catalogue.load import (
        load_catalogue as load_catalogue,
    )
    from spinekit.catalogue.load import (
        parse_catalogue as parse_catalogue,
    )
    from spinekit.catalogue.programme import (
        parse_programme as parse_programme,
    )
    from spinekit.catalogue.programme import (
        read_programme as read_programme,
    )
    from spinekit.catalogue.scenarios import (
        apply_scenario as apply_scenario,
    )
    from spinekit.catalogue.scope import (
        Scope as Scope,
    )
    from spinekit.catalogue.scope import (
        ServiceChoice as ServiceChoice,
    )
    from spinekit.catalogue.scope import (
        apply_overrides as apply_overrides,
    )
    from spinekit.catalogue.scope import (
        expand_scope as expand_scope,
    )
    from spinekit.catalogue.starter import (
        starter_programme as starter_programme,
    )
    from spinekit.engine.cost import (
        CostEstimate as CostEstimate,
    )
    from spinekit.engine.cost import (
        deterministic_cost as deterministic_cost,
    )
    from spinekit.engine.cpm import (
        CompiledNetwork as CompiledNetwork,
    )
    from spinekit.engine.cpm import (
        Passes as Passes,
    )
    from spinekit.engine.cpm import (
        compile_network as compile_network,
    )
    from spinekit.engine.cpm import (
        passes as passes,
    )
    from spinekit.engine.network import (
        build_network as build_network,
    )
    from spinekit.engine.schedule import (
        SCHEDULE_COLUMNS as SCHEDULE_COLUMNS,
    )
    from spinekit.engine.schedule import (
        Schedule as Schedule,
    )
    from spinekit.engine.schedule import (
        schedule as schedule,
    )
    from spinekit.engine.simulate import (
        PERCENTILES as PERCENTILES,
    )
    from spinekit.engine.simulate import (
        SimulationResult as SimulationResult,
    )
    from spinekit.engine.simulate import (
        simulate as simulate,
    )
    from spinekit.model.calendar import (
        HOLIDAY_REGIONS as HOLIDAY_REGIONS,
    )
    from spinekit.model.calendar import (
        Closure as Closure,
    )
    from spinekit.model.calendar import (
        WorkingCalendar as WorkingCalendar,
    )
    from spinekit.model.domain import (
        DEPENDENCY_TYPES as DEPENDENCY_TYPES,
    )
    from spinekit.model.domain import (
        DISTRIBUTIONS as DISTRIBUTIONS,
    )
    from spinekit.model.domain import (
        Amount as Amount,
    )
    from spinekit.model.domain import (
        Assignment as Assignment,
    )
    from spinekit.model.domain import (
        Correlation as Correlation,
    )
    from spinekit.model.domain import (
        Dependency as Dependency,
    )
    from spinekit.model.domain import (
        Duration as Duration,
    )
    from spinekit.model.domain import (
        Programme as Programme,
    )
    from spinekit.model.domain import (
        Resource as Resource,
    )
    from spinekit.model.domain import (
        Risk as Risk,
    )
    from spinekit.model.domain import (
        Rule as Rule,
    )
    from spinekit.model.domain import (
        StandingCost as StandingCost,
    )
    from spinekit.model.domain import (
        Status as Status,
    )
    from spinekit.model.domain import (
        Task as Task,
    )
    from spinekit.model.domain import (
        TaskProgress as TaskProgress,
    )
    from spinekit.model.errors import (
        CatalogueError as CatalogueError,
    )
    from spinekit.model.errors import (
        CycleError as CycleError,
    )
    from spinekit.model.errors import (
        ExportError as ExportError,
    )
    from spinekit.model.errors import (
        FigureExportError as FigureExportError,
    )
    from spinekit.model.errors import (
        HistoryError as HistoryError,
    )
    from spinekit.model.errors import (
        NothingToChange as NothingToChange,
    )
    from spinekit.model.errors import (
        ProgrammeError as ProgrammeError,
    )
    from spinekit.model.errors import (
        SpinekitError as SpinekitError,
    )
    from spinekit.model.errors import (
        UnknownTaskError as UnknownTaskError,
    )
    from spinekit.model.files import (
        data_dir as data_dir,
    )
    from spinekit.model.files import (
        example_path as example_path,
    )
    from spinekit.model.files import (
        write_atomic as write_atomic,
    )
    from spinekit.model.history import (
        default_history_url as default_history_url,
    )
    from spinekit.model.history import (
        open_history as open_history,
    )
    from spinekit.model.history import (
        read_history as read_history,
    )
    from spinekit.model.status import (
        apply_status as apply_status,
    )
    from spinekit.model.status import (
        parse_status as parse_status,
    )
    from spinekit.model.status import (
        read_status as read_status,
    )
    from spinekit.views.explorer.widgets import (
        ExplorerState as ExplorerState,
    )
    from spinekit.views.explorer.widgets import (
        build_explorer as build_explorer,
    )
    from spinekit.views.figures.cost import (
        cost_s_curve as cost_s_curve,
    )
    from spinekit.views.figures.cost import (
        joint_confidence_chart as joint_confidence_chart,
    )
    from spinekit.views.figures.gantt import (
        gantt as gantt,
    )
    from spinekit.views.figures.gantt import (
        gantt_comparison as gantt_comparison,
    )
    from spinekit.views.figures.progress import (
        burn_up as burn_up,
    )
    from spinekit.views.figures.progress import (
        milestone_trend as milestone_trend,
    )
    from spinekit.views.figures.risk import (
        criticality_chart as criticality_chart,
    )
    from spinekit.views.figures.risk import (
        finish_histogram as finish_histogram,
    )
    from spinekit.views.figures.risk import (
        s_curve as s_curve,
    )
    from spinekit.views.figures.risk import (
        tornado as tornado,
    )
    from spinekit.views.figures.scenarios import (
        scenario_ranges as scenario_ranges,
    )
    from spinekit.views.figures.scenarios import (
        scenario_s_curves as scenario_s_curves,
    )
    from spinekit.views.figures.static import (
        STATIC_FORMATS as STATIC_FORMATS,
    )
    from spinekit.views.figures.static import (
        save_static as save_static,
    )
    from spinekit.views.report import (
        ReportError as ReportError,
    )
    from spinekit.views.report import (
        ReportFiles as ReportFiles,
    )
    from spinekit.views.report import (
        build_report as build_report,
    )
