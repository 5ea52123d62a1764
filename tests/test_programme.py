"""Programme file validation: every error names the file, the task and the field."""

from __future__ import annotations

import pytest
from _helpers import HEAD, write_programme

from spinekit import CycleError, ProgrammeError, UnknownTaskError, read_programme, schedule


def error_of(tmp_path, body, head=HEAD, exc=ProgrammeError):
    f = write_programme(tmp_path, body, head)
    with pytest.raises(exc) as info:
        schedule(read_programme(f))
    msg = str(info.value)
    assert msg.startswith(str(f)), msg
    return info.value, msg


def test_valid_file_round_trip(tmp_path):
    p = read_programme(
        write_programme(
            tmp_path,
            """
        calendar:
          holidays: scotland
          closures:
            - {from: 2027-12-20, to: 2028-01-04, name: change freeze}
        tasks:
          - id: ods-code
            name: ODS code
            duration: 10
            owner: NHS England
          - id: asid-int
            duration: {min: 5, likely: 10, max: 15, dist: triangular}
            depends_on: [ods-code, {task: ods-code2, type: SS, lag: 2}]
            not_before: 2027-02-01
            deadline: 2027-06-30
          - {id: ods-code2, duration: 0}
    """,
        )
    )
    assert [t.id for t in p.tasks] == ["ods-code", "asid-int", "ods-code2"]
    assert p.calendar.region == "scotland"
    assert p.tasks[1].depends_on[1].type == "SS" and p.tasks[1].depends_on[1].lag == 2
    assert p.tasks[1].duration.dist == "triangular"
    assert p.tasks[0].name == "ODS code" and p.tasks[2].name == "ods-code2"


def test_cycle_shows_the_path(tmp_path):
    err, msg = error_of(
        tmp_path,
        """
        tasks:
          - {id: a, duration: 1, depends_on: [c]}
          - {id: b, duration: 1, depends_on: [a]}
          - {id: c, duration: 1, depends_on: [b]}
    """,
        exc=CycleError,
    )
    assert err.cycle[0] == err.cycle[-1] and set(err.cycle) == {"a", "b", "c"} and len(err.cycle) == 4
    assert " -> ".join(err.cycle) in msg


def test_self_dependency_is_a_cycle(tmp_path):
    err, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: 1, depends_on: [a]}\n", exc=CycleError)
    assert "a -> a" in msg


def test_unknown_dependency_suggests_closest(tmp_path):
    err, msg = error_of(
        tmp_path,
        """
        tasks:
          - {id: asid-int, duration: 1}
          - {id: b, duration: 1, depends_on: [asid-itn]}
    """,
        exc=UnknownTaskError,
    )
    assert "task 'b'" in msg and "depends_on[0]" in msg and "did you mean 'asid-int'" in msg


def test_duplicate_id(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: 1}\n  - {id: a, duration: 2}\n")
    assert "task 'a'" in msg and "duplicate task id" in msg


@pytest.mark.parametrize(
    "value, words",
    [
        ("-1", "0 or more"),
        ("2.5", "whole number"),
        ("ten", "whole number"),
        ("true", "whole number"),
    ],
)
def test_bad_plain_duration(tmp_path, value, words):
    _, msg = error_of(tmp_path, f"tasks:\n  - {{id: a, duration: {value}}}\n")
    assert "task 'a'" in msg and "'duration'" in msg and words in msg


def test_three_point_order_violated(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: {min: 5, likely: 3, max: 9}}\n")
    assert "task 'a'" in msg and "min <= likely <= max" in msg and "duration" in msg


def test_three_point_unknown_distribution_suggests(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: {min: 1, likely: 3, max: 9, dist: triangle}}\n")
    assert "did you mean 'triangular'" in msg and "duration.dist" in msg


@pytest.mark.parametrize("field, value", [("not_before", "2027-02-30"), ("deadline", "soon")])
def test_bad_date(tmp_path, field, value):
    _, msg = error_of(tmp_path, f"tasks:\n  - {{id: a, duration: 1, {field}: {value}}}\n")
    assert "task 'a'" in msg and f"'{field}'" in msg and "YYYY-MM-DD" in msg


