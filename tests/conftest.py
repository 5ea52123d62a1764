"""Shared fixtures, and the switches that keep CI from passing by not running tests.

``SPINEKIT_REQUIRE_NATIVE=1`` (set by ``.ci/run``) makes a missing compiled library an error
instead of a reason to skip, so the kernels' tests cannot pass by not running.

``SPINEKIT_REQUIRE_TOOLS=1`` (set by ``.ci/run``) does the same for the external tools: a
missing TaskJuggler (``tj3``), Chromium, Java runtime or PostgreSQL stops the run at once, and
any test that would skip fails instead, with its reason. On a laptop without them, the tests
that need them skip, saying what to install.
"""

from __future__ import annotations

import os

import pytest
from _helpers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, external_tools

from spinekit import build_report, example_path, read_programme
from spinekit.engine import native as _native

#: Why the compiled kernels' tests skip on this machine, if they do.
KERNELS_MISSING = (
    f"compiled kernels unavailable: {_native.status()}; a C compiler at install "
    "time builds them (uv sync --reinstall-package spinekit)"
)


REQUIRE_TOOLS = os.environ.get("SPINEKIT_REQUIRE_TOOLS") == "1"


def pytest_sessionstart(session):
    if os.environ.get("SPINEKIT_REQUIRE_NATIVE") == "1" and _native.LIBRARY is None:
        raise pytest.UsageError(f"SPINEKIT_REQUIRE_NATIVE=1 but {_native.status()}")
    if REQUIRE_TOOLS:
        missing = [f"{name} ({hint})" for name, found, hint in external_tools() if not found]
        if missing:
            raise pytest.UsageError("SPINEKIT_REQUIRE_TOOLS=1 but missing: " + "; ".join(missing))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_TOOLS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under SPINEKIT_REQUIRE_TOOLS=1, which allows no skips: {reason}"


@pytest.fixture(params=["compiled", "numpy"])
def engine(request, monkeypatch):
    """Run the test once on each critical path engine: the compiled kernels and numpy.

    The compiled run skips, saying why, where the kernels were not built.
    """
    if request.param == "numpy":
        monkeypatch.setattr(_native, "LIBRARY", None)
    elif _native.LIBRARY is None:
        pytest.skip(KERNELS_MISSING)
    return request.param


@pytest.fixture(scope="session")
def example():
    """The bundled example programme, read once (a Programme is frozen)."""
    return read_programme(example_path())


@pytest.fixture(scope="session")
def example_report(tmp_path_factory):
    """The steering report of the bundled example, 400 iterations, seed 7, built once."""
    return build_report(None, tmp_path_factory.mktemp("example"), iterations=400, seed=7)


@pytest.fixture(scope="session")
def sync_api():
    """Playwright's sync API for driving Debian's Chromium; skips where either is missing."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    return pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def browser(sync_api):
    """Headless Chromium for one module: no longer, as a live Playwright loop would break
    ``asyncio.run`` in later modules."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
