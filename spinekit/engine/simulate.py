"""Monte Carlo schedule risk: sampled durations and risk events run through the CPM passes.

Each iteration draws every task's duration (working days, fractional) and every risk event, then
runs the same forward and backward passes as the deterministic schedule, with the same
``not_before`` and deadline bounds, on a ``(tasks, iterations)`` array: no Python loop over
iterations. Iterations are processed in chunks so memory stays bounded.

Sampling
    ``uniform`` and ``triangular`` durations use their closed-form inverse CDF. ``pert`` is the
    Beta(α, β) distribution with λ = 4 scaled to ``[min, max]``; an independent PERT task is drawn
    with numpy's exact Beta sampler (far faster than inverting the Beta CDF), a correlated one by
    the exact inverse CDF (``scipy.special.betaincinv``). A fixed duration is its value.
Correlation
    A Gaussian copula: each correlation group's target Spearman ``rho`` becomes the Pearson
    correlation ``2 sin(pi rho / 6)`` of standard normals, which go through the normal CDF to
    uniforms and then through each task's own inverse CDF, so the durations keep their own
    distributions and have rank correlation ``rho``.
Risk events
    Per iteration, one Bernoulli draw and one impact draw per risk; when the risk occurs the
    impact is added to the duration of every task it lists.
Cost
    When the programme has costs, each iteration's cost is worked out from that iteration's
    durations, finish and risk events, with its own draws of fixed costs and risk cost
    impacts (:mod:`spinekit.engine.cost`), so cost and date are correlated as the network
    makes them.
Random numbers
    Every task and risk has its own stream, keyed by the seed and its id, consumed in iteration
    order. Results therefore do not depend on the chunk size, and changing one task leaves the
    draws of the others as they were.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import operator
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from spinekit.engine.cost import CostModel, CostSummary, deterministic_cost, within_budget
from spinekit.engine.cpm import CompiledNetwork, passes
from spinekit.engine.noise import criticality_noise, sensitivity_noise
from spinekit.engine.sampling import draw as _draw
from spinekit.engine.sampling import normal_cdf as _normal_cdf
from spinekit.engine.sampling import quantile as _quantile
from spinekit.engine.sampling import stream as _stream
from spinekit.engine.schedule import Schedule, constraint_bounds
from spinekit.engine.schedule import schedule as schedule_programme
from spinekit.model.calendar import CalendarRangeError
from spinekit.model.domain import Duration, Programme
from spinekit.model.errors import ProgrammeError

__all__ = ["SimulationResult", "simulate", "PERCENTILES"]

#: Percentiles of the finish reported, in the order reported.
PERCENTILES = (10, 50, 80, 90)

#: A task is critical in an iteration when its total float is at most this (working days).
CRITICAL_FLOAT = 1e-9

# Finish offsets within this of a whole day count as that day (sums of fractional days round).
_DAY_TOLERANCE = 1e-9
# Default chunk: about this many task-iterations (2 MiB per float array), but no fewer
# iterations than _MIN_CHUNK, below which per-chunk overhead dominates on large networks.
_CHUNK_CELLS = 2**18
_MIN_CHUNK = 1024
# Sensitivity uses the first iterations only: at least this many, more while the kept
# durations stay under _SENSITIVITY_CELLS, and never more than _SENSITIVITY_MAX.
_SENSITIVITY_MIN = 10_000
_SENSITIVITY_MAX = 100_000
_SENSITIVITY_CELLS = 2**23
# Each task's finish is kept for the first iterations only (float32): enough for its P50/P80.
_TASK_FINISH_MIN = 1_000
_TASK_FINISH_CELLS = 2**22
# Seeds are drawn below 2**53 so the reported seed is exact as a JSON number everywhere.
_SEED_LIMIT = 2**53


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What a Monte Carlo run found; :meth:`to_dict` gives the ``simulate`` JSON document.

    Offsets are in working days from index 0, and a finish offset F is dated on working day
    ceil(F) - 1 (day 0 when F is 0). ``finish`` holds F for every iteration, enough for an
    S-curve or a histogram; ``finish_offset`` holds its mean and :data:`PERCENTILES` (keys
    ``mean``, ``p10``, ``p50``, ...) and ``finish_date`` their dates. ``on_time_probability``
    is the share of iterations dated on or before the programme's ``target`` (None without
    one). ``criticality``, ``sensitivity`` and ``risk_drivers`` are described in
    :func:`simulate`. ``cost`` is the cost of the iterations (None when nothing in the
    programme costs money). Values are unrounded; :meth:`to_dict` rounds them.
    """

    programme: Programme
    iterations: int
    seed: int
    deterministic_offset: int
    deterministic_date: dt.date
    finish: np.ndarray
    finish_offset: dict[str, float]
    finish_date: dict[str, dt.date]
    on_time_probability: float | None
    criticality: dict[str, float]
    sensitivity: dict[str, float]
    sensitivity_iterations: int
    risk_drivers: dict[str, float]
    task_finish: dict[str, dict[str, dt.date]] = field(default_factory=dict)
    cost: CostSummary | None = None

    @property
    def sensitivity_noise(self) -> float:
        """Half-width of the band sampling noise alone fills, for the iterations the
        sensitivity was computed over (:func:`sensitivity_noise`, 95 %): only values outside
        it are drivers distinguishable from noise."""
        return sensitivity_noise(self.sensitivity_iterations)

    @property
    def criticality_noise(self) -> float:
        """The smallest criticality these iterations tell apart from zero
        (:func:`criticality_noise`, 95 %): only tasks critical more often are drivers."""
        return criticality_noise(self.iterations)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: days to 2 decimals, probabilities and correlations to 4."""
        doc: dict[str, Any] = {
            "programme": self.programme.name,
            "iterations": self.iterations,
            "seed": self.seed,
            "deterministic": {
                "finish_offset": self.deterministic_offset,
                "finish_date": self.deterministic_date.isoformat(),
            },
            "finish_offset": {k: _round(v, 2) for k, v in self.finish_offset.items()},
            "finish_date": {k: v.isoformat() for k, v in self.finish_date.items()},
        }
        if self.on_time_probability is not None:
            doc["on_time_probability"] = _round(self.on_time_probability, 4)
        doc["criticality"] = {k: _round(v, 4) for k, v in self.criticality.items()}
        doc["sensitivity"] = {k: _round(v, 4) for k, v in self.sensitivity.items()}
        doc["risk_drivers"] = {k: _round(v, 2) for k, v in self.risk_drivers.items()}
        if self.cost is not None:
            c = self.cost
            doc["cost"] = {
                "currency": c.currency,
                "budget": c.budget,
                "deterministic": _round(c.deterministic.total, 2),
                **{k: _round(v, 2) for k, v in c.summary.items()},
                "within_budget_probability": _maybe_round(c.within_budget_probability, 4),
            }
            doc["joint_confidence"] = _maybe_round(c.joint_confidence, 4)
            doc["cost_drivers"] = {k: _round(v, 4) for k, v in c.drivers.items()}
            doc["cost_sensitivity"] = {k: _round(v, 4) for k, v in c.sensitivity.items()}
        return doc

    def to_text(self) -> str:
        """A plain-text summary for people: P-dates, then tasks by sensitivity, then risks."""
        p = self.programme
        lines = [
            p.name,
            f"{self.iterations:,} iterations, seed {self.seed}",
            f"deterministic finish {self.deterministic_date} ({self.deterministic_offset} working days)",
            "",
            f"{'':6}{'working days':>14}  finish date",
            f"{'mean':6}{self.finish_offset['mean']:>14.1f}",
        ]
        for q in PERCENTILES:
            key = f"p{q}"
            lines.append(f"{key.upper():6}{self.finish_offset[key]:>14.1f}  {self.finish_date[key]}")
        if self.on_time_probability is not None:
            lines += ["", f"on time for the target {p.target}: {self.on_time_probability:.1%}"]

        # A row is listed when it drives the date, or is critical, beyond sampling noise.
        band, often = self.sensitivity_noise, self.criticality_noise
        drivers = [t for t in p.tasks if abs(self.sensitivity[t.id]) > band or self.criticality[t.id] > often]
        order = sorted(drivers, key=lambda t: -abs(self.sensitivity[t.id]))
        width = max(len("task"), *(len(t.id) for t in p.tasks))
        lines += ["", f"{'task':<{width}}  {'critical':>8}  {'sensitivity':>11}"]
        lines += [
            f"{t.id:<{width}}  {_share(self.criticality[t.id]):>8}  {_round(self.sensitivity[t.id], 2):>11.2f}"
            for t in order
        ]
        hidden = len(p.tasks) - len(drivers)
        if hidden:
            lines.append(
                f"(drivers within sampling noise for {self.iterations:,} iterations are not shown: "
                f"{hidden} {'task' if hidden == 1 else 'tasks'} with sensitivity within ±{band:.3f} "
                f"and critical in at most {often:.2%} of iterations)"
            )
        if self.sensitivity_iterations < self.iterations:
            lines.append(f"(sensitivity from the first {self.sensitivity_iterations:,} iterations)")
        if p.risks:
            rw = max(len("risk"), *(len(r.id) for r in p.risks))
            lines += ["", f"{'risk':<{rw}}  {'probability':>11}  P80 days saved if removed"]
            lines += [f"{r.id:<{rw}}  {r.probability:>11.0%}  {self.risk_drivers[r.id]:>25.2f}" for r in p.risks]
        if self.cost is not None:
            lines += self._cost_lines(self.cost)
        return "\n".join(lines) + "\n"

    def _cost_lines(self, c: CostSummary) -> list[str]:
        p = self.programme
        lines = [
            "",
            f"cost ({c.currency})",
            f"{'deterministic':13}{c.deterministic.total:>16,.0f}",
            f"{'mean':13}{c.summary['mean']:>16,.0f}",
        ]
        lines += [f"{f'P{q}':13}{c.summary[f'p{q}']:>16,.0f}" for q in PERCENTILES]
        if c.budget is not None and c.within_budget_probability is not None:
            lines += ["", f"within the budget {c.budget:,.0f}: {c.within_budget_probability:.1%}"]
        if c.joint_confidence is not None:
            lines.append(f"joint confidence (by the target {p.target} and within the budget): {c.joint_confidence:.1%}")
        shown = [t.id for t in p.tasks if c.drivers.get(t.id, 0.0) != 0.0 or c.sensitivity[t.id] != 0.0]
        if shown:
            order = sorted(shown, key=lambda t: -max(abs(c.drivers.get(t, 0.0)), abs(c.sensitivity[t])))
            width = max(len("task"), *(len(t) for t in order))
            lines += ["", f"{'task':<{width}}  {'cost driver':>11}  {'duration vs cost':>16}"]
            lines += [
                f"{t:<{width}}  {_cell(c.drivers.get(t)):>11}  {_round(c.sensitivity[t], 2):>16.2f}" for t in order
            ]
            lines.append("(rank correlations with the total cost: of each task's own cost, and of its duration)")
            if c.drivers_iterations < self.iterations:
                lines.append(f"(from the first {c.drivers_iterations:,} iterations)")
        return lines


def simulate(
    programme: Programme,
    iterations: int = 10_000,
    seed: int | None = None,
    *,
    rng: np.random.Generator | int | None = None,
    chunk_size: int | None = None,
    schedule: Schedule | None = None,
) -> SimulationResult:
    """Run a Monte Carlo schedule-risk analysis of ``programme``.

    Parameters
    ----------
    programme:
        A validated programme; its ``risks``, ``correlations`` and ``target`` are used.
    iterations:
        Number of iterations, 1 or more.
    seed:
        Non-negative integer seed. The same programme and seed give the same result, bit for
        bit. When neither ``seed`` nor ``rng`` is given a seed is drawn from fresh operating
        system entropy; either way the seed used is reported in the result.
    rng:
        Alternatively, anything :func:`numpy.random.default_rng` accepts; the seed is then
        drawn from it.
    chunk_size:
        Iterations processed at a time (default: about 260,000 task-iterations per chunk, and
        at least 1,024 iterations).
        Changes memory and speed, never the result.
    schedule:
        The deterministic schedule of this same ``programme`` object, if already computed
        (as :func:`~spinekit.schedule` returns it); it supplies the network and the
        deterministic finish. A schedule of any other programme object is ignored and the
        programme is scheduled afresh, so passing one never changes the result.

    Returns
    -------
    SimulationResult
        ``criticality`` is the share of iterations in which each task's total float is at most
        :data:`CRITICAL_FLOAT`. ``sensitivity`` is the Spearman rank correlation between each
        task's sampled duration (risk impacts included) and F, and 0 for a task whose duration
        did not vary; it is computed over the first ``sensitivity_iterations`` iterations
        (all of them up to 10,000, at most 100,000), which bounds memory: its standard error is
        about ``1 / sqrt(sensitivity_iterations)``. ``risk_drivers`` gives, per risk, P80 of F
        minus P80 of F with that risk removed, on the same random numbers; it is negative only
        when start-to-start or finish-to-finish links make a longer task shorten the programme.
        With costs, ``cost`` (:class:`~spinekit.engine.cost.CostSummary`) gives each
        iteration's cost, its percentiles, the chance within the ``budget`` and the joint
        confidence of finishing by the target within the budget.
        Memory is bounded by the chunk size except for F itself, one F per risk and, with
        costs, the cost, kept for the percentiles (8 bytes per iteration each).

    Raises
    ------
    ProgrammeError
        When the correlation groups conflict or together describe an impossible correlation
        matrix (not positive semi-definite).
    ValueError
        For ``iterations`` below 1, a negative seed, or both ``seed`` and ``rng`` given.

    Examples
    --------
    Two parallel tasks with the same uniform range are each critical about half of the time:

    >>> import datetime as dt
    >>> from spinekit import Duration, Programme, Task, WorkingCalendar
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4), "none"), (
    ...     Task("a", "A", Duration(10, 15, 20, "uniform")),
    ...     Task("b", "B", Duration(10, 15, 20, "uniform"))))
    >>> result = simulate(p, 4000, seed=7)
    >>> round(result.criticality["a"], 1), round(result.criticality["b"], 1)
    (0.5, 0.5)
    >>> result.to_dict()["deterministic"]
    {'finish_offset': 15, 'finish_date': '2027-01-22'}
    """
    iterations = operator.index(iterations)
    if iterations < 1:
        raise ValueError(f"iterations must be 1 or more, got {iterations}")
    if chunk_size is not None and operator.index(chunk_size) < 1:
        raise ValueError(f"chunk_size must be 1 or more, got {chunk_size}")
    seed = _resolve_seed(seed, rng)

    # Identity, not equality: a schedule of any other programme would give the wrong network or
    # deterministic finish, and comparing two programmes task by task costs about as much as
    # scheduling again.
    sched = schedule
    if sched is None or sched.programme is not programme:
        sched = schedule_programme(programme)
    net = sched.network
    # A Schedule does not keep its not_before / deadline bounds, so they are derived again: one
    # pass over the tasks, small beside the sampling.
    lower, upper = constraint_bounds(programme, net)
    sampler = _Sampler.build(programme, net, seed)
    width = chunk_size or max(_MIN_CHUNK, _CHUNK_CELLS // max(net.size, 1))
    n_risks = len(programme.risks)

    finish = np.empty(iterations)
    finish_without = np.empty((n_risks, iterations))
    critical = np.zeros(net.size, dtype=np.int64)
    varying = sampler.varying
    n_sample = _sensitivity_size(iterations, varying.size)
    sample = np.empty((varying.size, n_sample))
    n_tasks_kept = min(iterations, max(_TASK_FINISH_MIN, _TASK_FINISH_CELLS // max(net.size, 1)))
    finishes = np.empty((net.size, n_tasks_kept), dtype=np.float32)
    costing = CostModel.build(programme, net, seed) if programme.has_costs else None
    if costing is not None:
        cost = np.empty(iterations)
        # Only tasks with a fixed cost keep their costs for the drivers: any other task's cost
        # is its duration times a day rate, so it ranks as its duration (kept in ``sample``).
        drawn = np.array([k for k, *_ in costing.fixed], dtype=np.int64)
        cost_sample = np.empty((drawn.size, n_sample))

    for first, last, draw in _prefetched(sampler, iterations, width):
        res = passes(net, draw.durations, lower, upper)
        finish[first:last] = res.finish
        if costing is not None:
            cost[first:last], by_task = costing.costs(draw.durations, draw.occurs, res.finish)
            if first < n_sample:
                keep = min(last, n_sample) - first
                cost_sample[:, first : first + keep] = by_task[drawn, :keep]
        critical += np.count_nonzero(res.total_float <= CRITICAL_FLOAT, axis=1)
        if first < n_sample:
            keep = min(last, n_sample) - first
            sample[:, first : first + keep] = draw.durations[varying, :keep]
        if first < n_tasks_kept:
            keep = min(last, n_tasks_kept) - first
            finishes[:, first : first + keep] = res.ef[:, :keep]
        for k in range(n_risks):
            out = finish_without[k, first:last]
            out[:] = res.finish
            hit = np.flatnonzero(draw.occurs[k])
            if hit.size:
                out[hit] = passes(net, sampler.without(draw, k, hit), lower, upper).finish

    try:
        result, cost_rho = _summarise(
            programme,
            sched,
            seed,
            finish,
            finish_without,
            critical,
            varying,
            sampler.may_tie,
            sample,
            finishes,
            cost if costing is not None else None,
        )
        if costing is None or cost_rho is None:
            return result
        costs = _summarise_cost(programme, sched, costing, cost_rho, finish, cost, cost_sample)
        return dataclasses.replace(result, cost=costs)
    except CalendarRangeError as exc:
        raise ProgrammeError(
            f"simulated finishes run too far: {exc}; check the largest durations and risk impacts",
            source=programme.source,
            field="duration",
        ) from None


def _prefetched(sampler: _Sampler, iterations: int, width: int) -> Iterator[tuple[int, int, _Draw]]:
    """Yield ``(first, last, draws)`` per chunk, drawing the next chunk while this one is used.

    One worker thread draws every chunk in order, so each stream is consumed exactly as it
    would be without it; numpy releases the GIL while it samples, so the draws overlap the
    passes on a second core.
    """
    bounds = [(f, min(f + width, iterations)) for f in range(0, iterations, width)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(sampler.draw, bounds[0][1] - bounds[0][0])
        for k, (first, last) in enumerate(bounds):
            draw = pending.result()
            if k + 1 < len(bounds):
                pending = pool.submit(sampler.draw, bounds[k + 1][1] - bounds[k + 1][0])
            yield first, last, draw


# -- summary --------------------------------------------------------------------------------


def _task_finishes(programme: Programme, net: CompiledNetwork, finishes: np.ndarray) -> dict[str, dict[str, dt.date]]:
    """P50 and P80 of each task's finish date over the kept iterations."""
    cal = programme.calendar
    qs = np.percentile(finishes.astype(np.float64), [50, 80], axis=1)
    by_id = {t.id: t for t in programme.tasks}
    milestone = np.array([by_id[i].is_milestone for i in net.ids])
    idx = np.ceil(qs - _DAY_TOLERANCE) - np.where(milestone, 0, 1)
    dates = cal.dates_of(np.maximum(idx, 0).astype(np.int64).ravel())
    n = net.size
    return {tid: {"p50": dates[k], "p80": dates[n + k]} for k, tid in enumerate(net.ids)}


