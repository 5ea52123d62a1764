"""The plan health check: each anti-pattern flagged on a plan built to have it, sound plans pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import yaml
from _helpers import UNKNOWN_DEPENDENCY, T, run, sound_tasks, write_file
from _helpers import plan as parsed_plan

from spinekit import (
    Dependency,
    Duration,
    Finding,
    HealthCheck,
    Programme,
    Task,
    WorkingCalendar,
    check_plan,
    data_dir,
    load_catalogue,
    parse_programme,
    read_programme,
    schedule,
    starter_programme,
)
from spinekit.analysis.check import _rules
from spinekit.model.errors import CatalogueError
from spinekit.model.files import load_yaml

START = dt.date(2027, 1, 4)  # a Monday; the calendar below has no holidays
CATALOGUE_CHECKED = dt.date(2026, 12, 3)  # a week after the catalogue's sources were last checked


def plan(tasks: dict[str, Task] | list[Task]) -> Programme:
    values = tasks.values() if isinstance(tasks, dict) else tasks
    return Programme("Test plan", WorkingCalendar(START, "none"), tuple(values))


def changed(**edits) -> Programme:
    """The sound plan with tasks replaced (a Task), edited (a dict of fields) or removed (None)."""
    tasks = sound_tasks()
    for tid, edit in edits.items():
        tid = tid.replace("_", "-")
        if edit is None:
            del tasks[tid]
        elif isinstance(edit, Task):
            tasks[tid] = edit
        else:
            tasks[tid] = dataclasses.replace(tasks[tid], **edit)
    return plan(tasks)


def only(result: HealthCheck, rule: str) -> Finding:
    (finding,) = [f for f in result.findings if f.rule == rule]
    return finding


def rules(result: HealthCheck, severity: str | None = None) -> set[str]:
    return {f.rule for f in result.findings if severity in (None, f.severity)}


def deps(*ids, **links) -> tuple[Dependency, ...]:
    return tuple(Dependency(i) for i in ids) + tuple(Dependency(k, *v) for k, v in links.items())


# --- sound plans ---------------------------------------------------------------------------------


def test_sound_plan_has_no_errors_or_warnings():
    result = check_plan(plan(sound_tasks()))
    assert result.ok and rules(result, "error") == set() and rules(result, "warning") == set()
    assert only(result, "open-start").tasks == ("ods", "cso", "design")


def test_bundled_example_passes(example):
    # Checked just after the catalogue review: the sources it rests on are current then, but for
    # the EPS specification (S8), which states only 2023, behind the EPS intake and build.
    result = check_plan(example, today=CATALOGUE_CHECKED)
    assert result.ok and result.errors == ()
    assert rules(result) == {"open-start", "source-age"}
    old = only(result, "source-age")
    assert old.tasks == ("eps-intake", "build-eps") and "Re-verify S8 " in old.fix


def test_hand_written_example_passes_with_kinds_inferred_from_names():
    result = check_plan(read_programme(data_dir() / "examples" / "pds-eps-cis2-tasks.yaml"), today=CATALOGUE_CHECKED)
    assert result.ok and rules(result, "warning") == set()
    inferred = only(result, "kinds-inferred")
    assert inferred.severity == "info"
    assert (
        "cso-dcb0129 as cso-dcb0129" in inferred.message
        and "observability as reconciliation-observability" in inferred.message
    )
    assert "cis2-saq as use-case-approval" in inferred.message and "build-eps as build" in inferred.message


def test_hl7v3_starter_has_no_errors():
    text = starter_programme(["pds:hl7v3", "eps"])
    result = check_plan(parse_programme(load_yaml(text, source="new"), source="new"))
    assert result.ok
    assert "hl7v3-route-missing" not in rules(result) and "hl7v3-in-scope" in rules(result, "info")


def test_schedule_may_be_passed_in():
    p = plan(sound_tasks())
    assert check_plan(p, schedule(p)) == check_plan(p)


# --- property 1: services ------------------------------------------------------------------------


def test_no_service_named_is_an_error():
    result = check_plan(changed(build={"service": None}))
    assert only(result, "services-unnamed").severity == "error"
    assert "build-without-service" not in rules(result)


def test_service_named_only_in_a_task_name_counts():
    result = check_plan(changed(build={"service": None, "name": "Build PDS search in INT"}))
    assert not {"services-unnamed", "build-without-service"} & rules(result)


def test_connect_to_spine_task_is_an_error():
    vague = T("spine", None, deps=["design"], name="Connect to Spine")
    result = check_plan(changed(spine=vague, conf={"depends_on": deps("build", "obs", "spine")}))
    f = only(result, "services-vague")
    assert f.severity == "error" and f.tasks == ("spine",)


def test_build_without_service_is_a_warning():
    extra = T("build-2", "build", deps=["design"], environment="int")
    result = check_plan(changed(build_2=extra, conf={"depends_on": deps("build", "obs", "build-2")}))
    f = only(result, "build-without-service")
    assert f.severity == "warning" and f.tasks == ("build-2",)


# --- property 2: FHIR first, HL7 V3 slotted in ----------------------------------------------------


def test_hl7v3_build_without_hscn_is_an_error():
    mhs = T("mhs", "mhs-build", deps=["design"], environment="int")
    result = check_plan(changed(mhs=mhs, conf={"depends_on": deps("build", "obs", "mhs")}))
    f = only(result, "hl7v3-route-missing")
    assert f.severity == "error" and f.tasks == ("mhs",)
    assert "HSCN" in f.message and "MHS endpoint" in f.message


def test_hl7v3_recognised_by_name_and_service():
    named = T("adaptor", None, deps=["design"], name="Build HL7 V3 adaptor", environment="int")
    by_service = dataclasses.replace(sound_tasks()["build"], service="pds:hl7v3")
    result = check_plan(changed(adaptor=named, build=by_service, conf={"depends_on": deps("build", "obs", "adaptor")}))
    assert only(result, "hl7v3-route-missing").tasks == ("build", "adaptor")


def test_hl7v3_route_present_but_unlinked_is_a_warning():
    extra = {
        "hscn": T("hscn", "hscn", deps=["ods"]),
        "endpoint": T("endpoint", "mhs-endpoint", deps=["hscn"], environment="int"),
        "mhs": T("mhs", "mhs-build", deps=["design", "hscn"], environment="int"),
    }
    # A service's HL7 V3 build waits for HSCN but not for its endpoint: flagged.
    v3 = T("build-v3", "build", deps=["design", "hscn"], environment="int", service="pds:hl7v3")
    conf = {"depends_on": deps("build", "obs", "mhs", "build-v3", "endpoint")}
    result = check_plan(changed(**extra, **{"build-v3": v3}, conf=conf))
    assert "hl7v3-route-missing" not in rules(result)
    assert only(result, "hl7v3-route-unlinked").tasks == ("build-v3",)
    # The shared MHS needs HSCN only; each service's HL7 V3 build needs its endpoint too.
    v3 = T("build-v3", "build", deps=["design", "hscn", "endpoint"], environment="int", service="pds:hl7v3")
    result = check_plan(changed(**extra, **{"build-v3": v3}, conf=conf))
    assert not {"hl7v3-route-missing", "hl7v3-route-unlinked"} & rules(result)
    # An MHS built before HSCN is in place is flagged.
    cut = dict(extra, mhs=T("mhs", "mhs-build", deps=["design"], environment="int"))
    result = check_plan(changed(**cut, **{"build-v3": v3}, conf=conf))
    assert only(result, "hl7v3-route-unlinked").tasks == ("mhs",)


def test_smartcards_without_hscn_is_a_warning():
    cards = T("cards", "test-smartcards", deps=["ods"])
    result = check_plan(changed(cards=cards, build={"depends_on": deps("design", "asid-int", "cards")}))
    assert only(result, "smartcards-without-hscn").tasks == ("cards",)


# --- property 3: lead-time items in week one, before build -----------------------------------------


def test_asid_after_build_is_an_error():
    result = check_plan(
        changed(
            asid_int={"depends_on": deps("build")},
            build={"depends_on": deps("design")},
            conf={"depends_on": deps("build", "obs", "asid-int")},
        )
    )
    f = only(result, "lead-time-after-build")
    assert f.severity == "error" and f.tasks == ("asid-int",) and "asid-int waits for design, build" in f.message


def test_production_items_may_follow_build():
    cert = T("cert-prod", "spine-certificates", deps=["scal"], environment="production")
    result = check_plan(changed(cert_prod=cert, smoke={"depends_on": deps("scal", "cert-prod")}))
    assert "lead-time-after-build" not in rules(result)


def test_lead_time_held_back_by_not_before_is_a_warning():
    result = check_plan(changed(ods={"not_before": dt.date(2027, 1, 11)}))  # working day 5
    f = only(result, "lead-time-not-week-one")
    assert f.severity == "warning" and f.tasks == ("ods",)
    result = check_plan(changed(ods={"not_before": dt.date(2027, 1, 8)}))  # working day 4
    assert "lead-time-not-week-one" not in rules(result)


# --- property 4: clinical safety and DSPT from day one ----------------------------------------------


def test_cso_starting_after_design_is_an_error():
    result = check_plan(changed(cso={"depends_on": deps("design")}))
    f = only(result, "cso-after-design")
    assert f.severity == "error" and f.tasks == ("cso", "design")
    assert "2027-01-18" in f.message  # day 10, when design finishes


def test_clinical_safety_after_build_is_an_error():
    result = check_plan(changed(dcb0160={"depends_on": deps("cso", "build")}))
    f = only(result, "clinical-safety-after-build")
    assert f.severity == "error" and f.tasks == ("dcb0160",)


def test_missing_clinical_safety_and_dspt():
    result = check_plan(
        changed(
            cso=None, dspt=None, dcb0160=None, scal={"depends_on": deps("conf")}, live={"depends_on": deps("smoke")}
        )
    )
    assert {"clinical-safety-missing", "dspt-missing"} <= rules(result, "error")
    assert "dcb0160-missing" in rules(result, "warning")


def test_dspt_after_build_is_an_error():
    result = check_plan(changed(dspt={"depends_on": deps("ods", "build")}))
    assert only(result, "dspt-after-build").tasks == ("dspt",)


# --- property 5: build against INT, validate on the path to live ---------------------------------------


def test_build_not_against_int_is_an_error():
    result = check_plan(changed(build={"environment": None}))
    assert only(result, "int-build-missing").tasks == ("build",)
    result = check_plan(changed(build={"environment": None, "name": "Build PDS search against INT"}))
    assert "int-build-missing" not in rules(result)


def test_no_conformance_is_an_error():
    result = check_plan(changed(conf=None, scal={"depends_on": deps("build", "obs", "dspt", "cso")}))
    f = only(result, "validation-missing")
    assert f.severity == "error" and f.tasks == ()


def test_zero_length_conformance_is_an_error():
    result = check_plan(changed(conf={"duration": Duration.fixed(0)}))
    assert only(result, "validation-missing").tasks == ("conf",)


def test_no_go_live_is_a_warning():
    result = check_plan(changed(smoke=None, live=None))
    assert "go-live-missing" in rules(result, "warning")


# --- property 6: reconciliation and observability before production ------------------------------------


def test_no_reconciliation_is_an_error():
    result = check_plan(changed(obs=None, conf={"depends_on": deps("build")}))
    assert only(result, "observability-missing").severity == "error"


def test_observability_after_smoke_test_is_an_error():
    result = check_plan(
        changed(conf={"depends_on": deps("build")}, live={"depends_on": deps("smoke", "dcb0160", "obs")})
    )
    f = only(result, "observability-after-go-live")
    assert f.severity == "error" and f.tasks == ("obs", "smoke")


# --- schedule quality (DCMA 14-point) -------------------------------------------------------------------


def test_negative_float_from_a_deadline():
    result = check_plan(changed(conf={"deadline": dt.date(2027, 2, 15)}))
    f = only(result, "negative-float")
    assert f.severity == "error" and {"conf", "build", "ods"} <= set(f.tasks) and "cso" not in f.tasks
    assert only(result, "hard-deadline").severity == "warning"
    assert "conf must finish by 2027-02-15" in only(result, "hard-deadline").message


def test_negative_float_says_how_many_days_to_recover():
    # Likely durations: ods 0-10, asid-int 10-20, design 0-10, build 20-40 (after asid-int),
    # obs SS+2 22-32, conf 40-50. conf must finish by Monday 15 February 2027, working day 30
    # (no holidays), so its latest finish is 31 and its float 31 - 50 = -19.
    f = only(check_plan(changed(conf={"deadline": dt.date(2027, 2, 15)})), "negative-float")
    assert f.tasks == ("ods", "asid-int", "design", "build", "obs", "conf")
    assert "(down to -19 working days)" in f.message
    assert f.fix.startswith("Recover 19 working days on this chain")
    # A deadline one week later leaves 14 to recover.
    f = only(check_plan(changed(conf={"deadline": dt.date(2027, 2, 22)})), "negative-float")
    assert f.fix.startswith("Recover 14 working days on this chain")


def test_long_fixed_task_is_a_warning():
    result = check_plan(changed(build={"duration": Duration.fixed(20)}))
    f = only(result, "no-three-point")
    assert f.severity == "warning" and f.tasks == ("build",)
    assert "no-three-point" not in rules(check_plan(changed(build={"duration": Duration.fixed(10)})))


def test_lead_is_a_warning():
    result = check_plan(changed(conf={"depends_on": (Dependency("build", "FS", -2), Dependency("obs"))}))
    f = only(result, "lead")
    assert f.severity == "warning" and f.tasks == ("build", "conf") and "lag -2" in f.message


def test_long_lag_is_a_warning():
    result = check_plan(changed(scal={"depends_on": deps("dspt", "cso", conf=("FS", 15))}))
    f = only(result, "long-lag")
    assert f.severity == "warning" and f.tasks == ("conf", "scal")
    assert "long-lag" not in rules(check_plan(changed(scal={"depends_on": deps("dspt", "cso", conf=("FS", 10))})))


def test_dangling_task_is_a_warning():
    result = check_plan(changed(spec=T("spec", "design", deps=["design"])))
    f = only(result, "open-end")
    assert f.severity == "warning" and f.tasks == ("spec",)


def test_not_before_is_a_note():
    result = check_plan(changed(design={"not_before": dt.date(2027, 1, 6)}))
    assert only(result, "not-before").severity == "info"


# --- start this week --------------------------------------------------------------------------------


def test_a_lead_time_item_held_to_a_later_week_cannot_start_now():
    # mesh has no predecessor but may not start before Wednesday 13 January 2027, working day 7:
    # after week one (days 0-4), so it is not "can start now"; ods (no date) is.
    p = plan(
        [
            T("mesh", "mesh-mailbox", (2, 3, 5), environment="int", not_before=dt.date(2027, 1, 13)),
            T("ods", "ods-code", (3, 5, 8)),
            T("build", "build", (10, 15, 20), ["mesh", "ods"], environment="int", service="pds"),
            T("live", "go-live", 0, ["build"]),
        ]
    )
    got = [(s.id, s.es, s.ls, s.can_start_now, str(s.start)) for s in check_plan(p).start_this_week]
    assert got == [("ods", 0, 5, True, "2027-01-04"), ("mesh", 7, 7, False, "2027-01-13")]


def test_start_this_week_ordered_by_latest_start():
    # Hand-computed: finish 35. design 0-10 and build 10-25 are critical; cso (20 days) has
    # LF 25, LS 5; ods -> dev -> app feed build with 2 days' float; mesh (not before day 2,
    # 3 days) feeds build with LS 7; the production certificate is left out.
    p = plan(
        [
            T("ods", "ods-code", (3, 5, 8), owner="NHS England"),
            T("dev", "developer-account", (1, 2, 3), ["ods"], owner="supplier"),
            T("app", "api-application", 1, ["dev"], environment="int", owner="supplier"),
            T("mesh", "mesh-mailbox", (2, 3, 5), environment="int", not_before=dt.date(2027, 1, 6)),
            T("cso", "cso-dcb0129", (10, 20, 30), owner="supplier"),
            T("design", "design", (5, 10, 15)),
            T("build", "build", (10, 15, 20), ["design", "app", "mesh"], environment="int", service="pds"),
            T("scal", "scal", (3, 5, 8), ["build", "cso"]),
            T("cert-prod", "spine-certificates", (3, 5, 8), ["scal"], environment="production"),
            T("live", "go-live", 0, ["cert-prod"]),
        ]
    )
    got = [
        (s.id, s.es, s.ls, s.total_float, s.can_start_now, str(s.start), str(s.latest_start), s.owner)
        for s in check_plan(p).start_this_week
    ]
    assert got == [
        ("ods", 0, 2, 2, True, "2027-01-04", "2027-01-06", "NHS England"),
        ("cso", 0, 5, 5, True, "2027-01-04", "2027-01-11", "supplier"),
        ("mesh", 2, 7, 5, True, "2027-01-06", "2027-01-13", None),
        ("dev", 5, 7, 2, False, "2027-01-11", "2027-01-13", "supplier"),
        ("app", 7, 9, 2, False, "2027-01-13", "2027-01-15", "supplier"),
    ]


def test_bundled_example_start_list_starts_with_the_critical_requests(example):
    items = check_plan(example).start_this_week
    assert [s.id for s in items[:4]] == ["ods-code", "developer-account", "use-case-approval-eps", "eps-intake"]
    assert all(s.total_float == 0 for s in items[:4])
    assert [s.ls for s in items] == sorted(s.ls for s in items)
    assert {s.id for s in items if s.can_start_now} == {"ods-code", "cso-dcb0129"}


# --- outputs -------------------------------------------------------------------------------------------


def test_findings_sorted_errors_first_and_text_names_rules():
    result = check_plan(changed(obs=None, conf={"depends_on": deps("build")}, build={"duration": Duration.fixed(20)}))
    severities = [f.severity for f in result.findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    text = result.to_text()
    assert text.startswith("Plan health check: Test plan\n1 error, 1 warning, 1 note; the plan fails")
    assert "[observability-missing]" in text and "Fix: " in text and "Start this week" in text


def test_to_dict_is_json_ready():
    doc = json.loads(json.dumps(check_plan(plan(sound_tasks())).to_dict()))
    assert list(doc) == ["programme", "ok", "counts", "findings", "start_this_week"]
    assert doc["ok"] is True and doc["counts"] == {"error": 0, "warning": 0, "info": 1}
    assert set(doc["findings"][0]) == {"rule", "severity", "title", "message", "tasks", "fix"}
    assert doc["start_this_week"][0] == {
        "id": "ods",
        "name": "ods",
        "kind": "ods-code",
        "owner": None,
        "es": 0,
        "ls": 0,
        "start": "2027-01-04",
        "latest_start": "2027-01-04",
        "total_float": 0,
        "can_start_now": True,
    }


# --- the rules file --------------------------------------------------------------------------------------


def test_rules_file_kinds_are_catalogue_items_and_each_says_why():
    raw = yaml.safe_load((data_dir() / "catalogue" / "health-check.yaml").read_text(encoding="utf-8"))
    known = set(load_catalogue().item_ids) | {"hl7v3-route"}  # the hl7v3-surprise preset's block
    for name, group in raw["groups"].items():
        assert group["why"].strip(), name
        assert set(group.get("kinds", ())) <= known, name
    assert {p["kind"] for p in raw["name_patterns"]["patterns"]} <= known
    assert all(t["why"].strip() for t in raw["thresholds"].values())


def test_bad_pattern_in_rules_file_is_a_clear_error(tmp_path, monkeypatch):
    folder = tmp_path / "catalogue"
    folder.mkdir()
    text = (data_dir() / "catalogue" / "health-check.yaml").read_text(encoding="utf-8")
    (folder / "health-check.yaml").write_text(text.replace("'\\bDNS\\b'", "'(DNS'"), encoding="utf-8")
    monkeypatch.setattr("spinekit.model.files.data_dir", lambda: tmp_path)
    with pytest.raises(CatalogueError, match=r"health-check.yaml: entry 'name_patterns': field 'patterns\[\d+\]'"):
        _rules.__wrapped__()


# --- command line --------------------------------------------------------------------------------------


BAD_PLAN = """name: Late requests
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: design, name: Design, duration: {min: 5, likely: 10, max: 15}, kind: design}
  - {id: asid, name: ASID for INT, duration: {min: 5, likely: 10, max: 15}, kind: asid,
     environment: int, depends_on: [design]}
  - {id: build, name: Build PDS, duration: 20, kind: build, service: pds, environment: int,
     depends_on: [asid]}
