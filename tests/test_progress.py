"""``spinekit status``: progress at the status date, against a baseline and the last snapshot.

Hand-worked on a calendar with no holidays from Monday 4 January 2027 (day 0). As planned:
a days 0-4 (4-8 January), b days 5-9 (11-15), c days 10-14 (18-22); go-live Friday 22nd.
At Tuesday 12 January (s = 7): a took days 0-5 (to Monday 11th); b started on day 6 with 6
days left, so it runs days 6-12 (to Wednesday 20th) and c days 13-17 (to Wednesday 27th).
"""

from __future__ import annotations

import json

from _helpers import run, write_file

PLAN = """\
name: t
start: 2027-01-04
calendar: {holidays: none}
risks:
  - {id: r1, probability: 0.3, impact: 2, tasks: [c]}
tasks:
  - {id: a, duration: 5}
  - {id: b, duration: 5, depends_on: [a]}
  - {id: c, duration: 5, depends_on: [b]}
  - {id: cards, name: Test smartcards, kind: test-smartcards, duration: 3}
"""
BEFORE = "date: 2027-01-01\n"
NOW = """\
date: 2027-01-12
tasks:
  a: {start: 2027-01-04, finish: 2027-01-11}
  b: {start: 2027-01-12, remaining: 6}
risks: {r1: occurred}
"""


def test_status_against_the_baseline_and_the_last_snapshot(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    before = write_file(tmp_path, BEFORE, "before.yaml")
    now = write_file(tmp_path, NOW, "now.yaml")
    assert run(capsys, "record", plan, "--status", before, "--iterations", "200", "--seed", "1")[0] == 0
    assert run(capsys, "baseline", plan, "--name", "SG 2027-01")[0] == 0
    code, out, err = run(capsys, "status", plan, "--status", now, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["status_date"] == "2027-01-12"
    assert doc["counts"] == {"done": 1, "in progress": 1, "not started": 2}
    # a's 5 planned days, and b's 5 at 1 day done of 7.
    assert doc["earned_days"] == round(5 + 5 / 7, 2) and doc["planned_days"] == 18
    assert doc["overdue_lead_time"] == ["cards"]
    assert doc["finish_date"] == "2027-01-27"
    base = doc["baseline"]
    assert (base["name"], base["go_live_slip"], base["slipped_critical"]) == ("SG 2027-01", 3, ["b", "c"])
    assert [(t["id"], t["baseline_finish"], t["forecast_finish"], t["slip"]) for t in base["tasks"]] == [
        ("a", "2027-01-08", "2027-01-11", 1),
        ("b", "2027-01-15", "2027-01-20", 3),
        ("c", "2027-01-22", "2027-01-27", 3),
        ("cards", "2027-01-06", "2027-01-15", 7),  # not started: held to day 7, runs days 7-9
    ]
    since = doc["since"]
    assert since["status_date"] == "2027-01-01"
    assert (since["finished"], since["started"], since["risks occurred"]) == (["a"], ["a", "b"], ["r1"])
    assert since["slipped"] == ["a", "b", "c", "cards"]

    code, out, _ = run(capsys, "status", plan, "--status", now)
    assert "1 done, 1 in progress, 2 not started; earned 5.7 of 18.0 planned working days" in out
    assert "go-live 3 working days later" in out and "Overdue lead-time items" in out


def test_status_without_history_and_without_a_status(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    now = write_file(tmp_path, NOW, "now.yaml")
    code, out, _ = run(capsys, "status", plan, "--status", now, "--format", "json")
    assert code == 0 and "baseline" not in json.loads(out) and "since" not in json.loads(out)
    assert not (tmp_path / "plan.history.sqlite").exists()
    code, out, err = run(capsys, "status", plan)
    assert code == 2 and out == "" and "no status date" in err


def test_percent_complete_earns_its_share(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    now = write_file(tmp_path, "date: 2027-01-06\ntasks:\n  a: {start: 2027-01-04, percent_complete: 40}\n", "n.yaml")
    doc = json.loads(run(capsys, "status", plan, "--status", now, "--format", "json")[1])
    assert doc["earned_days"] == 2.0


def test_finished_by_date_and_baseline_table_leave_milestones_out_and_keep_durations():
    import datetime as dt

    from _helpers import plan as make_plan

    from spinekit import baseline_table, finished_by_date, schedule
    from spinekit.model.history import Snapshot, TaskSnapshot

    d = dt.date
    p = make_plan(
        [{"id": "a", "duration": 5}, {"id": "m", "duration": 0, "depends_on": ["a"]}],
        status={"date": "2027-01-12", "tasks": {"a": {"start": "2027-01-04", "finish": "2027-01-11"}}},
    )
    base = Snapshot(
        "t",
        d(2027, 1, 1),
        dt.datetime(2027, 1, 1),
        d(2027, 1, 8),
        d(2027, 1, 8),
        d(2027, 1, 8),
        d(2027, 1, 8),
        None,
        None,
        1,
        1,
        (
            TaskSnapshot("a", "A", d(2027, 1, 4), d(2027, 1, 8), 0, 0, True, 1.0, "not started"),
            TaskSnapshot("m", "M", d(2027, 1, 11), d(2027, 1, 11), 0, 0, True, 1.0, "not started"),
        ),
    )
    assert finished_by_date(base, p) == ([d(2027, 1, 8)], [d(2027, 1, 11)])
    table = baseline_table(base, schedule(p))
    assert table[["id", "start", "finish", "duration"]].to_dict("records") == [
        {"id": "a", "start": d(2027, 1, 4), "finish": d(2027, 1, 8), "duration": 6},
        {"id": "m", "start": d(2027, 1, 11), "finish": d(2027, 1, 11), "duration": 0},
    ]
