"""The steering report of a tracked programme: the bundled example at three status dates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from _helpers import ROOT, needs_chromium, run

from spinekit import milestone_trend
from spinekit.model.history import Snapshot

TRACKING = ROOT / "data" / "examples" / "tracking"
STATUS_DATES = ("2027-01-29", "2027-02-26", "2027-03-26")
HISTORY = TRACKING / "history.sqlite"
#: The iterations and seed the tracked example's snapshots were recorded with (see the README).
ITERATIONS, SEED = 10_000, 2027


def _snapshot(status, finish, p50, p80, target=dt.date(2027, 12, 17)):
    return Snapshot("t", status, dt.datetime(2027, 1, 1), finish, p50, p80, p80, None, target, 10, 1, ())


def test_milestone_trend_draws_each_snapshot_and_the_target():
    d = dt.date
    snaps = [
        _snapshot(d(2027, 3, 5), d(2027, 11, 1), d(2027, 11, 20), d(2027, 12, 10)),
        _snapshot(d(2027, 2, 5), d(2027, 10, 25), d(2027, 11, 10), d(2027, 12, 1)),
    ]
    fig = milestone_trend(snaps)
    lines = {t.name: (list(t.x), list(t.y)) for t in fig.data if t.name}
    assert lines["P50"] == ([d(2027, 2, 5), d(2027, 3, 5)], [d(2027, 11, 10), d(2027, 11, 20)])
    assert lines["P80"][1] == [d(2027, 12, 1), d(2027, 12, 10)]
    assert lines["Deterministic go-live"][1] == [d(2027, 10, 25), d(2027, 11, 1)]
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert len(band) == 1 and list(band[0].y) == lines["P50"][1]
    (target,) = [s for s in fig.layout.shapes if s.name == "target"]
    assert target.y0 == d(2027, 12, 17)


@pytest.fixture(scope="module")
def tracked_report(tmp_path_factory):
    """``spinekit report`` of the bundled example at its third status date, with the committed
    history of the tracked example (three snapshots, a baseline at the first)."""
    from spinekit.cli import main

    folder = tmp_path_factory.mktemp("tracked")
    argv = ["report", "--status", str(TRACKING / f"status-{STATUS_DATES[-1]}.yaml"), "--db", str(HISTORY)]
    assert main([*argv, "--out", str(folder), "--iterations", "300", "--seed", "5"]) == 0
    return folder / "example.html"


def test_the_tracked_report_opens_with_progress_variance_and_the_trend(tracked_report):
    html = tracked_report.read_text(encoding="utf-8")
    progress = html.index(">Progress</h2>")
    assert progress < html.index("Summary")
    assert "progress at 2027-03-26" in html
    assert "Against baseline 'Approved at SG 2027-01' (2027-01-29)" in html
    assert "slip (working days)" in html
    assert "Milestone trend: go-live forecast at each status date" in html
    assert "Finished tasks: planned and actual" in html
    assert "Baseline and forecast" in html and "Baseline: Approved at SG 2027-01" in html
    # The trend has one point per snapshot: three status dates on its x axis.
    assert all(day in html for day in STATUS_DATES)


def test_burn_up_steps_once_per_finished_task():
    from spinekit import burn_up

    d = dt.date
    fig = burn_up([d(2027, 1, 8), d(2027, 1, 4), d(2027, 2, 1)], [d(2027, 1, 11)], status_date=d(2027, 1, 29))
    planned, actual = fig.data
    assert list(planned.x) == [d(2027, 1, 4), d(2027, 1, 8), d(2027, 2, 1)] and list(planned.y) == [1, 2, 3]
    assert list(actual.x) == [d(2027, 1, 11)] and list(actual.y) == [1]
    (line,) = fig.layout.shapes
    assert line.x0 == d(2027, 1, 29)


def test_the_history_lists_three_snapshots(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    plan = ROOT / "data/examples/seed-pds-eps-cis2.yaml"
    for day in STATUS_DATES:
        assert (
            run(
                capsys,
                "record",
                plan,
                "--status",
                TRACKING / f"status-{day}.yaml",
                "--db",
                db,
                "--iterations",
                "100",
                "--seed",
                "2",
            )[0]
            == 0
        )
    _, out, _ = run(capsys, "history", plan, "--db", db)
    assert re.findall(r"^(2027-\d\d-\d\d) ", out, re.M) == list(STATUS_DATES)


def _forecast(status_file):
    """The engine's forecast at a status file, recomputed here: deterministic go-live, P50, P80."""
    from spinekit import example_path, read_programme, schedule, simulate

    programme = read_programme(example_path(), status=status_file)
    sched = schedule(programme)
    sim = simulate(programme, ITERATIONS, SEED, schedule=sched)
    return programme, sched.finish_date, sim.finish_date["p50"], sim.finish_date["p80"]