"""


def test_cli_bundled_example_exits_0(capsys):
    code, out, err = run(capsys, "check")
    assert code == 0 and err == ""
    assert "0 errors" in out and "Start this week" in out


def test_cli_errors_exit_1_after_printing(capsys, tmp_path):
    f = write_file(tmp_path, BAD_PLAN)
    code, out, err = run(capsys, "check", f, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and err == "" and doc["ok"] is False and doc["programme"] == "Late requests"
    assert {"lead-time-after-build", "clinical-safety-missing", "no-three-point"} <= {
        x["rule"] for x in doc["findings"]
    }
    target = tmp_path / "check.txt"
    code, out, _ = run(capsys, "check", f, "--out", target)
    assert code == 1 and out == "" and "[lead-time-after-build]" in target.read_text()


def test_cli_scenario_exits_1(capsys):
    code, out, _ = run(capsys, "check", "--scenario", "deferred-assurance")
    assert code == 1 and "[clinical-safety-after-build]" in out


def test_cli_invalid_input_exits_2(capsys, tmp_path):
    f = write_file(tmp_path, UNKNOWN_DEPENDENCY, "bad.yaml")
    code, out, err = run(capsys, "check", f)
    assert code == 2 and out == "" and "unknown task 'zz'" in err
    code, out, err = run(capsys, "check", tmp_path / "missing.yaml")
    assert code == 2 and "no such file" in err


def _target_plan(target):
    return parsed_plan([{"id": "a", "duration": 10}], target=target)


def test_target_rules():
    # a runs 4-15 January 2027 (ten working days).
    rules = {f.rule: f for f in check_plan(_target_plan("2027-01-13")).findings}
    assert rules["target-missed"].severity == "warning" and "2 working days after" in rules["target-missed"].message
    assert "target-missed" not in {f.rule for f in check_plan(_target_plan("2027-01-15")).findings}
    before = check_plan(_target_plan("2026-12-17"))
    assert "target-before-start" in {f.rule for f in before.errors}


def test_start_now_lines_do_not_repeat_an_owner_the_name_already_gives():
    from spinekit.analysis.summary import start_now_lines

    named = "DSPT published at Standards Met (supplier)"
    result = check_plan(changed(dspt={"name": named, "owner": "supplier"}, ods={"owner": "NHS England"}))
    lines = start_now_lines(result)
    # Hand-worked (likely durations): ods 0-10 feeds dspt 10-20, which has float until scal.
    dspt = next(s for s in result.start_this_week if s.id == "dspt")
    assert f"{named}: start by {dspt.latest_start}, {dspt.total_float} working days of float" in lines
    assert "ods (NHS England): start now, 0 working days of float" in lines
