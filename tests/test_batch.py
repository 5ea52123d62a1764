"""Batch reports: parallel runs, an index page, and failures that do not stop the others."""

from __future__ import annotations

import subprocess
import sys
import time

from spinekit.cli import main
from spinekit.model.files import data_dir

GOOD = """name: "{name}"
start: 2027-01-04
calendar: {{holidays: none}}
tasks:
  - {{id: a, duration: {{min: 2, likely: 4, max: 9}}}}
  - {{id: b, duration: 3, depends_on: [a]}}
"""


def test_batch_with_one_broken_programme(tmp_path, capsys):
    files = []
    for n, name in enumerate(["Alpha <trust>", "Beta"]):
        f = tmp_path / f"plan{n}.yaml"
        f.write_text(GOOD.format(name=name), encoding="utf-8")
        files.append(f)
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\nstart: 2027-01-04\ntasks:\n  - {id: a, duration: 1, depends_on: [nope]}\n")
    files.insert(1, bad)
    out = tmp_path / "out"
    code = main(
        [
            "batch",
            *map(str, files),
            "--out",
            str(out),
            "--workers",
            "2",
            "--iterations",
            "100",
            "--seed",
            "1",
            "--quiet",
        ]
    )
    stdout = capsys.readouterr().out
    assert code == 1
    assert (out / "plan0.html").exists() and (out / "plan1.html").exists()
    assert not (out / "broken.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="plan0.html"' in index and 'href="plan1.html"' in index
    assert "unknown task &#x27;nope&#x27;" in index or "unknown task 'nope'" in index
    assert "Alpha &lt;trust&gt;" in index and "<trust>" not in index
    assert "2 of 3 reports written" in index
    assert stdout.count("ok: ") == 2 and "failed: " in stdout and "broken.yaml" in stdout
    # A second batch into the same folder is refused at once, before any report runs.
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    started = time.monotonic()
    assert main(["batch", str(files[0]), "--out", str(out), "--iterations", "50", "--quiet"]) == 2
    assert time.monotonic() - started < 3
    err = capsys.readouterr().err
    assert (
        err
        == f"spinekit: error: {out / 'index.html'}: already exists; add --force to replace it, or choose another --out folder\n"
    )
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    # With --force the report and the index are replaced, under the same names.
    assert main(["batch", str(files[0]), "--out", str(out), "--iterations", "50", "--quiet", "--force"]) == 0
    assert sorted(f.name for f in out.iterdir()) == sorted(before)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "1 of 1 reports written" in index and 'href="plan0.html"' in index


def test_same_file_names_in_different_folders_keep_both_reports(tmp_path, capsys):
    files = []
    for folder, name in (("a", "First"), ("b", "Second")):
        (tmp_path / folder).mkdir()
        f = tmp_path / folder / "plan.yaml"
        f.write_text(GOOD.format(name=name), encoding="utf-8")
        files.append(str(f))
    out = tmp_path / "out"
    assert main(["batch", *files, "--out", str(out), "--iterations", "50", "--seed", "1", "--quiet"]) == 0
    first, second = (out / "plan.html").read_text(), (out / "plan-2.html").read_text()
    assert "First" in first and "Second" in second
    index = (out / "index.html").read_text()
    assert 'href="plan.html"' in index and 'href="plan-2.html"' in index


def test_batch_matches_status_files_to_programmes(tmp_path, capsys):
    from _helpers import ROOT, run

    plan = ROOT / "data" / "examples" / "seed-pds-eps-cis2.yaml"
    status = ROOT / "data" / "examples" / "tracking" / "status-2027-03-26.yaml"
    out = tmp_path / "out"
    code, _, err = run(capsys, "batch", plan, plan, "--status", status, "--out", out, "--quiet")
    assert code == 2 and "1 status files for 2 programme files" in err and not out.exists()
    code, stdout, err = run(
        capsys, "batch", plan, "--status", status, "--out", out, "--iterations", "100", "--seed", "3", "--quiet"
    )
    assert code == 0, err
    html = (out / "seed-pds-eps-cis2.html").read_text(encoding="utf-8")
    assert "progress at 2027-03-26" in html


def test_batch_refuses_an_existing_report_before_running_any(tmp_path, capsys):
    f = tmp_path / "plan.yaml"
    f.write_text(GOOD.format(name="One"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.ipynb").write_text("keep")
    assert main(["batch", str(f), "--out", str(out), "--iterations", "50", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"spinekit: error: {out / 'plan.ipynb'}: already exists; add --force to replace it, "
        "or choose another --out folder\n"
    )
    assert [p.name for p in out.iterdir()] == ["plan.ipynb"]


def test_successful_runs_print_nothing_on_stderr(tmp_path):
    """No kernel log lines ("KeyboardInterrupt caught in kernel") after runs that succeeded.

    The kernel writes to the terminal directly, so the commands run as a user runs them.
    """
    examples = sorted(str(f) for f in (data_dir() / "examples").glob("*.yaml"))
    command = [sys.executable, "-m", "spinekit"]
    runs = [["batch", *examples, "--out", str(tmp_path / "batch"), "--iterations", "300", "--seed", "1", "--quiet"]]
    runs += [["report", "--out", str(tmp_path / "report"), "--iterations", "300", "--force"]]
    for argv in runs:
        done = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", argv[0]


def test_index_shows_p80_target_and_chance_of_meeting_it(tmp_path, capsys):
    # One task, uniform on [10, 32] working days from Monday 4 January 2027 (no holidays).
    # P80 of F is 27.6, dated on working day 27: Wednesday 10 February. The target, Friday
    # 5 February, is working day 24: met when F <= 25, with chance (25 - 10) / 22 = 68%.
    f = tmp_path / "plan.yaml"
    f.write_text(
        "name: Uniform\nstart: 2027-01-04\ntarget: 2027-02-05\ncalendar: {holidays: none}\n"
        "tasks:\n  - {id: a, duration: {min: 10, likely: 21, max: 32, dist: uniform}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["batch", str(f), "--out", str(out), "--iterations", "40000", "--seed", "5", "--quiet"]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<th>P80 finish</th><th>Target</th><th>Chance of meeting the target</th>" in index
    # The deterministic finish uses the planned (mean) duration, 21 days: day 20, 1 February.
    assert "<td>2027-02-01</td><td>2027-02-10</td><td>2027-02-05</td><td>68%</td>" in index
