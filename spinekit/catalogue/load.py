"""The Spine catalogue: services, prerequisites and lead times, validated into value objects.

The catalogue lives in ``data/catalogue/`` as three YAML files: ``services.yaml`` (services, their
interfaces and operations), ``items.yaml`` (prerequisites and delivery activities with owners,
repeats, dependencies and three-point lead times) and ``sources.yaml`` (the sources cited).
Every lead time carries its provenance: ``published`` or ``reported`` with source ids, or
``estimate`` with the reasoning. :func:`parse_catalogue` validates already-loaded data;
:func:`load_catalogue` reads the files.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from spinekit.model.domain import DEPENDENCY_TYPES, Amount, Duration
from spinekit.model.errors import CatalogueError, ProgrammeError, did_you_mean, short_repr
from spinekit.model.schema import Strict, amount

__all__ = [
    "OWNERS",
    "TRACKS",
    "REPEATS",
    "BASES",
    "ENVIRONMENTS",
    "ACCESS_MODES",
    "AS_OF_BASES",
    "AsOf",
    "Source",
    "Provenance",
    "ItemLink",
    "ItemVariant",
    "Item",
    "Operation",
    "Interface",
    "Service",
    "Catalogue",
    "parse_catalogue",
    "load_catalogue",
]

#: Who does (or decides) a piece of work.
OWNERS = ("supplier", "deploying organisation", "NHS England", "third party")
#: Parallel streams of work in a Spine delivery.
TRACKS = ("identity", "network", "build", "test", "assurance", "governance", "go-live")
#: How an item repeats; ``once`` alone, or any combination of the other three.
REPEATS = ("once", "per-environment", "per-organisation", "per-service", "per-interface")
#: Where a lead time comes from.
BASES = ("published", "reported", "estimate")
#: How a source's as-of date is known: the source states it, or it is when the figure was checked.
AS_OF_BASES = ("stated", "retrieved")
#: Environments that generate tasks, in path-to-live order.
ENVIRONMENTS = ("int", "dep", "production")
#: Environment names an interface may list; only :data:`ENVIRONMENTS` generate tasks.
INTERFACE_ENVIRONMENTS = ("sandbox", "mock", "sandpit", "alpha", "demonstrator", *ENVIRONMENTS)
#: Access modes an interface may offer.
ACCESS_MODES = (
    "user-restricted",
    "application-restricted",
    "patient",
    "mailbox",
    "network",
    "local-rbac",
)
#: Assurance routes.
ASSURANCE_ROUTES = ("scal-dos", "cap", "gp-connect-gates", "nhs-login")
#: Scope options that bring in items (see ``options`` in services.yaml).
OPTIONS = ("smartcards", "user-restricted")
INCLUDES = ("always", "when-needed")

_FILES = ("services.yaml", "items.yaml", "sources.yaml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SOURCE_ID = re.compile(r"^S[0-9]+[a-z]?$")


# --- value objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AsOf:
    """How current a source is: a ``date`` and its ``basis``, ``stated`` or ``retrieved``.

    ``stated``: the source gives the date itself (a publication or news date). ``retrieved``:
    the day its figures were last checked against it. ``note`` says which date it is. A stated
    date may give only a month or a year (``precision``); ``date`` is then the last day of that
    period, the latest the source can be, so its age is never overstated.
    """

    date: dt.date
    basis: str
    note: str = ""
    precision: str = "day"

    @property
    def label(self) -> str:
        """The date as the source gives it: ``2025-05-19``, ``2022-05`` or ``2023``."""
        return {"year": f"{self.date:%Y}", "month": f"{self.date:%Y-%m}"}.get(self.precision, self.date.isoformat())


@dataclass(frozen=True)
class Source:
    """A cited source: an id such as ``S7``, what it is, its addresses and how current it is.

    ``reverify`` is set, with the reason, on a source whose figures are known to move (a paused
    intake, an endpoint whose status is changing): re-check it before committing a date.
    """

    id: str
    description: str
    urls: tuple[str, ...] = ()
    as_of: AsOf | None = None
    reverify: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a lead time comes from: ``basis``, the ``sources`` cited and a quote or reasoning.

    Examples
    --------
    >>> Provenance("published", ("S33",), "allow a minimum of 2 weeks").describe()
    'published [S33]: allow a minimum of 2 weeks'
    >>> Provenance("estimate", (), "legal review on both sides").describe()
    'estimate: legal review on both sides'
    """

    basis: str
    sources: tuple[str, ...]
    note: str

    def describe(self) -> str:
        """One line for a task's ``basis``: the basis, the source ids, then the note."""
        cited = "".join(f"[{s}]" for s in self.sources)
        return f"{self.basis}{' ' + cited if cited else ''}: {self.note}"


