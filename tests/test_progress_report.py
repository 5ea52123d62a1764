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
    from spinekit import build_report
    from spinekit.cli import main

    folder = tmp_path_factory.mktemp("tracked")
    db = folder / "history.sqlite"
    for day in STATUS_DATES:
        code = main(
            [
                "record",
                str(ROOT / "data/examples/seed-pds-eps-cis2.yaml"),
                "--status",
                str(TRACKING / f"status-{day}.yaml"),
                "--db",
                str(db),
                "--iterations",
                "300",
                "--seed",
                "5",
            ]
        )
        assert code == 0
    assert (
        main(
            [
                "baseline",
                str(ROOT / "data/examples/seed-pds-eps-cis2.yaml"),
                "--db",
                str(db),
                "--name",
                "Approved at SG 2027-01",
                "--status-date",
                STATUS_DATES[0],
            ]
        )
        == 0
    )
    files = build_report(
        None,
        folder / "out",
        iterations=300,
        seed=5,
        status_file=TRACKING / f"status-{STATUS_DATES[-1]}.yaml",
        history_db=str(db),
    )
    return files.html


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


@pytest.mark.slow
@needs_chromium
@pytest.mark.usefixtures("sync_api")
def test_the_trend_chart_draws_a_point_per_snapshot_in_chromium(browser, tracked_report):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(tracked_report.as_uri(), wait_until="load")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    trend = page.locator(".js-plotly-plot", has_text="Milestone trend")
    assert trend.count() == 1
    box = trend.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    # Deterministic go-live, P50 and P80: three lines of three snapshots each.
    assert trend.locator("g.trace.scatter path.point").count() == 9
    burn = page.locator(".js-plotly-plot", has_text="Finished tasks: planned and actual")
    assert burn.count() == 1 and burn.locator("g.trace.scatter").count() == 2
    page.close()