def _summarise(
    programme: Programme,
    sched: Schedule,
    seed: int,
    finish: np.ndarray,
    finish_without: np.ndarray,
    critical: np.ndarray,
    varying: np.ndarray,
    may_tie: np.ndarray,
    sample: np.ndarray,
    finishes: np.ndarray,
    cost: np.ndarray | None = None,
) -> tuple[SimulationResult, np.ndarray | None]:
    """The result, and (given ``cost``) each task's duration's rank correlation with the cost."""
    cal = programme.calendar
    iterations = finish.size
    qs = np.percentile(finish, PERCENTILES)
    offsets = {"mean": float(finish.mean())} | {f"p{q}": float(v) for q, v in zip(PERCENTILES, qs)}
    dates = {f"p{q}": cal.date_of(int(_finish_index(v))) for q, v in zip(PERCENTILES, qs)}

    on_time = None
    if programme.target is not None:
        # Dated on or before the target's working day L means ceil(F) - 1 <= L, i.e. F <= L + 1.
        latest = cal.index_on_or_before(programme.target)
        on_time = 0.0
        if latest >= 0:
            on_time = float(np.count_nonzero(finish <= latest + 1 + _DAY_TOLERANCE)) / iterations

    net = sched.network
    rho = np.zeros(net.size)
    n_sample = sample.shape[1]
    targets = (finish[:n_sample],) if cost is None else (finish[:n_sample], cost[:n_sample])
    correlations = _spearman_many(sample, targets, may_tie)
    rho[varying] = correlations[0]
    cost_rho = None
    if cost is not None:
        cost_rho = np.zeros(net.size)
        cost_rho[varying] = correlations[1]
    ids = [t.id for t in programme.tasks]
    criticality = {i: float(critical[net.index[i]]) / iterations for i in ids}
    sensitivity = {i: float(rho[net.index[i]]) for i in ids}

    # P80 was computed with the other percentiles; numpy's linear interpolation works on each
    # percentile alone, so it is the same float as a separate np.percentile(finish, 80).
    p80 = offsets["p80"]
    drivers = {
        r.id: p80 - float(np.percentile(finish_without[k], 80, overwrite_input=True))
        for k, r in enumerate(programme.risks)
    }
    finish.setflags(write=False)
    result = SimulationResult(
        programme=programme,
        iterations=iterations,
        seed=seed,
        deterministic_offset=sched.finish_offset,
        deterministic_date=sched.finish_date,
        finish=finish,
        finish_offset=offsets,
        finish_date=dates,
        on_time_probability=on_time,
        criticality=criticality,
        sensitivity=sensitivity,
        sensitivity_iterations=sample.shape[1],
        risk_drivers=drivers,
        task_finish=_task_finishes(programme, net, finishes),
    )
    return result, cost_rho


