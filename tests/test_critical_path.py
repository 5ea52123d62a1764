"""The critical path of a schedule: binding links only, the longest chain, ties, long chains."""

from __future__ import annotations

import datetime as dt

import pytest

from spinekit import Dependency, Duration, Programme, Task, WorkingCalendar, schedule

pytestmark = pytest.mark.usefixtures("engine")

CALENDAR = WorkingCalendar(dt.date(2027, 1, 4), region="none")


def _task(tid: str, days: int, *deps: Dependency) -> Task:
    return Task(tid, tid.upper(), Duration.fixed(days), deps)


def test_a_long_chain_is_followed_to_its_start():
    # Deeper than Python's default recursion limit of 1,000 frames.
    n = 1_000
    tasks = [_task("t0", 1)] + [_task(f"t{i}", 1, Dependency(f"t{i - 1}")) for i in range(1, n)]
    s = schedule(Programme("chain", CALENDAR, tuple(tasks)))
    assert s.critical_path == [f"t{i}" for i in range(n)]


def test_the_longest_binding_chain_is_chosen():
    # a 0-2; b 2-5 (FS a); c 1-2 (SS a, lag 1); d 3-5 (FF c, lag 3); e at 5 (FS b, FS d).
    # Every task is critical and every link binding; b, d and e all end at F = 5. Into e the
    # chain through d (a, c, d) is longer than the one through b (a, b), though b is listed first.
    p = Programme(
        "hand",
        CALENDAR,
        (
            _task("a", 2),
            _task("b", 3, Dependency("a")),
            _task("c", 1, Dependency("a", "SS", 1)),
            _task("d", 2, Dependency("c", "FF", 3)),
            _task("e", 0, Dependency("b"), Dependency("d")),
        ),
    )
    s = schedule(p)
    t = s.table.set_index("id")
    assert s.finish_offset == 5
    assert t["es"].to_dict() == {"a": 0, "b": 2, "c": 1, "d": 3, "e": 5}
    assert t["critical"].all()
    assert s.critical_path == ["a", "c", "d", "e"]


def test_non_binding_links_and_non_critical_tasks_are_left_out():
    # c has two days of float; the lag on b's link from a holds b back, so the path runs
    # a -> b (the lag is part of the link), not through c.
    p = Programme(
        "hand",
        CALENDAR,
        (
            _task("a", 2),
            _task("b", 2, Dependency("a", "FS", 1)),
            _task("c", 1, Dependency("a")),
            _task("d", 0, Dependency("c"), Dependency("b")),
        ),
    )
    s = schedule(p)
    assert s.finish_offset == 5
    assert s.table.set_index("id").at["c", "total_float"] == 2
    assert s.critical_path == ["a", "b", "d"]


@pytest.mark.parametrize(("order", "expected"), [(("x", "y"), ["x", "z"]), (("y", "x"), ["y", "z"])])
def test_equally_long_chains_go_to_the_first_link_written(order, expected):
    p = Programme(
        "tie",
        CALENDAR,
        (
            _task("x", 1),
            _task("y", 1),
            _task("z", 0, *(Dependency(i) for i in order)),
        ),
    )
    assert schedule(p).critical_path == expected


def test_each_call_returns_a_list_of_its_own():
    p = Programme("one", CALENDAR, (_task("a", 1), _task("b", 1, Dependency("a"))))
    s = schedule(p)
    path = s.critical_path
    path.append("changed")
    assert s.critical_path == ["a", "b"]
