"""Write ``data/examples/tracking/history.sqlite``: the bundled example's history at three status dates.

The bundled plan (``data/examples/seed-pds-eps-cis2.yaml``) is forecast at each status file in
``data/examples/tracking/`` (oldest first: one snapshot each, with a fixed seed and fixed
recording times), and the first snapshot is named the baseline "Approved at SG 2027-01". The
forecasts follow the catalogue, so re-run this script whenever the catalogue or the example
changes, and commit the database it writes:

    uv run python scripts/tracked_example.py --force

``--out PATH`` writes elsewhere. An existing file is replaced only with ``--force``, and only
once the new history is complete.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from spinekit import data_dir, example_path, open_history, read_programme, schedule, simulate, take_snapshot
from spinekit.model.history import Snapshot

TRACKING = data_dir() / "examples" / "tracking"
OUT = TRACKING / "history.sqlite"
#: Monte Carlo iterations and seed of every snapshot (the README quotes them).
ITERATIONS = 10_000
SEED = 2027
BASELINE = "Approved at SG 2027-01"


def status_files() -> list[Path]:
    """The tracked example's status files, oldest status date first (their names sort so)."""
    return sorted(TRACKING.glob("status-*.yaml"))


def snapshots(files: Sequence[Path] | None = None) -> list[Snapshot]:
    """The bundled plan's forecast at each status file, recorded at 09:00 UTC the day after its
    status date (progress counts to the end of that day)."""
    taken = []
    for path in files if files is not None else status_files():
        programme = read_programme(example_path(), status=path)
        sched = schedule(programme)
        sim = simulate(programme, ITERATIONS, SEED, schedule=sched)
        if programme.status is None:  # pragma: no cover - a status file always gives one
            raise SystemExit(f"{path}: no status date")
        when = dt.datetime.combine(programme.status.date + dt.timedelta(days=1), dt.time(9, 0))
        taken.append(take_snapshot(sched, sim, recorded_at=when))
    return taken


def write_history(out: Path) -> list[Snapshot]:
    """Record the snapshots and the baseline in a new SQLite file at ``out`` (which must not exist)."""
    snaps = snapshots()
    store = open_history(f"sqlite:///{out}")
    try:
        store.record_all(snaps)
        first = snaps[0]
        store.set_baseline(first.programme, BASELINE, first.status_date, created_at=first.recorded_at)
    finally:
        store.close()
    return snaps


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the database to write (default: {OUT})")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    if out.exists() and not args.force:
        print(f"{out}: already exists; add --force to replace it", file=sys.stderr)
        return 2
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        snaps = write_history(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    for s in snaps:
        print(f"{s.status_date}: forecast {s.deterministic_finish}, P50 {s.p50}, P80 {s.p80}")
    print(f"{out}: {len(snaps)} snapshots, baseline {BASELINE!r} at {snaps[0].status_date}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
