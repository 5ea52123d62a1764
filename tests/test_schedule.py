"""Deterministic schedules checked against hand-computed expectations."""

from __future__ import annotations

import datetime as dt

import pytest
from _helpers import plan

from spinekit import schedule

D = dt.date

# Every hand-computed schedule is checked on both critical path engines.
pytestmark = pytest.mark.usefixtures("engine")


def rows(sched):
    return sched.table.set_index("id").to_dict("index")


def test_all_dependency_types_with_lags_and_a_milestone():
    # Hand-worked (no holidays; 2027-01-04 is a Monday, index 5 is Monday 11th):
    #   a d3: ES0 EF3            b FS a+2, d2: ES5 EF7
    #   c SS a+1, d4: ES1 EF5    d FF b+0, d1: EF>=7 -> ES6 EF7
    #   e SF c+3, d2: EF>=4 -> ES2 EF4        m FS d, FS e, milestone: ES7
    # Backward from F=7: LS m7 d6 e5 b5 c3 a0 -> TF a0 b0 c2 d0 e3 m0.
    # Free float: e 3 (to m and to F); the rest 0.
    s = schedule(
        plan(
            [
                {"id": "a", "duration": 3},
                {"id": "b", "duration": 2, "depends_on": [{"task": "a", "lag": 2}]},
                {"id": "c", "duration": 4, "depends_on": [{"task": "a", "type": "SS", "lag": 1}]},
                {"id": "d", "duration": 1, "depends_on": [{"task": "b", "type": "FF"}]},
                {"id": "e", "duration": 2, "depends_on": [{"task": "c", "type": "SF", "lag": 3}]},
                {"id": "m", "duration": 0, "depends_on": ["d", "e"]},
            ]
        )
    )
    r = rows(s)
    assert {k: (v["es"], v["ef"], v["ls"], v["lf"]) for k, v in r.items()} == {
        "a": (0, 3, 0, 3),
        "b": (5, 7, 5, 7),
        "c": (1, 5, 3, 7),
        "d": (6, 7, 6, 7),
        "e": (2, 4, 5, 7),
        "m": (7, 7, 7, 7),
    }
    assert {k: v["total_float"] for k, v in r.items()} == {"a": 0, "b": 0, "c": 2, "d": 0, "e": 3, "m": 0}
    assert {k: v["free_float"] for k, v in r.items()} == {"a": 0, "b": 0, "c": 0, "d": 0, "e": 3, "m": 0}
    assert {k for k, v in r.items() if v["critical"]} == {"a", "b", "d", "m"}
    assert (r["a"]["start"], r["a"]["finish"]) == (D(2027, 1, 4), D(2027, 1, 6))
    assert (r["b"]["start"], r["b"]["finish"]) == (D(2027, 1, 11), D(2027, 1, 12))
    assert (r["c"]["start"], r["c"]["finish"]) == (D(2027, 1, 5), D(2027, 1, 8))
    assert (r["e"]["start"], r["e"]["finish"]) == (D(2027, 1, 6), D(2027, 1, 7))
    # The milestone falls on the first working day on which d and e are both complete.
    assert r["m"]["start"] == r["m"]["finish"] == D(2027, 1, 13)
    assert s.finish_offset == 7
    assert s.finish_date == D(2027, 1, 12)
    assert s.critical_path == ["a", "b", "d", "m"]


def test_lead_negative_lag_overlaps_predecessor():
    # b starts 2 days before a finishes: ES(b) = EF(a) - 2 = 3.
    s = schedule(
        plan(
            [
                {"id": "a", "duration": 5},
                {"id": "b", "duration": 4, "depends_on": [{"task": "a", "lag": -2}]},
            ]
        )
    )
    r = rows(s)
    assert (r["b"]["es"], r["b"]["ef"]) == (3, 7)
    assert r["b"]["start"] == D(2027, 1, 7)
    assert s.finish_offset == 7


