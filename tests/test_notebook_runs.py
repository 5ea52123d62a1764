"""The workbook notebooks execute with small parameters (papermill, as a user would run them)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run(name, tmp_path, **parameters):
    import papermill as pm

    return pm.execute_notebook(str(NOTEBOOKS / name), str(tmp_path / name), parameters=parameters,
                               kernel_name="python3", progress_bar=False, execution_timeout=300,
                               cwd=str(tmp_path))


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
        pm.inspect_notebook(str(NOTEBOOKS / "02-timeline-scenarios.ipynb")))
    assert {"programme_file", "scenarios", "iterations", "seed", "title", "today"} <= set(
        pm.inspect_notebook(str(NOTEBOOKS / "03-steering-report.ipynb")))


def test_timeline_scenarios_runs(tmp_path):
    nb = run("02-timeline-scenarios.ipynb", tmp_path, iterations=200, seed=4,
             scenarios=["baseline", "requests-after-design", "deferred-assurance"])
    text = outputs_text(nb)
    assert "Lead-time requests raised after detailed design" in text
    assert text.count("plotly-graph-div") >= 4  # ranges, S-curves, two Gantt comparisons
    assert "Changed:" in text


@pytest.mark.parametrize("scenario", ["hl7v3-surprise"])
def test_timeline_scenarios_with_an_added_task(tmp_path, scenario):
    nb = run("02-timeline-scenarios.ipynb", tmp_path, iterations=100, seed=1, scenarios=["baseline", scenario])
    assert "Added:" in outputs_text(nb)
