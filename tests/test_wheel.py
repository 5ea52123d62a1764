"""The built wheel carries the bundled data: installed alone, ``spinekit schedule`` works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_with_data(tmp_path):
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH; it builds the wheel (pip install uv)")
    dist = tmp_path / "dist"
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True)
    wheel = next(dist.glob("spinekit-*.whl"))

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--python", str(py), "--no-deps", "--offline", str(wheel)],
                   check=True, capture_output=True, text=True)
    # Dependencies come from the test environment, appended after the fresh venv's own
    # site-packages; the source checkout is not on the path, so spinekit and its data can only
    # come from the wheel.
    fresh_site = Path(subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    (fresh_site / "zz_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = subprocess.run(
        [str(py), "-c", "import spinekit; print(spinekit.__file__); print(spinekit.example_path())"],
        check=True, capture_output=True, text=True, cwd=tmp_path).stdout.split()
    assert all(str(fresh_site) in w for w in where), where

    r = subprocess.run([str(venv / "bin" / "spinekit"), "schedule", "--format", "csv"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("id,name,start,finish,es,ef,ls,lf,total_float,free_float,critical")
    assert len(r.stdout.splitlines()) > 10
