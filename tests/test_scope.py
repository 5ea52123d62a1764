"""Scope expansion: hand-derived task sets, the domain's dependency rules, and scope errors."""

from __future__ import annotations

import csv
import io
import re

import pytest
from _helpers import write_programme

from spinekit import (
    Duration,
    ProgrammeError,
    Scope,
    ServiceChoice,
    Task,
    apply_overrides,
    data_dir,
    expand_scope,
    load_catalogue,
    read_programme,
    schedule,
)
from spinekit.catalogue.load import OWNERS, TRACKS
from spinekit.cli import main

CAT = load_catalogue()

# Tasks every scope gets (one organisation, no DEP): onboarding, governance, safety, the build
# wrapper activities and the sequential tail.
ALWAYS = {
    "ods-code",
    "developer-account",
    "service-desk-registration",
    "dspt",
    "medical-device-check",
    "cso-dcb0129",
    "design",
    "dspt-organisation-org1",
    "dpia-org1",
    "data-processing-agreement-org1",
    "euo-acceptable-use-org1",
    "dcb0160-org1",
    "go-live-org1",
}


def per_api(*services: str, per_trust: tuple[str, ...] = (), organisations: int = 1) -> set[str]:
    """Each API's own way to production: its reconciliation and monitoring, the penetration test
    of its release, conformance towards its TCC, its SCAL acceptance and Connection Agreement,
    and its production smoke test; the smoke test of an API with each Trust's own live ASID or
    mailbox (``per_trust``) is each Trust's."""
    out = {
        f"{kind}-{s}"
        for s in services
        for kind in ("reconciliation-observability", "pen-test", "conformance", "scal", "connection-agreement")
    }
    for s in services:
        if s in per_trust:
            out |= {f"smoke-test-{s}-org{o}" for o in range(1, organisations + 1)}
        else:
            out.add(f"smoke-test-{s}")
    return out


# HL7 V3 brings these once for the supplier (one HSCN connection, one MHS, one DNS name per
# environment) ...
SHARED_MESSAGING = {
    "hscn",
    "mpv-registration",
    "test-smartcards",
    "mhs-build",
    "nhs-dns-name-int",
    "nhs-dns-name-production",
}


def spine_messaging(*services: str) -> set[str]:
    """... and these per service, for one organisation in INT and production (plus one CAP each):
    the supplier's own INT identities, and a live ASID per deploying organisation."""
    out = set(SHARED_MESSAGING)
    for s in services:
        out |= {
            f"mhs-endpoint-{s}-int",
            f"mhs-endpoint-{s}-production",
            f"asid-{s}-int",
            f"asid-{s}-production-org1",
            f"spine-certificates-{s}-int",
            f"spine-certificates-{s}-production",
        }
    return out


def expand(*services, **options) -> dict[str, Task]:
    return {t.id: t for t in expand_scope(Scope(services=services, **options), CAT)}


def of_kind(tasks: dict[str, Task], kind: str) -> list[str]:
    return [i for i, t in tasks.items() if t.kind == kind]


def ancestors(tasks: dict[str, Task], task_id: str) -> set[str]:
    seen: set[str] = set()
    todo = [d.task for d in tasks[task_id].depends_on]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo += [d.task for d in tasks[t].depends_on]
    return seen


def preds(tasks: dict[str, Task], task_id: str) -> set[str]:
    return {d.task for d in tasks[task_id].depends_on}


# --- hand-derived expansions ------------------------------------------------------------------


def test_pds_alone_expands_to_the_hand_derived_set():
    # PDS FHIR with user-restricted access: CIS2 joins (clinicians sign in); PDS needs a use-case
    # approval, API platform applications per environment and INT test data; CIS2 needs its SAQ
    # and a client per environment. No HSCN, ASID or party key.
    assert set(expand("pds")) == ALWAYS | per_api("pds", "cis2") | {
        "use-case-approval-pds",
        "use-case-approval-cis2",
        "build-pds",
        "build-cis2",
        "api-application-pds-int",
        "api-application-pds-production",
        "cis2-client-int",
        "cis2-client-production",
        "test-data-pds-int",
        "end-user-accounts-org1",  # the Trust's clinicians need CIS2 accounts and roles
    }


