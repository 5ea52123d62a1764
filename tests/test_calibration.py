"""``spinekit calibrate``: finished tasks whose actual duration fell outside their estimate."""

from __future__ import annotations

import json

from _helpers import run, write_file

NORTH = """\
name: north
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: ods, kind: ods-code, basis: "estimate [S50]: 1-4 weeks", duration: {min: 5, likely: 10, max: 20}}
  - {id: dspt, kind: dspt, basis: "estimate [S52]", duration: {min: 20, likely: 40, max: 60}}
  - {id: quick, kind: developer-account, duration: {min: 1, likely: 2, max: 3}}
  - {id: gate, duration: 0}
  - {id: slow, kind: ods-code, duration: {min: 5, likely: 10, max: 20}}
status:
  date: 2027-03-31
  tasks:
    ods: {start: 2027-01-04, finish: 2027-02-05}       # 25 working days: above 20
    dspt: {start: 2027-01-04, finish: 2027-01-06}      # 3: below 20
    quick: {start: 2027-01-04, finish: 2027-01-06}     # 3: within 1-3
    gate: {start: 2027-01-04}
    slow: {start: 2027-01-04, remaining: 30}           # in progress: not yet evidence
"""

SOUTH = """\
name: south
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: ods-code, kind: ods-code, duration: {min: 5, likely: 10, max: 20}}
status:
  date: 2027-03-31
  tasks:
    ods-code: {start: 2027-01-04, finish: 2027-01-29}  # 20: the top of the range is inside it
"""


def test_calibrate_lists_finished_tasks_outside_their_range_by_catalogue_item(tmp_path, capsys):
    north = write_file(tmp_path, NORTH, "north.yaml")
    south = write_file(tmp_path, SOUTH, "south.yaml")
    code, out, err = run(capsys, "calibrate", north, south, "--format", "json")
    assert code == 0, err
    rows = [(r["item"], r["programme"], r["task"], r["actual"], r["side"]) for r in json.loads(out)["tasks"]]
    assert rows == [("dspt", "north", "dspt", 3, "below"), ("ods-code", "north", "ods", 25, "above")]
    code, out, _ = run(capsys, "calibrate", north)
    assert "ods-code: ods in 'north' took 25 working days, above 5-20 (likely 10)" in out
    assert "source: estimate [S50]: 1-4 weeks" in out


def test_calibrate_without_misses_says_so(tmp_path, capsys):
    south = write_file(tmp_path, SOUTH, "south.yaml")
    assert run(capsys, "calibrate", south)[1] == "every finished task took a duration within its three-point range\n"


def test_calibrate_takes_a_status_file_for_each_programme_in_order(tmp_path, capsys):
    """North's plan without its block, and its status given as a file: the same two misses."""
    plan, block = NORTH.split("status:\n")
    north = write_file(tmp_path, plan, "north.yaml")
    status = write_file(tmp_path, "status:\n" + block, "north-status.yaml")
    south = write_file(tmp_path, SOUTH, "south.yaml")
    assert run(capsys, "calibrate", north)[1].startswith("no finished task to compare yet")
    gate_only = write_file(
        tmp_path, "status:\n  date: 2027-03-31\n  tasks:\n    gate: {start: 2027-01-04, finish: 2027-01-04}\n", "g.yaml"
    )
    assert run(capsys, "calibrate", north, "--status", gate_only)[1].startswith("no finished task to compare yet")
    code, out, err = run(capsys, "calibrate", north, "--status", status, "--format", "json")
    assert code == 0, err
    rows = [(r["programme"], r["task"], r["actual"], r["side"]) for r in json.loads(out)["tasks"]]
    assert rows == [("north", "dspt", 3, "below"), ("north", "ods", 25, "above")]
    code, _, err = run(capsys, "calibrate", north, south, "--status", status)
    assert code == 2
    assert "1 status files for 2 programme files; give one --status per programme file" in err