@dataclass(frozen=True)
class ItemLink:
    """A catalogue item depends on ``item``, with a dependency ``type`` and ``lag``.

    ``service`` names the service whose repeat of ``item`` is meant, when it is another service's
    (GP Connect's Gate 2 waits for the PDS build).
    """

    item: str
    type: str = "FS"
    lag: int = 0
    service: str | None = None


@dataclass(frozen=True)
class ItemVariant:
    """What differs for an item in one context (production, or one service's interface).

    ``None`` fields fall back to the item's own; ``depends_on`` adds to the item's links, after
    dropping those to the items in ``drops``. A production variant's ``reviewed`` defaults to
    the item's.
    """

    name: str | None = None
    owner: str | None = None
    depends_on: tuple[ItemLink, ...] = ()
    drops: tuple[str, ...] = ()
    lead_time: Duration | None = None
    provenance: Provenance | None = None
    reviewed: dt.date | None = None


@dataclass(frozen=True)
class Item:
    """A prerequisite, lead-time item or delivery activity of a Spine integration.

    ``cost`` is an indicative fixed cost in pounds sterling (three-point, PERT), with its own
    ``cost_provenance``; most items have none (NHS England charges no fee for them).
    """

    id: str
    name: str
    owner: str
    track: str
    repeat: tuple[str, ...]
    include: str
    lead_time: Duration
    provenance: Provenance
    reviewed: dt.date
    depends_on: tuple[ItemLink, ...] = ()
    ref: str | None = None
    service: str | None = None
    environment: str | None = None
    environments: tuple[str, ...] = ENVIRONMENTS
    production: ItemVariant | None = None
    cost: Amount | None = None
    cost_provenance: Provenance | None = None
    organisation_environments: tuple[str, ...] = ENVIRONMENTS
    installed: bool = False
    """Whether, where each Trust installs its own system, the item repeats per organisation in DEP
    and production (the Trust's own endpoint, certificates, identities and validation)."""
    per_organisation_with: tuple[str, ...] = ()
    """Items whose per-organisation repeats make this one repeat per organisation for the same
    service, in any deployment model: a smoke test proves each Trust's own live ASID or mailbox."""

    @property
    def per_environment(self) -> bool:
        """Whether the item repeats in each environment."""
        return "per-environment" in self.repeat

    @property
    def per_organisation(self) -> bool:
        """Whether the item repeats for each deploying organisation."""
        return "per-organisation" in self.repeat

    @property
    def per_service(self) -> bool:
        """Whether the item repeats for each service that needs it."""
        return "per-service" in self.repeat

    @property
    def per_interface(self) -> bool:
        """Whether a service's fallback interface (HL7 V3 beside FHIR) gets its own repeat."""
        return "per-interface" in self.repeat


@dataclass(frozen=True)
class Operation:
    """A workflow operation of a service and the interfaces that carry it."""

    id: str
    name: str
    interfaces: tuple[str, ...]
    access: tuple[str, ...] = ()
    """The only access modes that can carry the operation; empty: any its interface offers."""


@dataclass(frozen=True)
class Interface:
    """One way of reaching a service (FHIR, HL7 V3, LDAP …) and what it brings into a plan."""

    id: str
    name: str
    generation: str
    access: tuple[str, ...]
    hscn: tuple[str, ...]
    asid: bool
    party_key: bool
    environments: tuple[str, ...]
    assurance: str
    assurance_note: str
    needs: tuple[str, ...]
    variants: Mapping[str, ItemVariant]
    sources: tuple[str, ...]
    default: bool = False
    brings: tuple[str, ...] = ()
    """Other services the interface needs, which join the scope (NRL and GP Connect need PDS)."""

    @property
    def is_hl7v3(self) -> bool:
        """Whether this is an HL7 V3 (Spine messaging) interface."""
        return self.id == "hl7v3"