def test_application_restricted_pds_needs_no_cis2():
    tasks = expand("pds", access="application-restricted")
    assert set(tasks) == ALWAYS | per_api("pds") | {
        "use-case-approval-pds",
        "build-pds",
        "api-application-pds-int",
        "api-application-pds-production",
        "test-data-pds-int",
    }


def test_seed_scope_tasks():
    tasks = expand("pds", "eps", "cis2")
    # EPS's smoke test uses the organisation's live MESH mailbox, so it is the organisation's.
    assert set(tasks) == ALWAYS | per_api("pds", "eps", "cis2", per_trust=("eps",)) | {
        "use-case-approval-pds",
        "use-case-approval-eps",
        "use-case-approval-cis2",
        "eps-intake",
        "build-pds",
        "build-eps",
        "build-cis2",
        # each API has its own application and test data
        "api-application-pds-int",
        "api-application-pds-production",
        "api-application-eps-int",
        "api-application-eps-production",
        "cis2-client-int",
        "cis2-client-production",
        "test-data-pds-int",
        "test-data-eps-int",
        # EPS cancellation responses arrive over MESH: the supplier's INT mailbox and a live
        # mailbox per organisation
        "mesh-mailbox-eps-int",
        "mesh-mailbox-eps-production-org1",
        "end-user-accounts-org1",
    }
    assert len(tasks) == 49  # three APIs, each with its own reconciliation, pen test, SCAL and agreement


@pytest.mark.parametrize(
    "environments, asids, certificates, apps, cis2_clients",
    [
        (("int", "production"), 2, 2, 2, 2),
        # DEP adds one of each Spine identity item; PDS FHIR has no DEP on the API platform, so
        # its applications stay at two, while CIS2 does offer DEP.
        (("int", "dep", "production"), 3, 3, 2, 3),
    ],
)
def test_identity_items_repeat_per_environment(environments, asids, certificates, apps, cis2_clients):
    tasks = expand("pds", environments=environments, hl7v3_fallback=True)
    assert len(of_kind(tasks, "asid")) == asids
    assert len(of_kind(tasks, "spine-certificates")) == certificates
    assert len(of_kind(tasks, "api-application")) == apps
    assert len(of_kind(tasks, "cis2-client")) == cis2_clients
    assert len(of_kind(tasks, "mhs-endpoint")) == certificates
    # The hosted system is validated once in DEP, when the scope has DEP.
    assert of_kind(tasks, "dep-validation") == (["dep-validation"] if "dep" in environments else [])


def test_an_api_with_dep_gets_a_dep_application():
    tasks = expand("pds", "sds", environments=("int", "dep", "production"))
    assert of_kind(tasks, "api-application") == [
        "api-application-pds-int",
        "api-application-pds-production",
        "api-application-sds-int",
        "api-application-sds-dep",
        "api-application-sds-production",
    ]
    # Neither PDS FHIR nor SDS FHIR has DEP test data; PDS FHIR has no DEP environment at all.
    assert not {"test-data-pds-dep", "test-data-sds-dep"} & set(tasks)


def test_one_environment_is_not_enough():
    with pytest.raises(ProgrammeError, match="production missing"):
        expand("pds", environments=("int",))


#: The Common Assurance Process: first contact, then its five gated stages.
CAP_STAGES = ("cap-first-contact", "cap-stage1", "cap-stage2", "cap-stage3", "cap-stage4", "cap-assurance")


def test_hl7v3_fallback_brings_spine_messaging():
    off = expand("pds", "eps")
    on = expand("pds", "eps", hl7v3_fallback=True)
    assert not spine_messaging("pds", "eps") & set(off)
    assert "cap-assurance-pds" not in off
    # Each fallback interface is built as work of its own, beside the FHIR build.
    cap = {f"{stage}-{s}" for s in ("pds", "eps") for stage in CAP_STAGES}
    # PDS's smoke test now uses the organisation's live ASID, so it becomes the organisation's.
    assert set(on) - set(off) == spine_messaging("pds", "eps") | cap | {
        "build-pds-hl7v3",
        "build-eps-hl7v3",
        "smoke-test-pds-org1",
    }
    assert set(off) - set(on) == {"smoke-test-pds"}


