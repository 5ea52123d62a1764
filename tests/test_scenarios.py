"""Scenario changes: each edit does what it says, and bad references name the scenario."""

from __future__ import annotations

import pytest

from spinekit import ProgrammeError, UnknownTaskError, parse_programme, schedule
from spinekit.catalogue.presets import PRESETS
from spinekit.catalogue.scenarios import apply_scenario, parse_scenarios
from spinekit.model.domain import Scenario

BASE = {
    "name": "base",
    "start": "2027-01-04",
    "calendar": {"holidays": "none"},
    "tasks": [
        {"id": "design", "duration": 10},
        {"id": "asid", "duration": 5},
        {"id": "build", "duration": 20, "depends_on": ["design", "asid"]},
        {"id": "dep-validation", "duration": 10, "depends_on": [{"task": "build", "type": "FS", "lag": 2}]},
        {"id": "go-live", "duration": 0, "depends_on": [{"task": "dep-validation", "lag": 1}]},
    ],
    "risks": [{"id": "hl7v3-needed", "probability": 0.3, "impact": 20, "tasks": ["build"]}],
}


def variant(*changes, base=BASE):
    programme = parse_programme(base)
    (sc,) = parse_scenarios([{"id": "v", "changes": list(changes)}], programme, source="plan.yaml")
    return apply_scenario(programme, sc)


def task(p, tid):
    return next(t for t in p.tasks if t.id == tid)


def test_duration_override():
    p = variant({"task": "build", "duration": {"min": 15, "likely": 25, "max": 40}})
    assert task(p, "build").duration.likely == 25
    assert schedule(p).finish_offset == 10 + 25 + 2 + 10 + 1


def test_add_and_remove_dependencies():
    p = variant({"task": "asid", "depends_on_add": ["design"]})
    assert [d.task for d in task(p, "asid").depends_on] == ["design"]
    assert schedule(p).finish_offset == 10 + 5 + 20 + 2 + 10 + 1
    p = variant({"task": "build", "depends_on_remove": ["design"]})
    assert [d.task for d in task(p, "build").depends_on] == ["asid"]
    assert schedule(p).finish_offset == 5 + 20 + 2 + 10 + 1


def test_remove_task_dependants_inherit_predecessors_and_lags():
    p = variant({"task": "dep-validation", "remove": True})
    assert "dep-validation" not in {t.id for t in p.tasks}
    (link,) = task(p, "go-live").depends_on
    # build -(FS, 2)-> dep-validation -(FS, 1)-> go-live  becomes  build -(FS, 3)-> go-live.
    assert (link.task, link.type, link.lag) == ("build", "FS", 3)
    assert schedule(p).finish_offset == 10 + 20 + 3


def test_remove_keeps_mixed_link_sides():
    base = {
        **BASE,
        "tasks": [
            {"id": "a", "duration": 4},
            {"id": "r", "duration": 9, "depends_on": [{"task": "a", "type": "SS", "lag": 1}]},
            {"id": "s", "duration": 2, "depends_on": [{"task": "r", "type": "FF", "lag": 2}]},
        ],
        "risks": [],
    }
    p = variant({"task": "r", "remove": True}, base=base)
    (link,) = task(p, "s").depends_on
    assert (link.task, link.type, link.lag) == ("a", "SF", 3)


def test_not_before_and_start_and_calendar():
    p = variant({"task": "asid", "not_before": "2027-03-01"})
    assert str(task(p, "asid").not_before) == "2027-03-01"
    p = variant({"start": "2027-02-01"})
    assert str(schedule(p).table.loc[0, "start"]) == "2027-02-01"
    p = variant({"calendar": {"holidays": "scotland"}}, {"start": "2027-01-01"})
    assert p.calendar.region == "scotland"
    assert str(p.calendar.day0) == "2027-01-05"  # 1, 2 (substitute 4) January are holidays


def test_risk_change():
    p = variant({"risk": "hl7v3-needed", "probability": 0.6})
    assert p.risks[0].probability == 0.6 and p.risks[0].impact.likely == 20


def test_risk_on_removed_task_is_dropped():
    p = variant({"task": "build", "remove": True})
    assert p.risks == ()


@pytest.mark.parametrize(
    "change, exc, words",
    [
        ({"task": "biuld", "duration": 3}, UnknownTaskError, "did you mean 'build'"),
        ({"risk": "hl7-needed", "probability": 0.5}, ProgrammeError, "unknown risk 'hl7-needed'"),
        ({"task": "build", "depends_on_add": ["desing"]}, UnknownTaskError, "did you mean 'design'"),
        ({"task": "build", "depends_on_remove": ["go-live"]}, ProgrammeError, "unknown predecessor"),
    ],
)
def test_unknown_ids_name_the_scenario(change, exc, words):
    with pytest.raises(exc) as info:
        variant(change)
    msg = str(info.value)
    assert msg.startswith("plan.yaml") and "scenario 'v'" in msg and words in msg


def test_cycle_from_a_scenario_is_reported():
    with pytest.raises(ProgrammeError, match="scenario 'v' breaks the network.*->"):
        variant({"task": "design", "depends_on_add": ["go-live"]})


