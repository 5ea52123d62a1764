"""What-if scenarios: named variants of a programme, built from a preset and changes.

A scenario is a list of changes applied, in order, to the base programme (after its preset,
if it names one). Scenarios are validated against the programme when it is read, so a scenario
that names an unknown task or risk is reported with the scenario and the id.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from spinekit.catalogue.presets import PRESETS
from spinekit.engine.network import compile_programme
from spinekit.model.changes import apply_changes, convert_change
from spinekit.model.domain import Programme, Scenario
from spinekit.model.errors import NothingToChange, ProgrammeError, closest, did_you_mean, short_repr
from spinekit.model.schema import ChangeEntry, ScenarioEntry
from spinekit.model.status import apply_status

__all__ = ["BASELINE", "apply_scenario", "apply_preset_and_changes", "parse_scenarios", "select_scenarios"]


def parse_scenarios(data: Any, base: Programme, *, source: str | None = None) -> tuple[Scenario, ...]:
    """Validate the ``scenarios`` list of a programme file against the base programme.

    Every scenario is applied once here, so unknown ids, cycles and bad values surface when the
    file is read, with the scenario named.
    """
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ProgrammeError("must be a list of scenarios, each with an id", source=source, field="scenarios")
    out: list[Scenario] = []
    seen: set[str] = set()
    for i, item in enumerate(data):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        where = f"scenarios[{label}]"
        try:
            raw = ScenarioEntry.model_validate(item)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["ctx"]["error"]) if err["type"] == "value_error" and "ctx" in err else err["msg"]
            if err["type"] == "extra_forbidden":
                bad = str(err["loc"][-1])
                valid = list(ChangeEntry.model_fields) if "changes" in err["loc"] else list(ScenarioEntry.model_fields)
                msg = f"unknown key {short_repr(bad)}; " + did_you_mean(
                    bad, valid, f"valid keys are {', '.join(valid)}"
                )
            raise ProgrammeError(msg, source=source, field=f"{where}.{loc}" if loc else where) from None
        if raw.preset is not None and raw.preset not in PRESETS:
            extra = did_you_mean(raw.preset, PRESETS, f"use one of {', '.join(PRESETS)}", "; ")
            raise ProgrammeError(
                f"unknown preset {short_repr(raw.preset)}{extra}", source=source, field=f"{where}.preset"
            )
        changes = [convert_change(c, base, f"{where}.changes[{k}]", source) for k, c in enumerate(raw.changes)]
        if raw.id in seen:
            raise ProgrammeError("duplicate scenario id; every scenario needs its own id", source=source, field=where)
        seen.add(raw.id)
        scenario = Scenario(raw.id, raw.name or raw.id, raw.preset, tuple(changes))
        try:
            if raw.preset is not None:
                planned = base.planned if base.planned is not None else base
                scenario = replace(scenario, note=_preset(planned, scenario)[1])
            apply_scenario(base, scenario)  # validates references now, with the scenario named
        except ProgrammeError as exc:
            raise (exc.with_source(source) if source else exc) from None
        out.append(scenario)
    return tuple(out)


def apply_preset_and_changes(programme: Programme, scenario: Scenario) -> Programme:
    """``scenario``'s preset (if any), then its changes, applied to ``programme``.

    :func:`apply_scenario` without its final network check, for callers that build the
    network themselves. A preset that finds nothing to change, or does not fit the
    programme, leaves it as it is (the scenario's note says why).

    Raises
    ------
    ProgrammeError
        A change names an unknown task or risk.
    """
    return apply_changes(_preset(programme, scenario)[0], scenario)


def _preset(programme: Programme, scenario: Scenario) -> tuple[Programme, str | None]:
    """``scenario``'s preset applied to ``programme``, and why it changed nothing if it did not."""
    if scenario.preset is None:
        return programme, None
    try:
        return PRESETS[scenario.preset](programme), None
    except NothingToChange as nothing:
        return programme, f"preset {scenario.preset}: {nothing.reason}"
    except ProgrammeError as exc:
        # A preset that does not fit this plan leaves its scenario as the plan, with a note that
        # says why, and never stops the other scenarios.
        return programme, f"{exc.message}; not applied, so this scenario is the plan as it is"


def apply_scenario(programme: Programme, scenario: Scenario) -> Programme:
    """The programme as ``scenario`` has it: its preset first, then its changes, validated.

    A programme with a status is changed as planned, and the status applied again after.
    """
    planned = programme.planned if programme.planned is not None else programme
    result = apply_preset_and_changes(planned, scenario)
    try:
        compile_programme(result)
        if programme.status is not None:
            result = apply_status(result, programme.status)
    except ProgrammeError as exc:
        raise ProgrammeError(
            f"scenario {short_repr(scenario.id)} breaks the network: {exc.message}",
            source=programme.source,
            task=exc.task,
            field=f"scenarios[{scenario.id}]",
        ) from None
    return result


#: The id of the implicit scenario "the programme as written" when a file defines none.
BASELINE = "baseline"


def select_scenarios(programme: Programme, ids: list[str] | None = None) -> list[Scenario]:
    """The scenarios to compare: those named (in that order), else all, else the baseline."""
    defined = {s.id: s for s in programme.scenarios}
    ids = list(dict.fromkeys(ids or []))
    if not ids:
        return list(defined.values()) or [Scenario(BASELINE, "Programme as written")]
    chosen = []
    for sid in ids:
        if sid in defined:
            chosen.append(defined[sid])
        elif sid == BASELINE:
            chosen.append(Scenario(BASELINE, "Programme as written"))
        else:
            hint = closest(sid, [*defined, BASELINE])
            if sid in PRESETS and hint is None:
                extra = (
                    f"; {short_repr(sid)} is a preset: add {{id: {sid}, preset: {sid}}} "
                    "to the file's scenarios to compare it"
                )
            else:
                extra = f"; did you mean {short_repr(hint)}?" if hint else f"; defined: {', '.join(defined) or 'none'}"
            raise ProgrammeError(
                f"unknown scenario {short_repr(sid)}{extra}", source=programme.source, field="scenarios"
            )
    return chosen
