"""Monte Carlo simulation checked against analytic truth, plus its contracts and determinism.

Tolerances are a few sampling standard errors at the iteration counts used, all well under 1 %
of the quantity checked; every run has a fixed seed, so the checks are repeatable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pytest
from _helpers import draw_links, plan, run, write_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from spinekit import (
    Duration,
    ProgrammeError,
    SimulationResult,
    read_programme,
    schedule,
    simulate,
)
from spinekit.cli import main

N = 200_000  # iterations for distribution checks


def three(lo, mode, hi, dist="pert"):
    return {"min": lo, "likely": mode, "max": hi, "dist": dist}


PS = np.array([0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.8, 0.9, 0.95, 0.99])


def assert_quantiles(result: SimulationResult, cdf, ps=PS):
    """Each sampled quantile sits where the true CDF is within 4 standard errors of its p.

    At 200,000 iterations that is at most 0.45 % in probability; the reported P10-P90 are
    checked the same way.
    """
    n = result.finish.size
    got = np.quantile(result.finish, ps)
    assert np.all(np.abs(cdf(got) - ps) < 4 * np.sqrt(ps * (1 - ps) / n))
    reported = np.array([result.finish_offset[f"p{q}"] for q in (10, 50, 80, 90)])
    pr = np.array([0.1, 0.5, 0.8, 0.9])
    assert np.all(np.abs(cdf(reported) - pr) < 4 * np.sqrt(pr * (1 - pr) / n))


def ks_distance(sample: np.ndarray, cdf) -> float:
    x = np.sort(sample)
    n = x.size
    f = cdf(x)
    return float(max((np.arange(1, n + 1) / n - f).max(), (f - np.arange(n) / n).max()))


# -- single tasks: F is the task's duration ---------------------------------------------------


def triangular_ppf(p, a, c, b):
    p = np.asarray(p)
    cut = (c - a) / (b - a)
    return np.where(p < cut, a + np.sqrt(p * (b - a) * (c - a)), b - np.sqrt((1 - p) * (b - a) * (b - c)))


def test_single_triangular_task_matches_the_closed_form():
    r = simulate(plan([{"id": "a", "duration": three(10, 14, 30, "triangular")}]), N, seed=1)
    cdf = stats.triang(c=0.2, loc=10, scale=20).cdf
    assert np.allclose(cdf(triangular_ppf(PS, 10, 14, 30)), PS)  # the closed form inverts the CDF
    assert_quantiles(r, cdf)
    assert r.finish_offset["p50"] == pytest.approx(triangular_ppf(0.5, 10, 14, 30), rel=0.002)
    assert r.finish_offset["mean"] == pytest.approx((10 + 14 + 30) / 3, rel=0.001)
    assert ks_distance(r.finish, cdf) < 0.0044  # 99.9 % KS bound at N=200k


def test_single_uniform_task():
    r = simulate(plan([{"id": "a", "duration": three(3, 4, 9, "uniform")}]), N, seed=2)
    assert_quantiles(r, stats.uniform(3, 6).cdf)
    assert ks_distance(r.finish, stats.uniform(3, 6).cdf) < 0.0044


def pert(lo, mode, hi):
    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return stats.beta(a, b, loc=lo, scale=hi - lo)


@pytest.mark.parametrize("lo, mode, hi", [(5, 10, 40), (20, 40, 60), (10, 10, 20), (0, 30, 30)])
def test_single_pert_task_matches_scipy_beta(lo, mode, hi):
    r = simulate(plan([{"id": "a", "duration": three(lo, mode, hi)}]), N, seed=3)
    dist = pert(lo, mode, hi)
    assert_quantiles(r, dist.cdf)
    assert r.finish_offset["p80"] == pytest.approx(dist.ppf(0.8), abs=0.005 * (hi - lo))
    assert r.finish.mean() == pytest.approx((lo + 4 * mode + hi) / 6, rel=0.002)
    assert ks_distance(r.finish, dist.cdf) < 0.0044


def test_correlated_pert_task_keeps_its_distribution():
    # A correlation group with a milestone leaves 'a' alone in its copula block: it is then
    # drawn through the normal CDF and the exact Beta inverse CDF rather than directly.
    p = plan(
        [{"id": "a", "duration": three(5, 10, 40)}, {"id": "m", "duration": 0}],
        correlations=[{"tasks": ["a", "m"], "rho": 0.5}],
    )
    r = simulate(p, 50_000, seed=4)
    dist = pert(5, 10, 40)
    assert_quantiles(r, dist.cdf)
    assert ks_distance(r.finish, dist.cdf) < 0.0087  # 99.9 % bound at N=50k


# -- merge bias: the maximum of parallel tasks --------------------------------------------------


def test_max_of_parallel_uniform_tasks_is_the_product_of_their_cdfs():
    ranges = [(10, 20), (12, 18), (5, 25), (14, 16)]
    p = plan(
        [{"id": f"t{i}", "duration": three(lo, lo, hi, "uniform")} for i, (lo, hi) in enumerate(ranges)]
        + [{"id": "end", "duration": 0, "depends_on": [f"t{i}" for i in range(len(ranges))]}]
    )
    r = simulate(p, N, seed=5)

    def cdf(x):
        return np.prod([np.clip((x - lo) / (hi - lo), 0, 1) for lo, hi in ranges], axis=0)

    assert ks_distance(r.finish, cdf) < 0.0044
    assert_quantiles(r, cdf)
    # Merge bias: the P50 finish (17.9 analytically) is far beyond every branch's median (<= 15).
    assert r.finish_offset["p50"] > max((lo + hi) / 2 for lo, hi in ranges) + 2.5


# -- risk events ---------------------------------------------------------------------------------


def test_fixed_task_with_a_fixed_risk_gives_exact_percentiles():
    p = plan(
        [{"id": "a", "duration": 10}],
        risks=[{"id": "r", "probability": 0.3, "impact": 5, "tasks": ["a"]}],
    )
    r = simulate(p, 100_000, seed=6)
    assert set(np.unique(r.finish)) == {10.0, 15.0}
    assert (r.finish_offset["p10"], r.finish_offset["p50"]) == (10.0, 10.0)
    assert (r.finish_offset["p80"], r.finish_offset["p90"]) == (15.0, 15.0)
    assert np.mean(r.finish == 15) == pytest.approx(0.3, abs=0.006)
    assert r.finish_date["p50"] == dt.date(2027, 1, 15) and r.finish_date["p90"] == dt.date(2027, 1, 22)
    assert r.risk_drivers == {"r": 5.0}


def test_fixed_task_with_a_ranged_risk():
    # P(F <= x) = 0.7 + 0.3 (x - 15) / 10 on [15, 25]: P90 = 15 + 10 * 2/3.
    p = plan(
        [{"id": "a", "duration": 10}],
        risks=[{"id": "r", "probability": 0.3, "impact": three(5, 10, 15, "uniform"), "tasks": ["a"]}],
    )
    r = simulate(p, N, seed=7)
    assert r.finish_offset["p50"] == 10.0
    assert r.finish_offset["p90"] == pytest.approx(15 + 20 / 3, abs=0.1)  # SE 0.022
    assert r.finish_offset["mean"] == pytest.approx(10 + 0.3 * 10, abs=0.05)  # SE 0.011
    tail = r.finish[r.finish > 10]
    assert ks_distance(tail, stats.uniform(15, 10).cdf) < 1.95 / math.sqrt(tail.size)


def test_one_impact_draw_is_added_to_every_listed_task():
    # a -> b, both delayed by the same draw I ~ U(0, 10): F = 22 + 2 I.
    p = plan(
        [{"id": "a", "duration": 10}, {"id": "b", "duration": 12, "depends_on": ["a"]}],
        risks=[{"id": "r", "probability": 1, "impact": three(0, 5, 10, "uniform"), "tasks": ["a", "b"]}],
    )
    r = simulate(p, N, seed=8)
    assert_quantiles(r, stats.uniform(22, 20).cdf)
    assert r.finish.min() >= 22 and r.finish.max() <= 42


def test_risk_drivers_on_and_off_the_critical_path():
    p = plan(
        [
            {"id": "a", "duration": 50},
            {"id": "b", "duration": 50, "depends_on": ["a"]},
            {"id": "c", "duration": three(1, 2, 5)},
        ],
        risks=[
            {"id": "on-path", "probability": 0.5, "impact": 10, "tasks": ["b"]},
            {"id": "slack", "probability": 0.5, "impact": three(5, 10, 20), "tasks": ["c"]},
            {"id": "ranged", "probability": 0.6, "impact": three(1, 3, 8, "triangular"), "tasks": ["a"]},
        ],
    )
    r = simulate(p, 100_000, seed=9)
    assert r.risk_drivers["slack"] == 0.0 and r.to_dict()["risk_drivers"]["slack"] == 0.0

    # X, the days 'ranged' adds, is 0 with probability 0.4 and else triangular(1, 3, 8), so
    # P(X <= x) = 0.4 + 0.6 G(x). F = 100 + X + 10 B with B ~ Bernoulli(0.5), X + 100 < 110:
    # P80 = 110 + x(0.6); without 'on-path' P80 = 100 + x(0.8); without 'ranged' P80 = 110.
    def x(p):
        return float(triangular_ppf((p - 0.4) / 0.6, 1, 3, 8))

    assert r.risk_drivers["on-path"] == pytest.approx(10 + x(0.6) - x(0.8), abs=0.1)
    assert r.risk_drivers["ranged"] == pytest.approx(x(0.6), abs=0.1)


# -- criticality ---------------------------------------------------------------------------------


def test_criticality_split_between_two_parallel_branches():
    # A ~ U(10, 20), B ~ U(12, 16): P(A > B) = 1/40 * integral_12^16 (20 - b) db = 0.6.
    p = plan(
        [
            {"id": "a", "duration": three(10, 15, 20, "uniform")},
            {"id": "b", "duration": three(12, 14, 16, "uniform")},
            {"id": "end", "duration": 0, "depends_on": ["a", "b"]},
        ]
    )
    r = simulate(p, N, seed=10)
    assert r.criticality["a"] == pytest.approx(0.6, abs=0.004)  # SE 0.0011
    assert r.criticality["a"] + r.criticality["b"] == pytest.approx(1.0, abs=1e-12)
    assert r.criticality["end"] == 1.0


def test_identical_branches_split_evenly():
    p = plan([{"id": x, "duration": three(5, 8, 20)} for x in "ab"])
    r = simulate(p, N, seed=11)
    assert r.criticality["a"] == pytest.approx(0.5, abs=0.004)
    assert r.sensitivity["a"] == pytest.approx(r.sensitivity["b"], abs=0.01)


# -- min = likely = max reproduces the deterministic schedule -----------------------------------


def collapsed(programme):
    """The programme with every duration at its planned value, written as min = likely = max."""
    tasks = tuple(
        dataclasses.replace(t, duration=Duration(t.duration.planned, t.duration.planned, t.duration.planned))
        for t in programme.tasks
    )
    return dataclasses.replace(programme, tasks=tasks, risks=(), correlations=())


def assert_reproduces_the_schedule(programme, iterations=50):
    det = schedule(programme)
    r = simulate(programme, iterations, seed=12)
    assert (r.finish == det.finish_offset).all()
    assert set(r.finish_offset.values()) == {det.finish_offset}
    assert set(r.finish_date.values()) == {det.finish_date}
    critical = det.table.set_index("id")["critical"].to_dict()
    assert r.criticality == {i: (1.0 if c else 0.0) for i, c in critical.items()}
    assert set(r.sensitivity.values()) == {0.0}


def test_bundled_example_with_fixed_durations_reproduces_the_schedule(example):
    assert_reproduces_the_schedule(collapsed(example))


def test_all_link_types_lags_and_constraints_reproduce_the_schedule():
    p = plan(
        [
            {"id": "a", "duration": three(3, 3, 3)},
            {"id": "b", "duration": three(2, 2, 2, "uniform"), "depends_on": [{"task": "a", "lag": 2}]},
            {"id": "c", "duration": 4, "depends_on": [{"task": "a", "type": "SS", "lag": 1}]},
            {"id": "d", "duration": three(1, 1, 1, "triangular"), "depends_on": [{"task": "b", "type": "FF"}]},
            {
                "id": "e",
                "duration": 2,
                "depends_on": [{"task": "c", "type": "SF", "lag": 3}],
                "not_before": "2027-01-12",
            },
            {"id": "f", "duration": 1, "deadline": "2027-01-05"},
            {"id": "m", "duration": 0, "depends_on": ["d", "e"]},
        ]
    )
    assert_reproduces_the_schedule(p)


@st.composite
def fixed_networks(draw):
    n = draw(st.integers(1, 12))
    tasks = []
    for i in range(n):
        d = draw(st.integers(0, 8))
        task = {"id": f"t{i}", "duration": three(d, d, d) if draw(st.booleans()) else d}
        links = draw_links(draw, i)
        if links:
            task["depends_on"] = links
        if draw(st.integers(0, 4)) == 0:
            task["not_before"] = (dt.date(2027, 1, 4) + dt.timedelta(days=draw(st.integers(0, 30)))).isoformat()
        tasks.append(task)
    return plan(tasks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixed_networks())
def test_fixed_durations_reproduce_the_schedule_on_random_networks(programme):
    assert_reproduces_the_schedule(programme, iterations=3)


def test_finish_date_is_the_working_day_of_ceil_f_minus_one():
    p = plan([{"id": "a", "duration": three(2.5, 2.5, 2.5)}])
    r = simulate(p, 10, seed=0)
    assert r.finish_offset["p50"] == 2.5
    assert r.finish_date["p50"] == dt.date(2027, 1, 6) == schedule(p).finish_date
    only_milestone = simulate(plan([{"id": "m", "duration": 0}]), 10, seed=0)
    assert only_milestone.finish_date["p90"] == dt.date(2027, 1, 4)


# -- correlation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.6, -0.4, 0.9])
def test_sampled_rank_correlation_matches_rho(rho):
    # 'a' alone sets F, so b's sensitivity is the rank correlation between b and a.
    p = plan(
        [{"id": "a", "duration": three(100, 120, 150)}, {"id": "b", "duration": three(1, 2, 4, "triangular")}],
        correlations=[{"tasks": ["a", "b"], "rho": rho}],
    )
    r = simulate(p, 100_000, seed=13)
    assert r.sensitivity["a"] == 1.0
    assert r.sensitivity["b"] == pytest.approx(rho, abs=0.01)  # SE about 0.003
    assert r.criticality == {"a": 1.0, "b": 0.0}


def test_rank_correlation_within_an_overlapping_group_of_three():
    p = plan(
        [
            {"id": "a", "duration": three(100, 120, 150)},
            {"id": "b", "duration": three(1, 2, 4, "uniform")},
            {"id": "c", "duration": three(1, 2, 4)},
        ],
        correlations=[{"tasks": ["a", "b"], "rho": 0.5}, {"tasks": ["a", "c"], "rho": 0.3}],
    )
    r = simulate(p, 100_000, seed=14)
    assert r.sensitivity["b"] == pytest.approx(0.5, abs=0.01)
    assert r.sensitivity["c"] == pytest.approx(0.3, abs=0.01)


def chain(correlations=()):
    ids = [f"s{i}" for i in range(5)]
    tasks = [
        {"id": t, "duration": three(10, 15, 30), **({"depends_on": [ids[i - 1]]} if i else {})}
        for i, t in enumerate(ids)
    ]
    return plan(tasks, correlations=list(correlations)), ids


def test_correlation_widens_the_spread_of_a_chain():
    independent, ids = chain()
    correlated, _ = chain([{"tasks": ids, "rho": 0.8}])
    a = simulate(independent, 100_000, seed=15)
    b = simulate(correlated, 100_000, seed=15)
    spread = {k: r.finish_offset["p90"] - r.finish_offset["p10"] for k, r in (("ind", a), ("cor", b))}
    # Var(sum) grows from 5 s^2 to (5 + 20 r) s^2 with r ~ 0.81: about twice the spread.
    assert spread["cor"] > 1.7 * spread["ind"]
    mean = 5 * (10 + 4 * 15 + 30) / 6
    assert a.finish_offset["mean"] == pytest.approx(mean, rel=0.002)
    assert b.finish_offset["mean"] == pytest.approx(mean, rel=0.004)


def test_impossible_correlations_are_a_programme_error():
    p = plan(
        [{"id": x, "duration": three(1, 2, 3)} for x in "abc"],
        correlations=[
            {"tasks": ["a", "b"], "rho": 0.9},
            {"tasks": ["b", "c"], "rho": 0.9},
            {"tasks": ["a", "c"], "rho": -0.9},
        ],
    )
    with pytest.raises(ProgrammeError, match="positive semi-definite") as err:
        simulate(p, 10, seed=0)
    assert err.value.field == "correlations"
    assert "correlations[0] and correlations[1] and correlations[2]" in str(err.value)


def test_one_pair_with_two_rhos_is_a_programme_error():
    p = plan(
        [{"id": x, "duration": three(1, 2, 3)} for x in "abc"],
        correlations=[{"tasks": ["a", "b", "c"], "rho": 0.5}, {"tasks": ["c", "a"], "rho": 0.2}],
    )
    with pytest.raises(ProgrammeError, match="give each pair of tasks one rho") as err:
        simulate(p, 10, seed=0)
    assert err.value.field == "correlations[1]"


# -- determinism, chunking, seeds ------------------------------------------------------------------


def test_results_do_not_depend_on_the_chunk_size(example):
    p = example
    ref = simulate(p, 3000, seed=16)
    for chunk in (7, 1000, 2999, 10_000):
        r = simulate(p, 3000, seed=16, chunk_size=chunk)
        assert r.finish.tobytes() == ref.finish.tobytes()
        assert r.to_dict() == ref.to_dict()
    one_at_a_time = simulate(p, 200, seed=16, chunk_size=1)
    assert one_at_a_time.to_dict() == simulate(p, 200, seed=16).to_dict()


def test_a_run_is_a_prefix_of_a_longer_run(example):
    p = example
    short, long = simulate(p, 1000, seed=17), simulate(p, 2500, seed=17, chunk_size=600)
    assert (long.finish[:1000] == short.finish).all()


def test_seed_omitted_is_reported_and_reproduces_the_run(example):
    p = example
    first = simulate(p, 500)
    assert 0 <= first.seed < 2**53
    again = simulate(p, 500, seed=first.seed)
    assert again.to_dict() == first.to_dict()
    from_rng = simulate(p, 500, rng=np.random.default_rng(3))
    assert simulate(p, 500, seed=from_rng.seed).to_dict() == from_rng.to_dict()


def test_editing_one_task_leaves_the_others_draws_alone():
    base = plan([{"id": "a", "duration": three(10, 20, 40)}, {"id": "b", "duration": three(1, 2, 3)}])
    edited = plan([{"id": "a", "duration": three(10, 20, 40)}, {"id": "b", "duration": three(1, 3, 9)}])
    assert (simulate(base, 1000, seed=18).finish == simulate(edited, 1000, seed=18).finish).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"iterations": 0}, "iterations must be 1 or more"),
        ({"seed": -1}, "seed must be"),
        ({"seed": 1, "rng": 2}, "not both"),
        ({"chunk_size": 0}, "chunk_size must be"),
    ],
)
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(plan([{"id": "a", "duration": 1}]), **{"iterations": 10, **kwargs})


# -- JSON and CLI contract -------------------------------------------------------------------------


PLAN = """name: Contract
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: a, duration: {min: 5, likely: 8, max: 15}}
  - {id: b, duration: {min: 2, likely: 3, max: 9, dist: triangular}, depends_on: [a]}
  - {id: c, duration: 4, depends_on: [a]}
