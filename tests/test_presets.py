"""Scenario presets change a hand-built plan the way their descriptions say."""

from __future__ import annotations

import pytest

from spinekit import ProgrammeError, parse_programme, schedule
from spinekit.catalogue.presets import PRESETS, preset_info
from spinekit.catalogue.scenarios import apply_scenario
from spinekit.model.domain import Scenario

# A small Spine-shaped plan; hand-worked schedule (no holidays):
#   ods 0-5, asid-int-org1 5-10, design 0-10, build 10-30, dep-val 30-35, conf 35-40,
#   pen 30-40, cso 0-15, dspt 0-10, scal 40-45, ca 45-50, cert-prod 50-55, dcb0160-org1 15-20,
#   smoke 55-57, go-live-org1 at 57.  F = 57.
PLAN = {
    "name": "small",
    "start": "2027-01-04",
    "calendar": {"holidays": "none"},
    "tasks": [
        {"id": "ods", "duration": 5, "kind": "ods-code", "track": "identity"},
        {"id": "design", "duration": 10, "kind": "design", "track": "build"},
        {
            "id": "asid-int-org1",
            "duration": 5,
            "depends_on": ["ods"],
            "kind": "asid",
            "track": "identity",
            "environment": "int",
        },
        {
            "id": "build",
            "duration": 20,
            "depends_on": ["design", "asid-int-org1"],
            "kind": "build",
            "track": "build",
            "service": "eps",
        },
        {"id": "cso", "duration": 15, "kind": "cso-dcb0129", "track": "assurance"},
        {"id": "dspt", "duration": 10, "kind": "dspt", "track": "governance"},
        {"id": "pen", "duration": 10, "depends_on": ["build"], "kind": "pen-test", "track": "assurance"},
        {"id": "dcb0160-org1", "duration": 5, "depends_on": ["cso"], "kind": "dcb0160", "track": "assurance"},
        {"id": "dep-val", "duration": 5, "depends_on": ["build"], "kind": "dep-validation", "track": "test"},
        {"id": "conf", "duration": 5, "depends_on": ["dep-val"], "kind": "conformance", "track": "test"},
        {
            "id": "scal",
            "duration": 5,
            "depends_on": ["conf", "cso", "dspt", "pen"],
            "kind": "scal",
            "track": "assurance",
        },
        {"id": "ca", "duration": 5, "depends_on": ["scal"], "kind": "connection-agreement", "track": "assurance"},
        {
            "id": "cert-prod",
            "duration": 5,
            "depends_on": ["ca"],
            "kind": "spine-certificates",
            "track": "identity",
            "environment": "production",
        },
        {
            "id": "smoke",
            "duration": 2,
            "depends_on": ["cert-prod", "dcb0160-org1"],
            "kind": "smoke-test",
            "track": "go-live",
        },
        {"id": "go-live-org1", "duration": 0, "depends_on": ["smoke"], "kind": "go-live", "track": "go-live"},
        {"id": "hypercare", "duration": 3, "depends_on": ["go-live-org1"]},
    ],
}


def run(preset, plan=PLAN):
    base = parse_programme(plan)
    variant = apply_scenario(base, Scenario("s", "s", preset))
    return base, variant, {t.id: t for t in variant.tasks}


def preds(task):
    return {d.task for d in task.depends_on}


def test_every_preset_is_documented():
    assert set(PRESETS) == {
        "late-requests",
        "deferred-assurance",
        "hl7v3-surprise",
        "ptl-formality",
        "eps-intake-queue",
        "extra-organisation",
    }
    for pid in PRESETS:
        assert len(preset_info(pid).models) > 60


def test_base_finish():
    assert schedule(parse_programme(PLAN)).finish_offset == 60


def test_late_requests():
    base, p, t = run("late-requests")
    assert "design" in preds(t["ods"]) and "design" in preds(t["asid-int-org1"])
    assert "design" not in preds(t["cert-prod"])  # production certificates follow assurance anyway
    assert preds(t["cso"]) == set()
    # ods 10-15, asid 15-20, build 20-40: ten days later all the way to the end.
    assert schedule(p).finish_offset == 60 + 10


def test_deferred_assurance():
    _, p, t = run("deferred-assurance")
    for tid in ("cso", "dspt", "pen", "dcb0160-org1"):
        assert "build" in preds(t[tid]), tid
    assert "design" not in preds(t["cso"])
    # cso 30-45 now drives scal (45-50), five days after conformance (40): F moves by 5.
    assert schedule(p).finish_offset == 60 + 5


