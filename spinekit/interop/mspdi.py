"""Microsoft Project and Primavera, both ways, through MPXJ (https://www.mpxj.org).

MPXJ is a Java library; its Python package (``mpxj``, with ``jpype1``) is the optional extra
``spinekit[interop]`` and needs a Java runtime (11 or later). The Java virtual machine starts
once per process, on first use.

Export (:func:`to_mspdi`) writes Microsoft Project XML (MSPDI), which Microsoft Project and
ProjectLibre open: every task with its duration in working days, milestones, all four link
types with lags and leads, ``not_before`` as a start-no-earlier-than constraint, deadlines, the
owner, track, kind and spinekit id in text fields (Text1-Text4, named), the basis of each
estimate as the task's notes, the calendar (Monday to Friday, 08:00-17:00) with bank holidays and
closures as exceptions, and spinekit's scheduled dates.

Import (:func:`read_plan`) reads any plan MPXJ knows (``.mpp``, MSPDI ``.xml``, Primavera
``.xer`` and PMXML, and others) into programme-file data. See ``docs/interop.md`` for the
mapping and its limits; what cannot be carried over is listed, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinekit.catalogue.kinds import catalogue_kinds, plain_name
from spinekit.model.calendar import bank_holidays
from spinekit.model.errors import ExportError, ProgrammeError

if TYPE_CHECKING:
    from spinekit.model.domain import Programme

__all__ = ["to_mspdi", "read_plan", "ImportedPlan", "InteropError", "TEXT_FIELDS", "catalogue_kinds"]

#: The MSPDI text fields spinekit writes, by number, with their names in Microsoft Project.
TEXT_FIELDS = {1: "Owner", 2: "Track", 3: "Kind", 4: "spinekit id"}
_DAY_START = (8, 0)
_DAY_END = (17, 0)
_TYPES = {"FS": "FINISH_START", "SS": "START_START", "FF": "FINISH_FINISH", "SF": "START_FINISH"}
_ID = re.compile(r"[^A-Za-z0-9_.-]+")


class InteropError(ProgrammeError):
    """MPXJ or its Java runtime is missing, or MPXJ could not read or write a plan."""


def _jvm() -> Any:
    """Start the Java virtual machine with MPXJ on its class path (once per process)."""
    try:
        import jpype
        import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)
    except ImportError:
        raise InteropError(
            "Microsoft Project and Primavera files need MPXJ: pip install 'spinekit[interop]' "
            "(and a Java runtime, e.g. apt-get install default-jre-headless)"
        ) from None
    if not jpype.isJVMStarted():
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise InteropError(
                "Microsoft Project and Primavera files need a Java runtime (11 or later), which MPXJ "
                "runs on: install one (e.g. apt-get install default-jre-headless) or set JAVA_HOME"
            )
        try:
            # Log4j's simple logger: without it, reading an .mpp prints a warning that no logging
            # provider was found.
            quiet = "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory"
            jpype.startJVM(quiet, convertStrings=True)
        except (OSError, RuntimeError) as exc:
            raise InteropError(f"could not start Java for MPXJ: {exc}; check JAVA_HOME") from None
    return jpype


def _at(day: dt.date, hm: tuple[int, int]) -> Any:
    from java.time import LocalDateTime

    return LocalDateTime.of(day.year, day.month, day.day, hm[0], hm[1])


def _days(value: float) -> Any:
    from org.mpxj import Duration, TimeUnit

    return Duration.getInstance(float(value), TimeUnit.DAYS)


def to_mspdi(programme: Programme) -> str:
    """Microsoft Project XML of ``programme`` and its schedule.

    Raises
    ------
    InteropError
        MPXJ or Java is missing.
    ExportError
        MPXJ could not write the file.
    """
    from spinekit.engine.schedule import schedule

    sched = schedule(programme)
    _jvm()
    from java.time import LocalDate
    from org.mpxj import (
        ConstraintType,
        ProjectFile,
        Relation,
        RelationType,
        TaskField,
    )
    from org.mpxj.mspdi import MSPDIWriter

    pf = ProjectFile()
    cal = pf.addDefaultBaseCalendar()
    pf.setDefaultCalendar(cal)
    props = pf.getProjectProperties()
    props.setName(programme.name)
    props.setProjectTitle(programme.name)
    props.setStartDate(_at(programme.calendar.day0, _DAY_START))
    for number, alias in TEXT_FIELDS.items():
        pf.getCustomFields().add(getattr(TaskField, f"TEXT{number}")).setAlias(alias)

    records = sched.records()
    first = min(r["start"] for r in records)
    last = max(r["finish"] for r in records)
    first, last = min(first, programme.calendar.day0), max(last, sched.finish_date)
    holidays = bank_holidays(programme.calendar.region, first.year, last.year + 1)
    for day in holidays:
        if day.weekday() < 5:
            cal.addCalendarException(
                LocalDate.of(day.year, day.month, day.day), LocalDate.of(day.year, day.month, day.day)
            )
    for c in programme.calendar.closures:
        exc = cal.addCalendarException(
            LocalDate.of(c.start.year, c.start.month, c.start.day), LocalDate.of(c.end.year, c.end.month, c.end.day)
        )
        if c.name:
            exc.setName(c.name)

    tasks = {}
    by_id = {r["id"]: r for r in records}
    for t in programme.tasks:
        row = by_id[t.id]
        task = pf.addTask()
        task.setName(t.name)
        task.setDuration(_days(t.duration.planned))
        task.setMilestone(t.is_milestone)
        task.setStart(_at(row["start"], _DAY_START))
        task.setFinish(_at(row["finish"], _DAY_START if t.is_milestone else _DAY_END))
        for number, value in ((1, t.owner), (2, t.track), (3, t.kind), (4, t.id)):
            if value:
                task.setText(number, value)
        if t.basis:
            task.setNotes(t.basis)
        not_before = programme.not_before(t)
        if not_before is not None:
            task.setConstraintType(ConstraintType.START_NO_EARLIER_THAN)
            task.setConstraintDate(_at(not_before, _DAY_START))
        if t.deadline is not None:
            task.setDeadline(_at(t.deadline, _DAY_END))
        tasks[t.id] = task
    for t in programme.tasks:
        for dep in t.depends_on:
            builder = Relation.Builder().predecessorTask(tasks[dep.task])
            builder = builder.type(getattr(RelationType, _TYPES[dep.type])).lag(_days(dep.lag))
            tasks[t.id].addPredecessor(builder)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.xml"
        try:
            MSPDIWriter().write(pf, str(path))
        except Exception as exc:  # a Java exception, raised through JPype
            raise ExportError(f"MPXJ could not write the Microsoft Project file: {exc}") from None
        return path.read_text(encoding="utf-8")


# --- import --------------------------------------------------------------------------------------


@dataclass
class ImportedPlan:
    """A plan read by MPXJ, as programme-file data, with what could not be carried over."""

    data: dict[str, Any]
    unsupported: list[str] = field(default_factory=list)
    source_dates: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.getYear(), value.getMonthValue(), value.getDayOfMonth())


def _first(*values: Any) -> Any:
    """The first of ``values`` that is set (Primavera keeps planned dates where Project keeps dates)."""
    return next((v for v in values if v is not None), None)


def _working_days(duration: Any, minutes_per_day: float, what: str, problems: list[str]) -> float | None:
    """``duration`` in working days, or ``None`` (with the reason added to ``problems``)."""
    if duration is None:
        return 0.0
    units = str(duration.getUnits().name())
    value = float(duration.getDuration())
    per_day = {"MINUTES": minutes_per_day, "HOURS": minutes_per_day / 60, "DAYS": 1.0}
    per_day |= {"WEEKS": 1 / 5, "MONTHS": 1 / 20}
    if units not in per_day:
        problems.append(f"{what}: {value:g} {units.lower()} (elapsed or percent durations are not supported)")
        return None
    return value / per_day[units]


def _whole(days: float, what: str, problems: list[str]) -> int:
    whole = round(days)
    if not math.isclose(days, whole, abs_tol=1e-6):
        problems.append(f"{what}: {days:g} working days rounded to {whole}")
    return int(whole)


def _unique_id(name: str, taken: set[str]) -> str:
    base = _ID.sub("-", name.strip().lower()).strip("-.") or "task"
    base = base[:60].rstrip("-.") or "task"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def read_plan(path: str | os.PathLike[str]) -> ImportedPlan:
    """Read a plan that MPXJ knows into programme-file data.

    Raises
    ------
    InteropError
        MPXJ or Java is missing, or MPXJ could not read the file.
    """
    source = str(path)
    if not Path(path).is_file():
        raise InteropError("no such file; check the path", source=source)
    _jvm()
    from org.mpxj.reader import UniversalProjectReader

    try:
        project = UniversalProjectReader().read(source)
    except Exception as exc:  # a Java exception, raised through JPype
        raise InteropError(f"MPXJ could not read it: {exc}", source=source) from None
    if project is None:
        raise InteropError("MPXJ does not recognise this file's format", source=source)

    problems: list[str] = []
    props = project.getProjectProperties()
    minutes_per_day = float(props.getMinutesPerDay() or 480)
    aliases = {str(f.getAlias()): f for f in project.getCustomFields() if f.getAlias()}
    id_field = aliases.get(TEXT_FIELDS[4])

    leaf = [t for t in project.getTasks() if not t.hasChildTasks() and t.getID() is not None and int(t.getID()) > 0]
    if not leaf:
        raise InteropError("the plan has no tasks", source=source)
    taken: set[str] = set()
    ids: dict[int, str] = {}
    for t in leaf:
        own = str(t.getText(4)) if id_field is not None and t.getText(4) else None
        if own and own not in taken and not _ID.search(own):
            taken.add(own)
            ids[int(t.getUniqueID())] = own
        else:
            ids[int(t.getUniqueID())] = _unique_id(str(t.getName() or f"task {t.getUniqueID()}"), taken)

    starts = [d for d in (_date(_first(t.getStart(), t.getPlannedStart(), t.getEarlyStart())) for t in leaf) if d]
    start = _date(_first(props.getStartDate(), props.getPlannedStart())) or (min(starts) if starts else None)
    if start is None:
        raise InteropError("the plan has no start date", source=source)

    tasks: list[dict[str, Any]] = []
    dates: dict[str, tuple[dt.date, dt.date]] = {}
    kinds = catalogue_kinds()
    project_calendar = project.getDefaultCalendar()
    for t in leaf:
        tid = ids[int(t.getUniqueID())]
        name = str(t.getName() or tid)
        what = f"task {name!r}"
        duration = _first(t.getDuration(), t.getPlannedDuration(), t.getRemainingDuration())
        days = _working_days(duration, minutes_per_day, what, problems)
        entry: dict[str, Any] = {"id": tid, "name": name, "duration": _whole(days or 0.0, what, problems)}
        if t.getMilestone():
            entry["duration"] = 0
        links = []
        for rel in t.getPredecessors():
            pred = rel.getPredecessorTask()
            if pred is None or int(pred.getUniqueID()) not in ids:
                problems.append(f"{what}: a link from a summary or missing task was left out")
                continue
            kind = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}.get(
                str(rel.getType().name()), "FS"
            )
            lag = _working_days(rel.getLag(), minutes_per_day, f"{what} link", problems)
            link: dict[str, Any] = {"task": ids[int(pred.getUniqueID())]}
            if kind != "FS":
                link["type"] = kind
            if lag:
                link["lag"] = _whole(lag, f"{what} link", problems)
            links.append(link if len(link) > 1 else link["task"])
        if links:
            entry["depends_on"] = links
        constraint = str(t.getConstraintType().name()) if t.getConstraintType() is not None else "AS_SOON_AS_POSSIBLE"
        when = _date(t.getConstraintDate())
        if constraint in ("START_NO_EARLIER_THAN", "MUST_START_ON") and when is not None:
            entry["not_before"] = when.isoformat()
            if constraint == "MUST_START_ON":
                problems.append(f"{what}: must-start-on {when} read as start-no-earlier-than")
        elif constraint in ("FINISH_NO_LATER_THAN", "MUST_FINISH_ON") and when is not None:
            entry["deadline"] = when.isoformat()
            if constraint == "MUST_FINISH_ON":
                problems.append(f"{what}: must-finish-on {when} read as a deadline")
        elif constraint != "AS_SOON_AS_POSSIBLE":
            problems.append(f"{what}: constraint {constraint.lower().replace('_', ' ')} is not supported")
        deadline = _date(t.getDeadline())
        if deadline is not None:
            entry["deadline"] = deadline.isoformat()
        owner = t.getText(1) if aliases.get(TEXT_FIELDS[1]) is not None else None
        if not owner:
            names = [str(a.getResource().getName()) for a in t.getResourceAssignments() if a.getResource() is not None]
            owner = ", ".join(n for n in names if n) or None
        if owner:
            entry["owner"] = str(owner)
        parent = t.getParentTask()
        track = t.getText(2) if aliases.get(TEXT_FIELDS[2]) is not None else None
        if not track and parent is not None and parent.getID() is not None and int(parent.getID()) > 0:
            track = str(parent.getName())
        if track:
            entry["track"] = str(track)
        kind_text = t.getText(3) if aliases.get(TEXT_FIELDS[3]) is not None else None
        if kind_text:
            entry["kind"] = str(kind_text)
        elif kinds.get(plain_name(name)):
            entry["kind"] = kinds[plain_name(name)]  # the one catalogue item of that name
        if t.getLevelingDelay() is not None and float(t.getLevelingDelay().getDuration()) != 0:
            problems.append(f"{what}: resource levelling delay left out")
        own_calendar = t.getCalendar()
        # Primavera gives every activity a calendar, usually the project's own: only another one is a problem.
        if own_calendar is not None and (
            project_calendar is None or own_calendar.getUniqueID() != project_calendar.getUniqueID()
        ):
            problems.append(f"{what}: its own calendar {own_calendar.getName()!s} is not supported")
        first = _date(_first(t.getStart(), t.getPlannedStart(), t.getEarlyStart()))
        last = _date(_first(t.getFinish(), t.getPlannedFinish(), t.getEarlyFinish()))
        if first is not None and last is not None:
            dates[tid] = (first, last)
        tasks.append(entry)

    closures = []
    if project_calendar is not None:
        for exception in project_calendar.getCalendarExceptions():
            if exception.getWorking():
                problems.append(f"calendar: working exception {_date(exception.getFromDate())} is not supported")
                continue
            closure: dict[str, Any] = {
                "from": _date(exception.getFromDate()).isoformat(),  # type: ignore[union-attr]
                "to": _date(exception.getToDate()).isoformat(),  # type: ignore[union-attr]
            }
            if exception.getName():
                closure["name"] = str(exception.getName())
            closures.append(closure)
    data: dict[str, Any] = {
        "name": str(props.getProjectTitle() or props.getName() or Path(source).stem),
        "start": start.isoformat(),
        "calendar": {"holidays": "none", **({"closures": closures} if closures else {})},
        "tasks": tasks,
    }
    return ImportedPlan(data, problems, dates)
