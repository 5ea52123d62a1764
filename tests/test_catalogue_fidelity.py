"""Generated plans are ones a Spine integration lead would sign: they pass their own health check,
keep independent services and organisations apart, and gate production identities by assurance."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinekit import (
    Duration,
    Scope,
    ServiceChoice,
    apply_overrides,
    check_plan,
    expand_scope,
    load_catalogue,
    parse_programme,
    schedule,
)
from spinekit.catalogue.scope import ACCESS
from spinekit.catalogue.starter import starter_programme
from spinekit.model.domain import Dependency, Programme
from spinekit.model.files import data_dir

CAT = load_catalogue()
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every service:interface the catalogue offers.
CHOICES = [f"{s.id}:{i.id}" for s in CAT.services for i in s.interfaces]
WITH_V3 = [s.id for s in CAT.services if any(i.id == "hl7v3" for i in s.interfaces)]


def programme(services, **scope) -> Programme:
    data = {
        "name": "generated",
        "start": "2027-01-04",
        "calendar": {"holidays": "england-and-wales"},
        "scope": {"services": list(services), **scope},
    }
    return parse_programme(data)


def own_access(choice: str) -> list[str]:
    """The access modes a service:interface can be given per service."""
    service, _, interface = choice.partition(":")
    return [m for m in CAT.service(service).interface(interface).access if m in ACCESS]


@st.composite
def scopes(draw):
    picked = draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=5, unique=True))
    services = list(dict.fromkeys(c.split(":")[0] for c in picked))
    # A service's first entry may choose its own access mode, where its interface offers one.
    seen: set[str] = set()
    entries: list[object] = []
    for c in picked:
        service = c.split(":")[0]
        modes = own_access(c) if service not in seen else []
        seen.add(service)
        mode = draw(st.sampled_from([None, *modes])) if modes else None
        entries.append({"service": c, "access": mode} if mode is not None else c)
    picked = entries
    v3 = [s for s in services if s in WITH_V3]
    fallback = draw(st.sampled_from([False, True, "some"] if v3 else [False]))
    if fallback == "some":
        fallback = draw(st.lists(st.sampled_from(v3), min_size=1, unique=True))
    organisations = draw(st.integers(1, 5))
    cuts = sorted(draw(st.sets(st.integers(1, organisations - 1), max_size=2))) if organisations > 1 else []
    waves = [b - a for a, b in zip([0, *cuts], [*cuts, organisations], strict=True)]
    return picked, {
        "environments": draw(st.sampled_from([["int", "production"], ["int", "dep", "production"]])),
        "access": draw(st.sampled_from(["user-restricted", "application-restricted"])),
        "smartcards": draw(st.booleans()),
        "organisations": organisations,
        "hl7v3_fallback": fallback,
        "waves": waves if draw(st.booleans()) else [],
        "have": draw(st.lists(st.sampled_from(["ods-code", "dspt", "hscn", "developer-account"]), unique=True)),
        "deployment": draw(st.sampled_from(["hosted", "per-trust-install"])),
    }


#: Warnings where the health check and the catalogue must agree on every generated plan.
AGREED = {
    "open-end",
    "production-identity-before-assurance",
    "smoke-test-without-live-identity",
    "hl7v3-route-unlinked",
}


#: What every Connection Agreement waits for beside its own API's assurance, on every route.
PRODUCT_WIDE = {"cso-dcb0129", "medical-device-check"}


def blocking(p: Programme) -> list[tuple[str, tuple[str, ...]]]:
    """Errors, open ends and live identities out of place: what a generated plan never carries."""
    result = check_plan(p)
    return [(f.rule, f.tasks) for f in result.findings if f.severity == "error" or f.rule in AGREED]


def test_the_health_check_and_the_catalogue_agree_on_production_identities():
    rules = yaml.safe_load((data_dir() / "catalogue" / "health-check.yaml").read_text(encoding="utf-8"))
    live = set(rules["groups"]["production_identity"]["kinds"])
    gates = set(rules["groups"]["assurance_gate"]["kinds"])
    for item in CAT.items:
        gated = item.production is not None and gates & {link.item for link in item.production.depends_on}
        # An identity the check treats as live is issued after assurance in the catalogue, and
        # the other way round.
        assert bool(gated) == (item.id in live), item.id
    smoke = {link.item for link in CAT.item("smoke-test").depends_on}
    assert live <= smoke


# --- every generated plan passes its own health check --------------------------------------------


@SETTINGS
@given(scopes())
def test_every_scope_passes_its_own_health_check(drawn):
    services, scope = drawn
    assert blocking(programme(services, **scope)) == []


@SETTINGS
@given(
    st.lists(st.sampled_from(CHOICES), min_size=1, max_size=4, unique_by=lambda c: c.split(":")[0]),
    st.sampled_from([("int", "production"), ("int", "dep", "production")]),
    st.integers(1, 5),
    st.sampled_from(["user-restricted", "application-restricted"]),
    st.booleans(),
    st.booleans(),
)
def test_every_starter_file_passes_its_own_health_check(
    services, environments, organisations, access, smartcards, fallback
):
    fallback = fallback and any(s.split(":")[0] in WITH_V3 for s in services)
    text = starter_programme(
        services,
        environments=environments,
        organisations=organisations,
        access=access,
        smartcards=smartcards,
        hl7v3_fallback=fallback,
        catalogue=CAT,
    )
    assert blocking(parse_programme(yaml.safe_load(text))) == []


def tasks_of(services, **scope):
    return {t.id: t for t in expand_scope(Scope(services=tuple(services), **scope), CAT)}


def preds(tasks, task_id) -> set[str]:
    return {d.task for d in tasks[task_id].depends_on}


@pytest.mark.parametrize(
    "services, scope, before, after",
    [
        # Test smartcards are for testing the build in INT, for HL7 V3 work and for smartcard users.
        (["pds:hl7v3"], {}, "test-smartcards", "build-pds"),
        (["ers"], {"smartcards": True}, "test-smartcards", "build-ers"),
        # GP Connect reaches the Spine Secure Proxy with TLS-MA: INT certificates gate the build.
        (["gp-connect"], {}, "spine-certificates-gp-connect-int", "build-gp-connect"),
        # MESH DEP and SDS LDAP are reached over HSCN only.
        (["mesh"], {"environments": ["int", "dep", "production"]}, "hscn", "dep-validation"),
        (["sds:ldap"], {}, "hscn", "build-sds"),
        # DEP test data serves the DEP validation.
        (["eps:hl7v3"], {"environments": ["int", "dep", "production"]}, "test-data-eps-dep", "dep-validation"),
        # The product in Digital Onboarding is what the SCAL / DOS submission is made against.
        (["mesh"], {}, "developer-account", "scal-mesh"),
    ],
)
def test_prerequisites_gate_the_work_that_needs_them(services, scope, before, after):
    assert before in preds(tasks_of(services, **scope), after)


@pytest.mark.parametrize("service", ["sds:ldap", "gp-connect"])
def test_services_without_an_mhs_are_not_reported_as_hl7v3(service):
    rules = {f.rule for f in check_plan(programme([service])).findings}
    assert not {r for r in rules if r.startswith("hl7v3")}


def test_hl7v3_is_still_reported_and_needs_its_route():
    rules = {f.rule for f in check_plan(programme(["pds:hl7v3"])).findings}
    assert "hl7v3-in-scope" in rules and "hl7v3-route-missing" not in rules


# --- identifiers per service: independent services never delay each other ------------------------


def dates(p: Programme, *task_ids: str) -> dict[str, tuple[int, int]]:
    t = schedule(p).table.set_index("id")
    return {i: (int(t.at[i, "es"]), int(t.at[i, "ef"])) for i in task_ids}


def test_an_hl7v3_service_beside_ers_leaves_the_ers_build_alone():
    alone = tasks_of(["ers"])
    both = tasks_of(["ers", "pds:hl7v3"])
    # e-RS FHIR has its own ASID and application, not shared with PDS or behind the MHS route.
    assert preds(both, "build-ers") == preds(alone, "build-ers")
    assert {"asid-ers-int", "api-application-ers-int", "test-data-ers-int"} <= preds(both, "build-ers")
    assert preds(both, "asid-ers-int") == {"mpv-registration"}
    assert preds(both, "asid-pds-int") == {"mpv-registration", "mhs-endpoint-pds-int"}
    assert dates(programme(["ers"]), "build-ers") == dates(programme(["ers", "pds:hl7v3"]), "build-ers")


def _apart_from(drawn, extra):
    """The drawn scope, its programme and the ids of every task of its services; None where
    ``extra`` is in the scope already: a service the scope has or brings in (NRL and GP Connect
    bring PDS, CIS2 comes with user-restricted access) is not independent of it."""
    services, scope = drawn
    base = programme(services, **scope)
    if extra.split(":")[0] in {t.service for t in base.tasks if t.service is not None}:
        return None
    return services, scope, base, [t.id for t in base.tasks if t.service is not None]


def _moved(before, after, ids):
    """The tasks of ``ids`` whose dates differ between two programmes, with their new dates."""
    was, now = dates(before, *ids), dates(after, *ids)
    return {i: now[i] for i in ids if now[i] != was[i]}


@SETTINGS
@given(scopes(), st.sampled_from(CHOICES))
def test_adding_a_service_never_moves_another_services_work(drawn, extra):
    if (apart := _apart_from(drawn, extra)) is None:
        return
    services, scope, base, ids = apart
    # Every task of a service, from its identities and build to its pen test, SCAL acceptance,
    # Connection Agreement, live identities and smoke test, keeps its dates.
    assert {t.kind for t in base.tasks if t.id in ids} >= {"build", "smoke-test"}
    assert _moved(base, programme([*services, extra], **scope), ids) == {}


@SETTINGS
@given(scopes(), st.sampled_from(CHOICES))
def test_an_added_services_work_taking_400_days_never_moves_another_services_work(drawn, extra):
    if (apart := _apart_from(drawn, extra)) is None:
        return
    services, scope, base, ids = apart
    both = programme([*services, extra], **scope)
    # Every task that is the added service's own (its identities, build, tests and assurance)
    # takes 400 working days: nothing shared carries that to another service's work.
    slow = [t.id for t in both.tasks if t.service == extra.split(":")[0]]
    assert slow
    stretched = replace(
        both, tasks=tuple(replace(t, duration=Duration.fixed(400)) if t.id in slow else t for t in both.tasks)
    )
    assert _moved(base, stretched, ids) == {}


def test_adding_pds_hl7v3_leaves_the_ers_production_tail_alone():
    # By hand, e-RS FHIR alone (likely durations): its smoke test follows its own agreement.
    # Adding PDS over HL7 V3 (HSCN, an MHS and a CAP of 4-16 weeks) used to hold e-RS's
    # agreement, live identities and smoke test behind the CAP (day 127 to day 160).
    alone = programme(["ers"])
    tail = [t.id for t in alone.tasks if t.service == "ers" and t.environment == "production"]
    assert {"smoke-test-ers-org1", "asid-ers-production-org1", "api-application-ers-production"} <= set(tail)
    assert dates(programme(["ers", "pds:hl7v3"]), *tail) == dates(alone, *tail)


# --- production identities after assurance; go-live waits for what it uses -----------------------

BIG = {
    "services": ["pds", "ers", "eps", "mesh", "gp-connect", "sds:ldap"],
    "environments": ["int", "dep", "production"],
    "smartcards": True,
    "organisations": 3,
    "hl7v3_fallback": ["pds"],
}
PRODUCTION_IDENTITY = {"api-application", "cis2-client", "spine-certificates", "mhs-endpoint", "asid", "mesh-mailbox"}
PER_ORGANISATION = {
    "dcb0160",
    "dpia",
    "data-processing-agreement",
    "dspt-organisation",
    "euo-acceptable-use",
    "end-user-accounts",
    "asid",
    "mesh-mailbox",
}


@pytest.fixture(scope="module", params=["hosted", "per-trust-install"])
def big(request) -> Programme:
    scope = dict(BIG)
    return programme(scope.pop("services"), deployment=request.param, **scope)


def test_production_identities_are_issued_after_the_connection_agreement(big):
    tasks = {t.id: t for t in big.tasks}
    live = [i for i, t in tasks.items() if t.kind in PRODUCTION_IDENTITY and t.environment == "production"]
    assert {"asid-ers-production-org2", "mesh-mailbox-mesh-production-org3"} <= set(live)
    # A hosted system has one live endpoint; each Trust's own installation has its own.
    assert {"mhs-endpoint-gp-connect-production", "mhs-endpoint-gp-connect-production-org3"} & set(live)
    for i in live:
        # Each is issued after its own service's agreement, never another service's.
        agreements = {p for p in preds(tasks, i) if tasks[p].kind == "connection-agreement"}
        assert agreements == {f"connection-agreement-{tasks[i].service}"}, i


def organisation(task_id: str) -> int | None:
    m = re.search(r"-org(\d+)$", task_id)
    return int(m.group(1)) if m else None


def go_lives(p: Programme, slow: str | None = None) -> dict[str, tuple[int, int]]:
    if slow is not None:
        p = replace(p, tasks=tuple(apply_overrides(p.tasks, {slow: Duration.fixed(400)})))
    return dates(p, *(t.id for t in p.tasks if t.kind == "go-live"))


def test_go_live_waits_for_every_production_identity_and_only_its_own_organisations_items(big):
    base = go_lives(big)
    gating = [
        t.id
        for t in big.tasks
        if (t.kind in PRODUCTION_IDENTITY and t.environment == "production")
        or t.kind in PER_ORGANISATION
        or t.kind in {"hscn", "test-smartcards"}
        or (t.kind == "spine-certificates")
        or t.kind in {"dep-validation", "smoke-test"}
    ]
    assert len(gating) > 30
    for task_id in gating:
        moved = go_lives(big, slow=task_id)
        org = organisation(task_id)
        # Each organisation's items, its live identities and the smoke test that uses them
        # included, hold up its own go-live and never another organisation's.
        for n in (1, 2, 3):
            key = f"go-live-org{n}"
            if org is None or org == n:
                assert moved[key][0] > base[key][0], f"{task_id} taking 400 days does not move {key}"
            else:
                assert moved[key] == base[key], f"{task_id} of organisation {org} moves {key}"


def smoke_tests(p: Programme, slow: str | None = None) -> dict[str, tuple[int, int]]:
    if slow is not None:
        p = replace(p, tasks=tuple(apply_overrides(p.tasks, {slow: Duration.fixed(400)})))
    return dates(p, *(t.id for t in p.tasks if t.kind == "smoke-test"))


def test_the_smoke_test_waits_for_every_production_identity_it_uses(big):
    tasks = {t.id: t for t in big.tasks}
    base = smoke_tests(big)
    live = [i for i, t in tasks.items() if t.kind in PRODUCTION_IDENTITY and t.environment == "production"]
    for task_id in live:
        org = organisation(task_id)
        moved = smoke_tests(big, slow=task_id)
        for smoke in base:
            # Each API's smoke test uses that API's identities (CIS2's live configuration for
            # every API its clinicians sign in to). A smoke test that uses a Trust's own live ASID
            # or mailbox is that Trust's, hosted or installed; one that uses none is the API's.
            service = tasks[task_id].service
            signs_in = {"pds", "ers", "eps", "cis2"}  # user-restricted; MESH, GP Connect, LDAP do not
            mine = service in (None, tasks[smoke].service) or (service == "cis2" and tasks[smoke].service in signs_in)
            uses = mine and org in (None, organisation(smoke))
            if uses:
                assert moved[smoke][0] > base[smoke][0], f"{task_id} taking 400 days does not move {smoke}"
            else:
                assert moved[smoke] == base[smoke], f"{task_id} moves {smoke}"


def test_a_mesh_only_smoke_test_waits_for_the_live_mailbox():
    tasks = tasks_of(["mesh"], organisations=2)
    for n in (1, 2):
        assert preds(tasks, f"smoke-test-mesh-org{n}") == {
            "connection-agreement-mesh",
            "service-desk-registration",
            f"mesh-mailbox-mesh-production-org{n}",
        }
        assert f"smoke-test-mesh-org{n}" in preds(tasks, f"go-live-org{n}")
    assert "smoke-test-mesh-org1" not in preds(tasks, "go-live-org2")
    assert "mesh-mailbox-mesh-production-org2" in preds(tasks, "go-live-org2")
    assert "mesh-mailbox-mesh-production-org2" not in preds(tasks, "go-live-org1")
    installed = tasks_of(["mesh"], organisations=2, deployment="per-trust-install")
    assert "mesh-mailbox-mesh-production-org2" in preds(installed, "smoke-test-mesh-org2")
    assert "mesh-mailbox-mesh-production-org1" not in preds(installed, "smoke-test-mesh-org2")


def test_the_health_check_flags_a_smoke_test_without_its_live_identity():
    tasks = list(programme(["mesh"]).tasks)
    cut = [
        replace(t, depends_on=tuple(d for d in t.depends_on if not d.task.startswith("mesh-mailbox")))
        if t.id == "smoke-test-mesh-org1"
        else t
        for t in tasks
    ]
    early = [
        replace(t, depends_on=tuple(d for d in t.depends_on if d.task != "connection-agreement-mesh"))
        if t.id == "mesh-mailbox-mesh-production-org1"
        else t
        for t in tasks
    ]
    base = programme(["mesh"])
    findings = {f.rule: f.tasks for f in check_plan(replace(base, tasks=tuple(cut))).findings}
    assert findings["smoke-test-without-live-identity"] == ("smoke-test-mesh-org1",)
    assert "production-identity-before-assurance" not in findings
    findings = {f.rule: f.tasks for f in check_plan(replace(base, tasks=tuple(early))).findings}
    assert findings["production-identity-before-assurance"] == ("mesh-mailbox-mesh-production-org1",)
    assert not {"smoke-test-without-live-identity", "production-identity-before-assurance"} & {
        f.rule for f in check_plan(base).findings
    }


def test_a_live_identity_after_the_scal_but_before_the_connection_agreement_is_flagged():
    base = programme(["ers:hl7v3", "mesh"])
    early = [
        replace(t, depends_on=(Dependency("scal-mesh"),)) if t.id == "mesh-mailbox-mesh-production-org1" else t
        for t in base.tasks
    ]
    findings = {f.rule: f.tasks for f in check_plan(replace(base, tasks=tuple(early))).findings}
    assert findings["production-identity-before-assurance"] == ("mesh-mailbox-mesh-production-org1",)
    assert "production-identity-before-assurance" not in {f.rule for f in check_plan(base).findings}


def test_the_health_check_wants_a_trusts_smoke_test_on_its_own_live_identity():
    base = programme(["mesh"], organisations=2)
    crossed = [
        replace(
            t,
            depends_on=tuple(
                replace(d, task="mesh-mailbox-mesh-production-org1")
                if d.task == "mesh-mailbox-mesh-production-org2"
                else d
                for d in t.depends_on
            ),
        )
        if t.id == "smoke-test-mesh-org2"
        else t
        for t in base.tasks
    ]
    findings = {f.rule: f.tasks for f in check_plan(replace(base, tasks=tuple(crossed))).findings}
    assert findings["smoke-test-without-live-identity"] == ("smoke-test-mesh-org2",)
    assert "smoke-test-without-live-identity" not in {f.rule for f in check_plan(base).findings}


def test_int_identities_belong_to_the_supplier(big):
    tasks = {t.id: t for t in big.tasks}
    assert preds(tasks, "build-ers") >= {"asid-ers-int", "api-application-ers-int"}
    assert not [i for i in tasks if re.fullmatch(r"(asid|mesh-mailbox)-.*-int-org\d+", i)]


def test_dep_follows_the_deployment_model():
    scope = dict(BIG)
    services = scope.pop("services")
    hosted = {t.id: t for t in programme(services, **scope).tasks}
    # One hosted system: the supplier validates once in DEP with one set of DEP identities.
    assert {"asid-pds-dep", "mesh-mailbox-mesh-dep"} <= preds(hosted, "dep-validation")
    # Validation in DEP is the Trust's rehearsal: it gates the Trust's go-live, and the
    # production smoke test needs only the agreement and the live identities.
    assert "dep-validation" in preds(hosted, "go-live-org1")
    assert "dep-validation" not in preds(hosted, "smoke-test-pds-org1")
    installed = {t.id: t for t in programme(services, deployment="per-trust-install", **scope).tasks}
    # Each Trust's installation validates in situ with its own DEP identities, has its own live
    # endpoint and certificates, and is validated and smoke-tested before that Trust goes live.
    assert "dep-validation" not in installed and "smoke-test-pds" not in installed
    assert {"asid-pds-dep-org2", "mesh-mailbox-mesh-dep-org2", "mhs-endpoint-pds-dep-org2"} <= preds(
        installed, "dep-validation-org2"
    )
    assert {"mhs-endpoint-pds-production-org2", "spine-certificates-pds-production-org2"} <= (
        preds(installed, "smoke-test-pds-org2")
    )
    assert {"smoke-test-pds-org2", "dep-validation-org2"} <= preds(installed, "go-live-org2")
    assert not {"dep-validation-org1", "smoke-test-pds-org1"} & preds(installed, "go-live-org2")
    assert "dep-validation-org1" not in preds(installed, "go-live-org2")
    with pytest.raises(Exception, match="unknown deployment 'per-trust'; did you mean 'per-trust-install'"):
        programme(services, deployment="per-trust", **scope)


# --- access per service --------------------------------------------------------------------------


def test_eps_prescribing_signs_in_with_cis2_whatever_the_scope_default():
    tasks = {t.id: t for t in programme(["eps", "pds"], access="application-restricted").tasks}
    assert "cis2-client-int" in preds(tasks, "build-eps")
    assert "cis2-client-int" not in preds(tasks, "build-pds")


def test_access_is_chosen_per_service():
    tasks = {
        t.id: t
        for t in programme(
            [{"service": "pds", "access": "user-restricted"}, "ers"], access="application-restricted"
        ).tasks
    }
    assert "cis2-client-int" in preds(tasks, "build-pds")
    assert "cis2-client-int" not in preds(tasks, "build-ers")
    release = {
        t.id: t
        for t in programme([{"service": "eps", "operations": ["release"], "access": "application-restricted"}]).tasks
    }
    assert "cis2-client-int" not in release and "end-user-accounts-org1" not in release


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            {"service": "eps", "access": "application-restricted"},
            "eps: EPS FHIR API (prescribing and dispensing) offers user-restricted access; use access: "
            "user-restricted, or name only operations that can (release)",
        ),
        (
            {"service": "pds", "operations": ["search", "update"], "access": "application-restricted"},
            "pds: PDS update cannot use application-restricted access; use access: user-restricted",
        ),
        ({"service": "pds", "access": "aplication-restricted"}, "did you mean 'application-restricted'?"),
        (
            {"service": "mesh", "access": "user-restricted"},
            "MESH API offers mailbox access; leave access out (it uses mailbox)",
        ),
    ],
)
def test_impossible_access_is_a_clear_error(tmp_path, entry, message):
    from spinekit import ProgrammeError, read_programme

    f = tmp_path / "plan.yaml"
    f.write_text(yaml.safe_dump({"name": "x", "start": "2027-01-04", "scope": {"services": [entry]}}), encoding="utf-8")
    with pytest.raises(ProgrammeError) as info:
        read_programme(f)
    text = str(info.value)
    assert text.startswith(str(f)) and "scope.services[0].access" in text and message in text, text


# --- an HL7 V3 fallback is built as work of its own ----------------------------------------------


def test_an_hl7v3_operation_adds_its_own_build_at_hl7v3_lead_times():
    tasks = tasks_of([ServiceChoice("pds", operations=("search", "create-patient"))])
    fhir, v3 = tasks["build-pds"], tasks["build-pds-hl7v3"]
    assert fhir.duration == Duration(10, 20, 35) and fhir.name.endswith("(search)")
    assert v3.duration == Duration(15, 30, 60) and v3.name.endswith("(create-patient)")
    assert v3.basis.startswith("estimate [S12][S20]:")
    # The HL7 V3 build needs the route to Spine; the FHIR build does not wait for it.
    assert {"hscn", "asid-pds-int", "spine-certificates-pds-int", "test-smartcards"} <= preds(tasks, "build-pds-hl7v3")
    assert not {"hscn", "asid-pds-int", "spine-certificates-pds-int"} & preds(tasks, "build-pds")
    # Both builds, and the MHS, finish before CAP's testing stage and conformance.
    assert {"build-pds", "build-pds-hl7v3", "mhs-build"} <= preds(tasks, "cap-stage4-pds")
    assert {"build-pds", "build-pds-hl7v3", "mhs-build"} <= preds(tasks, "conformance-pds")


# --- organisations -------------------------------------------------------------------------------


@pytest.mark.parametrize("deployment", ["hosted", "per-trust-install"])
@pytest.mark.parametrize("organisations", [1, 2, 4])
def test_the_extra_organisation_preset_gives_the_network_of_one_more(organisations, deployment):
    from spinekit.catalogue.presets import PRESETS

    scope = {
        "hl7v3_fallback": ["pds"],
        "environments": ["int", "dep", "production"],
        "smartcards": True,
        "deployment": deployment,
    }
    services = ["pds", "eps", "mesh", "ers", "gp-connect"]
    grown = PRESETS["extra-organisation"](programme(services, organisations=organisations, **scope))
    direct = programme(services, organisations=organisations + 1, **scope)

    def network(p):
        return {t.id: (t.name, t.duration, {(d.task, d.type, d.lag) for d in t.depends_on}) for t in p.tasks}

    assert network(grown) == network(direct)


# --- presets on generated plans ------------------------------------------------------------------


def test_ptl_formality_leaves_nothing_in_dep_gating_production():
    from spinekit.catalogue.presets import PRESETS

    base = programme(["pds:hl7v3", "mesh", "sds", "cis2"], environments=["int", "dep", "production"])
    dep = {t.id for t in base.tasks if t.environment == "dep"}
    assert {"asid-pds-dep", "mesh-mailbox-mesh-dep", "api-application-sds-dep", "cis2-client-dep"} <= dep
    p = PRESETS["ptl-formality"](base)
    tasks = {t.id: t for t in p.tasks}
    assert not {i for i, t in tasks.items() if t.environment == "dep"}
    assert "dep-validation" not in tasks
    # The smoke test still waits for its agreement and live identities, and the go-live for the
    # conformance evidence DEP validation waited for, through the inherited links.
    assert {"connection-agreement-pds", "mhs-endpoint-pds-production"} <= preds(tasks, "smoke-test-pds-org1")
    assert {"connection-agreement-sds", "api-application-sds-production"} <= preds(tasks, "smoke-test-sds")
    # (PDS over HL7 V3 is tested in CAP stage 4, with no separate conformance.)
    assert {"build-pds", "conformance-sds", "smoke-test-pds-org1"} <= preds(tasks, "go-live-org1")
    assert "conformance-pds" not in tasks
    assert blocking(p) == []


def test_ptl_formality_leaves_nothing_in_dep_when_each_trust_installs_its_own():
    from spinekit.catalogue.presets import PRESETS

    base = programme(
        ["pds:hl7v3", "mesh"],
        environments=["int", "dep", "production"],
        organisations=2,
        deployment="per-trust-install",
    )
    assert {"dep-validation-org1", "dep-validation-org2", "asid-pds-dep-org2"} <= {t.id for t in base.tasks}
    tasks = {t.id: t for t in PRESETS["ptl-formality"](base).tasks}
    assert not [i for i, t in tasks.items() if t.environment == "dep" or t.kind == "dep-validation"]
    # Each Trust's smoke test still waits for its own live identities, and its go-live for the
    # conformance evidence.
    assert "asid-pds-production-org2" in preds(tasks, "smoke-test-pds-org2")
    assert "mesh-mailbox-mesh-production-org2" in preds(tasks, "smoke-test-mesh-org2")
    assert {"build-pds", "conformance-mesh"} <= preds(tasks, "go-live-org2")
    assert blocking(replace(base, tasks=tuple(tasks.values()))) == []


# --- assurance routes ----------------------------------------------------------------------------


def test_nhs_login_onboarding_is_its_own_route_with_no_generic_scal_or_connection_agreement():
    tasks = tasks_of(["nhs-login"])
    assert not {t.id for t in tasks.values() if t.kind in ("scal", "connection-agreement", "conformance")}
    assert "developer-account" not in tasks
    # The onboarding carries the SCAL and Connection Agreement: it cannot close before what its
    # SCAL rests on, and the smoke test and the organisation's acceptable use follow it.
    assert {d.task: d.type for d in tasks["nhs-login-onboarding"].depends_on} == {
        "ods-code": "FS",
        "dspt": "FS",
        "build-nhs-login": "FF",
        "pen-test-nhs-login": "FF",
        "cso-dcb0129": "FF",
        "medical-device-check": "FF",
    }
    assert preds(tasks, "smoke-test-nhs-login") == {"nhs-login-onboarding", "service-desk-registration"}
    assert preds(tasks, "euo-acceptable-use-org1") == {"nhs-login-onboarding"}
    p = programme(["nhs-login"])
    assert blocking(p) == []
    base = go_lives(p, None)["go-live-org1"]
    for slow in ("nhs-login-onboarding", "pen-test-nhs-login", "build-nhs-login", "dspt"):
        assert go_lives(p, slow)["go-live-org1"][0] > base[0], slow
    # Beside an API platform service, the generic SCAL and Connection Agreement are that
    # service's: NHS login's own onboarding does not feed them.
    mixed = tasks_of(["nhs-login", "pds"], access="application-restricted")
    assert preds(mixed, "connection-agreement-pds") == {"scal-pds", "pen-test-pds"} | PRODUCT_WIDE
    assert not {"conformance-nhs-login", "scal-nhs-login", "connection-agreement-nhs-login"} & set(mixed)
    assert "conformance-pds" in preds(mixed, "scal-pds")
    # Each API's smoke test waits for its own route's assurance.
    assert preds(mixed, "smoke-test-nhs-login") == {"nhs-login-onboarding", "service-desk-registration"}
    assert "connection-agreement-pds" in preds(mixed, "smoke-test-pds")
    assert "nhs-login-onboarding" not in preds(mixed, "smoke-test-pds")


def test_conformance_and_the_smoke_test_are_per_api():
    tasks = tasks_of(["pds", "mesh", "ers:hl7v3"], access="application-restricted")
    # Each API's conformance waits for its own build, not others'; e-RS over HL7 V3 is tested in
    # its CAP's stage 4 instead, which cannot close before its build and the MHS.
    assert preds(tasks, "conformance-pds") == {"build-pds", "reconciliation-observability-pds", "test-data-pds-int"}
    assert preds(tasks, "conformance-mesh") == {"build-mesh", "reconciliation-observability-mesh"}
    assert "conformance-ers" not in tasks and "scal-ers" not in tasks
    assert {d.task: d.type for d in tasks["cap-stage4-ers"].depends_on} == {
        "cap-stage3-ers": "FS",
        "build-ers": "FF",
        "mhs-build": "FF",
    }
    # ... and its own SCAL acceptance waits for its own conformance and pen test only.
    for s in ("pds", "mesh"):
        own = {d for d in preds(tasks, f"scal-{s}") if tasks[d].service is not None}
        assert own == {f"conformance-{s}", f"pen-test-{s}"}, s
    # Each API's smoke test uses its own production identities; one that uses the organisation's
    # live ASID or mailbox is the organisation's.
    assert preds(tasks, "smoke-test-pds") == {
        "connection-agreement-pds",
        "api-application-pds-production",
        "service-desk-registration",
    }
    assert preds(tasks, "smoke-test-mesh-org1") == {
        "connection-agreement-mesh",
        "mesh-mailbox-mesh-production-org1",
        "service-desk-registration",
    }
    assert preds(tasks, "smoke-test-ers-org1") == {
        "connection-agreement-ers",
        "spine-certificates-ers-production",
        "mhs-endpoint-ers-production",
        "asid-ers-production-org1",
        "service-desk-registration",
    }
    assert {"smoke-test-pds", "smoke-test-mesh-org1", "smoke-test-ers-org1"} <= preds(tasks, "go-live-org1")
    p = programme(["pds", "mesh", "ers:hl7v3"], access="application-restricted")
    base = go_lives(p)["go-live-org1"]
    for slow in (
        "conformance-pds",
        "conformance-mesh",
        "cap-stage4-ers",
        "smoke-test-mesh-org1",
        "smoke-test-ers-org1",
    ):
        assert go_lives(p, slow)["go-live-org1"][0] > base[0], slow


def test_each_gp_connect_gate_holds_up_go_live():
    p = programme(["gp-connect"], access="application-restricted")
    base = go_lives(p, None)["go-live-org1"]
    for slow in ("use-case-approval-gp-connect", "gp-connect-gate1", "gp-connect-gate2", "gp-connect-gate3"):
        assert go_lives(p, slow)["go-live-org1"][0] > base[0], slow
    # Gate 2 needs PDS: a slow PDS build holds it up too.
    assert go_lives(p, "build-pds")["go-live-org1"][0] > base[0]


def test_routes_bring_the_assurance_each_interface_needs():
    assert set(CAT.routes) == {"scal-dos", "cap", "gp-connect-gates", "nhs-login"}
    for svc in CAT.services:
        for iface in svc.interfaces:
            assert iface.assurance in CAT.routes, f"{svc.id}:{iface.id}"
    ldap = tasks_of(["sds:ldap"])
    # SDS LDAP is assured by CAP alone: no SCAL, no Digital Onboarding product, no separate
    # conformance (CAP stage 4 tests it); the agreement follows the CAP and the pen test.
    assert preds(ldap, "connection-agreement-sds") == {"cap-assurance-sds", "pen-test-sds"} | PRODUCT_WIDE
    assert not {"scal-sds", "conformance-sds", "developer-account"} & set(ldap)
    assert "cap-assurance-sds" not in tasks_of(["sds"], access="application-restricted")


def test_ers_hl7v3_cap_runs_in_five_stages_from_first_contact():
    tasks = tasks_of(["ers:hl7v3"])
    links = {i: {d.task: d.type for d in tasks[i].depends_on} for i in tasks if i.startswith("cap-")}
    assert links == {
        "cap-first-contact-ers": {"ods-code": "FS"},
        # Stage 1 needs the prerequisites: commissioner contract (with the use-case approval),
        # ODS code, HSCN and DSPT.
        "cap-stage1-ers": {
            "cap-first-contact-ers": "FS",
            "use-case-approval-ers": "FS",
            "ods-code": "FS",
            "hscn": "FS",
            "dspt": "FS",
        },
        "cap-stage2-ers": {"cap-stage1-ers": "FS"},
        "cap-stage3-ers": {"cap-stage2-ers": "FS"},
        # Testing cannot close before the build and the MHS it assures.
        "cap-stage4-ers": {"cap-stage3-ers": "FS", "build-ers": "FF", "mhs-build": "FF"},
        "cap-assurance-ers": {"cap-stage4-ers": "FS"},
    }
    assert "cap-assurance-ers" in preds(tasks, "connection-agreement-ers")
    # "Up to 47 weeks from first contact": the five stages' maxima add up to 235 working days.
    stages = ("cap-stage1-ers", "cap-stage2-ers", "cap-stage3-ers", "cap-stage4-ers", "cap-assurance-ers")
    assert sum(tasks[i].duration.max for i in stages) == 47 * 5
    # Hand-worked, likely durations, no holidays: ODS code 0-10, first contact at 10; the
    # developer account 10-12 and e-RS use-case approval 12-32; HSCN 10-40; DSPT 10-50, so
    # stage 1 runs 50-70, stage 2 70-100, stage 3 100-135, stage 4 135-170 (the build,
    # 65-95, and the MHS, after design 0-15 and HSCN 10-40: 40-65, finish first) and stage 5
    # 170-190.
    data = {
        "name": "e-RS",
        "start": "2027-01-04",
        "calendar": {"holidays": "none"},
        "scope": {"services": ["ers:hl7v3"]},
    }
    t = schedule(parse_programme(data)).table.set_index("id")
    got = {
        i: (int(t.at[i, "es"]), int(t.at[i, "ef"]))
        for i in ("cap-first-contact-ers", *stages, "build-ers", "mhs-build")
    }
    assert got == {
        "cap-first-contact-ers": (10, 10),
        "cap-stage1-ers": (50, 70),
        "cap-stage2-ers": (70, 100),
        "cap-stage3-ers": (100, 135),
        "cap-stage4-ers": (135, 170),
        "cap-assurance-ers": (170, 190),
        "build-ers": (65, 95),
        "mhs-build": (40, 65),
    }
    # A slow build now holds the CAP's testing stage, and so go-live.
    p = programme(["ers:hl7v3"])
    base = go_lives(p)["go-live-org1"]
    for slow in (*stages, "cap-first-contact-ers", "build-ers", "hscn"):
        assert go_lives(p, slow)["go-live-org1"][0] > base[0], slow
    # Every CAP route runs the same stages from first contact.
    pds = tasks_of(["pds:hl7v3"])
    assert preds(pds, "cap-stage1-pds") == {
        "cap-first-contact-pds",
        "use-case-approval-pds",
        "ods-code",
        "hscn",
        "dspt",
    }
    assert preds(pds, "cap-stage4-pds") == {"cap-stage3-pds", "build-pds", "mhs-build"}


# --- roll-out waves ------------------------------------------------------------------------------


def test_waves_stage_the_go_lives_behind_the_pilots_hypercare():
    p = programme(["pds", "mesh"], organisations=4, waves=[1, 2, 1])
    tasks = {t.id: t for t in p.tasks}
    # Hypercare at every organisation of a wave that another wave waits for; none for the last.
    assert [i for i in tasks if i.startswith("hypercare")] == ["hypercare-org1", "hypercare-org2", "hypercare-org3"]
    assert "hypercare-org1" not in preds(tasks, "go-live-org1")
    assert {"hypercare-org1"} <= preds(tasks, "go-live-org2") and {"hypercare-org1"} <= preds(tasks, "go-live-org3")
    assert {"hypercare-org2", "hypercare-org3"} <= preds(tasks, "go-live-org4")
    assert "hypercare-org1" not in preds(tasks, "go-live-org4")
    t = schedule(p).table.set_index("id")
    # Hand-worked: the pilot's hypercare is 10 working days (likely) from its go-live, and the
    # second wave is otherwise ready at the pilot's go-live (same smoke test, same IG lead times).
    assert t.at["go-live-org1", "es"] == t.at["go-live-org2", "es"] - 10 == t.at["go-live-org3", "es"] - 10
    assert t.at["go-live-org4", "es"] == t.at["go-live-org2", "es"] + 10
    assert blocking(p) == []
    assert not [i for i in (t.id for t in programme(["pds"], organisations=3).tasks) if i.startswith("hypercare")]


@pytest.mark.parametrize(
    "waves, message",
    [
        ([1, 1], "the waves add up to 2 organisations but the scope has 3; make them add up (for example [1, 2]"),
        ([1, 0, 2], "1 or more"),
    ],
)
def test_waves_must_add_up(waves, message):
    from spinekit import ProgrammeError

    with pytest.raises(ProgrammeError) as info:
        programme(["pds"], organisations=3, waves=waves)
    assert "scope.waves" in str(info.value) and message in str(info.value)


# --- what the supplier already holds -------------------------------------------------------------


def test_held_items_are_met_on_day_one(tmp_path, capsys):
    from _helpers import run

    from spinekit import read_programme

    f = tmp_path / "plan.yaml"
    code, _, err = run(capsys, "new", "--services", "pds:hl7v3,eps", "--have", "ods-code,dspt,hscn", "--out", str(f))
    assert code == 0 and err == ""
    p = read_programme(f)
    tasks = {t.id: t for t in p.tasks}
    for held in ("ods-code", "dspt", "hscn"):
        assert tasks[held].duration == Duration.fixed(0) and tasks[held].depends_on == (), held
        assert tasks[held].basis.startswith("held: listed in scope.have")
    t = schedule(p).table.set_index("id")
    # Hand-worked: developer account 2 days, then the use-case approvals (20) gate EPS intake.
    assert t.at["developer-account", "es"] == 0 and t.at["developer-account", "ef"] == 2
    assert t.at["nhs-dns-name-int", "es"] == 0  # HSCN is in place: the DNS request goes in at once
    assert blocking(p) == []


@pytest.mark.parametrize(
    "have, message",
    [
        (["build"], "'build' is not a one-off item a supplier holds"),
        (["dsp"], "unknown item 'dsp'; did you mean 'dspt'?"),
    ],
)
def test_have_names_only_what_a_supplier_can_hold(have, message):
    from spinekit import ProgrammeError

    with pytest.raises(ProgrammeError) as info:
        programme(["pds"], have=have)
    assert "scope.have[0]" in str(info.value) and message in str(info.value)


def test_gp_connect_passes_its_gates_and_brings_pds():
    tasks = tasks_of(["gp-connect"], access="application-restricted")
    # Expression of interest, Gate 1 on the demonstrator, the INT build, Gate 2 end to end in
    # INT (HSCN and PDS in place), Gate 3, then the Connection Agreement.
    assert preds(tasks, "gp-connect-gate1") == {"use-case-approval-gp-connect", "design"}
    assert "gp-connect-gate1" in preds(tasks, "build-gp-connect")
    assert preds(tasks, "gp-connect-gate2") == {"build-gp-connect", "hscn", "build-pds"}
    assert preds(tasks, "gp-connect-gate3") == {"gp-connect-gate2"}
    assert "gp-connect-gate2" in preds(tasks, "conformance-gp-connect")
    assert "gp-connect-gate2" not in preds(tasks, "conformance-pds")
    assert "gp-connect-gate3" in preds(tasks, "connection-agreement-gp-connect")
    # PDS, brought in for NHS number verification, has its own agreement without the gates.
    assert "gp-connect-gate3" not in preds(tasks, "connection-agreement-pds")
    # PDS joins for NHS number verification, with its own approval and application.
    assert {"use-case-approval-pds", "api-application-pds-int"} <= preds(tasks, "build-pds")
    assert "gp-connect-gate1" not in preds(tasks, "build-pds")
    nrl = tasks_of(["nrl"], access="application-restricted")
    assert {"build-pds", "use-case-approval-pds"} <= set(nrl) and not [i for i in nrl if "gp-connect" in i]


def test_hl7v3_surprise_adds_what_the_fallback_adds_and_nothing_twice():
    from spinekit.catalogue.presets import PRESETS

    base = programme(["pds:hl7v3", "eps"])
    before = {t.id: t for t in base.tasks}
    after = {t.id: t for t in PRESETS["hl7v3-surprise"](base).tasks}
    # PDS is already on HL7 V3 (HSCN, DNS names, MPV, the MHS build and smartcards are there);
    # EPS's fallback adds its own build, endpoints, ASIDs, certificates and CAP.
    assert set(after) - set(before) == {
        "build-eps-hl7v3",
        "mhs-endpoint-eps-int",
        "mhs-endpoint-eps-production",
        "asid-eps-int",
        "asid-eps-production-org1",
        "spine-certificates-eps-int",
        "spine-certificates-eps-production",
        "cap-first-contact-eps",
        "cap-stage1-eps",
        "cap-stage2-eps",
        "cap-stage3-eps",
        "cap-stage4-eps",
        "cap-assurance-eps",
    }
    assert not set(before) - set(after)
    assert preds(after, "build-eps-hl7v3") >= {"asid-eps-int", "spine-certificates-eps-int", "hscn", "eps-intake"}
    assert preds(after, "cap-stage4-eps") == {"cap-stage3-eps", "build-eps", "build-eps-hl7v3", "mhs-build"}
    added_links = {i: preds(after, i) - preds(before, i) for i in before if preds(after, i) != preds(before, i)}
    assert added_links == {
        "pen-test-eps": {"build-eps-hl7v3"},
        "reconciliation-observability-eps": {"build-eps-hl7v3"},
        "conformance-eps": {"build-eps-hl7v3"},
        "connection-agreement-eps": {"cap-assurance-eps"},
        "smoke-test-eps-org1": {
            "asid-eps-production-org1",
            "mhs-endpoint-eps-production",
            "spine-certificates-eps-production",
        },
        "go-live-org1": {"asid-eps-production-org1"},
    }
    assert blocking(replace(base, tasks=tuple(after.values()))) == []


@pytest.mark.parametrize(
    ("services", "reason"),
    [
        (["pds:hl7v3"], "already uses it"),
        (["mesh", "nhs-login"], "cannot fall back to HL7 V3"),
    ],
)
def test_hl7v3_surprise_with_nothing_to_add_is_a_no_op_with_a_note(services, reason):
    p = programme(services)
    data = {
        "name": "generated",
        "start": "2027-01-04",
        "scope": {"services": services},
        "scenarios": [{"id": "v3", "preset": "hl7v3-surprise"}, {"id": "late", "preset": "late-requests"}],
    }
    read = parse_programme(data)
    notes = {s.id: s.note for s in read.scenarios}
    assert notes["late"] is None and reason in notes["v3"] and notes["v3"].startswith("preset hl7v3-surprise: ")
    assert "set hl7v3_fallback to false" not in notes["v3"]  # the plan never asked for it
    assert len(p.tasks) == len(read.tasks)


def test_hl7v3_surprise_on_a_hand_written_plan_already_on_hl7v3_says_so():
    from spinekit import NothingToChange
    from spinekit.catalogue.presets import PRESETS

    hand = replace(programme(["pds:hl7v3", "eps"]), rescope=None)
    with pytest.raises(NothingToChange, match=r"already has the HL7 V3 route \(mhs-build\)"):
        PRESETS["hl7v3-surprise"](hand)
    twice = PRESETS["hl7v3-surprise"](replace(programme(["pds", "eps"]), rescope=None))
    with pytest.raises(NothingToChange, match=r"already has the HL7 V3 route \(hl7v3-route\)"):
        PRESETS["hl7v3-surprise"](twice)
