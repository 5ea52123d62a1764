"""Batch reports: parallel runs, an index page, and failures that do not stop the others."""

from __future__ import annotations

from spinekit.cli import main

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
    # A second batch keeps the first index and reports, adding numbered ones.
    assert main(["batch", str(files[0]), "--out", str(out), "--iterations", "50", "--quiet"]) == 0
    assert (out / "index-2.html").exists() and (out / "plan0-2.html").exists()


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
