"""Scenario comparison: presets on the bundled example, common random numbers, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spinekit import schedule, simulate
from spinekit.analysis.compare import compare
from spinekit.catalogue.scenarios import apply_scenario
from spinekit.cli import main
from spinekit.model.domain import Change, Scenario


@pytest.fixture(scope="module")
def base(example):
    return schedule(example)


def test_late_requests_moves_the_example_by_the_design_time(example, base):
    t = base.table.set_index("id")
    # The critical path starts with the ODS code request at day 0; waiting for design first
    # pushes the whole path back by the design's duration.
    assert base.critical_path[0] == "ods-code" and t.at["ods-code", "es"] == 0
    late = schedule(apply_scenario(example, Scenario("x", "x", "late-requests")))
    assert late.finish_offset == base.finish_offset + int(t.at["design", "duration"])


def test_deferred_assurance_moves_the_example_by_the_assurance_tail(example, base):
    t = base.table.set_index("id")
    # Hand-worked from items.yaml and services.yaml likely lead times, in working days from the
    # start. EPS is the longest chain: ODS code 0-10, developer account 10-12, EPS use-case
    # approval 12-32, intake slot 32-162, EPS build 162-192 (30), its reconciliation 167-177
    # (SS 5), conformance 192-212 (20) and pen test 192-217 (25). Its SCAL waits for its own pen
    # test and conformance (DSPT 10-50 and clinical safety 0-40 are long done): 217-237 (20),
    # Connection Agreement 237-247 (10), live API application and MESH mailbox 247-257 (10),
    # smoke test 257-262 (5), go-live at 262 and the hand-written hypercare 262-272 (10).
    assert (t.at["scal-eps", "es"], t.at["scal-eps", "ef"], base.finish_offset) == (217, 237, 272)
    assert "scal-eps" in base.critical_path
    deferred = schedule(apply_scenario(example, Scenario("x", "x", "deferred-assurance")))
    d = deferred.table.set_index("id")
    # Deferred, clinical safety, DSPT and every API's pen test start when the last build-track
    # task finishes (the EPS build, at 192): clinical safety and DSPT end at 232 (40 each), the
    # pen tests at 217 (25). Every SCAL then waits for DSPT and clinical safety: 232-252;
    # agreements 252-262; live applications, CIS2 configuration and mailbox 262-272; smoke tests
    # 272-277; go-live 277; hypercare 277-287: 15 days (232 - 217) later than the plan.
    for api in ("pds", "eps", "cis2"):
        assert (d.at[f"pen-test-{api}", "es"], d.at[f"scal-{api}", "es"]) == (192, 232), api
    assert (d.at["cso-dcb0129", "ef"], d.at["dspt", "ef"]) == (232, 232)
    assert deferred.finish_offset == 287 == base.finish_offset + 15


def test_common_random_numbers_make_identical_scenarios_identical(example):
    twin = Scenario("twin", "twin")
    res = compare(example, ["baseline", "intake-slot-offered"], iterations=500, seed=3)
    again = compare(example, ["baseline"], iterations=500, seed=3)
    a, b = res.results[0].simulation, again.results[0].simulation
    assert np.array_equal(a.finish, b.finish)
    p = apply_scenario(example, twin)
    assert np.array_equal(simulate(p, 500, seed=3).finish, a.finish)


def test_unchanged_tasks_keep_their_draws(example):
    # Shortening a task only ever brings the finish forward, iteration by iteration, when
    # every other task keeps its draws.
    res = compare(example, ["baseline", "intake-slot-offered"], iterations=800, seed=11)
    base_f, fast_f = res.results[0].simulation.finish, res.results[1].simulation.finish
    assert (fast_f <= base_f + 1e-9).all() and (fast_f < base_f).mean() > 0.5


def test_compare_json_contract(capsys):
    assert (
        main(
            [
                "compare",
                "--iterations",
                "300",
                "--seed",
                "2",
                "--format",
                "json",
                "--scenario",
                "baseline",
                "--scenario",
                "requests-after-design",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    first, second = doc["scenarios"]
    for s in doc["scenarios"]:
        assert {
            "id",
            "name",
            "deterministic",
            "finish_offset",
            "finish_date",
            "on_time_probability",
            "critical_path",
        } <= set(s)
        assert {"p50", "p80", "p90"} <= set(s["finish_date"])
    assert first["difference"]["deterministic_working_days"] == 0
    assert second["difference"]["deterministic_working_days"] == (
        second["deterministic"]["finish_offset"] - first["deterministic"]["finish_offset"]
    )
    assert second["changed_tasks"]["changed"] and not second["changed_tasks"]["removed"]
    # The same seed gives each scenario the same numbers as simulate --scenario.
    assert (
        main(
            [
                "simulate",
                "--scenario",
                "requests-after-design",
                "--iterations",
                "300",
                "--seed",
                "2",
                "--format",
                "json",
            ]
        )
        == 0
    )
    sim = json.loads(capsys.readouterr().out)
    assert sim["finish_date"] == second["finish_date"] and sim["finish_offset"] == second["finish_offset"]


def test_schedule_scenario_and_unknown_scenario(capsys):
    assert main(["schedule", "--scenario", "requests-after-design", "--format", "json"]) == 0
    late = json.loads(capsys.readouterr().out)
    assert main(["schedule", "--format", "json"]) == 0
    assert late["finish_offset"] > json.loads(capsys.readouterr().out)["finish_offset"]
    assert main(["schedule", "--scenario", "request-after-design"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'request-after-design'" in err and "did you mean 'requests-after-design'" in err


def test_table_output(capsys):
    assert (
        main(
            [
                "compare",
                "--iterations",
                "200",
                "--seed",
                "1",
                "--scenario",
                "baseline",
                "--scenario",
                "deferred-assurance",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "deferred-assurance" in out and "P80" in out


@pytest.fixture(scope="module")
def base_finish(example):
    """The example's finishes, 1500 iterations, seed 5: the baseline the removals are held to."""
    return simulate(example, 1500, seed=5).finish


