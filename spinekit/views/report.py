"""Batch steering reports: run the report notebook with papermill, export offline HTML."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinekit.catalogue.programme import read_programme
from spinekit.model.errors import OutputError, SpinekitError
from spinekit.model.files import check_output_folder, example_path, notebook_path, write_atomic

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["ReportError", "ReportFiles", "build_report", "report_html", "report_paths", "REPORT_NOTEBOOK"]

REPORT_NOTEBOOK = "03-steering-report.ipynb"
_TEMPLATE = Path(__file__).resolve().parent / "templates" / "offline.html.j2"


class ReportError(SpinekitError, RuntimeError):
    """The report notebook failed; the message names the failing cell and the error."""


@dataclass(frozen=True)
class ReportFiles:
    """Where a report was written: the HTML page and the executed notebook beside it."""

    html: Path
    notebook: Path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "report"


def report_paths(
    out_dir: Path, stem: str, force: bool, suffixes: tuple[str, ...] = (".html", ".ipynb")
) -> tuple[Path, ...]:
    """Paths ``<stem><suffix>`` in ``out_dir``, one per suffix, after checking they may be written.

    Raises
    ------
    OutputError
        ``out_dir`` cannot hold files, or one of the paths exists and ``force`` is not set.
    """
    check_output_folder(out_dir)
    paths = tuple(out_dir / f"{stem}{suffix}" for suffix in suffixes)
    taken = [p for p in paths if p.exists()]
    if taken and not force:
        raise OutputError(f"{taken[0]}: already exists; add --force to replace it, or choose another --out folder")
    for path in paths:
        if path.is_dir():
            raise OutputError(f"{path}: is a folder; move it, or choose another --out folder")
    return paths


def report_html(notebook: NotebookNode | Mapping[str, Any]) -> str:
    """Render an executed notebook as one self-contained page with no code and no CDN use."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(  # type: ignore[no-untyped-call]  # nbconvert's classes are unannotated
        template_name="lab",
        template_file=str(_TEMPLATE),
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    if isinstance(notebook, nbformat.NotebookNode):
        node = notebook
    else:
        node = nbformat.from_dict(notebook)  # type: ignore[no-untyped-call]  # nbformat is unannotated
    html, _ = exporter.from_notebook_node(node)
    return html


def _absolute(url: str | None) -> str | None:
    """A history URL or path that still means the same database from the report's folder."""
    if url is None or "://" in url:
        return url
    return str(Path(url).resolve())


def build_report(
    programme_file: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] = "reports",
    *,
    scenarios: list[str] | None = None,
    iterations: int = 10_000,
    seed: int | None = None,
    force: bool = False,
    timeout: int = 900,
    name: str | None = None,
    status_file: str | os.PathLike[str] | None = None,
    history_db: str | None = None,
) -> ReportFiles:
    """Execute the steering-report notebook for a programme and write HTML plus notebook.

    The files are named after the programme file (``name`` overrides that). An existing report
    of that name is never replaced unless ``force`` is set; the output folder is checked
    before anything runs. Both files appear whole or not at all. ``status_file`` gives the
    progress at a status date in place of the programme file's own ``status`` block. With a
    status, the report opens with the progress against the history in ``history_db`` (default:
    ``<plan>.history.sqlite`` beside the plan); without one, with the progress the history's
    latest snapshot recorded, where it has one.

    Raises
    ------
    ProgrammeError
        The programme file is invalid (checked before anything runs).
    OutputError
        ``out_dir`` is a file or not writable, or the report exists and ``force`` is not set
        (checked before anything runs).
    ReportError
        A notebook cell failed.
    """
    import nbformat
    import papermill as pm

    from spinekit.views.kernel import QuietShutdownKernelManager

    source = Path(programme_file) if programme_file else example_path()
    out = Path(out_dir)
    stem = _slug(name or (source.stem if programme_file else "example"))
    html_path, nb_path = report_paths(out, stem, force)
    programme = read_programme(source, status=status_file)
    if scenarios:
        from spinekit.catalogue.scenarios import select_scenarios

        select_scenarios(programme, list(scenarios))  # unknown ids fail now, not in the notebook
    out.mkdir(parents=True, exist_ok=True)
    parameters = {
        "programme_file": str(source.resolve()),
        "status_file": str(Path(status_file).resolve()) if status_file else None,
        "history_db": _absolute(history_db),
        "scenarios": list(scenarios or []),
        "iterations": int(iterations),
        "seed": seed,
    }
    try:
        # No output path: papermill returns the executed notebook and writes nothing, so a
        # failed run leaves no file behind and the notebook is written below, whole.
        executed = pm.execute_notebook(
            str(notebook_path(REPORT_NOTEBOOK)),
            None,
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
            cwd=str(out),
            # Keep the kernel's own start-up log lines off the user's terminal.
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            kernel_manager_class=QuietShutdownKernelManager,
        )
    except pm.PapermillExecutionError as exc:
        raise ReportError(
            f"{source}: the report notebook failed in cell {exc.exec_count} with {exc.ename}: {exc.evalue}"
        ) from None
    notebook_text = nbformat.writes(executed)  # type: ignore[no-untyped-call]  # as papermill would have written it
    page = report_html(executed)
    for path, text in ((html_path, page), (nb_path, notebook_text)):
        try:
            write_atomic(path, text, exclusive=not force)
        except FileExistsError:  # another run took the name meanwhile
            raise OutputError(f"{path}: already exists; add --force to replace it") from None
    return ReportFiles(html_path, nb_path)
