"""Calibration: finished tasks whose actual duration fell outside their three-point range.

Read across one or many tracked programmes, the list shows which catalogue lead times (by the
task's ``kind``, the catalogue item, and its ``basis``, the source) real programmes contradict.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spinekit.model.domain import Programme, Task

__all__ = ["Miss", "calibrate", "finished_tasks"]


@dataclass(frozen=True)
class Miss:
    """A finished task whose actual working days fell below ``min`` or above ``max``."""

    programme: str
    task: str
    name: str
    item: str | None
    basis: str | None
    min: float
    likely: float
    max: float
    actual: int

    @property
    def side(self) -> str:
        """``"below"`` the range or ``"above"`` it."""
        return "below" if self.actual < self.min else "above"

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready values."""
        return {
            "programme": self.programme,
            "task": self.task,
            "name": self.name,
            "item": self.item,
            "basis": self.basis,
            "min": self.min,
            "likely": self.likely,
            "max": self.max,
            "actual": self.actual,
            "side": self.side,
        }


def finished_tasks(programme: Programme) -> Iterator[tuple[str, Task]]:
    """Each finished task of ``programme`` that is evidence of a duration: its id and the task as
    planned (before the status). Milestones take no time, and a programme without a status has
    none."""
    if programme.status is None or programme.planned is None:
        return
    for tid, got in programme.status.tasks:
        task = programme.planned.task(tid)
        if got.finish is not None and not task.is_milestone:
            yield tid, task


def calibrate(programmes: Sequence[Programme]) -> list[Miss]:
    """Every finished task, in every programme given, whose actual duration is outside its range.

    The range is the task's estimate as planned (before the status); the actual duration is the
    working days from its actual start to its actual finish inclusive. Milestones and programmes
    without a status give nothing (see :func:`finished_tasks`). Rows come by catalogue item, then
    programme, then task.
    """
    misses = []
    for programme in programmes:
        for tid, task in finished_tasks(programme):
            actual = int(programme.task(tid).duration.likely)
            d = task.duration
            if actual < d.min or actual > d.max:
                misses.append(
                    Miss(programme.name, tid, task.name, task.kind, task.basis, d.min, d.likely, d.max, actual)
                )
    return sorted(misses, key=lambda m: (m.item or "", m.programme, m.task))