def test_hl7v3_fallback_for_named_services_only():
    tasks = expand("pds", "eps", hl7v3_fallback=["pds"])
    assert spine_messaging("pds") <= set(tasks)
    assert [i for i in tasks if i.startswith(("asid-eps", "mhs-endpoint-eps", "spine-certificates-eps"))] == []
    assert of_kind(tasks, "cap-assurance") == ["cap-assurance-pds"]


def test_hl7v3_only_operation_brings_the_hl7v3_interface():
    tasks = expand(ServiceChoice("pds", operations=("search", "birth-registration")))
    assert spine_messaging("pds") <= set(tasks) and "cap-assurance-pds" in tasks
    assert tasks["build-pds"].name.endswith("FHIR integration against INT (search)")
    assert tasks["build-pds-hl7v3"].name.endswith("HL7 V3 messaging against INT (birth-registration)")
    assert not spine_messaging("pds") & set(expand(ServiceChoice("pds", operations=("search",))))


def test_interface_by_id():
    tasks = expand("ers:hl7v3")
    assert spine_messaging("ers") <= set(tasks)
    assert tasks["cap-assurance-ers"].name == "CAP stage 5 of 5: Common Assurance Process complete: e-RS"
    assert tasks["cap-assurance-ers"].duration.max == 30  # e-RS's own stage figure
    assert "api-application-ers-int" not in tasks


@pytest.mark.parametrize("organisations", [1, 3])
def test_per_organisation_repeats(organisations):
    tasks = expand("pds", "eps", hl7v3_fallback=True, organisations=organisations)
    per_org = {
        "dspt-organisation",
        "dpia",
        "data-processing-agreement",
        "euo-acceptable-use",
        "dcb0160",
        "go-live",
        "end-user-accounts",
    }
    for kind in per_org:
        assert of_kind(tasks, kind) == [f"{kind}-org{n}" for n in range(1, organisations + 1)]
    # ASIDs and MESH mailboxes repeat per service and environment; the supplier builds and tests
    # in INT with one set, and each organisation gets its own live ones.
    live = [f"org{n}" for n in range(1, organisations + 1)]
    assert of_kind(tasks, "asid") == [
        f"asid-{s}-{where}" for s in ("pds", "eps") for where in ("int", *(f"production-{o}" for o in live))
    ]
    assert of_kind(tasks, "mesh-mailbox") == [
        "mesh-mailbox-eps-int",
        *(f"mesh-mailbox-eps-production-{o}" for o in live),
    ]
    # Once-only work does not repeat; each API's assurance is its own, for every organisation.
    assert of_kind(tasks, "scal") == ["scal-pds", "scal-eps", "scal-cis2"]  # CIS2 joins for sign-in
    assert of_kind(tasks, "dspt") == ["dspt"]
    assert of_kind(tasks, "mhs-endpoint") == [
        f"mhs-endpoint-{s}-{e}" for s in ("pds", "eps") for e in ("int", "production")
    ]


def test_three_organisations_add_exactly_the_per_organisation_tasks():
    one = expand("pds", "eps", hl7v3_fallback=True)
    three = expand("pds", "eps", hl7v3_fallback=True, organisations=3)
    # seven per-organisation kinds, a live ASID for each of PDS and EPS, a live EPS mailbox, and
    # the smoke tests of PDS and EPS that use them: 12 per organisation
    assert len(three) - len(one) == 2 * 12
    assert {f"smoke-test-{s}-org{o}" for s in ("pds", "eps") for o in (2, 3)} <= set(three)


def test_smartcards_bring_hscn_but_not_spine_messaging():
    tasks = expand("pds", smartcards=True, organisations=2)
    assert {"hscn", "test-smartcards", "end-user-accounts-org1", "end-user-accounts-org2"} <= set(tasks)
    assert not {"mhs-endpoint-pds-int", "asid-pds-int", "cap-assurance-pds", "mhs-build"} & set(tasks)


