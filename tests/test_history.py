"""Programme history: snapshots and baselines on SQLite and on a real PostgreSQL server.

The PostgreSQL server is a throwaway one started here in a temporary folder (initdb, pg_ctl)
and stopped at the end; without PostgreSQL's binaries those tests skip, saying what to install.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from _helpers import ROOT, postgres_bin, run, write_file

from spinekit import HistoryError
from spinekit.model.history import SCHEMA_VERSION, Snapshot, TaskSnapshot, open_history

D = dt.date


def snapshot(status_date, finish, *, tasks=None, programme="t", risks=()):
    tasks = tasks or (
        TaskSnapshot("a", "A", D(2027, 1, 4), D(2027, 1, 8), 0, 0, True, 0.9, "done"),
        TaskSnapshot("b", "B", D(2027, 1, 11), finish, 2, 1, False, 0.25, "in progress"),
    )
    return Snapshot(
        programme,
        status_date,
        dt.datetime(2027, 3, 1, 9, 30),
        finish,
        finish + dt.timedelta(days=1),
        finish + dt.timedelta(days=3),
        finish + dt.timedelta(days=4),
        0.625,
        D(2027, 6, 30),
        1000,
        2**52 + 7,
        tuple(tasks),
        tuple(risks),
    )


# --- a throwaway PostgreSQL server -------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A URL prefix of a PostgreSQL server started for these tests (databases are made per test)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    # Not under pytest's temporary folder: its parents are private to this user, and the server
    # may have to run as another one.
    folder = Path(tempfile.mkdtemp(prefix="spinekit-pg-"))
    data = folder / "data"
    demote = None
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)

        def demote():
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    def pg(*args):
        done = subprocess.run(args, capture_output=True, preexec_fn=demote, cwd=folder)
        assert done.returncode == 0, (done.stdout + done.stderr).decode()

    port = _free_port()
    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A fresh, empty history database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'plan.history.sqlite'}"
    import sqlalchemy as sa

    server = request.getfixturevalue("postgres")
    name = f"h_{request.node.name.split('[')[0][-30:]}_{os.getpid()}".lower().replace("-", "_")
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"{server}/{name}"


# --- round trips -------------------------------------------------------------------------------


def test_a_snapshot_round_trips_and_a_new_database_has_none(db):
    store = open_history(db)
    assert store.snapshots("t") == [] and store.baselines("t") == []
    first = snapshot(D(2027, 2, 5), D(2027, 6, 1), risks=(("pen-test", "open"), ("hscn", "occurred")))
    assert store.record(first) is False
    (back,) = store.snapshots("t")
    assert back == Snapshot(**{**first.__dict__, "risks": (("hscn", "occurred"), ("pen-test", "open"))})
    assert back.seed == 2**52 + 7 and back.tasks[1].criticality == 0.25 and back.tasks[0].critical is True
    store.close()


def test_recording_the_same_status_date_again_replaces_that_snapshot(db):
    store = open_history(db)
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))
    store.record(snapshot(D(2027, 3, 5), D(2027, 6, 8)))
    store.set_baseline("t", "Approved at SG 2027-02", D(2027, 2, 5))
    fewer = (TaskSnapshot("a", "A", D(2027, 1, 4), D(2027, 1, 8), 0, 0, True, 1.0, "done"),)
    assert store.record(snapshot(D(2027, 2, 5), D(2027, 6, 3), tasks=fewer)) is True
    snaps = store.snapshots("t")
    assert [(x.status_date, x.deterministic_finish, len(x.tasks)) for x in snaps] == [
        (D(2027, 2, 5), D(2027, 6, 3), 1),
        (D(2027, 3, 5), D(2027, 6, 8), 2),
    ]
    assert [(b.name, b.status_date) for b in store.baselines("t")] == [("Approved at SG 2027-02", D(2027, 2, 5))]
    store.close()


def test_programmes_share_a_database_without_mixing(db):
    store = open_history(db)
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1), programme="north"))
    store.record(snapshot(D(2027, 2, 5), D(2027, 7, 1), programme="south"))
    assert [x.deterministic_finish for x in store.snapshots("north")] == [D(2027, 6, 1)]
    assert [x.deterministic_finish for x in store.snapshots("south")] == [D(2027, 7, 1)]
    store.close()


def test_baselines_name_the_latest_snapshot_by_default_and_are_never_silently_moved(db):
    store = open_history(db)
    with pytest.raises(HistoryError, match="no snapshots yet; run spinekit record first"):
        store.set_baseline("t", "SG")
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))
    store.record(snapshot(D(2027, 3, 5), D(2027, 6, 8)))
    assert store.set_baseline("t", "SG").status_date == D(2027, 3, 5)
    with pytest.raises(HistoryError, match="baseline 'SG' already exists.*--force"):
        store.set_baseline("t", "SG", D(2027, 2, 5))
    with pytest.raises(HistoryError, match="no snapshot at 2027-04-02"):
        store.set_baseline("t", "later", D(2027, 4, 2))
    store.set_baseline("t", "SG", D(2027, 2, 5), force=True)
    assert [(b.name, b.status_date) for b in store.baselines("t")] == [("SG", D(2027, 2, 5))]
    store.close()


def test_several_snapshots_are_recorded_together_or_not_at_all(db):
    store = open_history(db)
    store.record(snapshot(D(2027, 1, 29), D(2027, 6, 1)))
    twice = (
        TaskSnapshot("a", "A", D(2027, 1, 4), D(2027, 1, 8), 0, 0, True, 1.0, "done"),
        TaskSnapshot("a", "A again", D(2027, 1, 4), D(2027, 1, 8), 0, 0, True, 1.0, "done"),
    )
    # The second breaks the one-row-per-task rule: the first, and the replacement of 29
    # January, are rolled back with it.
    with pytest.raises(HistoryError, match="run the command again"):
        store.record_all(
            [snapshot(D(2027, 1, 29), D(2027, 6, 9)), snapshot(D(2027, 2, 26), D(2027, 6, 2), tasks=twice)]
        )
    assert [(x.status_date, x.deterministic_finish) for x in store.snapshots("t")] == [(D(2027, 1, 29), D(2027, 6, 1))]
    replaced = store.record_all([snapshot(D(2027, 2, 26), D(2027, 6, 2)), snapshot(D(2027, 1, 29), D(2027, 6, 3))])
    assert replaced == [False, True]
    assert [(x.status_date, x.deterministic_finish) for x in store.snapshots("t")] == [
        (D(2027, 1, 29), D(2027, 6, 3)),
        (D(2027, 2, 26), D(2027, 6, 2)),
    ]
    store.close()


def test_a_baseline_may_be_given_the_time_it_was_set(db):
    store = open_history(db)
    store.record(snapshot(D(2027, 1, 29), D(2027, 6, 1)))
    store.record(snapshot(D(2027, 2, 26), D(2027, 6, 2)))
    later = store.set_baseline("t", "Re-plan", D(2027, 2, 26), created_at=dt.datetime(2027, 3, 1, 10, 0))
    store.set_baseline("t", "Approved at SG 2027-01", D(2027, 1, 29), created_at=dt.datetime(2027, 2, 1, 10, 0))
    assert later.created_at == dt.datetime(2027, 3, 1, 10, 0)
    # Baselines are listed by when they were set, not by when they were written.
    assert [(b.name, b.status_date, b.created_at) for b in store.baselines("t")] == [
        ("Approved at SG 2027-01", D(2027, 1, 29), dt.datetime(2027, 2, 1, 10, 0)),
        ("Re-plan", D(2027, 2, 26), dt.datetime(2027, 3, 1, 10, 0)),
    ]
    store.close()


def test_a_newer_or_foreign_schema_is_refused_with_a_clear_message(db):
    import sqlalchemy as sa

    store = open_history(db)
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE spinekit_meta SET value = :v WHERE key = 'schema_version'"), {"v": "99"})
    with pytest.raises(HistoryError, match=f"newer spinekit \\(history schema 99, this one reads {SCHEMA_VERSION}\\)"):
        store.snapshots("t")
    with pytest.raises(HistoryError, match="newer spinekit"):
        store.record(snapshot(D(2027, 3, 5), D(2027, 6, 1)))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE spinekit_meta SET value = 'other' WHERE key = 'application'"))
    with pytest.raises(HistoryError, match="not a spinekit history database"):
        store.snapshots("t")
    store.close()


def test_a_database_that_cannot_be_opened_is_a_clear_error(tmp_path):
    with pytest.raises(HistoryError, match="cannot open the history database"):
        open_history("nosuchdialect://x/y")
    store = open_history(f"sqlite:///{tmp_path / 'missing-folder' / 'h.sqlite'}")
    with pytest.raises(HistoryError, match="cannot use the history database: .*; check that the file and its folder"):
        store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))


# --- a killed process and two at once ----------------------------------------------------------

KILLED = textwrap.dedent(
    """\
    import datetime as dt, os, signal, sys
    sys.path.insert(0, {tests!r})
    from test_history import snapshot
    import spinekit.model.history as history

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    store = history.open_history({url!r})
    store.record(snapshot(dt.date(2027, 2, 5), dt.date(2027, 6, 1)))
    history._insert_rows = die          # dies after the snapshot row, before its tasks
    store.record(snapshot(dt.date(2027, 3, 5), dt.date(2027, 6, 9)))
    """
)


def test_a_killed_record_leaves_no_half_snapshot(db):
    script = KILLED.format(tests=str(ROOT / "tests"), url=db)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    store = open_history(db)
    assert [x.status_date for x in store.snapshots("t")] == [D(2027, 2, 5)]
    # Nothing is left locked or half-written: the next record goes through.
    store.record(snapshot(D(2027, 3, 5), D(2027, 6, 9)))
    assert [len(x.tasks) for x in store.snapshots("t")] == [2, 2]
    store.close()


PLAN = """\
name: t
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: a, duration: {min: 3, likely: 5, max: 9}}
  - {id: b, duration: {min: 3, likely: 5, max: 9}, depends_on: [a]}
