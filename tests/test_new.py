"""`spinekit new`: a commented starter programme that parses, schedules and never varies."""

from __future__ import annotations

import re

import pytest
from _helpers import run

from spinekit import read_programme, schedule, starter_programme
from spinekit.cli import main


def test_starter_parses_and_schedules(tmp_path, capsys):
    code, out, err = run(capsys, "new", "--services", "pds,eps,cis2")
    assert code == 0 and err == ""
    f = tmp_path / "plan.yaml"
    f.write_text(out, encoding="utf-8")
    p = read_programme(f)
    assert p.name == "PDS, EPS and CIS2 integration"
    assert {"build-pds", "build-eps", "build-cis2", "eps-intake", "go-live-org1"} <= {t.id for t in p.tasks}
    assert schedule(p).finish_offset > 0


def test_starter_is_commented_for_a_planner(capsys):
    _, out, _ = run(capsys, "new", "--services", "pds,eps,cis2")
    assert out.splitlines()[0].startswith("# yaml-language-server: $schema=file://")
    assert out.splitlines()[1].startswith("# Starter programme for PDS, EPS and CIS2")
    assert "Only on another interface: create-patient (hl7v3), birth-registration (hl7v3)." in out
    assert "# overrides:" in out and "#   build-pds: {min: 15, likely: 25, max: 40}" in out
    assert re.search(r"^scope:\n  services:\n", out, re.M)
    assert max(len(line) for line in out.splitlines()) <= 100


def test_starter_is_byte_reproducible(tmp_path, capsys):
    args = ("--services", "pds,ers:hl7v3,cis2", "--environments", "int,dep,production", "--organisations", "2")
    _, first, _ = run(capsys, "new", *args)
    _, second, _ = run(capsys, "new", *args)
    assert first == second
    out = tmp_path / "new.yaml"
    code, printed, _ = run(capsys, "new", *args, "--out", str(out))
    assert code == 0 and printed == ""
    assert out.read_bytes() == first.encode("utf-8")
    assert (
        starter_programme(["pds", "ers:hl7v3", "cis2"], environments=["int", "dep", "production"], organisations=2)
        == first
    )


def test_options_reach_the_scope(tmp_path, capsys):
    _, out, _ = run(
        capsys, "new", "--services", "pds,ers:hl7v3", "--environments", "production,dep,int", "--organisations", "3"
    )
    assert "  environments: [int, dep, production]" in out
    assert '    - "ers:hl7v3"' in out
    f = tmp_path / "plan.yaml"
    f.write_text(out, encoding="utf-8")
    ids = {t.id for t in read_programme(f).tasks}
    assert {
        "go-live-org3",
        "asid-ers-production-org3",
        "asid-ers-dep",
        "cap-assurance-ers",
        "dep-validation",
    } <= ids


def test_commented_examples_work_when_uncommented(tmp_path, capsys):
    _, out, _ = run(capsys, "new", "--services", "eps,cis2")
    lines = out.splitlines()
    start = lines.index("# overrides:")
    examples = ("# overrides:", "# tasks:", "#   ")
    uncommented = [line[2:] if i >= start and line.startswith(examples) else line for i, line in enumerate(lines)]
    f = tmp_path / "plan.yaml"
    f.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    p = read_programme(f)
    assert p.task("build-eps").duration.likely == 25
    assert p.task("cso-dcb0129").duration.likely == 30
    # The example waits for the first API's production smoke test (EPS's is the organisation's,
    # as it uses the organisation's live MESH mailbox).
    assert p.task("staff-training").depends_on[0].task == "smoke-test-eps-org1"
    schedule(p)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--services", "pds,epss"], "unknown service 'epss'; did you mean 'eps'?"),
        (["--services", "pds", "--environments", "int,prod"], "did you mean 'production'?"),
        (["--services", "pds", "--environments", "int"], "production missing"),
        (["--services", "pds:fihr"], "did you mean 'fhir'?"),
    ],
)
def test_bad_scope_exits_2_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "new.yaml"
    code, printed, err = run(capsys, "new", *argv, "--out", str(out))
    assert code == 2 and printed == ""
    assert err.startswith("spinekit: error: ") and err.count("\n") == 1 and message in err
    assert not out.exists()


def test_bad_organisation_count_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["new", "--services", "pds", "--organisations", "0"])
    assert info.value.code == 2
    assert "1 or more" in capsys.readouterr().err


def test_starter_cost_block_uncommented_prices_the_plan():
    from spinekit import deterministic_cost, parse_programme
    from spinekit.model.files import load_yaml

    text = starter_programme(["pds", "eps"])
    head, tail = text.split("# tasks:\n", 1)
    head = head.replace("  # indicative_costs: true", "  indicative_costs: true")
    body = "\n".join(line[2:] if re.match(r"# ( |- |[a-z_]+:( |$))", line) else line for line in tail.splitlines())
    body = "\n".join(line for line in body.splitlines() if not line.startswith("#"))
    p = parse_programme(load_yaml(head + "tasks:\n" + body))
    sched = schedule(p)
    # A pen test per API's release (PDS, EPS and the CIS2 sign-in the healthcare workers bring),
    # each likely 12,000 (catalogue estimate); trainer half-time for 10 days at 600; team for
    # every day.
    cost = deterministic_cost(sched)
    assert cost.by_task["pen-test-pds"] == cost.by_task["pen-test-eps"] == cost.by_task["pen-test-cis2"] == 12000
    assert cost.total == 3 * 12000 + 0.5 * 600 * 10 + 2500 * sched.finish_offset
    assert p.budget == 500000


