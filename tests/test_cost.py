"""Programme costs: the file's cost keys, the deterministic cost, and cost in Monte Carlo runs."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from _helpers import HEAD, draw_links, plan, run, write_programme
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from spinekit import (
    Amount,
    Assignment,
    ProgrammeError,
    Resource,
    StandingCost,
    deterministic_cost,
    read_programme,
    schedule,
    simulate,
)
from spinekit.analysis.compare import compare

EXAMPLE = """
currency: GBP
budget: 480000
resources:
  - {id: dev-team, name: Supplier delivery team, rate: 4200}
  - {id: cso, name: Clinical Safety Officer, rate: 850}
standing_costs:
  - {name: Programme management and hosting, rate: 600}
tasks:
  - id: build-eps
    duration: 30
    resources: [dev-team, {id: cso, share: 0.5}]
  - id: pen-test
    duration: 5
    depends_on: [build-eps]
    cost: {min: 8000, likely: 12000, max: 20000}
risks:
  - {id: pen-test-retest, probability: 0.25, impact: {min: 5, likely: 10, max: 20},
     cost_impact: {min: 3000, likely: 5000, max: 9000}, tasks: [pen-test]}
"""


# --- the programme file ---------------------------------------------------------------------------


def test_cost_keys_are_read(tmp_path):
    p = read_programme(write_programme(tmp_path, EXAMPLE))
    assert p.currency == "GBP"
    assert p.budget == 480000
    assert p.resources == (
        Resource("dev-team", "Supplier delivery team", 4200),
        Resource("cso", "Clinical Safety Officer", 850),
    )
    assert p.standing_costs == (StandingCost("Programme management and hosting", 600),)
    assert p.task("build-eps").resources == (Assignment("dev-team", 1.0), Assignment("cso", 0.5))
    assert p.task("pen-test").cost == Amount(8000, 12000, 20000, "pert")
    assert p.risks[0].cost_impact == Amount(3000, 5000, 9000, "pert")
    assert p.task("build-eps").cost is None


def test_plain_number_cost_is_fixed_and_currency_defaults_to_gbp():
    p = plan([{"id": "a", "duration": 1, "cost": 2500}])
    assert p.task("a").cost == Amount.fixed(2500)
    assert p.currency == "GBP" and p.budget is None


@pytest.mark.parametrize(
    ("body", "task", "field", "words"),
    [
        (
            "tasks: [{id: a, duration: 1, resources: [{id: dev, share: 50}]}]",
            "a",
            "resources[0].share",
            "0.5 for half time",
        ),
        ("tasks: [{id: a, duration: 1, resources: [{id: dev, shar: 0.5}]}]", "a", "resources[0].shar", "'share'"),
        ("tasks: [{id: a, duration: 1, resources: [d, d]}]", "a", "resources[1]", "listed twice"),
        ("tasks: [{id: a, duration: 1, cost: {min: 5, likely: 3, max: 9}}]", "a", "cost", "min <= likely <= max"),
        ("tasks: [{id: a, duration: 1, cost: -4}]", "a", "cost", "0 or more"),
        (
            "tasks: [{id: a, duration: 1, cost: {min: 1, likely: 2, max: 3, dist: triangle}}]",
            "a",
            "cost.dist",
            "triangular",
        ),
        ("tasks: [{id: a, duration: 1}]\nbudget: lots", None, "budget", "amount of money"),
        ("tasks: [{id: a, duration: 1}]\ncurrency: pounds", None, "currency", "ISO 4217"),
        (
            "tasks: [{id: a, duration: 1}]\nresources: [{id: d, rate: 1}, {id: d, rate: 2}]",
            None,
            "resources[d]",
            "duplicate",
        ),
        (
            "tasks: [{id: a, duration: 1}]\nresources: [{id: d, rate: 1, cost: 3}]",
            None,
            "resources[0].cost",
            "id, name, rate",
        ),
        ("tasks: [{id: a, duration: 1}]\nstanding_costs: [{name: x}]", None, "standing_costs[0].rate", "missing"),
        (
            "tasks: [{id: a, duration: 1}]\nrisks: [{id: r, probability: 0.2, impact: 1, tasks: [a], cost_impact: {min: 1, likely: 2, max: 3, dist: tri}}]",
            None,
            "risks[r].cost_impact.dist",
            "pert, triangular, uniform",
        ),
    ],
)
def test_bad_cost_keys_name_file_task_and_field(tmp_path, capsys, body, task, field, words):
    f = write_programme(tmp_path, body)
    with pytest.raises(ProgrammeError) as info:
        read_programme(f)
    err = info.value
    assert str(err).startswith(str(f))
    assert err.task == task and err.field == field
    assert words in str(err)
    code, out, stderr = run(capsys, "schedule", f)
    assert code == 2 and out == "" and stderr.count("\n") == 1 and field in stderr


# --- the deterministic cost -----------------------------------------------------------------------


def test_deterministic_cost_by_hand(tmp_path):
    est = deterministic_cost(schedule(read_programme(write_programme(tmp_path, EXAMPLE))))
    # build-eps: 30 days x (4200 + 0.5 x 850); pen-test: likely 12000; standing: 600 x 35 working days.
    assert est.by_task == {"build-eps": 30 * (4200 + 425), "pen-test": 12000}
    assert est.fixed == 12000 and est.resources == 138750 and est.standing == 21000
    assert est.total == 171750


def test_standing_costs_count_working_days_not_calendar_days():
    # 3 May 2027 is the Early May bank holiday: 5 working days run 4-10 May, 8 calendar days.
    p = plan(
        [{"id": "a", "duration": 5, "resources": ["dev"]}],
        start="2027-05-03",
        holidays="england-and-wales",
        resources=[{"id": "dev", "rate": 1000}],
        standing_costs=[{"name": "hosting", "rate": 100}, {"name": "PMO", "rate": 50}],
    )
    sched = schedule(p)
    assert str(sched.finish_date) == "2027-05-10"
    assert deterministic_cost(sched).total == 5 * 1000 + 5 * 150


def test_undefined_resource_costs_nothing_and_rates_use_planned_duration():
    p = plan(
        [{"id": "a", "duration": {"min": 2, "likely": 3.5, "max": 9}, "resources": ["dev", "ghost"]}],
        resources=[{"id": "dev", "rate": 100}],
    )
    # likely 3.5 days is planned as 4 whole working days.
    assert deterministic_cost(schedule(p)).total == 400


# --- Monte Carlo cost -----------------------------------------------------------------------------


def _tolerance(values, sigmas=4.0):
    return sigmas * np.std(values) / np.sqrt(len(values))


def test_fixed_costs_only_mean_matches_sum_of_distribution_means():
    p = plan(
        [
            {"id": "a", "duration": 5, "cost": {"min": 1000, "likely": 2000, "max": 6000, "dist": "triangular"}},
            {"id": "b", "duration": 5, "cost": {"min": 0, "likely": 0, "max": 600}},  # PERT by default
            {"id": "c", "duration": 5, "cost": {"min": 100, "likely": 300, "max": 500, "dist": "uniform"}},
        ]
    )
    total = simulate(p, 40_000, seed=11).cost.total
    expected = (1000 + 2000 + 6000) / 3 + (0 + 4 * 0 + 600) / 6 + 300
    assert abs(total.mean() - expected) < _tolerance(total)


def test_single_triangular_cost_percentiles_match_scipy():
    p = plan([{"id": "a", "duration": 5, "cost": {"min": 1000, "likely": 2000, "max": 6000, "dist": "triangular"}}])
    c = simulate(p, 40_000, seed=5).cost
    dist = stats.triang(c=(2000 - 1000) / 5000, loc=1000, scale=5000)
    assert abs(c.summary["mean"] - dist.mean()) < _tolerance(c.total)
    for q in (10, 50, 80, 90):
        x = dist.ppf(q / 100)
        # Standard error of a sample quantile: sqrt(p (1 - p) / n) / pdf(x).
        se = np.sqrt(q / 100 * (1 - q / 100) / 40_000) / dist.pdf(x)
        assert abs(c.summary[f"p{q}"] - x) < 4 * se


def test_pert_is_the_default_cost_distribution():
    p = plan([{"id": "a", "duration": 1, "cost": {"min": 0, "likely": 0, "max": 600}}])
    total = simulate(p, 40_000, seed=2).cost.total
    beta = stats.beta(1, 5, loc=0, scale=600)  # PERT with lambda 4: alpha 1, beta 5
    assert abs(total.mean() - 100) < _tolerance(total)
    assert stats.kstest(total, beta.cdf).pvalue > 0.001


def test_sum_of_two_fixed_costs_percentiles_match_convolution():
    p = plan(
        [
            {"id": "a", "duration": 1, "cost": {"min": 0, "likely": 0, "max": 100, "dist": "uniform"}},
            {"id": "b", "duration": 1, "cost": {"min": 0, "likely": 0, "max": 100, "dist": "uniform"}},
        ]
    )
    c = simulate(p, 40_000, seed=9).cost
    # The sum of two U(0, 100) is triangular on [0, 200] with mode 100.
    dist = stats.triang(c=0.5, loc=0, scale=200)
    for q in (10, 50, 80, 90):
        x = dist.ppf(q / 100)
        se = np.sqrt(q / 100 * (1 - q / 100) / 40_000) / dist.pdf(x)
        assert abs(c.summary[f"p{q}"] - x) < 4 * se


def test_time_dependent_cost_on_a_chain_is_rate_times_finish_in_every_iteration():
    p = plan(
        [
            {"id": "a", "duration": {"min": 5, "likely": 8, "max": 20}, "resources": ["dev"]},
            {
                "id": "b",
                "duration": {"min": 1, "likely": 2, "max": 9, "dist": "triangular"},
                "resources": ["dev"],
                "depends_on": ["a"],
            },
            {"id": "c", "duration": 3, "resources": ["dev"], "depends_on": ["b"]},
        ],
        resources=[{"id": "dev", "rate": 1200}],
        standing_costs=[{"name": "hosting", "rate": 300}],
        risks=[{"id": "r", "probability": 0.4, "impact": {"min": 1, "likely": 4, "max": 10}, "tasks": ["b"]}],
    )
    result = simulate(p, 5_000, seed=4)
    np.testing.assert_allclose(result.cost.total, 1500 * result.finish, rtol=1e-12)
    assert result.cost.deterministic.total == 1500 * 13
    # The cost ranks as the finish does, so each duration correlates with both alike.
    assert result.cost.sensitivity == pytest.approx(result.sensitivity, abs=1e-9)
    assert result.cost.sensitivity["a"] > 0.5


def test_risk_cost_impact_applies_exactly_when_the_risk_fires():
    p = plan(
        [{"id": "a", "duration": 10}],
        risks=[{"id": "r", "probability": 0.3, "impact": 5, "cost_impact": 1000, "tasks": ["a"]}],
    )
    result = simulate(p, 10_000, seed=8)
    fired = result.finish > 10
    np.testing.assert_array_equal(result.cost.total, np.where(fired, 1000.0, 0.0))
    assert result.cost.deterministic.total == 0


def _jcl_programme(cost, budget, target="2027-01-22"):
    # Task a's 10-20 working days decide the date; task b's cost is independent of it.
    return plan(
        [
            {"id": "a", "duration": {"min": 10, "likely": 15, "max": 20, "dist": "uniform"}, **cost},
            {"id": "b", "duration": 1, "cost": {"min": 1000, "likely": 1500, "max": 2000, "dist": "uniform"}},
        ],
        target=target,
        budget=budget,
        resources=[{"id": "dev", "rate": 100}],
    )


def test_joint_confidence_is_the_empirical_joint_frequency():
    p = _jcl_programme({"resources": ["dev"]}, budget=2600)
    result = simulate(p, 40_000, seed=1)
    c = result.cost
    # Target Friday 22 Jan 2027 is working day 14: on time when F <= 15.
    on_time = result.finish <= 15
    within = c.total <= 2600
    assert c.within_budget_probability == np.mean(within)
    assert c.joint_confidence == np.mean(on_time & within)
    assert c.joint_confidence <= min(c.within_budget_probability, result.on_time_probability)
    # x = 100 d ~ U(1000, 2000), y ~ U(1000, 2000): P(x + y <= 2600) = 0.18 and
    # P(x <= 1500, x + y <= 2600) = 0.175, far above the product 0.5 x 0.18 of the marginals.
    for value, expected in ((c.within_budget_probability, 0.18), (c.joint_confidence, 0.175)):
        assert abs(value - expected) < 4 * np.sqrt(expected * (1 - expected) / 40_000)


def test_joint_confidence_of_independent_cost_and_date_is_the_product():
    target = "2027-01-22"  # working day 14: on time when F <= 15, P = 0.5
    result = simulate(_jcl_programme({}, budget=1700, target=target), 40_000, seed=3)
    c = result.cost
    assert abs(result.on_time_probability - 0.5) < 0.01
    assert abs(c.within_budget_probability - 0.7) < 0.01
    product = result.on_time_probability * c.within_budget_probability
    se = np.sqrt(product * (1 - product) / 40_000)
    assert abs(c.joint_confidence - product) < 4 * se


def test_cost_drivers_rank_the_task_that_moves_the_cost():
    p = plan(
        [
            {"id": "big", "duration": 1, "cost": {"min": 0, "likely": 50000, "max": 100000, "dist": "uniform"}},
            {"id": "small", "duration": 1, "cost": {"min": 0, "likely": 50, "max": 100, "dist": "uniform"}},
            {"id": "none", "duration": 1},
        ]
    )
    c = simulate(p, 10_000, seed=6).cost
    assert set(c.drivers) == {"big", "small"}
    # Pearson correlation of each with the total: sd(big) / sd(total) ~ 0.9999995, sd(small) / sd(total) ~ 0.001.
    assert c.drivers["big"] > 0.99
    assert abs(c.drivers["small"]) < 0.05


def test_same_seed_byte_identical_and_chunk_size_does_not_matter(tmp_path):
    p = read_programme(write_programme(tmp_path, EXAMPLE))
    a = simulate(p, 3_000, seed=21)
    b = simulate(p, 3_000, seed=21, chunk_size=7)
    np.testing.assert_array_equal(a.cost.total, b.cost.total)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_costs_do_not_change_the_dates(tmp_path):
    with_costs = read_programme(write_programme(tmp_path, EXAMPLE))
    without = dataclasses.replace(
        with_costs,
        tasks=tuple(dataclasses.replace(t, resources=(), cost=None) for t in with_costs.tasks),
        risks=tuple(dataclasses.replace(r, cost_impact=None) for r in with_costs.risks),
        standing_costs=(),
    )
    a, b = simulate(with_costs, 2_000, seed=5), simulate(without, 2_000, seed=5)
    assert b.cost is None and without.has_costs is False
    np.testing.assert_array_equal(a.finish, b.finish)
    doc = a.to_dict()
    for key in ("cost", "joint_confidence", "cost_drivers", "cost_sensitivity"):
        doc.pop(key)
    assert doc == b.to_dict()


def test_simulate_json_and_text_carry_cost(tmp_path, capsys):
    f = write_programme(tmp_path, EXAMPLE, head=HEAD + "target: 2027-03-31\n")
    code, out, _ = run(capsys, "simulate", f, "--seed", 2, "--iterations", 2000, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc["cost"]) == [
        "currency",
        "budget",
        "deterministic",
        "mean",
        "p10",
        "p50",
        "p80",
        "p90",
        "within_budget_probability",
    ]
    assert doc["cost"]["deterministic"] == 171750
    assert doc["cost"]["p10"] <= doc["cost"]["p50"] <= doc["cost"]["p80"] <= doc["cost"]["p90"]
    assert 0 <= doc["joint_confidence"] <= doc["cost"]["within_budget_probability"]
    assert list(doc["cost_drivers"]) == ["build-eps", "pen-test"]
    code, out, _ = run(capsys, "simulate", f, "--seed", 2, "--iterations", 2000)
    assert "cost (GBP)" in out and "deterministic         171,750" in out
    assert "joint confidence (by the target 2027-03-31 and within the budget)" in out


def test_no_budget_gives_null_probabilities():
    p = plan([{"id": "a", "duration": 1, "cost": 10}], target="2027-02-01")
    doc = simulate(p, 100, seed=1).to_dict()
    assert doc["cost"]["within_budget_probability"] is None and doc["joint_confidence"] is None
    assert doc["cost"]["budget"] is None and doc["cost"]["p50"] == 10


def test_compare_prices_each_scenario_on_common_random_numbers(tmp_path, capsys):
    body = EXAMPLE + (
        "scenarios:\n"
        "  - {id: same, name: Nothing changes}\n"
        "  - id: longer\n"
        "    name: Longer build\n"
        "    changes: [{task: build-eps, duration: 40}]\n"
    )
    p = read_programme(write_programme(tmp_path, body))
    result = compare(p, iterations=2_000, seed=13)
    same, longer = result.results
    base = simulate(p, 2_000, seed=13)
    np.testing.assert_array_equal(same.simulation.cost.total, base.cost.total)
    # Ten more days of build cost 10 x 4625 and ten more standing days 10 x 600, in every iteration.
    np.testing.assert_allclose(longer.simulation.cost.total - same.simulation.cost.total, 52250, rtol=1e-12)
    doc = result.to_dict()
    assert doc["scenarios"][0]["cost_drivers"] == base.to_dict()["cost_drivers"]
    assert doc["scenarios"][1]["deterministic"]["cost"] == 171750 + 52250
    assert doc["scenarios"][1]["difference"]["deterministic_cost"] == 52250
    assert doc["scenarios"][1]["difference"]["p80_cost"] == pytest.approx(52250, abs=0.01)
    assert doc["scenarios"][1]["cost"]["p80"] == pytest.approx(doc["scenarios"][0]["cost"]["p80"] + 52250, abs=0.01)
    code, out, _ = run(capsys, "compare", tmp_path / "plan.yaml", "--seed", 13, "--iterations", 500)
    assert code == 0 and "P80 cost" in out and "+52,250" in out


def test_cost_drivers_are_spearman_of_each_task_cost_with_the_total():
    p = plan(
        [
            {"id": "a", "duration": {"min": 5, "likely": 10, "max": 30}, "resources": ["dev"]},
            {"id": "b", "duration": 1, "cost": {"min": 0, "likely": 1000, "max": 4000, "dist": "triangular"}},
            {"id": "c", "duration": 2, "resources": ["dev"]},
        ],
        resources=[{"id": "dev", "rate": 100}],
    )
    result = simulate(p, 3_000, seed=12)
    total = result.cost.total
    # F is a's duration (b and c are shorter), so a costs 100 F and b the rest less c's 200.
    cost_a = 100 * result.finish
    cost_b = total - cost_a - 200
    assert result.cost.drivers["a"] == pytest.approx(stats.spearmanr(cost_a, total).statistic, abs=1e-12)
    assert result.cost.drivers["b"] == pytest.approx(stats.spearmanr(cost_b, total).statistic, abs=1e-9)
    assert result.cost.drivers["c"] == 0


def test_the_documented_cost_example_parses_as_documented():
    from _helpers import ROOT

    doc = (ROOT / "docs" / "programme-file.md").read_text(encoding="utf-8")
    block = doc.split("## Costs\n\n```yaml\n", 1)[1].split("```", 1)[0]
    p = parse_programme_text(HEAD + block)
    sched = schedule(p)
    # build-eps 30 x (4200 + 425); pen-test 12000; standing 600 x 35 working days (no holidays in Jan-Feb 2027).
    assert deterministic_cost(sched).total == 30 * 4625 + 12000 + 600 * 35


def parse_programme_text(text):
    from spinekit import parse_programme
    from spinekit.model.files import load_yaml

    return parse_programme(load_yaml(text))


# --- the health check -----------------------------------------------------------------------------


def _check(**extra):
    from spinekit.analysis.check import check_plan

    p = plan(
        [{"id": "build", "duration": {"min": 20, "likely": 30, "max": 50}, "resources": ["dev-team"]}],
        resources=[{"id": "dev-team", "rate": 4200}],
        **extra,
    )
    return {f.rule: f for f in check_plan(p).findings}


def test_check_warns_about_an_undefined_resource_with_the_closest_id():
    from spinekit.analysis.check import check_plan

    p = plan(
        [{"id": "build", "duration": 5, "resources": ["dev-team", "dev-teem"]}],
        resources=[{"id": "dev-team", "rate": 4200}],
    )
    found = [f for f in check_plan(p).findings if f.rule == "undefined-resource"]
    assert [(f.severity, f.tasks) for f in found] == [("warning", ("build",))]
    assert "'dev-teem'" in found[0].message and "'dev-team'" in found[0].fix


def test_check_warns_about_a_budget_without_costs():
    from spinekit.analysis.check import check_plan

    rules = {f.rule: f.severity for f in check_plan(plan([{"id": "a", "duration": 5}], budget=1000)).findings}
    assert rules["budget-without-cost"] == "warning"


def test_check_warns_when_the_deterministic_cost_exceeds_the_budget():
    found = _check(budget=120_000)  # 30 x 4200 = 126,000
    assert found["cost-over-budget"].severity == "warning" and "126,000" in found["cost-over-budget"].message
    assert "p80-cost-over-budget" not in found


def test_check_warns_when_the_p80_cost_exceeds_the_budget():
    # Cost = 4200 x PERT(20, 30, 50): P80 = 4200 x Beta(7/3, 11/3) quantile, about 153,823.
    p80 = 4200 * stats.beta(1 + 4 * 10 / 30, 1 + 4 * 20 / 30, loc=20, scale=30).ppf(0.8)
    below = _check(budget=round(p80 * 0.95))
    assert "cost-over-budget" not in below
    assert below["p80-cost-over-budget"].severity == "warning"
    above = _check(budget=round(p80 * 1.05))
    assert "p80-cost-over-budget" not in above and "budget-without-cost" not in above


# --- indicative costs from the catalogue ----------------------------------------------------------


def _catalogue_data():
    from spinekit import data_dir
    from spinekit.model.files import load_yaml

    folder = data_dir() / "catalogue"
    return [
        load_yaml((folder / f).read_text(encoding="utf-8")) for f in ("services.yaml", "items.yaml", "sources.yaml")
    ]


def test_every_catalogue_cost_is_an_estimate_with_reasoning_or_cites_a_source():
    from spinekit import load_catalogue

    costed = [i for i in load_catalogue().items if i.cost is not None]
    assert [i.id for i in costed] == ["pen-test"]
    for item in costed:
        prov = item.cost_provenance
        assert prov.basis == "estimate" or prov.sources
        assert len(prov.note) > 80 and "Reasoning" in prov.note
        assert item.cost.min <= item.cost.likely <= item.cost.max and item.cost.dist == "pert"


def test_scope_takes_indicative_costs_only_when_asked():
    data = {"name": "t", "start": "2027-01-04", "scope": {"services": ["pds"]}}
    from spinekit import parse_programme

    assert not parse_programme(data).has_costs
    data["scope"]["indicative_costs"] = True
    p = parse_programme(data)
    # PDS for healthcare workers brings CIS2; each API's release has its own pen test, each at
    # items.yaml's pen-test cost (6,000 / 12,000 / 25,000), and no other item has a cost.
    for api in ("pds", "cis2"):
        pen = p.task(f"pen-test-{api}")
        assert pen.cost == Amount(6000, 12000, 25000, "pert")
        assert pen.cost_basis.startswith("estimate: No published price")
    assert [t.id for t in p.tasks if t.cost is not None] == ["pen-test-pds", "pen-test-cis2"]


def test_indicative_costs_need_a_gbp_programme():
    from spinekit import parse_programme

    data = {
        "name": "t",
        "start": "2027-01-04",
        "currency": "EUR",
        "scope": {"services": ["pds"], "indicative_costs": True},
    }
    with pytest.raises(ProgrammeError) as info:
        parse_programme(data, source="plan.yaml")
    assert info.value.field == "scope.indicative_costs" and "currency: GBP" in str(info.value)


@pytest.mark.parametrize(
    ("cost", "words"),
    [
        ({"min": 1, "likely": 2, "max": 3}, "provenance"),
        ({"min": 1, "likely": 2, "max": 3, "currency": "EUR", "provenance": {"basis": "estimate", "note": "x"}}, "GBP"),
        ({"min": 3, "likely": 2, "max": 1, "provenance": {"basis": "estimate", "note": "x"}}, "min <= likely <= max"),
        ({"min": 1, "likely": 2, "max": 3, "provenance": {"basis": "published", "note": "x"}}, "cite its sources"),
        ({"min": 1, "likely": 2, "max": 3, "provenance": {"basis": "estimate"}}, "note"),
    ],
)
def test_catalogue_cost_without_provenance_or_in_another_currency_is_refused(cost, words):
    from spinekit import CatalogueError
    from spinekit.catalogue.load import parse_catalogue

    services, items, sources = _catalogue_data()
    for item in items["items"]:
        if item["id"] == "ods-code":
            item["cost"] = cost
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(services, items, sources)
    assert "ods-code" in str(info.value) and words in str(info.value)


# --- invariants on random networks ----------------------------------------------------------------


@st.composite
def costed_networks(draw):
    n = draw(st.integers(1, 12))
    tasks = []
    for i in range(n):
        likely = draw(st.integers(0, 8))
        task = {"id": f"t{i}", "duration": {"min": likely, "likely": likely, "max": likely + draw(st.integers(0, 6))}}
        links = draw_links(draw, i)
        if links:
            task["depends_on"] = links
        share = draw(st.sampled_from([None, 0.25, 0.5, 1]))
        if share is not None:
            task["resources"] = [{"id": "dev", "share": share}]
        if draw(st.booleans()):
            task["cost"] = draw(st.integers(0, 5000))
        tasks.append(task)
    return {
        "name": "random",
        "start": "2027-03-15",
        "calendar": {"holidays": draw(st.sampled_from(["none", "england-and-wales"]))},
        "resources": [{"id": "dev", "rate": draw(st.integers(0, 3000))}],
        "standing_costs": [{"name": "s", "rate": draw(st.integers(0, 900))}],
        "tasks": tasks,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(costed_networks(), st.integers(0, 2**31))
def test_cost_is_the_sum_of_its_parts_in_every_iteration(data, seed):
    from spinekit import parse_programme

    p = parse_programme(data)
    sched = schedule(p)
    rate = data["resources"][0]["rate"]
    standing = data["standing_costs"][0]["rate"]
    fixed = sum(t.get("cost", 0) for t in data["tasks"])
    shares = {t["id"]: t["resources"][0]["share"] for t in data["tasks"] if "resources" in t}
    planned = dict(zip(sched.columns["id"], sched.columns["duration"]))
    expected = fixed + rate * sum(s * planned[i] for i, s in shares.items()) + standing * sched.finish_offset
    assert deterministic_cost(sched).total == pytest.approx(expected, rel=1e-12, abs=1e-9)
    result = simulate(p, 50, seed=seed, schedule=sched)
    assert result.cost is not None  # a standing cost, even at rate 0, makes a costed programme
    # Fixed costs are plain numbers here, so only durations and the finish vary: the cost is
    # at least the fixed part plus the standing costs for the finish, and exactly that when no
    # task uses the resource.
    floor = fixed + standing * result.finish
    assert np.all(result.cost.total >= floor - 1e-6)
    if not shares or rate == 0:
        np.testing.assert_allclose(result.cost.total, floor, rtol=1e-12, atol=1e-9)
    assert result.cost.joint_confidence is None