#: Each line's markers, read back from where Chromium drew them: pixel to date on each axis.
_DRAWN = """gd => {
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, out = {};
  const groups = gd.querySelectorAll('g.trace.scatter');
  gd._fullData.forEach((trace, i) => {
    out[trace.name] = [...groups[i].querySelectorAll('path.point')].map(point => {
      const m = point.getAttribute('transform').match(/translate\\(([-\\d.e]+),\\s*([-\\d.e]+)\\)/);
      return [xa.p2d(+m[1]), ya.p2d(+m[2])];
    });
  });
  out.target = gd._fullLayout.shapes.filter(s => s.name === 'target').map(s => [s.y0, s.y1]);
  return out;
}"""


def _day(drawn):
    """A date axis position (``2028-02-21 23:59:36.36``) as the nearest day."""
    when = dt.datetime.fromisoformat(drawn) if " " in drawn else dt.datetime.fromisoformat(drawn + " 00:00")
    return (when + dt.timedelta(hours=12)).date()


def _bank_holidays():
    """The example's days off in 2027-2028: England and Wales bank holidays (from the holidays
    package) and the closures its file names."""
    import holidays
    import yaml

    from spinekit import example_path

    days = set(holidays.country_holidays("GB", subdiv="ENG", years=range(2027, 2029)))
    plan = yaml.safe_load(example_path().read_text(encoding="utf-8"))
    for closure in plan["calendar"].get("closures", []):
        day = closure["from"]
        while day <= closure["to"]:
            days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


def _working_days_after(first, last):
    """Working days after ``first`` up to ``last`` (negative when ``last`` is earlier), counted
    with numpy, bank holidays out."""
    import numpy as np

    one = dt.timedelta(days=1)
    if last >= first:
        return int(np.busday_count(first + one, last + one, holidays=_bank_holidays()))
    return -int(np.busday_count(last + one, first + one, holidays=_bank_holidays()))


def _working_day(first, n):
    """The working day ``n`` working days after ``first`` (itself a working day)."""
    import numpy as np

    return np.busday_offset(first, n, roll="forward", holidays=_bank_holidays()).astype(dt.date)