def test_flags_reach_the_file(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    code, _, err = run(
        capsys,
        "new",
        "--services",
        "pds,eps",
        "--environments",
        "int,path-to-live,production",
        "--access",
        "application-restricted",
        "--smartcards",
        "--hl7v3-fallback",
        "pds",
        "--start",
        "2027-03-01",
        "--target",
        "2028-01-31",
        "--name",
        "Pilot: PDS & EPS",
        "--out",
        str(f),
    )
    assert code == 0 and err == ""
    p = read_programme(f)
    assert p.name == "Pilot: PDS & EPS"
    assert str(p.start) == "2027-03-01" and str(p.target) == "2028-01-31"
    tasks = {t.id: t for t in p.tasks}
    # path-to-live is DEP; smartcards bring HSCN and test smartcards; the PDS fallback is built
    # on its own; PDS is application-restricted while EPS prescribing still signs in with CIS2.
    assert {"dep-validation", "hscn", "test-smartcards", "build-pds-hl7v3", "cap-assurance-pds"} <= set(tasks)
    assert "build-eps-hl7v3" not in tasks
    assert "cis2-client-int" in {d.task for d in tasks["build-eps"].depends_on}
    assert "cis2-client-int" not in {d.task for d in tasks["build-pds"].depends_on}
    assert "test-smartcards" in {d.task for d in tasks["build-pds"].depends_on}


def test_hl7v3_fallback_flag_alone_means_every_service(tmp_path, capsys):
    _, out, _ = run(capsys, "new", "--services", "pds,ers,mesh", "--hl7v3-fallback")
    assert re.search(r"^  hl7v3_fallback: true ", out, re.M)
    f = tmp_path / "plan.yaml"
    f.write_text(out, encoding="utf-8")
    ids = {t.id for t in read_programme(f).tasks}
    assert {"build-pds-hl7v3", "build-ers-hl7v3"} <= ids


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--start", "2027-13-01"), "the start date must be YYYY-MM-DD"),
        (("--target", "soon"), "the target date must be YYYY-MM-DD"),
        (("--access", "user-restricetd"), "did you mean 'user-restricted'?"),
        (("--hl7v3-fallback", "nrl"), "unknown service in scope 'nrl'"),
    ],
)
def test_bad_flags_exit_2_and_write_nothing(tmp_path, capsys, argv, message):
    f = tmp_path / "plan.yaml"
    code, out, err = run(capsys, "new", "--services", "pds", *argv, "--out", str(f))
    assert code == 2 and out == "" and message in err and err.count("\n") == 1
    assert not f.exists()


def test_deployment_flag(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    args = ("--services", "mesh", "--environments", "int,ptl,production", "--organisations", "2")
    code, _, _ = run(capsys, "new", *args, "--deployment", "per-trust-install", "--out", str(f))
    assert code == 0
    ids = {t.id for t in read_programme(f).tasks}
    assert {
        "dep-validation-org1",
        "dep-validation-org2",
        "smoke-test-mesh-org2",
        "mesh-mailbox-mesh-dep-org2",
    } <= ids
    code, _, err = run(capsys, "new", *args, "--deployment", "per-trust")
    assert code == 2 and "did you mean 'per-trust-install'?" in err


def test_have_leaves_held_items_as_day_one_milestones_that_dependents_still_link_to(tmp_path, capsys):
    from spinekit import load_catalogue

    likely = {i.id: i.lead_time.likely for i in load_catalogue().items}

    def plan(*have):
        f = tmp_path / f"plan-{len(have)}.yaml"
        argv = ["new", "--services", "pds:hl7v3", "--out", f]
        code, _, err = run(capsys, *argv, *(["--have", ",".join(have)] if have else []))
        assert code == 0 and err == ""
        p = read_programme(f)
        return {t.id: t for t in p.tasks}, schedule(p).table.set_index("id")

    tasks, t = plan("ods-code", "dspt", "hscn")
    dependents = {
        "ods-code": ["developer-account", "service-desk-registration", "mpv-registration"],
        "hscn": ["nhs-dns-name-int", "nhs-dns-name-production", "test-smartcards"],
        # HL7 V3 goes through CAP alone (Stage 1 needs DSPT); the CIS2 sign-in that
        # user-restricted access brings has its own SCAL, which needs DSPT too.
        "dspt": ["cap-stage1-pds", "scal-cis2"],
    }
    for held, waiting in dependents.items():
        assert tasks[held].depends_on == () and t.at[held, "duration"] == 0, held
        for d in waiting:
            assert held in {x.task for x in tasks[d].depends_on}, (held, d)
    # The held items take no time, so what waits only for them starts on day one.
    for d in dependents["ods-code"] + dependents["hscn"]:
        assert t.at[d, "es"] == 0, d
    # Without them, the same tasks wait for the ODS code, then for HSCN behind it.
    tasks, t = plan()
    assert t.at["developer-account", "es"] == likely["ods-code"]
    assert t.at["nhs-dns-name-int", "es"] == likely["ods-code"] + likely["hscn"]
