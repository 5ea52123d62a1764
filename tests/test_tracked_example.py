"""The tracked example's history database is what its script records from the status files.

``data/examples/tracking/history.sqlite`` is committed, and the forecasts in it follow the
catalogue: when the catalogue changes, ``scripts/tracked_example.py --force`` writes it again.
This test fails until it has been.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys

import pytest
import yaml
from _helpers import ROOT

from spinekit import example_path, read_history, read_programme

TRACKING = ROOT / "data" / "examples" / "tracking"
COMMITTED = TRACKING / "history.sqlite"
REGENERATE = "run: uv run python scripts/tracked_example.py --force, and commit the database"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("tracked_example", ROOT / "scripts" / "tracked_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tracked_example"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["tracked_example"]


def test_the_committed_history_is_what_the_script_records_from_the_status_files(script, tmp_path):
    fresh = tmp_path / "history.sqlite"
    assert script.main(["--out", str(fresh)]) == 0
    name = read_programme(example_path()).name
    snaps, bases = read_history(str(COMMITTED), name)
    want_snaps, want_bases = read_history(str(fresh), name)
    # Contents, not bytes: every snapshot's figures, tasks and risks, and the baseline.
    assert [s.status_date for s in snaps] == [s.status_date for s in want_snaps], REGENERATE
    for got, want in zip(snaps, want_snaps):
        assert got == want, f"the snapshot at {got.status_date} differs; {REGENERATE}"
    assert bases == want_bases, REGENERATE


def test_the_committed_history_has_a_snapshot_per_status_file_and_the_first_is_the_baseline():
    name = read_programme(example_path()).name
    snaps, bases = read_history(str(COMMITTED), name)
    dates = [
        yaml.safe_load(path.read_text(encoding="utf-8"))["status"]["date"]
        for path in sorted(TRACKING.glob("status-*.yaml"))
    ]
    assert dates == [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 3, 26)]
    assert [s.status_date for s in snaps] == dates
    assert [(s.iterations, s.seed) for s in snaps] == [(10_000, 2027)] * 3
    assert [(b.name, b.status_date) for b in bases] == [("Approved at SG 2027-01", dt.date(2027, 1, 29))]
    # The third status closes the HL7 V3 risk; the first two leave it open.
    assert [dict(s.risks)["hl7v3-needed"] for s in snaps] == ["open", "open", "closed"]


def test_the_script_never_replaces_a_database_without_force(script, tmp_path, capsys):
    out = tmp_path / "history.sqlite"
    out.write_bytes(b"not yet replaced")
    assert script.main(["--out", str(out)]) == 2
    assert "already exists; add --force" in capsys.readouterr().err
    assert out.read_bytes() == b"not yet replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite"]