@pytest.mark.parametrize("victim", ["build-pds", "design", "dspt"])
def test_removing_a_task_never_makes_an_iteration_later(example, base_finish, victim):
    # With common random numbers every other task keeps its draws (correlated ones included:
    # build-pds shares a correlation group with build-eps and build-cis2), and removing work
    # only loosens the network, so no iteration can finish later.
    base = base_finish
    variant = apply_scenario(example, Scenario("x", "x", changes=(Change(task=victim, remove=True),)))
    assert (simulate(variant, 1500, seed=5).finish <= base + 1e-9).all()


def test_preset_slips_on_the_example_are_hand_checked(example, base):
    # Worked from the example's critical path: ODS code starts at day 0 and design takes 15
    # days; the last build (EPS) ends at day 192 and CSO/DCB0129 and DSPT take 40 days, so
    # SCAL, which started at day 217, waits until 232.
    assert base.finish_offset == 272
    late = schedule(apply_scenario(example, Scenario("x", "x", "late-requests")))
    deferred = schedule(apply_scenario(example, Scenario("x", "x", "deferred-assurance")))
    assert (late.finish_offset, deferred.finish_offset) == (287, 287)


def test_reuse_takes_a_matching_simulation_only(example):
    sim = simulate(example, 300, seed=9)
    res = compare(example, ["baseline", "requests-after-design"], iterations=300, seed=9, reuse=sim)
    assert res.results[0].simulation is sim and res.results[1].simulation is not sim
    fresh = compare(example, ["baseline"], iterations=300, seed=10, reuse=sim)
    assert fresh.results[0].simulation is not sim


def test_p80_difference_uses_each_scenarios_p80():
    from _helpers import plan

    # One task, uniform on [10, 32] working days: P80 of the finish is 10 + 0.8 * 22 = 27.6,
    # dated on day ceil(27.6) - 1 = 27 (P90, 29.8, would be day 29). The scenario fixes it at 20
    # days: every iteration finishes on day 19. So P80 moves by 19 - 27 = -8 working days.
    p = plan(
        [{"id": "a", "duration": {"min": 10, "likely": 21, "max": 32, "dist": "uniform"}}],
        scenarios=[{"id": "fixed", "name": "Fixed", "changes": [{"task": "a", "duration": 20}]}],
    )
    doc = compare(p, ["baseline", "fixed"], iterations=40_000, seed=3).to_dict()
    first, fixed = doc["scenarios"]
    assert first["finish_date"]["p80"] == "2027-02-10"  # working day 27, no holidays
    assert fixed["finish_date"]["p80"] == "2027-01-29"  # working day 19
    assert fixed["difference"]["p80_working_days"] == -8
    assert fixed["difference"]["p80_calendar_weeks"] == round(-12 / 7, 1)


def test_risk_changes_are_listed_in_changed_tasks_and_in_words():
    from _helpers import plan

    from spinekit import changed_tasks_words

    p = plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}],
        risks=[{"id": "late", "name": "Supplier late", "probability": 0.3, "impact": 5, "tasks": ["a"]}],
        scenarios=[
            {"id": "likelier", "name": "Likelier", "changes": [{"risk": "late", "probability": 0.6}]},
            {
                "id": "worse",
                "name": "Worse",
                "changes": [
                    {"risk": "late", "impact": {"min": 5, "likely": 10, "max": 20}},
                    {"task": "b", "duration": 4},
                ],
            },
        ],
    )
    doc = compare(p, ["baseline", "likelier", "worse"], iterations=None).to_dict()
    likelier, worse = doc["scenarios"][1:]
    assert likelier["changed_tasks"] == {
        "added": [],
        "removed": [],
        "changed": [],
        "risks": [{"risk": "late", "probability": [0.3, 0.6]}],
    }
    assert worse["changed_tasks"]["changed"] == ["b"]
    assert worse["changed_tasks"]["risks"] == [
        {"risk": "late", "impact": [5.0, {"min": 5.0, "likely": 10.0, "max": 20.0}]}
    ]
    variant = apply_scenario(p, p.scenarios[0])
    assert changed_tasks_words(p, variant) == "Risks: Supplier late probability 30% to 60%."
    variant = apply_scenario(p, p.scenarios[1])
    assert changed_tasks_words(p, variant) == "Changed: b. Risks: Supplier late impact 5 days to 5-10-20 days."
