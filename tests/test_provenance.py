"""Why each task is here: every generated task records the catalogue rule that produced it, and
the schedule JSON, the Gantt hover, the explorer and the report appendix show it."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from _helpers import ROOT, run, write_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spinekit
from spinekit import Rule, gantt, parse_programme, schedule, task_rules
from spinekit.model.domain import Programme

# The catalogue as its YAML files say it, read without spinekit: the expectations below come
# from these files, not from the expansion under test.
RAW_ITEMS = {i["id"]: i for i in yaml.safe_load((ROOT / "data/catalogue/items.yaml").read_text())["items"]}
RAW_SERVICES = {s["id"]: s for s in yaml.safe_load((ROOT / "data/catalogue/services.yaml").read_text())["services"]}
SOURCE_IDS = {s["id"] for s in yaml.safe_load((ROOT / "data/catalogue/sources.yaml").read_text())["sources"]}
INTERFACES = {(s, i["id"]): i for s, svc in RAW_SERVICES.items() for i in svc["interfaces"]}
CHOICES = [f"{s}:{i}" for s, i in INTERFACES]
OPTIONS = {"smartcards", "waves", "every plan"}


def generated(services, **scope) -> Programme:
    data = {"name": "generated", "start": "2027-01-04", "scope": {"services": list(services), **scope}}
    return parse_programme(data)


def rule_of(p: Programme, task_id: str) -> Rule:
    rule = p.task(task_id).rule
    assert rule is not None, task_id
    return rule


# --- hand-picked scopes, with the rule stated for specific tasks ----------------------------------


def test_int_application_for_pds_fhir():
    p = generated(["pds"])
    assert rule_of(p, "api-application-pds-int") == Rule(
        item="api-application",
        service="pds",
        interface="fhir",
        operations=(),
        repeat=("per-environment", "per-service"),
        environment="int",
        route="scal-dos",
        needed_by=("pds:fhir",),
        # The item's lead-time sources (items.yaml), then the PDS FHIR interface's (services.yaml).
        sources=("S9", "S61", "S6", "S7"),
    )
    raw = RAW_ITEMS["api-application"]
    assert raw["provenance"]["sources"] == ["S9", "S61"] and raw["repeat"] == ["per-environment", "per-service"]
    assert INTERFACES[("pds", "fhir")]["sources"] == ["S6", "S7"]
    assert INTERFACES[("pds", "fhir")]["assurance"] == "scal-dos"


def test_production_application_cites_the_production_figure():
    rule = rule_of(generated(["pds"]), "api-application-pds-production")
    # The production variant's own sources (S9, S7) replace the INT figure's, then PDS FHIR's.
    assert RAW_ITEMS["api-application"]["production"]["provenance"]["sources"] == ["S9", "S7"]
    assert (rule.environment, rule.sources) == ("production", ("S9", "S7", "S6"))


def test_live_asid_for_a_second_trust_in_the_second_wave():
    p = generated(["ers:hl7v3"], environments=["int", "dep", "production"], organisations=2, waves=[1, 1])
    assert rule_of(p, "asid-ers-production-org2") == Rule(
        item="asid",
        service="ers",
        interface="hl7v3",
        repeat=("per-environment", "per-organisation", "per-service"),
        environment="production",
        organisation=2,
        wave=2,
        route="cap",
        needed_by=("ers:hl7v3",),
        sources=("S17", "S18", "S58", "S27"),
    )
    assert rule_of(p, "asid-ers-production-org1").wave == 1
    # INT identities are the supplier's one set: no organisation, no wave.
    int_rule = rule_of(p, "asid-ers-int")
    assert (int_rule.environment, int_rule.organisation, int_rule.wave) == ("int", None, None)


def test_fallback_build_names_its_own_interface_operations_and_route():
    p = generated([{"service": "pds", "operations": ["search", "create-patient"]}])
    fhir, v3 = rule_of(p, "build-pds"), rule_of(p, "build-pds-hl7v3")
    assert (fhir.interface, fhir.operations, fhir.route) == ("fhir", ("search",), "scal-dos")
    assert (v3.interface, v3.operations, v3.route) == ("hl7v3", ("create-patient",), "cap")
    assert v3.needed_by == ("pds:hl7v3",)


def test_shared_items_say_what_needs_them():
    p = generated(["pds:hl7v3"], smartcards=True)
    hscn = rule_of(p, "hscn")
    assert (hscn.service, hscn.interface, hscn.route) == (None, None, "cap")
    assert hscn.needed_by == ("pds:hl7v3", "smartcards")
    # The developer account comes with the SCAL/DOS route of the CIS2 sign-in that
    # user-restricted access brings; PDS over HL7 V3 is assured by CAP, which needs none.
    account = rule_of(p, "developer-account")
    assert (account.service, account.needed_by, account.route) == (None, ("cis2:oidc",), "scal-dos")
    # GP Connect's gates and the SCAL/DOS of the PDS it brings both list it: two routes, so no
    # single one is named.
    gp = generated(["gp-connect"], access="application-restricted")
    account = rule_of(gp, "developer-account")
    assert (account.service, account.needed_by, account.route) == (None, ("gp-connect:fhir", "pds:fhir"), None)
    # SCAL is per API (items.yaml repeat: per-service): each names only its own interface and route.
    for task_id, service, interface, route in [
        ("scal-pds", "pds", "fhir", "scal-dos"),
        ("scal-gp-connect", "gp-connect", "fhir", "gp-connect-gates"),
    ]:
        rule = rule_of(gp, task_id)
        assert (rule.service, rule.interface, rule.route) == (service, interface, route)
        assert rule.needed_by == (f"{service}:{interface}",)


def test_hand_written_tasks_have_no_rule():
    p = parse_programme({"name": "t", "start": "2027-01-04", "tasks": [{"id": "a", "duration": 3, "kind": "build"}]})
    assert p.task("a").rule is None
    assert task_rules(p).empty


def test_extra_organisation_preset_renumbers_the_rule():
    from spinekit.catalogue.presets import extra_organisation

    p = extra_organisation(generated(["pds"], organisations=2))
    assert rule_of(p, "go-live-org3").organisation == 3
    assert rule_of(p, "go-live-org2").organisation == 2


# --- every generated task, for many scopes -------------------------------------------------------


@st.composite
def scopes(draw):
    picked = draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=4, unique=True))
    organisations = draw(st.integers(1, 4))
    cuts = sorted(draw(st.sets(st.integers(1, organisations - 1), max_size=2))) if organisations > 1 else []
    waves = [b - a for a, b in zip([0, *cuts], [*cuts, organisations], strict=True)]
    with_v3 = any(c.endswith(":hl7v3") for c in picked)
    return picked, {
        "environments": draw(st.sampled_from([["int", "production"], ["int", "dep", "production"]])),
        "access": draw(st.sampled_from(["user-restricted", "application-restricted"])),
        "smartcards": draw(st.booleans()),
        "organisations": organisations,
        "hl7v3_fallback": draw(st.booleans()) if with_v3 else False,
        "waves": waves if draw(st.booleans()) else [],
        "have": draw(st.lists(st.sampled_from(["ods-code", "dspt", "hscn"]), unique=True)),
        "deployment": draw(st.sampled_from(["hosted", "per-trust-install"])),
    }


def wave_of(organisation: int, waves: list[int]) -> int:
    """The 1-based wave of an organisation, counted by hand from the wave sizes."""
    total = 0
    for k, size in enumerate(waves, start=1):
        total += size
        if organisation <= total:
            return k
    raise AssertionError(organisation)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scopes())
def test_every_generated_task_has_a_rule_that_agrees_with_it(drawn):
    services, scope = drawn
    p = generated(services, **scope)
    in_scope = {t.service for t in p.tasks if t.service}
    for t in p.tasks:
        rule = t.rule
        assert rule is not None, t.id
        assert rule.item == t.kind and rule.item in RAW_ITEMS, t.id
        assert (rule.service, rule.environment) == (t.service, t.environment), t.id
        repeat = RAW_ITEMS[rule.item]["repeat"]
        assert rule.repeat == (tuple(repeat) if isinstance(repeat, list) else (repeat,)), t.id
        # The task id is the item, then the service, environment and organisation it repeats for.
        assert t.id.startswith(rule.item), t.id
        if "per-service" in rule.repeat:
            assert f"-{rule.service}" in t.id, t.id
        org = re.search(r"-org(\d+)$", t.id)
        assert rule.organisation == (int(org.group(1)) if org else None), t.id
        expected_wave = wave_of(rule.organisation, scope["waves"]) if scope["waves"] and rule.organisation else None
        assert rule.wave == expected_wave, t.id
        # A service's task serves one of its interfaces; a fallback's repeat names its own.
        assert (rule.service is None) == (rule.interface is None), t.id
        if t.id.startswith(f"{rule.item}-{rule.service}-hl7v3"):
            assert rule.interface == "hl7v3", t.id
        if rule.interface is not None:
            assert rule.service is not None and (rule.service, rule.interface) in INTERFACES, t.id
            assert rule.route == INTERFACES[(rule.service, rule.interface)]["assurance"], t.id
            ops = {o["id"]: o for o in RAW_SERVICES[rule.service].get("operations", [])}
            assert all(rule.interface in ops[o]["interfaces"] for o in rule.operations), t.id
        assert rule.needed_by, t.id
        for need in rule.needed_by:
            if need not in OPTIONS:
                service, _, interface = need.partition(":")
                assert service in in_scope and (service, interface) in INTERFACES, (t.id, need)
        # Every source the lead time cites is in the rule, and every source is a catalogue source.
        cited = re.findall(r"\[(S\d+[a-z]?)\]", t.basis or "")
        assert set(cited) <= set(rule.sources), t.id
        assert set(rule.sources) <= SOURCE_IDS, t.id


# --- where the rule is shown ---------------------------------------------------------------------

PLAN = """name: why
start: 2027-01-04
calendar: {holidays: none}
scope:
  services: [pds]
