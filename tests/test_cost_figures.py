"""Cost figures and tables: the JCL chart, the cost S-curve and the report's cost tables."""

from __future__ import annotations

import datetime as dt

import pytest
from _helpers import plan

from spinekit import (
    cost_assumptions,
    cost_s_curve,
    cost_summary,
    finish_dates,
    joint_confidence_chart,
    simulate,
)


def _costed():
    return plan(
        [
            {"id": "a", "duration": {"min": 10, "likely": 15, "max": 20, "dist": "uniform"}, "resources": ["dev"]},
            {
                "id": "b",
                "duration": 1,
                "cost": {"min": 1000, "likely": 1500, "max": 2000, "dist": "uniform"},
                "cost_basis": "quote Q-17",
            },
        ],
        target="2027-01-22",
        budget=2600,
        resources=[{"id": "dev", "name": "Developers", "rate": 100, "basis": "estimate: rate card"}],
        standing_costs=[{"name": "hosting", "rate": 0}],
        risks=[
            {
                "id": "r",
                "probability": 0.5,
                "impact": 0,
                "cost_impact": {"min": 0, "likely": 1, "max": 2},
                "tasks": ["b"],
            }
        ],
    )


def test_joint_confidence_chart_shades_the_quadrant_and_labels_the_joint_share():
    finishes = [10, 12, 14, 16, 18]
    costs = [100, 200, 120, 140, 300]
    fig = joint_confidence_chart(finishes, costs, target=15, budget=150)
    # Iterations by 15 and at most 150: (10, 100) and (14, 120) -> 2 of 5.
    assert "<b>40%</b>" in fig.layout.annotations[0].text
    rect = next(s for s in fig.layout.shapes if s.name == "joint confidence")
    assert rect.x1 == 15 and rect.y1 == 150
    assert {s.name for s in fig.layout.shapes} == {"target", "budget", "joint confidence"}
    assert list(fig.data[0].y) == costs


def test_joint_confidence_chart_of_a_simulation_matches_its_jcl():
    sim = simulate(_costed(), 3_000, seed=2)
    fig = joint_confidence_chart(
        finish_dates(sim), sim.cost.total, target=dt.date(2027, 1, 22), budget=2600, max_points=500
    )
    assert f"<b>{sim.cost.joint_confidence:.0%}</b>" in fig.layout.annotations[0].text
    assert len(fig.data[0].x) == 500
    assert "the first 500 drawn" in fig.layout.title.subtitle.text


def test_joint_confidence_chart_needs_one_cost_per_finish():
    with pytest.raises(ValueError, match="2 finishes but 3 costs"):
        joint_confidence_chart([1, 2], [1, 2, 3])


def test_cost_s_curve_marks_percentiles_budget_and_plan():
    fig = cost_s_curve([100, 200, 300, 400], percentiles={"P80": 380}, budget=250, deterministic=210)
    names = [s.name for s in fig.layout.shapes]
    assert names == ["P80", "deterministic", "budget"]
    p80 = fig.layout.shapes[0]
    assert p80.x0 == 380 and p80.y1 == 80
    budget_note = next(a.text for a in fig.layout.annotations if "Budget" in a.text)
    assert "GBP 250" in budget_note and "50% within" in budget_note


def test_cost_summary_puts_cost_beside_the_dates():
    sim = simulate(_costed(), 2_000, seed=3)
    table = cost_summary(sim)
    assert list(table["measure"]) == ["Plan (deterministic)", "P50", "P80", "P90", "Target and budget"]
    # Plan: a at 15 days x 100 + b likely 1500.
    assert table.loc[0, "cost"] == "GBP 3,000"
    assert (
        table.loc[2, "cost"] == f"GBP {sim.cost.summary['p80']:,.0f}" and table.loc[2, "date"] == sim.finish_date["p80"]
    )
    last = table.iloc[-1]
    assert last["cost"] == "GBP 2,600" and last["date"] == dt.date(2027, 1, 22)
    assert last["chance"] == (
        f"both {sim.cost.joint_confidence:.0%}, date {sim.on_time_probability:.0%}, "
        f"cost {sim.cost.within_budget_probability:.0%}"
    )
    assert cost_summary(simulate(plan([{"id": "a", "duration": 1}]), 10, seed=1)).empty


def test_cost_assumptions_list_every_cost_input_with_its_basis():
    table = cost_assumptions(_costed())
    rows = {(r["kind"], r["item"] or r["name"]): r for r in table.to_dict("records")}
    dev = rows[("day rate (1 task)", "dev")]
    assert (dev["likely"], dev["per"], dev["basis"]) == (100, "working day of a task", "estimate: rate card")
    b = rows[("fixed cost", "b")]
    assert (b["min"], b["likely"], b["max"], b["basis"]) == (1000, 1500, 2000, "quote Q-17")
    assert rows[("standing cost", "hosting")]["basis"] == "not stated"
    r = rows[("risk cost (50% likely)", "r")]
    assert (r["min"], r["likely"], r["max"], r["per"]) == (0, 1, 2, "occurrence")


def test_scenario_summary_prices_each_scenario():
    from spinekit import compare, scenario_summary

    p = plan(
        [{"id": "a", "duration": 10, "resources": ["dev"]}],
        resources=[{"id": "dev", "rate": 100}],
        target="2027-01-15",
        budget=1200,
        scenarios=[{"id": "base"}, {"id": "longer", "changes": [{"task": "a", "duration": 15}]}],
    )
    table = scenario_summary(compare(p, iterations=200, seed=1))
    assert list(table["P80 cost (GBP)"]) == ["1,000", "1,500"]
    # 10 days end on Friday 15 January, the target, and 1,000 is within 1,200; 15 days miss both.
    assert list(table["joint confidence"]) == ["100%", "0%"]


def test_steering_summary_shows_cost_beside_the_dates():
    from spinekit import schedule, steering_summary_html

    p = _costed()
    sim = simulate(p, 1_000, seed=4)
    text = steering_summary_html(schedule(p), sim.to_dict())
    assert "<td data-key='Deterministic cost'>GBP 3,000</td>" in text
    assert f"<td data-key='P80 cost'>GBP {sim.cost.summary['p80']:,.0f}</td>" in text
    assert f"GBP 2,600 ({sim.cost.within_budget_probability:.0%} chance of staying within it)" in text
    assert f"<td data-key='Joint confidence (target and budget)'>{sim.cost.joint_confidence:.0%}</td>" in text
