"""spinekit: scoping and estimation workbook for NHS Spine integrations.

Models a programme's services, prerequisites and lead times as a dependency network, then
computes critical paths, schedule risk and what-if scenarios.
"""

from ._calendar import HOLIDAY_REGIONS, Closure, WorkingCalendar
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
from ._summary import critical_path_words, steering_summary_html
from ._report import ReportError, ReportFiles, build_report

__version__ = "0.1.0"

__all__ = [
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
    "critical_path_words",
    "steering_summary_html",
    "ReportError",
    "ReportFiles",
    "build_report",
]
