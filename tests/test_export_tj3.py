"""TaskJuggler export: the .tjp text, and tj3 as an independent oracle for ``schedule``."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _helpers import plan
from dateutil.easter import easter
from hypothesis import given
from hypothesis import strategies as st

from spinekit import (
    HOLIDAY_REGIONS,
    Closure,
    CycleError,
    Dependency,
    Duration,
    ExportError,
    Programme,
    Task,
    WorkingCalendar,
    example_path,
    schedule,
)
from spinekit.cli import main
from spinekit.engine.schedule import constraint_bounds
from spinekit.interop.tjp import TJP_REPORT, tjp_ids, to_tjp

D = dt.date
TJ_ID = re.compile(r"^[A-Za-z_]\w*$")


def task_block(text: str, tj_id: str) -> str:
    local = tj_id.rsplit(".", 1)[1]
    return re.search(rf"^  task {local} .*?^  }}", text, re.S | re.M).group(0)


# --- the text ---------------------------------------------------------------------------------


def test_ids_become_taskjuggler_identifiers_without_clashes():
    p = plan(
        [
            {"id": "build-pds", "duration": 1},
            {"id": "build_pds", "duration": 1},
            {"id": "build.pds", "duration": 1},
            {"id": "build_pds_2", "duration": 1},
            {"id": "2fa", "duration": 1, "depends_on": ["build-pds", "build.pds"]},
        ]
    )
    ids = tjp_ids(p)
    assert ids == {
        "build-pds": "programme.build_pds",
        "build_pds": "programme.build_pds_3",  # build_pds_2 belongs to a task of its own
        "build.pds": "programme.build_pds_4",
        "build_pds_2": "programme.build_pds_2",
        "2fa": "programme._2fa",
    }
    text = to_tjp(p)
    assert '  task _2fa "2fa" {' in text
    assert "depends programme.build_pds { gaplength 1h }" in task_block(text, ids["2fa"])
    assert "depends programme.build_pds_4 { gaplength 1h }" in task_block(text, ids["2fa"])


@given(st.lists(st.from_regex(r"[A-Za-z0-9_.\-]{1,6}", fullmatch=True), min_size=1, max_size=25, unique=True))
def test_id_mapping_is_injective_valid_and_deterministic(task_ids):
    p = Programme("x", WorkingCalendar(D(2027, 1, 4)), tuple(Task(i, i, Duration.fixed(1)) for i in task_ids))
    ids = tjp_ids(p)
    assert list(ids) == task_ids
    assert len(set(ids.values())) == len(task_ids)
    assert all(v.startswith("programme.") and TJ_ID.match(v.split(".", 1)[1]) for v in ids.values())
    assert tjp_ids(p) == ids


def test_names_are_escaped_and_kept_on_one_line():
    p = plan([{"id": "a", "name": 'Say "hi"; C:\\temp\nnext\tline', "duration": 1}])
    assert '  task a "Say \\"hi\\"; C:\\temp next line" {' in to_tjp(p)


@pytest.mark.parametrize("name", ["cost ${rate} a day", "path $(HOME)", "ends in \\"])
def test_a_name_tj3_would_rewrite_is_an_export_error(name):
    p = plan([{"id": "ok", "duration": 1}, {"id": "bad-name", "name": name, "duration": 1}])
    with pytest.raises(ExportError, match=r"task 'bad-name': field 'name': .*reword"):
        to_tjp(p)


@pytest.mark.parametrize("kind", ["FF", "SF"])
def test_finish_links_are_an_export_error_naming_task_and_field(kind):
    p = plan(
        [
            {"id": "a", "duration": 2},
            {"id": "b", "duration": 2, "depends_on": ["a", {"task": "a2", "type": kind}]},
            {"id": "a2", "duration": 1},
        ]
    )
    with pytest.raises(ExportError, match=rf"task 'b': field 'depends_on\[1\]\.type': TaskJuggler has no {kind}"):
        to_tjp(p)


def test_a_lead_is_an_export_error_naming_task_and_field():
    p = plan([{"id": "a", "duration": 2}, {"id": "b", "duration": 2, "depends_on": [{"task": "a", "lag": -1}]}])
    with pytest.raises(ExportError, match=r"task 'b': field 'depends_on\[0\]\.lag': .*lead of 1 working days"):
        to_tjp(p)


def test_an_invalid_network_is_refused_before_export():
    p = plan([{"id": "a", "duration": 1, "depends_on": ["b"]}, {"id": "b", "duration": 1, "depends_on": ["a"]}])
    with pytest.raises(CycleError):
        to_tjp(p)


def test_lengths_and_gaps_count_hours_so_starts_fall_on_spinekit_days():
    p = plan(
        [
            {"id": "a", "duration": 3},
            {"id": "m", "duration": 0, "depends_on": ["a"]},
            {"id": "b", "duration": 1, "depends_on": [{"task": "a", "type": "SS", "lag": 2}]},
            {"id": "c", "duration": {"min": 1, "likely": 1.5, "max": 4}, "depends_on": [{"task": "m", "lag": 2}]},
            {"id": "d", "duration": 2, "depends_on": [{"task": "m", "type": "SS", "lag": 1}, {"task": "b", "lag": 1}]},
        ]
    )
    text = to_tjp(p)
    ids = tjp_ids(p)
    assert "  start 2027-01-04-10:00" in text
    assert "length 23h  # 3 working days" in task_block(text, ids["a"])
    assert "milestone\n    depends programme.a { gaplength 1h }" in task_block(text, ids["m"])
    assert "depends programme.a { onstart gaplength 16h }  # SS, lag 2" in task_block(text, ids["b"])
    # planned duration is likely rounded up; links from a milestone never need the extra hour
    assert "length 15h  # 2 working days" in task_block(text, ids["c"])
    assert "depends programme.m { gaplength 16h }  # FS, lag 2" in task_block(text, ids["c"])
    block = task_block(text, ids["d"])
    assert "depends programme.m { gaplength 8h }  # SS, lag 1" in block  # SS from a milestone: its end
    assert "depends programme.b { gaplength 9h }  # FS, lag 1" in block


def test_not_before_links_to_a_milestone_at_midnight_on_its_date():
    p = plan(
        [
            {"id": "a", "duration": 1, "not_before": "2027-03-26"},  # Good Friday: tj3 rolls it on
            {"id": "b", "duration": 1, "depends_on": ["a"], "not_before": "2027-03-26"},
            {"id": "c", "duration": 1, "not_before": "2027-03-01"},  # the start: no bound
        ],
        start="2027-03-01",
        holidays="england-and-wales",
    )
    text = to_tjp(p)
    assert 'task on_2027_03_26 "Not before 2027-03-26" { milestone start 2027-03-26 }' in text
    assert text.count("task on_") == 1
    link = "depends not_before.on_2027_03_26 { gaplength 1h }  # not before 2027-03-26"
    assert link in task_block(text, "programme.a")
    assert link in task_block(text, "programme.b")
    assert "not_before" not in task_block(text, "programme.c")


def test_bank_holidays_and_closures_become_global_leaves():
    closures = [{"from": "2027-12-20", "to": "2028-01-04", "name": "Trust change freeze"}]
    text = to_tjp(plan([{"id": "a", "duration": 300}], holidays="scotland", closures=closures))
    assert 'leaves holiday "Good Friday" 2027-03-26' in text
    assert "2027-03-29" not in text  # no Easter Monday in Scotland
    assert 'leaves holiday "Trust change freeze" 2027-12-20 - 2028-01-05' in text
    assert "  workinghours mon - fri 09:00 - 17:00" in text
    assert "leaves holiday" not in to_tjp(plan([{"id": "a", "duration": 300}], holidays="none"))


def test_deadlines_become_maxend_at_spinekit_bound():
    p = plan(
        [
            {"id": "a", "duration": 2, "deadline": "2027-01-09"},
            # a milestone marks the start of its day, the close of the working day before
            {"id": "m", "duration": 0, "depends_on": ["a"], "deadline": "2027-01-08"},
        ]
    )
    text = to_tjp(p)
    assert "maxend 2027-01-09-17:00  # deadline 2027-01-09" in task_block(text, "programme.a")
    assert "maxend 2027-01-11-10:00  # deadline 2027-01-08" in task_block(text, "programme.m")


def test_dates_beyond_taskjuggler_years_are_an_export_error():
    with pytest.raises(ExportError, match=r"needs dates from 2035-06-01 to 2036-.*only schedules from 1970-01-01"):
        to_tjp(plan([{"id": "a", "duration": 300}], start="2035-06-01"))


def test_export_is_deterministic_and_wired_to_the_cli(capsys, example):
    assert main(["export", str(example_path()), "--to", "tjp"]) == 0
    assert capsys.readouterr().out == to_tjp(example)


# --- tj3 as the oracle ------------------------------------------------------------------------


@pytest.fixture
def tj3():
    if shutil.which("tj3") is None:
        pytest.skip("tj3 (TaskJuggler) not installed; apt-get install tj3")


def run_tj3(programme: Programme, folder: Path) -> tuple[dict[str, tuple[str, str, str]], set[str]]:
    """tj3's (start, end, name) by TaskJuggler id, and the ids it warns end too late."""
    (folder / "plan.tjp").write_text(to_tjp(programme), encoding="utf-8")
    done = subprocess.run(["tj3", "--no-color", "plan.tjp"], cwd=folder, capture_output=True, text=True, timeout=300)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    rows = {}
    for line in (folder / f"{TJP_REPORT}.csv").read_text(encoding="utf-8").splitlines()[1:]:
        # tj3 does not double quotes inside CSV fields, so the name, last, keeps the rest.
        tj_id, start, end, name = line.split(";", 3)
        rows[tj_id.strip('"')] = (start.strip('"'), end.strip('"'), name[1:-1])
    return rows, set(re.findall(r"of task (\S+) is too late", log))


