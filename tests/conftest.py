"""Shared fixtures.

``SPINEKIT_REQUIRE_NATIVE=1`` (set by ``.ci/run``) makes a missing compiled library an error
instead of a reason to skip, so the kernels' tests cannot pass by not running.
"""

from __future__ import annotations

import os

import pytest

from spinekit import _native


#: Why the compiled kernels' tests skip on this machine, if they do.
KERNELS_MISSING = (f"compiled kernels unavailable: {_native.status()}; a C compiler at install "
                   "time builds them (uv sync --reinstall-package spinekit)")


def pytest_sessionstart(session):
    if os.environ.get("SPINEKIT_REQUIRE_NATIVE") == "1" and _native.LIBRARY is None:
        raise pytest.UsageError(f"SPINEKIT_REQUIRE_NATIVE=1 but {_native.status()}")


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