def test_lead_cannot_start_before_the_programme():
    s = schedule(
        plan(
            [
                {"id": "a", "duration": 1},
                {"id": "b", "duration": 2, "depends_on": [{"task": "a", "type": "SS", "lag": -5}]},
            ]
        )
    )
    assert rows(s)["b"]["es"] == 0


def test_not_before_and_deadlines_give_negative_float():
    # x: not_before Saturday 9th -> first working day Monday 11th = index 5; EF 10.
    # y: FS x, deadline Monday 18th (index 10) -> EF <= 11, but EF = 13: LF 11, LS 8, TF -2.
    # x: LF <= LS(y) = 8 -> LS 3, TF -2.   z: deadline Friday 1st (index -1) -> LF 0, TF -2.
    s = schedule(
        plan(
            [
                {"id": "x", "duration": 5, "not_before": "2027-01-09"},
                {"id": "y", "duration": 3, "depends_on": ["x"], "deadline": "2027-01-18"},
                {"id": "z", "duration": 2, "deadline": "2027-01-01"},
            ]
        )
    )
    r = rows(s)
    assert (r["x"]["es"], r["x"]["ls"], r["x"]["total_float"]) == (5, 3, -2)
    assert (r["y"]["es"], r["y"]["lf"], r["y"]["total_float"]) == (10, 11, -2)
    assert (r["z"]["es"], r["z"]["lf"], r["z"]["total_float"]) == (0, 0, -2)
    assert all(v["critical"] for v in r.values())
    assert r["x"]["start"] == D(2027, 1, 11)
    assert (r["z"]["free_float"], r["x"]["free_float"]) == (11, 0)
    assert s.finish_date == D(2027, 1, 20)


def test_deadline_met_leaves_positive_float():
    s = schedule(
        plan(
            [
                {"id": "a", "duration": 3},
                {"id": "b", "duration": 1, "deadline": "2027-01-08"},
            ]
        )
    )
    # b's deadline is index 4, so EF(b) <= 5 while F = 3: LF(b) = 3, TF 2.
    assert rows(s)["b"]["total_float"] == 2


def test_easter_bank_holidays_are_skipped():
    # Good Friday 26 March and Easter Monday 29 March 2027.
    s = schedule(plan([{"id": "a", "duration": 3}], start="2027-03-24", holidays="england-and-wales"))
    r = rows(s)["a"]
    assert (r["start"], r["finish"]) == (D(2027, 3, 24), D(2027, 3, 30))


def test_christmas_substitute_days_are_skipped():
    # 2027: Christmas Day and Boxing Day fall at the weekend; Monday 27 and Tuesday 28 are
    # substitute bank holidays, so two days from Friday 24th end on Wednesday 29th.
    s = schedule(plan([{"id": "a", "duration": 2}], start="2027-12-24", holidays="england-and-wales"))
    r = rows(s)["a"]
    assert (r["start"], r["finish"]) == (D(2027, 12, 24), D(2027, 12, 29))
    # 2026: Boxing Day is a Saturday; its substitute is Monday 28 December.
    s = schedule(plan([{"id": "a", "duration": 4}], start="2026-12-23", holidays="england-and-wales"))
    assert rows(s)["a"]["finish"] == D(2026, 12, 30)


def test_regions_differ():
    tasks = [{"id": "a", "duration": 1}]
    # Scotland's 2 January 2027 is a Saturday, substituted on Monday 4 January.
    assert rows(schedule(plan(tasks, holidays="scotland")))["a"]["start"] == D(2027, 1, 5)
    assert rows(schedule(plan(tasks, holidays="england-and-wales")))["a"]["start"] == D(2027, 1, 4)
    # Northern Ireland: St Patrick's Day, Wednesday 17 March 2027.
    ni = schedule(plan([{"id": "a", "duration": 2}], start="2027-03-16", holidays="northern-ireland"))
    assert rows(ni)["a"]["finish"] == D(2027, 3, 18)
    ew = schedule(plan([{"id": "a", "duration": 2}], start="2027-03-16", holidays="england-and-wales"))
    assert rows(ew)["a"]["finish"] == D(2027, 3, 17)


