"""Programme cost: the deterministic estimate from a schedule, and the cost of each Monte Carlo iteration.

A programme's cost has three parts:

fixed
    Each task's ``cost`` (a number or a three-point estimate): its ``likely`` value in the
    deterministic estimate, a draw from its distribution in each iteration.
time-dependent
    Each task's resources: rate × share × the task's duration in working days (the planned
    duration in the deterministic estimate; the sampled duration, risk delays included, in
    each iteration), and each standing cost: rate × the programme's working days from its
    start to its finish.
risk
    A risk's ``cost_impact``, once in each iteration in which the risk occurs; none in the
    deterministic estimate, which has no risk events.

A task naming a resource the programme does not define adds nothing for it (``spinekit check``
warns about it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spinekit.engine.cpm import CompiledNetwork
from spinekit.engine.noise import sensitivity_noise
from spinekit.engine.sampling import draw, stream
from spinekit.engine.schedule import Schedule
from spinekit.model.domain import Amount, Programme, Task

__all__ = ["CostEstimate", "CostModel", "CostSummary", "deterministic_cost", "day_rate", "within_budget"]


@dataclass(frozen=True)
class CostEstimate:
    """The deterministic cost of a schedule: its ``total`` and how it splits.

    ``by_task`` holds each task's fixed and resource cost, in programme order, for the tasks
    that have any; ``standing`` is the standing costs over the programme's working days.
    """

    total: float
    fixed: float
    resources: float
    standing: float
    by_task: dict[str, float]


def day_rate(programme: Programme, task: Task) -> float:
    """What ``task``'s resources cost per working day of the task: the sum of rate × share."""
    rates = {r.id: r.rate for r in programme.resources}
    return sum(rates.get(a.resource, 0.0) * a.share for a in task.resources)


def deterministic_cost(sched: Schedule) -> CostEstimate:
    """The cost of the deterministic schedule ``sched``.

    Fixed costs at their ``likely`` value, resources for each task's planned duration, and
    standing costs for the ``finish_offset`` working days from the start to the finish.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Amount, Assignment, Duration, Programme, Resource, StandingCost, Task
    >>> from spinekit import WorkingCalendar, schedule
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4), "none"), (
    ...     Task("a", "A", Duration.fixed(10), resources=(Assignment("dev", 0.5),)),
    ...     Task("b", "B", Duration.fixed(0), cost=Amount(800, 1000, 1500))),
    ...     resources=(Resource("dev", "Developers", 4000),),
    ...     standing_costs=(StandingCost("Hosting", 100),))
    >>> deterministic_cost(schedule(p)).total  # 1000 + 0.5 * 4000 * 10 + 100 * 10
    22000.0
    """
    programme = sched.programme
    planned = dict(zip(sched.columns["id"], sched.columns["duration"]))
    by_task: dict[str, float] = {}
    fixed = time = 0.0
    for t in programme.tasks:
        if t.cost is None and not t.resources:
            continue
        f = float(t.cost.likely) if t.cost is not None else 0.0
        r = day_rate(programme, t) * float(planned[t.id])
        fixed += f
        time += r
        by_task[t.id] = f + r
    standing = sum(c.rate for c in programme.standing_costs) * float(sched.finish_offset)
    return CostEstimate(fixed + time + standing, fixed, time, standing, by_task)


# Costs within this of the budget count as within it (sums of fractional amounts round).
_AMOUNT_TOLERANCE = 1e-6


def within_budget(cost: np.ndarray, budget: float) -> np.ndarray:
    """Whether each cost is at most ``budget``."""
    inside: np.ndarray = cost <= budget + _AMOUNT_TOLERANCE
    return inside


