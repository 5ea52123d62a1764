"""Monte Carlo re-forecast at a status date: only the remaining work is sampled.

Calendar with no holidays from Monday 4 January 2027 (day 0); a status date of Friday 8 January
makes s = 5 (Monday 11th).
"""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import plan, run, write_file
from scipy import stats

from spinekit import simulate

DONE_A = {"a": {"start": "2027-01-04", "finish": "2027-01-08"}}


def tracked(tasks, status_tasks=None, risks=None, **extra):
    status = {"date": "2027-01-08", "tasks": status_tasks or {}}
    if "status_risks" in extra:
        status["risks"] = extra.pop("status_risks")
    return plan(tasks, risks=risks or [], status=status, **extra)


def test_done_tasks_never_vary():
    p = tracked(
        [{"id": "a", "duration": {"min": 2, "likely": 6, "max": 30}}, {"id": "b", "duration": 3, "depends_on": ["a"]}],
        DONE_A,
    )
    result = simulate(p, 2000, seed=3)
    # a took days 0-4; b runs days 5-7 in every iteration.
    assert np.all(result.finish == 8)
    assert result.sensitivity["a"] == 0


def test_percent_complete_samples_the_estimate_scaled_to_the_work_left():
    p = tracked(
        [{"id": "a", "duration": {"min": 10, "likely": 20, "max": 40}}],
        {"a": {"start": "2027-01-04", "percent_complete": 50}},
    )
    result = simulate(p, 20_000, seed=11)
    left = result.finish - 5  # 5 days elapsed, then Beta-PERT on (5, 10, 20)
    lo, mode, hi = 5, 10, 20
    alpha = 1 + 4 * (mode - lo) / (hi - lo)
    beta = 1 + 4 * (hi - mode) / (hi - lo)
    assert stats.kstest(left, stats.beta(alpha, beta, loc=lo, scale=hi - lo).cdf).pvalue > 1e-3
    assert left.mean() == pytest.approx((lo + 4 * mode + hi) / 6, abs=0.1)
    assert result.deterministic_offset == 5 + 10


def test_three_point_remaining_is_sampled_after_the_elapsed_days():
    p = tracked(
        [{"id": "a", "duration": 50}],
        {"a": {"start": "2027-01-06", "remaining": {"min": 2, "likely": 4, "max": 8, "dist": "uniform"}}},
    )
    result = simulate(p, 20_000, seed=5)
    # Pinned at day 2 with 3 days elapsed (days 2-4), then uniform on 2..8: F = 5 + U(2, 8).
    assert result.finish.min() >= 7 and result.finish.max() <= 13
    assert stats.kstest(result.finish - 5, stats.uniform(2, 6).cdf).pvalue > 1e-3


def test_a_closed_risk_never_fires_and_an_occurred_one_always_does():
    tasks = [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}]
    risks = [
        {"id": "gone", "probability": 0.9, "impact": 10, "tasks": ["b"]},
        {"id": "hit", "probability": 0.05, "impact": {"min": 2, "likely": 4, "max": 6}, "tasks": ["b"]},
    ]
    p = tracked(tasks, DONE_A, risks, status_risks={"gone": "closed", "hit": "occurred"})
    result = simulate(p, 5000, seed=9)
    delay = result.finish - 8
    assert delay.min() >= 2 and delay.max() <= 6  # "hit" every time, "gone" never (it adds 10)
    assert delay.mean() == pytest.approx(4, abs=0.1)
    assert list(result.risk_drivers) == ["hit"]


def test_a_risk_on_a_done_task_no_longer_fires():
    tasks = [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}]
    risks = [{"id": "late", "probability": 1.0, "impact": 10, "tasks": ["a"]}]
    result = simulate(tracked(tasks, DONE_A, risks), 500, seed=1)
    assert np.all(result.finish == 8)


def test_a_correlation_group_keeps_only_its_unfinished_tasks():
    tasks = [
        {"id": "a", "duration": {"min": 1, "likely": 5, "max": 9}},
        {"id": "b", "duration": {"min": 1, "likely": 5, "max": 9}},
        {"id": "c", "duration": {"min": 1, "likely": 5, "max": 9}},
    ]
    p = tracked(tasks, DONE_A, correlations=[{"tasks": ["a", "b", "c"], "rho": 0.8}])
    assert [c.tasks for c in p.correlations] == [("b", "c")]
    result = simulate(p, 4000, seed=2)
    assert result.finish.min() >= 5 + 1


PLAN = """\
name: t
start: 2027-01-04
calendar: {holidays: none}
risks:
  - {id: r, probability: 0.3, impact: {min: 1, likely: 2, max: 5}, tasks: [b]}
tasks:
  - {id: a, duration: {min: 3, likely: 5, max: 9}}
  - {id: b, duration: {min: 3, likely: 5, max: 9}, depends_on: [a]}
  - {id: c, duration: {min: 3, likely: 5, max: 9}, depends_on: [b]}
"""

STATUS = "date: 2027-01-08\ntasks:\n  a: {start: 2027-01-04, finish: 2027-01-07}\n  b: {start: 2027-01-08, percent_complete: 20}\nrisks:\n  r: occurred\n"


def test_the_same_seed_gives_byte_identical_output_with_a_status(tmp_path, capsys):
    f = write_file(tmp_path, PLAN)
    s = write_file(tmp_path, STATUS, "status.yaml")
    args = ("simulate", f, "--status", s, "--iterations", "3000", "--seed", "42", "--format", "json")
    first = run(capsys, *args)
    second = run(capsys, *args)
    assert first[0] == 0 and first == second
    without = run(capsys, "simulate", f, "--iterations", "3000", "--seed", "42", "--format", "json")
    assert without[1] != first[1]
