"""Batch steering reports: many programmes in parallel, with an index page linking them."""

from __future__ import annotations

import datetime as dt
import html
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from spinekit.model.files import write_atomic
from spinekit.model.status import status_files_for
from spinekit.views.report import report_paths

__all__ = ["BatchItem", "BatchResult", "run_batch", "index_html"]


@dataclass(frozen=True)
class BatchItem:
    """One programme's outcome: its report files, or the error that stopped it."""

    source: str
    name: str | None
    html: Path | None
    notebook: Path | None
    finish: str | None
    error: str | None
    p80: str | None = None
    target: str | None = None
    on_time: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the report was written."""
        return self.error is None


@dataclass(frozen=True)
class BatchResult:
    """Every programme's outcome, in the order given, and the index page."""

    items: tuple[BatchItem, ...]
    index: Path

    @property
    def failed(self) -> tuple[BatchItem, ...]:
        """The programmes whose report could not be written."""
        return tuple(i for i in self.items if not i.ok)


def _stems(sources: list[str]) -> list[str]:
    """Report names for the files: their stems, numbered where two files share one."""
    seen: dict[str, int] = {}
    out = []
    for s in sources:
        stem = Path(s).stem
        seen[stem] = seen.get(stem, 0) + 1
        out.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return out


def _one(
    source: str, stem: str, out_dir: str, iterations: int, seed: int | None, force: bool, status: str | None = None
) -> BatchItem:
    from spinekit.catalogue.programme import read_programme
    from spinekit.engine.schedule import schedule
    from spinekit.engine.simulate import simulate
    from spinekit.model.errors import SpinekitError
    from spinekit.views.report import build_report

    name = None
    try:
        programme = read_programme(source, status=status)
        name = programme.name
        sched = schedule(programme)
        # The report runs the same simulation (same iterations and seed), so the index's P80 and
        # chance of meeting the target are the report's own numbers.
        sim = simulate(programme, iterations, seed, schedule=sched)
        files = build_report(
            source, out_dir, iterations=iterations, seed=sim.seed, force=force, name=stem, status_file=status
        )
    except SpinekitError as exc:
        return BatchItem(source, name, None, None, None, str(exc))
    except Exception as exc:  # one broken programme must not stop the batch
        return BatchItem(source, name, None, None, None, f"{source}: {type(exc).__name__}: {exc}")
    target = str(programme.target) if programme.target else None
    return BatchItem(
        source,
        name,
        files.html,
        files.notebook,
        str(sched.finish_date),
        None,
        p80=str(sim.finish_date["p80"]),
        target=target,
        on_time=sim.on_time_probability,
    )


def index_html(items: Sequence[BatchItem], *, generated: dt.datetime, out_dir: Path) -> str:
    """The index page: one row per programme, linking its report or showing its error.

    Parameters
    ----------
    items:
        Every programme's outcome, in the order to list.
    generated:
        When the reports were made, shown on the page.
    out_dir:
        The folder the page is written to; report links are relative to it.
    """
    e = html.escape
    rows = []
    for item in items:
        if item.error is None:  # item.ok
            assert item.html is not None, "a report written has its page"
            href = os.path.relpath(item.html, out_dir)
            status = f'<a href="{e(href)}">{e(item.html.name)}</a>'
            cls = "ok"
        else:
            status = f"<span class='error'>failed: {e(item.error)}</span>"
            cls = "failed"
        chance = "" if item.on_time is None else f"{item.on_time:.0%}"
        rows.append(
            f"<tr class='{cls}'><td>{e(item.name or '')}</td><td>{e(item.source)}</td>"
            f"<td>{e(item.finish or '')}</td><td>{e(item.p80 or '')}</td><td>{e(item.target or '')}</td>"
            f"<td>{chance}</td><td>{status}</td></tr>"
        )
    when = f"<p>Generated {e(generated.strftime('%Y-%m-%d %H:%M'))}</p>"
    ok = sum(i.ok for i in items)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>spinekit reports</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{padding:.4em .8em;border-bottom:1px solid #ddd;text-align:left}"
        ".error{color:#b00020}</style></head><body>"
        f"<h1>Steering reports</h1>{when}<p>{ok} of {len(items)} reports written.</p>"
        "<table><thead><tr><th>Programme</th><th>File</th><th>Deterministic finish</th>"
        "<th>P80 finish</th><th>Target</th><th>Chance of meeting the target</th>"
        f"<th>Report</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def run_batch(
    files: list[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    workers: int = 2,
    iterations: int = 10_000,
    seed: int | None = None,
    force: bool = False,
    progress: bool = True,
    statuses: Sequence[str | os.PathLike[str]] | None = None,
) -> BatchResult:
    """Write a steering report for each programme file, ``workers`` at a time, and an index.

    A programme that fails (invalid file, failing notebook) is listed in the index with its
    error; the others still run. ``statuses``, if given, are status files matched to ``files``
    one for one, in order. Reports and the index are named after the files (numbered where two
    files share a name); none replaces an existing file unless ``force`` is set.

    Raises
    ------
    SpinekitError
        ``statuses`` does not have one file per programme file.
    OutputError
        ``out_dir`` is a file or not writable, or (without ``force``) a report or the index
        already exists there; checked before any report runs.
    """
    from tqdm.auto import tqdm

    sources = [str(f) for f in files]
    matched = status_files_for(sources, [str(f) for f in statuses or ()])
    out = Path(out_dir)
    stems = _stems(sources)
    (index,) = report_paths(out, "index", force, suffixes=(".html",))
    for stem in stems:
        report_paths(out, stem, force)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[int, BatchItem] = {}
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {
            pool.submit(_one, s, stem, str(out), iterations, seed, force, st): k
            for k, (s, stem, st) in enumerate(zip(sources, stems, matched))
        }
        bar = tqdm(total=len(futures), desc="reports", unit="report", disable=not progress, file=sys.stderr)
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            bar.update(1)
        bar.close()
    items = tuple(results[k] for k in range(len(sources)))
    write_atomic(index, index_html(items, generated=dt.datetime.now(), out_dir=out))
    return BatchResult(items, index)
