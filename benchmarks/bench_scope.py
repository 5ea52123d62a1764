"""Benchmark scope expansion, and what recording each task's catalogue rule adds to it.

Times :func:`spinekit.expand_scope` on scopes of every catalogue service at 1, 5 and 20
organisations (all environments, smartcards, three roll-out waves where there are enough
organisations, per-Trust installation), then the same with the step that attaches each task's
:class:`spinekit.Rule` replaced by one that gives every task none, so the difference is the
rules' share. Each figure is the best of ``--repeats`` rounds of five expansions.

    uv run python benchmarks/bench_scope.py
    uv run python benchmarks/bench_scope.py --write   # updates docs/performance.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import timeit

import _common
from _common import publish

import spinekit.catalogue.scope as scope_module
from spinekit import Scope, expand_scope, load_catalogue

RESULTS_START = "<!-- scope results: start -->"
RESULTS_END = "<!-- scope results: end -->"


def _scope(services: tuple[str, ...], organisations: int) -> Scope:
    waves = (1, 4, organisations - 5) if organisations > 5 else ()
    return Scope(
        services=services,
        environments=("int", "dep", "production"),
        organisations=organisations,
        waves=waves,
        smartcards=True,
        deployment="per-trust-install",
    )


def _timed(scope: Scope, catalogue, repeats: int) -> tuple[float, float]:
    """Best seconds per expansion with rules and without, the two measured in alternate rounds
    so that a change in the machine's load falls on both alike."""
    attach = scope_module._rules
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for k in (0, 1):
            scope_module._rules = attach if k == 0 else (lambda instances, *_: [None] * len(instances))
            try:
                best[k] = min(best[k], timeit.timeit(lambda: expand_scope(scope, catalogue), number=5) / 5)
            finally:
                scope_module._rules = attach
    return best[0], best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="replace the results in docs/performance.md")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    services = tuple(s.id for s in catalogue.services)
    header = _common.machine("spinekit scope expansion")
    rows = []
    for organisations in (1, 5, 20):
        scope = _scope(services, organisations)
        tasks = len(expand_scope(scope, catalogue))
        with_rules, without = _timed(scope, catalogue, args.repeats)
        rows.append((organisations, tasks, with_rules * 1000, without * 1000))
    lines = [
        f"Measured {dt.date.today().isoformat()}: {header}.",
        "",
        "| organisations | tasks | with rules ms | without rules ms | rules' share |",
        "|---:|---:|---:|---:|---:|",
        *(f"| {o} | {n} | {w:.1f} | {b:.1f} | {(w - b) / w:.0%} |" for o, n, w, b in rows),
    ]
    text = "\n".join(lines)
    return publish(text, RESULTS_START, RESULTS_END, write=args.write)


if __name__ == "__main__":
    sys.exit(main())
