"""Other tools' formats, both ways: MSPDI and XER through MPXJ, xlsx read by openpyxl, ics read
by icalendar, and the programme file's JSON Schema read by jsonschema.

The network below is worked by hand (holidays none, a closure on Thu 14 and Fri 15 January):

    a  3 days                          Mon 4 Jan - Wed 6 Jan       es 0  ef 3
    b  2 days, FS from a, lag 2        Mon 11 Jan - Tue 12 Jan     es 5  ef 7
    c  4 days, SS from a, lag 1        Tue 5 Jan - Fri 8 Jan       es 1  ef 5
    d  2 days, FF from c, lead 1;      Wed 6 Jan - Thu 7 Jan       es 2  ef 4
       SF from a, lag 1                (EF >= EF(c) - 1 = 4; EF >= ES(a) + 1 = 1)
    m  milestone after b and d         Wed 13 Jan                  es 7
    e  1 day, not before Wed 20 Jan,   Wed 20 Jan                  es 10 (14-15 closed), ef 11 = F
       deadline Fri 29 Jan

Backward: e is critical; m, b: LF 10, float 3; a: LF 6 (b waits 2 days), float 3; d: LF 10,
float 6; c: LF 11 (FF lead 1 to d, capped at F), float 6. b is an ASID request: latest start
working day 8, Mon 18 Jan.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest
from _helpers import ROOT, run, write_file

D = dt.date

PLAN = """name: '=Hand-worked plan'
start: 2027-01-04
calendar:
  holidays: none
  closures: [{from: 2027-01-14, to: 2027-01-15, name: Freeze}]
tasks:
  - {id: a, name: '=HYPERLINK("http://x","a")', duration: 3, owner: supplier, track: build}
  - {id: b, name: ASID, kind: asid, duration: 2, depends_on: [{task: a, lag: 2}]}
  - {id: c, duration: {min: 3, likely: 4, max: 6}, depends_on: [{task: a, type: SS, lag: 1}]}
  - {id: d, duration: 2, depends_on: [{task: c, type: FF, lag: -1}, {task: a, type: SF, lag: 1}]}
  - {id: m, name: Milestone M, duration: 0, depends_on: [b, d]}
  - {id: e, duration: 1, not_before: 2027-01-20, deadline: 2027-01-29, depends_on: [m]}