def test_hl7v3_surprise():
    base, p, t = run("hl7v3-surprise")
    assert preds(t["hl7v3-route"]) == {"design"} and "hl7v3-route" in preds(t["conf"])
    assert preds(t["hl7v3-cap"]) == {"conf"} and "hl7v3-cap" in preds(t["scal"])
    (risk,) = p.risks
    assert risk.id == "hl7v3-surprise" and set(risk.tasks) == {"hl7v3-route", "hl7v3-cap"}
    assert 0 < risk.probability < 1 and risk.impact.min > 0
    assert schedule(p).finish_offset == 60  # zero planned length: only the risk moves the finish


def test_ptl_formality():
    _, p, t = run("ptl-formality")
    assert "dep-val" not in t and preds(t["conf"]) == {"build"}
    (risk,) = p.risks
    assert risk.id == "go-live-defect" and risk.tasks == ("smoke",)
    # conf 30-35, but pen (30-40) still drives scal at 40: no deterministic change.
    assert schedule(p).finish_offset == 60


def test_eps_intake_queue_adds_the_wait():
    _, p, t = run("eps-intake-queue")
    intake = t["eps-intake"]
    assert intake.kind == "eps-intake" and "eps-intake" in preds(t["build"])
    assert intake.duration.min >= 60 and intake.basis.startswith("estimate")
    # build now waits for the intake slot (0 to likely) instead of design (10).
    assert schedule(p).finish_offset == 60 + intake.duration.planned - 10


def test_eps_intake_follows_the_eps_use_case_approval():
    approvals = [
        {"id": "uca-pds", "duration": 15, "kind": "use-case-approval", "service": "pds", "track": "governance"},
        {"id": "uca-eps", "duration": 10, "kind": "use-case-approval", "service": "eps", "track": "governance"},
    ]
    _, p, t = run("eps-intake-queue", {**PLAN, "tasks": [*PLAN["tasks"], *approvals]})
    intake = t["eps-intake"]
    # The slot is asked for once EPS's own use case is approved (not PDS's).
    assert [d.task for d in intake.depends_on] == ["uca-eps"]
    assert [d.task for d in t["build"].depends_on] == ["design", "asid-int-org1", "eps-intake"]
    # uca-eps 0-10, the intake wait 10 to 10 + L, then build as before but L days later
    # (it started at 10): hypercare's finish moves from 60 to 60 + L.
    assert schedule(p).finish_offset == 60 + intake.duration.planned


def test_extra_organisation():
    _, p, t = run("extra-organisation")
    assert {"asid-int-org2", "dcb0160-org2", "go-live-org2"} <= set(t)
    assert preds(t["asid-int-org2"]) == {"ods"} and preds(t["go-live-org2"]) == {"smoke"}
    assert preds(t["hypercare"]) == {"go-live-org1", "go-live-org2"}
    assert "asid-int-org2" not in preds(t["build"])  # the build waits for the first organisation only


@pytest.mark.parametrize(
    ("preset", "needs"),
    [
        ("late-requests", "design"),
        ("deferred-assurance", "build-track tasks"),
        ("hl7v3-surprise", "conformance"),
        ("extra-organisation", "per-organisation tasks"),
    ],
)
def test_preset_that_cannot_be_applied_says_why_and_spares_the_other_scenarios(preset, needs):
    bare = {**PLAN, "tasks": [{"id": "x", "duration": 1}]}
    # Called directly, the preset refuses the plan and says what it needs.
    with pytest.raises(ProgrammeError, match=f"preset '{preset}'.*{needs}"):
        PRESETS[preset](parse_programme(bare))
    # In a scenario file it leaves its scenario as the plan, with that reason as the note, and the
    # other scenario still changes what it names.
    scenarios = [{"id": "s", "preset": preset}, {"id": "t", "changes": [{"task": "x", "duration": 4}]}]
    programme = parse_programme({**bare, "scenarios": scenarios})
    s, t = programme.scenarios
    assert s.note is not None and f"preset '{preset}'" in s.note and "not applied" in s.note
    assert apply_scenario(programme, s).tasks == programme.tasks
    assert apply_scenario(programme, t).task("x").duration.likely == 4


@pytest.mark.parametrize(
    ("preset", "reason"),
    [
        ("ptl-formality", "no validation in DEP"),
        ("eps-intake-queue", "no EPS build work"),
    ],
)
def test_preset_with_nothing_to_change_is_the_plan_with_a_note(preset, reason):
    bare = {**PLAN, "tasks": [{"id": "x", "duration": 1}], "scenarios": [{"id": "s", "preset": preset}]}
    programme = parse_programme(bare)
    (scenario,) = programme.scenarios
    assert scenario.note is not None and scenario.note.startswith(f"preset {preset}: ") and reason in scenario.note
    assert apply_scenario(programme, scenario).tasks == programme.tasks
