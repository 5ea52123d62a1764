"""Scope expansion: from a scope statement (services, environments, organisations) to tasks.

A scope says what a programme integrates with; :func:`expand_scope` turns it, with the
:class:`~spinekit.Catalogue`, into the network of identity requests, network, build, test,
assurance, governance and go-live tasks that delivering it takes. The rules it follows:

- every selected service's interface brings in the catalogue items it ``needs`` and those of
  its assurance ``route`` (and the services it ``brings``: NRL and GP Connect bring PDS): NHS
  login onboarding includes its own SCAL and Connection Agreement, so an NHS-login-only plan has
  no generic ones; HL7 V3 interfaces (chosen, as a
  fallback, or because an operation is HL7 V3 only) bring HSCN, an NHS DNS name, the MHS and
  its endpoint and party key, Spine certificates and the Common Assurance Process, and one beside
  FHIR is built as a task of its own (``build-pds-hl7v3``);
- each service uses its own access mode, or the scope's where its interface and operations
  allow it; user-restricted access signs healthcare workers in with CIS2, so ``cis2`` joins the
  scope and each such service's build waits for the CIS2 client; ``smartcards`` brings HSCN and
  smartcards;
- items repeat once, per environment, per deploying organisation and/or per service, and are
  linked to the matching repeat of each predecessor (same environment, organisation, service);
  an item only some services need precedes only those services' work, and a shared task only
  some services need waits only for those services' items;
- identifiers (ASIDs, endpoints, certificates, applications, mailboxes) belong to one service;
  an item repeated per organisation only in some environments (``per_organisation_in``) is the
  supplier's one set elsewhere: INT identities are the supplier's, live ones each organisation's;
- ``deployment: per-trust-install`` repeats each installation's items per organisation in DEP
  and production; ``waves`` stage the go-lives behind hypercare; ``have`` keeps what the
  supplier already holds as milestones met on day one;
- a predecessor that the scope does not bring in is left out of the links.

Task ids are the catalogue id followed by the service, environment and organisation they repeat
for: ``build-pds``, ``api-application-pds-int``, ``asid-pds-production-org2``. Conformance and
the production smoke test are per API (``conformance-pds``, ``smoke-test-pds``); a smoke test
that uses each Trust's own live ASID or MESH mailbox is per organisation too
(``smoke-test-ers-org2``), in either deployment model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from spinekit.catalogue.load import ENVIRONMENTS, Catalogue, Interface, Item, ItemVariant, Operation, Service
from spinekit.model.domain import Dependency, Duration, Rule, Task
from spinekit.model.errors import ProgrammeError, closest, did_you_mean, short_repr

__all__ = ["ACCESS", "DEPLOYMENTS", "ServiceChoice", "Scope", "expand_scope", "apply_overrides"]

#: Access modes a scope may ask for (healthcare worker via CIS2, or the application itself).
ACCESS = ("user-restricted", "application-restricted")
#: Deployment models: one supplier-hosted system, or an installation at each organisation.
DEPLOYMENTS = ("hosted", "per-trust-install")
#: Environments where an installation at each organisation has its own items.
_INSTALLED_ENVIRONMENTS = ("dep", "production")

_ENV_LABELS = {"int": "INT", "dep": "DEP", "production": "production"}
_ENV_HINTS = {
    "prod": "production",
    "live": "production",
    "ptl": "int",
    "integration": "int",
    "deployment": "dep",
    "uat": "dep",
}


@dataclass(frozen=True)
class ServiceChoice:
    """A service in scope: its id, optionally an interface, and the operations wanted.

    Examples
    --------
    >>> ServiceChoice.parse("ers:hl7v3")
    ServiceChoice(service='ers', interface='hl7v3', operations=(), access=None)
    """

    service: str
    interface: str | None = None
    operations: tuple[str, ...] = ()
    access: str | None = None

    @classmethod
    def parse(cls, text: str, operations: Iterable[str] = (), access: str | None = None) -> ServiceChoice:
        """A choice from ``service`` or ``service:interface`` text."""
        service, _, interface = str(text).strip().partition(":")
        return cls(service.strip(), interface.strip() or None, tuple(operations), access)


@dataclass(frozen=True)
class Scope:
    """What a programme integrates with, and how.

    Parameters
    ----------
    services:
        Service ids (``"pds"``), ``"service:interface"`` text (``"pds:hl7v3"``) or
        :class:`ServiceChoice` values.
    environments:
        Some of ``int``, ``dep``, ``production``; ``int`` and ``production`` are required.
    access:
        ``user-restricted`` (healthcare workers sign in with CIS2) or ``application-restricted``:
        the default for every service whose interface and operations allow it; a service's own
        ``access`` (:class:`ServiceChoice`) wins.
    smartcards:
        Whether users sign in with smartcards (brings HSCN and smartcards).
    organisations:
        How many deploying organisations (Trusts, practices) go live.
    hl7v3_fallback:
        ``True`` adds the HL7 V3 interface of every selected service that has one, beside its
        FHIR interface; a tuple of service ids adds it for those services only.
    waves:
        Roll-out waves, as organisation counts adding up to ``organisations`` (``(1, 2)``: a
        pilot, then two more). Each wave's organisations go live after hypercare at every
        organisation of the wave before; empty, every organisation goes live when ready.
    have:
        Catalogue ids of what the supplier already holds (``ods-code``, ``dspt``, ``hscn`` ...):
        one-off identity, network and governance items, kept as milestones met on day one.
    deployment:
        ``hosted`` (the supplier runs one system for every organisation: DEP validation and the
        smoke test happen once) or ``per-trust-install`` (each organisation installs its own:
        its own DEP identities and validation, production endpoint, certificates and smoke test).
    """

    services: tuple[str | ServiceChoice, ...]
    environments: tuple[str, ...] = ("int", "production")
    access: str = "user-restricted"
    smartcards: bool = False
    organisations: int = 1
    hl7v3_fallback: bool | tuple[str, ...] = False
    waves: tuple[int, ...] = ()
    have: tuple[str, ...] = ()
    deployment: str = "hosted"


@dataclass(frozen=True)
class _Selected:
    service: Service
    interfaces: tuple[Interface, ...]  # the chosen one first, then fallbacks
    operations: tuple[str, ...]
    access: Mapping[str, str]  # interface id -> the access mode it is used with


@dataclass(frozen=True)
class _Instance:
    item: Item
    id: str
    service: str | None
    environment: str | None
    organisation: int | None
    interface: Interface | None = None  # a fallback interface's own repeat


def _error(message: str, field: str) -> ProgrammeError:
    return ProgrammeError(message, field=field)


def _unknown(value: str, known: Iterable[str], what: str, field: str) -> ProgrammeError:
    known = tuple(known)
    fix = did_you_mean(value, known, f"use one of {', '.join(known)}")
    return _error(f"unknown {what} {short_repr(value)}; {fix}", field)


def _interface(svc: Service, choice: ServiceChoice, field: str) -> Interface:
    """The interface ``choice`` names, or the service's default when it names none.

    Raises
    ------
    ProgrammeError
        ``svc`` has no interface of that id; the message names ``field`` and the valid ids.
    """
    if choice.interface is None:
        return svc.default_interface
    ids = [x.id for x in svc.interfaces]
    if choice.interface not in ids:
        raise _unknown(choice.interface, ids, f"interface of {svc.id}", field)
    return svc.interface(choice.interface)


def _carried(svc: Service, iface: Interface, operations: Sequence[str]) -> list[Operation]:
    return [o for o in svc.operations if iface.id in o.interfaces and o.id in operations]


def _allowed(svc: Service, iface: Interface, operations: Sequence[str]) -> list[str]:
    """Access modes ``iface`` can carry every named operation with (its own if none is named)."""
    ops = _carried(svc, iface, operations)
    if not ops:
        return list(iface.access)
    modes = list(dict.fromkeys([*iface.access, *(m for o in ops for m in o.access)]))
    return [m for m in modes if all(m in (o.access or iface.access) for o in ops)]


def _service_access(
    svc: Service,
    interfaces: Sequence[Interface],
    operations: Sequence[str],
    asked: str | None,
    default: str,
    field: str,
) -> dict[str, str]:
    """The access mode each interface of a selected service is used with.

    A mode the service asks for must suit its chosen interface and named operations; the
    scope's default applies only where it suits, and otherwise the interface's first mode does.
    """
    out = {}
    for n, iface in enumerate(interfaces):
        allowed = _allowed(svc, iface, operations) or list(iface.access)
        if asked is not None and n == 0 and asked not in allowed:
            ops = _carried(svc, iface, operations)
            able = [o.id for o in svc.operations if iface.id in o.interfaces and asked in o.access]
            if ops:
                blocked = [o.id for o in ops if asked not in (o.access or iface.access)]
                reason = f"{svc.label} {', '.join(blocked)} cannot use {asked} access"
            else:
                reason = f"{iface.name} offers {', '.join(iface.access)} access"
            only = f", or name only operations that can ({', '.join(able)})" if able else ""
            fix = f"use access: {allowed[0]}" if allowed[0] in ACCESS else f"leave access out (it uses {allowed[0]})"
            raise _error(f"{svc.id}: {reason}; {fix}{only}", f"{field}.access")
        want = asked if asked is not None else default
        out[iface.id] = want if want in allowed else allowed[0]
    return out


def _choices(scope: Scope, catalogue: Catalogue) -> list[_Selected]:
    picked: dict[str, tuple[list[Interface], list[str]]] = {}
    asked: dict[str, tuple[str, str]] = {}  # service -> (access mode, field)
    for i, entry in enumerate(scope.services):
        field = f"scope.services[{i}]"
        choice = entry if isinstance(entry, ServiceChoice) else ServiceChoice.parse(entry)
        if choice.service not in catalogue.service_ids:
            raise _unknown(choice.service, catalogue.service_ids, "service", field)
        svc = catalogue.service(choice.service)
        iface = _interface(svc, choice, field)
        if choice.access is not None:
            if choice.access not in ACCESS:
                fix = did_you_mean(str(choice.access), ACCESS, f"use {' or '.join(ACCESS)}")
                raise _error(f"unknown access mode {choice.access!r}; {fix}", f"{field}.access")
            if svc.id in asked and asked[svc.id][0] != choice.access:
                raise _error(f"{svc.id} is given two access modes; keep one", f"{field}.access")
            asked[svc.id] = (choice.access, field)
        interfaces, ops = picked.setdefault(svc.id, ([], []))
        if iface in interfaces:
            raise _error(f"{svc.id}:{iface.id} is listed twice; keep one entry", field)
        interfaces.append(iface)
        for k, op_id in enumerate(choice.operations):
            ids = [o.id for o in svc.operations]
            if op_id not in ids:
                raise _unknown(op_id, ids, f"{svc.id} operation", f"{field}.operations[{k}]")
            op = svc.operation(op_id)
            if not any(x.id in op.interfaces for x in interfaces):
                # The workflow needs an operation this interface does not carry: the interface
                # that does comes in as a fallback.
                interfaces.append(svc.interface(op.interfaces[0]))
            ops.append(op_id)
    if not picked:
        raise _error("list at least one service, such as pds, eps or cis2", "scope.services")

    fallback = scope.hl7v3_fallback
    with_v3 = [s for s in picked if any(x.is_hl7v3 for x in catalogue.service(s).interfaces)]
    if fallback is True:
        if not with_v3:
            raise _error(
                "none of the selected services has an HL7 V3 interface; set hl7v3_fallback to false",
                "scope.hl7v3_fallback",
            )
        targets = with_v3
    elif fallback is False:
        targets = []
    else:
        targets = []
        for k, sid in enumerate(fallback):
            if sid not in picked:
                raise _unknown(sid, list(picked), "service in scope", f"scope.hl7v3_fallback[{k}]")
            if sid not in with_v3:
                raise _error(f"{sid} has no HL7 V3 interface", f"scope.hl7v3_fallback[{k}]")
            targets.append(sid)
    for sid in targets:
        v3 = catalogue.service(sid).interface("hl7v3")
        if v3 not in picked[sid][0]:
            picked[sid][0].append(v3)

    # Services an interface needs join the scope with their default interface (NRL and GP
    # Connect verify NHS numbers with PDS).
    for sid in list(picked):
        for brought in (b for x in picked[sid][0] for b in x.brings):
            if brought not in picked:
                picked[brought] = ([catalogue.service(brought).default_interface], [])
    selected = []
    for s, (ifs, ops) in picked.items():
        mode, field = asked.get(s, (None, "scope.access"))
        access = _service_access(catalogue.service(s), ifs, ops, mode, scope.access, field)
        selected.append(_Selected(catalogue.service(s), tuple(ifs), tuple(ops), access))
    signs_in = any(m == "user-restricted" for sel in selected for m in sel.access.values())
    if signs_in and "cis2" not in picked and "cis2" in catalogue.service_ids:
        cis2 = catalogue.service("cis2")
        selected.append(_Selected(cis2, (cis2.default_interface,), (), {cis2.default_interface.id: "user-restricted"}))
    return selected


def _check(scope: Scope) -> tuple[str, ...]:
    envs = list(scope.environments)
    for k, e in enumerate(envs):
        if e not in ENVIRONMENTS:
            hint = _ENV_HINTS.get(str(e).lower()) or closest(str(e), ENVIRONMENTS)
            fix = f"did you mean {short_repr(hint)}?" if hint else "use int, dep and production"
            raise _error(f"unknown environment {short_repr(e)}; {fix}", f"scope.environments[{k}]")
        if envs.index(e) != k:
            raise _error(f"{short_repr(e)} is listed twice", f"scope.environments[{k}]")
    missing = [e for e in ("int", "production") if e not in envs]
    if missing:
        raise _error(
            f"{' and '.join(missing)} missing: every Spine integration is built against INT and "
            "goes live in production (dep is optional)",
            "scope.environments",
        )
    if scope.access not in ACCESS:
        fix = did_you_mean(str(scope.access), ACCESS, f"use {' or '.join(ACCESS)}")
        raise _error(f"unknown access mode {short_repr(scope.access)}; {fix}", "scope.access")
    orgs = scope.organisations
    if isinstance(orgs, bool) or not isinstance(orgs, int) or orgs < 1:
        raise _error(
            f"organisations must be a whole number of 1 or more, got {short_repr(scope.organisations)}",
            "scope.organisations",
        )
    if scope.deployment not in DEPLOYMENTS:
        fix = did_you_mean(str(scope.deployment), DEPLOYMENTS, f"use {' or '.join(DEPLOYMENTS)}")
        raise _error(f"unknown deployment {scope.deployment!r}; {fix}", "scope.deployment")
    waves = list(scope.waves)
    for k, n in enumerate(waves):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise _error(f"a wave is a number of organisations, 1 or more, got {n!r}", f"scope.waves[{k}]")
    if waves and sum(waves) != orgs:
        raise _error(
            f"the waves add up to {sum(waves)} organisations but the scope has {orgs}; make them add up "
            f"(for example [1, {orgs - 1}] for a pilot and the rest)"
            if orgs > 1
            else f"the waves add up to {sum(waves)} organisations but the scope has {orgs}; make them add up",
            "scope.waves",
        )
    return tuple(e for e in ENVIRONMENTS if e in envs)


def expand_scope(scope: Scope, catalogue: Catalogue) -> list[Task]:
    """Expand a scope into the tasks that deliver it, in catalogue order.

    Parameters
    ----------
    scope:
        The services, environments, access mode, options and organisation count.
    catalogue:
        The Spine catalogue (see :func:`~spinekit.load_catalogue`).

    Returns
    -------
    list of Task
        Each with ``service``, ``environment``, ``kind`` (the catalogue id), ``track``,
        ``owner`` and ``basis`` (the lead time's provenance), linked to its predecessors.

    Raises
    ------
    ProgrammeError
        The scope names an unknown service, interface, operation or environment, or breaks a
        rule; the message names the field (such as ``scope.services[1]``) and suggests a fix.

    Examples
    --------
    >>> from spinekit import load_catalogue
    >>> tasks = expand_scope(Scope(services=("pds",)), load_catalogue())
    >>> [t.id for t in tasks if t.kind == "api-application"]
    ['api-application-pds-int', 'api-application-pds-production']
    >>> next(t for t in tasks if t.id == "cis2-client-production").basis.split(":")[0]
    'published [S33]'
    """
    envs = _check(scope)
    held = _held(scope, catalogue)
    selected = _choices(scope, catalogue)
    orgs = tuple(range(1, scope.organisations + 1))
    # Each organisation's wave; hypercare is needed where a later wave waits for it.
    wave_of = {o: w for w, members in enumerate(_waves(scope)) for o in members}

    # Which items the scope needs, with the environments and services that need them.
    need_envs: dict[str, set[str]] = {}
    need_service_envs: dict[tuple[str, str | None], set[str]] = {}
    need_services: dict[str, list[str | None]] = {}
    need_interfaces: dict[str, set[tuple[str | None, str | None]]] = {}

    def need(
        names: Iterable[str], environments: Iterable[str], service: str | None, interface: str | None = None
    ) -> None:
        for item_id in catalogue.expand(names):
            need_envs.setdefault(item_id, set()).update(environments)
            need_service_envs.setdefault((item_id, service), set()).update(environments)
            need_interfaces.setdefault(item_id, set()).add((service, interface))
            services = need_services.setdefault(item_id, [])
            if service not in services:
                services.append(service)

    for sel in selected:
        for iface in sel.interfaces:
            need(iface.needs, iface.environments, sel.service.id, iface.id)
            # The interface's assurance route brings its own gated sequence (SCAL/DOS, CAP, the
            # GP Connect gates, NHS login onboarding).
            need(catalogue.routes.get(iface.assurance, ()), iface.environments, sel.service.id, iface.id)
            if set(iface.hscn) & set(envs):
                need(["hscn"], ENVIRONMENTS, sel.service.id, iface.id)
            if sel.access[iface.id] == "user-restricted":
                need(catalogue.options.get("user-restricted", ()), iface.environments, sel.service.id, iface.id)
    if scope.smartcards:
        need(catalogue.options.get("smartcards", ()), ENVIRONMENTS, None)
    if len(scope.waves) > 1:
        need([_WAVE_GATE], ENVIRONMENTS, None)

    service_ids = [s.service.id for s in selected]
    by_service = {s.service.id: s for s in selected}
    instances: list[_Instance] = []
    for item in catalogue.items:
        needed = item.id in need_envs
        if item.include != "always" and not needed:
            continue
        if item.service is not None and item.service not in service_ids:
            continue
        if item.environment is not None and item.environment not in envs:
            continue
        item_services: Sequence[str | None]
        if item.per_service:
            item_services = (
                service_ids if item.include == "always" else [s for s in need_services[item.id] if s is not None]
            )
        else:
            item_services = [None]
        for sid in item_services:
            item_envs: Sequence[str | None] = [None]
            if item.per_environment:
                # A per-service item exists where its own service needs it; a shared one wherever
                # any service does.
                wanted = (
                    set(ENVIRONMENTS)
                    if item.include == "always"
                    else need_service_envs[(item.id, sid)]
                    if item.per_service
                    else need_envs[item.id]
                )
                item_envs = [e for e in envs if e in wanted and e in item.environments]
            for env in item_envs:
                per_org = item.per_organisation and (env is None or env in item.organisation_environments)
                if scope.deployment == "per-trust-install" and item.installed:
                    per_org = (env or item.environment) in _INSTALLED_ENVIRONMENTS
                # A smoke test that uses a Trust's own live ASID or mailbox is that Trust's, so
                # one Trust's identities never hold up another Trust's go-live.
                where = env or item.environment
                per_org = per_org or any(
                    where in need_service_envs.get((other, sid), ())
                    and where in catalogue.item(other).organisation_environments
                    for other in item.per_organisation_with
                )
                for org in orgs if per_org else (None,):
                    if item.id == _WAVE_GATE and org is not None and wave_of[org] == len(scope.waves) - 1:
                        continue  # the last wave's hypercare gates no other wave
                    parts = [item.id, sid, env, f"org{org}" if org else None]
                    instances.append(_Instance(item, "-".join(p for p in parts if p), sid, env, org))
                    if item.per_interface and sid is not None:
                        # A fallback interface (HL7 V3 beside FHIR) is built as work of its own.
                        for iface in by_service[sid].interfaces[1:]:
                            parts = [item.id, sid, iface.id, env, f"org{org}" if org else None]
                            instances.append(_Instance(item, "-".join(p for p in parts if p), sid, env, org, iface))

    # Each item's instances, in order: a link looks only at its predecessor item's repeats
    # instead of scanning every instance (which grows with organisations times environments).
    by_item: dict[str, list[_Instance]] = {}
    for inst in instances:
        by_item.setdefault(inst.item.id, []).append(inst)
    rules = _rules(instances, scope, catalogue, by_service, need_interfaces, wave_of)
    tasks = [
        _task(inst, by_item, by_service, need_services, need_interfaces, rule)
        for inst, rule in zip(instances, rules, strict=True)
    ]
    # What the supplier already holds stays in the plan as a milestone met on day one, so the
    # work that needs it still shows what it rests on.
    tasks = [
        replace(
            t,
            name=f"{t.name} (already held)",
            duration=Duration.fixed(0),
            depends_on=(),
            basis=f"held: listed in scope.have, already in place; catalogue: {t.basis}",
        )
        if t.kind in held
        else t
        for t in tasks
    ]
    return _staged(tasks, instances, wave_of)


#: Tracks of the one-off items a supplier may already hold (``scope.have``).
_HOLDABLE_TRACKS = ("identity", "network", "governance")


def _held(scope: Scope, catalogue: Catalogue) -> set[str]:
    """The ids in ``scope.have``, checked: each a one-off item a supplier can already hold."""
    holdable = [i.id for i in catalogue.items if i.repeat == ("once",) and i.track in _HOLDABLE_TRACKS]
    for k, item_id in enumerate(scope.have):
        if item_id not in holdable:
            known = item_id in catalogue.item_ids
            what = f"{item_id!r} is not a one-off item a supplier holds" if known else f"unknown item {item_id!r}"
            fix = did_you_mean(item_id, holdable, f"use some of {', '.join(holdable)}")
            raise _error(f"{what}; {fix}", f"scope.have[{k}]")
    return set(scope.have)


#: The item each roll-out wave waits for at every organisation of the wave before it.
_WAVE_GATE = "hypercare"


def _waves(scope: Scope) -> list[tuple[int, ...]]:
    """The organisations of each roll-out wave, in order (one wave of all when none is given)."""
    sizes = scope.waves or (scope.organisations,)
    firsts = [1 + sum(sizes[:k]) for k in range(len(sizes))]
    return [tuple(range(first, first + n)) for first, n in zip(firsts, sizes, strict=True)]


def _staged(tasks: list[Task], instances: Sequence[_Instance], wave_of: Mapping[int, int]) -> list[Task]:
    """``tasks`` with each go-live waiting for hypercare at every organisation of the wave before."""
    gates: dict[int, list[str]] = {}
    for inst in instances:
        if inst.item.id == _WAVE_GATE and inst.organisation is not None:
            gates.setdefault(wave_of[inst.organisation], []).append(inst.id)
    if not gates:
        return tasks
    out = []
    for task, inst in zip(tasks, instances, strict=True):
        wave = wave_of.get(inst.organisation or 0)
        if inst.item.id == "go-live" and wave and gates.get(wave - 1):
            links = tuple(Dependency(g) for g in gates[wave - 1])
            task = replace(task, depends_on=task.depends_on + links)
        out.append(task)
    return out


def _variant(inst: _Instance, by_service: Mapping[str, _Selected]) -> ItemVariant | None:
    if inst.environment == "production" and inst.item.production is not None:
        return inst.item.production
    if inst.service is not None:
        interfaces = by_service[inst.service].interfaces
        if inst.item.per_interface:
            # Each interface's repeat takes only its own interface's figure.
            interfaces = (inst.interface or interfaces[0],)
        for iface in interfaces:
            if inst.item.id in iface.variants:
                return iface.variants[inst.item.id]
    return None


def _task(
    inst: _Instance,
    by_item: Mapping[str, list[_Instance]],
    by_service: Mapping[str, _Selected],
    brought_by: Mapping[str, list[str | None]],
    brought_through: Mapping[str, set[tuple[str | None, str | None]]],
    rule: Rule | None = None,
) -> Task:
    item = inst.item
    variant = _variant(inst, by_service)
    lead_time = variant.lead_time if variant and variant.lead_time else item.lead_time
    provenance = variant.provenance if variant and variant.provenance else item.provenance
    kept = tuple(link for link in item.depends_on if not (variant and link.item in variant.drops))
    links = kept + (variant.depends_on if variant else ())

    service = inst.service or item.service
    env = inst.environment or item.environment
    deps: dict[str, Dependency] = {}
    for link in links:
        for other in by_item.get(link.item, ()):
            if other is inst:
                continue
            if link.service is not None:
                # A link to another service's work names that service.
                if other.service == link.service:
                    deps.setdefault(other.id, Dependency(other.id, link.type, link.lag))
                continue
            if other.service is not None and service is not None and other.service != service:
                continue
            # A shared item that only some services need is a predecessor of those services' work,
            # and a shared task that only some services need waits only for their items.
            users = brought_by.get(other.item.id) or [None]
            if other.service is None and service is not None and None not in users and service not in users:
                continue
            mine = brought_by.get(item.id) or [None]
            if service is None and other.service is not None and None not in mine and other.service not in mine:
                continue
            # A service's work on one interface does not wait for what only its other interface
            # needs: the FHIR build is not held up by the HL7 V3 route beside it.
            through = brought_through.get(other.item.id)
            if item.per_interface and inst.service is not None and through and (None, None) not in through:
                interface = (inst.interface or by_service[inst.service].interfaces[0]).id
                if any(s == inst.service for s, _ in through) and (inst.service, interface) not in through:
                    continue
            if other.environment is not None and env is not None and other.environment != env:
                continue
            org = inst.organisation
            if other.organisation is not None and org is not None and other.organisation != org:
                continue
            deps.setdefault(other.id, Dependency(other.id, link.type, link.lag))

    name = variant.name if variant and variant.name else item.name
    if inst.service is not None:
        sel = by_service[inst.service]
        label = inst.interface.name if inst.interface else sel.service.label
        # A variant's own name may already say the service ("Build PDS FHIR …"); a live
        # identity's does not, and rows of two services must read apart.
        if not (variant and variant.name and sel.service.label in name):
            name = f"{name}: {label}"
    if inst.service is not None and item.id == "build" and by_service[inst.service].operations:
        sel = by_service[inst.service]
        ops = list(sel.operations)
        if item.per_interface:
            iface = inst.interface or sel.interfaces[0]
            ops = [o for o in ops if iface.id in sel.service.operation(o).interfaces] or ops
        # The chosen operations replace the catalogue name's own list of them.
        name = re.sub(r"\s*\([^()]*\)$", "", name)
        name = f"{name} ({', '.join(ops)})"
    where = [_ENV_LABELS[inst.environment]] if inst.environment else []
    if inst.organisation is not None:
        where.append(f"organisation {inst.organisation}")
    if where:
        name = f"{name} ({', '.join(where)})"

    return Task(
        id=inst.id,
        name=name,
        duration=_duration(lead_time),
        depends_on=tuple(deps.values()),
        owner=variant.owner if variant and variant.owner else item.owner,
        service=service,
        environment=env,
        kind=item.id,
        track=item.track,
        basis=provenance.describe(),
        rule=rule,
    )


#: What a rule's ``needed_by`` says of an item the catalogue includes in every plan.
_EVERY_PLAN = "every plan"


def _rules(
    instances: Sequence[_Instance],
    scope: Scope,
    catalogue: Catalogue,
    by_service: Mapping[str, _Selected],
    brought_through: Mapping[str, set[tuple[str | None, str | None]]],
    wave_of: Mapping[int, int],
) -> list[Rule]:
    """The catalogue :class:`Rule` behind each instance, in order: why its task is in the plan."""
    # Only scope options bring an item in for no service: say which.
    options: dict[str, list[str]] = {}
    if scope.smartcards:
        for item_id in catalogue.expand(catalogue.options.get("smartcards", ())):
            options.setdefault(item_id, []).append("smartcards")
    if len(scope.waves) > 1:
        for item_id in catalogue.expand([_WAVE_GATE]):
            options.setdefault(item_id, []).append("waves")
    # What an item serves is the same in every environment and organisation: work it out once.
    serves: dict[tuple[str, str | None, str | None], _Serves] = {}
    rules = []
    for inst in instances:
        key = (inst.item.id, inst.service, inst.interface.id if inst.interface else None)
        if key not in serves:
            serves[key] = _serves(inst, by_service, brought_through, options)
        service, iface, needed_by, route, operations = serves[key]
        variant = _variant(inst, by_service)
        provenance = variant.provenance if variant and variant.provenance else inst.item.provenance
        sources = (*provenance.sources, *(iface.sources if iface is not None else ()))
        org = inst.organisation
        rules.append(
            Rule(
                item=inst.item.id,
                service=service,
                interface=iface.id if iface is not None else None,
                operations=operations,
                repeat=inst.item.repeat,
                environment=inst.environment or inst.item.environment,
                organisation=org,
                wave=wave_of[org] + 1 if scope.waves and org is not None else None,
                route=route,
                needed_by=needed_by,
                sources=tuple(dict.fromkeys(sources)),
            )
        )
    return rules


#: What an item's repeat serves: service, interface, what needs it, route and operations.
_Serves = tuple[str | None, Interface | None, tuple[str, ...], str | None, tuple[str, ...]]


def _serves(
    inst: _Instance,
    by_service: Mapping[str, _Selected],
    brought_through: Mapping[str, set[tuple[str | None, str | None]]],
    options: Mapping[str, list[str]],
) -> _Serves:
    """The service and interface an instance serves, what brings its item in, its route and operations."""
    item = inst.item
    service = inst.service or item.service
    pairs = brought_through.get(item.id, set())
    if item.per_service:
        pairs = {p for p in pairs if p[0] == service}
    sel = by_service.get(service) if service is not None else None
    iface = inst.interface
    if iface is None and sel is not None:
        mine = [x for x in sel.interfaces if (sel.service.id, x.id) in pairs]
        iface = sel.interfaces[0] if item.per_interface or not mine else mine[0]
    # Pairs in the scope's own order of services and interfaces, then the options.
    needing = [(s.service.id, x) for s in by_service.values() for x in s.interfaces if (s.service.id, x.id) in pairs]
    needed_by = [f"{sid}:{x.id}" for sid, x in needing]
    needed_by += options.get(item.id, []) if (None, None) in pairs else []
    if not needed_by and item.include == "always":
        # An item every plan has: a service's repeat serves that service's interface.
        needed_by = [f"{service}:{iface.id}"] if service is not None and iface is not None else [_EVERY_PLAN]
    routes = {iface.assurance} if iface is not None else {x.assurance for _, x in needing}
    operations: tuple[str, ...] = ()
    if sel is not None and iface is not None:
        operations = tuple(o for o in sel.operations if iface.id in sel.service.operation(o).interfaces)
    return service, iface, tuple(needed_by), routes.pop() if len(routes) == 1 else None, operations


def _duration(d: Duration) -> Duration:
    return Duration.fixed(d.likely) if d.min == d.max else d


def apply_overrides(tasks: Iterable[Task], overrides: Mapping[str, Duration]) -> list[Task]:
    """Replace lead times: each key is a task id or a kind (catalogue id) matching several tasks.

    A task id wins over its kind. The task's ``basis`` records the override.

    Raises
    ------
    ProgrammeError
        A key matches no task; the message suggests the closest task id or kind.

    Examples
    --------
    >>> t = Task("build-pds", "Build PDS", Duration(10, 20, 35), kind="build")
    >>> apply_overrides([t], {"build": Duration.fixed(30)})[0].duration.likely
    30
    """
    tasks = list(tasks)
    ids = {t.id for t in tasks}
    kinds = {t.kind for t in tasks if t.kind}
    for key in overrides:
        if key not in ids and key not in kinds:
            known = sorted(ids | kinds)
            fix = did_you_mean(key, known, "use a task id or a kind from the schedule")
            raise ProgrammeError(f"{short_repr(key)} matches no task id or kind; {fix}", field=f"overrides.{key}")
    out = []
    for t in tasks:
        matched = t.id if t.id in overrides else (t.kind if t.kind in overrides else None)
        if matched is None:
            out.append(t)
            continue
        was = f"; catalogue: {t.basis}" if t.basis else ""
        basis = f"override: overrides.{matched} in the programme{was}"
        out.append(replace(t, duration=overrides[matched], basis=basis))
    return out