@dataclass(frozen=True, eq=False)
class CostModel:
    """The cost of Monte Carlo iterations, chunk by chunk, from their durations, risks and finish.

    Each fixed cost and each risk's cost impact has its own random stream, keyed by the seed
    and the task or risk id and consumed in iteration order, so the result does not depend on
    the chunk size and a scenario that leaves a task alone leaves its cost draws alone.
    """

    ids: tuple[str, ...]  # the costed tasks, in network order
    rows: np.ndarray  # their network indices
    day_rates: np.ndarray  # per costed task: sum of rate × share
    fixed: tuple[tuple[int, Amount, np.random.Generator], ...]  # (position in ids, amount, stream)
    standing: float  # standing costs per working day
    risks: tuple[tuple[int, Amount, np.random.Generator], ...]  # (risk index, cost impact, stream)

    @classmethod
    def build(cls, programme: Programme, net: CompiledNetwork, seed: int) -> CostModel:
        """The cost model of ``programme`` on its compiled network, with streams from ``seed``."""
        by_id = {t.id: t for t in programme.tasks}
        costed = [i for i in net.ids if by_id[i].cost is not None or by_id[i].resources]
        fixed = []
        for k, tid in enumerate(costed):
            c = by_id[tid].cost
            if c is not None:
                fixed.append((k, c, stream(seed, "cost", tid)))
        risks = tuple(
            (k, r.cost_impact, stream(seed, "cost-impact", r.id))
            for k, r in enumerate(programme.risks)
            if r.cost_impact is not None
        )
        return cls(
            ids=tuple(costed),
            rows=net.positions(costed),
            day_rates=np.array([day_rate(programme, by_id[i]) for i in costed]),
            fixed=tuple(fixed),
            standing=sum(c.rate for c in programme.standing_costs),
            risks=risks,
        )

    def costs(
        self, durations: np.ndarray, occurs: list[np.ndarray], finish: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The next iterations' total cost and each costed task's cost.

        Parameters
        ----------
        durations:
            ``(tasks, n)`` sampled durations in network order, risk delays included.
        occurs:
            Per risk of the programme, whether it occurred in each of the ``n`` iterations.
        finish:
            The ``n`` programme finish offsets (working days from the start).

        Returns
        -------
        tuple
            ``(total, by_task)``: ``total`` has shape ``(n,)``, ``by_task`` ``(len(ids), n)``.
        """
        n = finish.shape[0]
        by_task = durations[self.rows] * self.day_rates[:, np.newaxis]
        for k, amount, gen in self.fixed:
            by_task[k] += draw(amount, gen, n)
        total = by_task.sum(axis=0) if len(self.ids) else np.zeros(n)
        total += self.standing * finish
        for k, amount, gen in self.risks:
            # Drawn for every iteration, used where the risk occurs: the stream stays aligned
            # with the iterations whatever the chunk size.
            total += np.where(occurs[k], draw(amount, gen, n), 0.0)
        return total, by_task


@dataclass(frozen=True, eq=False)
class CostSummary:
    """What a Monte Carlo run found about cost, beside the dates.

    ``total`` holds every iteration's cost; ``summary`` its mean and percentiles (keys ``mean``,
    ``p10``, ``p50``, ...). ``within_budget_probability`` is the share of iterations costing at
    most the budget, and ``joint_confidence`` the share that both finish on or before the
    target and cost at most the budget (None without a budget, or without a target for the
    joint confidence). ``drivers`` is the Spearman rank correlation of each costed task's cost
    with the total, over the first ``drivers_iterations`` iterations, and ``sensitivity`` that
    of each task's duration with the total, over the same iterations (time-dependent costs make
    a long task drive the cost through the finish, even when the task itself costs nothing).
    Values are unrounded.
    """

    currency: str
    budget: float | None
    deterministic: CostEstimate
    total: np.ndarray
    summary: dict[str, float]
    within_budget_probability: float | None
    joint_confidence: float | None
    drivers: dict[str, float]
    drivers_iterations: int
    sensitivity: dict[str, float]

    @property
    def sensitivity_noise(self) -> float:
        """Half-width of the band sampling noise alone fills for ``drivers`` and ``sensitivity``
        over ``drivers_iterations`` (:func:`~spinekit.engine.noise.sensitivity_noise`)."""
        return sensitivity_noise(self.drivers_iterations)
