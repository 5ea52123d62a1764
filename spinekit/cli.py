"""Command-line interface: parses arguments, calls the library, prints or writes results."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spinekit.model.domain import Programme

# Each command imports what it needs when it runs: ``--help`` and ``--version`` load no
# numerical, parsing or drawing library, and ``schedule`` needs neither pandas nor plotly.

__all__ = ["main"]

EXIT_INVALID = 2
EXIT_FINDINGS = 1


def _programme_arg(value: str | None, scenario: str | None = None, status: str | None = None) -> Programme:
    from spinekit.catalogue.programme import read_programme
    from spinekit.model.files import example_path

    programme = read_programme(value if value else example_path(), status=status)
    if scenario is None:
        return programme
    from spinekit.catalogue.scenarios import apply_scenario, select_scenarios

    (chosen,) = select_scenarios(programme, [scenario])
    return apply_scenario(programme, chosen)


def _cmd_schedule(args: argparse.Namespace) -> str:
    from spinekit.engine.schedule import schedule
    from spinekit.interop.tables import schedule_csv, schedule_json, schedule_text

    sched = schedule(_programme_arg(args.file, args.scenario, args.status))
    return {"table": schedule_text, "csv": schedule_csv, "json": schedule_json}[args.format](sched)


#: What ``spinekit export --to`` writes; binary formats need ``--out``.
EXPORT_FORMATS = ("tjp", "mspdi", "xlsx", "ics", "csv", "json")
_BINARY_FORMATS = ("xlsx", "ics")


def _cmd_export(args: argparse.Namespace) -> str | bytes:
    from spinekit.model.errors import SpinekitError

    if args.to in _BINARY_FORMATS and not args.out:
        raise SpinekitError(f"--to {args.to} writes a binary file: add --out FILE.{args.to}")
    programme = _programme_arg(args.file, args.scenario, args.status)
    if args.to == "tjp":
        from spinekit.interop.tjp import to_tjp

        return to_tjp(programme)
    if args.to == "mspdi":
        from spinekit.interop.mspdi import to_mspdi

        return to_mspdi(programme)
    from spinekit.engine.schedule import schedule

    sched = schedule(programme)
    if args.to in ("csv", "json"):
        from spinekit.interop.tables import schedule_csv, schedule_json

        return schedule_csv(sched) if args.to == "csv" else schedule_json(sched)
    from spinekit.analysis.check import check_plan

    simulation = None
    if args.to == "xlsx" and args.iterations:
        from spinekit.engine.simulate import simulate

        simulation = simulate(programme, args.iterations, args.seed, schedule=sched)
    # The health check reuses the simulation (its P80-cost rule) rather than running its own.
    check = check_plan(programme, sched, simulation=simulation)
    if args.to == "ics":
        from spinekit.interop.ics import to_ics

        return to_ics(sched, check)
    from spinekit.catalogue.scenarios import apply_scenario
    from spinekit.interop.xlsx import to_xlsx

    scenarios = [(s.id, s.name, schedule(apply_scenario(programme, s))) for s in programme.scenarios]
    return to_xlsx(sched, check, simulation=simulation, scenarios=scenarios)


def _cmd_import(args: argparse.Namespace) -> str:
    import yaml

    from spinekit.catalogue.programme import parse_programme
    from spinekit.interop.mspdi import read_plan

    plan = read_plan(args.plan)
    parse_programme(plan.data, source=args.plan)  # what is written schedules
    head = [f"# Imported from {Path(args.plan).name} by `spinekit import`."]
    if plan.unsupported:
        head.append("# Not carried over (check these by hand):")
        head += [f"#   - {line}" for line in plan.unsupported]
        for line in plan.unsupported:
            print(f"spinekit: not carried over: {line}", file=sys.stderr)
    body = yaml.safe_dump(plan.data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(head) + "\n" + body


def _cmd_schema(args: argparse.Namespace) -> str:
    from spinekit.model.jsonschema import schema_text

    return schema_text()


def _cmd_report(args: argparse.Namespace) -> str:
    from spinekit.views.report import build_report

    files = build_report(
        args.file,
        args.out,
        scenarios=args.scenario,
        iterations=args.iterations,
        seed=args.seed,
        force=args.force,
        status_file=args.status,
        history_db=args.db,
    )
    return f"report: {files.html}\nnotebook: {files.notebook}\n"


def _cmd_simulate(args: argparse.Namespace) -> str:
    from spinekit.engine.simulate import simulate

    result = simulate(_programme_arg(args.file, args.scenario, args.status), args.iterations, args.seed)
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    return result.to_text()


def _cmd_compare(args: argparse.Namespace) -> str:
    from spinekit.analysis.compare import compare

    result = compare(
        _programme_arg(args.file, status=args.status), args.scenario, iterations=args.iterations, seed=args.seed
    )
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    return result.to_text()


def _cmd_check(args: argparse.Namespace) -> tuple[str, int]:
    from spinekit.analysis.check import check_plan

    result = check_plan(
        _programme_arg(args.file, args.scenario, args.status),
        stale_after=args.stale_after,
        source_age=args.source_age,
    )
    text = json.dumps(result.to_dict(), indent=2) + "\n" if args.format == "json" else result.to_text()
    return text, 0 if result.ok else EXIT_FINDINGS


def _history_of(args: argparse.Namespace) -> Any:
    from spinekit.model.history import default_history_url, open_history

    return open_history(args.db or default_history_url(args.file))


def _cmd_record(args: argparse.Namespace) -> str:
    from spinekit.analysis.progress import take_snapshot
    from spinekit.engine.schedule import schedule
    from spinekit.engine.simulate import simulate

    snaps = []
    # Every status is read and forecast before anything is written: all are recorded, or none.
    for status in args.status or [None]:
        programme = _programme_arg(args.file, status=status)
        if programme.status is None:
            from spinekit.model.errors import ProgrammeError

            raise ProgrammeError(
                "nothing to record without a status date: add a status block (status: {date: ...}) "
                "or give --status FILE",
                source=programme.source,
                field="status",
            )
        sched = schedule(programme)
        sim = simulate(programme, args.iterations, args.seed, schedule=sched)
        snaps.append(take_snapshot(sched, sim))
    store = _history_of(args)
    try:
        replaced = store.record_all(snaps)
    finally:
        store.close()
    lines = []
    for snap, again in zip(snaps, replaced):
        verb = "replaced the snapshot" if again else "recorded a snapshot"
        lines += [
            f"{verb} of {snap.programme!r} at status date {snap.status_date} in {store.where}",
            f"forecast finish {snap.deterministic_finish}; P50 {snap.p50}, P80 {snap.p80}, P90 {snap.p90} "
            f"(seed {snap.seed})",
        ]
    return "\n".join(lines) + "\n"


def _cmd_baseline(args: argparse.Namespace) -> str:
    programme = _programme_arg(args.file)
    store = _history_of(args)
    try:
        base = store.set_baseline(programme.name, args.name, args.status_date, force=args.force)
    finally:
        store.close()
    return f"baseline {base.name!r}: the snapshot at status date {base.status_date}\n"


def _cmd_history(args: argparse.Namespace) -> str:
    programme = _programme_arg(args.file)
    store = _history_of(args)
    try:
        snaps, bases = store.snapshots(programme.name), store.baselines(programme.name)
    finally:
        store.close()
    named: dict[Any, list[str]] = {}
    for b in bases:
        named.setdefault(b.status_date, []).append(b.name)
    if args.format == "json":
        doc = {
            "programme": programme.name,
            "snapshots": [
                {
                    "status_date": x.status_date.isoformat(),
                    "recorded_at": x.recorded_at.isoformat(),
                    "deterministic_finish": x.deterministic_finish.isoformat(),
                    "p50": x.p50.isoformat(),
                    "p80": x.p80.isoformat(),
                    "p90": x.p90.isoformat(),
                    "on_time_probability": x.on_time_probability,
                    "baselines": named.get(x.status_date, []),
                }
                for x in snaps
            ],
            "baselines": [
                {"name": b.name, "status_date": b.status_date.isoformat(), "created_at": b.created_at.isoformat()}
                for b in bases
            ],
        }
        return json.dumps(doc, indent=2) + "\n"
    if not snaps:
        return f"{programme.name}: no snapshots yet in {store.where}; run spinekit record\n"
    lines = [f"{programme.name}: {len(snaps)} snapshot{'s' if len(snaps) != 1 else ''}", ""]
    lines.append("status date  forecast    P50         P80         P90         on time  baselines")
    for x in snaps:
        on_time = "" if x.on_time_probability is None else f"{x.on_time_probability:.0%}"
        lines.append(
            f"{x.status_date}   {x.deterministic_finish}  {x.p50}  {x.p80}  {x.p90}  {on_time:>7}  "
            + ", ".join(named.get(x.status_date, []))
        )
    return "\n".join(lines).rstrip() + "\n"


def _cmd_status(args: argparse.Namespace) -> str:
    from spinekit.analysis.progress import progress, recorded_progress
    from spinekit.engine.schedule import schedule
    from spinekit.model.history import default_history_url, read_history

    programme = _programme_arg(args.file, status=args.status)
    url = args.db or (default_history_url(args.file) if args.file else None)
    snaps, bases = read_history(url, programme.name) if url is not None else ([], [])
    if programme.status is None and snaps:  # as the report: the progress the history recorded last
        result = recorded_progress(snaps, bases, programme.calendar, baseline=args.baseline, source=programme.source)
    else:
        result = progress(schedule(programme), snaps, bases, baseline=args.baseline)
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    return result.to_text()


def _cmd_calibrate(args: argparse.Namespace) -> str:
    from spinekit.analysis.calibration import calibrate, finished_tasks
    from spinekit.model.status import status_files_for

    statuses = status_files_for(args.files, args.status)
    programmes = [_programme_arg(f, status=st) for f, st in zip(args.files, statuses)]
    misses = calibrate(programmes)
    if args.format == "json":
        return json.dumps({"tasks": [m.to_dict() for m in misses]}, indent=2) + "\n"
    if not any(next(finished_tasks(p), None) for p in programmes):
        return "no finished task to compare yet: give programmes with a status block, or --status F for each\n"
    if not misses:
        return "every finished task took a duration within its three-point range\n"
    lines = [f"{len(misses)} finished task{'s' if len(misses) != 1 else ''} outside the three-point range", ""]
    for m in misses:
        lines.append(
            f"{m.item or '(no catalogue item)'}: {m.task} in {m.programme!r} took {m.actual} working days, "
            f"{m.side} {m.min:g}-{m.max:g} (likely {m.likely:g})"
        )
        if m.basis:
            lines.append(f"    source: {m.basis}")
    return "\n".join(lines) + "\n"


def _cmd_batch(args: argparse.Namespace) -> tuple[str, int]:
    from spinekit.views.batch import run_batch

    result = run_batch(
        args.files,
        args.out,
        workers=args.workers,
        iterations=args.iterations,
        seed=args.seed,
        force=args.force,
        progress=not args.quiet,
        statuses=args.status,
    )
    lines = [f"index: {result.index}"]
    for item in result.items:
        lines.append(f"ok: {item.html}" if item.ok else f"failed: {item.error}")
    return "\n".join(lines) + "\n", (1 if result.failed else 0)


def _cmd_explore(args: argparse.Namespace) -> tuple[str, int]:
    from spinekit.views.explorer.serve import serve_explorer

    return "", serve_explorer(args.file, args.port, announce=lambda line: print(line, flush=True))


def _seed(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {value!r}")
    return n


def _scope_options(args: argparse.Namespace) -> dict[str, Any]:
    """The scope flags of ``spinekit new``, as :class:`~spinekit.Scope` takes them."""
    fallback = args.hl7v3_fallback
    return {
        "services": tuple(_names(args.services)),
        "environments": tuple(_ENVIRONMENT_NAMES.get(e.lower(), e) for e in _names(args.environments)),
        "organisations": args.organisations,
        "access": args.access,
        "smartcards": args.smartcards,
        "hl7v3_fallback": fallback == "all" or (tuple(_names(fallback)) if fallback else False),
        "have": tuple(_names(args.have)) if args.have else (),
        "deployment": args.deployment,
    }


def _cmd_new(args: argparse.Namespace) -> str:
    if args.merge:
        return _cmd_new_merge(args)
    if args.build_task or args.go_live_task:
        from spinekit.model.errors import SpinekitError

        flag = "--build-task" if args.build_task else "--go-live-task"
        raise SpinekitError(f"{flag} names a task of the plan given with --merge PLAN; add --merge PLAN")
    from spinekit.catalogue.starter import starter_programme

    return starter_programme(**_scope_options(args), start=args.start, target=args.target, name=args.name)


def _cmd_new_merge(args: argparse.Namespace) -> str:
    """``spinekit new --merge PLAN``: the plan with the scope's Spine items linked into it."""
    import yaml

    from spinekit.catalogue.merge import merge_plan
    from spinekit.catalogue.programme import parse_programme
    from spinekit.catalogue.scope import Scope
    from spinekit.model.errors import SpinekitError
    from spinekit.model.jsonschema import schema_uri

    unused = [f for f, v in (("--start", args.start), ("--target", args.target), ("--name", args.name)) if v]
    if unused:
        raise SpinekitError(f"{unused[0]} does not apply with --merge: the plan keeps its own; leave it out")
    source = args.merge
    unsupported: list[str] = []
    if Path(source).suffix.lower() in (".yaml", ".yml"):
        from spinekit.model.files import read_programme_data

        data, _ = read_programme_data(source)
        if not isinstance(data, dict):
            parse_programme(data, source=source)  # names what is wrong with the file
    else:
        from spinekit.interop.mspdi import read_plan

        imported = read_plan(source)
        data, unsupported = imported.data, imported.unsupported
    merged = merge_plan(
        data, Scope(**_scope_options(args)), build=args.build_task or (), go_live=args.go_live_task or (), source=source
    )
    parse_programme(merged.data, source=source)  # what is written schedules
    report = [f"{g} -> {t}" for g, t in merged.joins.items()]
    report += [f"{t} now also waits for: {', '.join(ids)}" for t, ids in merged.added.items()]
    report += [f"{t} tagged " + ", ".join(f"{k} {v}" for k, v in tags.items()) for t, tags in merged.tagged.items()]
    quiet = len(report)
    report += [f"generated {old} renamed {new}: the plan has a task {old}" for old, new in merged.renamed.items()]
    report += merged.notes + [f"not carried over: {line}" for line in unsupported]
    for line in report[quiet:]:
        print(f"spinekit: {line}", file=sys.stderr)
    head = [
        f"# yaml-language-server: $schema={schema_uri()}",
        f"# {Path(source).name} with the Spine items of a scope added by `spinekit new --merge`.",
        "# The plan's own tasks stand in for the scope's build and go-live:",
    ]
    head += [f"#   - {line}" for line in report]
    body = yaml.safe_dump(merged.data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(head) + "\n" + body


#: Other names `spinekit new` accepts for an environment: the Path to Live (UAT) is DEP.
_ENVIRONMENT_NAMES = {"ptl": "dep", "path-to-live": "dep"}


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, got {value!r}")
    return n


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {value!r}")
    return n


class _Version(argparse.Action):
    """``--version``: the engine's status is looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from spinekit import __version__
        from spinekit.engine.native import status

        sys.stdout.write(f"spinekit {__version__} (critical path engine: {status()})\n")
        parser.exit()


_DB_HELP = "history database: a SQLAlchemy URL or a SQLite path (default: <plan>.history.sqlite beside the plan)"


def _date(value: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date (YYYY-MM-DD), got {value!r}") from None


_STATUS_HELP = "progress at a status date (a status block of its own; replaces the file's own)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spinekit",
        description="Scope, schedule and risk-assess NHS Spine integration programmes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # --version on one line
    )
    parser.add_argument("--version", action=_Version, help="show the version and critical path engine, and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("schedule", help="critical-path schedule of a programme file")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="schedule this scenario of the file")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_schedule)

    p = sub.add_parser("export", help="export a programme for another planning tool")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument(
        "--to",
        choices=EXPORT_FORMATS,
        required=True,
        help="tjp: TaskJuggler; mspdi: Microsoft Project XML (needs Java); xlsx: Excel workbook; "
        "ics: calendar of milestones and request-by dates; csv, json: the schedule",
    )
    p.add_argument("--scenario", metavar="ID", help="export this scenario of the file")
    p.add_argument("--iterations", type=_positive, help="xlsx: add a Risk sheet from this many iterations")
    p.add_argument("--seed", type=_seed, help="xlsx: random seed for the Risk sheet")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("import", help="a programme file from a Microsoft Project or Primavera plan (needs Java)")
    p.add_argument("plan", metavar="PLAN", help=".mpp, .xml (MSPDI), .xer, PMXML or another format MPXJ reads")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_import)

    p = sub.add_parser("schema", help="JSON Schema of the programme file, for editors")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_schema)

    p = sub.add_parser("report", help="offline HTML steering report (default: the bundled example)")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument("--out", default="reports", metavar="DIR", help="folder for the report (default: reports)")
    p.add_argument("--scenario", action="append", metavar="ID", help="scenario to include (repeatable)")
    p.add_argument("--iterations", type=_positive, default=10_000, help="Monte Carlo iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: chosen and shown in the report)")
    p.add_argument("--force", action="store_true", help="overwrite an existing report of the same name")
    p.add_argument("--db", metavar="URL", help=_DB_HELP)
    p.set_defaults(run=_cmd_report, writes_itself=True)

    p = sub.add_parser("batch", help="steering reports for many programmes in parallel, with an index page")
    p.add_argument("files", nargs="+", metavar="FILE", help="programme YAML files")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the reports and index.html")
    p.add_argument("--workers", type=_positive, default=2, help="reports run at once (default 2)")
    p.add_argument("--iterations", type=_positive, default=10_000, help="Monte Carlo iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed for every report")
    p.add_argument("--force", action="store_true", help="overwrite existing reports of the same name")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--status", action="append", metavar="FILE", help="status file for each programme file, in the same order"
    )
    p.set_defaults(run=_cmd_batch, writes_itself=True)

    p = sub.add_parser("simulate", help="Monte Carlo schedule risk: P-dates, criticality, drivers")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument("--iterations", type=_positive, default=10_000, help="iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: chosen and reported)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="simulate this scenario of the file")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_simulate)

    p = sub.add_parser("compare", help="what-if scenarios side by side (deterministic and Monte Carlo)")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument(
        "--scenario", action="append", metavar="ID", help="scenario to compare (repeatable; default: all in the file)"
    )
    p.add_argument("--iterations", type=_positive, default=10_000, help="iterations per scenario (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed shared by every scenario (default: chosen and reported)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_compare)

    p = sub.add_parser("check", help="plan health check: Spine delivery properties and schedule quality")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="check this scenario of the file")
    p.add_argument(
        "--stale-after",
        type=_seed,
        metavar="DAYS",
        help="calendar days after which a status date is stale (default 35)",
    )
    p.add_argument(
        "--source-age",
        type=_seed,
        metavar="DAYS",
        help="calendar days after which a source behind a critical task is old (default 365), "
        "counted to the status date, else today",
    )
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser("status", help="progress at the status date, against the baseline and the last snapshot")
    p.add_argument("file", nargs="?", help="programme YAML with a status block (default: the bundled example)")
    p.add_argument("--status", metavar="FILE", help=_STATUS_HELP)
    p.add_argument("--db", metavar="URL", help="history database (default: <plan>.history.sqlite, if it exists)")
    p.add_argument("--baseline", metavar="NAME", help="compare with this baseline (default: the latest)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(run=_cmd_status)

    p = sub.add_parser("record", help="store the forecast at the status date in the programme's history")
    p.add_argument("file", help="programme YAML with a status block")
    p.add_argument(
        "--status",
        action="append",
        metavar="FILE",
        help=_STATUS_HELP + "; repeat it to record several status dates in order, all or none",
    )
    p.add_argument("--db", metavar="URL", help=_DB_HELP)
    p.add_argument("--iterations", type=_positive, default=10_000, help="Monte Carlo iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: chosen and recorded)")
    p.set_defaults(run=_cmd_record)

    p = sub.add_parser("baseline", help="name a recorded snapshot as a baseline")
    p.add_argument("file", help="programme YAML")
    p.add_argument("--name", required=True, help='e.g. "Approved at SG 2027-02"')
    p.add_argument("--status-date", type=_date, metavar="DATE", help="the snapshot to name (default: the latest)")
    p.add_argument("--db", metavar="URL", help=_DB_HELP)
    p.add_argument("--force", action="store_true", help="move an existing baseline of that name")
    p.set_defaults(run=_cmd_baseline)

    p = sub.add_parser("history", help="the snapshots and baselines of a programme")
    p.add_argument("file", help="programme YAML")
    p.add_argument("--db", metavar="URL", help=_DB_HELP)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(run=_cmd_history)

    p = sub.add_parser("calibrate", help="finished tasks whose actual duration fell outside their estimate")
    p.add_argument("files", nargs="+", metavar="FILE", help="programme YAML files with status blocks")
    p.add_argument(
        "--status",
        action="append",
        metavar="F",
        help="a status file for each FILE, in the same order (in place of its status block); "
        "give the files first, then the --status options",
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(run=_cmd_calibrate)

    p = sub.add_parser("explore", help="scope explorer web page on 127.0.0.1 (Ctrl-C to stop)")
    p.add_argument("file", nargs="?", help="scope-based programme YAML (default: the bundled example)")
    p.add_argument("--port", type=_port, metavar="N", help="port to serve on (default: 8866, or the next free one)")
    p.set_defaults(run=_cmd_explore, writes_itself=True)

    p = sub.add_parser("new", help="starter programme for a scope of Spine services")
    p.add_argument("--services", required=True, metavar="LIST", help="e.g. pds,eps,cis2 or pds:hl7v3")
    p.add_argument(
        "--environments",
        default="int,production",
        metavar="LIST",
        help="int and production, optionally dep (also called ptl or path-to-live) (default: int,production)",
    )
    p.add_argument(
        "--organisations", type=_positive, default=1, metavar="N", help="deploying organisations (default 1)"
    )
    p.add_argument(
        "--access",
        default="user-restricted",
        metavar="MODE",
        help="user-restricted or application-restricted: the default for services that allow it",
    )
    p.add_argument("--smartcards", action="store_true", help="users sign in with smartcards (brings HSCN)")
    p.add_argument(
        "--hl7v3-fallback",
        nargs="?",
        const="all",
        metavar="LIST",
        help="add HL7 V3 interfaces beside FHIR: for every service that has one, or for LIST (e.g. pds)",
    )
    p.add_argument("--start", metavar="DATE", help="start date, YYYY-MM-DD (default: a placeholder to edit)")
    p.add_argument("--target", metavar="DATE", help="a promised date, YYYY-MM-DD")
    p.add_argument("--name", help="the programme's name (default: from the services)")
    p.add_argument(
        "--deployment",
        default="hosted",
        metavar="MODEL",
        help="hosted (one system for every organisation) or per-trust-install (default: hosted)",
    )
    p.add_argument(
        "--have", metavar="LIST", help="what the supplier already holds, such as ods-code,dspt,hscn (kept as met)"
    )
    p.add_argument(
        "--merge",
        metavar="PLAN",
        help="add the scope's Spine items to this plan (.mpp, .xml, .xer, PMXML, or a programme YAML)",
    )
    p.add_argument(
        "--build-task",
        action="append",
        metavar="[BUILD=]ID",
        help="--merge: the plan's build task (for BUILD, such as build-pds, only); default: by catalogue name",
    )
    p.add_argument(
        "--go-live-task",
        action="append",
        metavar="[GO-LIVE=]ID",
        help="--merge: the plan's go-live task (for GO-LIVE, such as go-live-org2, only); default: by catalogue name",
    )
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_new)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``spinekit`` command; returns the exit code.

    A command returns its output, or its output and an exit code (``check`` returns 1 when the
    plan has error-severity findings, after its output is written).
    """
    args = _parser().parse_args(argv)
    from spinekit.model.errors import SpinekitError
    from spinekit.model.files import check_output_file, write_atomic

    out: str | None = getattr(args, "out", None)
    if getattr(args, "writes_itself", False):
        out = None  # report and batch check and write their own files
    force = bool(getattr(args, "force", False))
    try:
        if out:
            check_output_file(out, force=force)  # before any work: a bad --out fails at once
        text = args.run(args)
    except SpinekitError as exc:
        print(f"spinekit: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"spinekit: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    code = 0
    if isinstance(text, tuple):
        text, code = text
    if out:
        try:
            write_atomic(Path(out), text, exclusive=not force)
        except FileExistsError:
            print(
                f"spinekit: error: {out}: already exists; choose another --out, or add --force to replace it",
                file=sys.stderr,
            )
            return EXIT_INVALID
        except OSError as exc:
            print(f"spinekit: error: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_INVALID
    else:
        sys.stdout.write(text)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
