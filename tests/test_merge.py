"""`spinekit new --merge`: a supplier's plan with the Spine items of a scope linked into it.

The expected links are read off data/catalogue/items.yaml by hand. For PDS and EPS (user-
restricted, so CIS2 comes in), one organisation, INT and production:

- ``build`` waits for design, use-case approval, the API application, CIS2 client, test data and
  MESH mailbox (INT) of its service, and EPS's build for the EPS intake slot; CIS2's build for its
  use-case approval and the CIS2 client. The plan's build task stands in for all three builds.
- ``go-live`` waits for the smoke test, the organisation's production MESH mailbox (a live
  identity), DCB0160, DPIA, data processing agreement, DSPT, acceptable use and end-user accounts;
  each API's smoke test waits for that API's own Connection Agreement and production API
  application and CIS2 configuration.
- each API's conformance and pen test wait for that API's build (the plan's build task), the pen
  test also for that API's reconciliation, which starts 5 days after the build starts (SS 5).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from _helpers import run, write_file

from spinekit.model.files import load_yaml

PLAN = """name: Supplier plan
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: design, name: Solution design, duration: 10, owner: supplier}
  - {id: dev, name: Development, duration: {min: 20, likely: 30, max: 50}, depends_on: [design]}
  - {id: uat, name: User acceptance testing, duration: 10, depends_on: [{task: dev, type: SS, lag: 20}]}
  - {id: live, name: Launch, duration: 0, depends_on: [uat]}