def test_services_with_their_own_onboarding():
    tasks = expand("nhs-login", access="application-restricted")
    assert "nhs-login-onboarding" in tasks and "cis2-client-int" not in tasks
    assert tasks["nhs-login-onboarding"].basis.startswith("published [S44]:")
    gp = expand("gp-connect")
    assert {
        "hscn",
        "asid-gp-connect-int",
        "mhs-endpoint-gp-connect-int",
        "spine-certificates-gp-connect-int",
        "spine-certificates-gp-connect-production",
    } <= set(gp)
    assert "cap-assurance-gp-connect" not in gp and "mhs-build" not in gp


# --- dependency rules -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_v3() -> dict[str, Task]:
    return expand("pds", "eps", "cis2", hl7v3_fallback=True, environments=("int", "dep", "production"))


def test_production_certificates_and_access_only_after_assurance(seed_v3):
    for task_id in (
        "spine-certificates-pds-production",
        "api-application-pds-production",
        "cis2-client-production",
        "asid-pds-production-org1",
        "mhs-endpoint-eps-production",
        "mesh-mailbox-eps-production-org1",
    ):
        # Each live identity follows its own service's agreement, and only that one.
        service = next(s for s in ("pds", "eps", "cis2") if f"-{s}-" in f"-{task_id}-")
        own = {f"connection-agreement-{service}", f"scal-{service}", f"conformance-{service}", f"pen-test-{service}"}
        assert f"connection-agreement-{service}" in preds(seed_v3, task_id)
        assert own <= ancestors(seed_v3, task_id)
        others = {
            f"{kind}-{s}" for s in ("pds", "eps", "cis2") if s != service for kind in ("scal", "connection-agreement")
        }
        assert not others & ancestors(seed_v3, task_id), task_id
    for task_id in ("spine-certificates-pds-int", "asid-pds-int", "asid-eps-dep", "mesh-mailbox-eps-int"):
        assert not {t for t in ancestors(seed_v3, task_id) if seed_v3[t].kind == "connection-agreement"}


def test_the_tail_is_a_sequential_chain(seed_v3):
    # Each API's tail is its own: its conformance and pen test, then its SCAL acceptance, then its
    # agreement (after its CAP too, where it falls back to HL7 V3).
    for s in ("pds", "eps", "cis2"):
        assert preds(seed_v3, f"scal-{s}") == {
            "developer-account",
            "dspt",
            "cso-dcb0129",
            f"pen-test-{s}",
            f"conformance-{s}",
            "medical-device-check",
        }
        assert preds(seed_v3, f"pen-test-{s}") == {f"build-{s}", f"reconciliation-observability-{s}"} | (
            {f"build-{s}-hl7v3"} if s != "cis2" else set()
        )
    product = {"cso-dcb0129", "medical-device-check"}  # the safety case and device check, on every route
    assert preds(seed_v3, "connection-agreement-pds") == {"scal-pds", "cap-assurance-pds", "pen-test-pds"} | product
    assert preds(seed_v3, "connection-agreement-eps") == {"scal-eps", "cap-assurance-eps", "pen-test-eps"} | product
    assert preds(seed_v3, "connection-agreement-cis2") == {"scal-cis2", "pen-test-cis2"} | product
    # Each API's smoke test waits for that API's production identities (the organisation's own
    # live ASID makes it the organisation's smoke test); DEP validation is the Trust's own
    # rehearsal of the whole product and gates its go-live, not the smoke test.
    assert preds(seed_v3, "smoke-test-pds-org1") == {
        "connection-agreement-pds",
        "api-application-pds-production",
        "cis2-client-production",
        "spine-certificates-pds-production",
        "mhs-endpoint-pds-production",
        "asid-pds-production-org1",
        "service-desk-registration",
    }
    assert {"build-pds", "build-eps", "conformance-pds", "conformance-eps"} <= preds(seed_v3, "dep-validation")
    assert "dep-validation" in preds(seed_v3, "go-live-org1")
    assert "api-application-eps-production" in preds(seed_v3, "smoke-test-eps-org1")
    assert "api-application-eps-production" not in preds(seed_v3, "smoke-test-pds-org1")
    assert {"smoke-test-pds-org1", "smoke-test-eps-org1", "smoke-test-cis2"} <= preds(seed_v3, "go-live-org1")