def _summarise_cost(
    programme: Programme,
    sched: Schedule,
    costing: CostModel,
    duration_rho: np.ndarray,
    finish: np.ndarray,
    cost: np.ndarray,
    sample: np.ndarray,
) -> CostSummary:
    """Cost percentiles, budget and joint confidence, and the cost drivers.

    ``duration_rho`` is each task's duration's rank correlation with the cost (by network
    index); ``sample`` holds the costs of the tasks with a fixed cost over the same iterations.
    A task without a fixed cost costs its duration times a positive day rate, which ranks as
    its duration, or costs nothing at all.
    """
    iterations = cost.size
    qs = np.percentile(cost, PERCENTILES)
    summary = {"mean": float(cost.mean())} | {f"p{q}": float(v) for q, v in zip(PERCENTILES, qs)}
    within = joint = None
    if programme.budget is not None:
        inside = within_budget(cost, programme.budget)
        within = float(np.count_nonzero(inside)) / iterations
        if programme.target is not None:
            latest = programme.calendar.index_on_or_before(programme.target)
            on_time = finish <= latest + 1 + _DAY_TOLERANCE if latest >= 0 else np.zeros(iterations, dtype=bool)
            joint = float(np.count_nonzero(inside & on_time)) / iterations
    drawn = [k for k, *_ in costing.fixed]
    by_position = {
        int(k): float(v)
        for k, v in zip(drawn, _spearman(sample, cost[: sample.shape[1]], np.ones(len(drawn), dtype=bool)))
    }
    rows = [int(i) for i in costing.rows]
    rho = {
        tid: by_position[k] if k in by_position else (float(duration_rho[rows[k]]) if costing.day_rates[k] > 0 else 0.0)
        for k, tid in enumerate(costing.ids)
    }
    drivers = {t.id: rho[t.id] for t in programme.tasks if t.id in rho}
    index = sched.network.index
    sensitivity = {t.id: float(duration_rho[index[t.id]]) for t in programme.tasks}
    cost.setflags(write=False)
    return CostSummary(
        currency=programme.currency,
        budget=programme.budget,
        deterministic=deterministic_cost(sched),
        total=cost,
        summary=summary,
        within_budget_probability=within,
        joint_confidence=joint,
        drivers=drivers,
        drivers_iterations=sample.shape[1],
        sensitivity=sensitivity,
    )


