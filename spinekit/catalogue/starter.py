"""Starter programmes: a commented, scope-based programme file a planner can edit."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Sequence

from spinekit.catalogue.load import ENVIRONMENTS, Catalogue
from spinekit.catalogue.scope import Scope, ServiceChoice, _interface, expand_scope
from spinekit.model.errors import ProgrammeError
from spinekit.model.jsonschema import schema_uri

__all__ = ["starter_programme"]

_START = "2027-01-04"


def _listing(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _pad(code: str, comment: str) -> str:
    """A YAML line with its comment aligned, so the file reads as a form."""
    return f"{code:<40} # {comment}"


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, width=96, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}#   ", break_on_hyphens=False
    )


def _quoted(text: str) -> str:
    return f'"{text}"' if ":" in text else text


def _text(value: str) -> str:
    """``value`` as a YAML scalar: plain where that reads back the same, else double-quoted."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,()&/.'-]*", value) and value.lower() not in {
        "yes",
        "no",
        "true",
        "false",
        "null",
        "on",
        "off",
    }
    return value if plain and not value.endswith(" ") else json.dumps(value)


def _date(value: str | dt.date | None, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProgrammeError(f"the {field} date must be YYYY-MM-DD, such as 2027-03-01; got {value!r}") from None


def starter_programme(
    services: Sequence[str],
    *,
    environments: Sequence[str] = ("int", "production"),
    organisations: int = 1,
    catalogue: Catalogue | None = None,
    access: str = "user-restricted",
    smartcards: bool = False,
    hl7v3_fallback: bool | Sequence[str] = False,
    start: str | dt.date | None = None,
    target: str | dt.date | None = None,
    name: str | None = None,
    have: Sequence[str] = (),
    deployment: str = "hosted",
) -> str:
    """The text of a starter programme file for ``services``: commented, schedulable as is.

    The same arguments always give the same bytes (the start date is a fixed placeholder to
    edit, not today's date).

    Parameters
    ----------
    services:
        Service ids, or ``service:interface`` (``"pds:hl7v3"``).
    environments:
        Some of ``int``, ``dep``, ``production``; ``int`` and ``production`` are required.
    organisations:
        How many deploying organisations go live.
    catalogue:
        The Spine catalogue (default: spinekit's bundled one).
    access, smartcards, hl7v3_fallback:
        The scope options of the same names (see :class:`~spinekit.Scope`).
    start, target:
        The start date (default: a fixed placeholder to edit) and a promised date.
    name:
        The programme's name (default: from the services).
    have:
        What the supplier already holds (``ods-code``, ``dspt``, ``hscn`` ...).
    deployment:
        ``hosted`` or ``per-trust-install`` (see :class:`~spinekit.Scope`).

    Raises
    ------
    ProgrammeError
        A service, interface or environment is unknown, the scope breaks a rule, or a date is
        not YYYY-MM-DD.

    Examples
    --------
    >>> text = starter_programme(["pds", "cis2"])
    >>> text.splitlines()[1]
    '# Starter programme for PDS and CIS2, written by `spinekit new`.'

    The first line names the programme file's JSON Schema for editors that read
    ``# yaml-language-server: $schema=`` (see ``docs/interop.md``).
    """
    if catalogue is None:
        from spinekit.catalogue.load import load_catalogue

        catalogue = load_catalogue()
    fallback = hl7v3_fallback if isinstance(hl7v3_fallback, bool) else tuple(hl7v3_fallback)
    scope = Scope(
        services=tuple(services),
        environments=tuple(environments),
        access=access,
        smartcards=smartcards,
        organisations=organisations,
        hl7v3_fallback=fallback,
        have=tuple(have),
        deployment=deployment,
    )
    begin, promised = _date(start, "start"), _date(target, "target")
    tasks = expand_scope(scope, catalogue)
    choices = [ServiceChoice.parse(s) for s in services]
    labels = list(dict.fromkeys(catalogue.service(c.service).label for c in choices))
    envs = [e for e in ENVIRONMENTS if e in environments]
    first = choices[0].service

    lines = [
        f"# yaml-language-server: $schema={schema_uri()}",
        f"# Starter programme for {_listing(labels)}, written by `spinekit new`.",
        "# Edit it, then run: spinekit schedule FILE (or report, simulate, export).",
        "#",
        f"# The scope below expands into {len(tasks)} tasks from spinekit's Spine catalogue: identity and",
        "# environment requests, build against INT, conformance, assurance, governance and go-live,",
        "# each with an owner and a three-point lead time in working days whose provenance",
        "# (published, reported or estimate) shows in the schedule's basis.",
        f"name: {_text(name) if name else f'{_listing(labels)} integration'}",
        _pad(
            f"start: {begin or _START}",
            "the programme's start date" if begin else "change to your start date (YYYY-MM-DD)",
        ),
        "calendar:",
        _pad("  holidays: england-and-wales", "or scotland, northern-ireland, none"),
        "  # closures:",
        "  #   - {from: 2027-12-20, to: 2028-01-04, name: change freeze}",
        _pad(
            f"target: {promised}" if promised else "# target: 2027-12-17",
            "a promised date, to compare the forecast with",
        ),
        "",
        "scope:",
        "  services:",
    ]
    for i, c in enumerate(choices):
        svc = catalogue.service(c.service)
        # expand_scope has already checked every entry, so this only picks the interface.
        iface = _interface(svc, c, f"scope.services[{i}]")
        here = [o.id for o in svc.operations if iface.id in o.interfaces]
        elsewhere = [o for o in svc.operations if iface.id not in o.interfaces]
        lines += _comment(f"{iface.name}. Operations: {', '.join(here) or 'none'}.", "    ")
        if elsewhere:
            other = ", ".join(f"{o.id} ({'/'.join(o.interfaces)})" for o in elsewhere)
            lines += _comment(f"Only on another interface: {other}.", "    ")
        lines.append(f"    - {_quoted(str(c.service) + (':' + c.interface if c.interface else ''))}")
    lines += [
        "    # Name the operations to map the workflow: {service: pds, operations: [search, retrieve]}",
        "    # and set one service's access: {service: pds, access: application-restricted}",
        _pad(f"  environments: [{', '.join(envs)}]", "int and production; dep (UAT) is optional"),
        _pad(f"  access: {access}", "user- or application-restricted, where allowed"),
        _pad(f"  smartcards: {'true' if smartcards else 'false'}", "true brings in HSCN and smartcards"),
        _pad(f"  organisations: {organisations}", "deploying organisations going live"),
        _pad(f"  deployment: {deployment}", "or per-trust-install: each installs its own"),
        _pad(f"  hl7v3_fallback: {_fallback(fallback)}", "true adds HL7 V3 interfaces (HSCN, MHS, CAP)"),
        _pad("  # indicative_costs: true", "the catalogue's estimated costs (GBP)"),
        _pad(
            f"  have: [{', '.join(have)}]" if have else "  # have: [ods-code, dspt]", "what the supplier already holds"
        ),
        "",
        "# Change any generated lead time, by task id or by kind, without editing the catalogue:",
        "# overrides:",
        _pad(f"#   build-{first}: {{min: 15, likely: 25, max: 40}}", "one task, by id"),
        _pad("#   cso-dcb0129: 30", "every task of a kind; a number is fixed"),
        "",
        "# Your own tasks join the generated ones and may depend on them:",
        "# tasks:",
        "#   - id: staff-training",
        "#     name: Train staff at the deploying organisation",
        "#     duration: {min: 5, likely: 10, max: 15}",
        f"#     depends_on: [{next(t.id for t in tasks if t.kind == 'smoke-test')}]",
        "#     owner: deploying organisation",
        "#     resources: [{id: trainer, share: 0.5}]",
        "",
        "# Costs beside the dates (optional): day rates, costs per working day of the whole",
        "# programme, and a budget; uncomment `indicative_costs: true` under scope for the catalogue's",
        "# estimated cost of each API's pen test. Replace the example rates with your own.",
        _pad("# budget: 500000", "in the currency below, beside the target"),
        _pad("# currency: GBP", "the default"),
        "# resources:",
        _pad("# - {id: trainer, name: Trainer, rate: 600}", "per working day of full-time use"),
        "# standing_costs:",
        _pad("# - {name: Supplier delivery team, rate: 2500}", "per working day, start to finish"),
    ]
    return "\n".join(lines) + "\n"


def _fallback(value: bool | tuple[str, ...]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"[{', '.join(value)}]"
