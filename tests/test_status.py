"""Progress at a status date: the status block, its errors and the network it gives.

Hand-worked on a calendar with no holidays: Monday 4 January 2027 is working day 0, so the
weeks run 4-8 (0-4), 11-15 (5-9), 18-22 (10-14) and 25-29 January (15-19).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from _helpers import draw_links, plan, run, write_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinekit import (
    Duration,
    ProgrammeError,
    TaskProgress,
    UnknownTaskError,
    apply_status,
    parse_programme,
    parse_status,
    schedule,
)

D = dt.date


def rows(programme):
    return {r["id"]: r for r in schedule(programme).records()}


def status_plan(tasks, status, **extra):
    return plan(tasks, status=status, **extra)


# --- the network at a status date -------------------------------------------------------------


def test_done_task_is_pinned_at_its_actual_dates_and_successors_wait_for_the_status_date():
    p = status_plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}],
        # Wednesday 13 January: s is Thursday 14th, day 8.
        {"date": "2027-01-13", "tasks": {"a": {"start": "2027-01-05", "finish": "2027-01-11"}}},
    )
    r = rows(p)
    # a: days 1 (Tue 5th) to 5 (Mon 11th) inclusive, 5 working days.
    assert (r["a"]["start"], r["a"]["finish"], r["a"]["es"], r["a"]["ef"]) == (D(2027, 1, 5), D(2027, 1, 11), 1, 6)
    # b could follow a on day 6, but nothing not started can start before s = 8.
    assert (r["b"]["es"], r["b"]["ef"], r["b"]["start"], r["b"]["finish"]) == (8, 11, D(2027, 1, 14), D(2027, 1, 18))


def test_started_task_ignores_incoming_links_and_remaining_adds_to_elapsed_days():
    p = status_plan(
        [
            {"id": "x", "duration": 10},
            {"id": "a", "duration": 6, "depends_on": ["x"]},
            {"id": "c", "duration": 2, "depends_on": ["a"]},
        ],
        # Friday 8 January: s is Monday 11th, day 5.
        {
            "date": "2027-01-08",
            "tasks": {"x": {"start": "2027-01-04", "remaining": 2}, "a": {"start": "2027-01-06", "remaining": 4}},
        },
    )
    r = rows(p)
    # x: 5 days elapsed (0-4) + 2 left = 7; a: pinned at day 2 despite x, 3 elapsed + 4 left.
    assert (r["x"]["es"], r["x"]["ef"], r["x"]["finish"]) == (0, 7, D(2027, 1, 12))
    assert (r["a"]["es"], r["a"]["ef"], r["a"]["finish"]) == (2, 9, D(2027, 1, 14))
    assert (r["c"]["es"], r["c"]["ef"], r["c"]["start"]) == (9, 11, D(2027, 1, 15))
    assert p.task("a").depends_on == ()
    assert p.planned is not None and [d.task for d in p.planned.task("a").depends_on] == ["x"]


@pytest.mark.parametrize(("percent", "remaining"), [(60, 4), (65, 4), (33, 7), (0, 10), (100, 0)])
def test_percent_complete_leaves_ceil_of_likely_times_the_share_left(percent, remaining):
    p = status_plan(
        [{"id": "a", "duration": {"min": 5, "likely": 10, "max": 20}}],
        {"date": "2027-01-08", "tasks": {"a": {"start": "2027-01-04", "percent_complete": percent}}},
    )
    assert rows(p)["a"]["ef"] == 5 + remaining
    # Monte Carlo scales each point of the estimate by the share left, after the 5 days elapsed.
    share = (100 - percent) / 100
    d = p.task("a").duration
    assert (d.min, d.likely, d.max) == pytest.approx((5 + 5 * share, 5 + 10 * share, 5 + 20 * share))


def test_three_point_remaining_is_added_to_the_elapsed_days():
    p = status_plan(
        [{"id": "a", "duration": 30}],
        {"date": "2027-01-06", "tasks": {"a": {"start": "2027-01-04", "remaining": {"min": 2, "likely": 4, "max": 8}}}},
    )
    assert p.task("a").duration == Duration(5, 7, 11, "pert")
    assert rows(p)["a"]["ef"] == 7


def test_not_started_tasks_keep_a_later_not_before_and_lose_an_earlier_one():
    p = status_plan(
        [
            {"id": "early", "duration": 1, "not_before": "2027-01-05"},
            {"id": "late", "duration": 1, "not_before": "2027-01-20"},
            {"id": "free", "duration": 1},
        ],
        {"date": "2027-01-08"},
    )
    r = rows(p)
    assert (r["early"]["es"], r["late"]["es"], r["free"]["es"]) == (5, 12, 5)
    assert p.task("late").not_before == D(2027, 1, 20)


def test_a_deadline_still_bends_the_float_of_the_forecast():
    p = status_plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"], "deadline": "2027-01-15"}],
        {"date": "2027-01-13", "tasks": {"a": {"start": "2027-01-05", "finish": "2027-01-11"}}},
    )
    r = rows(p)
    # b runs days 8-10 (to Monday 18th); the deadline Friday 15th is day 9, so LF = 10 - 1.
    assert (r["b"]["ef"], r["b"]["lf"], r["b"]["total_float"]) == (11, 10, -1)
    assert r["a"]["total_float"] == 1  # a (EF 6) may finish as late as b's latest start, day 7
    assert r["b"]["critical"]


def test_a_started_milestone_is_reached_on_its_start():
    p = status_plan(
        [{"id": "a", "duration": 3}, {"id": "m", "duration": 0, "depends_on": ["a"]}],
        {
            "date": "2027-01-08",
            "tasks": {"a": {"start": "2027-01-04", "finish": "2027-01-06"}, "m": {"start": "2027-01-07"}},
        },
    )
    r = rows(p)
    assert (r["m"]["es"], r["m"]["ef"], r["m"]["start"]) == (3, 3, D(2027, 1, 7))


def test_work_started_before_the_programme_start_counts_from_its_actual_start():
    p = status_plan(
        [{"id": "a", "duration": 10}, {"id": "b", "duration": 2, "depends_on": ["a"]}],
        {"date": "2027-01-06", "tasks": {"a": {"start": "2026-12-28", "remaining": 1}}},
    )
    r = rows(p)
    # Monday 28 December 2026 to Wednesday 6 January: 8 working days elapsed, then 1 left.
    assert (r["a"]["start"], r["a"]["finish"], r["a"]["duration"]) == (D(2026, 12, 28), D(2027, 1, 7), 9)
    assert (r["b"]["start"], r["b"]["finish"]) == (D(2027, 1, 8), D(2027, 1, 11))


def test_risks_closed_are_dropped_occurred_fire_for_certain_and_none_touch_done_tasks():
    p = status_plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": 5}, {"id": "c", "duration": 5}],
        {
            "date": "2027-01-08",
            "tasks": {"a": {"start": "2027-01-04", "finish": "2027-01-08"}},
            "risks": {"r1": "closed", "r2": "occurred"},
        },
        risks=[
            {"id": "r1", "probability": 0.5, "impact": 3, "tasks": ["b"]},
            {"id": "r2", "probability": 0.2, "impact": 4, "tasks": ["a", "c"]},
            {"id": "r3", "probability": 0.3, "impact": 2, "tasks": ["a"]},
        ],
    )
    assert [(r.id, r.probability, r.tasks) for r in p.risks] == [("r2", 1.0, ("c",))]


def test_an_empty_status_before_the_start_changes_nothing():
    tasks = [
        {"id": "a", "duration": 3},
        {"id": "b", "duration": 2, "depends_on": [{"task": "a", "type": "SS", "lag": 1}]},
    ]
    assert rows(status_plan(tasks, {"date": "2027-01-01"})) == rows(plan(tasks))


# --- errors ------------------------------------------------------------------------------------

TASKS = [{"id": "design", "duration": 10}, {"id": "build", "duration": 5, "depends_on": ["design"]}]
RISKS = [{"id": "pen-test", "probability": 0.3, "impact": 5, "tasks": ["build"]}]


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({"start": "2027-01-09"}, "start", "after the status date"),
        ({"start": "2027-01-04", "finish": "2027-01-11"}, "finish", "after the status date"),
        ({"start": "2027-01-06", "finish": "2027-01-05"}, "finish", "before start"),
        ({"finish": "2027-01-05"}, "finish", "needs a start"),
        ({"start": "2027-01-04", "finish": "2027-01-06", "remaining": 2}, "remaining", "no remaining work"),
        ({"start": "2027-01-04", "remaining": 2, "percent_complete": 50}, "percent_complete", "not both"),
        ({"start": "2027-01-04", "percent_complete": 120}, "percent_complete", "0 to 100"),
        ({"start": "2027-01-04", "percent_complete": -1}, "percent_complete", "0 to 100"),
        ({"start": "2027-01-04"}, "start", "remaining or percent_complete"),
        ({"start": "2027-01-04", "remianing": 2}, "remianing", "did you mean 'remaining'"),
        ({"start": "not a date", "remaining": 1}, "start", "ISO date"),
    ],
)
def test_each_bad_entry_names_the_task_and_field(entry, field, words):
    with pytest.raises(ProgrammeError) as err:
        plan(TASKS, status={"date": "2027-01-08", "tasks": {"design": entry}})
    assert err.value.task == "design"
    assert err.value.field == f"status.tasks.design.{field}"
    assert words in str(err.value)


# Entries around a status date of Friday 8 January: dates from the 4th to the 12th, so every
# rule is met and broken.
_DAYS = st.dates(D(2027, 1, 4), D(2027, 1, 12))
_ENTRIES = st.fixed_dictionaries(
    {},
    optional={
        "start": _DAYS,
        "finish": _DAYS,
        "remaining": st.integers(0, 30),
        "percent_complete": st.one_of(st.integers(0, 100), st.floats(0, 100)),
    },
)


def _breaks_a_rule(e: dict, milestone: bool) -> bool:
    """The status rules of the tracking contract, stated on their own."""
    date = D(2027, 1, 8)
    start, finish = e.get("start"), e.get("finish")
    remaining, percent = e.get("remaining"), e.get("percent_complete")
    return (
        (finish is not None and start is None)
        or (start is not None and start > date)
        or (finish is not None and finish > date)
        or (start is not None and finish is not None and finish < start)
        or (remaining is not None and finish is not None)
        or (remaining is not None and percent is not None)
        or (start is None and (remaining is not None or percent is not None))
        or (start is not None and finish is None and remaining is None and percent is None and not milestone)
    )


@settings(max_examples=300, deadline=None)
@given(_ENTRIES, st.booleans(), st.booleans())
def test_an_entry_is_refused_exactly_when_it_breaks_a_status_rule(entry, milestone, as_text):
    written = {k: v.isoformat() if as_text and isinstance(v, dt.date) else v for k, v in entry.items()}
    tasks = [{"id": "a", "duration": 0 if milestone else 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}]
    status = {"date": "2027-01-08", "tasks": {"a": written}}
    if _breaks_a_rule(entry, milestone):
        with pytest.raises(ProgrammeError) as err:
            plan(tasks, status=status)
        assert err.value.task == "a"
        assert err.value.field.startswith("status.tasks.a.")
    else:
        got = plan(tasks, status=status)
        assert got.status.progress("a").start == entry.get("start")
        assert got.status.progress("a").finish == entry.get("finish")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), st.integers(0, 999)), _ENTRIES))
def test_a_status_block_reads_each_entry_as_written_whichever_way_it_is_read(entries):
    """Entries read as written, alone and beside a three-point ``remaining`` (which sends the
    whole block through the schema's models instead of the quick reading)."""
    expected = {
        str(tid): TaskProgress(
            e.get("start"),
            e.get("finish"),
            None if "remaining" not in e else Duration.fixed(e["remaining"]),
            None if "percent_complete" not in e else float(e["percent_complete"]),
        )
        for tid, e in entries.items()
    }
    text = {
        tid: {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in e.items()} for tid, e in entries.items()
    }
    three_point = {"start": "2027-01-04", "remaining": {"min": 1, "likely": 2, "max": 4}}
    for block, extra in (({}, {}), ({"zz-three-point": three_point}, {"zz-three-point"})):
        status = parse_status({"date": "2027-01-08", "tasks": {**text, **block}})
        got = {tid: p for tid, p in status.tasks if tid not in extra}
        assert got == expected
        assert [type(p.remaining.likely) for p in got.values() if p.remaining] == [
            type(e["remaining"]) for e in entries.values() if "remaining" in e
        ]


def test_an_unknown_task_or_risk_is_named_with_the_closest_id():
    with pytest.raises(UnknownTaskError, match=r"unknown task 'desgn'.*did you mean 'design'"):
        plan(TASKS, status={"date": "2027-01-08", "tasks": {"desgn": {"start": "2027-01-04", "remaining": 1}}})
    with pytest.raises(UnknownTaskError, match=r"unknown risk 'pen-tst'.*did you mean 'pen-test'") as err:
        plan(TASKS, risks=RISKS, status={"date": "2027-01-08", "risks": {"pen-tst": "closed"}})
    assert err.value.field == "status.risks.pen-tst"
    with pytest.raises(ProgrammeError, match=r"unknown risk state 'clsed'.*did you mean 'closed'"):
        plan(TASKS, risks=RISKS, status={"date": "2027-01-08", "risks": {"pen-test": "clsed"}})


def test_cli_reports_a_bad_status_in_one_line_with_exit_2(tmp_path, capsys):
    body = textwrap.dedent(
        """\
        name: t
        start: 2027-01-04
        tasks:
          - {id: design, duration: 10}
        status:
          date: 2027-01-08
          tasks:
            design: {start: 2027-01-04, finish: 2027-01-12}
        """
    )
    f = write_file(tmp_path, body)
    for command in ("schedule", "simulate", "check", "compare", "export"):
        extra = ["--to", "tjp"] if command == "export" else ["--iterations", "10"] if command == "simulate" else []
        code, out, err = run(capsys, command, f, *extra)
        assert code == 2 and out == ""
        assert err.count("\n") == 1
        assert "task 'design'" in err and "status.tasks.design.finish" in err and "after the status date" in err


# --- --status FILE -------------------------------------------------------------------------------

PLAN = """\
name: t
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: a, duration: 5}
  - {id: b, duration: 3, depends_on: [a]}
status:
  date: 2027-01-05
  tasks:
    a: {start: 2027-01-04, remaining: 10}
"""

STATUS = """\
status:
  date: 2027-01-13
  tasks:
    a: {start: 2027-01-05, finish: 2027-01-11}
"""


def test_status_file_replaces_the_file_block_for_every_scheduling_command(tmp_path, capsys):
    f = write_file(tmp_path, PLAN)
    s = write_file(tmp_path, STATUS, "status.yaml")
    code, out, _ = run(capsys, "schedule", f, "--status", s, "--format", "csv")
    assert code == 0
    lines = {line.split(",")[0]: line.split(",") for line in out.splitlines()[1:]}
    assert lines["a"][2:4] == ["2027-01-05", "2027-01-11"]
    assert lines["b"][2:4] == ["2027-01-14", "2027-01-18"]
    # The file's own block alone: a has 2 days elapsed (4th, 5th) and 10 left, to the 19th.
    code, out, _ = run(capsys, "schedule", f, "--format", "csv")
    assert {line.split(",")[0]: line.split(",")[3] for line in out.splitlines()[1:]}["a"] == "2027-01-19"

    code, out, _ = run(capsys, "simulate", f, "--status", s, "--iterations", "50", "--seed", "1", "--format", "json")
    assert code == 0 and '"finish_date": "2027-01-18"' in out
    code, out, _ = run(capsys, "compare", f, "--status", s, "--iterations", "50", "--seed", "1", "--format", "json")
    assert code == 0 and "2027-01-18" in out
    code, out, _ = run(capsys, "export", f, "--status", s, "--to", "tjp")
    assert code == 0 and "2027-01-05" in out
    code, out, _ = run(capsys, "check", f, "--status", s, "--format", "json")
    assert code in (0, 1) and out.startswith("{")


def test_a_status_file_may_hold_the_block_alone_and_its_errors_name_that_file(tmp_path, capsys):
    f = write_file(tmp_path, PLAN)
    s = write_file(tmp_path, "date: 2027-01-13\ntasks:\n  a: {start: 2027-01-14, remaining: 1}\n", "st.yaml")
    code, out, err = run(capsys, "schedule", f, "--status", s)
    assert code == 2 and out == ""
    assert "st.yaml" in err and "task 'a'" in err and "tasks.a.start" in err
    code, _, err = run(capsys, "report", f, "--status", s, "--out", tmp_path / "r")
    assert code == 2 and "st.yaml" in err and not (tmp_path / "r").exists()


def test_a_scenario_of_a_tracked_programme_keeps_the_actuals(tmp_path):
    p = status_plan(
        [{"id": "a", "duration": 5}, {"id": "b", "duration": 3, "depends_on": ["a"]}],
        {"date": "2027-01-13", "tasks": {"a": {"start": "2027-01-05", "finish": "2027-01-11"}}},
        scenarios=[{"id": "slow", "changes": [{"task": "b", "duration": 6}, {"task": "a", "duration": 20}]}],
    )
    from spinekit import apply_scenario

    r = rows(apply_scenario(p, p.scenarios[0]))
    assert (r["a"]["es"], r["a"]["ef"]) == (1, 6)
    assert (r["b"]["es"], r["b"]["ef"]) == (8, 14)


# --- properties ----------------------------------------------------------------------------------

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def networks(draw):
    n = draw(st.integers(1, 14))
    tasks = []
    for i in range(n):
        task = {"id": f"t{i}", "duration": draw(st.integers(0, 8))}
        links = draw_links(draw, i)
        if links:
            task["depends_on"] = links
        tasks.append(task)
    region = draw(st.sampled_from(["none", "england-and-wales"]))
    return {"name": "random", "start": "2027-03-15", "calendar": {"holidays": region}, "tasks": tasks}


@SETTINGS
@given(networks())
def test_an_empty_status_leaves_the_schedule_as_it_was(data):
    before = schedule(parse_programme(data)).records()
    after = schedule(parse_programme({**data, "status": {"date": "2027-03-12"}})).records()
    assert after == before


@SETTINGS
@given(networks(), st.integers(0, 40))
def test_recording_the_forecast_as_actuals_leaves_every_forecast_date_where_it_was(data, day):
    before = schedule(parse_programme(data))
    cal = before.programme.calendar
    status_date = cal.date_of(day)
    progress = {}
    for r in before.records():
        es, ef = r["es"], r["ef"]
        if es > day or (es == day + 1):
            continue
        if ef <= day + 1 or es == ef:
            progress[r["id"]] = {"start": r["start"], "finish": r["finish"]}
        else:
            progress[r["id"]] = {"start": r["start"], "remaining": ef - (day + 1)}
    after = schedule(parse_programme({**data, "status": {"date": status_date, "tasks": progress}}))
    assert [(r["id"], r["start"], r["finish"]) for r in after.records()] == [
        (r["id"], r["start"], r["finish"]) for r in before.records()
    ]


# --- check: the progress rules -------------------------------------------------------------------

CHECKED = [
    {"id": "smartcards", "name": "Test smartcards", "kind": "test-smartcards", "duration": 10},
    {"id": "ods", "kind": "ods-code", "duration": 5},
    {"id": "dev-account", "kind": "developer-account", "duration": 2, "depends_on": ["ods"]},
    {"id": "mesh", "kind": "mesh-mailbox", "duration": 3, "not_before": "2027-02-01"},
    {"id": "design", "kind": "design", "duration": 10},
    {"id": "build", "kind": "build", "duration": 5, "depends_on": ["design"]},
    {"id": "tests", "duration": 4, "depends_on": [{"task": "design", "type": "SS", "lag": 2}]},
    {"id": "notes", "duration": 4, "depends_on": [{"task": "design", "type": "SS"}]},
]
# Monday 11 January: s = 6 (Tuesday 12th).
PROGRESS = {
    "date": "2027-01-11",
    "tasks": {
        "ods": {"start": "2027-01-04", "finish": "2027-01-08"},
        "design": {"start": "2027-01-04", "remaining": 5},
        "build": {"start": "2027-01-06", "remaining": 3},
        "tests": {"start": "2027-01-05", "remaining": 2},
        "notes": {"start": "2027-01-05", "remaining": 2},
    },
}


def checked(today="2027-01-12", stale_after=None, status=PROGRESS):
    from spinekit import check_plan

    result = check_plan(plan(CHECKED, status=status), today=D.fromisoformat(today), stale_after=stale_after)
    return {f.rule: f for f in result.findings}, result


def test_overdue_lead_time_items_are_those_the_network_had_starting_by_the_status_date():
    found, result = checked()
    overdue = found["overdue-lead-time"]
    assert overdue.severity == "error" and not result.ok
    # smartcards could start on day 0; dev-account once ods finished (day 5, Monday 11th); mesh is
    # held to February by its own date; ods has started.
    assert overdue.tasks == ("smartcards", "dev-account")
    assert "smartcards (Test smartcards) could have started on 2027-01-04" in overdue.message
    assert "dev-account (dev-account) could have started on 2027-01-11" in overdue.message


def test_an_item_that_could_only_start_after_the_status_date_is_not_overdue():
    early = {**PROGRESS, "date": "2027-01-08"}  # s = 5: dev-account could start on day 5, not before
    found, _ = checked(status=early)
    assert found["overdue-lead-time"].tasks == ("smartcards",)


def test_out_of_sequence_starts_are_named_with_the_link_they_broke():
    found, _ = checked()
    f = found["out-of-sequence"]
    assert f.severity == "warning"
    assert "build started before design finished" in f.message
    assert "tests started before design started (+2 lag)" in f.message
    assert "notes" not in f.message  # SS with no lag: starting a day after design is in sequence
    assert f.tasks == ("build", "design", "tests")


def test_a_status_older_than_the_limit_is_stale():
    assert "stale-status" not in checked(today="2027-02-15")[0]  # 35 days: not yet
    stale = checked(today="2027-02-16")[0]["stale-status"]
    assert "2027-01-11 is 36 days before 2027-02-16, more than 35" in stale.message
    assert "stale-status" not in checked(today="2027-02-16", stale_after=40)[0]


def test_structural_rules_look_at_the_plan_not_at_the_pinned_network():
    found, result = checked()
    # Started tasks lose their incoming links in the forecast, not in the plan.
    assert "build" not in found["open-start"].tasks and "tests" not in found["open-start"].tasks
    # Only the plan's own not_before dates are constraints, not the status date's hold.
    assert found["not-before"].tasks == ("mesh",)
    # Started items are no longer to start; the week runs from the status date.
    start = {s.id: s for s in result.start_this_week}
    assert "ods" not in start and start["smartcards"].can_start_now and start["smartcards"].start == D(2027, 1, 12)


def test_actual_dates_on_days_off_are_named_with_the_day():
    """Saturday 9 January and a closure on Wednesday 6 January: both are days off."""
    from spinekit import check_plan

    status = {
        "date": "2027-01-11",
        "tasks": {
            "ods": {"start": "2027-01-04", "finish": "2027-01-09"},
            "design": {"start": "2027-01-06", "remaining": 5},
            "build": {"start": "2027-01-07", "remaining": 3},
        },
    }
    closure = [{"from": "2027-01-06", "to": "2027-01-06", "name": "office move"}]
    result = check_plan(plan(CHECKED, status=status, closures=closure), today=D(2027, 1, 12))
    (f,) = [f for f in result.findings if f.rule == "non-working-actual"]
    assert f.severity == "warning" and f.tasks == ("ods", "design")
    assert "ods finished on Saturday 2027-01-09; design started on Wednesday 2027-01-06." in f.message
    assert "non-working-actual" not in {f.rule for f in checked()[1].findings}  # PROGRESS: all weekdays


def test_no_progress_rules_without_a_status():
    from spinekit import check_plan

    rules = {f.rule for f in check_plan(plan(CHECKED)).findings}
    assert not rules & {"overdue-lead-time", "out-of-sequence", "stale-status", "non-working-actual"}


def test_check_stale_after_on_the_command_line(tmp_path, capsys):
    f = write_file(
        tmp_path,
        "name: t\nstart: 2026-01-05\ntasks:\n  - {id: a, duration: 10}\n"
        "status:\n  date: 2026-01-09\n  tasks:\n    a: {start: 2026-01-05, remaining: 3}\n",
    )

    def stale(days):
        _, out, _ = run(capsys, "check", f, "--format", "json", "--stale-after", days)
        return [x["message"] for x in json.loads(out)["findings"] if x["rule"] == "stale-status"]

    assert stale(100_000) == []
    assert len(stale(0)) == 1 and "2026-01-09 is" in stale(0)[0]


def test_the_date_a_task_may_start_is_its_actual_start_or_the_later_of_its_own_and_the_hold():
    tasks = [
        {"id": "a", "duration": 5},
        {"id": "b", "duration": 3, "depends_on": ["a"]},
        {"id": "c", "duration": 2, "not_before": "2027-01-25"},
        {"id": "d", "duration": 1, "not_before": "2027-01-06"},
    ]
    p = status_plan(tasks, {"date": "2027-01-15", "tasks": {"a": {"start": "2027-01-05", "remaining": 2}}})
    # Friday 15th: the first working day after it is Monday 18th.
    got = {t.id: p.not_before(t) for t in p.tasks}
    assert got == {"a": D(2027, 1, 5), "b": D(2027, 1, 18), "c": D(2027, 1, 25), "d": D(2027, 1, 18)}
    assert p.task("d").not_before == D(2027, 1, 6)  # the plan's own date, kept on the task
    free = apply_status(plan(tasks), p.status, hold_unstarted=False)
    assert {t.id: free.not_before(t) for t in free.tasks} == {
        "a": D(2027, 1, 5),
        "b": None,
        "c": D(2027, 1, 25),
        "d": D(2027, 1, 6),
    }
    r = rows(p)
    # a: 9 days elapsed (5th-15th) plus 2 left, from day 1: ES 1, EF 12; b waits for it.
    assert (r["a"]["es"], r["a"]["ef"], r["b"]["es"], r["c"]["es"], r["d"]["es"]) == (1, 12, 12, 15, 10)


def test_a_programme_built_with_a_repeated_id_has_each_copy_pinned_from_its_own_estimate():
    """Through the API a programme may hold two tasks with one id; each keeps its own name and
    estimate when the status pins them (started Monday 4 January, 50 % done at Friday 8: 5
    elapsed days plus half of each estimate)."""
    from spinekit import Programme, Status, Task, WorkingCalendar

    p = Programme(
        "p",
        WorkingCalendar(D(2027, 1, 4), region="none"),
        (
            Task("a", "first", Duration.fixed(10)),
            Task("a", "second", Duration.fixed(4)),
            Task("b", "b", Duration.fixed(1)),
        ),
    )
    tracked = apply_status(p, Status(D(2027, 1, 8), (("a", TaskProgress(D(2027, 1, 4), None, None, 50.0)),)))
    assert [(t.name, t.duration.likely, t.not_before, t.depends_on) for t in tracked.tasks] == [
        ("first", 10.0, D(2027, 1, 4), ()),
        ("second", 7.0, D(2027, 1, 4), ()),
        ("b", 1, None, ()),
    ]
    assert tracked.task("a").name == "first"


def test_durations_keep_whole_days_whole_beside_a_percentage_of_the_same_length():
    """A percentage gives 7.0 days (5 elapsed + 40 % of 5); a task done in 7 working days has 7,
    as the programme file writes it."""
    tracked = plan(
        [{"id": "p", "duration": 5}, {"id": "d", "duration": 3}, {"id": "m", "duration": 2}],
        status={
            "date": "2027-01-12",
            "tasks": {
                "p": {"start": "2027-01-06", "percent_complete": 60},
                "d": {"start": "2027-01-04", "finish": "2027-01-12"},
                "m": {"start": "2027-01-04", "remaining": 0},
            },
        },
    )
    got = {t.id: t.duration.likely for t in tracked.tasks}
    assert got == {"p": 7.0, "d": 7, "m": 7}
    assert (type(got["p"]), type(got["d"]), type(got["m"])) == (float, int, int)
