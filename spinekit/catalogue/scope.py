"""Scope expansion: from a scope statement (services, environments, organisations) to tasks.

A scope says what a programme integrates with; :func:`expand_scope` turns it, with the
:class:`~spinekit.Catalogue`, into the network of identity requests, network, build, test,
assurance, governance and go-live tasks that delivering it takes. The rules it follows:

- every selected service's interface brings in the catalogue items it ``needs``; HL7 V3
  interfaces (chosen, as a fallback, or because an operation is HL7 V3 only) bring HSCN, an NHS
  DNS name, the MHS endpoint and party key, Spine certificates and the Common Assurance Process;
- an interface uses the scope's access mode where it offers it; user-restricted access signs
  healthcare workers in with CIS2, so ``cis2`` joins the scope and each such service's build
  waits for the CIS2 client;
  ``smartcards`` brings HSCN and smartcards;
- items repeat once, per environment, per deploying organisation and/or per service, and are
  linked to the matching repeat of each predecessor (same environment, organisation, service);
  an item only some services need precedes only those services' work;
- a predecessor that the scope does not bring in is left out of the links.

Task ids are the catalogue id followed by the service, environment and organisation they repeat
for: ``build-pds``, ``api-application-int``, ``asid-production-org2``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from spinekit.catalogue.load import ENVIRONMENTS, Catalogue, Interface, Item, ItemVariant, Service
from spinekit.model.domain import Dependency, Duration, Task
from spinekit.model.errors import ProgrammeError, closest, did_you_mean, short_repr

__all__ = ["ACCESS", "ServiceChoice", "Scope", "expand_scope", "apply_overrides"]

#: Access modes a scope may ask for (healthcare worker via CIS2, or the application itself).
ACCESS = ("user-restricted", "application-restricted")

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
    ServiceChoice(service='ers', interface='hl7v3', operations=())
    """

    service: str
    interface: str | None = None
    operations: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, operations: Iterable[str] = ()) -> ServiceChoice:
        """A choice from ``service`` or ``service:interface`` text."""
        service, _, interface = str(text).strip().partition(":")
        return cls(service.strip(), interface.strip() or None, tuple(operations))


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
        ``user-restricted`` (healthcare workers sign in with CIS2) or ``application-restricted``;
        applies to every interface that offers it.
    smartcards:
        Whether users sign in with smartcards (brings HSCN and smartcards).
    organisations:
        How many deploying organisations (Trusts, practices) go live.
    hl7v3_fallback:
        ``True`` adds the HL7 V3 interface of every selected service that has one, beside its
        FHIR interface; a tuple of service ids adds it for those services only.
    """

    services: tuple[str | ServiceChoice, ...]
    environments: tuple[str, ...] = ("int", "production")
    access: str = "user-restricted"
    smartcards: bool = False
    organisations: int = 1
    hl7v3_fallback: bool | tuple[str, ...] = False


@dataclass(frozen=True)
class _Selected:
    service: Service
    interfaces: tuple[Interface, ...]  # the chosen one first, then fallbacks
    operations: tuple[str, ...]


@dataclass(frozen=True)
class _Instance:
    item: Item
    id: str
    service: str | None
    environment: str | None
    organisation: int | None


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


def _choices(scope: Scope, catalogue: Catalogue) -> list[_Selected]:
    picked: dict[str, tuple[list[Interface], list[str]]] = {}
    for i, entry in enumerate(scope.services):
        field = f"scope.services[{i}]"
        choice = entry if isinstance(entry, ServiceChoice) else ServiceChoice.parse(entry)
        if choice.service not in catalogue.service_ids:
            raise _unknown(choice.service, catalogue.service_ids, "service", field)
        svc = catalogue.service(choice.service)
        iface = _interface(svc, choice, field)
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

    signs_in = any(_access(x, scope) == "user-restricted" for ifs, _ in picked.values() for x in ifs)
    if signs_in and "cis2" not in picked and "cis2" in catalogue.service_ids:
        picked["cis2"] = ([catalogue.service("cis2").default_interface], [])
    return [_Selected(catalogue.service(s), tuple(ifs), tuple(ops)) for s, (ifs, ops) in picked.items()]


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
    ['api-application-int', 'api-application-production']
    >>> next(t for t in tasks if t.id == "cis2-client-production").basis.split(":")[0]
    'published [S33]'
    """
    envs = _check(scope)
    selected = _choices(scope, catalogue)
    orgs = tuple(range(1, scope.organisations + 1))

    # Which items the scope needs, with the environments and services that need them.
    need_envs: dict[str, set[str]] = {}
    need_services: dict[str, list[str | None]] = {}

    def need(names: Iterable[str], environments: Iterable[str], service: str | None) -> None:
        for item_id in catalogue.expand(names):
            need_envs.setdefault(item_id, set()).update(environments)
            services = need_services.setdefault(item_id, [])
            if service not in services:
                services.append(service)

    for sel in selected:
        for iface in sel.interfaces:
            need(iface.needs, iface.environments, sel.service.id)
            if set(iface.hscn) & set(envs):
                need(["hscn"], ENVIRONMENTS, None)
            if _access(iface, scope) == "user-restricted":
                need(catalogue.options.get("user-restricted", ()), iface.environments, sel.service.id)
    if scope.smartcards:
        need(catalogue.options.get("smartcards", ()), ENVIRONMENTS, None)

    service_ids = [s.service.id for s in selected]
    instances: list[_Instance] = []
    for item in catalogue.items:
        needed = item.id in need_envs
        if item.include != "always" and not needed:
            continue
        if item.service is not None and item.service not in service_ids:
            continue
        if item.environment is not None and item.environment not in envs:
            continue
        item_envs: Sequence[str | None]
        item_services: Sequence[str | None]
        if item.per_environment:
            wanted = need_envs[item.id] if item.include != "always" else set(ENVIRONMENTS)
            item_envs = [e for e in envs if e in wanted and e in item.environments]
        else:
            item_envs = [None]
        if item.per_service:
            item_services = (
                service_ids if item.include == "always" else [s for s in need_services[item.id] if s is not None]
            )
        else:
            item_services = [None]
        for sid in item_services:
            for env in item_envs:
                for org in orgs if item.per_organisation else (None,):
                    parts = [item.id, sid, env, f"org{org}" if org else None]
                    instances.append(_Instance(item, "-".join(p for p in parts if p), sid, env, org))

    by_service = {s.service.id: s for s in selected}
    # Each item's instances, in order: a link looks only at its predecessor item's repeats
    # instead of scanning every instance (which grows with organisations times environments).
    by_item: dict[str, list[_Instance]] = {}
    for inst in instances:
        by_item.setdefault(inst.item.id, []).append(inst)
    return [_task(inst, by_item, by_service, need_services) for inst in instances]