def test_assurance_runs_from_day_one_with_no_build_predecessor(seed_v3):
    for task_id in ("cso-dcb0129", "dspt", "dcb0160-org1", "dspt-organisation-org1"):
        assert not {t for t in ancestors(seed_v3, task_id) if seed_v3[t].track == "build"}, task_id
    assert seed_v3["cso-dcb0129"].depends_on == ()


def test_repeats_link_to_the_matching_repeat(seed_v3):
    assert preds(seed_v3, "spine-certificates-pds-dep") == {"nhs-dns-name-dep", "mhs-endpoint-pds-dep"}
    assert preds(seed_v3, "asid-pds-int") == {"mpv-registration", "mhs-endpoint-pds-int"}
    assert preds(seed_v3, "asid-pds-production-org1") == {
        "mpv-registration",
        "mhs-endpoint-pds-production",
        "connection-agreement-pds",
    }
    assert {"asid-pds-production-org1", "asid-eps-production-org1", "mesh-mailbox-eps-production-org1"} <= preds(
        seed_v3, "go-live-org1"
    )
    assert "use-case-approval-eps" in preds(seed_v3, "eps-intake")
    assert "use-case-approval-cis2" in preds(seed_v3, "cis2-client-int")


def test_shared_items_precede_only_the_services_that_need_them(seed_v3):
    assert "eps-intake" in preds(seed_v3, "build-eps") and "eps-intake" not in preds(seed_v3, "build-pds")
    assert "api-application-pds-int" in preds(seed_v3, "build-pds")
    assert "api-application-eps-int" not in preds(seed_v3, "build-pds")
    assert not {"api-application-pds-int", "api-application-eps-int"} & preds(seed_v3, "build-cis2")
    assert "cis2-client-int" in preds(seed_v3, "build-pds")  # user-restricted PDS signs in with CIS2
    assert "mesh-mailbox-eps-int" in preds(seed_v3, "build-eps")
    assert "mesh-mailbox-eps-int" not in preds(seed_v3, "build-pds")
    assert {"asid-pds-int", "spine-certificates-pds-int", "hscn", "test-smartcards"} <= preds(
        seed_v3, "build-pds-hl7v3"
    )
    # The FHIR build does not wait for the HL7 V3 route beside it.
    assert not {"asid-pds-int", "spine-certificates-pds-int", "hscn", "test-smartcards"} & preds(seed_v3, "build-pds")
    assert not {"asid-pds-int", "asid-eps-int", "hscn", "test-smartcards"} & preds(seed_v3, "build-cis2")


def test_tasks_carry_attributes_and_valid_ids(seed_v3):
    for t in seed_v3.values():
        assert re.fullmatch(r"[A-Za-z0-9_.\-]+", t.id)
        assert t.kind in CAT.item_ids and t.track in TRACKS and t.owner in OWNERS
        assert re.match(r"(published|reported) (\[S\d+b?\])+: .+|estimate( (\[S\d+b?\])+)?: .+", t.basis), t.basis
        for d in t.depends_on:
            assert d.task in seed_v3
    assert seed_v3["api-application-pds-production"].owner == "NHS England"
    assert seed_v3["build-pds"].service == "pds" and seed_v3["build-pds"].environment == "int"
    assert seed_v3["asid-pds-dep"].environment == "dep"


def test_expansion_is_deterministic():
    a = expand_scope(Scope(services=("pds", "eps", "cis2"), hl7v3_fallback=True, organisations=2), CAT)
    b = expand_scope(Scope(services=("pds", "eps", "cis2"), hl7v3_fallback=True, organisations=2), CAT)
    assert a == b


# --- overrides --------------------------------------------------------------------------------


def test_overrides_by_id_win_over_kind():
    tasks = expand_scope(Scope(services=("pds", "eps")), CAT)
    out = {t.id: t for t in apply_overrides(tasks, {"build": Duration.fixed(30), "build-eps": Duration(5, 6, 7)})}
    assert out["build-pds"].duration == Duration.fixed(30)
    assert out["build-eps"].duration == Duration(5, 6, 7)
    assert out["build-pds"].basis.startswith("override: overrides.build in the programme; catalogue: estimate")


