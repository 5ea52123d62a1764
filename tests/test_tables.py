"""The schedule as CSV, JSON and a terminal table, and CSV cells made safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import json

import pytest
from _helpers import run, write_file

from spinekit.interop.tables import csv_text, safe_cell, text_table

HOSTILE = """name: Demo
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: a, name: '=HYPERLINK("http://x","click")', duration: 3, owner: "+cmd|' /C calc'!A0"}
  - {id: b, name: "@SUM(1+1)", duration: 2, depends_on: [a], owner: "-2+3"}
  - {id: c, name: "\\tTabbed", duration: 1, depends_on: [a], owner: "-12.5"}
  - {id: d, name: "a-b=c", duration: 0, depends_on: [b, c], owner: "\\rCR"}
"""


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x","click")', '\'=HYPERLINK("http://x","click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e-3", "-1e-3"),
        ("a-b=c", "a-b=c"),
        ("", ""),
        (-4, -4),
        (-0.25, -0.25),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_schedule_csv_neutralises_formulas_and_keeps_numbers(capsys, tmp_path):
    code, out, _ = run(capsys, "schedule", write_file(tmp_path, HOSTILE), "--format", "csv")
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["a"]["name"] == '\'=HYPERLINK("http://x","click")'
    assert rows["a"]["owner"] == "'+cmd|' /C calc'!A0"
    assert rows["b"]["name"] == "'@SUM(1+1)" and rows["b"]["owner"] == "'-2+3"
    assert rows["c"]["name"] == "'\tTabbed" and rows["c"]["owner"] == "-12.5"
    assert rows["d"]["name"] == "a-b=c" and rows["d"]["owner"] == "'\rCR"
    # Numbers and dates stay what they are: b starts after a's three days, d is a milestone.
    assert (rows["b"]["es"], rows["b"]["ef"], rows["b"]["start"]) == ("3", "5", "2027-01-07")
    assert (rows["d"]["duration"], rows["d"]["critical"], rows["c"]["total_float"]) == ("0", "true", "1")


def test_json_keeps_names_as_written(capsys, tmp_path):
    code, out, _ = run(capsys, "schedule", write_file(tmp_path, HOSTILE), "--format", "json")
    tasks = {t["id"]: t for t in json.loads(out)["tasks"]}
    assert code == 0 and tasks["a"]["name"] == '=HYPERLINK("http://x","click")'
    assert tasks["c"]["total_float"] == 1 and tasks["d"]["finish"] == "2027-01-11"  # the Monday after b


def test_csv_text_quotes_like_the_csv_module_reads():
    text = csv_text(["id", "note"], [["a", 'say "hi", then\nleave'], ["b", None], ["c", True]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "note"],
        ["a", 'say "hi", then\nleave'],
        ["b", ""],
        ["c", "true"],
    ]


def test_text_table_right_aligns_each_column():
    assert text_table(["task", "days"], [["ods-code", 10], ["x", 2]]).splitlines() == [
        "    task days",
        "ods-code   10",
        "       x    2",
    ]


def test_schedule_csv_and_json_carry_basis_and_its_kind(capsys, tmp_path):
    import yaml

    from spinekit.model.files import data_dir

    items = yaml.safe_load((data_dir() / "catalogue" / "items.yaml").read_text(encoding="utf-8"))["items"]
    ods = next(i for i in items if i["id"] == "ods-code")["provenance"]
    cited = "".join(f"[{s}]" for s in ods["sources"])
    f = write_file(
        tmp_path,
        "name: t\nstart: 2027-01-04\nscope: {services: [pds]}\n"
        "overrides: {design: 12}\n"
        "tasks:\n"
        '  - {id: quote, duration: 3, depends_on: [go-live-org1], basis: "supplier\'s written quote"}\n'
        "  - {id: plain, duration: 1, depends_on: [quote]}\n",
    )
    code, out, _ = run(capsys, "schedule", f, "--format", "csv")
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert list(rows["plain"])[-2:] == ["basis", "basis_kind"]
    assert rows["ods-code"]["basis"] == f"{ods['basis']} {cited}: {' '.join(ods['note'].split())}"
    assert rows["ods-code"]["basis_kind"] == ods["basis"]
    assert rows["design"]["basis"].startswith("override: overrides.design in the programme; catalogue: ")
    assert rows["design"]["basis_kind"] == "override"
    assert (rows["quote"]["basis"], rows["quote"]["basis_kind"]) == ("supplier's written quote", "")
    assert (rows["plain"]["basis"], rows["plain"]["basis_kind"]) == ("", "")
    code, out, _ = run(capsys, "schedule", f, "--format", "json")
    tasks = {t["id"]: t for t in json.loads(out)["tasks"]}
    assert tasks["ods-code"]["basis"] == rows["ods-code"]["basis"]
    assert tasks["ods-code"]["basis_kind"] == ods["basis"]
    assert tasks["quote"]["basis"] == "supplier's written quote" and "basis_kind" not in tasks["quote"]
    assert "basis" not in tasks["plain"] and "basis_kind" not in tasks["plain"]