@dataclass(frozen=True)
class Service:
    """A national service, its interfaces (the default first) and its operations."""

    id: str
    name: str
    label: str
    interfaces: tuple[Interface, ...]
    operations: tuple[Operation, ...]
    operations_sources: tuple[str, ...] = ()

    @property
    def default_interface(self) -> Interface:
        """The interface a bare service id picks (FHIR where there is one)."""
        return next((i for i in self.interfaces if i.default), self.interfaces[0])

    def interface(self, interface_id: str) -> Interface:
        """The interface with id ``interface_id``; ``KeyError`` if there is none."""
        for i in self.interfaces:
            if i.id == interface_id:
                return i
        raise KeyError(interface_id)

    def operation(self, operation_id: str) -> Operation:
        """The operation with id ``operation_id``; ``KeyError`` if there is none."""
        for o in self.operations:
            if o.id == operation_id:
                return o
        raise KeyError(operation_id)


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue: services, items (in file order), sources, bundles, options and routes."""

    services: tuple[Service, ...]
    items: tuple[Item, ...]
    sources: tuple[Source, ...]
    bundles: Mapping[str, tuple[str, ...]]
    options: Mapping[str, tuple[str, ...]]
    reviewed: dt.date | None = None
    routes: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    """The items (or bundles) each assurance route brings in, by route id (``scal-dos``, ``cap`` …)."""

    @property
    def service_ids(self) -> tuple[str, ...]:
        """Service ids in catalogue order."""
        return tuple(s.id for s in self.services)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in catalogue order."""
        return tuple(i.id for i in self.items)

    def service(self, service_id: str) -> Service:
        """The service with id ``service_id``; ``KeyError`` if there is none."""
        for s in self.services:
            if s.id == service_id:
                return s
        raise KeyError(service_id)

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id``; ``KeyError`` if there is none."""
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def source(self, source_id: str) -> Source:
        """The source with id ``source_id``; ``KeyError`` if there is none."""
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def expand(self, names: Iterable[str]) -> tuple[str, ...]:
        """Item ids for ``names`` (item ids or bundle names), bundles opened, in order, once each."""
        out: dict[str, None] = {}
        for name in names:
            for item in self.bundles.get(name, (name,)):
                out[item] = None
        return tuple(out)


# --- boundary schema (pydantic) ---------------------------------------------------------------


def _one_of(value: Any, choices: Iterable[str], what: str) -> str:
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:  # only a str equals one of them
        extra = did_you_mean(str(value), choices, lead="; ")
        raise ValueError(f"unknown {what} {short_repr(value)}; use one of {', '.join(choices)}{extra}")
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a valid ISO date (YYYY-MM-DD): {short_repr(value)}") from None


def _days(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number of working days, got {short_repr(value)}")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more, got {short_repr(value)}")
    return float(value)


#: Characters never found in a web address as written (RFC 3986 excludes them unescaped).
_URL_BAD = re.compile(r"[\s`<>\"{}|\\^]")


def _url(value: str) -> str:
    """``value`` if it is a syntactically sound http(s) address; a ``ValueError`` naming the fault."""
    from urllib.parse import urlsplit

    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{short_repr(value)} is not a web address (http:// or https://)")
    bad = _URL_BAD.search(value)
    if bad:
        raise ValueError(
            f"{short_repr(value)} has {bad.group()!r} in it, which no web address has; "
            "copy the address again from the browser"
        )
    try:
        host = urlsplit(value).hostname
    except ValueError as exc:
        raise ValueError(f"{short_repr(value)} is not a valid web address: {exc}") from None
    if not host or "." not in host:
        raise ValueError(f"{short_repr(value)} has no host name (such as digital.nhs.uk)")
    return value


class _AsOf(Strict):
    date: Any
    basis: str
    note: str = ""

    @field_validator("date")
    @classmethod
    def _when(cls, v: Any) -> tuple[dt.date, str]:
        text = str(v).strip()
        if not isinstance(v, dt.date) and re.fullmatch(r"\d{4}(-\d{2})?", text):
            # A year or a month, as some sources state their date: its last day.
            year, month = int(text[:4]), int(text[5:]) if len(text) > 4 else 12
            if not 1 <= month <= 12:
                raise ValueError(f"not a valid month: {short_repr(v)}")
            last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            return last, "month" if len(text) > 4 else "year"
        return _date(v), "day"

    @field_validator("basis")
    @classmethod
    def _basis(cls, v: Any) -> str:
        return _one_of(v, AS_OF_BASES, "as-of basis")

    @model_validator(mode="after")
    def _retrieved_on_a_day(self) -> _AsOf:
        if self.basis == "retrieved" and self.date[1] != "day":
            raise ValueError("a retrieval happens on a day: give date as YYYY-MM-DD (a year or month is for stated)")
        return self

    def to_as_of(self) -> AsOf:
        day, precision = self.date
        return AsOf(day, self.basis, " ".join(self.note.split()), precision)


class _SourceEntry(Strict):
    id: str
    description: str
    urls: list[str] = Field(default_factory=list)
    as_of: _AsOf
    reverify: str = ""

    @field_validator("reverify")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("reverify needs the reason the figures may have moved, in one line")
        return " ".join(v.split())

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _SOURCE_ID.match(v):
            raise ValueError(f"source id {short_repr(v)} must look like S7 or S2b")
        return v

    @field_validator("urls")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        return [_url(u) for u in v]


class _SourcesFile(Strict):
    reviewed: Any = None
    sources: list[_SourceEntry]

    @field_validator("reviewed")
    @classmethod
    def _reviewed(cls, v: Any) -> dt.date | None:
        return None if v is None else _date(v)


class _LeadTime(Strict):
    min: Any
    likely: Any
    max: Any

    @field_validator("min", "likely", "max")
    @classmethod
    def _number(cls, v: Any, info: ValidationInfo) -> float:
        return _days(v, str(info.field_name))

    @model_validator(mode="after")
    def _ordered(self) -> _LeadTime:
        if not (self.min <= self.likely <= self.max):
            raise ValueError(
                f"lead time needs min <= likely <= max, got min={self.min:g}, likely={self.likely:g}, max={self.max:g}"
            )
        return self

    def to_duration(self) -> Duration:
        return Duration(self.min, self.likely, self.max)


class _Cost(Strict):
    """An item's indicative fixed cost, in pounds sterling, with its own provenance."""

    min: Any
    likely: Any
    max: Any
    currency: str = "GBP"
    provenance: _Provenance

    @field_validator("min", "likely", "max")
    @classmethod
    def _number(cls, v: Any, info: ValidationInfo) -> float:
        return amount(v, str(info.field_name))

    @field_validator("currency")
    @classmethod
    def _gbp(cls, v: str) -> str:
        if v != "GBP":
            raise ValueError(f"catalogue costs are in pounds sterling (GBP), got {v!r}")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> _Cost:
        if not (self.min <= self.likely <= self.max):
            raise ValueError(
                f"cost needs min <= likely <= max, got min={self.min:g}, likely={self.likely:g}, max={self.max:g}"
            )
        return self