def test_override_of_nothing_suggests():
    tasks = expand_scope(Scope(services=("pds",)), CAT)
    with pytest.raises(ProgrammeError, match="'bild' matches no task id or kind; did you mean 'build'"):
        apply_overrides(tasks, {"bild": Duration.fixed(1)})


# --- scope errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope, field, message",
    [
        (Scope(services=("pds", "epss")), "scope.services[1]", "unknown service 'epss'; did you mean 'eps'?"),
        (Scope(services=("pds:hl7",)), "scope.services[0]", "unknown interface of pds 'hl7'; did you mean 'hl7v3'?"),
        (
            Scope(services=(ServiceChoice("pds", operations=("serch",)),)),
            "scope.services[0].operations[0]",
            "unknown pds operation 'serch'; did you mean 'search'?",
        ),
        (Scope(services=("pds", "pds")), "scope.services[1]", "listed twice"),
        (Scope(services=()), "scope.services", "at least one service"),
        (Scope(services=("pds",), environments=("int", "prod")), "scope.environments[1]", "did you mean 'production'?"),
        (Scope(services=("pds",), environments=("dep", "production")), "scope.environments", "int missing"),
        (Scope(services=("pds",), access="user-restriced"), "scope.access", "did you mean 'user-restricted'?"),
        (Scope(services=("pds",), organisations=0), "scope.organisations", "1 or more"),
        (Scope(services=("cis2",), hl7v3_fallback=True), "scope.hl7v3_fallback", "no"),
        (
            Scope(services=("pds",), hl7v3_fallback=("eps",)),
            "scope.hl7v3_fallback[0]",
            "unknown service in scope 'eps'",
        ),
    ],
)
def test_scope_errors_name_the_field(scope, field, message):
    with pytest.raises(ProgrammeError) as info:
        expand_scope(scope, CAT)
    assert info.value.field == field
    assert message in str(info.value)


# --- in a programme file ----------------------------------------------------------------------


def test_scope_programme_schedules_with_hand_written_tasks(tmp_path):
    f = write_programme(
        tmp_path,
        """
        scope:
          services: [pds]
        overrides:
          cso-dcb0129: {min: 30, likely: 50, max: 70}
          build-pds: 25
        tasks:
          - {id: training, duration: 5, depends_on: [smoke-test-pds]}
    """,
    )
    p = read_programme(f)
    assert p.task("training").depends_on[0].task == "smoke-test-pds"
    assert p.task("cso-dcb0129").duration == Duration(30, 50, 70)
    assert p.task("build-pds").duration == Duration.fixed(25)
    sched = schedule(p)
    row = sched.table.set_index("id").loc["build-pds"]
    assert row["kind"] == "build" and row["service"] == "pds" and row["track"] == "build"


def test_tasks_alone_still_work_and_one_of_tasks_or_scope_is_required(tmp_path):
    assert read_programme(write_programme(tmp_path, "tasks:\n  - {id: a, duration: 1}\n")).tasks[0].id == "a"
    with pytest.raises(ProgrammeError, match="missing required key 'tasks'; give tasks, a scope, or both"):
        read_programme(write_programme(tmp_path, "calendar: {holidays: none}\n"))


