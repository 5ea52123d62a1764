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


@pytest.mark.parametrize(
    "days, floats",
    [([10, 2], [0, 244]), ([-5, 3], [-12, 7]), ([123456, 1], [0, 0]), ([-123456, 5], [3, -1])],
)
def test_text_table_lays_out_as_pandas_does(days, floats):
    import pandas as pd

    rows = [["ods-code", "2027-01-04", days[0], floats[0], "yes"], ["x", "2028-12-31", days[1], floats[1], ""]]
    header = ["task", "start", "days", "total float", "critical"]
    assert text_table(header, rows) == pd.DataFrame(rows, columns=header).to_string(index=False)


def test_schedule_table_reads_as_before(capsys, tmp_path):

    from spinekit import read_programme, schedule

    f = write_file(tmp_path, HOSTILE)
    code, out, _ = run(capsys, "schedule", f)
    t = schedule(read_programme(f)).table
    shown = t[["id", "start", "finish", "duration", "total_float", "free_float", "critical"]].copy()
    shown["critical"] = shown["critical"].map({True: "yes", False: ""})
    shown[["start", "finish"]] = shown[["start", "finish"]].astype(str)
    shown.columns = ["task", "start", "finish", "days", "total float", "free float", "critical"]
    assert code == 0 and out.split("\n\n", 1)[1] == shown.to_string(index=False) + "\n"