class _Provenance(Strict):
    basis: str
    sources: list[str] = Field(default_factory=list)
    note: str = ""

    @field_validator("basis")
    @classmethod
    def _basis(cls, v: str) -> str:
        return _one_of(v, BASES, "basis")

    @model_validator(mode="after")
    def _evidence(self) -> _Provenance:
        if self.basis in ("published", "reported") and not self.sources:
            raise ValueError(
                f"a {self.basis} lead time must cite its sources; add source ids (such as S7) "
                "or change the basis to estimate"
            )
        if not self.note.strip():
            fix = "the reasoning behind the range" if self.basis == "estimate" else "the quoted figure"
            raise ValueError(f"a {self.basis} lead time needs a note with {fix}")
        return self

    def to_provenance(self) -> Provenance:
        return Provenance(self.basis, tuple(self.sources), " ".join(self.note.split()))


class _Link(Strict):
    item: str
    type: str = "FS"
    lag: int = 0
    service: str | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _one_of(str(v).upper(), DEPENDENCY_TYPES, "dependency type")


def _links(values: list[str | _Link]) -> tuple[ItemLink, ...]:
    return tuple(ItemLink(v) if isinstance(v, str) else ItemLink(v.item, v.type, v.lag, v.service) for v in values)


class _Variant(Strict):
    name: str | None = None
    owner: str | None = None
    depends_on: list[str | _Link] = Field(default_factory=list)
    drops: list[str] = Field(default_factory=list)
    lead_time: _LeadTime | None = None
    provenance: _Provenance | None = None
    reviewed: Any = None

    @field_validator("owner")
    @classmethod
    def _owner(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, OWNERS, "owner")

    @field_validator("reviewed")
    @classmethod
    def _reviewed(cls, v: Any) -> dt.date | None:
        return None if v is None else _date(v)

    @model_validator(mode="after")
    def _complete(self) -> _Variant:
        if self.lead_time is not None and self.provenance is None:
            raise ValueError("a lead_time here needs its own provenance as well")
        if self.lead_time is None and self.provenance is not None:
            raise ValueError("provenance without a lead_time; add the lead_time it explains")
        return self

    def to_variant(self) -> ItemVariant:
        return ItemVariant(
            name=self.name,
            owner=self.owner,
            depends_on=_links(self.depends_on),
            drops=tuple(self.drops),
            lead_time=self.lead_time.to_duration() if self.lead_time else None,
            provenance=self.provenance.to_provenance() if self.provenance else None,
            reviewed=self.reviewed,
        )


