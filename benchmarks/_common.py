"""What the benchmark scripts share: the machine's description and writing their results."""

from __future__ import annotations

import platform
from pathlib import Path

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


def replace_between(start: str, end: str, text: str) -> None:
    """Replace what lies between the ``start`` and ``end`` markers of :data:`DOC` with ``text``."""
    doc = DOC.read_text(encoding="utf-8")
    first, last = doc.index(start), doc.index(end)
    DOC.write_text(doc[: first + len(start)] + "\n" + text + "\n" + doc[last:], encoding="utf-8")
