"""The Spine catalogue: bundled data is complete and sourced; schema errors are clear."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from spinekit import CatalogueError, SpinekitError, data_dir, load_catalogue
from spinekit.catalogue.load import BASES, OWNERS, TRACKS

CATALOGUE = data_dir() / "catalogue"
SERVICES = ("pds", "sds", "eps", "ers", "scr", "mesh", "nrl", "gp-connect", "nhs-login", "cis2")


def raw(name: str):
    return yaml.safe_load((CATALOGUE / name).read_text(encoding="utf-8"))


def lead_times(node, path=()):
    """Every mapping in the data that carries a lead_time, with where it is."""
    if isinstance(node, dict):
        if "lead_time" in node:
            yield path, node
        for k, v in node.items():
            yield from lead_times(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            label = v.get("id", i) if isinstance(v, dict) else i
            yield from lead_times(v, (*path, str(label)))


# --- bundled data -----------------------------------------------------------------------------


def test_bundled_catalogue_loads_with_every_service():
    cat = load_catalogue()
    assert cat.service_ids == SERVICES
    assert cat.item("ods-code").owner == "NHS England"
    assert load_catalogue() is cat  # read once, shared


@pytest.mark.parametrize(
    "ref, default",
    [
        ("pds:fhir", True),
        ("pds:hl7v3", False),
        ("sds:fhir", True),
        ("sds:ldap", False),
        ("eps:fhir", True),
        ("eps:hl7v3", False),
        ("ers:fhir", True),
        ("ers:hl7v3", False),
        ("scr:fhir", True),
        ("scr:hl7v3", False),
        ("mesh:api", True),
        ("nrl:fhir", True),
        ("gp-connect:fhir", True),
        ("nhs-login:oidc", True),
        ("cis2:oidc", True),
    ],
)
def test_interfaces_and_defaults(ref, default):
    sid, iid = ref.split(":")
    iface = load_catalogue().service(sid).interface(iid)
    assert iface.default is default
    assert iface.generation and iface.access and iface.environments and iface.assurance
    assert iface.sources


def test_hl7v3_interfaces_need_spine_messaging_and_the_fhir_ones_do_not():
    cat = load_catalogue()
    for sid in ("pds", "eps", "ers", "scr"):
        v3, fhir = cat.service(sid).interface("hl7v3"), cat.service(sid).default_interface
        assert v3.asid and v3.party_key and v3.assurance == "cap"
        assert {"hscn", "mhs-endpoint", "spine-certificates"} <= set(cat.expand(v3.needs))
        assert "cap-assurance" in cat.expand(cat.routes[v3.assurance])
        assert "hscn" not in cat.expand(fhir.needs) and not fhir.hscn
    assert cat.service("gp-connect").default_interface.hscn  # SSP needs HSCN
    assert cat.service("mesh").default_interface.hscn == ("dep",)  # MESH DEP is HSCN-only


def test_operations_split_fhir_from_hl7v3_only():
    pds = load_catalogue().service("pds")
    assert pds.operation("search").interfaces == ("fhir",)
    assert pds.operation("birth-registration").interfaces == ("hl7v3",)
    assert load_catalogue().service("ers").operation("slot-management").interfaces == ("hl7v3",)


def test_items_cover_the_prerequisites():
    cat = load_catalogue()
    refs = {i.ref for i in cat.items if i.ref}
    expected = {f"P{n:02d}" for n in range(1, 30)} - {"P18", "P27"} | {"P18a", "P18b"}
    assert expected <= refs
    # P27, the e-RS HL7 V3 CAP, is the e-RS interface's own variant of the CAP stages: up to
    # 47 weeks (235 working days) from first contact.
    variants = cat.service("ers").interface("hl7v3").variants
    stages = ("cap-stage1", "cap-stage2", "cap-stage3", "cap-stage4", "cap-assurance")
    assert sum(variants[s].lead_time.max for s in stages) == 235
    assert all("47 weeks" in variants[s].provenance.note for s in stages)


def test_items_use_the_vocabularies():
    for item in load_catalogue().items:
        assert item.owner in OWNERS and item.track in TRACKS, item.id
        # Reviewed when the catalogue was compiled (2026-11-26) or since, never in the future.
        assert dt.date(2026, 11, 26) <= item.reviewed <= dt.date.today(), item.id
        assert item.lead_time.min <= item.lead_time.likely <= item.lead_time.max


def test_every_lead_time_in_the_catalogue_carries_provenance():
    sources = {s["id"] for s in raw("sources.yaml")["sources"]}
    found = 0
    for name in ("items.yaml", "services.yaml"):
        for path, node in lead_times(raw(name)):
            where = f"{name}: {'.'.join(path)}"
            prov = node.get("provenance")
            assert prov, f"{where} has a lead_time without provenance"
            assert prov["basis"] in BASES, where
            cited = prov.get("sources") or []
            if prov["basis"] in ("published", "reported"):
                assert cited, f"{where}: a {prov['basis']} figure must cite sources"
            else:
                assert len(prov.get("note", "").split()) >= 3, f"{where}: an estimate needs its reasoning"
            assert set(cited) <= sources, f"{where} cites unknown sources {set(cited) - sources}"
            found += 1
    assert found >= 50


def test_every_item_and_service_variant_is_reviewed():
    for item in raw("items.yaml")["items"]:
        assert "reviewed" in item, item["id"]
    for svc in raw("services.yaml")["services"]:
        for iface in svc["interfaces"]:
            for key, variant in (iface.get("variants") or {}).items():
                if "lead_time" in variant:
                    assert "reviewed" in variant, (svc["id"], iface["id"], key)


def test_sources_have_addresses_or_descriptions():
    cat = load_catalogue()
    assert {"S7", "S15", "S33", "S44", "S64"} <= {s.id for s in cat.sources}
    for s in cat.sources:
        assert s.description
        assert all(u.startswith("https://") for u in s.urls)
    assert cat.source("S33").urls[0].startswith("https://digital.nhs.uk/services/care-identity-service")


def test_published_figures_are_the_sourced_ones():
    cat = load_catalogue()
    assert cat.item("cis2-client").provenance.basis == "published"
    assert cat.item("cis2-client").production.provenance.describe().startswith("published [S33]:")
    assert cat.item("nhs-login-onboarding").provenance.sources == ("S44",)
    assert cat.item("eps-intake").provenance.basis == "estimate"
    saq = cat.service("cis2").default_interface.variants["use-case-approval"]
    assert saq.provenance.basis == "published" and saq.provenance.sources == ("S15",)


# --- schema errors ----------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path) -> Path:
    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    f = folder / name
    text = f.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def error(folder: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert isinstance(info.value, SpinekitError) and isinstance(info.value, ValueError)
    return str(info.value)


def test_copy_loads_like_the_bundled_one(copy):
    assert load_catalogue(copy) == load_catalogue()


def test_unknown_owner_names_entry_and_suggests(copy):
    edit(
        copy,
        "items.yaml",
        "    owner: supplier\n    track: identity\n    repeat: once\n    include: when-needed\n    depends_on: [ods-code]\n    lead_time: {min: 1, likely: 2",
        "    owner: suplier\n    track: identity\n    repeat: once\n    include: when-needed\n    depends_on: [ods-code]\n    lead_time: {min: 1, likely: 2",
    )
    msg = error(copy)
    assert "items.yaml: entry 'developer-account': field 'owner'" in msg
    assert "did you mean 'supplier'?" in msg


def test_published_without_sources(copy):
    edit(
        copy, "items.yaml", "      basis: published\n      sources: [S62]", "      basis: published\n      sources: []"
    )
    msg = error(copy)
    assert "entry 'cis2-client': field 'provenance'" in msg and "must cite its sources" in msg


def test_estimate_without_reasoning(copy):
    edit(copy, "items.yaml", "      note: A form; up to one week.", "      note: ''")
    msg = error(copy)
    assert "entry 'service-desk-registration'" in msg and "reasoning" in msg


def test_unknown_basis(copy):
    edit(copy, "items.yaml", "      basis: estimate\n      sources: [S50]", "      basis: guess\n      sources: [S50]")
    msg = error(copy)
    assert "entry 'ods-code': field 'provenance.basis'" in msg and "published, reported, estimate" in msg


def test_unknown_dependency_suggests_the_closest_item(copy):
    edit(
        copy,
        "items.yaml",
        "    depends_on: [ods-code]\n    lead_time: {min: 1, likely: 2",
        "    depends_on: [ods-cod]\n    lead_time: {min: 1, likely: 2",
    )
    msg = error(copy)
    assert "entry 'developer-account': field 'depends_on[0]'" in msg and "did you mean 'ods-code'?" in msg


def test_unknown_source_id(copy):
    edit(copy, "items.yaml", "sources: [S62]", "sources: [S620]")
    msg = error(copy)
    assert "entry 'cis2-client': field 'provenance.sources[0]'" in msg and "unknown source 'S620'" in msg


def test_misspelt_key(copy):
    edit(
        copy,
        "items.yaml",
        "    lead_time: {min: 5, likely: 10, max: 20}\n    provenance:\n      basis: estimate\n      sources: [S50]",
        "    lead_tme: {min: 5, likely: 10, max: 20}\n    provenance:\n      basis: estimate\n      sources: [S50]",
    )
    msg = error(copy)
    assert "entry 'ods-code'" in msg and "unknown key 'lead_tme'; did you mean 'lead_time'?" in msg


def test_unordered_lead_time(copy):
    edit(copy, "items.yaml", "lead_time: {min: 5, likely: 10, max: 20}", "lead_time: {min: 25, likely: 10, max: 20}")
    msg = error(copy)
    assert "entry 'ods-code': field 'lead_time'" in msg and "min <= likely <= max" in msg


def test_duplicate_item(copy):
    edit(copy, "items.yaml", "  - id: developer-account\n", "  - id: ods-code\n")
    assert "entry 'ods-code'" in error(copy) and "duplicate item id" in error(copy)


def test_interface_needs_unknown_item(copy):
    edit(
        copy,
        "services.yaml",
        "needs: [use-case-approval, api-application, test-data]",
        "needs: [use-case-aproval, api-application, test-data]",
    )
    msg = error(copy)
    assert "services.yaml: entry 'pds': field 'interfaces[fhir].needs[0]'" in msg
    assert "did you mean 'use-case-approval'?" in msg


def test_service_variant_field_path(copy):
    edit(
        copy,
        "services.yaml",
        "            name: PDS access request approved\n            lead_time: {min: 10, likely: 20, max: 40}\n            provenance:\n              basis: estimate",
        "            name: PDS access request approved\n            lead_time: {min: 10, likely: 20, max: 40}\n            provenance:\n              basis: estimat",
    )
    msg = error(copy)
    assert "entry 'pds': field 'interfaces[fhir].variants.use-case-approval.provenance.basis'" in msg
    assert "did you mean 'estimate'?" in msg


def test_variant_of_an_item_that_does_not_repeat_per_service(copy):
    edit(
        copy,
        "services.yaml",
        "        variants:\n          use-case-approval:\n            name: PDS access request approved",
        "        variants:\n          dspt:\n            name: PDS access request approved",
    )
    msg = error(copy)
    assert "entry 'pds'" in msg and "'dspt' is not a per-service item" in msg


def test_asid_flag_must_match_needs(copy):
    edit(
        copy,
        "services.yaml",
        "needs: [use-case-approval, api-application, asid, mpv-registration, test-data]",
        "needs: [use-case-approval, api-application, mpv-registration, test-data]",
    )
    msg = error(copy)
    assert "entry 'ers': field 'interfaces[fhir].needs'" in msg and "asid is true" in msg


def test_missing_file_and_bad_yaml(copy):
    (copy / "sources.yaml").unlink()
    assert "sources.yaml: no such file" in error(copy)
    (copy / "sources.yaml").write_text("sources: [\n", encoding="utf-8")
    assert "sources.yaml: malformed YAML" in error(copy)


def test_a_variant_drops_only_links_the_item_has(copy):
    edit(
        copy,
        "services.yaml",
        "            name: Build EPS FHIR prescribing against INT (prepare, sign, send, cancel)\n",
        "            name: Build EPS FHIR prescribing against INT (prepare, sign, send, cancel)\n"
        "            drops: [design, pen-test]\n",
    )
    msg = error(copy)
    assert "entry 'eps'" in msg and "drops[1]" in msg and "'build' does not depend on 'pen-test'" in msg


def test_per_organisation_in_needs_both_repeats(copy):
    edit(
        copy,
        "items.yaml",
        "    repeat: [per-environment, per-organisation, per-service]\n    per_organisation_in: [production]\n"
        "    include: when-needed\n    installed: true\n    depends_on: [mpv-registration, mhs-endpoint]",
        "    repeat: [per-environment, per-service]\n    per_organisation_in: [production]\n"
        "    include: when-needed\n    installed: true\n    depends_on: [mpv-registration, mhs-endpoint]",
    )
    assert "per_organisation_in applies to items repeated per environment and per organisation" in error(copy)


def test_brings_names_a_known_service(copy):
    edit(
        copy,
        "services.yaml",
        "        brings: [pds]\n        assurance: gp-connect-gates",
        "        brings: [pdss]\n        assurance: gp-connect-gates",
    )
    msg = error(copy)
    assert "entry 'gp-connect'" in msg and "interfaces[fhir].brings[0]" in msg and "did you mean 'pds'?" in msg


# --- sources: as-of dates and addresses ------------------------------------------------------------


S1_AS_OF = (
    '    as_of: {date: 2026-11-26, basis: retrieved, note: "checked at the catalogue review; '
    'the source gives no date of its own"}\n  - id: S2\n'
)


@pytest.mark.parametrize(
    "new, words",
    [
        (
            "  - id: S2\n",
            "entry 'S1': field 'as_of': missing required key 'as_of'; add as_of: {date: YYYY-MM-DD, basis: stated or retrieved",
        ),
        (S1_AS_OF.replace("2026-11-26", "2026-11-31"), "entry 'S1': field 'as_of.date': not a valid ISO date"),
        (
            S1_AS_OF.replace("retrieved", "published"),
            "entry 'S1': field 'as_of.basis': unknown as-of basis 'published'; use one of stated, retrieved",
        ),
        (
            S1_AS_OF.replace("as_of:", "as_off:"),
            "entry 'S1': field 'as_off': unknown key 'as_off'; did you mean 'as_of'?",
        ),
        (S1_AS_OF + '    reverify: " "\n', "reverify needs the reason"),
        # A year or a month is what a source may state; a retrieval is always on a given day.
        (S1_AS_OF.replace("2026-11-26", "2026"), "a retrieval happens on a day: give date as YYYY-MM-DD"),
        (S1_AS_OF.replace("2026-11-26, basis: retrieved", "2025-13, basis: stated"), "not a valid month: '2025-13'"),
    ],
)
def test_each_source_needs_a_valid_as_of(copy, new, words):
    edit(copy, "sources.yaml", S1_AS_OF, new)
    assert words in error(copy)


@pytest.mark.parametrize(
    "url, words",
    [
        ("https://int.api.service.nhs.uk/oauth2/token`", "has '`' in it"),
        ("https://digital.nhs.uk/a page", "has ' ' in it"),
        ("https:///developer", "has no host name"),
        ("digital.nhs.uk/developer", "is not a web address"),
    ],
)
def test_source_addresses_are_checked_for_syntax(copy, url, words):
    edit(copy, "sources.yaml", "      - https://digital.nhs.uk/developer/api-catalogue\n", f"      - {url}\n")
    msg = error(copy)
    assert "sources.yaml" in msg and "entry 'S4': field 'urls" in msg and words in msg
