"""Start-up cost: what importing spinekit and running its lightest commands load."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["pandas", "plotly", "networkx", "ipywidgets", "papermill", "nbconvert"]


def loaded_after(code: str) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    return [m for m in HEAVY if m in modules]


@pytest.mark.parametrize("code", ["import spinekit", "import spinekit.cli", "import spinekit, spinekit.cli"])
def test_importing_loads_no_heavy_library(code):
    assert loaded_after(code) == []


def test_help_and_version_load_no_heavy_library():
    run = "from spinekit.cli import main\ntry:\n    main([{!r}])\nexcept SystemExit:\n    pass"
    assert loaded_after(run.format("--help")) == []
    assert loaded_after(run.format("--version")) == []


def test_schedule_as_text_needs_neither_pandas_nor_plotly(tmp_path):
    for fmt in ("csv", "json", "table"):
        code = (
            f"from spinekit.cli import main\nmain(['schedule', '--format', '{fmt}', '--out', {str(tmp_path / fmt)!r}])"
        )
        assert loaded_after(code) == [], fmt


def test_every_public_name_resolves_on_first_use():
    import spinekit

    for name in spinekit.__all__:
        assert getattr(spinekit, name) is not None, name
        assert name in dir(spinekit)
    assert spinekit.schedule.__module__ == "spinekit.engine.schedule"
    assert spinekit.explorer.build_explorer is spinekit.build_explorer
    with pytest.raises(AttributeError, match="no attribute 'shedule'"):
        spinekit.shedule  # noqa: B018
