"""JSON Schema of the programme file, for editors that complete keys and flag errors as you type.

The schema is generated from the pydantic models that validate programme files
(:mod:`spinekit.model.schema`): their keys, which are required, nesting and defaults. Fields that
the models check by hand (dates, durations, lags, the scope switches) are described here, once,
in :data:`_SHAPES`; :func:`programme_schema` fails if a model no longer has a field described.

YAML editors read it through a first line ``# yaml-language-server: $schema=<file or URL>`` (the
Red Hat YAML extension in VS Code; JupyterLab's LSP with ``yaml-language-server``). ``spinekit
schema`` prints or writes it; ``spinekit new`` names the installed copy.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from spinekit.model.calendar import HOLIDAY_REGIONS
from spinekit.model.domain import DEPENDENCY_TYPES, DISTRIBUTIONS, RISK_STATES
from spinekit.model.schema import ProgrammeEntry, ScenarioEntry, StatusEntry

__all__ = ["programme_schema", "schema_text", "schema_uri", "SCHEMA_ID", "SCHEMA_FILE"]

#: The copy installed with spinekit, under the bundled data folder.
SCHEMA_FILE = "schema/programme.schema.json"
#: The schema's ``$id`` (a name, not an address that is fetched).
SCHEMA_ID = "urn:spinekit:programme-file"

_DATE = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}$",
    "format": "date",
    "description": "A date, YYYY-MM-DD.",
}
_OPTIONAL_DATE = {"anyOf": [_DATE, {"type": "null"}]}
_DAYS = {"type": "number", "minimum": 0, "description": "Working days."}
_THREE_POINT = {"$ref": "#/$defs/ThreePointEntry"}
_DURATION = {
    "anyOf": [{"type": "integer", "minimum": 0, "description": "Fixed working days."}, _THREE_POINT],
    "description": "Working days: a whole number, or a three-point estimate {min, likely, max, dist}.",
}
_THREE_POINT_DEF = {
    "type": "object",
    "title": "ThreePointEntry",
    "description": "A three-point estimate in working days, min <= likely <= max.",
    "additionalProperties": False,
    "properties": {
        "min": _DAYS,
        "likely": _DAYS,
        "max": _DAYS,
        "dist": {"enum": list(DISTRIBUTIONS), "default": "pert"},
    },
    "required": ["min", "likely", "max"],
}

_MONEY = {"type": "number", "minimum": 0, "maximum": 1e12, "description": "An amount in the programme's currency."}
_COST = {
    "anyOf": [_MONEY, {"$ref": "#/$defs/CostEntry"}, {"type": "null"}],
    "description": "An amount, or a three-point estimate {min, likely, max, dist} of one.",
}
_COST_DEF = {
    "type": "object",
    "title": "CostEntry",
    "description": "A three-point estimate of an amount of money, min <= likely <= max.",
    "additionalProperties": False,
    "properties": {
        "min": _MONEY,
        "likely": _MONEY,
        "max": _MONEY,
        "dist": {"enum": list(DISTRIBUTIONS), "default": "pert"},
    },
    "required": ["min", "likely", "max"],
}

#: (model, field) -> the JSON Schema of a field that the model validates by hand.
_SHAPES: dict[tuple[str, str], dict[str, Any]] = {
    ("ProgrammeEntry", "start"): _DATE,
    ("ProgrammeEntry", "target"): _OPTIONAL_DATE,
    ("ProgrammeEntry", "overrides"): {
        "type": "object",
        "additionalProperties": _DURATION,
        "description": "Lead times to change, by task id or catalogue kind.",
    },
    ("ProgrammeEntry", "budget"): {"anyOf": [_MONEY, {"type": "null"}]},
    ("ResourceEntry", "rate"): {**_MONEY, "description": "Cost per working day."},
    ("StandingCostEntry", "rate"): {**_MONEY, "description": "Cost per working day of the programme."},
    ("AssignmentEntry", "share"): {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1},
    ("TaskEntry", "cost"): _COST,
    ("RiskEntry", "cost_impact"): _COST,
    ("ScopeEntry", "indicative_costs"): {"type": "boolean", "default": False},
    ("ProgrammeEntry", "status"): {"anyOf": [{"$ref": "#/$defs/StatusEntry"}, {"type": "null"}]},
    ("StatusEntry", "date"): {**_DATE, "description": "Progress is recorded up to the end of this day."},
    ("StatusEntry", "risks"): {"type": "object", "additionalProperties": {"enum": list(RISK_STATES)}},
    ("TaskStatusEntry", "start"): _OPTIONAL_DATE,
    ("TaskStatusEntry", "finish"): _OPTIONAL_DATE,
    ("TaskStatusEntry", "remaining"): {
        "anyOf": [{"type": "integer", "minimum": 0}, _THREE_POINT, {"type": "null"}],
        "description": "Whole working days left, or a three-point estimate of them.",
    },
    ("TaskStatusEntry", "percent_complete"): {
        "anyOf": [{"type": "number", "minimum": 0, "maximum": 100}, {"type": "null"}]
    },
    ("ProgrammeEntry", "scenarios"): {"type": "array", "items": {"$ref": "#/$defs/ScenarioEntry"}},
    ("CalendarEntry", "holidays"): {"enum": list(HOLIDAY_REGIONS), "default": "england-and-wales"},
    ("ClosureEntry", "from"): _DATE,
    ("ClosureEntry", "to"): _DATE,
    ("LinkEntry", "type"): {"enum": list(DEPENDENCY_TYPES), "default": "FS"},
    ("LinkEntry", "lag"): {"type": "integer", "default": 0, "description": "Working days; negative for a lead."},
    ("TaskEntry", "duration"): _DURATION,
    ("RuleEntry", "organisation"): {
        "anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
        "description": "The deploying organisation this repeat is for (1, 2 ...).",
    },
    ("RuleEntry", "wave"): {
        "anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}],
        "description": "The roll-out wave of that organisation (1 for the pilot).",
    },
    ("TaskEntry", "not_before"): _OPTIONAL_DATE,
    ("TaskEntry", "deadline"): _OPTIONAL_DATE,
    ("RiskEntry", "probability"): {"type": "number", "minimum": 0, "maximum": 1},
    ("RiskEntry", "impact"): _DURATION,
    ("CorrelationEntry", "rho"): {"type": "number", "minimum": -1, "maximum": 1},
    ("ScopeEntry", "smartcards"): {"type": "boolean", "default": False},
    ("ScopeEntry", "organisations"): {"type": "integer", "minimum": 1, "default": 1},
    ("ScopeEntry", "hl7v3_fallback"): {
        "anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}],
        "default": False,
    },
    ("ChangeEntry", "duration"): {"anyOf": [_DURATION, {"type": "null"}]},
    ("ChangeEntry", "not_before"): _OPTIONAL_DATE,
    ("ChangeEntry", "deadline"): _OPTIONAL_DATE,
    ("ChangeEntry", "impact"): {"anyOf": [_DURATION, {"type": "null"}]},
    ("ChangeEntry", "start"): _OPTIONAL_DATE,
    ("ChangeEntry", "depends_on_add"): {
        "type": "array",
        "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/LinkEntry"}]},
    },
}


def programme_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a programme file.

    Raises
    ------
    KeyError
        A field described in :data:`_SHAPES` is missing from its model (the two disagree).
    """
    schema = ProgrammeEntry.model_json_schema(by_alias=True)
    scenario = ScenarioEntry.model_json_schema(by_alias=True)
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    defs.update(scenario.pop("$defs", {}))
    defs["ScenarioEntry"] = scenario
    status = StatusEntry.model_json_schema(by_alias=True)
    defs.update(status.pop("$defs", {}))
    defs["StatusEntry"] = status
    defs["ThreePointEntry"] = copy.deepcopy(_THREE_POINT_DEF)
    defs["CostEntry"] = copy.deepcopy(_COST_DEF)
    models = {"ProgrammeEntry": schema, **defs}
    for (model, name), shape in _SHAPES.items():
        properties = models[model]["properties"]
        if name not in properties:
            raise KeyError(f"{model} has no field {name!r}")
        title = properties[name].get("title")
        properties[name] = {**({"title": title} if title else {}), **copy.deepcopy(shape)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "spinekit programme file",
        "description": "A programme of NHS Spine integration work: tasks, scope, risks and scenarios.",
    }


def schema_text() -> str:
    """:func:`programme_schema` as indented JSON text, the same bytes every time."""
    return json.dumps(programme_schema(), indent=2, sort_keys=True) + "\n"


def schema_uri() -> str:
    """The ``file:`` address of the installed copy, for ``# yaml-language-server: $schema=``."""
    from spinekit.model.files import data_dir

    return (data_dir() / SCHEMA_FILE).resolve().as_uri()