class _ItemEntry(Strict):
    id: str
    ref: str | None = None
    name: str
    owner: str
    track: str
    repeat: str | list[str]
    include: str
    service: str | None = None
    environment: str | None = None
    environments: list[str] | None = None
    per_organisation_in: list[str] | None = None
    installed: bool = False
    per_organisation_with: list[str] = Field(default_factory=list)
    depends_on: list[str | _Link] = Field(default_factory=list)
    lead_time: _LeadTime
    provenance: _Provenance
    production: _Variant | None = None
    cost: _Cost | None = None
    reviewed: Any

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"item id {short_repr(v)} may use only lower-case letters, digits and '-'")
        return v

    @field_validator("owner")
    @classmethod
    def _owner(cls, v: str) -> str:
        return _one_of(v, OWNERS, "owner")

    @field_validator("track")
    @classmethod
    def _track(cls, v: str) -> str:
        return _one_of(v, TRACKS, "track")

    @field_validator("include")
    @classmethod
    def _include(cls, v: str) -> str:
        return _one_of(v, INCLUDES, "include")

    @field_validator("repeat")
    @classmethod
    def _repeat(cls, v: str | list[str]) -> list[str]:
        values = [v] if isinstance(v, str) else list(v)
        for r in values:
            _one_of(r, REPEATS, "repeat")
        if not values or ("once" in values and len(values) > 1) or len(set(values)) < len(values):
            raise ValueError(
                "repeat is 'once', or a list of per-environment, per-organisation, per-service, per-interface"
            )
        if "per-interface" in values and "per-service" not in values:
            raise ValueError("a per-interface item must also be per-service")
        return values

    @field_validator("environment")
    @classmethod
    def _environment(cls, v: str | None) -> str | None:
        return None if v is None else _one_of(v, ENVIRONMENTS, "environment")

    @field_validator("environments")
    @classmethod
    def _environments(cls, v: list[str] | None) -> list[str] | None:
        for e in v or []:
            _one_of(e, ENVIRONMENTS, "environment")
        return v

    @field_validator("per_organisation_in")
    @classmethod
    def _per_organisation_in(cls, v: list[str] | None) -> list[str] | None:
        for e in v or []:
            _one_of(e, ENVIRONMENTS, "environment")
        return v

    @field_validator("reviewed")
    @classmethod
    def _reviewed(cls, v: Any) -> dt.date:
        return _date(v)

    @model_validator(mode="after")
    def _consistent(self) -> _ItemEntry:
        if self.per_organisation_in is not None and not {"per-environment", "per-organisation"} <= set(self.repeat):
            raise ValueError("per_organisation_in applies to items repeated per environment and per organisation")
        per_env = "per-environment" in self.repeat
        if self.production is not None and not per_env:
            raise ValueError("only a per-environment item can have a production variant")
        if self.environment is not None and per_env:
            raise ValueError("a per-environment item cannot also name one environment")
        if self.environments is not None and not per_env:
            raise ValueError("environments applies to per-environment items only; use environment")
        if self.service is not None and "per-service" in self.repeat:
            raise ValueError("a per-service item cannot also name one service")
        return self


class _ItemsFile(Strict):
    items: list[_ItemEntry]


class _Operation(Strict):
    id: str
    name: str
    interfaces: list[str]
    access: list[str] = Field(default_factory=list)

    @field_validator("access")
    @classmethod
    def _access(cls, v: list[str]) -> list[str]:
        for a in v:
            _one_of(a, ACCESS_MODES, "access mode")
        return v


class _Interface(Strict):
    id: str
    default: bool = False
    name: str
    generation: str
    access: list[str]
    hscn: list[str]
    asid: bool
    party_key: bool
    environments: list[str]
    assurance: str
    assurance_note: str = ""
    needs: list[str]
    brings: list[str] = Field(default_factory=list)
    variants: dict[str, _Variant] = Field(default_factory=dict)
    sources: list[str]

    @field_validator("access")
    @classmethod
    def _access(cls, v: list[str]) -> list[str]:
        for a in v:
            _one_of(a, ACCESS_MODES, "access mode")
        if not v:
            raise ValueError("list at least one access mode")
        return v

    @field_validator("hscn")
    @classmethod
    def _hscn(cls, v: list[str]) -> list[str]:
        for e in v:
            _one_of(e, ENVIRONMENTS, "environment")
        return v

    @field_validator("environments")
    @classmethod
    def _environments(cls, v: list[str]) -> list[str]:
        for e in v:
            _one_of(e, INTERFACE_ENVIRONMENTS, "environment")
        return v

    @field_validator("assurance")
    @classmethod
    def _assurance(cls, v: str) -> str:
        return _one_of(v, ASSURANCE_ROUTES, "assurance route")


class _ServiceEntry(Strict):
    id: str
    name: str
    label: str
    interfaces: list[_Interface]
    operations: list[_Operation] = Field(default_factory=list)
    operations_sources: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"service id {short_repr(v)} may use only lower-case letters, digits and '-'")
        return v

    @field_validator("interfaces")
    @classmethod
    def _interfaces(cls, v: list[_Interface]) -> list[_Interface]:
        if not v:
            raise ValueError("a service needs at least one interface")
        defaults = [i.id for i in v if i.default]
        if len(v) > 1 and len(defaults) != 1:
            raise ValueError(
                f"mark exactly one interface 'default: true' (found {len(defaults)}); "
                "FHIR is the default where there is one"
            )
        return v


