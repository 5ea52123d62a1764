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


def _programme_arg(value: str | None, scenario: str | None = None) -> Programme:
    from spinekit.catalogue.programme import read_programme
    from spinekit.model.files import example_path

    programme = read_programme(value if value else example_path())
    if scenario is None:
        return programme
    from spinekit.catalogue.scenarios import apply_scenario, select_scenarios

    (chosen,) = select_scenarios(programme, [scenario])
    return apply_scenario(programme, chosen)


def _cmd_schedule(args: argparse.Namespace) -> str:
    from spinekit.engine.schedule import schedule
    from spinekit.interop.tables import schedule_csv, schedule_json, schedule_text

    sched = schedule(_programme_arg(args.file, args.scenario))
    return {"table": schedule_text, "csv": schedule_csv, "json": schedule_json}[args.format](sched)


def _cmd_export(args: argparse.Namespace) -> str:
    from spinekit.interop.tjp import to_tjp

    return to_tjp(_programme_arg(args.file))


def _cmd_report(args: argparse.Namespace) -> str:
    from spinekit.views.report import build_report

    files = build_report(
        args.file,
        args.out,
        scenarios=args.scenario,
        iterations=args.iterations,
        seed=args.seed,
        force=args.force,
    )
    return f"report: {files.html}\nnotebook: {files.notebook}\n"


def _cmd_simulate(args: argparse.Namespace) -> str:
    from spinekit.engine.simulate import simulate

    result = simulate(_programme_arg(args.file, args.scenario), args.iterations, args.seed)
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    return result.to_text()


def _cmd_compare(args: argparse.Namespace) -> str:
    from spinekit.analysis.compare import compare

    result = compare(_programme_arg(args.file), args.scenario, iterations=args.iterations, seed=args.seed)
    if args.format == "json":
        return json.dumps(result.to_dict(), indent=2) + "\n"
    return result.to_text()


def _cmd_check(args: argparse.Namespace) -> tuple[str, int]:
    from spinekit.analysis.check import check_plan

    result = check_plan(_programme_arg(args.file, args.scenario))
    text = json.dumps(result.to_dict(), indent=2) + "\n" if args.format == "json" else result.to_text()
    return text, 0 if result.ok else EXIT_FINDINGS


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


def _cmd_new(args: argparse.Namespace) -> str:
    from spinekit.catalogue.starter import starter_programme

    return starter_programme(
        _names(args.services),
        environments=_names(args.environments),
        organisations=args.organisations,
    )


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
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="schedule this scenario of the file")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_schedule)

    p = sub.add_parser("export", help="export a programme for another planning tool")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--to", choices=("tjp",), required=True, help="tjp: a TaskJuggler project")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_export)

    p = sub.add_parser("report", help="offline HTML steering report (default: the bundled example)")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--out", default="reports", metavar="DIR", help="folder for the report (default: reports)")
    p.add_argument("--scenario", action="append", metavar="ID", help="scenario to include (repeatable)")
    p.add_argument("--iterations", type=_positive, default=10_000, help="Monte Carlo iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: chosen and shown in the report)")
    p.add_argument("--force", action="store_true", help="overwrite an existing report of the same name")
    p.set_defaults(run=_cmd_report, writes_itself=True)

    p = sub.add_parser("batch", help="steering reports for many programmes in parallel, with an index page")
    p.add_argument("files", nargs="+", metavar="FILE", help="programme YAML files")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the reports and index.html")
    p.add_argument("--workers", type=_positive, default=2, help="reports run at once (default 2)")
    p.add_argument("--iterations", type=_positive, default=10_000, help="Monte Carlo iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed for every report")
    p.add_argument("--force", action="store_true", help="overwrite existing reports of the same name")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_batch, writes_itself=True)

    p = sub.add_parser("simulate", help="Monte Carlo schedule risk: P-dates, criticality, drivers")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
    p.add_argument("--iterations", type=_positive, default=10_000, help="iterations (default 10000)")
    p.add_argument("--seed", type=_seed, help="random seed (default: chosen and reported)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="simulate this scenario of the file")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_simulate)

    p = sub.add_parser("compare", help="what-if scenarios side by side (deterministic and Monte Carlo)")
    p.add_argument("file", nargs="?", help="programme YAML (default: the bundled example)")
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
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--scenario", metavar="ID", help="check this scenario of the file")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.set_defaults(run=_cmd_check)

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
        help="int and production, optionally dep (default: int,production)",
    )
    p.add_argument(
        "--organisations", type=_positive, default=1, metavar="N", help="deploying organisations (default 1)"
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