"""

BUILD_GATES = [  # generated tasks the plan's build waits for, in catalogue order
    "design-spine",
    "use-case-approval-pds",
    "api-application-pds-int",
    "cis2-client-int",
    "test-data-pds-int",
    "use-case-approval-eps",
    "api-application-eps-int",
    "test-data-eps-int",
    "mesh-mailbox-eps-int",
    "eps-intake",
    "use-case-approval-cis2",
]
GO_LIVE_GATES = [  # each API has its own production smoke test
    "smoke-test-pds",
    "smoke-test-eps-org1",  # EPS's uses the organisation's live MESH mailbox
    "smoke-test-cis2",
    "mesh-mailbox-eps-production-org1",
    "dcb0160-org1",
    "dpia-org1",
    "data-processing-agreement-org1",
    "dspt-organisation-org1",
    "euo-acceptable-use-org1",
    "end-user-accounts-org1",
]


def _links(task):
    return [
        (d, "FS", 0) if isinstance(d, str) else (d["task"], d.get("type", "FS"), d.get("lag", 0))
        for d in task.get("depends_on", [])
    ]


def _merge(capsys, tmp_path, plan, *flags, services="pds,eps"):
    out = tmp_path / "merged.yaml"
    code, _, err = run(capsys, "new", "--services", services, "--merge", plan, "--out", out, *flags)
    assert code == 0, err
    text = out.read_text()
    return {t["id"]: t for t in load_yaml(text)["tasks"]}, text, err


def test_merge_links_the_scope_into_the_plans_build_and_go_live(capsys, tmp_path):
    plan = write_file(tmp_path, PLAN)
    tasks, text, err = _merge(capsys, tmp_path, plan, "--build-task", "dev", "--go-live-task", "live")
    # The plan's own tasks keep their names, durations and links; build and go-live gain predecessors.
    assert tasks["design"] == {"id": "design", "name": "Solution design", "duration": 10, "owner": "supplier"}
    assert tasks["uat"] == {
        "id": "uat", "name": "User acceptance testing", "duration": 10,
        "depends_on": [{"task": "dev", "type": "SS", "lag": 20}],
    }  # fmt: skip
    assert tasks["dev"]["duration"] == {"min": 20, "likely": 30, "max": 50}
    assert _links(tasks["dev"]) == [("design", "FS", 0)] + [(g, "FS", 0) for g in BUILD_GATES]
    assert _links(tasks["live"]) == [("uat", "FS", 0)] + [(g, "FS", 0) for g in GO_LIVE_GATES]
    assert (tasks["dev"]["kind"], tasks["dev"]["environment"]) == ("build", "int")
    assert (tasks["live"]["kind"], tasks["live"]["environment"]) == ("go-live", "production")
    # The scope's own build and go-live are gone; what waited for them waits for the plan's tasks.
    assert not {"build-pds", "build-eps", "build-cis2", "go-live-org1"} & set(tasks)
    # items.yaml smoke-test: [connection-agreement, nhs-login-onboarding (not in scope),
    # api-application, ...]: the API's own agreement, then its own live application.
    assert _links(tasks["smoke-test-pds"])[:2] == [
        ("connection-agreement-pds", "FS", 0),
        ("api-application-pds-production", "FS", 0),
    ]
    for api in ("pds", "eps", "cis2"):
        assert ("dev", "FS", 0) in _links(tasks[f"conformance-{api}"])
        # items.yaml pen-test: [build, reconciliation-observability], both per service: the
        # API's build (the plan's dev) and its own reconciliation, which starts SS 5 on the build.
        assert _links(tasks[f"pen-test-{api}"]) == [("dev", "FS", 0), (f"reconciliation-observability-{api}", "FS", 0)]
        assert _links(tasks[f"reconciliation-observability-{api}"]) == [("dev", "SS", 5)]
    # Generated tasks carry the catalogue's three-point lead time, owner and provenance.
    assert tasks["eps-intake"]["duration"] == {"min": 65, "likely": 130, "max": 260}
    assert tasks["api-application-pds-int"]["duration"] == 1  # items.yaml: 1 working day in INT, fixed
    assert tasks["eps-intake"]["owner"] == "NHS England" and tasks["eps-intake"]["basis"].startswith("estimate")
    # The plan's design task and the catalogue's share an id: the generated one is renamed.
    assert tasks["design-spine"]["kind"] == "design" and tasks["design-spine"]["name"].startswith("Workflow mapped")
    assert _links(tasks["dpia-org1"]) == [("design-spine", "SS", 5)]
    assert "generated design renamed design-spine: the plan has a task design" in err
    # Each generated task says which catalogue rule brought it in, as a plan from new does.
    assert tasks["api-application-pds-int"]["rule"] == {
        "item": "api-application", "service": "pds", "interface": "fhir",
        "repeat": ["per-environment", "per-service"], "environment": "int", "route": "scal-dos",
        "needed_by": ["pds:fhir"], "sources": ["S9", "S61", "S6", "S7"],
    }  # fmt: skip
    assert "rule" not in tasks["dev"] and "rule" not in tasks["design"]
    assert "#   - build-pds -> dev" in text and "#   - go-live-org1 -> live" in text

    code, out, _ = run(capsys, "check", tmp_path / "merged.yaml", "--format", "json")
    assert code == 0 and [f["rule"] for f in json.loads(out)["findings"] if f["severity"] == "error"] == []


def test_merged_plan_schedules_the_plans_links_with_their_durations(capsys, tmp_path):
    """The build starts the working day after its last predecessor finishes; UAT starts 20 working
    days after the build starts (SS 20); launch follows UAT's 10 days (working days by numpy)."""
    plan = write_file(tmp_path, PLAN)
    _merge(capsys, tmp_path, plan, "--build-task", "dev", "--go-live-task", "live")
    code, out, _ = run(capsys, "schedule", tmp_path / "merged.yaml", "--format", "json")
    rows = {t["id"]: t for t in json.loads(out)["tasks"]}
    day = np.datetime64
    last = max(day(rows[g]["finish"]) for g in ["design", *BUILD_GATES])
    assert day(rows["dev"]["start"]) == np.busday_offset(last, 1)
    assert day(rows["dev"]["finish"]) == np.busday_offset(rows["dev"]["start"], 29)
    assert day(rows["uat"]["start"]) == np.busday_offset(rows["dev"]["start"], 20)
    assert day(rows["uat"]["finish"]) == np.busday_offset(rows["uat"]["start"], 9)
    assert rows["design"]["start"] == "2027-01-04" and rows["design"]["finish"] == "2027-01-15"