class _ServicesFile(Strict):
    reviewed: Any = None
    bundles: dict[str, list[str]] = Field(default_factory=dict)
    options: dict[str, list[str]] = Field(default_factory=dict)
    routes: dict[str, list[str]] = Field(default_factory=dict)
    services: list[_ServiceEntry]

    @field_validator("routes")
    @classmethod
    def _routes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for k in v:
            _one_of(k, ASSURANCE_ROUTES, "assurance route")
        return v

    @field_validator("reviewed")
    @classmethod
    def _reviewed(cls, v: Any) -> dt.date | None:
        return None if v is None else _date(v)

    @field_validator("options")
    @classmethod
    def _options(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for k in v:
            _one_of(k, OPTIONS, "option")
        return v


_ALL_KEYS = sorted(
    {
        (f.alias or n)
        for m in (
            _SourcesFile,
            _SourceEntry,
            _AsOf,
            _LeadTime,
            _Provenance,
            _Link,
            _Variant,
            _ItemEntry,
            _ItemsFile,
            _Operation,
            _Interface,
            _ServiceEntry,
            _ServicesFile,
        )
        for n, f in m.model_fields.items()
    }
)


#: How to add a required key that is easy to get wrong.
_MISSING_HINTS = {
    "as_of": "add as_of: {date: YYYY-MM-DD, basis: stated or retrieved, note: which date it is}",
}


def _translate(exc: ValidationError, data: Any, source: str) -> CatalogueError:
    """Turn pydantic's first error into one message naming the file, entry and field."""
    errors = exc.errors(include_url=False)
    # A misspelt key also makes the real one missing: report the misspelling, with its fix.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    if err["type"] == "string_type" and isinstance(err.get("input"), dict):
        prefix = err["loc"][:-1]
        err = next((e for e in errors[1:] if e["loc"][: len(prefix)] == prefix), err)
    # pydantic adds union member tags ('str', '_Link') and validator names to the location.
    loc = [p for p in err["loc"] if not (isinstance(p, str) and (p == "str" or p.startswith(("_", "function-"))))]
    entry = None
    node = data
    parts: list[str] = []
    for depth, part in enumerate(loc):
        child = None
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            child = node[part]
            ident = child.get("id") if isinstance(child, dict) else None
            label = str(ident) if ident is not None else f"#{part + 1}"
            if depth == 1 and entry is None:
                entry = label
            else:
                parts.append(f"[{label}]")
        elif isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            child = node.get(part) if isinstance(node, dict) else None
            if depth > 0 or entry is not None or part not in ("items", "services", "sources"):
                parts.append(f".{part}" if parts else str(part))
        node = child
    field = "".join(parts) or None
    kind = err["type"]
    if kind == "extra_forbidden":
        bad = str(loc[-1]) if loc else "?"
        msg = f"unknown key {short_repr(bad)}" + did_you_mean(bad, _ALL_KEYS, lead="; ")
    elif kind == "missing":
        key = str(loc[-1]) if loc else "?"
        msg = f"missing required key {short_repr(key)}" + (f"; {_MISSING_HINTS[key]}" if key in _MISSING_HINTS else "")
    elif kind == "value_error":
        msg = str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
    else:
        msg = f"{err['msg'][0].lower()}{err['msg'][1:]}; got {short_repr(err.get('input'))}"
    return CatalogueError(msg, source=source, entry=entry, field=field)


def _validate(model: type[BaseModel], data: Any, source: str) -> Any:
    if not isinstance(data, dict):
        raise CatalogueError("the file must be a YAML mapping", source=source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _translate(exc, data, source) from None


def _unique(ids: list[str], source: str, what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise CatalogueError(f"duplicate {what} id; every {what} needs its own id", source=source, entry=i)
        seen.add(i)


def _known(value: str, known: Iterable[str], what: str, *, source: str, entry: str | None, field: str) -> None:
    known = tuple(known)
    if value not in known:
        extra = did_you_mean(value, known, lead="; ")
        raise CatalogueError(f"unknown {what} {short_repr(value)}{extra}", source=source, entry=entry, field=field)


def _check_sources(prov: _Provenance | None, sources: set[str], *, source: str, entry: str, field: str) -> None:
    for k, s in enumerate(prov.sources if prov else []):
        _known(s, sources, "source", source=source, entry=entry, field=f"{field}.sources[{k}]")


def _check_links(links: list[str | _Link], items: set[str], *, source: str, entry: str, field: str) -> None:
    for k, d in enumerate(links):
        target = d if isinstance(d, str) else d.item
        _known(target, items, "item", source=source, entry=entry, field=f"{field}[{k}]")
        if target == entry:
            raise CatalogueError("an item cannot depend on itself", source=source, entry=entry, field=f"{field}[{k}]")


def parse_catalogue(
    services: Any,
    items: Any,
    sources: Any,
    *,
    names: tuple[str, str, str] = ("services.yaml", "items.yaml", "sources.yaml"),
) -> Catalogue:
    """Validate loaded catalogue data (the three files' contents) into a :class:`Catalogue`.

    Parameters
    ----------
    services, items, sources:
        The loaded contents of ``services.yaml``, ``items.yaml`` and ``sources.yaml``.
    names:
        What to call the three files in error messages, in the same order.

    Raises
    ------
    CatalogueError
        On any schema violation or broken cross-reference; the message names the file, the
        entry id and the field, and suggests the closest known id.
    """
    svc_name, items_name, src_name = names
    raw_sources = _validate(_SourcesFile, sources, src_name)
    raw_items = _validate(_ItemsFile, items, items_name)
    raw_services = _validate(_ServicesFile, services, svc_name)

    _unique([s.id for s in raw_sources.sources], src_name, "source")
    _unique([i.id for i in raw_items.items], items_name, "item")
    _unique([s.id for s in raw_services.services], svc_name, "service")
    source_ids = {s.id for s in raw_sources.sources}
    item_ids = {i.id for i in raw_items.items}
    service_ids = {s.id for s in raw_services.services}
    by_item = {i.id: i for i in raw_items.items}

    for it in raw_items.items:
        kw = {"source": items_name, "entry": it.id}
        _check_sources(it.provenance, source_ids, field="provenance", **kw)
        if it.cost is not None:
            _check_sources(it.cost.provenance, source_ids, field="cost.provenance", **kw)
        _check_links(it.depends_on, item_ids, field="depends_on", **kw)
        for k, d in enumerate(it.depends_on):
            if not isinstance(d, str) and d.service is not None:
                _known(d.service, service_ids, "service", field=f"depends_on[{k}].service", **kw)
        if it.service is not None:
            _known(it.service, service_ids, "service", field="service", **kw)
        if it.production is not None:
            _check_sources(it.production.provenance, source_ids, field="production.provenance", **kw)
            _check_links(it.production.depends_on, item_ids, field="production.depends_on", **kw)

    for name, members in raw_services.bundles.items():
        if name in item_ids:
            raise CatalogueError(
                "a bundle cannot share its name with an item", source=svc_name, field=f"bundles.{name}"
            )
        for k, m in enumerate(members):
            _known(m, item_ids, "item", source=svc_name, entry=None, field=f"bundles.{name}[{k}]")
    for name, members in raw_services.options.items():
        for k, m in enumerate(members):
            _known(m, item_ids, "item", source=svc_name, entry=None, field=f"options.{name}[{k}]")
    needable = item_ids | set(raw_services.bundles)
    for name, members in raw_services.routes.items():
        for k, m in enumerate(members):
            _known(m, needable, "item or bundle", source=svc_name, entry=None, field=f"routes.{name}[{k}]")

    def opened(names_: Iterable[str]) -> set[str]:
        return {m for n in names_ for m in raw_services.bundles.get(n, [n])}

    for svc in raw_services.services:
        kw = {"source": svc_name, "entry": svc.id}
        _unique([i.id for i in svc.interfaces], svc_name, f"{svc.id} interface")
        _unique([o.id for o in svc.operations], svc_name, f"{svc.id} operation")
        iface_ids = [i.id for i in svc.interfaces]
        for k, s in enumerate(svc.operations_sources):
            _known(s, source_ids, "source", field=f"operations_sources[{k}]", **kw)
        for iface in svc.interfaces:
            at = f"interfaces[{iface.id}]"
            for k, b in enumerate(iface.brings):
                _known(b, service_ids, "service", field=f"{at}.brings[{k}]", **kw)
            for k, s in enumerate(iface.sources):
                _known(s, source_ids, "source", field=f"{at}.sources[{k}]", **kw)
            for k, n in enumerate(iface.needs):
                _known(n, needable, "item or bundle", field=f"{at}.needs[{k}]", **kw)
            brought = opened(iface.needs)
            if iface.asid and "asid" not in brought:
                raise CatalogueError("asid is true but needs does not bring in 'asid'", field=f"{at}.needs", **kw)
            if iface.party_key and "mhs-endpoint" not in brought:
                raise CatalogueError(
                    "party_key is true but needs does not bring in 'mhs-endpoint'", field=f"{at}.needs", **kw
                )
            for item_id, variant in iface.variants.items():
                vat = f"{at}.variants.{item_id}"
                _known(item_id, item_ids, "item", field=vat, **kw)
                if "per-service" not in by_item[item_id].repeat:
                    raise CatalogueError(
                        f"{short_repr(item_id)} is not a per-service item, so it cannot vary by service",
                        field=vat,
                        **kw,
                    )
                if variant.lead_time is not None and variant.reviewed is None:
                    raise CatalogueError("a service's own lead time needs a 'reviewed' date", field=vat, **kw)
                _check_sources(variant.provenance, source_ids, field=f"{vat}.provenance", **kw)
                _check_links(variant.depends_on, item_ids, field=f"{vat}.depends_on", **kw)
                for k, dropped in enumerate(variant.drops):
                    if dropped not in {d if isinstance(d, str) else d.item for d in by_item[item_id].depends_on}:
                        raise CatalogueError(
                            f"{item_id!r} does not depend on {dropped!r}, so it cannot drop it",
                            field=f"{vat}.drops[{k}]",
                            **kw,
                        )
        for op in svc.operations:
            for k, i in enumerate(op.interfaces):
                _known(i, iface_ids, "interface", field=f"operations[{op.id}].interfaces[{k}]", **kw)

    return Catalogue(
        services=tuple(_to_service(s) for s in raw_services.services),
        items=tuple(_to_item(i) for i in raw_items.items),
        sources=tuple(
            Source(s.id, s.description, tuple(s.urls), s.as_of.to_as_of(), s.reverify) for s in raw_sources.sources
        ),
        bundles=MappingProxyType({k: tuple(v) for k, v in raw_services.bundles.items()}),
        options=MappingProxyType({k: tuple(v) for k, v in raw_services.options.items()}),
        reviewed=raw_services.reviewed,
        routes=MappingProxyType({k: tuple(v) for k, v in raw_services.routes.items()}),
    )


def _to_item(i: _ItemEntry) -> Item:
    repeat = tuple(r for r in REPEATS if r in i.repeat and r != "once") or ("once",)
    return Item(
        id=i.id,
        name=i.name,
        owner=i.owner,
        track=i.track,
        repeat=repeat,
        include=i.include,
        lead_time=i.lead_time.to_duration(),
        provenance=i.provenance.to_provenance(),
        reviewed=i.reviewed,
        depends_on=_links(i.depends_on),
        ref=i.ref,
        service=i.service,
        environment=i.environment,
        environments=tuple(e for e in ENVIRONMENTS if e in (i.environments or ENVIRONMENTS)),
        production=i.production.to_variant() if i.production else None,
        cost=Amount(i.cost.min, i.cost.likely, i.cost.max) if i.cost else None,
        cost_provenance=i.cost.provenance.to_provenance() if i.cost else None,
        organisation_environments=tuple(e for e in ENVIRONMENTS if e in (i.per_organisation_in or ENVIRONMENTS)),
        installed=i.installed,
        per_organisation_with=tuple(i.per_organisation_with),
    )


def _to_service(s: _ServiceEntry) -> Service:
    interfaces = tuple(
        Interface(
            id=i.id,
            name=i.name,
            generation=i.generation,
            access=tuple(i.access),
            hscn=tuple(i.hscn),
            asid=i.asid,
            party_key=i.party_key,
            environments=tuple(i.environments),
            assurance=i.assurance,
            assurance_note=" ".join(i.assurance_note.split()),
            needs=tuple(i.needs),
            brings=tuple(i.brings),
            variants=MappingProxyType({k: v.to_variant() for k, v in i.variants.items()}),
            sources=tuple(i.sources),
            default=i.default or len(s.interfaces) == 1,
        )
        for i in s.interfaces
    )
    return Service(
        id=s.id,
        name=s.name,
        label=s.label,
        interfaces=interfaces,
        operations=tuple(Operation(o.id, o.name, tuple(o.interfaces), tuple(o.access)) for o in s.operations),
        operations_sources=tuple(s.operations_sources),
    )


# --- reading the files ------------------------------------------------------------------------


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Read and validate the catalogue in folder ``path`` (default: spinekit's bundled one).

    The folder holds ``services.yaml``, ``items.yaml`` and ``sources.yaml``. The bundled
    catalogue is read once and shared (its value objects are immutable).

    Raises
    ------
    CatalogueError
        A file is missing, is not valid YAML, or breaks the catalogue schema; the message names
        the file, the entry and the field.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat.service("pds").default_interface.id
    'fhir'
    >>> cat.item("asid").repeat
    ('per-environment', 'per-organisation', 'per-service')
    """
    if path is None:
        return _bundled()
    return _read(Path(path))


@functools.lru_cache(maxsize=1)
def _bundled() -> Catalogue:
    from spinekit.model.files import data_dir

    return _read(data_dir() / "catalogue")


def _read(folder: Path) -> Catalogue:
    from spinekit.model.files import load_yaml

    loaded = []
    for name in _FILES:
        f = folder / name
        try:
            text = f.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogueError(f"no such file; a catalogue folder holds {', '.join(_FILES)}", source=str(f)) from None
        except OSError as exc:
            raise CatalogueError(f"cannot be read: {exc.strerror}", source=str(f)) from None
        try:
            loaded.append(load_yaml(text, source=str(f)))
        except ProgrammeError as exc:
            raise CatalogueError(exc.message, source=str(f)) from None
    svc_name, items_name, src_name = (str(folder / n) for n in _FILES)
    return parse_catalogue(*loaded, names=(svc_name, items_name, src_name))
