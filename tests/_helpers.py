"""Helpers shared by the test modules (``from _helpers import ...``); fixtures live in conftest.py."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import strategies as st

from spinekit import Dependency, Duration, Task, parse_programme
from spinekit.cli import main

#: The checkout: pyproject.toml, notebooks/, tests/.
ROOT = Path(__file__).resolve().parents[1]

# --- the command line ---------------------------------------------------------------------------


def run(capsys, *argv) -> tuple[int, str, str]:
    """``spinekit *argv`` in-process: exit code, stdout, stderr. Arguments may be paths or numbers."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- programmes ---------------------------------------------------------------------------------

#: The head of a programme file: named t, starting Monday 4 January 2027.
HEAD = "name: t\nstart: 2027-01-04\n"

#: A programme file whose only task depends on a task that does not exist.
UNKNOWN_DEPENDENCY = "name: x\nstart: 2027-01-04\ntasks:\n  - {id: a, duration: 1, depends_on: [zz]}\n"


def plan(tasks, start="2027-01-04", holidays="none", closures=None, **extra):
    """A parsed programme named t (``name=`` in ``extra`` renames it); no holidays unless asked."""
    cal = {"holidays": holidays}
    if closures:
        cal["closures"] = closures
    return parse_programme({"name": "t", "start": start, "calendar": cal, "tasks": tasks, **extra})


# --- hand-written Spine plans (for the health check) -------------------------------------------


def T(id, kind=None, days=(5, 10, 15), deps=(), **kw) -> Task:
    """A task; ``days`` is a number (fixed) or (min, likely, max); deps are ids or Dependency."""
    duration = Duration(*map(float, days)) if isinstance(days, tuple) else Duration.fixed(days)
    links = tuple(d if isinstance(d, Dependency) else Dependency(d) for d in deps)
    return Task(id, kw.pop("name", id), duration, links, kind=kind, **kw)


def sound_tasks() -> dict[str, Task]:
    """A small plan with all six properties: requests in week one, safety in parallel, INT build,
    observability in the build, conformance before the smoke test."""
    return {
        t.id: t
        for t in (
            T("ods", "ods-code"),
            T("asid-int", "asid", deps=["ods"], environment="int"),
            T("cso", "cso-dcb0129", (10, 20, 30)),
            T("dcb0160", "dcb0160", deps=["cso"]),
            T("dspt", "dspt", deps=["ods"]),
            T("design", "design"),
            T("build", "build", (10, 20, 30), ["design", "asid-int"], service="pds", environment="int"),
            T("obs", "reconciliation-observability", deps=[Dependency("build", "SS", 2)]),
            T("conf", "conformance", deps=["build", "obs"]),
            T("scal", "scal", deps=["conf", "dspt", "cso"]),
            T("smoke", "smoke-test", (5, 5, 10), ["scal"], environment="production"),
            T("live", "go-live", 0, ["smoke", "dcb0160"], environment="production"),
        )
    }


def write_file(folder: Path, text: str, name: str = "plan.yaml") -> Path:
    """``text`` written to ``folder/name`` as UTF-8."""
    f = folder / name
    f.write_text(text, encoding="utf-8")
    return f


def write_programme(folder: Path, body: str, head: str = HEAD) -> Path:
    """A programme file, plan.yaml: ``head``, then ``body`` dedented."""
    return write_file(folder, head + textwrap.dedent(body))


# --- random networks (Hypothesis) ---------------------------------------------------------------

TYPES = ("FS", "SS", "FF", "SF")


def draw_links(draw, i: int) -> list[dict]:
    """Up to three links from earlier tasks t0..t{i-1}, each with a type and a lag; none for t0."""
    preds = draw(st.lists(st.integers(0, i - 1), max_size=3, unique=True)) if i else []
    return [{"task": f"t{p}", "type": draw(st.sampled_from(TYPES)), "lag": draw(st.integers(-3, 4))} for p in preds]


# --- Debian's Chromium --------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
NO_CHROMIUM = "Debian's chromium is not on PATH (apt-get install chromium)"

#: Skips before any fixture is set up, so nothing is built for a browser that is not there.
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


# --- the external tools, as SPINEKIT_REQUIRE_TOOLS=1 requires them ------------------------------


def postgres_bin() -> Path | None:
    """The folder holding PostgreSQL's ``initdb`` and ``pg_ctl`` (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def external_tools() -> list[tuple[str, bool, str]]:
    """Each external tool the tests use: its name, whether it is here, and how to install it."""
    return [
        ("tj3", shutil.which("tj3") is not None, "apt-get install tj3"),
        ("chromium", CHROMIUM is not None, "apt-get install chromium"),
        ("java", shutil.which("java") is not None, "apt-get install default-jre-headless"),
        ("postgresql", postgres_bin() is not None, "apt-get install postgresql"),
        ("uv", shutil.which("uv") is not None, "pip install uv"),
    ]
