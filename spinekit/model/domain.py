"""The internal domain model: small frozen value objects for programmes, tasks and durations."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from spinekit.model.calendar import WorkingCalendar

__all__ = [
    "DEPENDENCY_TYPES",
    "DISTRIBUTIONS",
    "BASIS_KINDS",
    "Duration",
    "Amount",
    "Resource",
    "Assignment",
    "StandingCost",
    "Dependency",
    "Rule",
    "Task",
    "Risk",
    "Correlation",
    "Change",
    "Scenario",
    "TaskProgress",
    "Status",
    "Programme",
    "RISK_STATES",
    "ORGANISATION_ID",
]

#: A per-organisation task id: the stem, then ``-org`` and the organisation's number
#: (``asid-pds-production-org2``), as scope expansion writes them.
ORGANISATION_ID = re.compile(r"^(?P<stem>.*-org)(?P<n>\d+)$")

#: Dependency types: FS finish-to-start (default), SS start-to-start, FF finish-to-finish,
#: SF start-to-finish.
DEPENDENCY_TYPES = ("FS", "SS", "FF", "SF")

#: Distributions a three-point estimate may use; ``pert`` is the default.
DISTRIBUTIONS = ("pert", "triangular", "uniform")

#: Where a task's ``basis`` says its duration comes from, by its first word: a catalogue
#: provenance (``published``, ``reported``, ``estimate``), a programme ``override`` or a
#: scenario ``preset``.
BASIS_KINDS = ("published", "reported", "estimate", "override", "preset")


@dataclass(frozen=True)
class Duration:
    """A duration in working days: fixed, or a three-point estimate with a distribution.

    Examples
    --------
    >>> Duration.fixed(5).planned
    5
    >>> Duration(10, 15, 30).planned, Duration(10, 15, 30).dist
    (15, 'pert')
    """

    min: float
    likely: float
    max: float
    dist: str = "pert"

    @classmethod
    def fixed(cls, days: float) -> Duration:
        """A duration with no uncertainty."""
        return cls(days, days, days, "fixed")

    @property
    def is_fixed(self) -> bool:
        """Whether every draw equals the planned value."""
        return self.dist == "fixed" or self.min == self.max

    @property
    def planned(self) -> int:
        """Whole working days the deterministic schedule uses: ``likely``, rounded up."""
        return int(math.ceil(self.likely - 1e-9))


#: A three-point amount of money (a fixed cost or a risk's cost impact) is the same value object
#: as a duration: min, likely and max with a distribution, drawn the same way; ``likely`` is
#: the deterministic value.
Amount = Duration


@dataclass(frozen=True)
class Resource:
    """A person, role or team that a task uses, paid ``rate`` per working day."""

    id: str
    name: str
    rate: float
    basis: str | None = None


@dataclass(frozen=True)
class Assignment:
    """A task's use of resource ``resource`` for ``share`` of its time (1 = full time)."""

    resource: str
    share: float = 1.0


@dataclass(frozen=True)
class StandingCost:
    """A cost of the whole programme, ``rate`` per working day from its start to its finish."""

    name: str
    rate: float
    basis: str | None = None