@pytest.mark.parametrize(
    "body, where, message",
    [
        ("scope:\n  services: [pds, epss]\n", "field 'scope.services[1]'", "did you mean 'eps'?"),
        ("scope:\n  servics: [pds]\n", "", "unknown key 'servics'; did you mean 'services'?"),
        ("scope:\n  services: [{service: pds, operatons: [search]}]\n", "", "did you mean 'operations'?"),
        ("scope:\n  services: [pds]\n  smartcards: 'yes'\n", "field 'scope.smartcards'", "true or false"),
        ("scope:\n  services: [pds]\n  organisations: 1.5\n", "field 'scope.organisations'", "whole number"),
        ("scope:\n  services: [pds]\noverrides:\n  hscn: 10\n", "field 'overrides.hscn'", "matches no task"),
        (
            "scope:\n  services: [pds]\noverrides:\n  dspt: {mni: 1, likely: 2, max: 3}\n",
            "field 'overrides.dspt'",
            "unknown key 'mni'; did you mean 'min'?",
        ),
        ("scope:\n  services: [pds]\noverrides:\n  dspt: -3\n", "field 'overrides.dspt'", "0 or more"),
        (
            "scope:\n  services: [pds]\ntasks:\n  - {id: design, duration: 3}\n",
            "task 'design'",
            "the scope already generates a task with this id",
        ),
        (
            "scope:\n  services: [pds]\ntasks:\n  - {id: x, duration: 3, depends_on: [smoke-tst]}\n",
            "task 'x'",
            "did you mean 'smoke-test-pds'",
        ),
    ],
)
def test_scope_errors_in_a_file(tmp_path, body, where, message):
    f = write_programme(tmp_path, body)
    with pytest.raises(ProgrammeError) as info:
        schedule(read_programme(f))
    msg = str(info.value)
    assert msg.startswith(str(f)) and where in msg and message in msg, msg


def test_a_link_to_a_kind_waits_for_every_generated_task_of_that_kind(tmp_path):
    # Written when a scope made one smoke test and one conformance; each API now has its own.
    f = write_programme(
        tmp_path,
        "scope:\n  services: [pds]\ntasks:\n"
        "  - {id: training, duration: 3, depends_on: [smoke-test, {task: conformance, type: SS, lag: 2}]}\n"
        "  - {id: launch, duration: 0, depends_on: [training, go-live-org1]}\n",
    )
    p = read_programme(f)
    assert [(d.task, d.type, d.lag) for d in p.task("training").depends_on] == [
        ("smoke-test-pds", "FS", 0),
        ("smoke-test-cis2", "FS", 0),
        ("conformance-pds", "SS", 2),
        ("conformance-cis2", "SS", 2),
    ]
    # An id is never read as a kind.
    assert [d.task for d in p.task("launch").depends_on] == ["training", "go-live-org1"]
    t = schedule(p).table.set_index("id")
    assert t.at["training", "es"] == max(t.at["smoke-test-pds", "ef"], t.at["smoke-test-cis2", "ef"])


def test_a_risk_or_correlation_naming_a_kind_stands_for_every_task_of_it(tmp_path):
    # Written when a scope made one pen test and one SCAL; each API now has its own.
    f = write_programme(
        tmp_path,
        "scope:\n  services: [pds, mesh]\n  access: application-restricted\n"
        "tasks:\n  - {id: scal-review, duration: 2}\n"
        "risks:\n"
        "  - {id: retest, probability: 0.25, impact: 10, tasks: [pen-test, build-mesh, pen-test-mesh]}\n"
        "  - {id: own, probability: 0.5, impact: 3, tasks: [scal-review]}\n"
        "correlations:\n  - {tasks: [scal, connection-agreement], rho: 0.4}\n",
    )
    p = read_programme(f)
    risks = {r.id: r.tasks for r in p.risks}
    # In the order written, each task once; an id names only itself.
    assert risks == {"retest": ("pen-test-pds", "pen-test-mesh", "build-mesh"), "own": ("scal-review",)}
    assert p.correlations[0].tasks == (
        "scal-pds",
        "scal-mesh",
        "connection-agreement-pds",
        "connection-agreement-mesh",
    )
    (tmp_path / "bad").mkdir()
    bad = write_programme(
        tmp_path / "bad",
        "scope:\n  services: [pds]\nrisks:\n  - {id: r, probability: 0.2, impact: 5, tasks: [pen-tst]}\n",
    )
    with pytest.raises(ProgrammeError, match=r"risks\[r\]\.tasks\[0\].*unknown task 'pen-tst'; did you mean"):
        read_programme(bad)