def _share(value: float) -> str:
    """A criticality as a percentage; one below 0.1 % keeps two decimals, so it does not read as 0.0 %."""
    return f"{value:.2%}" if 0 < value < 0.001 else f"{value:.1%}"


def _cell(value: float | None) -> str:
    """A correlation to 2 decimals for a text table, or a dash where there is none."""
    return "-" if value is None else f"{_round(value, 2):.2f}"


def _maybe_round(value: float | None, places: int) -> float | None:
    return None if value is None else _round(value, places)


def _finish_index(f: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Working-day index of the last day of work for finish offset(s) ``f``: ceil(F) - 1, >= 0."""
    index: npt.NDArray[np.int64] = np.maximum(np.ceil(np.asarray(f) - _DAY_TOLERANCE) - 1, 0).astype(np.int64)
    return index


def _sensitivity_size(iterations: int, rows: int) -> int:
    by_memory = _SENSITIVITY_CELLS // max(rows, 1)
    return min(iterations, max(_SENSITIVITY_MIN, min(_SENSITIVITY_MAX, by_memory)))


def _ranks(x: np.ndarray, may_tie: np.ndarray) -> np.ndarray:
    """Ranks 1..n along the rows of ``x``; in rows flagged ``may_tie``, ties share their mean rank."""
    n = x.shape[1]
    order = np.argsort(x, axis=1)
    ranks = np.empty(x.shape)
    np.put_along_axis(ranks, order, np.arange(1.0, n + 1), axis=1)
    check = np.flatnonzero(may_tie)
    if check.size:
        ordered = np.take_along_axis(x[check], order[check], axis=1)
        tied = check[(ordered[:, 1:] == ordered[:, :-1]).any(axis=1)]
        if tied.size:
            from scipy.stats import rankdata

            for row in tied:
                ranks[row] = rankdata(x[row])
    return ranks


def _spearman(sample: np.ndarray, f: np.ndarray, may_tie: np.ndarray) -> np.ndarray:
    """Spearman correlation of each row of ``sample`` with ``f``; 0 where either is constant."""
    return _spearman_many(sample, (f,), may_tie)[0]


def _spearman_many(sample: np.ndarray, targets: tuple[np.ndarray, ...], may_tie: np.ndarray) -> list[np.ndarray]:
    """Spearman correlation of each row of ``sample`` with each of ``targets``; 0 where constant.

    Each row is ranked once, whatever the number of targets. Only rows flagged ``may_tie``
    (and the targets) are checked for ties: a duration drawn from a continuous distribution
    repeats with probability zero. Centred ranks are multiples of 1/2, so every sum below is
    exact in float64 for the sample sizes used and the result does not depend on summation
    order.
    """
    rows, n = sample.shape
    centre = (n + 1) / 2
    outs = [np.zeros(rows) for _ in targets]
    ranked = []
    for f, out in zip(targets, outs):
        rf = _ranks(f[np.newaxis], np.ones(1, dtype=bool))[0] - centre
        sff = float(rf @ rf)
        if sff != 0:
            ranked.append((rf, sff, out))
    if not ranked:
        return outs
    step = max(1, _CHUNK_CELLS // n)  # rows ranked at a time, to bound temporary memory
    for start in range(0, rows, step):
        block_rows = slice(start, start + step)
        r = _ranks(sample[block_rows], may_tie[block_rows]) - centre
        sxx = np.einsum("ij,ij->i", r, r)
        varies = sxx > 0
        for rf, sff, out in ranked:
            sxy = r @ rf
            block = out[block_rows]
            block[varies] = sxy[varies] / np.sqrt(sxx[varies] * sff)
    return [np.clip(out, -1.0, 1.0) for out in outs]


def _round(value: float, places: int) -> float:
    return round(float(value), places) + 0.0  # + 0.0 turns -0.0 into 0.0


# -- random numbers -------------------------------------------------------------------------


def _resolve_seed(seed: int | None, rng: np.random.Generator | int | None) -> int:
    if seed is not None and rng is not None:
        raise ValueError("give seed or rng, not both")
    if rng is not None:
        return int(np.random.default_rng(rng).integers(_SEED_LIMIT))
    if seed is None:
        # Without an entropy argument, SeedSequence draws an int; its stub also allows a sequence or None.
        return int(cast(int, np.random.SeedSequence().entropy)) % _SEED_LIMIT
    if isinstance(seed, bool):
        raise ValueError(f"seed must be a whole number of 0 or more, got {seed!r}")
    seed = operator.index(seed)
    if seed < 0:
        raise ValueError(f"seed must be a whole number of 0 or more, got {seed}")
    return seed


def _spearman_to_pearson(rho: float) -> float:
    return 2 * math.sin(math.pi * rho / 6)


# -- sampling -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Draw:
    durations: np.ndarray  # (tasks, n), risk impacts included
    base: dict[int, np.ndarray]  # durations before risk impacts, for tasks some risk delays
    impacts: list[np.ndarray]  # per risk: the days it adds in each iteration (0 where absent)
    occurs: list[np.ndarray]  # per risk: whether it occurred in each iteration


@dataclass(frozen=True, eq=False)
class _Group:
    rows: np.ndarray  # indices of the tasks drawn from the group, in network order
    durations: tuple[Duration, ...]
    factor: np.ndarray  # rows of A (A @ A.T the members' Pearson matrix) for those tasks
    streams: tuple[np.random.Generator, ...]  # one latent normal per member, by member id


@dataclass(frozen=True, eq=False)
class _Sampler:
    """Draws durations and risk events chunk by chunk, each stream in iteration order."""

    size: int
    fixed_rows: np.ndarray
    fixed_values: np.ndarray
    independent: tuple[tuple[int, Duration, np.random.Generator], ...]
    groups: tuple[_Group, ...]
    risks: tuple[tuple[np.ndarray, float, Duration, np.random.Generator, np.random.Generator], ...]
    varying: np.ndarray  # task indices whose duration can vary
    may_tie: np.ndarray  # per varying task: whether its durations can repeat (fixed + risk)

    @classmethod
    def build(cls, programme: Programme, net: CompiledNetwork, seed: int) -> _Sampler:
        by_id = {t.id: t for t in programme.tasks}
        durations = [by_id[i].duration for i in net.ids]
        groups = _copula_groups(programme, net, durations, seed)
        grouped = {int(i) for g in groups for i in g.rows}
        fixed = [i for i, d in enumerate(durations) if d.is_fixed]
        independent = tuple(
            (i, d, _stream(seed, "task", net.ids[i]))
            for i, d in enumerate(durations)
            if not d.is_fixed and i not in grouped
        )
        risks = tuple(
            (
                net.positions(dict.fromkeys(r.tasks)),
                r.probability,
                r.impact,
                _stream(seed, "risk", r.id),
                _stream(seed, "impact", r.id),
            )
            for r in programme.risks
        )
        delayed = {int(i) for r in risks for i in r[0]}
        varying = sorted({i for i, d in enumerate(durations) if not d.is_fixed} | delayed)
        may_tie = [durations[i].is_fixed for i in varying]
        return cls(
            size=net.size,
            fixed_rows=np.array(fixed, dtype=np.int64),
            fixed_values=np.array([float(durations[i].likely) for i in fixed]),
            independent=independent,
            groups=groups,
            risks=risks,
            varying=np.array(varying, dtype=np.int64),
            may_tie=np.array(may_tie, dtype=bool),
        )

    def draw(self, n: int) -> _Draw:
        """The next ``n`` iterations: durations, in network order, with risk impacts added."""
        d = np.empty((self.size, n))
        d[self.fixed_rows] = self.fixed_values[:, np.newaxis]
        for i, dur, gen in self.independent:
            d[i] = _draw(dur, gen, n)
        for g in self.groups:
            z = np.stack([gen.standard_normal(n) for gen in g.streams])
            # Elementwise accumulation (not a BLAS product) keeps every iteration's value
            # independent of how many iterations share the chunk.
            mixed = g.factor[:, :1] * z[0]
            for j in range(1, len(g.streams)):
                mixed += g.factor[:, j : j + 1] * z[j]
            u = _normal_cdf(mixed)
            for k, (row, dur) in enumerate(zip(g.rows, g.durations)):
                d[row] = _quantile(dur, u[k])
        base = {int(i): d[i].copy() for r in self.risks for i in r[0]}
        impacts, occurs = [], []
        for rows, probability, impact, occur_gen, impact_gen in self.risks:
            happens = occur_gen.random(n) < probability
            days = np.where(happens, _draw(impact, impact_gen, n), 0.0)
            d[rows] += days
            impacts.append(days)
            occurs.append(happens)
        return _Draw(d, base, impacts, occurs)

    def without(self, draw: _Draw, k: int, hit: np.ndarray) -> np.ndarray:
        """Durations of iterations ``hit`` as they would be without risk ``k``.

        Impacts are re-added in the original order, so each value is exactly the one a
        programme without that risk would have drawn.
        """
        d = draw.durations[:, hit]
        for row in self.risks[k][0]:
            value = draw.base[int(row)][hit]
            for j, (rows, *_rest) in enumerate(self.risks):
                if j != k and row in rows:
                    value = value + draw.impacts[j][hit]
            d[row] = value
        return d


def _copula_groups(
    programme: Programme, net: CompiledNetwork, durations: list[Duration], seed: int
) -> tuple[_Group, ...]:
    """Factor the correlation groups into independent blocks of correlated latent normals.

    Groups sharing a task form one block. A pair of tasks in two groups must have one rho. Each
    block's matrix must be positive semi-definite; fixed tasks are then dropped from it (a
    principal submatrix stays valid) since a constant has no correlation.
    """
    corrs = programme.correlations
    if not corrs:
        return ()
    source = programme.source
    pairs: dict[tuple[str, str], tuple[int, float]] = {}
    parent = list(range(len(corrs)))

    def root(g: int) -> int:
        while parent[g] != g:
            g = parent[g]
        return g

    owner: dict[str, int] = {}
    for g, c in enumerate(corrs):
        for t in c.tasks:
            if t in owner:
                parent[root(g)] = root(owner[t])
            owner.setdefault(t, g)
        for a_pos, a in enumerate(c.tasks):
            for b in c.tasks[a_pos + 1 :]:
                key = (min(a, b), max(a, b))
                if key in pairs and pairs[key][1] != c.rho:
                    other = pairs[key][0]
                    raise ProgrammeError(
                        f"tasks {key[0]!r} and {key[1]!r} are in correlations[{other}] with rho "
                        f"{pairs[key][1]:g} and in correlations[{g}] with rho {c.rho:g}; give each "
                        "pair of tasks one rho",
                        source=source,
                        field=f"correlations[{g}]",
                    )
                pairs.setdefault(key, (g, c.rho))

    blocks: dict[int, list[int]] = {}
    for g in range(len(corrs)):
        blocks.setdefault(root(g), []).append(g)
    out = []
    for members in blocks.values():
        # The whole group is factored, in id order, whichever of its tasks this programme still
        # has or draws at random: a scenario that removes a member, or fixes its duration, then
        # leaves the other members' draws exactly as they were (common random numbers).
        tasks = sorted({t for g in members for t in corrs[g].tasks})
        pos = {t: k for k, t in enumerate(tasks)}
        matrix = np.eye(len(tasks))
        for (a, b), (_, rho) in pairs.items():
            if a in pos and b in pos:
                matrix[pos[a], pos[b]] = matrix[pos[b], pos[a]] = _spearman_to_pearson(rho)
        w, v = np.linalg.eigh(matrix)
        if float(w[0]) < -1e-10:
            names = " and ".join(f"correlations[{g}]" for g in members)
            raise ProgrammeError(
                f"{names} share tasks and together ask for an impossible set of correlations (the "
                f"correlation matrix is not positive semi-definite; smallest eigenvalue "
                f"{float(w[0]):.3g}); lower their rho or stop the groups overlapping",
                source=source,
                field="correlations",
            )
        factor = v * np.sqrt(np.clip(w, 0.0, None))
        factor /= np.linalg.norm(factor, axis=1, keepdims=True)
        keep = [k for k, t in enumerate(tasks) if t in net.index and not durations[net.index[t]].is_fixed]
        if not keep:
            continue
        keep.sort(key=lambda k: net.index[tasks[k]])
        rows = np.array([net.index[tasks[k]] for k in keep], dtype=np.int64)
        out.append(
            _Group(
                rows=rows,
                durations=tuple(durations[i] for i in rows),
                factor=factor[keep],
                streams=tuple(_stream(seed, "task", t) for t in tasks),
            )
        )
    return tuple(out)