def assert_tj3_agrees(programme: Programme, folder: Path) -> None:
    rows, late = run_tj3(programme, folder)
    sched = schedule(programme)
    ids = tjp_ids(programme)
    assert set(rows) == set(ids.values())
    wrong = [
        (r.id, str(r.start), str(r.finish), *rows[ids[r.id]][:2])
        for r in sched.table.itertuples()
        if rows[ids[r.id]][:2] != (str(r.start), str(r.finish))
    ]
    assert not wrong, f"{len(wrong)} tasks differ (id, spinekit start/finish, tj3 start/end): {wrong[:10]}"
    # A missed deadline: spinekit's EF beyond the deadline bound, tj3's "too late" warning.
    table = sched.table.set_index("id")
    _, upper = constraint_bounds(programme, sched.network)
    assert late == {ids[i] for k, i in enumerate(sched.network.ids) if table.at[i, "ef"] > upper[k]}


REGIONS = tuple(HOLIDAY_REGIONS)
NETWORKS_PER_PROJECT = 4
PROJECTS = 12  # 48 random networks of 5-40 tasks


def random_calendar(rng: np.random.Generator, seed: int) -> WorkingCalendar:
    """Starts near Easter or Christmas, every region in turn, and up to two closures."""
    year = int(rng.integers(2025, 2031))
    near = easter(year) if seed % 2 else D(year, 12, 24)
    start = near + dt.timedelta(days=int(rng.integers(-12, 8)))
    closures = []
    for _ in range(int(rng.integers(0, 3))):
        first = start + dt.timedelta(days=int(rng.integers(-10, 300)))
        closures.append(Closure(first, first + dt.timedelta(days=int(rng.integers(0, 15))), "freeze"))
    return WorkingCalendar(start, REGIONS[seed % len(REGIONS)], tuple(closures))


