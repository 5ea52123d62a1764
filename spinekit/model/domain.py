"""The internal domain model: small frozen value objects for programmes, tasks and durations."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field

from spinekit.model.calendar import WorkingCalendar

__all__ = [
    "DEPENDENCY_TYPES",
    "DISTRIBUTIONS",
    "BASIS_KINDS",
    "Duration",
    "Dependency",
    "Task",
    "Risk",
    "Correlation",
    "Change",
    "Scenario",
    "Programme",
]

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


@dataclass(frozen=True)
class Dependency:
    """A link from predecessor ``task`` to the task that lists it."""

    task: str
    type: str = "FS"
    lag: int = 0


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
    """A discrete risk event: with ``probability`` it adds ``impact`` days to each listed task."""

    id: str
    name: str
    probability: float
    impact: Duration
    tasks: tuple[str, ...]


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


@dataclass(frozen=True)
class Programme:
    """A validated programme: tasks on a working calendar, with optional risks and a target."""

    name: str
    calendar: WorkingCalendar
    tasks: tuple[Task, ...]
    target: dt.date | None = None
    risks: tuple[Risk, ...] = ()
    correlations: tuple[Correlation, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    source: str | None = field(default=None, compare=False)

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
