"""Programme history: forecast snapshots and baselines in a SQL database (SQLAlchemy Core).

One snapshot per programme and status date holds the forecast then (deterministic finish,
P50/P80/P90, on-time probability) and each task's forecast dates, floats, criticality and
state; a baseline names a snapshot. The default database is a SQLite file beside the
programme; any SQLAlchemy URL works, so one PostgreSQL server can hold many programmes.

Every write is one transaction that first takes the database's write lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock), so a killed process
leaves no half snapshot and two processes recording at once run one after the other. A read is
one plain transaction and takes no write lock. The schema version is stored and checked: a newer
or foreign schema is refused with a clear message. Every database error, on any path, becomes a
:class:`~spinekit.model.errors.HistoryError` naming the database. Nothing creates a SQLite file
but a write that stores something.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinekit.model.errors import HistoryError

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = [
    "SCHEMA_VERSION",
    "TASK_STATES",
    "TaskSnapshot",
    "Snapshot",
    "Baseline",
    "HistoryStore",
    "default_history_url",
    "open_history",
    "read_history",
]

#: The version of the tables below; a database written by a later version is refused.
SCHEMA_VERSION = 1
_APPLICATION = "spinekit"
#: Each task's state at the status date.
TASK_STATES = ("done", "in progress", "not started")
# Seconds a writer (or a reader of a SQLite file) waits for another to finish before giving up
# with a clear message.
_BUSY_SECONDS = 60
# Any fixed number: the advisory lock every spinekit writer on a PostgreSQL server takes.
_PG_LOCK = 0x5F1E_4B17
# The execution option that marks a connection's transaction as a write (see open_history).
_WRITE = "spinekit_write"


@dataclass(frozen=True)
class TaskSnapshot:
    """One task's forecast at a status date."""

    id: str
    name: str
    start: dt.date
    finish: dt.date
    total_float: int
    free_float: int
    critical: bool
    criticality: float
    state: str


@dataclass(frozen=True)
class Snapshot:
    """The forecast of one programme at one status date."""

    programme: str
    status_date: dt.date
    recorded_at: dt.datetime
    deterministic_finish: dt.date
    p50: dt.date
    p80: dt.date
    p90: dt.date
    on_time_probability: float | None
    target: dt.date | None
    iterations: int
    seed: int
    tasks: tuple[TaskSnapshot, ...]
    risks: tuple[tuple[str, str], ...] = ()  # (risk id, "open" | "closed" | "occurred")

    def task(self, task_id: str) -> TaskSnapshot | None:
        """The task's forecast, or None when the snapshot does not have it."""
        return next((t for t in self.tasks if t.id == task_id), None)


@dataclass(frozen=True)
class Baseline:
    """A named snapshot ("Approved at SG 2027-02")."""

    name: str
    status_date: dt.date
    created_at: dt.datetime


def default_history_url(programme_file: str | os.PathLike[str]) -> str:
    """The SQLite file beside a programme: ``plan.yaml`` -> ``plan.history.sqlite``."""
    path = Path(programme_file)
    return "sqlite:///" + str(path.with_name(path.stem + ".history.sqlite").resolve())


def _url(value: str) -> str:
    """A SQLAlchemy URL; a plain path means a SQLite file."""
    return value if "://" in value else "sqlite:///" + str(Path(value).resolve())