def random_network(rng: np.random.Generator, cal: WorkingCalendar, prefix: str) -> list[Task]:
    """FS and SS links with lags of 0 or more, milestones, three-point durations, date bounds.

    FF and SF links and negative lags are never drawn: TaskJuggler cannot express them, and
    the export refuses them (see the ExportError tests above).
    """
    tasks: list[Task] = []
    used: set[str] = set()
    for i in range(int(rng.integers(5, 41))):
        # Pairs such as n0-3 / n0_3 / n0.3 clash once mapped; a leading digit needs a prefix.
        options = [f"{prefix}{sep}{i // 2}" for sep in "-_."] + [f"{i}{prefix}"]
        tid = next((str(o) for o in rng.permutation(options) if o not in used), f"{prefix}x{i}")
        used.add(tid)
        roll = rng.random()
        if roll < 0.12:
            duration = Duration.fixed(0)
        elif roll < 0.15:
            duration = Duration(0, 0, 3)  # planned 0: scheduled as a milestone
        elif roll < 0.4:
            low = float(rng.integers(1, 10))
            duration = Duration(low, low + round(float(rng.random()) * 9, 2), low + 20)
        else:
            duration = Duration.fixed(int(rng.integers(1, 26)))
        links = tuple(
            Dependency(
                tasks[j].id, "FS" if rng.random() < 0.7 else "SS", 0 if rng.random() < 0.6 else int(rng.integers(1, 11))
            )
            for j in range(i)
            if rng.random() < min(0.5, 2.5 / i)
        )
        not_before = cal.start + dt.timedelta(days=int(rng.integers(-20, 250))) if rng.random() < 0.15 else None
        deadline = cal.start + dt.timedelta(days=int(rng.integers(-30, 300))) if rng.random() < 0.1 else None
        name = f'Task {i} of "{prefix}"; C:\\{tid}'
        tasks.append(Task(tid, name, duration, links, not_before, deadline))
    return tasks


