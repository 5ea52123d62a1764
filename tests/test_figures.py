"""Figures built from tiny literal tables, checked through the figure's data and layout."""

from __future__ import annotations

import datetime as dt
import html
import re
import textwrap

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from _helpers import needs_chromium

import spinekit
from spinekit import (
    Closure,
    FigureExportError,
    SpinekitError,
    WorkingCalendar,
    criticality_chart,
    finish_histogram,
    gantt,
    gantt_comparison,
    s_curve,
    save_static,
    scenario_ranges,
    scenario_s_curves,
    tornado,
)

D = dt.date
SCRIPT = "<script>alert(1)</script>"


def day(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def plan(**changes) -> pd.DataFrame:
    """Four tasks and a milestone in three tracks; ``b`` is a one-day task with a hostile name."""
    rows = [
        dict(
            id="a",
            name="Design",
            start=D(2027, 1, 4),
            finish=D(2027, 1, 8),
            duration=5,
            critical=True,
            total_float=0,
            owner="supplier",
            track="build",
            basis="published: 5 days",
        ),
        dict(
            id="b",
            name=SCRIPT,
            start=D(2027, 1, 11),
            finish=D(2027, 1, 11),
            duration=1,
            critical=False,
            total_float=3,
            owner="NHS England",
            track="governance",
            basis="estimate: R&D <fast>",
        ),
        dict(
            id="c",
            name="Build",
            start=D(2027, 1, 11),
            finish=D(2027, 1, 15),
            duration=5,
            critical=True,
            total_float=0,
            owner="supplier",
            track="build",
            basis=None,
        ),
        dict(
            id="d",
            name="Assure",
            start=D(2027, 1, 12),
            finish=D(2027, 1, 14),
            duration=3,
            critical=False,
            total_float=1,
            owner=None,
            track="governance",
            basis=None,
        ),
        dict(
            id="m",
            name="Go-live",
            start=D(2027, 1, 18),
            finish=D(2027, 1, 18),
            duration=0,
            critical=True,
            total_float=0,
            owner="Trust",
            track="go-live",
            basis=None,
        ),
    ]
    table = pd.DataFrame(rows)
    for column, values in changes.items():
        table[column] = values
    return table


def task_bars(fig) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Task id -> (bar start, bar end) over the owner/critical-coloured task bar traces."""
    out = {}
    for trace in fig.data:
        if trace.type == "bar" and trace.name not in ("Lane span", "Critical path"):
            for task, base, length in zip(trace.customdata, trace.base, trace.x):
                out[task] = (day(base), pd.Timestamp(base) + pd.Timedelta(milliseconds=length))
    return out


def trace(fig, name):
    (found,) = [t for t in fig.data if t.name == name]
    return found


def shapes(fig, name):
    return [s for s in fig.layout.shapes if s.name == name]


def all_text(fig) -> str:
    parts = [str(fig.layout.yaxis.ticktext)]
    for t in fig.data:
        parts += [str(t.hovertext), str(t.name), str(t.text)]
    parts += [str(a.text) for a in fig.layout.annotations]
    return "\n".join(parts)


# --- Gantt ----------------------------------------------------------------------------------


def test_gantt_bars_run_from_start_to_the_end_of_the_finish_day():
    bars = task_bars(gantt(plan()))
    assert bars == {
        "a": (day("2027-01-04"), day("2027-01-09")),
        "b": (day("2027-01-11"), day("2027-01-12")),  # a one-day task is a day wide
        "c": (day("2027-01-11"), day("2027-01-16")),
        "d": (day("2027-01-12"), day("2027-01-15")),
    }


def test_gantt_colours_by_owner_with_a_legend_entry_per_owner():
    fig = gantt(plan(), color="owner")
    owners = [t.name for t in fig.data if t.type == "bar" and t.name not in ("Lane span", "Critical path")]
    assert owners == ["supplier", "NHS England", "Unassigned"]  # the Trust owns only a milestone
    assert set(trace(fig, "supplier").customdata) == {"a", "c"}


def test_gantt_colours_by_critical_flag():
    fig = gantt(plan(), color="critical")
    assert set(trace(fig, "Critical").customdata) == {"a", "c"}
    assert set(trace(fig, "Not critical").customdata) == {"b", "d"}
    assert trace(fig, "Critical").marker.color == spinekit.views.figures.style.CRITICAL


def test_gantt_outlines_the_critical_path_and_colours_its_labels():
    fig = gantt(plan())
    crit = trace(fig, "Critical path")
    assert list(crit.customdata) == ["a", "c"]
    assert crit.marker.line.color == spinekit.views.figures.style.CRITICAL and crit.marker.line.width >= 2
    assert crit.hoverinfo == "skip"  # hover comes from the task bar underneath
    labels = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    design = next(t for t in labels.values() if "Design" in t)
    assert spinekit.views.figures.style.CRITICAL_TEXT in design
    assert spinekit.views.figures.style.CRITICAL_TEXT not in next(t for t in labels.values() if "Assure" in t)


def test_gantt_milestones_are_diamonds_at_the_start_of_their_day():
    fig = gantt(plan())
    ms = trace(fig, "Milestone")
    assert ms.marker.symbol == "diamond"
    assert list(ms.customdata) == ["m"]
    assert [day(x) for x in ms.x] == [day("2027-01-18")]
    assert "m" not in task_bars(fig)


def test_gantt_swimlanes_have_header_rows_in_order_of_first_start():
    fig = gantt(plan(), group="track")
    ticks = [t for _, t in sorted(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))]
    assert ticks[0] == "<b>BUILD</b>" and ticks[3] == "<b>GOVERNANCE</b>"
    assert ticks[6] == "<b>GO-LIVE</b>"
    assert len(ticks) == 5 + 3
    spans = trace(fig, "Lane span")
    assert list(spans.customdata) == ["build", "governance"]  # go-live holds only a milestone
    rows = {re.sub("<[^>]+>", "", t): y for y, t in zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext)}
    assert rows["BUILD"] < rows["Design"] < rows["Build"] < rows["GOVERNANCE"]


def test_gantt_groups_by_service_with_missing_values_last():
    fig = gantt(plan(service=["pds", None, "pds", "eps", None]), group="service")
    ticks = [t for _, t in sorted(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))]
    assert [t for t in ticks if t.startswith("<b>")] == ["<b>PDS</b>", "<b>EPS</b>", "<b>OTHER</b>"]


def test_gantt_summary_draws_one_bar_per_group():
    table = plan(track=["build", "governance", "build", "governance", "build"])
    fig = gantt(table, summary=True)
    spans = trace(fig, "Lane span")
    assert list(spans.customdata) == ["build", "governance"]
    ranges = {
        g: (day(b), pd.Timestamp(b) + pd.Timedelta(milliseconds=x))
        for g, b, x in zip(spans.customdata, spans.base, spans.x)
    }
    assert ranges == {
        "build": (day("2027-01-04"), day("2027-01-18")),  # to the milestone
        "governance": (day("2027-01-11"), day("2027-01-15")),
    }
    assert list(fig.layout.yaxis.ticktext) == ["<b>build</b>", "<b>governance</b>"]
    assert task_bars(fig) == {}
    assert list(trace(fig, "Milestone").y) == [0]  # on its lane's row


def test_gantt_summary_joins_critical_tasks_one_after_another_into_one_bar():
    # a (Mon 4 - Fri 8 Jan) and c (Mon 11 - Fri 15) in build: only a weekend between, one run.
    # e (Tue 19 - Wed 20) in build leaves Mon 18 between, a working day: a run of its own.
    # f (Thu 21) follows e directly; g (Mon 25 Jan, after a closure on Fri 22) joins them too.
    table = pd.concat(
        [
            plan(track=["build", "governance", "build", "governance", "build"]),
            pd.DataFrame(
                dict(
                    id=i, name=n, start=s, finish=f, duration=k, critical=True, total_float=0, owner=None, track="build"
                )
                for i, n, s, f, k in (
                    ("e", "Test", D(2027, 1, 19), D(2027, 1, 20), 2),
                    ("f", "Fix", D(2027, 1, 21), D(2027, 1, 21), 1),
                    ("g", "Retest", D(2027, 1, 25), D(2027, 1, 25), 1),
                )
            ),
        ],
        ignore_index=True,
    )
    cal = WorkingCalendar(D(2027, 1, 4), closures=(Closure(D(2027, 1, 22), D(2027, 1, 22)),))
    fig = gantt(table, summary=True, calendar=cal)
    runs = trace(fig, "Critical path")
    bars = [(day(b), pd.Timestamp(b) + pd.Timedelta(milliseconds=x)) for b, x in zip(runs.base, runs.x)]
    assert bars == [(day("2027-01-04"), day("2027-01-16")), (day("2027-01-19"), day("2027-01-26"))]
    assert list(runs.customdata) == ["a", "e"]
    assert list(runs.y) == [0, 0]
    assert runs.hovertext[0].startswith("<b>Critical path: 2 tasks in a row</b><br>Mon 4 Jan 2027 to Fri 15 Jan 2027")
    assert "First: Test<br>Last: Retest" in runs.hovertext[1]
    # Without the closure, Friday 22 is a working day between f and g: three runs.
    plain = trace(gantt(table, summary=True, calendar=WorkingCalendar(D(2027, 1, 4))), "Critical path")
    assert list(plain.customdata) == ["a", "e", "g"]
    assert plain.hovertext[2] == (
        "<b>Retest</b><br>g · build<br>Start: Mon 25 Jan 2027<br>Finish: Mon 25 Jan 2027"
        "<br>Duration: 1 working days<br>Total float: 0 working days (critical)"
    )


def test_gantt_draws_the_summary_by_itself_above_the_task_limit():
    from spinekit.views.figures.gantt import SUMMARY_TASKS

    assert SUMMARY_TASKS == 200
    every = gantt(big_plan(200))
    assert len(task_bars(every)) == 200 - 4 and "Lane span" not in [t.name for t in every.data if t.showlegend]
    assert "one bar per lane" not in every.layout.title.subtitle.text
    summary = gantt(big_plan(201))
    assert task_bars(summary) == {}
    # Lanes by first start: task 200 (track 8) starts on day 0 with task 0 (track 0).
    lanes = ["track 0", "track 8", *(f"track {i}" for i in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11))]
    assert list(trace(summary, "Lane span").customdata) == lanes
    assert summary.layout.title.subtitle.text.endswith("one bar per lane, as there are more than 200 tasks")
    assert len(task_bars(gantt(big_plan(201), summary=False))) == 201 - 5
    assert len(task_bars(gantt(big_plan(201), group=None))) == 201 - 5  # no lanes: every task


@pytest.mark.parametrize(
    "days, dtick, fmt",
    [
        (92, 7 * 86_400_000, "%d %b\n%Y"),  # 13 weeks
        (112, 7 * 86_400_000, "%d %b\n%Y"),  # 16 weeks
        (119, "M1", "%b\n%Y"),  # 17 weeks: months
        (487, "M1", "%b\n%Y"),  # 16 months
        (488, "M3", "%b\n%Y"),
        (1461, "M3", "%b\n%Y"),  # 16 quarters
        (1462, "M12", "%Y"),
        (5844, "M12", "%Y"),  # 16 years
        (5845, "M24", "%Y"),
        (29220, "M60", "%Y"),  # 80 years: every 5
    ],
)
def test_date_axis_steps_up_from_weeks_to_years_with_at_most_16_ticks(days, dtick, fmt):
    from spinekit.views.figures.style import date_ticks

    ticks = date_ticks(pd.Timedelta(days=days))
    assert (ticks["dtick"], ticks["tickformat"]) == (dtick, fmt)
    step = {"M1": 365.25 / 12, "M3": 365.25 / 4, "M12": 365.25, "M24": 730.5, "M60": 1826.25}.get(dtick, 7)
    assert days / step <= 16


def test_gantt_summary_needs_a_group():
    with pytest.raises(ValueError, match="group="):
        gantt(plan(), group=None, summary=True)


def test_gantt_escapes_task_text_in_hover_and_labels():
    fig = gantt(plan())
    hover = dict(zip(trace(fig, "NHS England").customdata, trace(fig, "NHS England").hovertext))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hover["b"]
    assert "R&amp;D &lt;fast&gt;" in hover["b"]
    text = all_text(fig)
    assert "<script>" not in text and "<fast>" not in text


def test_gantt_hover_shows_dates_float_owner_and_basis():
    hover = dict(zip(trace(gantt(plan()), "supplier").customdata, trace(gantt(plan()), "supplier").hovertext))
    assert "Start: Mon 4 Jan 2027" in hover["a"] and "Finish: Fri 8 Jan 2027" in hover["a"]
    assert "Total float: 0 working days (critical)" in hover["a"]
    assert "Owner: supplier" in hover["a"] and "Basis: published: 5 days" in hover["a"]


def test_gantt_draws_today_only_when_given_and_the_target_at_the_end_of_its_day():
    fig = gantt(plan(), target=D(2027, 1, 20))
    assert shapes(fig, "today") == []
    (target,) = shapes(fig, "target")
    assert day(target.x0) == day("2027-01-21")
    fig = gantt(plan(), today=D(2027, 1, 12))
    (today,) = shapes(fig, "today")
    assert day(today.x0) == day("2027-01-12")


def test_gantt_shades_weekends_bank_holidays_and_closures():
    freeze = Closure(D(2027, 4, 5), D(2027, 4, 9), "freeze")
    cal = WorkingCalendar(D(2027, 3, 22), closures=(freeze,))
    table = plan(start=[D(2027, 3, 22)] * 5, finish=[D(2027, 4, 16)] * 4 + [D(2027, 3, 22)])
    fig = gantt(table, calendar=cal)
    holidays = {day(s.x0) for s in shapes(fig, "bank holiday")}
    assert day("2027-03-26") in holidays  # Good Friday
    assert day("2027-03-29") in holidays  # Easter Monday
    (closure,) = shapes(fig, "closure")
    assert (day(closure.x0), day(closure.x1)) == (day("2027-04-05"), day("2027-04-10"))
    assert any(a.text == "freeze" for a in fig.layout.annotations)
    assert day("2027-03-27") in {day(s.x0) for s in shapes(fig, "weekend")}
    long = plan(finish=[D(2027, 9, 1)] * 4 + [D(2027, 1, 18)])
    assert shapes(gantt(long, calendar=cal), "weekend") == []


def test_gantt_arrows_follow_the_dependency_type():
    links = nx.DiGraph()
    links.add_edge("a", "c", type="FS", lag=0)
    links.add_edge("b", "d", type="SS", lag=1)
    links.add_edge("c", "m", type="FS", lag=0)
    fig = gantt(plan(), links=links, arrows=True)
    lines = trace(fig, "Dependency")
    xs = [None if x is None else day(x) for x in lines.x]
    paths = {tuple(xs[k : k + 3]) for k in range(0, len(xs), 4)}
    assert paths == {
        (day("2027-01-09"), day("2027-01-09"), day("2027-01-11")),  # FS: a's end down to c's start
        (day("2027-01-11"), day("2027-01-11"), day("2027-01-12")),  # SS: b's start to d's start
        (day("2027-01-16"), day("2027-01-16"), day("2027-01-18")),  # FS into the milestone
    }
    assert xs[3::4] == [None] * 3
    assert not any(t.name == "Dependency" for t in gantt(plan(), links=links).data)


def test_gantt_whiskers_span_simulated_p50_to_p80_finishes():
    pct = {"a": {"p50": D(2027, 1, 11), "p80": D(2027, 1, 13)}, "m": {"p50": D(2027, 1, 20), "p80": D(2027, 1, 25)}}
    w = trace(gantt(plan(), percentiles=pct), "P50–P80 finish (simulated)")
    xs = [None if x is None else day(x) for x in w.x]
    assert xs == [
        day("2027-01-12"),
        day("2027-01-14"),
        None,  # ends of the finish days
        day("2027-01-20"),
        day("2027-01-25"),
        None,
    ]  # a milestone's own dates
    frame = pd.DataFrame({"p50": [D(2027, 1, 11)], "p80": [D(2027, 1, 13)]}, index=["a"])
    assert len(trace(gantt(plan(), percentiles=frame), "P50–P80 finish (simulated)").x) == 3


def test_gantt_names_the_missing_column():
    with pytest.raises(ValueError, match=r"group='phase'.*group=None"):
        gantt(plan(), group="phase")


def test_gantt_of_a_schedule_uses_its_provenance_calendar_and_links(example):
    sched = spinekit.schedule(example)
    fig = gantt(sched, arrows=True)
    assert fig.layout.title.text == sched.programme.name
    basis = next(t.basis for t in sched.programme.tasks if t.basis)
    assert "Basis: " + html.escape(textwrap.wrap(basis, 64)[0], quote=False) in all_text(fig)
    assert len(shapes(fig, "closure")) <= len(sched.programme.calendar.closures)
    gaps = [x for x in trace(fig, "Dependency").x if x is None]
    assert len(gaps) == sched.graph.number_of_edges()
    t = sched.table
    assert set(trace(fig, "Critical path").customdata) == set(t.id[t.critical & (t.duration > 0)])
    assert set(trace(fig, "Milestone").customdata) == set(t.id[t.duration == 0])


def big_plan(n: int) -> pd.DataFrame:
    start = pd.Timestamp("2027-01-04")
    offsets = np.arange(n) % 200
    return pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(n)],
            "name": [f"Task {i}" for i in range(n)],
            "start": [(start + pd.Timedelta(days=int(k))).date() for k in offsets],
            "finish": [(start + pd.Timedelta(days=int(k) + 4)).date() for k in offsets],
            "duration": [0 if i % 50 == 0 else 5 for i in range(n)],
            "critical": [i % 7 == 0 for i in range(n)],
            "total_float": [i % 7 for i in range(n)],
            "owner": [f"owner {i % 4}" for i in range(n)],
            "track": [f"track {i % 12}" for i in range(n)],
        }
    )


def test_gantt_of_300_tasks_builds_and_grows_in_height():
    small, large = gantt(big_plan(10)), gantt(big_plan(300), summary=False)
    assert len(task_bars(large)) == 300 - 6
    assert large.layout.height > 300 * 15 > small.layout.height
    assert large.layout.xaxis2.overlaying == "x"  # a date axis along the top too
    summary = gantt(big_plan(300), summary=True)
    assert len(trace(summary, "Lane span").x) == 12
    assert summary.layout.height < 700


def test_gantt_comparison_pairs_the_bars_of_two_schedules():
    before = plan()
    after = plan(
        start=list(before.start[:4]) + [D(2027, 1, 25)],
        finish=list(before.finish[:3]) + [D(2027, 1, 21), D(2027, 1, 25)],
    )
    fig = gantt_comparison(before, after, names=("Baseline", "Slip"))
    base, slip = task_bars_by(fig, "Baseline"), task_bars_by(fig, "Slip")
    assert base["d"] == (day("2027-01-12"), day("2027-01-15"))
    assert slip["d"] == (day("2027-01-12"), day("2027-01-22"))
    ys = dict(zip(trace(fig, "Baseline").customdata, trace(fig, "Baseline").y))
    ys_slip = dict(zip(trace(fig, "Slip").customdata, trace(fig, "Slip").y))
    assert ys["d"] < ys_slip["d"] and round(ys_slip["d"] - ys["d"], 2) == 0.38  # one row, two bars
    assert fig.layout.title.subtitle.text == "Slip finishes 6 calendar days later than Baseline"
    finishes = [(s.name, day(s.x0)) for s in fig.layout.shapes if s.name.startswith("finish")]
    assert finishes == [("finish Baseline", day("2027-01-16")), ("finish Slip", day("2027-01-22"))]
    assert "Slip finish 21 Jan 2027" in [t.name for t in fig.data]


def test_gantt_comparison_shows_tasks_found_in_only_one_schedule():
    after = pd.concat([plan(), plan().iloc[[0]].assign(id="new", name="Extra", critical=False)])
    fig = gantt_comparison(plan(), after)
    assert "new" not in task_bars_by(fig, "Baseline") and "new" in task_bars_by(fig, "Scenario")
    hover = dict(zip(trace(fig, "Baseline").customdata, trace(fig, "Baseline").hovertext))
    assert "Finish moves +0 calendar days" in hover["a"]
    extra = dict(zip(trace(fig, "Scenario").customdata, trace(fig, "Scenario").hovertext))["new"]
    assert "Baseline: not in this schedule" in extra


def task_bars_by(fig, name):
    t = trace(fig, name)
    return {i: (day(b), pd.Timestamp(b) + pd.Timedelta(milliseconds=x)) for i, b, x in zip(t.customdata, t.base, t.x)}


# --- Risk -----------------------------------------------------------------------------------

FINISHES = [D(2027, 11, 1) + dt.timedelta(days=k) for k in range(10)]  # 1 .. 10 Nov 2027


def test_histogram_marks_given_percentiles_and_target():
    fig = finish_histogram(
        FINISHES,
        percentiles={"P50": D(2027, 11, 5), "P80": D(2027, 11, 8), "P90": D(2027, 11, 9)},
        target=D(2027, 11, 6),
    )
    assert {s.name: s.x0 for s in fig.layout.shapes} == {
        "P50": "2027-11-05",
        "P80": "2027-11-08",
        "P90": "2027-11-09",
        "target": "2027-11-06",
    }
    bars = fig.data[0]
    assert [day(x) for x in bars.x] == [day(d) for d in FINISHES]  # one bar a day, centred
    assert list(bars.customdata) == [1] * 10 and sum(bars.y) == pytest.approx(100)
    assert any("60% on time" in a.text for a in fig.layout.annotations)


def test_histogram_bins_long_spans_by_week_from_a_monday():
    finishes = [D(2027, 11, 3) + dt.timedelta(days=k) for k in range(0, 100, 3)]
    bars = finish_histogram(finishes).data[0]
    first = pd.Timestamp(bars.x[0]) - pd.Timedelta(days=3.5)
    assert first == day("2027-11-01") and first.day_name() == "Monday"
    assert sum(bars.customdata) == len(finishes)


def test_histogram_computes_percentiles_of_numbers_by_default():
    fig = finish_histogram(list(range(1, 11)), deterministic=4)
    marks = {s.name: s.x0 for s in fig.layout.shapes}
    assert marks == {"P50": 5, "P80": 8, "P90": 9, "deterministic": 4}
    with pytest.raises(ValueError, match="should be a number"):
        finish_histogram(list(range(1, 11)), target=D(2027, 1, 1))


def test_s_curve_rises_to_100_percent_with_percentiles_on_the_curve():
    fig = s_curve(pd.Series(FINISHES), percentiles={50: D(2027, 11, 5), 0.8: D(2027, 11, 8)}, target=D(2027, 11, 6))
    curve = fig.data[0]
    assert curve.line.shape == "hv"
    assert list(curve.y) == [0.0, *[10.0 * k for k in range(1, 11)]]
    p50, p80 = shapes(fig, "P50")[0], shapes(fig, "P80")[0]
    assert (p50.x0, p50.y1, p80.x0, p80.y1) == ("2027-11-05", 50, "2027-11-08", 80)
    assert [day(x) for x in fig.data[1].x] == [day("2027-11-05"), day("2027-11-08")]
    assert shapes(fig, "target")[0].x0 == "2027-11-06"


def test_s_curve_accepts_numpy_datetimes():
    fig = s_curve(np.array(FINISHES, dtype="datetime64[D]"))
    assert [s.x0 for s in fig.layout.shapes] == ["2027-11-05", "2027-11-08", "2027-11-09"]


def test_tornado_orders_by_absolute_sensitivity_and_keeps_the_top():
    sens = {"a": 0.1, "b": -0.8, "c": 0.5, "d": -0.3, "e": 0.05}
    fig = tornado(pd.Series(sens), top=3, labels={"b": SCRIPT})
    bar = fig.data[0]
    assert list(bar.customdata) == ["b", "c", "d"]
    assert list(bar.x) == [-0.8, 0.5, -0.3]
    assert list(fig.layout.yaxis.ticktext) == ["&lt;script&gt;alert(1)&lt;/script&gt;", "c", "d"]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # first bar at the top
    assert bar.marker.color[0] != bar.marker.color[1]  # negative and positive differ


def test_criticality_chart_shows_percentages_most_critical_first():
    fig = criticality_chart({"a": 0.25, "b": 1.0, "c": 0.5}, top=None)
    assert list(fig.data[0].customdata) == ["b", "c", "a"]
    assert list(fig.data[0].x) == [100.0, 50.0, 25.0]
    assert list(fig.data[0].text) == ["100%", "50%", "25%"]


# --- Scenarios ------------------------------------------------------------------------------


def test_scenario_ranges_bar_spans_p50_to_p80_with_whisker_to_p90():
    table = pd.DataFrame(
        {
            "scenario": ["Baseline", "Fast track"],
            "deterministic": [D(2027, 11, 30), D(2027, 9, 15)],
            "p50": [D(2027, 12, 20), D(2027, 10, 10)],
            "p80": [D(2028, 1, 25), D(2027, 11, 5)],
            "p90": [D(2028, 2, 15), D(2027, 11, 25)],
        }
    )
    fig = scenario_ranges(table, target=D(2027, 12, 31))
    bar = trace(fig, "P50 to P80")
    spans = [(day(b), pd.Timestamp(b) + pd.Timedelta(milliseconds=x)) for b, x in zip(bar.base, bar.x)]
    assert spans == [(day("2027-12-20"), day("2028-01-25")), (day("2027-10-10"), day("2027-11-05"))]
    whisker = [None if x is None else day(x) for x in trace(fig, "P80 to P90").x]
    assert whisker[:3] == [day("2028-01-25"), day("2028-02-15"), None]
    plans = [day(x) for x in trace(fig, "Deterministic plan").x]
    assert plans == [day("2027-11-30"), day("2027-09-15")]
    assert shapes(fig, "target")[0].x0 == "2027-12-31"
    assert list(fig.layout.yaxis.ticktext) == ["<b>Baseline</b>", "<b>Fast track</b>"]


def test_scenario_s_curves_overlay_one_curve_per_scenario():
    late = [d + dt.timedelta(days=20) for d in FINISHES]
    fig = scenario_s_curves({"Baseline": FINISHES, "Late": late}, target=D(2027, 11, 10))
    assert [t.name for t in fig.data] == [
        "Baseline · P80 8 Nov 2027 · 100% by target",
        "Late · P80 28 Nov 2027 · 0% by target",
    ]
    assert shapes(fig, "target")[0].x0 == "2027-11-10"
    with pytest.raises(ValueError, match="dates"):
        scenario_s_curves({"a": FINISHES, "b": [1, 2, 3]})


# --- Static export --------------------------------------------------------------------------


def test_figure_export_error_is_a_spinekit_runtime_error():
    assert issubclass(FigureExportError, SpinekitError)
    assert issubclass(FigureExportError, RuntimeError)


def test_save_static_rejects_unknown_formats(tmp_path):
    with pytest.raises(FigureExportError, match=r"\.gif.*\.png"):
        save_static(gantt(plan()), tmp_path / "plan.gif")
    assert not (tmp_path / "plan.gif").exists()


def test_save_static_without_a_browser_says_to_install_chromium(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    with pytest.raises(FigureExportError, match="apt-get install -y chromium"):
        save_static(tornado({"a": 1.0}), tmp_path / "t.png")
    assert not (tmp_path / "t.png").exists()


@needs_chromium  # static export drives it
def test_save_static_writes_png_and_svg(tmp_path):
    fig = gantt(plan(), target=D(2027, 1, 22))
    png = save_static(fig, tmp_path / "gantt.png", width=900, scale=1)
    svg = save_static(fig, tmp_path / "out" / "gantt.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "alert(1)" in text and "<script>" not in text  # shown as text


def test_tornado_leaves_out_values_inside_the_noise_band():
    from spinekit.views.figures.risk import tornado

    fig = tornado({"a": 0.3, "b": -0.015, "c": 0.021, "d": -0.5, "e": 0.0}, noise=0.0196)
    assert list(fig.data[0].customdata) == ["d", "a", "c"]
    assert list(fig.data[0].x) == [-0.5, 0.3, 0.021]
    assert fig.layout.title.subtitle.text == (
        "Top 3 tasks by absolute value; drivers within sampling noise (±0.020) are not shown"
    )
    told = tornado({"a": 0.3, "b": -0.015}, noise=0.0196, iterations=10_000).layout.title.subtitle.text
    assert told.endswith("; drivers within sampling noise for 10,000 iterations (±0.020) are not shown")
    empty = tornado({"a": 0.01}, noise=0.0196, iterations=10_000)
    assert len(empty.data) == 0
    assert empty.layout.title.subtitle.text == (
        "No task beyond sampling noise: drivers within sampling noise for 10,000 iterations (±0.020) are not shown"
    )


def test_criticality_chart_leaves_out_tasks_inside_the_noise_band():
    # 10,000 iterations: a task critical in 0.0299529 % or less is not told apart from zero.
    fig = criticality_chart(
        {"a": 0.4, "b": 0.0003, "c": 0.0002, "d": 1.0, "e": 0.0}, noise=0.000299529, iterations=10_000
    )
    assert list(fig.data[0].customdata) == ["d", "a", "b"]
    assert list(fig.data[0].x) == [100.0, 40.0, 0.03]
    assert fig.layout.title.subtitle.text == (
        "Share of iterations in which the task is on the critical path; drivers within sampling noise "
        "for 10,000 iterations (critical in 0.03% or less) are not shown"
    )
    assert len(criticality_chart({"a": 0.0002}, noise=0.000299529).data) == 0


def test_cut_labels_keep_the_part_that_tells_rows_apart():
    from spinekit.views.figures.style import short_label

    assert (
        short_label("ASID issued for the system at the deploying organisation (production, organisation 2)")
        == "ASID issued for… (production, organisation 2)"
    )
    assert (
        short_label("MESH mailbox, client certificate, shared secret and workflow IDs (production, organisation 1)")
        == "MESH mailbox… (production, organisation 1)"
    )
    assert (
        short_label("Common Assurance Process (CAP) for the HL7 V3 interface: EPS")
        == "Common Assurance Process (CAP) for the…: EPS"
    )
    assert short_label("A short name (INT)") == "A short name (INT)"
    assert short_label("x" * 60) == "x" * 47 + "…"


def test_gantt_rows_of_a_two_organisation_hl7v3_plan_read_differently():
    from spinekit.views.figures.style import short_label

    tasks = spinekit.expand_scope(
        spinekit.Scope(services=("pds", "eps", "mesh"), hl7v3_fallback=True, organisations=2), spinekit.load_catalogue()
    )
    labels = [short_label(t.name) for t in tasks]
    assert len(set(labels)) == len(labels)
    assert max(map(len, labels)) <= 48


def test_a_long_critical_path_is_summarised():
    from _helpers import plan

    from spinekit.analysis.summary import critical_path_words

    # A chain of 2,000 one-day tasks, except task 500 (30 days), 1200 (20) and 1500 (25):
    # every task is critical, in order.
    days = {500: 30, 1200: 20, 1500: 25}
    tasks = [{"id": "t0", "name": "Task 0", "duration": 1}] + [
        {"id": f"t{i}", "name": f"Task {i}", "duration": days.get(i, 1), "depends_on": [f"t{i - 1}"]}
        for i in range(1, 2000)
    ]
    words = critical_path_words(spinekit.schedule(plan(tasks)))
    assert words == (
        "Task 0 (1 day), then Task 1 (1 day), then Task 2 (1 day), then 1,994 more tasks "
        "(the longest: Task 500 (30 days), Task 1200 (20 days), Task 1500 (25 days)), "
        "then Task 1997 (1 day), then Task 1998 (1 day), then Task 1999 (1 day). 2,000 tasks in all."
    )