@pytest.mark.slow
@needs_chromium
@pytest.mark.usefixtures("sync_api")
def test_the_trend_chart_plots_the_engine_forecast_at_each_status_date_in_chromium(browser, tracked_report):
    want = {"Deterministic go-live": [], "P50": [], "P80": []}
    for day in STATUS_DATES:
        programme, finish, p50, p80 = _forecast(TRACKING / f"status-{day}.yaml")
        for name, value in zip(want, (finish, p50, p80)):
            want[name].append((dt.date.fromisoformat(day), value))
    # The deterministic line worked by hand: EPS is the longest chain at every status date. After
    # its intake slot come the EPS build 30, its pen test 25, its SCAL 20, its Connection
    # Agreement 10, its live API application 10, its smoke test 5 and hypercare 10 (items.yaml
    # and services.yaml likely days; 110 in all). Remaining work starts the working day after
    # the status date.
    # - 29 January: the developer account is done; EPS use-case approval 20 and the intake slot
    #   130 are still to come: 260 working days from Monday 1 February.
    # - 26 February: EPS use-case approval has 8 days left, then the intake slot 130: 248 working
    #   days from Monday 1 March.
    # - 26 March: the intake slot has 110 days left: 220 working days from Monday 29 March.
    assert want["Deterministic go-live"] == [
        (dt.date(2027, 1, 29), _working_day(dt.date(2027, 2, 1), 260 - 1)),
        (dt.date(2027, 2, 26), _working_day(dt.date(2027, 3, 1), 248 - 1)),
        (dt.date(2027, 3, 26), _working_day(dt.date(2027, 3, 29), 220 - 1)),
    ]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(tracked_report.as_uri(), wait_until="load")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    trend = page.locator(".js-plotly-plot", has_text="Milestone trend")
    assert trend.count() == 1
    drawn = trend.evaluate(_DRAWN)
    for name, points in want.items():
        assert [(_day(x), _day(y)) for x, y in drawn[name]] == points, name
    assert drawn["target"] == [[programme.target.isoformat()] * 2]
    page.close()


@pytest.mark.slow
@needs_chromium
@pytest.mark.usefixtures("sync_api")
def test_the_variance_table_shows_the_slips_worked_by_hand_in_chromium(browser, tracked_report):
    import math

    from spinekit import example_path, read_programme, schedule

    likely = {t.id: t.duration.likely for t in read_programme(example_path()).tasks}
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(tracked_report.as_uri(), wait_until="load")
    table = page.locator("table", has_text="slip (working days)")
    assert table.count() == 1
    head = table.locator("thead th").all_inner_texts()
    assert head[-4:] == ["baseline finish", "forecast finish", "slip (working days)", "critical"]
    rows = {}
    for cells in table.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))"):
        task, base, now, slip, _critical = cells[-5:]
        rows[task] = (dt.date.fromisoformat(base), dt.date.fromisoformat(now), int(slip))

    # At the baseline (status 29 January, so s is Monday 1 February) design was in progress with
    # 3 days left: its last day was Wednesday 3 February, the day it then finished. No slip.
    assert rows["design"] == (dt.date(2027, 2, 3), dt.date(2027, 2, 3), 0)
    # In progress at the baseline by percentage: ceil(likely x the share left) working days from
    # 1 February; by 26 March both had finished, on the dates the third status gives.
    for task, share_left, finished in (
        ("cso-dcb0129", 0.6, dt.date(2027, 3, 10)),
        ("dpia-org1", 0.75, dt.date(2027, 3, 19)),
    ):
        planned = _working_day(dt.date(2027, 2, 1), math.ceil(likely[task] * share_left - 1e-9) - 1)
        assert rows[task] == (planned, finished, _working_days_after(planned, finished)), task
    # Done before the baseline: pinned at their actual dates, so they never move.
    assert rows["ods-code"] == (dt.date(2027, 1, 19), dt.date(2027, 1, 19), 0)
    # The go-live slip the summary states is the engine's forecast at the two dates, counted here.
    base_finish, now_finish = (
        schedule(read_programme(example_path(), status=TRACKING / f"status-{day}.yaml")).finish_date
        for day in (STATUS_DATES[0], STATUS_DATES[-1])
    )
    slip = _working_days_after(base_finish, now_finish)
    words = "on the baseline date" if slip == 0 else f"{abs(slip)} working day{'s' if abs(slip) != 1 else ''} "
    words += "" if slip == 0 else ("later" if slip > 0 else "earlier")
    assert f"Against baseline 'Approved at SG 2027-01' (2027-01-29): go-live {words}" in page.inner_text("body")
    page.close()


# --- a plan without a status, with a history ---------------------------------------------------