def random_project(seed: int) -> Programme:
    """Independent networks sharing one calendar: one tj3 run checks them all."""
    rng = np.random.default_rng(seed)
    cal = random_calendar(rng, seed)
    tasks = [t for k in range(NETWORKS_PER_PROJECT) for t in random_network(rng, cal, f"n{k}")]
    return Programme(f"random networks, seed {seed}", cal, tuple(tasks))


@pytest.mark.slow
def test_tj3_schedules_the_example_like_spinekit(tj3, tmp_path, example):
    assert_tj3_agrees(example, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(PROJECTS))
def test_tj3_schedules_random_networks_like_spinekit(tj3, tmp_path, seed):
    assert_tj3_agrees(random_project(seed), tmp_path)


@pytest.mark.slow
def test_tj3_reads_names_back_unchanged(tj3, tmp_path):
    names = ['a\\"b', "x\\y", "\\start", 'semi;colon "q" #h // c /* d */', "unicode é ✓", "it's", "$HOME"]
    p = plan([{"id": f"t{k}", "name": n, "duration": 1} for k, n in enumerate(names)])
    rows, _ = run_tj3(p, tmp_path)
    assert [rows[f"programme.t{k}"][2] for k in range(len(names))] == names


def test_a_task_not_started_is_held_at_the_first_working_day_after_the_status_date():
    p = plan(
        [
            {"id": "a", "duration": 5},
            {"id": "b", "duration": 3, "depends_on": ["a"]},
            {"id": "c", "duration": 2, "not_before": "2027-01-25"},
            {"id": "d", "duration": 1, "not_before": "2027-01-06"},
        ],
        # Wednesday 13 January: the hold is Thursday 14th.
        status={"date": "2027-01-13", "tasks": {"a": {"start": "2027-01-05", "finish": "2027-01-11"}}},
    )
    text = to_tjp(p)
    held = "depends not_before.on_2027_01_14 { gaplength 1h }  # not before 2027-01-14"
    assert held in task_block(text, "programme.b")
    assert held in task_block(text, "programme.d")  # its own 6 January is before the hold
    assert "depends not_before.on_2027_01_25 { gaplength 1h }  # not before 2027-01-25" in task_block(
        text, "programme.c"
    )
    # The started task is pinned at its actual start, Tuesday 5th, and waits for nothing else.
    a = task_block(text, "programme.a")
    assert "depends not_before.on_2027_01_05 { gaplength 1h }  # not before 2027-01-05" in a
    assert "length 39h  # 5 working days" in a
    assert 'task on_2027_01_06 "' not in text
