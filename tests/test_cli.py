"""The ``spinekit`` command: formats, exit codes and error reporting."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _helpers import UNKNOWN_DEPENDENCY, run, write_file

PLAN = """name: Demo
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: a, name: "Request ASID, INT", duration: 3, owner: NHS England}
  - {id: b, duration: 2, depends_on: [a]}
  - {id: c, duration: 1, depends_on: [a]}
  - {id: done, duration: 0, depends_on: [b, c]}
"""


@pytest.fixture
def plan(tmp_path):
    return write_file(tmp_path, PLAN)


def test_csv(capsys, plan):
    code, out, err = run(capsys, "schedule", plan, "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:11] == [
        "id",
        "name",
        "start",
        "finish",
        "es",
        "ef",
        "ls",
        "lf",
        "total_float",
        "free_float",
        "critical",
    ]
    by = {r["id"]: r for r in rows}
    assert by["a"]["name"] == "Request ASID, INT"
    assert (by["c"]["start"], by["c"]["finish"], by["c"]["total_float"], by["c"]["critical"]) == (
        "2027-01-07",
        "2027-01-07",
        "1",
        "false",
    )
    assert (by["done"]["start"], by["done"]["es"], by["done"]["critical"]) == ("2027-01-11", "5", "true")
    assert by["a"]["owner"] == "NHS England"


def test_json(capsys, plan):
    code, out, _ = run(capsys, "schedule", plan, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["finish_offset"] == 5 and doc["finish_date"] == "2027-01-08"
    assert doc["critical_path"] == ["a", "b", "done"]
    t = {x["id"]: x for x in doc["tasks"]}
    assert t["b"] == {
        **t["b"],
        "es": 3,
        "ef": 5,
        "ls": 3,
        "lf": 5,
        "total_float": 0,
        "free_float": 0,
        "critical": True,
        "start": "2027-01-07",
        "finish": "2027-01-08",
    }


def test_table_default(capsys, plan):
    code, out, _ = run(capsys, "schedule", plan)
    assert code == 0 and "Demo" in out and "2027-01-08" in out


def test_out_file(capsys, plan, tmp_path):
    target = tmp_path / "out" / "s.csv"
    code, out, _ = run(capsys, "schedule", plan, "--format", "csv", "--out", target)
    assert code == 0 and out == ""
    assert target.read_text().startswith("id,name,start")


def test_bundled_example_is_the_default(capsys):
    code, out, _ = run(capsys, "schedule", "--format", "json")
    assert code == 0 and json.loads(out)["tasks"]


@pytest.mark.parametrize(
    "body, words",
    [
        ("tasks:\n  - {id: a, duration: 1, depends_on: [b]}\n  - {id: b, duration: 1, depends_on: [a]}\n", "->"),
        ("tasks:\n  - {id: a, duration: -2}\n", "'duration'"),
        ("tasks: [\n", "malformed YAML"),
    ],
)
def test_invalid_input_exit_2_nothing_written(capsys, tmp_path, body, words):
    f = write_file(tmp_path, "name: x\nstart: 2027-01-04\n" + body, "bad.yaml")
    target = tmp_path / "never.csv"
    code, out, err = run(capsys, "schedule", f, "--format", "csv", "--out", target)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(f) in err and words in err
    assert "Traceback" not in err
    assert not target.exists() and list(tmp_path.iterdir()) == [f]


def test_python_dash_m_and_exit_code(tmp_path):
    f = write_file(tmp_path, UNKNOWN_DEPENDENCY, "bad.yaml")
    r = subprocess.run([sys.executable, "-m", "spinekit", "schedule", str(f)], capture_output=True, text=True)
    assert r.returncode == 2 and "unknown task 'zz'" in r.stderr and r.stdout == ""


def test_json_has_no_nan(capsys, plan):
    code, out, _ = run(capsys, "schedule", plan, "--format", "json")
    assert code == 0 and "NaN" not in out
    json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_new_does_not_overwrite_without_force(capsys, tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_text("my edited plan\n")
    code, _, err = run(capsys, "new", "--services", "pds", "--out", target)
    assert code == 2 and "already exists" in err and target.read_text() == "my edited plan\n"
    code, _, _ = run(capsys, "new", "--services", "pds", "--out", target, "--force")
    assert code == 0 and target.read_text().splitlines()[1].startswith("# Starter programme")


def test_unwritable_out_is_one_line_and_exit_2(capsys, plan, tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    code, out, err = run(capsys, "schedule", plan, "--out", folder)
    assert code == 2 and "cannot write" in err and "Traceback" not in err and len(err.splitlines()) == 1
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, _, err = run(capsys, "report", plan, "--out", blocker)
    assert code == 2 and str(blocker) in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, first_line",
    [
        (["schedule", "--format", "csv"], "id,name,start,finish,"),
        (["export", "--to", "tjp"], "# TaskJuggler 3 project exported by spinekit"),
        (["check", "--format", "json"], "{"),
        (["simulate", "--iterations", "200", "--seed", "1", "--format", "json"], "{"),
        (["compare", "--iterations", "200", "--seed", "1", "--format", "json"], "{"),
    ],
    ids=["schedule", "export", "check", "simulate", "compare"],
)
def test_out_never_replaces_a_file_without_force(capsys, plan, tmp_path, argv, first_line):
    target = tmp_path / "result.txt"
    target.write_text("yesterday's result\n")
    code, out, err = run(capsys, argv[0], plan, *argv[1:], "--out", target)
    assert code == 2 and out == ""
    assert err == f"spinekit: error: {target}: already exists; choose another --out, or add --force to replace it\n"
    assert target.read_text() == "yesterday's result\n"
    code, out, err = run(capsys, argv[0], plan, *argv[1:], "--out", target, "--force")
    assert code in (0, 1) and out == "" and err == ""
    assert target.read_text().startswith(first_line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml", "result.txt"]


def test_out_is_checked_before_the_plan_is_read(capsys, tmp_path):
    # The file is missing, and --out is a folder: the output is reported first, at once.
    folder = tmp_path / "afolder"
    folder.mkdir()
    code, _, err = run(capsys, "schedule", tmp_path / "missing.yaml", "--out", folder)
    assert code == 2
    assert err == f"spinekit: error: {folder}: is a folder; cannot write the output there; give a file name for --out\n"
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, _, err = run(capsys, "schedule", tmp_path / "missing.yaml", "--out", blocker / "s.csv")
    assert code == 2
    assert err == f"spinekit: error: {blocker}: is a file, not a folder; choose another --out\n"


def test_a_report_folder_that_cannot_be_written_is_refused_before_any_work(capsys, tmp_path, monkeypatch):
    # Tests run as root, whom permissions do not stop: the folder's answer to "may I write
    # here?" is made "no", as it is for a user without write permission on it.
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked and real(path, mode, **kw))
    code, out, err = run(capsys, "report", tmp_path / "missing.yaml", "--out", locked / "reports")
    assert code == 2 and out == ""
    assert (
        err == f"spinekit: error: {locked / 'reports'}: cannot write there (permission denied); choose another --out\n"
    )
