"""Shared fixtures."""

from __future__ import annotations

import pytest

from spinekit import _native


@pytest.fixture(params=["compiled", "numpy"])
def engine(request, monkeypatch):
    """Run the test once on each critical path engine: the compiled kernels and numpy.

    The compiled run skips, saying why, where the kernels were not built.
    """
    if request.param == "numpy":
        monkeypatch.setattr(_native, "LIBRARY", None)
    elif _native.LIBRARY is None:
        pytest.skip(f"compiled kernels unavailable: {_native.status()}; a C compiler at install "
                    "time builds them (uv sync --reinstall-package spinekit)")
    return request.param
