"""The workbook notebooks execute with small parameters (papermill, as a user would run them)."""

from __future__ import annotations

import pytest
from _helpers import ROOT

NOTEBOOKS = ROOT / "notebooks"


def run(name, tmp_path, **parameters):
    import papermill as pm

    return pm.execute_notebook(
        str(NOTEBOOKS / name),
        str(tmp_path / name),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=300,
        cwd=str(tmp_path),
    )


def outputs_text(nb) -> str:
    chunks = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            chunks.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")) + str(out.get("text", "")))
    return "\n".join(chunks)


def test_parameters_contract():
    import papermill as pm

    assert {"programme_file", "scenarios", "iterations", "seed"} <= set(
        pm.inspect_notebook(str(NOTEBOOKS / "02-timeline-scenarios.ipynb"))
    )
    assert {"programme_file", "scenarios", "iterations", "seed", "title", "today"} <= set(
        pm.inspect_notebook(str(NOTEBOOKS / "03-steering-report.ipynb"))
    )


@pytest.fixture(scope="module")
def timeline_scenarios(tmp_path_factory):
    """Notebook 02 run once: presets that change tasks, and one that adds a task."""
    return run(
        "02-timeline-scenarios.ipynb",
        tmp_path_factory.mktemp("nb02"),
        iterations=200,
        seed=4,
        scenarios=["baseline", "requests-after-design", "deferred-assurance", "hl7v3-surprise"],
    )


def test_timeline_scenarios_runs(timeline_scenarios):
    nb = timeline_scenarios
    text = outputs_text(nb)
    assert "Lead-time requests raised after detailed design" in text
    assert text.count("plotly-graph-div") >= 4  # ranges, S-curves, a Gantt comparison per changed scenario
    assert "Changed:" in text


def test_timeline_scenarios_with_an_added_task(timeline_scenarios):
    nb = timeline_scenarios
    assert "Added:" in outputs_text(nb)


def test_progress_notebook_runs_with_a_history(tmp_path):
    from spinekit.cli import main

    plan = ROOT / "data" / "examples" / "seed-pds-eps-cis2.yaml"
    tracking = ROOT / "data" / "examples" / "tracking"
    db = tmp_path / "history.sqlite"
    for day in ("2027-01-29", "2027-02-26", "2027-03-26"):
        status = str(tracking / f"status-{day}.yaml")
        assert (
            main(["record", str(plan), "--status", status, "--db", str(db), "--iterations", "100", "--seed", "1"]) == 0
        )
    assert main(["baseline", str(plan), "--db", str(db), "--name", "SG January", "--status-date", "2027-01-29"]) == 0
    nb = run(
        "04-progress.ipynb",
        tmp_path,
        status_file=str(tracking / "status-2027-03-26.yaml"),
        history_db=str(db),
        iterations=200,
        seed=2,
    )
    text = outputs_text(nb)
    assert "progress at 2027-03-26" in text and "Against baseline &#x27;SG January&#x27;" in text
    assert text.count("plotly-graph-div") >= 4  # S-curve, trend, burn-up, baseline Gantt