def test_one_build_task_per_service(capsys, tmp_path):
    plan = write_file(
        tmp_path,
        """name: p
start: 2027-01-04
tasks:
  - {id: dev-pds, name: PDS work, duration: 20}
  - {id: dev-cis2, name: Sign-in work, duration: 10}
  - {id: live, name: Live, duration: 0, depends_on: [dev-pds, dev-cis2]}
""",
    )
    flags = ["--build-task", "build-pds=dev-pds", "--build-task", "build-cis2=dev-cis2", "--go-live-task", "live"]
    tasks, _, _ = _merge(capsys, tmp_path, plan, *flags, services="pds")
    assert [t for t, _, _ in _links(tasks["dev-pds"])] == [
        "design", "use-case-approval-pds", "api-application-pds-int", "cis2-client-int", "test-data-pds-int",
    ]  # fmt: skip
    assert [t for t, _, _ in _links(tasks["dev-cis2"])] == ["design", "use-case-approval-cis2", "cis2-client-int"]
    assert (tasks["dev-pds"]["service"], tasks["dev-cis2"]["service"]) == ("pds", "cis2")
    # Each API's pen test and reconciliation wait for that API's own stand-in only.
    for api in ("pds", "cis2"):
        assert _links(tasks[f"pen-test-{api}"]) == [
            (f"dev-{api}", "FS", 0), (f"reconciliation-observability-{api}", "FS", 0),
        ]  # fmt: skip
        assert _links(tasks[f"reconciliation-observability-{api}"]) == [(f"dev-{api}", "SS", 5)]


def test_tasks_named_as_the_catalogue_items_need_no_flags(capsys, tmp_path):
    plan = write_file(
        tmp_path,
        """name: p
start: 2027-01-04
tasks:
  - {id: b, name: Build and test the integration against INT, duration: 20}
  - {id: g, name: "Go-live at the deploying organisation", duration: 0, depends_on: [b]}
""",
    )
    tasks, text, _ = _merge(capsys, tmp_path, plan, services="pds")
    assert "#   - build-pds -> b" in text and "#   - go-live-org1 -> g" in text
    assert ("api-application-pds-int", "FS", 0) in _links(tasks["b"])


@pytest.mark.parametrize(
    ("body", "flags", "words"),
    [
        (  # two tasks named as the build item
            "  - {id: b1, name: Build and test the integration against INT, duration: 2}\n"
            "  - {id: b2, name: Build and test the integration against INT (phase 2), duration: 2}\n"
            "  - {id: g, name: Go live, duration: 0}\n",
            ["--go-live-task", "g"],
            ["field '--build-task'", "2 tasks are named as the catalogue's build item", "b1 (", "b2 ("],
        ),
        (  # none named as the go-live item: the likely ones are listed
            "  - {id: dev, name: Development, duration: 2}\n  - {id: launch, name: Launch day, duration: 0}\n",
            ["--build-task", "dev"],
            ["field '--go-live-task'", "likely: launch (Launch day)", "--go-live-task ID"],
        ),
        (  # a flag names no task of the plan
            "  - {id: dev, name: Development, duration: 2}\n  - {id: live, name: Live, duration: 0}\n",
            ["--build-task", "deb", "--go-live-task", "live"],
            ["field '--build-task'", "no task 'deb' in the plan", "did you mean 'dev'?"],
        ),
        (  # a generated build the scope does not have
            "  - {id: dev, name: Development, duration: 2}\n  - {id: live, name: Live, duration: 0}\n",
            ["--build-task", "build-pdx=dev", "--go-live-task", "live"],
            ["the scope has no build task 'build-pdx'", "did you mean 'build-pds'?"],
        ),
        (  # one build named, the other left without a stand-in
            "  - {id: dev, name: Development, duration: 2}\n  - {id: live, name: Live, duration: 0}\n",
            ["--build-task", "build-pds=dev", "--go-live-task", "live"],
            ["no task of the plan stands in for build-cis2", "--build-task build-cis2=ID"],
        ),
    ],
)
def test_merge_errors_exit_2_naming_the_file_flag_and_candidates(capsys, tmp_path, body, flags, words):
    plan = write_file(tmp_path, "name: p\nstart: 2027-01-04\ntasks:\n" + body)
    out = tmp_path / "merged.yaml"
    code, stdout, err = run(capsys, "new", "--services", "pds", "--merge", plan, "--out", out, *flags)
    assert code == 2 and stdout == "" and not out.exists()
    assert err.startswith(f"spinekit: error: {plan}: ") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_a_plan_with_a_scope_or_flags_without_merge_are_refused(capsys, tmp_path):
    plan = write_file(tmp_path, "name: p\nstart: 2027-01-04\nscope: {services: [pds]}\n")
    code, _, err = run(capsys, "new", "--services", "eps", "--merge", plan)
    assert code == 2 and "field 'scope': the plan already has a scope" in err
    code, _, err = run(capsys, "new", "--services", "eps", "--build-task", "dev")
    assert code == 2 and "--build-task names a task of the plan given with --merge PLAN" in err
    code, _, err = run(capsys, "new", "--services", "eps", "--merge", tmp_path / "missing.yaml")
    assert code == 2 and "missing.yaml: no such file" in err


