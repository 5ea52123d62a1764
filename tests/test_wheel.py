"""The built wheel carries the bundled data and the compiled kernels: installed alone,
``spinekit schedule`` works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from _helpers import ROOT

from spinekit.engine import native as _native


@pytest.fixture(scope="module")
def uv():
    """The uv executable, which builds the wheels."""
    found = shutil.which("uv")
    if found is None:
        pytest.skip("uv is not on PATH; it builds the wheel (pip install uv)")
    return found


@pytest.mark.slow
def test_wheel_installs_with_data(uv, tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)], check=True, capture_output=True, text=True
    )
    wheel = next(dist.glob("spinekit-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--python", str(py), "--no-deps", "--offline", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    # Dependencies come from the test environment, appended after the fresh venv's own
    # site-packages; the source checkout is not on the path, so spinekit and its data can only
    # come from the wheel.
    fresh_site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (fresh_site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = subprocess.run(
        [str(py), "-c", "import spinekit; print(spinekit.__file__); print(spinekit.example_path())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.split()
    assert all(str(fresh_site) in w for w in where), where

    engine = subprocess.run(
        [str(py), "-c", "from spinekit.engine import native as _native; print(_native.status())"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    if _native.LIBRARY is not None:  # this machine built the kernels for the checkout too
        assert wheel.name.endswith(".whl") and "-py3-none-any" not in wheel.name, wheel.name
        assert engine.startswith("compiled kernels") and str(fresh_site) in engine, engine

    r = subprocess.run(
        [str(venv / "bin" / "spinekit"), "schedule", "--format", "csv"], capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("id,name,start,finish,es,ef,ls,lf,total_float,free_float,critical")
    assert len(r.stdout.splitlines()) > 10


@pytest.mark.slow
@pytest.mark.parametrize(
    "env", [{"SPINEKIT_BUILD_NATIVE": "0"}, {"CC": "false"}], ids=["switched-off", "compiler-fails"]
)
def test_wheel_without_kernels_is_pure_python(uv, tmp_path, env):
    """No compiler, or a failing one, still gives a wheel: pure Python, numpy passes."""
    dist = tmp_path / "dist"
    r = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert r.returncode == 0, r.stderr
    wheel = next(dist.glob("spinekit-*.whl"))
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if "_libspinekit" in n]
    if "CC" in env:
        assert "did not build" in r.stderr
