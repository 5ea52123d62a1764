"""Scheduling invariants on random networks (no deadlines)."""

from __future__ import annotations

import datetime as dt

import pytest
from _helpers import draw_links
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinekit import parse_programme, schedule


@st.composite
def networks(draw, with_not_before=True):
    n = draw(st.integers(1, 18))
    tasks = []
    for i in range(n):
        task = {"id": f"t{i}", "duration": draw(st.integers(0, 8))}
        links = draw_links(draw, i)
        if links:
            task["depends_on"] = links
        if with_not_before and draw(st.integers(0, 5)) == 0:
            task["not_before"] = (dt.date(2027, 1, 4) + dt.timedelta(days=draw(st.integers(0, 30)))).isoformat()
        tasks.append(task)
    region = draw(st.sampled_from(["none", "england-and-wales"]))
    start = dt.date(2027, 3, 15) + dt.timedelta(days=draw(st.integers(0, 20)))
    return {"name": "random", "start": start.isoformat(), "calendar": {"holidays": region}, "tasks": tasks}


def edge_slack(t, p, s, kind, lag):
    at_p = t.at[p, "ef"] if kind in ("FS", "FF") else t.at[p, "es"]
    at_s = t.at[s, "ef"] if kind in ("FF", "SF") else t.at[s, "es"]
    return at_s - lag - at_p


# Each invariant holds on both critical path engines (the fixture only picks one per run).
pytestmark = pytest.mark.usefixtures("engine")
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(networks())
def test_floats_are_ordered(data):
    s = schedule(parse_programme(data))
    t = s.table
    assert (t["es"] <= t["ls"]).all()
    assert (t["free_float"] >= 0).all()
    assert (t["free_float"] <= t["total_float"]).all()
    assert t["ef"].max() == s.finish_offset
    assert (t["lf"] <= s.finish_offset).all()


@SETTINGS
@given(networks())
def test_every_constraint_holds_in_the_early_schedule(data):
    s = schedule(parse_programme(data))
    t = s.table.set_index("id")
    for task in data["tasks"]:
        for dep in task.get("depends_on", []):
            assert edge_slack(t, dep["task"], task["id"], dep["type"], dep["lag"]) >= 0
        assert t.at[task["id"], "es"] >= 0


@SETTINGS
@given(networks())
def test_a_critical_path_spans_start_to_finish(data):
    s = schedule(parse_programme(data))
    t = s.table.set_index("id")
    path = s.critical_path
    assert path and all(t.at[i, "critical"] for i in path)
    assert t.at[path[-1], "ef"] == s.finish_offset
    links = {(d["task"], task["id"]): d for task in data["tasks"] for d in task.get("depends_on", [])}
    for p, q in zip(path, path[1:]):
        link = links[(p, q)]
        assert edge_slack(t, p, q, link["type"], link["lag"]) == 0
    # The path begins where nothing drives it: at the start or at its own not_before date.
    first = next(x for x in data["tasks"] if x["id"] == path[0])
    allowed = {0}
    if "not_before" in first:
        allowed.add(s.programme.calendar.index_on_or_after(dt.date.fromisoformat(first["not_before"])))
    assert t.at[path[0], "es"] in allowed


@SETTINGS
@given(networks(with_not_before=False), st.data())
def test_delay_by_total_float_keeps_finish_one_more_day_moves_it(data, pick):
    base = schedule(parse_programme(data))
    t = base.table.set_index("id")
    victim = pick.draw(st.sampled_from(list(t.index)))
    cal = base.programme.calendar
    es, tf = int(t.at[victim, "es"]), int(t.at[victim, "total_float"])

    def finish_with_start_at(index):
        changed = {**data, "tasks": [dict(x) for x in data["tasks"]]}
        for x in changed["tasks"]:
            if x["id"] == victim:
                x["not_before"] = cal.date_of(index).isoformat()
        return schedule(parse_programme(changed)).finish_offset

    assert finish_with_start_at(es + tf) == base.finish_offset
    assert finish_with_start_at(es + tf + 1) == base.finish_offset + 1