def test_closures_are_non_working():
    closures = [{"from": "2027-12-20", "to": "2028-01-04", "name": "change freeze"}]
    s = schedule(plan([{"id": "a", "duration": 2}], start="2027-12-17", closures=closures))
    r = rows(s)["a"]
    assert (r["start"], r["finish"]) == (D(2027, 12, 17), D(2028, 1, 5))
    # A start inside a closure moves to the first working day after it.
    s = schedule(plan([{"id": "a", "duration": 1}], start="2027-12-22", closures=closures))
    assert rows(s)["a"]["start"] == D(2028, 1, 5)


def test_start_on_a_weekend_rolls_forward():
    s = schedule(plan([{"id": "a", "duration": 1}], start="2027-01-02"))
    assert rows(s)["a"]["start"] == D(2027, 1, 4)


def test_three_point_duration_schedules_at_likely():
    s = schedule(plan([{"id": "a", "duration": {"min": 2, "likely": 4, "max": 9}}]))
    assert s.finish_offset == 4
    s = schedule(plan([{"id": "a", "duration": {"min": 2, "likely": 3.2, "max": 9, "dist": "uniform"}}]))
    assert s.finish_offset == 4  # a part day of work still occupies that working day


def test_table_keeps_file_order_and_columns():
    s = schedule(
        plan(
            [
                {"id": "late", "duration": 1, "depends_on": ["early"], "owner": "NHS England"},
                {"id": "early", "duration": 1},
            ]
        )
    )
    assert list(s.table["id"]) == ["late", "early"]
    assert s.table.loc[0, "owner"] == "NHS England"
    for col in ("id", "name", "start", "finish", "es", "ef", "ls", "lf", "total_float", "free_float", "critical"):
        assert col in s.table.columns


@pytest.mark.parametrize("n", [1, 50])
def test_independent_tasks_all_critical_only_when_longest(n):
    tasks = [{"id": f"t{i}", "duration": 1 + (i % 3)} for i in range(n)]
    s = schedule(plan(tasks))
    crit = set(s.table.loc[s.table["critical"], "id"])
    assert crit == {t["id"] for t in tasks if t["duration"] == max(x["duration"] for x in tasks)}


def test_finish_to_finish_and_start_to_finish_leads():
    # a d5: 0-5.  b FF a-2, d2: EF >= 3 -> 1-3.  c SF b+2, d4: EF >= ES(b)+2 = 3 -> ES 0 (ES >= 0), 0-4.
    # d SS c+1, d3: 1-4.  F = 5.  Backward: d LS 2; c LS <= LS(d)-1 = 1 -> LF 5;
    # b LS <= LF(c)-2 = 3; a LF <= LF(b)+2 = 7, capped at F = 5.
    s = schedule(
        plan(
            [
                {"id": "a", "duration": 5},
                {"id": "b", "duration": 2, "depends_on": [{"task": "a", "type": "FF", "lag": -2}]},
                {"id": "c", "duration": 4, "depends_on": [{"task": "b", "type": "SF", "lag": 2}]},
                {"id": "d", "duration": 3, "depends_on": [{"task": "c", "type": "SS", "lag": 1}]},
            ]
        )
    )
    r = rows(s)
    assert {k: (v["es"], v["ef"], v["ls"], v["lf"]) for k, v in r.items()} == {
        "a": (0, 5, 0, 5),
        "b": (1, 3, 3, 5),
        "c": (0, 4, 1, 5),
        "d": (1, 4, 2, 5),
    }
    assert {k: v["total_float"] for k, v in r.items()} == {"a": 0, "b": 2, "c": 1, "d": 1}
    assert {k: v["free_float"] for k, v in r.items()} == {"a": 0, "b": 1, "c": 0, "d": 1}