def test_scope_errors_exit_2_through_the_cli(tmp_path, capsys):
    f = write_programme(tmp_path, "scope:\n  services: [pds, epss]\n")
    out = tmp_path / "out.csv"
    assert main(["schedule", str(f), "--format", "csv", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'eps'?" in err and "Traceback" not in err
    assert not out.exists()


def test_expanded_csv_shows_the_task_attributes(capsys):
    seed = data_dir() / "examples" / "seed-pds-eps-cis2.yaml"
    assert main(["schedule", str(seed), "--format", "csv"]) == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert {k: rows["cis2-client-production"][k] for k in ("service", "environment", "kind", "track", "owner")} == {
        "service": "cis2",
        "environment": "production",
        "kind": "cis2-client",
        "track": "identity",
        "owner": "NHS England",
    }
    assert rows["dpia-org1"]["owner"] == "deploying organisation" and rows["dpia-org1"]["track"] == "governance"
    assert rows["hypercare"]["kind"] == ""


# --- the seed example -------------------------------------------------------------------------


def test_seed_example_schedules():
    p = read_programme(data_dir() / "examples" / "seed-pds-eps-cis2.yaml")
    sched = schedule(p)
    t = sched.table.set_index("id")
    # 49 generated from the scope (each of the three APIs with its own reconciliation, pen
    # test, SCAL acceptance and Connection Agreement) and one hand-written.
    assert len(p.tasks) == 50
    # The EPS intake queue drives the date through EPS's own assurance; assurance starts in
    # week one, and PDS's own tail, not held by EPS, has float.
    assert {
        "eps-intake",
        "build-eps",
        "pen-test-eps",
        "scal-eps",
        "connection-agreement-eps",
        "smoke-test-eps-org1",
        "go-live-org1",
    } <= set(sched.critical_path)
    assert not {"scal-pds", "connection-agreement-pds", "smoke-test-pds"} & set(sched.critical_path)
    assert t.at["cso-dcb0129", "es"] == 0 and t.at["design", "es"] == 0
    smoke = ("smoke-test-pds", "smoke-test-eps-org1", "smoke-test-cis2")  # EPS's uses the live mailbox
    assert t.at["go-live-org1", "start"] > max(t.at[s, "finish"] for s in smoke)
    assert all(task.basis for task in p.tasks)


def test_go_live_depends_on_its_own_organisation_only():
    # PDS and EPS (HL7 V3 fallback) and MESH for two organisations: each go-live follows the
    # smoke tests and that organisation's own production identities (a live ASID per Spine
    # service, a live mailbox per MESH user), safety case (DCB0160), DPIA, data processing
    # agreement, DSPT, acceptable-use sign-off and user accounts; nothing of the other's.
    tasks = expand("pds", "eps", "mesh", hl7v3_fallback=True, organisations=2)
    for n, other in ((1, 2), (2, 1)):
        deps = [d.task for d in tasks[f"go-live-org{n}"].depends_on]
        assert deps == [
            f"smoke-test-pds-org{n}",
            f"smoke-test-eps-org{n}",
            f"smoke-test-mesh-org{n}",
            "smoke-test-cis2",
            f"asid-pds-production-org{n}",
            f"asid-eps-production-org{n}",
            f"mesh-mailbox-eps-production-org{n}",
            f"mesh-mailbox-mesh-production-org{n}",
            f"dcb0160-org{n}",
            f"dpia-org{n}",
            f"data-processing-agreement-org{n}",
            f"dspt-organisation-org{n}",
            f"euo-acceptable-use-org{n}",
            f"end-user-accounts-org{n}",
        ]
        assert not any(d.endswith(f"-org{other}") for d in deps)
    # Each organisation's chain stays its own: org 2's agreement follows org 2's DPIA, and its
    # live ASID follows the service's live endpoint and the service's Connection Agreement.
    assert [d.task for d in tasks["data-processing-agreement-org2"].depends_on] == ["dpia-org2"]
    assert [d.task for d in tasks["asid-pds-production-org2"].depends_on] == [
        "mpv-registration",
        "mhs-endpoint-pds-production",
        "connection-agreement-pds",
    ]


def test_mesh_needs_hscn_only_for_dep():
    # MESH is reached over the internet in INT and production; only DEP needs HSCN.
    without_dep = expand("mesh", environments=("int", "production"))
    assert "hscn" not in without_dep
    assert not [t.id for t in without_dep.values() if any(d.task == "hscn" for d in t.depends_on)]
    with_dep = expand("mesh", environments=("int", "dep", "production"))
    assert [d.task for d in with_dep["hscn"].depends_on] == ["ods-code"]