"""


def test_two_processes_recording_at_once_both_succeed(db, tmp_path):
    plan = write_file(tmp_path, PLAN)
    procs = []
    for day in ("2027-01-05", "2027-01-06", "2027-01-06"):
        s = write_file(
            tmp_path, f"date: {day}\ntasks:\n  a: {{start: 2027-01-04, remaining: 4}}\n", f"s-{len(procs)}.yaml"
        )
        args = ["record", plan, "--status", s, "--db", db, "--iterations", "2000", "--seed", "3"]
        code = "import sys; from spinekit.cli import main; sys.exit(main(sys.argv[1:]))"
        procs.append(subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stderr=subprocess.PIPE))
    errors = [p.communicate(timeout=180)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    store = open_history(db)
    assert [x.status_date for x in store.snapshots("t")] == [D(2027, 1, 5), D(2027, 1, 6)]
    store.close()


# --- the commands ------------------------------------------------------------------------------


def test_record_baseline_history_on_the_command_line(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    s1 = write_file(tmp_path, "date: 2027-01-01\n", "s1.yaml")
    s2 = write_file(tmp_path, "date: 2027-01-08\ntasks:\n  a: {start: 2027-01-04, remaining: 3}\n", "s2.yaml")
    code, out, err = run(capsys, "record", plan, "--status", s1, "--iterations", "500", "--seed", "1")
    assert code == 0, err
    # The default database is beside the plan.
    assert (tmp_path / "plan.history.sqlite").exists()
    assert "recorded a snapshot of 't' at status date 2027-01-01" in out
    assert "forecast finish 2027-01-15" in out  # a days 0-4, b days 5-9: Friday 15th
    assert run(capsys, "baseline", plan, "--name", "Approved at SG 2027-01")[0] == 0
    run(capsys, "record", plan, "--status", s2, "--iterations", "500", "--seed", "1")
    code, out, _ = run(capsys, "record", plan, "--status", s2, "--iterations", "500", "--seed", "1")
    assert "replaced the snapshot" in out
    code, out, _ = run(capsys, "history", plan, "--format", "json")
    doc = json.loads(out)
    # a: 5 days elapsed (to Friday 8th) + 3 left = days 0-7; b days 8-12, to Wednesday 20th.
    assert [(x["status_date"], x["deterministic_finish"], x["baselines"]) for x in doc["snapshots"]] == [
        ("2027-01-01", "2027-01-15", ["Approved at SG 2027-01"]),
        ("2027-01-08", "2027-01-20", []),
    ]
    code, out, _ = run(capsys, "history", plan)
    assert "2027-01-01   2027-01-15" in out and "Approved at SG 2027-01" in out


def test_record_takes_several_status_files_in_order_and_records_all_or_none(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    s1 = write_file(tmp_path, "date: 2027-01-01\n", "s1.yaml")
    s2 = write_file(tmp_path, "date: 2027-01-08\ntasks:\n  a: {start: 2027-01-04, remaining: 3}\n", "s2.yaml")
    bad = write_file(tmp_path, "date: 2027-01-15\ntasks:\n  zz: {start: 2027-01-04, finish: 2027-01-08}\n", "s3.yaml")
    db = tmp_path / "h.sqlite"
    common = ["--db", db, "--iterations", "200", "--seed", "1"]
    code, out, err = run(capsys, "record", plan, "--status", s1, "--status", s2, "--status", bad, *common)
    # The third names an unknown task: nothing is written, not even the first two.
    assert code == 2 and out == "" and "zz" in err and err.count("\n") == 1
    assert not db.exists()
    code, out, err = run(capsys, "record", plan, "--status", s1, "--status", s2, *common)
    assert code == 0, err
    assert re.findall(r"^recorded a snapshot of 't' at status date (\S+)", out, re.M) == ["2027-01-01", "2027-01-08"]
    code, out, _ = run(capsys, "history", plan, "--db", db, "--format", "json")
    # As recorded one at a time: 15 January before any progress; 20 January once a runs late.
    assert [(x["status_date"], x["deterministic_finish"]) for x in json.loads(out)["snapshots"]] == [
        ("2027-01-01", "2027-01-15"),
        ("2027-01-08", "2027-01-20"),
    ]


def test_record_needs_a_status_date(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    code, out, err = run(capsys, "record", plan)
    assert code == 2 and out == "" and "status" in err and err.count("\n") == 1
    assert not (tmp_path / "plan.history.sqlite").exists()


def test_a_foreign_database_is_refused_on_the_command_line(tmp_path, capsys):
    import sqlite3

    plan = write_file(tmp_path, PLAN)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE spinekit_snapshots (x INTEGER)")
    code, _, err = run(capsys, "history", plan, "--db", other)
    assert code == 2 and "not a spinekit history database" in err


# --- a file that is not a database, a database held by another, and nothing created ----------


def test_a_file_that_is_not_a_database_is_a_clear_error_on_every_command(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    status = write_file(tmp_path, "date: 2027-01-05\n", "s.yaml")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("x\n")
    for args in (
        ["record", plan, "--status", status, "--iterations", "100"],
        ["baseline", plan, "--name", "SG"],
        ["history", plan],
        ["status", plan, "--status", status],
    ):
        code, out, err = run(capsys, *args, "--db", junk)
        assert (code, out, err.count("\n")) == (2, "", 1), err
        assert f"{junk}: not an SQLite database" in err and "give another --db, or move the file away" in err, err
    assert junk.read_text() == "x\n"
    # The same for a damaged database in the default place beside the plan.
    (tmp_path / "plan.history.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    code, _, err = run(capsys, "history", plan)
    assert code == 2 and f"{tmp_path / 'plan.history.sqlite'}: not an SQLite database" in err, err


def _hold(path, how):
    """Another connection holding a SQLite database's lock (``IMMEDIATE``: the write lock;
    ``EXCLUSIVE``: readers are shut out too) until closed."""
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute(f"BEGIN {how}")
    return holder


def test_a_database_locked_by_another_process_is_reported_busy(tmp_path, capsys, monkeypatch):
    import spinekit.model.history as history

    plan = write_file(tmp_path, PLAN)
    status = write_file(tmp_path, "date: 2027-01-05\n", "s.yaml")
    db = tmp_path / "plan.history.sqlite"
    assert run(capsys, "record", plan, "--status", status, "--iterations", "100")[0] == 0
    monkeypatch.setattr(history, "_BUSY_SECONDS", 0.2)
    busy = "the history database is busy (another spinekit is recording); try again in a moment"
    holder = _hold(db, "IMMEDIATE")
    try:
        for args in (["record", plan, "--status", status, "--iterations", "100"], ["baseline", plan, "--name", "SG"]):
            code, out, err = run(capsys, *args)
            assert (code, out, err.count("\n")) == (2, "", 1) and busy in err, err
        # Reading takes no write lock: a writer in the middle of its transaction does not stop it.
        code, out, err = run(capsys, "history", plan, "--format", "json")
        assert code == 0, err
        assert [x["status_date"] for x in json.loads(out)["snapshots"]] == ["2027-01-05"]
    finally:
        holder.rollback()
        holder.close()
    holder = _hold(db, "EXCLUSIVE")
    try:
        for args in (["history", plan], ["status", plan, "--status", status]):
            code, out, err = run(capsys, *args)
            assert (code, out, err.count("\n")) == (2, "", 1) and busy in err, err
    finally:
        holder.rollback()
        holder.close()


def test_reading_or_failing_creates_no_sqlite_file(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN)
    db = tmp_path / "plan.history.sqlite"
    code, out, err = run(capsys, "history", plan)
    assert code == 0 and out.startswith("t: no snapshots yet"), err
    code, _, err = run(capsys, "baseline", plan, "--name", "SG")
    assert code == 2 and "no snapshots yet; run spinekit record first" in err
    other = tmp_path / "other.sqlite"
    assert run(capsys, "history", plan, "--db", other)[0] == 0
    assert run(capsys, "baseline", plan, "--name", "SG", "--db", other)[0] == 2
    queried = tmp_path / "queried.sqlite"  # a URL with driver options is still that file
    assert run(capsys, "history", plan, "--db", f"sqlite:///{queried}?timeout=5")[0] == 0
    assert not db.exists() and not other.exists() and not queried.exists()
    store = open_history(str(db))
    assert store.snapshots("t") == [] and store.baselines("t") == []
    with pytest.raises(HistoryError, match="no snapshots yet"):
        store.set_baseline("t", "SG")
    with pytest.raises(HistoryError, match="no history database there yet; run spinekit record first"):
        store.check_schema()
    store.close()
    assert not db.exists()
    # An empty database (as older versions left) is not given tables by a failing baseline.
    db.touch()
    assert run(capsys, "baseline", plan, "--name", "SG")[0] == 2
    assert db.stat().st_size == 0


def test_a_damaged_sqlite_database_is_a_clear_error(tmp_path):
    path = tmp_path / "h.sqlite"
    store = open_history(str(path))
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))
    store.close()
    # The first page (the list of tables) survives; every table's own pages are overwritten.
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    path.write_bytes(data[:page] + b"\xff" * (len(data) - page))
    store = open_history(str(path))
    fix = "give another --db, or move the file away"
    with pytest.raises(HistoryError, match=f"^{re.escape(str(path))}: a damaged SQLite database .*; {fix}$"):
        store.snapshots("t")
    with pytest.raises(HistoryError, match="a damaged SQLite database"):
        store.record(snapshot(D(2027, 3, 5), D(2027, 6, 1)))
    store.close()


def _holding_the_write_lock(url):
    """Another connection that holds the history's write lock, and a function releasing it."""
    import sqlalchemy as sa

    from spinekit.model.history import _PG_LOCK

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        holder = _hold(parsed.database, "IMMEDIATE")
        return lambda: (holder.rollback(), holder.close())
    engine = sa.create_engine(url)
    conn = engine.connect()
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK})
    return lambda: (conn.close(), engine.dispose())


def test_a_writer_kept_waiting_past_its_busy_time_is_told_the_database_is_busy(db):
    store = open_history(db, busy_seconds=0.2)
    store.record(snapshot(D(2027, 2, 5), D(2027, 6, 1)))
    release = _holding_the_write_lock(db)
    try:
        with pytest.raises(HistoryError, match=r"busy \(another spinekit is recording\); try again in a moment$"):
            store.record(snapshot(D(2027, 3, 5), D(2027, 6, 8)))
        with pytest.raises(HistoryError, match="busy"):
            store.set_baseline("t", "SG")
        # Reading takes no write lock.
        assert [x.status_date for x in store.snapshots("t")] == [D(2027, 2, 5)] and store.baselines("t") == []
    finally:
        release()
    store.record(snapshot(D(2027, 3, 5), D(2027, 6, 8)))
    assert [x.deterministic_finish for x in store.snapshots("t")] == [D(2027, 6, 1), D(2027, 6, 8)]
    store.close()