@dataclass(frozen=True)
class Dependency:
    """A link from predecessor ``task`` to the task that lists it."""

    task: str
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True)
class Rule:
    """Why a generated task is in the plan: the catalogue rule that produced it.

    ``item`` is the catalogue item (the task's ``kind``); ``service`` and ``interface`` the
    service and interface it serves, with the chosen ``operations`` that interface carries;
    ``repeat`` the item's repeat as the catalogue states it (``once``, ``per-environment`` ...),
    with the ``environment``, ``organisation`` and roll-out ``wave`` this repeat is for;
    ``route`` the interface's assurance route; ``needed_by`` the ``service:interface`` pairs
    (or scope options) that bring the item in; ``sources`` the catalogue sources behind it.

    Examples
    --------
    >>> Rule("api-application", service="pds", interface="fhir", repeat=("per-environment", "per-service"),
    ...      environment="int", route="scal-dos", needed_by=("pds:fhir",), sources=("S9", "S61")).describe()
    'catalogue item api-application for pds:fhir, per environment and per service (int), route scal-dos [S9][S61]'
    """

    item: str
    service: str | None = None
    interface: str | None = None
    operations: tuple[str, ...] = ()
    repeat: tuple[str, ...] = ()
    environment: str | None = None
    organisation: int | None = None
    wave: int | None = None
    route: str | None = None
    needed_by: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a reader: the item, what it serves, how it repeats, its route and sources."""
        text = f"catalogue item {self.item}"
        serves = f"{self.service}:{self.interface}" if self.service and self.interface else self.service
        if serves:
            text += f" for {serves}"
        elif self.needed_by:
            text += f" for {', '.join(self.needed_by)}"
        if self.operations:
            text += f" ({', '.join(self.operations)})"
        if self.repeat:
            text += ", " + " and ".join(r.replace("-", " ") for r in self.repeat)
        where = [self.environment] if self.environment else []
        where += [f"organisation {self.organisation}"] if self.organisation is not None else []
        where += [f"wave {self.wave}"] if self.wave is not None else []
        if where:
            text += f" ({', '.join(where)})"
        if self.route:
            text += f", route {self.route}"
        if self.sources:
            text += " " + "".join(f"[{s}]" for s in self.sources)
        return text

    def to_dict(self) -> dict[str, object]:
        """The rule as plain values (lists for the tuples), as the programme file writes it."""
        return {
            "item": self.item,
            "service": self.service,
            "interface": self.interface,
            "operations": list(self.operations),
            "repeat": list(self.repeat),
            "environment": self.environment,
            "organisation": self.organisation,
            "wave": self.wave,
            "route": self.route,
            "needed_by": list(self.needed_by),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Task:
    """One piece of work, lead-time item or milestone (duration 0)."""

    id: str
    name: str
    duration: Duration
    depends_on: tuple[Dependency, ...] = ()
    not_before: dt.date | None = None
    deadline: dt.date | None = None
    owner: str | None = None
    service: str | None = None
    environment: str | None = None
    kind: str | None = None
    track: str | None = None
    basis: str | None = None
    resources: tuple[Assignment, ...] = ()
    cost: Amount | None = None
    cost_basis: str | None = None
    #: The catalogue rule that generated the task (None for a hand-written task).
    rule: Rule | None = None

    @property
    def basis_kind(self) -> str | None:
        """The kind of ``basis`` (one of :data:`BASIS_KINDS`), or None for free text or none.

        >>> Task("a", "a", Duration.fixed(5), basis="estimate [S22]: 2-6 weeks").basis_kind
        'estimate'
        >>> Task("a", "a", Duration.fixed(5), basis="supplier's quote").basis_kind is None
        True
        """
        word = re.match(r"[a-z]+", self.basis or "")
        return word.group() if word and word.group() in BASIS_KINDS else None

    @property
    def is_milestone(self) -> bool:
        """Whether the task takes no time (its duration is exactly 0)."""
        return self.duration.is_fixed and self.duration.likely == 0


@dataclass(frozen=True)
class Risk:
    """A discrete risk event: with ``probability`` it adds ``impact`` days to each listed task.

    When it occurs it also costs ``cost_impact`` (once per occurrence, not per task).
    """

    id: str
    name: str
    probability: float
    impact: Duration
    tasks: tuple[str, ...]
    cost_impact: Amount | None = None


@dataclass(frozen=True)
class Correlation:
    """A group of task durations drawn with rank correlation ``rho``."""

    tasks: tuple[str, ...]
    rho: float


@dataclass(frozen=True)
class Change:
    """One edit to a programme: to a task, a risk, the calendar or the start date.

    Only the fields that are set apply. ``depends_on_add`` links are added to the task's
    predecessors; ``depends_on_remove`` ids are removed; ``remove`` deletes the task (its
    dependants inherit its predecessors).
    """

    task: str | None = None
    risk: str | None = None
    duration: Duration | None = None
    depends_on_add: tuple[Dependency, ...] = ()
    depends_on_remove: tuple[str, ...] = ()
    remove: bool = False
    not_before: dt.date | None = None
    clear_not_before: bool = False
    deadline: dt.date | None = None
    probability: float | None = None
    impact: Duration | None = None
    calendar: WorkingCalendar | None = None
    start: dt.date | None = None


@dataclass(frozen=True)
class Scenario:
    """A named variant of a programme: an optional preset, then changes."""

    id: str
    name: str
    preset: str | None = None
    changes: tuple[Change, ...] = ()
    #: Why the preset changed nothing in this programme (it applies as a no-op), if it did not.
    note: str | None = None


@dataclass(frozen=True)
class TaskProgress:
    """What has happened to one task by the status date: its actual dates and work left.

    A task with ``finish`` is done; with ``start`` only, in progress, with ``remaining`` working
    days left or ``percent_complete`` of its estimate done.
    """

    start: dt.date | None = None
    finish: dt.date | None = None
    remaining: Duration | None = None
    percent_complete: float | None = None

    @property
    def started(self) -> bool:
        """Whether the task has an actual start."""
        return self.start is not None

    @property
    def done(self) -> bool:
        """Whether the task has an actual finish."""
        return self.finish is not None


#: What a status may say about a risk.
RISK_STATES = ("closed", "occurred")


@dataclass(frozen=True)
class Status:
    """Progress recorded up to the end of ``date``: per task (``tasks``) and per risk (``risks``).

    ``tasks`` pairs task ids with their :class:`TaskProgress`; ``risks`` pairs risk ids with
    ``"closed"`` (it can no longer happen) or ``"occurred"`` (its impact applies for certain).
    """

    date: dt.date
    tasks: tuple[tuple[str, TaskProgress], ...] = ()
    risks: tuple[tuple[str, str], ...] = ()
    #: The status file it was read from, where it is a file of its own (None inside a programme
    #: file): where a message about one of its entries points.
    file: str | None = field(default=None, compare=False)

    def progress(self, task_id: str) -> TaskProgress | None:
        """The recorded progress of ``task_id``, or None when it has not started."""
        return self._by_task.get(task_id)

    def risk(self, risk_id: str) -> str | None:
        """``"closed"``, ``"occurred"`` or None for a risk still open."""
        return self._by_risk.get(risk_id)

    # Built on first use and kept (as Programme._tasks_by_id is): the progress summaries and the
    # health check ask about every task, which a lookup per call would make quadratic.
    @functools.cached_property
    def _by_task(self) -> dict[str, TaskProgress]:
        return dict(self.tasks)

    @functools.cached_property
    def _by_risk(self) -> dict[str, str]:
        return dict(self.risks)


@dataclass(frozen=True)
class Programme:
    """A validated programme: tasks on a working calendar, with optional risks and a target.

    Costs are optional: ``resources`` with day rates used by tasks, ``standing_costs`` of the
    whole programme per working day, fixed task costs and risk cost impacts, all in
    ``currency``, with an optional ``budget`` beside the ``target``.
    """

    name: str
    calendar: WorkingCalendar
    tasks: tuple[Task, ...]
    target: dt.date | None = None
    risks: tuple[Risk, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    currency: str = "GBP"
    budget: float | None = None
    resources: tuple[Resource, ...] = ()
    standing_costs: tuple[StandingCost, ...] = ()
    source: str | None = field(default=None, compare=False)
    #: The progress the tasks reflect (see :func:`spinekit.model.status.apply_status`), if any.
    status: Status | None = None
    #: The programme as planned, before the status was applied (None without a status).
    planned: Programme | None = field(default=None, compare=False, repr=False)
    #: The first working day after the status date, before which no task not yet started may
    #: start (see :meth:`not_before`); None when nothing is held.
    hold: dt.date | None = None
    #: Its scope's tasks again with some scope fields changed (``rescope(hl7v3_fallback=True)``),
    #: overrides applied; None for a programme without a scope.
    rescope: Callable[..., tuple[Task, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def has_costs(self) -> bool:
        """Whether anything in the programme costs money (rates, fixed costs or risk costs)."""
        return bool(
            self.standing_costs
            or any(t.cost is not None or t.resources for t in self.tasks)
            or any(r.cost_impact is not None for r in self.risks)
        )

    @property
    def start(self) -> dt.date:
        """The programme's start date as written (index 0 is the first working day from it)."""
        return self.calendar.start

    # Not a dataclass field, so equality, hashing and repr ignore it; it is built on first use
    # and kept in the instance's __dict__, which a frozen dataclass without slots allows.
    @functools.cached_property
    def _tasks_by_id(self) -> dict[str, Task]:
        """Each task by id, in programme order (the first task wins where an id repeats).

        Shared by every caller, so treat it as read-only.
        """
        out: dict[str, Task] = {}
        for t in self.tasks:
            out.setdefault(t.id, t)
        return out

    @functools.cached_property
    def started(self) -> frozenset[str]:
        """Ids of the tasks with an actual start in :attr:`status` (none without a status)."""
        if self.status is None:
            return frozenset()
        return frozenset(tid for tid, p in self.status.tasks if p.start is not None)

    def not_before(self, task: Task) -> dt.date | None:
        """The date ``task`` may start on or after: its own ``not_before``, held at :attr:`hold`.

        A task not yet started starts no earlier than the later of its own date and the hold; a
        started task keeps its own (its actual start). The schedule and every export read the
        date through this rule (the schedule all at once, in
        :func:`spinekit.engine.schedule.constraint_bounds`).

        >>> import datetime as dt
        >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4)), (
        ...     Task("a", "A", Duration.fixed(1)),
        ...     Task("b", "B", Duration.fixed(1), not_before=dt.date(2027, 2, 1))),
        ...     hold=dt.date(2027, 1, 11))
        >>> str(p.not_before(p.task("a"))), str(p.not_before(p.task("b")))
        ('2027-01-11', '2027-02-01')
        """
        own = task.not_before
        if self.hold is None or task.id in self.started:
            return own
        return self.hold if own is None or own < self.hold else own

    def task(self, task_id: str) -> Task:
        """The task with id ``task_id``.

        Raises
        ------
        KeyError
            No task has that id.
        """
        try:
            return self._tasks_by_id[task_id]
        except (KeyError, TypeError):  # TypeError: an unhashable id, which matches no task either
            raise KeyError(task_id) from None