"""

DATES = {
    "a": (D(2027, 1, 4), D(2027, 1, 6)),
    "b": (D(2027, 1, 11), D(2027, 1, 12)),
    "c": (D(2027, 1, 5), D(2027, 1, 8)),
    "d": (D(2027, 1, 6), D(2027, 1, 7)),
    "m": (D(2027, 1, 13), D(2027, 1, 13)),
    "e": (D(2027, 1, 20), D(2027, 1, 20)),
}
LINKS = {  # successor: [(predecessor, type, lag in days)]
    "b": [("a", "FS", 2)],
    "c": [("a", "SS", 1)],
    "d": [("c", "FF", -1), ("a", "SF", 1)],
    "m": [("b", "FS", 0), ("d", "FS", 0)],
    "e": [("m", "FS", 0)],
}


@pytest.fixture
def plan(tmp_path):
    return write_file(tmp_path, PLAN)


def _mpxj():
    pytest.importorskip("jpype", reason="MPXJ's Python package needs jpype1: uv sync (the dev group has it)")
    pytest.importorskip("mpxj", reason="the mpxj package is not installed: uv sync")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime for MPXJ (apt-get install default-jre-headless)")
    from spinekit.interop.mspdi import _jvm

    _jvm()


def _day(value):
    return D(value.getYear(), value.getMonthValue(), value.getDayOfMonth())


# --- MSPDI out, read by MPXJ --------------------------------------------------------------------


def test_mspdi_read_by_mpxj_has_the_tasks_links_and_dates(capsys, plan, tmp_path):
    _mpxj()
    out = tmp_path / "plan.xml"
    assert run(capsys, "export", plan, "--to", "mspdi", "--out", out)[0] == 0
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(str(out))
    tasks = {str(t.getText(4)): t for t in project.getTasks() if t.getText(4)}
    assert sorted(tasks) == sorted(DATES)
    for tid, (start, finish) in DATES.items():
        assert (_day(tasks[tid].getStart()), _day(tasks[tid].getFinish())) == (start, finish), tid
    assert {tid: float(t.getDuration().getDuration()) for tid, t in tasks.items()} == {
        "a": 3.0, "b": 2.0, "c": 4.0, "d": 2.0, "m": 0.0, "e": 1.0,
    }  # fmt: skip
    assert bool(tasks["m"].getMilestone()) and not bool(tasks["a"].getMilestone())
    names = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}
    links = {
        tid: sorted(
            (str(r.getPredecessorTask().getText(4)), names[str(r.getType().name())], float(r.getLag().getDuration()))
            for r in t.getPredecessors()
        )
        for tid, t in tasks.items()
        if t.getPredecessors()
    }
    assert links == {k: sorted((p, ty, float(lag)) for p, ty, lag in v) for k, v in LINKS.items()}
    assert str(tasks["e"].getConstraintType().name()) == "START_NO_EARLIER_THAN"
    assert _day(tasks["e"].getConstraintDate()) == D(2027, 1, 20)
    assert _day(tasks["e"].getDeadline()) == D(2027, 1, 29)
    assert str(tasks["a"].getText(1)) == "supplier" and str(tasks["a"].getText(2)) == "build"
    assert str(tasks["a"].getName()) == '=HYPERLINK("http://x","a")'  # XML text, not a spreadsheet cell
    exceptions = [
        (_day(x.getFromDate()), _day(x.getToDate())) for x in project.getDefaultCalendar().getCalendarExceptions()
    ]
    assert exceptions == [(D(2027, 1, 14), D(2027, 1, 15))]


def test_mspdi_carries_bank_holidays_as_calendar_exceptions(capsys, tmp_path):
    _mpxj()
    f = write_file(tmp_path, "name: x\nstart: 2027-03-22\ntasks:\n  - {id: a, duration: 5}\n")
    out = tmp_path / "plan.xml"
    assert run(capsys, "export", f, "--to", "mspdi", "--out", out)[0] == 0
    from org.mpxj.reader import UniversalProjectReader

    project = UniversalProjectReader().read(str(out))
    days = {_day(x.getFromDate()) for x in project.getDefaultCalendar().getCalendarExceptions()}
    assert {D(2027, 3, 26), D(2027, 3, 29), D(2027, 12, 27), D(2027, 12, 28)} <= days  # Easter, Christmas 2027
    (task,) = [t for t in project.getTasks() if t.getText(4)]
    # Mon 22, Tue 23, Wed 24, Thu 25, (Good Friday, weekend, Easter Monday), Tue 30 March.
    assert (_day(task.getStart()), _day(task.getFinish())) == (D(2027, 3, 22), D(2027, 3, 30))


# --- plans written by MPXJ, imported -------------------------------------------------------------


def _mpxj_plan(path, writer):
    """The hand-worked network, written by MPXJ with its known dates (not scheduled by spinekit)."""
    from java.time import LocalDate, LocalDateTime
    from org.mpxj import ConstraintType, Duration, ProjectFile, Relation, RelationType, TimeUnit

    pf = ProjectFile()
    cal = pf.addDefaultBaseCalendar()
    pf.setDefaultCalendar(cal)
    cal.addCalendarException(LocalDate.of(2027, 1, 14), LocalDate.of(2027, 1, 15)).setName("Freeze")
    pf.getProjectProperties().setStartDate(LocalDateTime.of(2027, 1, 4, 8, 0))
    pf.getProjectProperties().setProjectTitle("Supplier plan")
    summary = pf.addTask()
    summary.setName("Build work")
    days = {"a": 3, "b": 2, "c": 4, "d": 2, "m": 0, "e": 1}
    tasks = {}
    for tid, n in days.items():
        t = summary.addTask() if tid in "abc" else pf.addTask()
        t.setName(f"Task {tid}")
        duration = (
            Duration.getInstance(n * 8.0, TimeUnit.HOURS) if tid == "c" else Duration.getInstance(n, TimeUnit.DAYS)
        )
        t.setMilestone(n == 0)
        start, finish = DATES[tid]
        first = LocalDateTime.of(start.year, start.month, start.day, 8, 0)
        last = LocalDateTime.of(finish.year, finish.month, finish.day, 8 if n == 0 else 17, 0)
        # Microsoft Project keeps a duration and dates; Primavera its planned and remaining ones.
        t.setDuration(duration)
        t.setPlannedDuration(duration)
        t.setRemainingDuration(duration)
        t.setStart(first)
        t.setFinish(last)
        t.setPlannedStart(first)
        t.setPlannedFinish(last)
        tasks[tid] = t
    types = {"FS": RelationType.FINISH_START, "SS": RelationType.START_START, "FF": RelationType.FINISH_FINISH,
             "SF": RelationType.START_FINISH}  # fmt: skip
    for succ, links in LINKS.items():
        for pred, kind, lag in links:
            tasks[succ].addPredecessor(
                Relation.Builder()
                .predecessorTask(tasks[pred])
                .type(types[kind])
                .lag(Duration.getInstance(lag, TimeUnit.DAYS))
            )
    tasks["e"].setConstraintType(ConstraintType.START_NO_EARLIER_THAN)
    tasks["e"].setConstraintDate(LocalDateTime.of(2027, 1, 20, 8, 0))
    tasks["e"].setDeadline(LocalDateTime.of(2027, 1, 29, 17, 0))
    writer().write(pf, str(path))


@pytest.mark.parametrize("fmt", ["mspdi", "xer", "pmxml"])
def test_a_plan_written_by_mpxj_imports_with_the_same_dates(capsys, tmp_path, fmt):
    _mpxj()
    from org.mpxj.mspdi import MSPDIWriter
    from org.mpxj.primavera import PrimaveraPMFileWriter, PrimaveraXERFileWriter

    writers = {"mspdi": MSPDIWriter, "xer": PrimaveraXERFileWriter, "pmxml": PrimaveraPMFileWriter}
    source = tmp_path / {"mspdi": "plan.xml", "xer": "plan.xer", "pmxml": "plan-pm.xml"}[fmt]
    _mpxj_plan(source, writers[fmt])
    out = tmp_path / "programme.yaml"
    code, _, err = run(capsys, "import", source, "--out", out)
    assert code == 0, err
    assert err == ""  # nothing the plan uses goes uncarried (Primavera's project calendar included)
    from spinekit.model.files import load_yaml

    calendar = load_yaml(out.read_text())["calendar"]
    closed = {
        D.fromordinal(n)
        for c in calendar["closures"]
        for n in range(D.fromisoformat(c["from"]).toordinal(), D.fromisoformat(c["to"]).toordinal() + 1)
    }
    assert calendar["holidays"] == "none" and closed == {D(2027, 1, 14), D(2027, 1, 15)}  # XER keeps days, not names
    code, text, _ = run(capsys, "schedule", out, "--format", "json")
    assert code == 0
    got = {t["name"]: (D.fromisoformat(t["start"]), D.fromisoformat(t["finish"])) for t in json.loads(text)["tasks"]}
    assert got == {f"Task {tid}": dates for tid, dates in DATES.items()}
    tracks = {t["name"]: t.get("track") for t in json.loads(text)["tasks"]}
    assert tracks["Task a"] == tracks["Task c"] == "Build work" and tracks["Task e"] is None


def test_import_lists_what_it_cannot_carry_over(capsys, tmp_path):
    _mpxj()
    from java.time import LocalDateTime
    from org.mpxj import ConstraintType, Duration, ProjectFile, TimeUnit
    from org.mpxj.mspdi import MSPDIWriter

    pf = ProjectFile()
    pf.setDefaultCalendar(pf.addDefaultBaseCalendar())
    pf.getProjectProperties().setStartDate(LocalDateTime.of(2027, 1, 4, 8, 0))
    late = pf.addTask()
    late.setName("As late as possible")
    late.setDuration(Duration.getInstance(2, TimeUnit.DAYS))
    late.setConstraintType(ConstraintType.AS_LATE_AS_POSSIBLE)
    elapsed = pf.addTask()
    elapsed.setName("Elapsed wait")
    elapsed.setDuration(Duration.getInstance(7, TimeUnit.ELAPSED_DAYS))
    nights = pf.addTask()
    nights.setName("Night work")
    nights.setDuration(Duration.getInstance(1, TimeUnit.DAYS))
    calendar = pf.addDefaultBaseCalendar()
    calendar.setName("Nights")
    nights.setCalendar(calendar)
    source = tmp_path / "plan.xml"
    MSPDIWriter().write(pf, str(source))
    out = tmp_path / "programme.yaml"
    code, _, err = run(capsys, "import", source, "--out", out)
    assert code == 0
    text = out.read_text()
    assert "'As late as possible': constraint as late as possible is not supported" in err
    assert "'Elapsed wait': 7 elapsed_days (elapsed or percent durations are not supported)" in err
    assert "task 'Night work': its own calendar Nights is not supported" in err
    assert "'As late as possible': its own calendar" not in err  # the project's calendar is no problem
    assert "#   - task 'As late as possible': constraint as late as possible is not supported" in text


def test_import_tags_a_task_with_the_one_catalogue_item_of_its_name(capsys, tmp_path):
    _mpxj()
    from java.time import LocalDateTime
    from org.mpxj import Duration, ProjectFile, TimeUnit
    from org.mpxj.mspdi import MSPDIWriter

    from spinekit.interop.mspdi import catalogue_kinds

    pf = ProjectFile()
    pf.setDefaultCalendar(pf.addDefaultBaseCalendar())
    pf.getProjectProperties().setStartDate(LocalDateTime.of(2027, 1, 4, 8, 0))
    for name in ("ODS code for the supplier organisation", "National Service Desk registration (supplier)", "Build"):
        t = pf.addTask()
        t.setName(name)
        t.setDuration(Duration.getInstance(2, TimeUnit.DAYS))
    source, out = tmp_path / "plan.xml", tmp_path / "programme.yaml"
    MSPDIWriter().write(pf, str(source))
    assert run(capsys, "import", source, "--out", out)[0] == 0
    code, text, _ = run(capsys, "schedule", out, "--format", "json")
    kinds = {t["name"]: t.get("kind") for t in json.loads(text)["tasks"]}
    assert kinds == {
        "ODS code for the supplier organisation": "ods-code",
        "National Service Desk registration (supplier)": "service-desk-registration",
        "Build": None,
    }
    assert catalogue_kinds()["ods code for the supplier organisation"] == "ods-code"


def test_import_refuses_to_replace_a_file(capsys, tmp_path):
    out = write_file(tmp_path, "keep me", "programme.yaml")
    code, _, err = run(capsys, "import", tmp_path / "missing.xml", "--out", out)
    assert code == 2 and "already exists" in err and out.read_text() == "keep me"


# --- xlsx, read by openpyxl -----------------------------------------------------------------------


def test_xlsx_read_by_openpyxl(capsys, plan, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "plan.xlsx"
    assert run(capsys, "export", plan, "--to", "xlsx", "--out", out, "--iterations", "200", "--seed", "1")[0] == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Schedule", "Risk", "Assumptions", "Health check"]
    ws = book["Schedule"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["id", "name", "start", "finish", "duration", "total_float", "free_float", "critical"]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    for tid, (start, finish) in DATES.items():
        assert (rows[tid]["start"].date(), rows[tid]["finish"].date()) == (start, finish), tid
    assert rows["a"]["name"] == '\'=HYPERLINK("http://x","a")'  # text, never a formula
    assert ws["B2"].data_type == "s"
    floats = {tid: rows[tid]["total_float"] for tid in DATES}
    assert floats == {"a": 3, "b": 3, "c": 6, "d": 6, "m": 3, "e": 0}
    assert (rows["e"]["critical"], rows["b"]["critical"], rows["b"]["kind"]) == ("yes", "no", "asid")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:N7"
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assumptions = list(book["Assumptions"].iter_rows(values_only=True))
    assert ("closure", dt.datetime(2027, 1, 14), dt.datetime(2027, 1, 15), "Freeze") in assumptions
    assert assumptions[1][:2] == ("programme", "'=Hand-worked plan")


def test_binary_exports_need_out(capsys, plan):
    code, out, err = run(capsys, "export", plan, "--to", "xlsx")
    assert code == 2 and out == "" and "--out FILE.xlsx" in err


# --- ics, read by icalendar ------------------------------------------------------------------------


def test_ics_read_by_icalendar(capsys, plan, tmp_path):
    from icalendar import Calendar

    out = tmp_path / "plan.ics"
    assert run(capsys, "export", plan, "--to", "ics", "--out", out)[0] == 0
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == ["Milestone: Milestone M", "Raise by: ASID"]
    milestone, request = events["Milestone: Milestone M"], events["Raise by: ASID"]
    assert (milestone.decoded("dtstart"), milestone.decoded("dtend")) == (D(2027, 1, 13), D(2027, 1, 14))
    assert (request.decoded("dtstart"), request.decoded("dtend")) == (D(2027, 1, 18), D(2027, 1, 19))
    assert "earliest start 2027-01-11, 3 working days of float" in str(request["description"])
    assert str(milestone["uid"]) != str(request["uid"])
    again = tmp_path / "again.ics"
    run(capsys, "export", plan, "--to", "ics", "--out", again)
    uids = sorted(str(e["uid"]) for e in Calendar.from_ical(again.read_bytes()).walk("VEVENT"))
    assert uids == sorted(str(e["uid"]) for e in cal.walk("VEVENT"))  # a newer export updates, not duplicates


# --- JSON Schema -----------------------------------------------------------------------------------


def test_schema_validates_the_examples_and_rejects_broken_files(capsys):
    import jsonschema

    from spinekit import data_dir
    from spinekit.model.files import load_yaml

    code, text, _ = run(capsys, "schema")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in sorted((data_dir() / "examples").glob("*.yaml")):
        assert list(validator.iter_errors(load_yaml(example.read_text()))) == [], example.name
    good = load_yaml(PLAN)
    assert list(validator.iter_errors(good)) == []
    broken = [
        ("tasks", 0, "colour", "red"),  # unknown key
        ("tasks", 2, "duration", {"min": 3, "likely": 4, "max": 6, "dist": "normal"}),
        ("tasks", 5, "not_before", "20/01/2027"),
        ("tasks", 1, "duration", -2),
    ]
    for key, i, field, value in broken:
        data = load_yaml(PLAN)
        data[key][i][field] = value
        assert list(validator.iter_errors(data)), (field, value)
    assert list(validator.iter_errors({**good, "calendar": {"holidays": "wales"}}))


def test_shipped_schema_is_current_and_new_points_at_it(capsys):
    from spinekit import data_dir
    from spinekit.model.jsonschema import schema_text

    shipped = data_dir() / "schema" / "programme.schema.json"
    assert shipped.read_text() == schema_text()
    code, out, _ = run(capsys, "new", "--services", "pds")
    first = out.splitlines()[0]
    assert code == 0 and first == f"# yaml-language-server: $schema={shipped.resolve().as_uri()}"


def test_a_name_two_catalogue_items_share_tags_nothing():
    from types import SimpleNamespace

    from spinekit.interop.mspdi import catalogue_kinds

    items = [
        SimpleNamespace(id="asid", name="ASID issued (INT)", production=None),
        SimpleNamespace(id="asid-ers", name="ASID issued", production=None),
        SimpleNamespace(id="hscn", name="HSCN connection", production=SimpleNamespace(name="HSCN live (production)")),
    ]
    assert catalogue_kinds(SimpleNamespace(items=items)) == {
        "asid issued": None,
        "hscn connection": "hscn",
        "hscn live": "hscn",
    }


# --- a real Microsoft Project file ----------------------------------------------------------------

#: tests/data/mpxj/README.md: each "Task 2" after the "Task 1" before it, and the dates Microsoft
#: Project saved (all "Task 1" on Wednesday 29 October 2014; Task 2 worked by hand from the link).
MPP_PAIRS = [
    ("FS", 0, D(2014, 10, 30)),
    ("FS", 1, D(2014, 10, 31)),
    ("FS", 2, D(2014, 11, 3)),
    ("FS", 5, D(2014, 11, 6)),  # 1 week
    ("FS", 10, D(2014, 11, 13)),  # 2 weeks
    ("SF", 2, D(2014, 10, 30)),  # finishes by 2 days after Task 1 starts
    ("SS", 2, D(2014, 10, 31)),
    ("FF", 2, D(2014, 10, 31)),
]


def test_a_microsoft_project_mpp_file_imports_with_its_tasks_links_and_dates(capsys, tmp_path):
    _mpxj()
    from org.mpxj.reader import UniversalProjectReader

    from spinekit.model.files import load_yaml

    source = ROOT / "tests" / "data" / "mpxj" / "task-links-project2000-mpp9.mpp"
    out = tmp_path / "programme.yaml"
    # In a process of its own, so that anything Java prints on starting shows too.
    done = subprocess.run(
        [sys.executable, "-m", "spinekit", "import", str(source), "--out", str(out)], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    data = load_yaml(out.read_text())
    assert data["start"] == "2014-10-29" and data["calendar"] == {"holidays": "none"}
    tasks = data["tasks"]
    assert [t["name"] for t in tasks] == ["Task 1", "Task 2"] * 8
    assert [t["duration"] for t in tasks] == [1] * 16
    for i, (kind, lag, _) in enumerate(MPP_PAIRS):
        first, second = tasks[2 * i], tasks[2 * i + 1]
        assert "depends_on" not in first
        (link,) = second["depends_on"]
        got = (link, "FS", 0) if isinstance(link, str) else (link["task"], link.get("type", "FS"), link.get("lag", 0))
        assert got == (first["id"], kind, lag), i

    code, text, _ = run(capsys, "schedule", out, "--format", "json")
    rows = [(D.fromisoformat(t["start"]), D.fromisoformat(t["finish"])) for t in json.loads(text)["tasks"]]
    expected = []
    for _, _, day in MPP_PAIRS:
        expected += [(D(2014, 10, 29), D(2014, 10, 29)), (day, day)]
    assert rows == expected
    # The same dates as MPXJ reads them from the file (tasks 1 to 16; 0 is the project summary).
    project = UniversalProjectReader().read(str(source))
    saved = [(_day(t.getStart()), _day(t.getFinish())) for t in project.getTasks() if int(t.getID()) > 0]
    assert rows == saved


# --- what main has without a dedicated test --------------------------------------------------------


def test_without_java_or_mpxj_the_error_says_what_to_install(capsys, plan, monkeypatch):
    jpype = pytest.importorskip("jpype")
    monkeypatch.setattr(jpype, "isJVMStarted", lambda: False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, out, err = run(capsys, "export", plan, "--to", "mspdi")
    assert (code, out) == (2, "")
    assert err == (
        "spinekit: error: Microsoft Project and Primavera files need a Java runtime (11 or later), which MPXJ "
        "runs on: install one (e.g. apt-get install default-jre-headless) or set JAVA_HOME\n"
    )
    monkeypatch.setitem(sys.modules, "mpxj", None)  # the optional extra is not installed
    code, _, err = run(capsys, "import", plan)
    assert code == 2 and "need MPXJ: pip install 'spinekit[interop]'" in err


def test_import_takes_owners_from_resources_and_bank_holidays_as_closures(capsys, tmp_path):
    """An exported Easter plan (Mon 22 March 2027, 5 days over Good Friday and Easter Monday,
    worked by hand to Tue 30 March) imports with the holidays as closures and the same dates."""
    _mpxj()
    f = write_file(tmp_path, "name: x\nstart: 2027-03-22\ntasks:\n  - {id: a, duration: 5}\n")
    exported = tmp_path / "plan.xml"
    assert run(capsys, "export", f, "--to", "mspdi", "--out", exported)[0] == 0
    out = tmp_path / "back.yaml"
    assert run(capsys, "import", exported, "--out", out)[0] == 0
    code, text, _ = run(capsys, "schedule", out, "--format", "json")
    (row,) = json.loads(text)["tasks"]
    assert (row["id"], row["start"], row["finish"]) == ("a", "2027-03-22", "2027-03-30")

    from java.time import LocalDateTime
    from org.mpxj import Duration, ProjectFile, TimeUnit
    from org.mpxj.mspdi import MSPDIWriter

    pf = ProjectFile()
    pf.setDefaultCalendar(pf.addDefaultBaseCalendar())
    pf.getProjectProperties().setStartDate(LocalDateTime.of(2027, 1, 4, 8, 0))
    task = pf.addTask()
    task.setName("Pen test")
    task.setDuration(Duration.getInstance(5, TimeUnit.DAYS))
    for name in ("Acme Security", "Trust IT"):
        resource = pf.addResource()
        resource.setName(name)
        task.addResourceAssignment(resource)
    source = tmp_path / "owners.xml"
    MSPDIWriter().write(pf, str(source))
    assert run(capsys, "import", source, "--out", tmp_path / "owners.yaml")[0] == 0
    code, text, _ = run(capsys, "schedule", tmp_path / "owners.yaml", "--format", "json")
    assert json.loads(text)["tasks"][0]["owner"] == "Acme Security, Trust IT"


def test_xlsx_has_owner_track_provenance_and_a_scenario_sheet(capsys, tmp_path):
    """Scenario "longer-e" makes e 6 days instead of 1: the plan finishes 5 working days later,
    Wed 27 January 2027 (the network of this module, e from Wed 20 January)."""
    from openpyxl import load_workbook

    body = PLAN.replace(
        "duration: 3, owner: supplier, track: build}", "duration: 3, owner: supplier, track: build, basis: quoted}"
    )
    body += "scenarios:\n  - id: longer-e\n    name: E takes longer\n    changes:\n      - {task: e, duration: 6}\n"
    f = write_file(tmp_path, body)
    out = tmp_path / "plan.xlsx"
    assert run(capsys, "export", f, "--to", "xlsx", "--out", out)[0] == 0
    book = load_workbook(out)
    assert book.sheetnames == ["Schedule", "Scenarios", "Assumptions", "Health check"]
    ws = book["Schedule"]
    header = [c.value for c in ws[1]]
    a = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=True))
    assert (a["owner"], a["track"], a["basis"]) == ("supplier", "build", "quoted")
    widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMN"]
    assert all(w >= len(h) + 2 for w, h in zip(widths, header, strict=True))  # every header reads whole
    assert widths[1] >= len('=HYPERLINK("http://x","a")') and widths[2] >= 10  # the longest name; a date
    rows = list(book["Scenarios"].iter_rows(values_only=True))
    assert rows[0] == ("scenario", "name", "finish", "working days", "vs plan as written")
    assert rows[1][:3] == ("longer-e", "E takes longer", dt.datetime(2027, 1, 27)) and rows[1][4] == 5
    assert book["Scenarios"].freeze_panes == "A2"


def test_mspdi_of_a_programme_at_a_status_date_holds_tasks_not_started(capsys, tmp_path):
    _mpxj()
    source = write_file(
        tmp_path,
        "name: t\nstart: 2027-01-04\ncalendar: {holidays: none}\ntasks:\n"
        "  - {id: a, duration: 5}\n"
        "  - {id: b, duration: 3, depends_on: [a]}\n"
        "  - {id: c, duration: 2, not_before: 2027-01-25}\n"
        "  - {id: d, duration: 1, not_before: 2027-01-06}\n"
        "status:\n  date: 2027-01-13\n  tasks:\n    a: {start: 2027-01-05, finish: 2027-01-11}\n",
    )
    out = tmp_path / "plan.xml"
    assert run(capsys, "export", source, "--to", "mspdi", "--out", out)[0] == 0
    from org.mpxj.reader import UniversalProjectReader

    tasks = {str(t.getText(4)): t for t in UniversalProjectReader().read(str(out)).getTasks() if t.getText(4)}
    # Wednesday 13th: tasks not started start no earlier than Thursday 14th, or their own later date.
    constraints = {tid: (str(t.getConstraintType().name()), _day(t.getConstraintDate())) for tid, t in tasks.items()}
    assert constraints == {
        "a": ("START_NO_EARLIER_THAN", D(2027, 1, 5)),
        "b": ("START_NO_EARLIER_THAN", D(2027, 1, 14)),
        "c": ("START_NO_EARLIER_THAN", D(2027, 1, 25)),
        "d": ("START_NO_EARLIER_THAN", D(2027, 1, 14)),
    }
    assert {tid: _day(t.getStart()) for tid, t in tasks.items()} == {
        "a": D(2027, 1, 5), "b": D(2027, 1, 14), "c": D(2027, 1, 25), "d": D(2027, 1, 14),
    }  # fmt: skip