# --- a plan written by MPXJ ----------------------------------------------------------------------


def test_a_plan_written_by_mpxj_merges_with_its_own_durations_and_links(capsys, tmp_path):
    from test_interop import _mpxj

    _mpxj()
    from java.time import LocalDateTime
    from org.mpxj import Duration, ProjectFile, Relation, RelationType, TimeUnit
    from org.mpxj.mspdi import MSPDIWriter

    pf = ProjectFile()
    pf.setDefaultCalendar(pf.addDefaultBaseCalendar())
    pf.getProjectProperties().setStartDate(LocalDateTime.of(2027, 1, 4, 8, 0))
    made = {}
    for name, days in [("Discovery", 5), ("Build", 40), ("Connection Agreement PDS", 3), ("Go live", 0)]:
        t = pf.addTask()
        t.setName(name)
        t.setDuration(Duration.getInstance(days, TimeUnit.DAYS))
        t.setMilestone(days == 0)
        made[name] = t
    made["Build"].addPredecessor(Relation.Builder().predecessorTask(made["Discovery"]).type(RelationType.FINISH_START))
    made["Go live"].addPredecessor(
        Relation.Builder()
        .predecessorTask(made["Build"])
        .type(RelationType.FINISH_START)
        .lag(Duration.getInstance(2, TimeUnit.DAYS))
    )
    source = tmp_path / "supplier.xml"
    MSPDIWriter().write(pf, str(source))

    tasks, _, err = _merge(
        capsys, tmp_path, source, "--build-task", "build", "--go-live-task", "go-live", services="pds"
    )
    own = ("discovery", "build", "connection-agreement-pds", "go-live")
    assert [tasks[t]["duration"] for t in own] == [5, 40, 3, 0]
    assert _links(tasks["build"])[0] == ("discovery", "FS", 0)
    assert _links(tasks["go-live"])[0] == ("build", "FS", 2)
    assert ("api-application-pds-int", "FS", 0) in _links(tasks["build"])
    assert ("smoke-test-pds", "FS", 0) in _links(tasks["go-live"])
    # The plan's own "Connection Agreement PDS" task keeps its id; the catalogue's PDS agreement
    # is renamed, and every generated link to it follows. CIS2's agreement keeps its id.
    assert tasks["connection-agreement-pds"] == {
        "id": "connection-agreement-pds",
        "name": "Connection Agreement PDS",
        "duration": 3,
    }
    assert tasks["connection-agreement-pds-spine"]["kind"] == "connection-agreement"
    assert tasks["connection-agreement-pds-spine"]["service"] == "pds"
    assert _links(tasks["smoke-test-pds"])[0] == ("connection-agreement-pds-spine", "FS", 0)
    assert _links(tasks["smoke-test-cis2"])[0] == ("connection-agreement-cis2", "FS", 0)
    # items.yaml euo-acceptable-use (once per organisation): [connection-agreement,
    # nhs-login-onboarding (not in scope)]: every API's agreement.
    assert _links(tasks["euo-acceptable-use-org1"]) == [
        ("connection-agreement-pds-spine", "FS", 0), ("connection-agreement-cis2", "FS", 0),
    ]  # fmt: skip
    assert "generated connection-agreement-pds renamed connection-agreement-pds-spine" in err
    code, out, _ = run(capsys, "check", tmp_path / "merged.yaml", "--format", "json")
    assert code == 0 and [f["rule"] for f in json.loads(out)["findings"] if f["severity"] == "error"] == []