def test_bad_start_date(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: 1}\n", head="name: t\nstart: 2027-13-01\n")
    assert "'start'" in msg and "YYYY-MM-DD" in msg


def test_unknown_task_key_suggests(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duraton: 1, duration: 2}\n")
    assert "task 'a'" in msg and "unknown key 'duraton'" in msg and "did you mean 'duration'" in msg


def test_unknown_top_level_key_suggests(tmp_path):
    _, msg = error_of(tmp_path, "calender: {holidays: none}\ntasks:\n  - {id: a, duration: 1}\n")
    assert "unknown key 'calender'" in msg and "did you mean 'calendar'" in msg


def test_unknown_dependency_key(tmp_path):
    _, msg = error_of(
        tmp_path, "tasks:\n  - {id: a, duration: 1}\n  - {id: b, duration: 1, depends_on: [{task: a, lagg: 2}]}\n"
    )
    assert "task 'b'" in msg and "unknown key 'lagg'" in msg and "did you mean 'lag'" in msg


def test_bad_dependency_type_and_lag(tmp_path):
    _, msg = error_of(
        tmp_path, "tasks:\n  - {id: a, duration: 1}\n  - {id: b, duration: 1, depends_on: [{task: a, type: XS}]}\n"
    )
    assert "task 'b'" in msg and "unknown dependency type 'XS'" in msg
    _, msg = error_of(
        tmp_path, "tasks:\n  - {id: a, duration: 1}\n  - {id: b, duration: 1, depends_on: [{task: a, lag: 1.5}]}\n"
    )
    assert "task 'b'" in msg and "lag" in msg and "whole number" in msg


def test_missing_duration(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a}\n")
    assert "task 'a'" in msg and "missing required key 'duration'" in msg


def test_bad_id_characters(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: 'has space', duration: 1}\n")
    assert "letters, digits" in msg


def test_empty_task_list(tmp_path):
    _, msg = error_of(tmp_path, "tasks: []\n")
    assert "task list is empty" in msg


def test_malformed_yaml_gives_line(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: 1\n  - id: b\n")
    assert "malformed YAML" in msg and "line" in msg


def test_duplicate_yaml_key(tmp_path):
    _, msg = error_of(tmp_path, "tasks:\n  - {id: a, duration: 1, duration: 2}\n")
    assert "appears twice" in msg


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", ""])
def test_not_a_mapping(tmp_path, text):
    f = tmp_path / "plan.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProgrammeError, match="not a mapping"):
        read_programme(f)


def test_unknown_holiday_region(tmp_path):
    _, msg = error_of(tmp_path, "calendar: {holidays: scotlnd}\ntasks:\n  - {id: a, duration: 1}\n")
    assert "did you mean 'scotland'" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ProgrammeError, match="no such file"):
        read_programme(tmp_path / "absent.yaml")


def test_duplicate_predecessor(tmp_path):
    _, msg = error_of(
        tmp_path, "tasks:\n  - {id: a, duration: 1}\n  - {id: b, duration: 1, depends_on: [a, {task: a, type: SS}]}\n"
    )
    assert "task 'b'" in msg and "depends_on[1]" in msg and "listed twice" in msg


def test_exception_hierarchy():
    assert issubclass(CycleError, ProgrammeError) and issubclass(CycleError, ValueError)
    assert issubclass(UnknownTaskError, KeyError)


def test_task_that_is_not_a_mapping(tmp_path):
    _, msg = error_of(tmp_path, "tasks: [a]\n")
    assert "each task must be a mapping" in msg and "_Task" not in msg


def test_calendar_that_is_not_a_mapping(tmp_path):
    _, msg = error_of(tmp_path, "calendar: [none]\ntasks:\n  - {id: a, duration: 1}\n")
    assert "'calendar'" in msg and "mapping" in msg and "_Calendar" not in msg