@pytest.mark.parametrize(
    "change, words",
    [
        ({"task": "build", "durattion": 3}, "did you mean 'duration'"),
        ({"duration": 3}, "need 'task:'"),
        ({"task": "build", "probability": 0.2}, "use 'risk:'"),
        ({"task": "build", "risk": "hl7v3-needed"}, "one task or one risk"),
    ],
)
def test_malformed_changes(change, words):
    with pytest.raises(ProgrammeError, match=words):
        variant(change)


def test_unknown_preset_suggests():
    programme = parse_programme(BASE)
    with pytest.raises(ProgrammeError, match="did you mean 'late-requests'"):
        parse_scenarios([{"id": "x", "preset": "late-request"}], programme)


def test_base_is_untouched():
    programme = parse_programme(BASE)
    (sc,) = parse_scenarios([{"id": "v", "changes": [{"task": "build", "remove": True}]}], programme)
    apply_scenario(programme, sc)
    assert "build" in {t.id for t in programme.tasks}


@pytest.mark.parametrize(
    "change, words",
    [
        ({"risk": "hl7v3-needed", "probability": 1.5}, "between 0 and 1"),
        ({"risk": "hl7v3-needed", "probability": float("nan")}, "between 0 and 1"),
        ({"task": "build", "remove": True, "duration": 99}, "cannot also edit it"),
    ],
)
def test_more_malformed_changes(change, words):
    with pytest.raises(ProgrammeError, match=words):
        variant(change)


def test_nested_change_errors_name_the_change():
    with pytest.raises(ProgrammeError) as info:
        variant({"task": "build", "duration": {"min": 5, "likely": 3, "max": 9}})
    assert "scenarios[v].changes[0]" in str(info.value) and "min <= likely <= max" in str(info.value)


def test_a_scenario_cannot_remove_every_task():
    changes = [{"task": t["id"], "remove": True} for t in BASE["tasks"]]
    with pytest.raises(ProgrammeError, match="removes every task"):
        variant(*changes)


SCOPED_EPS = {
    "name": "eps",
    "start": "2027-01-04",
    "calendar": {"holidays": "none"},
    "scope": {"services": ["eps"]},
    "scenarios": [
        {"id": "queue", "preset": "eps-intake-queue"},
        {"id": "skip-dep", "preset": "ptl-formality"},
        {"id": "slot-offered", "changes": [{"task": "eps-intake", "duration": 20}]},
    ],
}


def test_presets_with_nothing_to_change_are_the_plan_with_a_note_and_spare_the_others():
    from spinekit import compare

    # A plan made from a scope with EPS already waits for the intake queue at the catalogue's
    # lead time, and has no DEP to skip: both presets are no-ops that say why.
    programme = parse_programme(SCOPED_EPS)
    notes = {s.id: s.note for s in programme.scenarios}
    assert notes == {
        "queue": "preset eps-intake-queue: the plan already waits for the EPS intake queue "
        "(eps-intake, at the catalogue's lead time)",
        "skip-dep": "preset ptl-formality: the plan has no validation in DEP (kind dep-validation) to skip",
        "slot-offered": None,
    }
    doc = compare(programme, iterations=None).to_dict()
    by_id = {e["id"]: e for e in doc["scenarios"]}
    assert by_id["queue"]["note"] == notes["queue"] and "note" not in by_id["slot-offered"]
    base = schedule(programme).finish_offset
    assert by_id["queue"]["deterministic"]["finish_offset"] == base
    assert by_id["queue"]["changed_tasks"] == {"added": [], "removed": [], "changed": [], "risks": []}
    # The other scenario is still computed: intake 130 -> 20 working days.
    assert by_id["slot-offered"]["deterministic"]["finish_offset"] < base
    # The text and the report's scenario table say why too.
    comparison = compare(programme, iterations=None)
    assert f"note: {notes['queue']}" in comparison.to_text()
    from spinekit import scenario_summary

    table = scenario_summary(comparison)
    assert list(table["note"]) == [notes["queue"], notes["skip-dep"], ""]


def test_scenario_ids_are_checked():
    programme = parse_programme(BASE)
    with pytest.raises(ProgrammeError, match="letters, digits"):
        parse_scenarios([{"id": "bad id!"}], programme)


def test_a_preset_risk_never_replaces_one_of_the_plans():
    assert "ptl-formality" in PRESETS
    plan = {
        **BASE,
        "tasks": [*BASE["tasks"], {"id": "smoke", "duration": 2, "depends_on": ["go-live"], "kind": "smoke-test"}],
        "risks": [{"id": "go-live-defect", "name": "mine", "probability": 0.1, "impact": 3, "tasks": ["build"]}],
    }
    plan["tasks"][3] = {**plan["tasks"][3], "kind": "dep-validation"}
    p = apply_scenario(parse_programme(plan), Scenario("s", "s", "ptl-formality"))
    ids = [r.id for r in p.risks]
    assert ids[0] == "go-live-defect" and p.risks[0].name == "mine" and len(set(ids)) == 2