tasks:
  - {id: kickoff, duration: 1, owner: supplier}
"""


def test_schedule_json_carries_the_rule(tmp_path, capsys):
    code, out, err = run(capsys, "schedule", write_file(tmp_path, PLAN), "--format", "json")
    assert code == 0, err
    tasks = {t["id"]: t for t in json.loads(out)["tasks"]}
    assert tasks["api-application-pds-int"]["rule"] == {
        "item": "api-application",
        "service": "pds",
        "interface": "fhir",
        "operations": [],
        "repeat": ["per-environment", "per-service"],
        "environment": "int",
        "organisation": None,
        "wave": None,
        "route": "scal-dos",
        "needed_by": ["pds:fhir"],
        "sources": ["S9", "S61", "S6", "S7"],
    }
    # A hand-written task has no rule, and the existing keys are unchanged.
    assert "rule" not in tasks["kickoff"]
    assert set(tasks["kickoff"]) == {
        "id", "name", "start", "finish", "es", "ef", "ls", "lf", "total_float", "free_float",
        "critical", "duration", "owner",
    }  # fmt: skip
    assert tasks["kickoff"]["name"] == "kickoff" and tasks["kickoff"]["duration"] == 1


def test_gantt_hover_says_why_here():
    p = parse_programme(yaml.safe_load(PLAN))
    fig = gantt(schedule(p))
    texts = [h for trace in fig.data for h in (trace.hovertext or ()) if isinstance(h, str)]
    app = next(h for h in texts if "<br>api-application-pds-int" in h)
    assert "Why here: catalogue item api-application for pds:fhir, per environment and" in app
    assert "route scal-dos [S9][S61][S6][S7]" in app
    kickoff = next(h for h in texts if "<br>kickoff" in h)
    assert "Why here" not in kickoff


def test_explorer_chart_hover_says_why_here():
    from spinekit.views.explorer.widgets import ExplorerState, evaluate, read_base

    base = read_base()
    result = evaluate(base, ExplorerState.from_programme(base))
    texts = [h for trace in result.figure().data for h in (trace.hovertext or ()) if isinstance(h, str)]
    build = next(h for h in texts if "<br>build-eps" in h)
    assert "Why here: catalogue item build for eps:fhir" in build


def test_report_appendix_lists_why_each_task_is_here(example_report):
    page = example_report.html.read_text(encoding="utf-8")
    appendix = page[page.index("Appendix: why each task is here") :]
    cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", appendix, flags=re.S)]
    at = cells.index("api-application-pds-int")
    assert cells[at : at + 6] == [
        "api-application-pds-int",
        "api-application",
        "pds:fhir",
        "per environment and per service; int",
        "scal-dos",
        "S9, S61, S6, S7",
    ]


def test_a_hand_written_plan_has_no_rows_and_the_report_says_so(tmp_path):
    written = ROOT / "data/examples/pds-eps-cis2-tasks.yaml"
    assert spinekit.why_here_table(spinekit.read_programme(written)).empty
    page = spinekit.build_report(written, tmp_path, iterations=50, seed=1).html.read_text(encoding="utf-8")
    appendix = page[page.index("Appendix: why each task is here") :]
    assert "No task in this programme was generated from the catalogue" in appendix
    assert "<td>" not in appendix


# --- the programme file ---------------------------------------------------------------------------


def test_rules_round_trip_through_yaml(tmp_path):
    p = generated(["ers:hl7v3", "pds"], environments=["int", "dep", "production"], organisations=2, waves=[1, 1])
    written = [
        {"id": t.id, "duration": 1, "kind": t.kind, **({"rule": t.rule.to_dict()} if t.rule else {})} for t in p.tasks
    ]
    text = yaml.safe_dump({"name": "round trip", "start": "2027-01-04", "tasks": written}, sort_keys=False)
    again = spinekit.read_programme(write_file(tmp_path, text))
    assert [t.rule for t in again.tasks] == [t.rule for t in p.tasks]
    # As written, a rule reads as the programme file documents it.
    entry = next(w for w in yaml.safe_load(text)["tasks"] if w["id"] == "asid-ers-production-org2")
    assert entry["rule"]["organisation"] == 2 and entry["rule"]["wave"] == 2
    assert entry["rule"]["repeat"] == ["per-environment", "per-organisation", "per-service"]


def test_a_plan_written_by_new_has_its_rules_when_read_back(tmp_path, capsys):
    out = tmp_path / "new.yaml"
    code, _, err = run(capsys, "new", "--services", "ers:hl7v3", "--organisations", "2", "--out", out)
    assert code == 0, err
    # The scope is written, not the tasks: the rules come from it on reading.
    assert re.search(r"^\s*-?\s*rule:", out.read_text(), flags=re.M) is None
    p = spinekit.read_programme(out)
    assert rule_of(p, "asid-ers-production-org2") == Rule(
        item="asid",
        service="ers",
        interface="hl7v3",
        repeat=("per-environment", "per-organisation", "per-service"),
        environment="production",
        organisation=2,
        route="cap",
        needed_by=("ers:hl7v3",),
        sources=("S17", "S18", "S58", "S27"),
    )


def test_a_hand_written_rule_is_kept():
    p = parse_programme(
        {
            "name": "t",
            "start": "2027-01-04",
            "tasks": [{"id": "a", "duration": 2, "rule": {"item": "build", "service": "pds", "sources": ["S7"]}}],
        }
    )
    assert p.task("a").rule == Rule(item="build", service="pds", sources=("S7",))


@pytest.mark.parametrize(
    ("rule", "field", "says"),
    [
        ("{item: build, servise: pds}", "rule.servise", "did you mean 'service'"),
        ("{item: build, organisation: 0}", "rule.organisation", "whole number of 1 or more, got 0"),
        ("{item: build, wave: true}", "rule.wave", "whole number of 1 or more, got True"),
        ("{item: build, organisation: two}", "rule.organisation", "whole number"),
        ("{service: pds}", "rule.item", "missing required key 'item'"),
    ],
)
def test_a_bad_rule_field_exits_2_naming_file_task_and_field(tmp_path, capsys, rule, field, says):
    path = write_file(tmp_path, f"name: t\nstart: 2027-01-04\ntasks:\n  - {{id: a, duration: 1, rule: {rule}}}\n")
    code, out, err = run(capsys, "schedule", path)
    assert code == 2 and out == ""
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert "plan.yaml" in line and "task 'a'" in line and field in line and says in line, line


def test_the_json_schema_takes_a_rule_and_refuses_a_bad_one(capsys):
    import jsonschema

    code, text, _ = run(capsys, "schema")
    validator = jsonschema.Draft202012Validator(json.loads(text))
    rule = {"item": "asid", "service": "ers", "interface": "hl7v3", "repeat": ["per-environment"], "organisation": 2}
    good = {"name": "t", "start": "2027-01-04", "tasks": [{"id": "a", "duration": 1, "rule": rule}]}
    assert code == 0 and list(validator.iter_errors(good)) == []
    for bad in ({**rule, "servise": "ers"}, {**rule, "organisation": 0}, {"service": "ers"}, {**rule, "wave": "two"}):
        data = {**good, "tasks": [{"id": "a", "duration": 1, "rule": bad}]}
        assert list(validator.iter_errors(data)), bad