def test_empty_calendar_means_the_default(tmp_path):
    p = read_programme(write_programme(tmp_path, "calendar:\ntasks:\n  - {id: a, duration: 1}\n"))
    assert p.calendar.region == "england-and-wales"


def test_numeric_ids_are_text(tmp_path):
    p = read_programme(
        write_programme(tmp_path, "tasks:\n  - {id: 12, duration: 1}\n  - {id: b, duration: 1, depends_on: [12]}\n")
    )
    assert p.tasks[0].id == "12" and p.tasks[1].depends_on[0].task == "12"


@pytest.mark.parametrize(
    "body, words",
    [
        ("tasks:\n  - {id: a, duration: 5000000}\n", "within 100,000 working days"),
        (
            "tasks:\n  - {id: a, duration: 1}\n  - {id: b, duration: 1, depends_on: [{task: a, lag: 10000000000000000000}]}\n",
            "within 100,000 working days",
        ),
        ("tasks:\n  - {id: a, duration: 1, not_before: 3027-01-01}\n", "outside the years"),
    ],
)
def test_out_of_range_values(tmp_path, body, words):
    _, msg = error_of(tmp_path, body)
    assert words in msg


def test_schedule_past_the_calendar_names_a_task(tmp_path):
    body = "tasks:\n" + "".join(
        f"  - {{id: t{i}, duration: 90000{f', depends_on: [t{i - 1}]' if i else ''}}}\n" for i in range(3)
    )
    _, msg = error_of(tmp_path, body)
    assert "runs too far" in msg and "task 't" in msg


def test_probability_must_be_a_number(tmp_path):
    _, msg = error_of(
        tmp_path, "tasks:\n  - {id: a, duration: 1}\nrisks:\n  - {id: r, probability: '0.5', impact: 2, tasks: [a]}\n"
    )
    assert "probability must be a number" in msg


def test_reading_a_programme_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    from spinekit import ProgrammeError, example_path, read_programme

    assert gc.isenabled()
    read_programme(example_path())
    assert gc.isenabled()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstart: 2027-01-04\ntasks:\n  - {id: a, duration: -1}\n", encoding="utf-8")
    with pytest.raises(ProgrammeError):
        read_programme(bad)
    assert gc.isenabled()
    gc.disable()
    try:
        read_programme(example_path())
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()


def test_a_schedule_past_the_calendar_names_the_task_whose_length_takes_it_there(tmp_path):
    """One task of 90,000 days among short ones: the error names it, not the last task."""
    body = (
        "tasks:\n  - {id: a, duration: 2}\n  - {id: long, duration: 90000, depends_on: [a]}\n"
        "  - {id: z, duration: 1, depends_on: [long]}\n"
    )
    err, msg = error_of(tmp_path, body)
    assert (err.task, err.field) == ("long", "duration")
    # A long task that fits the calendar beside a chain that does not: the chain's end is named.
    body = "tasks:\n  - {id: a, duration: 27000}\n" + "".join(
        f"  - {{id: c{i}, duration: 9000{f', depends_on: [c{i - 1}]' if i else ''}}}\n" for i in range(4)
    )
    err, msg = error_of(tmp_path, body)
    assert (err.task, err.field) == ("c3", "duration")
    # Work left at a status date, typed too long: the status's entry is named, in the file it is in.
    plan = "tasks:\n  - {id: b, duration: 3}\n  - {id: c, duration: 1, depends_on: [b]}\n"
    entry = "  date: 2027-01-08\n  tasks:\n    b: {start: 2027-01-04, remaining: 90000}\n"
    err, msg = error_of(tmp_path, plan + "status:\n" + entry)
    assert (err.task, err.field) == ("b", "status.tasks.b.remaining")
    assert "check the work this task has left in the status" in msg
    f = write_programme(tmp_path, plan)
    status = tmp_path / "status.yaml"
    status.write_text("status:\n" + entry, encoding="utf-8")
    with pytest.raises(ProgrammeError) as info:
        schedule(read_programme(f, status=status))
    assert (info.value.source, info.value.task, info.value.field) == (str(status), "b", "tasks.b.remaining")
