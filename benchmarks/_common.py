"""What the benchmark scripts share: the machine's description and writing their results."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np

#: The document every benchmark writes its figures into.
DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine(versions: str) -> str:
    """The machine a run measures on and the software it measures, for the results text.

    Parameters
    ----------
    versions
        What follows Python's and numpy's versions: the other packages the benchmark depends
        on, and anything else about spinekit worth stating (``"networkx 3.6.1; spinekit
        engine: compiled kernels"``).

    Returns
    -------
    str
        For example ``"2 CPUs (AMD EPYC), load average 0.9, 0.9, 0.9 at the start; Python
        3.11.7, numpy 2.4.6, networkx 3.6.1"``. Where the process may use fewer CPUs than the
        machine has, how many follows the processor (``", 2 usable"``): that, not the
        machine's count, bounds what a run can do in parallel.
    """
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    limit = f", {usable} usable" if usable != cpus else ""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpus} CPUs ({cpu_model()}){limit}, load average {load} at the start; "
        f"Python {platform.python_version()}, numpy {np.__version__}, {versions}"
    )


def replace_between(start: str, end: str, text: str) -> None:
    """Replace what lies between the ``start`` and ``end`` markers of :data:`DOC` with ``text``."""
    doc = DOC.read_text(encoding="utf-8")
    first, last = doc.index(start), doc.index(end)
    DOC.write_text(doc[: first + len(start)] + "\n" + text + "\n" + doc[last:], encoding="utf-8")


def publish(text: str, start: str, end: str, *, write: bool) -> int:
    """Print a benchmark's results and, with ``write``, put them between its markers in :data:`DOC`.

    Returns the exit status for ``main``.
    """
    print(text)
    if write:
        replace_between(start, end, text)
    return 0