def _tables(meta: sa.MetaData) -> dict[str, sa.Table]:
    import sqlalchemy as sa

    info = sa.Table(
        "spinekit_meta", meta, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.String(200))
    )
    snapshots = sa.Table(
        "spinekit_snapshots",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("programme", sa.String(500), nullable=False),
        sa.Column("status_date", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("deterministic_finish", sa.Date, nullable=False),
        sa.Column("p50", sa.Date, nullable=False),
        sa.Column("p80", sa.Date, nullable=False),
        sa.Column("p90", sa.Date, nullable=False),
        sa.Column("on_time_probability", sa.Float),
        sa.Column("target", sa.Date),
        sa.Column("iterations", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("programme", "status_date", name="spinekit_snapshot_once_per_date"),
    )
    tasks = sa.Table(
        "spinekit_snapshot_tasks",
        meta,
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("spinekit_snapshots.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("task_id", sa.String(500), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("finish", sa.Date, nullable=False),
        sa.Column("total_float", sa.Integer, nullable=False),
        sa.Column("free_float", sa.Integer, nullable=False),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("criticality", sa.Float, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
    )
    risks = sa.Table(
        "spinekit_snapshot_risks",
        meta,
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("spinekit_snapshots.id"), primary_key=True),
        sa.Column("risk_id", sa.String(500), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
    )
    baselines = sa.Table(
        "spinekit_baselines",
        meta,
        sa.Column("programme", sa.String(500), primary_key=True),
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("spinekit_snapshots.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    return {"meta": info, "snapshots": snapshots, "tasks": tasks, "risks": risks, "baselines": baselines}


class HistoryStore:
    """The history database of one or many programmes (see :func:`open_history`)."""

    def __init__(self, engine: sa.Engine, where: str, *, busy_seconds: float = _BUSY_SECONDS) -> None:
        import sqlalchemy as sa

        self.engine = engine
        self.where = where
        self.busy_seconds = busy_seconds
        self._t = _tables(sa.MetaData())
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        # The SQLite file, where the database is one (not in memory, not a URI): reading it, or
        # failing, before it exists must not create it.
        plain = database is not None and database not in ("", ":memory:") and not database.startswith("file:")
        self._file = Path(database) if database is not None and plain and "uri" not in engine.url.query else None

    def _missing(self) -> bool:
        return self._file is not None and not self._file.exists()

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """One transaction holding the database's write lock; rolled back on any error."""
        import sqlalchemy as sa

        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_WRITE: True})  # the SQLite "begin" hook: BEGIN IMMEDIATE
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        wait = f"{max(1, round(self.busy_seconds * 1000))}ms"
                        conn.execute(sa.text("SELECT set_config('lock_timeout', :t, true)"), {"t": wait})
                        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                    yield conn
        except sa.exc.IntegrityError as exc:
            raise HistoryError(
                f"{self.where}: another process changed the history at the same moment; "
                f"run the command again ({exc.orig})"
            ) from None
        except sa.exc.DBAPIError as exc:
            raise self._failure(exc) from None

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        """One plain transaction (no write lock), rolled back at the end."""
        import sqlalchemy as sa

        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: sa.exc.DBAPIError) -> HistoryError:
        import sqlalchemy as sa

        text = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        if "locked" in text or "busy" in text or "lock timeout" in text:
            return HistoryError(
                f"{self.where}: the history database is busy (another spinekit is recording); try again in a moment"
            )
        if self.engine.dialect.name == "sqlite" and type(exc) is sa.exc.DatabaseError:
            # SQLite's "file is not a database" (any other file) or "database disk image is
            # malformed" (a damaged one).
            what = "not an SQLite database" if "not a database" in text else "a damaged SQLite database"
            return HistoryError(
                f"{self._file or self.where}: {what} ({text}); give another --db, or move the file away"
            )
        fix = (
            "check that the file and its folder can be read and written, or give another --db"
            if self.engine.dialect.name == "sqlite"
            else "check the --db URL and that the database server is running"
        )
        return HistoryError(f"{self.where}: cannot use the history database: {text}; {fix}")

    # --- schema -------------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create the tables in an empty database, or check the version of existing ones.

        Raises
        ------
        HistoryError
            The database holds a newer spinekit schema, or tables that spinekit did not write.
        """
        with self._writing() as conn:
            self._ensure(conn)

    def check_schema(self) -> None:
        """Refuse a database whose spinekit tables are foreign or newer than this spinekit."""
        import sqlalchemy as sa

        if self._missing():
            raise HistoryError(f"{self.where}: no history database there yet; run spinekit record first")
        with self._reading() as conn:
            self._check(conn, set(sa.inspect(conn).get_table_names()))

    def _ensure(self, conn: sa.Connection) -> None:
        """Inside a write: check the spinekit tables, or create them where there are none."""
        if self._checked(conn):
            return
        for table in self._t.values():
            table.create(conn)
        conn.execute(
            self._t["meta"].insert(),
            [{"key": "application", "value": _APPLICATION}, {"key": "schema_version", "value": str(SCHEMA_VERSION)}],
        )

    def _checked(self, conn: sa.Connection) -> bool:
        """Whether the database has spinekit tables, checking them where it has."""
        import sqlalchemy as sa

        names = set(sa.inspect(conn).get_table_names())
        if not names & {t.name for t in self._t.values()}:
            return False
        self._check(conn, names)
        return True

    def _check(self, conn: sa.Connection, names: set[str]) -> None:
        import sqlalchemy as sa

        if "spinekit_meta" not in names:
            raise HistoryError(
                f"{self.where}: not a spinekit history database (its spinekit tables have no version); "
                "give another --db"
            )
        meta = self._t["meta"]
        rows: dict[str, str] = {}
        if {c["name"] for c in sa.inspect(conn).get_columns(meta.name)} >= {"key", "value"}:
            rows = {row.key: row.value for row in conn.execute(sa.select(meta.c.key, meta.c.value))}
        if rows.get("application") != _APPLICATION or not str(rows.get("schema_version", "")).isdigit():
            raise HistoryError(f"{self.where}: not a spinekit history database; give another --db")
        version = int(rows["schema_version"])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.where}: written by a newer spinekit (history schema {version}, this one reads "
                f"{SCHEMA_VERSION}); upgrade spinekit"
            )
        missing = {t.name for t in self._t.values()} - names
        if missing:
            raise HistoryError(f"{self.where}: the history database lacks {', '.join(sorted(missing))}; it is damaged")

    # --- writing ------------------------------------------------------------------------------

    def record(self, snapshot: Snapshot) -> bool:
        """Store ``snapshot``, replacing any of the same programme and status date.

        Returns whether an earlier snapshot was replaced. A baseline naming the replaced
        snapshot names the new one.
        """
        (replaced,) = self.record_all([snapshot])
        return replaced

    def record_all(self, snapshots: Sequence[Snapshot]) -> list[bool]:
        """Store ``snapshots`` in order, all in one transaction: every one of them, or none.

        Each replaces any snapshot of the same programme and status date (as :meth:`record`);
        returns, for each, whether an earlier snapshot was replaced.
        """
        with self._writing() as conn:
            self._ensure(conn)
            return [self._record(conn, snapshot) for snapshot in snapshots]

    def _record(self, conn: sa.Connection, snapshot: Snapshot) -> bool:
        import sqlalchemy as sa

        s, t, r = self._t["snapshots"], self._t["tasks"], self._t["risks"]
        head = {
            "programme": snapshot.programme,
            "status_date": snapshot.status_date,
            "recorded_at": snapshot.recorded_at,
            "deterministic_finish": snapshot.deterministic_finish,
            "p50": snapshot.p50,
            "p80": snapshot.p80,
            "p90": snapshot.p90,
            "on_time_probability": snapshot.on_time_probability,
            "target": snapshot.target,
            "iterations": snapshot.iterations,
            "seed": snapshot.seed,
        }
        found = conn.execute(
            sa.select(s.c.id).where(s.c.programme == snapshot.programme, s.c.status_date == snapshot.status_date)
        ).scalar_one_or_none()
        if found is None:
            inserted = conn.execute(s.insert().values(**head)).inserted_primary_key
            if inserted is None:  # pragma: no cover - every dialect spinekit uses returns it
                raise HistoryError(f"{self.where}: the database did not return the new snapshot's id")
            sid = inserted[0]
        else:
            sid = found
            conn.execute(t.delete().where(t.c.snapshot_id == sid))
            conn.execute(r.delete().where(r.c.snapshot_id == sid))
            conn.execute(s.update().where(s.c.id == sid).values(**head))
        _insert_rows(conn, t, r, sid, snapshot)
        return found is not None

    def set_baseline(
        self,
        programme: str,
        name: str,
        status_date: dt.date | None = None,
        *,
        force: bool = False,
        created_at: dt.datetime | None = None,
    ) -> Baseline:
        """Name the snapshot of ``status_date`` (default: the latest) as baseline ``name``.

        ``created_at`` (naive UTC; default: now) is when the baseline was set, which orders the
        baselines: give it to make a history that can be made again identically.

        Raises
        ------
        HistoryError
            No such snapshot, or a baseline of that name exists and ``force`` is not set.
        """
        import sqlalchemy as sa

        s, b = self._t["snapshots"], self._t["baselines"]
        what = f"no snapshot at {status_date}" if status_date else "no snapshots yet"
        none = HistoryError(f"{self.where}: programme {programme!r} has {what}; run spinekit record first")
        if self._missing():
            raise none
        with self._writing() as conn:
            if not self._checked(conn):
                raise none  # an empty database stays empty
            query = sa.select(s.c.id, s.c.status_date).where(s.c.programme == programme)
            if status_date is not None:
                query = query.where(s.c.status_date == status_date)
            row = conn.execute(query.order_by(s.c.status_date.desc()).limit(1)).first()
            if row is None:
                raise none
            exists = conn.execute(sa.select(b.c.name).where(b.c.programme == programme, b.c.name == name)).first()
            if exists is not None and not force:
                raise HistoryError(
                    f"{self.where}: baseline {name!r} already exists; choose another --name, or add --force to move it"
                )
            created = created_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
            if exists is not None:
                conn.execute(b.delete().where(b.c.programme == programme, b.c.name == name))
            conn.execute(b.insert().values(programme=programme, name=name, snapshot_id=row.id, created_at=created))
        return Baseline(name, row.status_date, created)

    # --- reading ------------------------------------------------------------------------------

    def snapshots(self, programme: str) -> list[Snapshot]:
        """Every snapshot of ``programme``, oldest status date first (empty for a new database)."""
        import sqlalchemy as sa

        if self._missing():
            return []
        s, t, r = self._t["snapshots"], self._t["tasks"], self._t["risks"]
        with self._reading() as conn:
            if not self._checked(conn):
                return []
            heads = conn.execute(sa.select(s).where(s.c.programme == programme).order_by(s.c.status_date)).all()
            ids = [h.id for h in heads]
            tasks: dict[int, list[TaskSnapshot]] = {i: [] for i in ids}
            risks: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
            if ids:
                for row in conn.execute(sa.select(t).where(t.c.snapshot_id.in_(ids)).order_by(t.c.position)):
                    tasks[row.snapshot_id].append(
                        TaskSnapshot(
                            row.task_id,
                            row.name,
                            row.start,
                            row.finish,
                            row.total_float,
                            row.free_float,
                            bool(row.critical),
                            row.criticality,
                            row.state,
                        )
                    )
                for row in conn.execute(sa.select(r).where(r.c.snapshot_id.in_(ids)).order_by(r.c.risk_id)):
                    risks[row.snapshot_id].append((row.risk_id, row.state))
        return [
            Snapshot(
                h.programme,
                h.status_date,
                h.recorded_at,
                h.deterministic_finish,
                h.p50,
                h.p80,
                h.p90,
                h.on_time_probability,
                h.target,
                h.iterations,
                h.seed,
                tuple(tasks[h.id]),
                tuple(risks[h.id]),
            )
            for h in heads
        ]

    def baselines(self, programme: str) -> list[Baseline]:
        """The baselines of ``programme``, oldest first."""
        import sqlalchemy as sa

        if self._missing():
            return []
        s, b = self._t["snapshots"], self._t["baselines"]
        query = (
            sa.select(b.c.name, s.c.status_date, b.c.created_at)
            .join(s, s.c.id == b.c.snapshot_id)
            .where(b.c.programme == programme)
            .order_by(b.c.created_at, b.c.name)
        )
        with self._reading() as conn:
            if not self._checked(conn):
                return []
            return [Baseline(row.name, row.status_date, row.created_at) for row in conn.execute(query)]

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def _insert_rows(conn: sa.Connection, tasks: sa.Table, risks: sa.Table, sid: Any, snapshot: Snapshot) -> None:
    if snapshot.tasks:
        conn.execute(
            tasks.insert(),
            [
                {
                    "snapshot_id": sid,
                    "position": k,
                    "task_id": t.id,
                    "name": t.name,
                    "start": t.start,
                    "finish": t.finish,
                    "total_float": t.total_float,
                    "free_float": t.free_float,
                    "critical": t.critical,
                    "criticality": t.criticality,
                    "state": t.state,
                }
                for k, t in enumerate(snapshot.tasks)
            ],
        )
    if snapshot.risks:
        conn.execute(risks.insert(), [{"snapshot_id": sid, "risk_id": i, "state": st} for i, st in snapshot.risks])


def open_history(url: str, *, busy_seconds: float | None = None) -> HistoryStore:
    """The history database at ``url`` (a SQLAlchemy URL, or a path for a SQLite file).

    Nothing is created until something is recorded: reading a SQLite file that does not exist
    gives an empty history and leaves no file. A writer waits up to ``busy_seconds`` (default:
    a minute) for another to finish, and then stops with a "busy" :class:`HistoryError`.

    Raises
    ------
    HistoryError
        The URL is malformed or names a database driver that is not installed.
    """
    import sqlalchemy as sa
    from sqlalchemy import event

    busy = _BUSY_SECONDS if busy_seconds is None else busy_seconds
    full = _url(url)
    try:
        parsed = sa.engine.make_url(full)
        if parsed.get_backend_name() == "sqlite":
            engine = sa.create_engine(parsed, connect_args={"timeout": busy})

            # pysqlite's own transaction handling starts a transaction only at the first write;
            # spinekit begins each itself, so that a write takes the write lock at BEGIN (whole,
            # and writers queue) while a read is a plain deferred transaction that never waits
            # for a writer to commit.
            @event.listens_for(engine, "connect")
            def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
                dbapi_connection.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(conn: sa.Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

        else:
            engine = sa.create_engine(parsed)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise HistoryError(f"{_safe(full)}: cannot open the history database: {exc}") from None
    return HistoryStore(engine, _safe(full), busy_seconds=busy)


def _safe(url: str) -> str:
    """``url`` with any password hidden, for messages."""
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def read_history(url: str, programme: str) -> tuple[list[Snapshot], list[Baseline]]:
    """The snapshots and baselines of ``programme`` at ``url``; none where a SQLite file does
    not exist yet (nothing is created).

    Raises
    ------
    HistoryError
        As :func:`open_history` and :meth:`HistoryStore.snapshots` do.
    """
    store = open_history(url)
    try:
        return store.snapshots(programme), store.baselines(programme)
    finally:
        store.close()