risks:
  - {id: r1, probability: 0.25, impact: {min: 1, likely: 2, max: 6}, tasks: [b, c]}
"""


@pytest.fixture
def plan_file(tmp_path):
    return write_file(tmp_path, PLAN)


def test_cli_json_keys_follow_the_contract(capsys, plan_file, tmp_path):
    code, out, err = run(capsys, "simulate", plan_file, "--iterations", 2000, "--seed", 42, "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert list(doc) == [
        "programme",
        "iterations",
        "seed",
        "deterministic",
        "finish_offset",
        "finish_date",
        "criticality",
        "sensitivity",
        "risk_drivers",
    ]
    assert (doc["programme"], doc["iterations"], doc["seed"]) == ("Contract", 2000, 42)
    assert doc["deterministic"] == {"finish_offset": 12, "finish_date": "2027-01-19"}
    assert list(doc["finish_offset"]) == ["mean", "p10", "p50", "p80", "p90"]
    assert list(doc["finish_date"]) == ["p10", "p50", "p80", "p90"]
    assert all(dt.date.fromisoformat(v) for v in doc["finish_date"].values())
    assert list(doc["criticality"]) == list(doc["sensitivity"]) == ["a", "b", "c"]
    assert list(doc["risk_drivers"]) == ["r1"]
    assert all(isinstance(v, float) for k in ("criticality", "sensitivity") for v in doc[k].values())
    assert doc["criticality"]["a"] == 1.0 and 0 < doc["criticality"]["b"] < 1
    assert all(v == round(v, 2) for v in doc["finish_offset"].values())
    assert all(v == round(v, 4) for v in doc["sensitivity"].values())
    json.dumps(doc, allow_nan=False)

    with_target = tmp_path / "target.yaml"
    with_target.write_text(PLAN.replace("tasks:", "target: 2027-01-20\ntasks:", 1), encoding="utf-8")
    code, out, _ = run(capsys, "simulate", with_target, "--iterations", 2000, "--seed", 42, "--format", "json")
    doc2 = json.loads(out)
    assert list(doc2) == [
        "programme",
        "iterations",
        "seed",
        "deterministic",
        "finish_offset",
        "finish_date",
        "on_time_probability",
        "criticality",
        "sensitivity",
        "risk_drivers",
    ]
    # 2027-01-20 is working day 12 (no holidays): on time when F <= 13.
    finish = simulate(read_programme(with_target), 2000, seed=42).finish
    assert doc2["on_time_probability"] == round(float(np.mean(finish <= 13)), 4)
    assert {k: v for k, v in doc2.items() if k != "on_time_probability"} == doc


def test_cli_same_seed_gives_identical_bytes(capsys, tmp_path, example):
    outs = []
    for _ in range(2):
        code, out, _ = run(capsys, "simulate", "--iterations", 3000, "--seed", 7, "--format", "json")
        assert code == 0
        outs.append(out.encode())
    assert outs[0] == outs[1]
    code, _, _ = run(
        capsys, "simulate", "--iterations", 3000, "--seed", 7, "--format", "json", "--out", tmp_path / "r.json"
    )
    assert code == 0 and (tmp_path / "r.json").read_bytes() == outs[0]
    doc = json.loads(outs[0])
    assert doc["programme"] == example.name and "on_time_probability" in doc


def test_cli_reports_the_seed_it_chose(capsys):
    code, out, _ = run(capsys, "simulate", "--iterations", 500, "--format", "json")
    doc = json.loads(out)
    code, again, _ = run(capsys, "simulate", "--iterations", 500, "--format", "json", "--seed", doc["seed"])
    assert again == out


def test_cli_table(capsys, plan_file):
    code, out, err = run(capsys, "simulate", plan_file, "--iterations", 1000, "--seed", 1)
    assert code == 0 and err == ""
    assert out.startswith("Contract\n1,000 iterations, seed 1\n")
    assert "P80" in out and "r1" in out and "on time" not in out


@pytest.mark.parametrize("argv", [["--iterations", "0"], ["--iterations", "x"], ["--seed", "-1"]])
def test_cli_rejects_bad_numbers(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", *argv])
    assert exc.value.code == 2
    assert "expected a whole number" in capsys.readouterr().err


def test_cli_invalid_programme_is_one_line_and_exit_2(capsys, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text(
        PLAN + "correlations:\n  - {tasks: [a, b], rho: 0.5}\n  - {tasks: [b, a], rho: 0.1}\n", encoding="utf-8"
    )
    out_file = tmp_path / "never.json"
    code, out, err = run(capsys, "simulate", f, "--format", "json", "--out", out_file)
    assert code == 2 and out == "" and not out_file.exists()
    assert err.startswith(f"spinekit: error: {f}: field 'correlations[1]'") and err.count("\n") == 1


def test_task_finish_percentiles():
    fixed = plan(
        [
            {"id": "a", "duration": 3},
            {"id": "m", "duration": 0, "depends_on": ["a"]},
            {"id": "b", "duration": 2, "depends_on": [{"task": "a", "type": "SS", "lag": 1}]},
        ],
        name="f",
    )
    res = simulate(fixed, 200, seed=1)
    table = schedule(fixed).table.set_index("id")
    for tid in ("a", "m", "b"):
        assert res.task_finish[tid] == {"p50": table.at[tid, "finish"], "p80": table.at[tid, "finish"]}
    # One uniform task U(10.5, 20.5) from Monday 4 January 2027 with no holidays: the median
    # finish offset is 15.5, so the median last working day is index ceil(15.5) - 1 = 15,
    # Monday 25 January; P80 is offset 18.5, index 18, Thursday 28 January.
    one = plan([{"id": "u", "duration": {"min": 10.5, "likely": 15, "max": 20.5, "dist": "uniform"}}], name="u")
    res = simulate(one, 20000, seed=2)
    assert res.task_finish["u"] == {"p50": dt.date(2027, 1, 25), "p80": dt.date(2027, 1, 28)}


def test_a_deadline_makes_a_short_side_task_critical_in_every_iteration():
    # a (uniform 5-10 days) is the long path; d (3 days, fixed) runs beside it. d must finish by
    # Wednesday 6 January 2027 (working day 2, so latest finish 3): float 3 - 3 = 0 in every
    # iteration. Without the deadline its float is F - 3 >= 2 and it is never critical.
    tasks = [{"id": "a", "duration": three(5, 7, 10, "uniform")}, {"id": "d", "duration": 3}]
    held = simulate(plan([tasks[0], {**tasks[1], "deadline": "2027-01-06"}]), 500, seed=1)
    assert held.criticality == {"a": 1.0, "d": 1.0}
    free = simulate(plan(tasks), 500, seed=1)
    assert free.criticality == {"a": 1.0, "d": 0.0}
    # A deadline one day later leaves d one day of float: never critical.
    later = simulate(plan([tasks[0], {**tasks[1], "deadline": "2027-01-07"}]), 500, seed=1)
    assert later.criticality["d"] == 0.0


def test_sensitivity_of_a_tied_duration_matches_scipy_spearman():
    # a is 5 days, or 8 when risk r occurs (half the time): its durations tie in two groups.
    # b (uniform 1-2.9 days) follows a, so F = a + b lies in [6, 7.9] or [9, 10.9]: a can be
    # read back from F exactly, and the result compared with scipy's Spearman (mean ranks).
    p = plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": three(1, 2, 2.9, "uniform"), "depends_on": ["a"]}],
        risks=[{"id": "r", "probability": 0.5, "impact": 3, "tasks": ["a"]}],
    )
    result = simulate(p, 2_000, seed=11)
    a = np.where(result.finish < 8.5, 5.0, 8.0)
    assert 800 < (a == 8).sum() < 1200  # both groups are well represented
    assert result.sensitivity["a"] == pytest.approx(stats.spearmanr(a, result.finish).statistic, abs=1e-12)
    b = result.finish - a
    assert result.sensitivity["b"] == pytest.approx(stats.spearmanr(b, result.finish).statistic, abs=1e-12)


def test_simulate_text_lists_only_drivers_beyond_sampling_noise():
    # a (uniform 10-20) is the whole programme; c (uniform 1-3) runs beside it and never
    # matters, so its rank correlation with F is noise, inside the band for 10,000 iterations.
    p = plan(
        [{"id": "a", "duration": three(10, 15, 20, "uniform")}, {"id": "c", "duration": three(1, 2, 3, "uniform")}]
    )
    result = simulate(p, 10_000, seed=4)
    assert abs(result.sensitivity["c"]) < result.sensitivity_noise and result.criticality["c"] == 0.0
    text = result.to_text()
    rows = text.split("sensitivity\n")[1].split("\n\n")[0].splitlines()
    assert rows[0].split() == ["a", "100.0%", "1.00"]
    assert rows[1:] == [
        "(drivers within sampling noise for 10,000 iterations are not shown: 1 task with sensitivity "
        "within ±0.020 and critical in at most 0.03% of iterations)"
    ]


def test_simulate_text_keeps_drivers_just_outside_the_noise_bands():
    # Hand-set results over 10,000 iterations. The bands: sensitivity ±0.0196002 (scipy's
    # Spearman test at 5 %), criticality 1 - 0.05^(1/10000) = 0.0299529 %.
    p = plan([{"id": k, "duration": three(1, 2, 3, "uniform")} for k in ("a", "b", "c", "d", "e")])
    result = dataclasses.replace(
        simulate(p, 10_000, seed=1),
        sensitivity_iterations=10_000,
        criticality={"a": 1.0, "b": 0.0002, "c": 0.0004, "d": 0.0, "e": 0.0},
        sensitivity={"a": 0.9, "b": 0.01, "c": 0.0, "d": -0.0196005, "e": 0.0195999},
    )
    rows = result.to_text().split("sensitivity\n")[1].split("\n\n")[0].splitlines()
    assert [r.split() for r in rows[:3]] == [["a", "100.0%", "0.90"], ["d", "0.0%", "-0.02"], ["c", "0.04%", "0.00"]]
    assert rows[3:] == [
        "(drivers within sampling noise for 10,000 iterations are not shown: 2 tasks with sensitivity "
        "within ±0.020 and critical in at most 0.03% of iterations)"
    ]


@pytest.mark.parametrize("n", [20, 100, 400, 10_000])
def test_criticality_band_is_the_smallest_share_told_apart_from_zero(n):
    from spinekit.engine.noise import criticality_noise

    band = criticality_noise(n)
    # A task critical with probability `band` is never critical in n iterations 5 % of the time:
    # the exact binomial test of "critical in none of n" against it sits at the 5 % level.
    assert stats.binomtest(0, n, band, alternative="less").pvalue == pytest.approx(0.05, rel=1e-9)
    assert stats.binomtest(0, n, band * 1.01, alternative="less").pvalue < 0.05
    assert stats.binomtest(0, n, band * 0.99, alternative="less").pvalue > 0.05


@pytest.mark.parametrize("n", [12, 50, 400])
def test_sensitivity_band_agrees_with_scipy_spearman_p_values(n):
    from spinekit.engine.noise import sensitivity_noise

    band = sensitivity_noise(n)
    rng = np.random.default_rng(n)
    # Pairs whose rank correlation lies close to the band on either side, found with numpy.
    near = []
    ranks = np.arange(n, dtype=float)
    for _ in range(40_000):
        y = ranks + rng.normal(0, n * rng.uniform(0.5, 3), n)
        rho = np.corrcoef(ranks, np.argsort(np.argsort(y)))[0, 1]
        if abs(abs(rho) - band) < 0.02 * band:
            near.append(y)
        if len(near) == 40:
            break
    inside = outside = 0
    for y in near:
        result = stats.spearmanr(ranks, y)
        assert (abs(result.statistic) > band) == (result.pvalue < 0.05), (result.statistic, result.pvalue, band)
        inside += abs(result.statistic) <= band
        outside += abs(result.statistic) > band
    assert inside and outside  # both sides of the band were tried