def _access(iface: Interface, scope: Scope) -> str:
    """The access mode an interface uses: the scope's where it offers it, else its own first."""
    return scope.access if scope.access in iface.access else iface.access[0]


def _variant(inst: _Instance, by_service: Mapping[str, _Selected]) -> ItemVariant | None:
    if inst.environment == "production" and inst.item.production is not None:
        return inst.item.production
    if inst.service is not None:
        for iface in by_service[inst.service].interfaces:
            if inst.item.id in iface.variants:
                return iface.variants[inst.item.id]
    return None


def _task(
    inst: _Instance,
    by_item: Mapping[str, list[_Instance]],
    by_service: Mapping[str, _Selected],
    brought_by: Mapping[str, list[str | None]],
) -> Task:
    item = inst.item
    variant = _variant(inst, by_service)
    lead_time = variant.lead_time if variant and variant.lead_time else item.lead_time
    provenance = variant.provenance if variant and variant.provenance else item.provenance
    links = item.depends_on + (variant.depends_on if variant else ())

    service = inst.service or item.service
    env = inst.environment or item.environment
    deps: dict[str, Dependency] = {}
    for link in links:
        for other in by_item.get(link.item, ()):
            if other is inst:
                continue
            if other.service is not None and service is not None and other.service != service:
                continue
            # A shared item that only some services need is a predecessor of those services' work.
            users = brought_by.get(other.item.id) or [None]
            if other.service is None and service is not None and None not in users and service not in users:
                continue
            if other.environment is not None and env is not None and other.environment != env:
                continue
            org = inst.organisation
            if other.organisation is not None and org is not None and other.organisation != org:
                continue
            deps.setdefault(other.id, Dependency(other.id, link.type, link.lag))

    name = variant.name if variant and variant.name else item.name
    if inst.service is not None and not (variant and variant.name):
        name = f"{name}: {by_service[inst.service].service.label}"
    if inst.service is not None and item.id == "build" and by_service[inst.service].operations:
        # The chosen operations replace the catalogue name's own list of them.
        name = re.sub(r"\s*\([^()]*\)$", "", name)
        name = f"{name} ({', '.join(by_service[inst.service].operations)})"
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
    )


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