def _task(tid, finish, state, critical=False):
    from spinekit.model.history import TaskSnapshot

    return TaskSnapshot(tid, tid, finish - dt.timedelta(days=2), finish, 0, 0, critical, 0.0, state)


def _recorded(status, finish, tasks, risks):
    """A snapshot of programme t: P50, P80 and P90 one, two and three weeks after ``finish``."""
    week = dt.timedelta(days=7)
    when = dt.datetime.combine(status, dt.time())
    p50, p80, p90 = (finish + k * week for k in (1, 2, 3))
    return Snapshot("t", status, when, finish, p50, p80, p90, None, None, 10, 1, tuple(tasks), tuple(risks.items()))


def test_recorded_progress_is_the_latest_snapshot_against_its_baseline_and_the_one_before():
    """Three snapshots on a calendar with no holidays (Monday 4 January 2027 is day 0)."""
    from spinekit import WorkingCalendar, recorded_progress
    from spinekit.model.history import Baseline

    d = dt.date
    first = _recorded(
        d(2027, 1, 15),
        d(2027, 3, 5),
        [_task("a", d(2027, 1, 20), "in progress"), _task("b", d(2027, 2, 5), "not started", True)]
        + [_task("gone", d(2027, 2, 1), "not started")],
        {"r1": "open", "r2": "open"},
    )
    second = _recorded(
        d(2027, 1, 29),
        d(2027, 3, 10),
        [_task("a", d(2027, 1, 27), "in progress"), _task("b", d(2027, 2, 10), "not started")]
        + [_task("new", d(2027, 2, 15), "not started")],
        {"r1": "open", "r2": "open"},
    )
    latest = _recorded(
        d(2027, 2, 12),
        d(2027, 3, 17),
        [_task("a", d(2027, 2, 3), "done"), _task("b", d(2027, 2, 17), "in progress", True)]
        + [_task("new", d(2027, 2, 15), "not started")],
        {"r1": "closed", "r2": "occurred"},
    )
    baseline = Baseline("Approved", d(2027, 1, 15), dt.datetime(2027, 1, 16))
    got = recorded_progress([second, latest, first], [baseline], WorkingCalendar(d(2027, 1, 4), region="none"))

    assert (got.status_date, got.finish, got.recorded) == (d(2027, 2, 12), d(2027, 3, 17), True)
    assert got.counts == {"done": 1, "in progress": 1, "not started": 1}
    assert got.earned_days is None and got.overdue == ()
    # Against the baseline of 15 January: go-live 5 March -> 17 March is 8 working days; a
    # finished 20 January -> 3 February (10 working days), b 5 -> 17 February (8 days).
    assert got.baseline == baseline and got.go_live_slip == 8
    assert {v.id: (v.baseline_finish, v.forecast_finish, v.slip, v.critical) for v in got.variance} == {
        "a": (d(2027, 1, 20), d(2027, 2, 3), 10, False),
        "b": (d(2027, 2, 5), d(2027, 2, 17), 8, True),
    }
    assert (got.new_tasks, got.removed_tasks, got.slipped_critical) == (("new",), ("gone",), ("b",))
    # Since 29 January: a finished, b started and slipped 10 -> 17 February, r1 closed, r2
    # occurred, b became critical.
    assert got.previous == d(2027, 1, 29)
    assert got.changes == {
        "finished": ("a",),
        "started": ("b",),
        "slipped": ("a", "b"),
        "risks closed": ("r1",),
        "risks occurred": ("r2",),
        "became critical": ("b",),
        "no longer critical": (),
    }
    text = got.to_text()
    assert "t: progress at 2027-02-12\nas the history's latest snapshot recorded it" in text
    assert "\n1 done, 1 in progress, 1 not started\nforecast finish 2027-03-17\n" in text
    assert "Against baseline 'Approved' (2027-01-15): go-live 8 working days later" in text


def test_recorded_progress_needs_a_snapshot():
    from spinekit import ProgrammeError, WorkingCalendar, recorded_progress

    with pytest.raises(ProgrammeError, match="no snapshots yet"):
        recorded_progress([], [], WorkingCalendar(dt.date(2027, 1, 4)))


def test_a_plan_without_a_status_opens_its_report_with_the_progress_its_history_recorded(tmp_path, capsys):
    """The bundled plan copied beside the tracked example's history (its default name), read
    without a status: the report opens with the progress at the latest snapshot, from the
    history's own rows."""
    import shutil
    import sqlite3

    from spinekit import example_path

    plan = tmp_path / "plan.yaml"
    shutil.copy(example_path(), plan)
    shutil.copy(HISTORY, tmp_path / "plan.history.sqlite")
    with sqlite3.connect(HISTORY) as db:
        finishes = dict(db.execute("SELECT status_date, deterministic_finish FROM spinekit_snapshots").fetchall())
    base, latest = (dt.date.fromisoformat(finishes[day]) for day in (STATUS_DATES[0], STATUS_DATES[-1]))
    slip = _working_days_after(base, latest)

    code, _, err = run(capsys, "report", plan, "--out", tmp_path / "out", "--iterations", "200", "--seed", "3")
    assert code == 0, err
    html = (tmp_path / "out" / "plan.html").read_text(encoding="utf-8")
    assert html.index(">Progress</h2>") < html.index("Summary")
    assert f"progress at {STATUS_DATES[-1]}" in html
    html = html.replace("&#x27;", "'")
    assert "as the history's latest snapshot recorded it" in html
    words = "on the baseline date" if slip == 0 else f"{abs(slip)} working day{'s' if abs(slip) != 1 else ''} "
    words += "" if slip == 0 else ("later" if slip > 0 else "earlier")
    assert f"Against baseline 'Approved at SG 2027-01' (2027-01-29): go-live {words}" in html
    assert "slip (working days)" in html
    assert "Milestone trend: go-live forecast at each status date" in html

    # Without the history there is no progress to show, and reading made no database.
    (tmp_path / "plan.history.sqlite").unlink()
    code, _, err = run(capsys, "report", plan, "--out", tmp_path / "bare", "--iterations", "200", "--seed", "3")
    assert code == 0, err
    assert ">Progress</h2>" not in (tmp_path / "bare" / "plan.html").read_text(encoding="utf-8")
    assert not (tmp_path / "plan.history.sqlite").exists()


def test_spinekit_status_of_a_plan_without_a_status_prints_what_its_history_recorded(tmp_path, capsys):
    """The same latest snapshot as the report, in the terminal and in JSON."""
    import json
    import shutil
    import sqlite3

    from spinekit import example_path

    plan = tmp_path / "plan.yaml"
    shutil.copy(example_path(), plan)
    code, _, err = run(capsys, "status", plan)
    assert code == 2 and "no status date" in err
    assert not (tmp_path / "plan.history.sqlite").exists()  # reading made no database
    shutil.copy(HISTORY, tmp_path / "plan.history.sqlite")
    with sqlite3.connect(HISTORY) as db:
        (finish,) = db.execute(
            "SELECT deterministic_finish FROM spinekit_snapshots WHERE status_date = ?", (STATUS_DATES[-1],)
        ).fetchone()
    code, out, err = run(capsys, "status", plan, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["status_date"], doc["finish_date"], doc["recorded"]) == (STATUS_DATES[-1], finish, True)
    assert doc["earned_days"] is None and doc["overdue_lead_time"] is None
    assert doc["baseline"]["status_date"] == STATUS_DATES[0]
    assert doc["since"]["status_date"] == STATUS_DATES[1]
    code, out, _ = run(capsys, "status", plan)
    assert out.startswith(f"PDS, EPS and CIS2 for one Trust: progress at {STATUS_DATES[-1]}\nas the history's latest")
