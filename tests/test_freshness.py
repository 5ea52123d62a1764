"""Freshness: dated sources, the source-age rule, the re-verify table and the renewal rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest
import yaml
from _helpers import T, run, sound_tasks, write_file

from spinekit import (
    Dependency,
    Duration,
    Programme,
    WorkingCalendar,
    check_plan,
    data_dir,
    load_catalogue,
    reverify_table,
    schedule,
)

START = dt.date(2027, 1, 4)  # a Monday; no holidays in the calendars below
CHECKED = dt.date(2026, 12, 3)  # a week after the catalogue's sources were last checked


def sound(**edits) -> Programme:
    """A sound Spine plan (no errors or warnings on its own), with tasks' fields edited.

    Likely durations give, by hand: ods 0-10, asid-int 10-20, build 20-40, conf 40-50, scal 50-60,
    smoke 60-65, live 65: all critical. design 0-10 has 10 days of float; obs (SS build +2) 22-32
    has 8; cso 0-20 and dspt 10-20 have 30; dcb0160 20-30 has 35.
    """
    tasks = sound_tasks()
    for tid, fields in edits.items():
        tasks[tid.replace("_", "-")] = dataclasses.replace(tasks[tid.replace("_", "-")], **fields)
    return Programme("Fresh", WorkingCalendar(START, "none"), tuple(tasks.values()))


def found(programme: Programme, **kw) -> dict:
    return {f.rule: f for f in check_plan(programme, **kw).findings}


# --- every source is dated ---------------------------------------------------------------------------


def test_every_source_has_an_as_of_date_and_basis():
    raw = yaml.safe_load((data_dir() / "catalogue" / "sources.yaml").read_text(encoding="utf-8"))
    for entry in raw["sources"]:
        as_of = entry["as_of"]
        assert as_of["basis"] in ("stated", "retrieved"), entry["id"]
        assert as_of["note"].strip(), entry["id"]
        # A day, or (stated only) the year or month the source gives.
        assert isinstance(as_of["date"], dt.date) or (
            as_of["basis"] == "stated" and re.fullmatch(r"\d{4}(-\d{2})?", str(as_of["date"]))
        ), entry["id"]
    sources = {s.id: s for s in load_catalogue().sources}
    # The PTL news item dates itself: the week commencing 19 May 2025.
    assert sources["S24"].as_of.date == dt.date(2025, 5, 19) and sources["S24"].as_of.basis == "stated"
    # The others carry no date of their own: they were checked at the catalogue review.
    assert sources["S50"].as_of.date == dt.date(2026, 11, 26) and sources["S50"].as_of.basis == "retrieved"
    # The EPS specification seen gives only its year, and the leased-line article its month: the
    # last day of that period counts, and the date reads as the source gives it.
    s8, s55 = sources["S8"].as_of, sources["S55"].as_of
    assert (s8.date, s8.basis, s8.label) == (dt.date(2023, 12, 31), "stated", "2023")
    assert (s55.date, s55.basis, s55.label) == (dt.date(2022, 5, 31), "stated", "2022-05")


@pytest.mark.parametrize(
    "source, words",
    [
        ("S8", "2023"),  # EPS: new suppliers paused during the 2023 review
        ("S29", "limited number of suppliers"),
        ("S46", "create-patient"),  # PDS create-patient: spec and service manual disagree
        ("S47", "create-patient"),
        ("S24", "DEV and TRAIN"),
    ],
)
def test_sources_whose_figures_move_are_marked_to_reverify(source, words):
    assert words in load_catalogue().source(source).reverify


def test_s61_no_longer_carries_a_broken_address():
    # The token endpoint is what the client code calls, not where the source is: a code search.
    assert load_catalogue().source("S61").urls == ()


# --- source-age ---------------------------------------------------------------------------------------


def aged() -> Programme:
    """build (critical) and dcb0160 (35 days of float) rest on S24 of 2025-05-19; asid-int on S50."""
    return sound(
        build={"basis": "published [S24]: PTL news"},
        dcb0160={"basis": "published [S24]: PTL news"},
        asid_int={"basis": "estimate [S50]: a form"},
    )


def test_source_age_warns_on_the_critical_task_with_an_old_source_only():
    f = found(aged(), today=CHECKED)["source-age"]
    # 19 May 2025 to 3 Dec 2026: 196 days to 1 Dec 2025, then 365, then 2.
    assert f.severity == "warning" and f.tasks == ("build",)
    assert "build rests on S24, as of 2025-05-19 (stated), 563 days old" in f.message
    assert "dcb0160" not in f.message and "asid-int" not in f.message  # off the path; fresh
    assert f.fix.startswith("Re-verify S24 before committing a date")


def test_source_age_threshold():
    assert "source-age" not in found(aged(), today=CHECKED, source_age=563)
    assert found(aged(), today=CHECKED, source_age=562)["source-age"].tasks == ("build",)
    # S50 was checked on 2026-11-26, 7 days before: older than a 6-day limit.
    assert found(aged(), today=CHECKED, source_age=6)["source-age"].tasks == ("asid-int", "build")


def test_no_source_age_finding_for_fresh_sources():
    plan = sound(build={"basis": "estimate [S50]: a form"})
    assert "source-age" not in found(plan, today=CHECKED)


PLAN_FILE = """name: Fresh
start: 2027-01-04
calendar: {holidays: none}
tasks:
  - {id: ods, name: ODS code, kind: ods-code, duration: 10}
  - {id: dspt, name: DSPT, kind: dspt, duration: 10, depends_on: [ods]}
  - {id: cso, name: CSO and DCB0129, kind: cso-dcb0129, duration: 10}
  - {id: design, name: Design, kind: design, duration: 5}
  - {id: build, name: Build PDS against INT, kind: build, service: pds, environment: int, duration: 20,
     depends_on: [ods, design], basis: "published [S24]: PTL news"}
  - {id: obs, name: Observability, kind: reconciliation-observability, duration: 5, depends_on: [build]}
  - {id: conf, name: Conformance, kind: conformance, duration: 5, depends_on: [obs]}
  - {id: scal, name: SCAL, kind: scal, duration: 5, depends_on: [conf, dspt, cso]}
  - {id: smoke, name: Smoke test, kind: smoke-test, environment: production, duration: 5, depends_on: [scal]}
  - {id: live, name: Go live, kind: go-live, environment: production, duration: 0, depends_on: [smoke]}
"""


def test_check_source_age_counts_to_the_status_date_on_the_command_line(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN_FILE)
    status = tmp_path / "status.yaml"

    def check(status_date, *flags):
        status.write_text(f"status:\n  date: {status_date}\n  tasks: {{}}\n", encoding="utf-8")
        code, out, err = run(capsys, "check", plan, "--status", status, "--format", "json", *flags)
        return code, {f["rule"]: f for f in json.loads(out)["findings"]}, err

    # A status date before the start: nothing has happened yet, ages count to that date.
    code, rules, err = check("2026-06-01")  # 378 days after 2025-05-19
    assert code == 0 and err == "" and rules["source-age"]["tasks"] == ["build"]
    assert "more than 365 days old on 2026-06-01" in rules["source-age"]["message"]
    code, rules, _ = check("2026-06-01", "--source-age", "378")
    assert code == 0 and "source-age" not in rules
    code, rules, _ = check("2025-12-01")  # 196 days
    assert code == 0 and "source-age" not in rules


def test_check_source_age_flag_rejects_a_negative_number(tmp_path, capsys):
    plan = write_file(tmp_path, PLAN_FILE)
    code, out, err = run_exit(capsys, "check", plan, "--source-age", "-1")
    assert code == 2 and out == "" and "--source-age" in err and "expected a whole number of 0 or more" in err


def run_exit(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        run(capsys, *argv)
    out, err = capsys.readouterr()
    return info.value.code, out, err


# --- the re-verify table -----------------------------------------------------------------------------


def test_reverify_table_lists_critical_and_near_critical_tasks_with_old_or_moving_sources():
    plan = sound(
        build={"basis": "published [S24]: PTL news"},  # critical; old and marked to re-verify
        smoke={"basis": "published [S7]: production test patient"},  # critical; PDS statuses move
        obs={"basis": "published [S8]: EPS"},  # 8 days of float: near-critical; EPS intake
        design={"basis": "estimate [S50]: a form"},  # 10 days of float, but a fresh unmarked source
        dcb0160={"basis": "published [S24]: PTL news"},  # 35 days of float: not near-critical
    )
    table = reverify_table(schedule(plan), as_of=CHECKED)
    assert list(table.columns) == ["task", "name", "total float", "source", "as of", "why"]
    assert table[["task", "total float", "source", "as of"]].values.tolist() == [
        ["build", 0, "S24", "2025-05-19 (stated)"],
        ["smoke", 0, "S7", "2026-11-26 (retrieved)"],
        ["obs", 8, "S8", "2023 (stated)"],
    ]
    why = dict(zip(table["task"], table["why"]))
    assert "563 days old on 2026-12-03, more than 365" in why["build"] and "DEV and TRAIN" in why["build"]
    assert "days old" not in why["smoke"] and "alpha to beta" in why["smoke"]
    # 31 Dec 2023 to 3 Dec 2026: 1 + 366 + 365 + 336 days.
    assert "2023 review" in why["obs"] and "1068 days old on 2026-12-03" in why["obs"]
    # Nearer-critical only: with 5 days allowed, obs (8 days of float) drops out.
    assert reverify_table(schedule(plan), as_of=CHECKED, near_critical=5)["task"].tolist() == ["build", "smoke"]


def test_reverify_table_leaves_out_finished_tasks(tmp_path):
    from spinekit import read_programme

    text = PLAN_FILE + "status:\n  date: 2027-02-12\n  tasks:\n    ods: {start: 2027-01-04, finish: 2027-01-15}\n"
    text = text.replace("kind: ods-code, duration: 10}", 'kind: ods-code, duration: 10, basis: "published [S8]: x"}')
    plan = read_programme(write_file(tmp_path, text))
    rows = reverify_table(schedule(plan), as_of=dt.date(2027, 2, 12))
    assert rows["task"].tolist() == ["build"]  # ods cites S8 too, but it is done


# --- DSPT republication ---------------------------------------------------------------------------


def dspt_plan(smoke_days: int, *, held: bool = False) -> Programme:
    """The DSPT finishes on 2027-01-29 (days 10-20); go-live on day 65 + smoke_days - 5."""
    edits = {"smoke": {"duration": Duration.fixed(smoke_days)}}
    if held:
        edits["dspt"] = {"duration": Duration.fixed(0), "depends_on": ()}
    return sound(**edits)


def test_dspt_republication_fires_when_the_plan_crosses_the_next_years_deadline():
    # A DSPT published on 29 January 2027 meets the 30 June 2027 deadline; the next is 30 June 2028.
    # Go-live on day 60 + 380 = 440, a Monday: 2027-01-04 + 88 weeks = 2028-09-11.
    f = found(dspt_plan(380), today=CHECKED)["dspt-republication"]
    assert f.tasks == ("dspt",) and "dspt (published 2027-01-29) must be republished by 2028-06-30" in f.message
    assert "go-live on 2028-09-11" in f.message
    # smoke waits for the DSPT (through SCAL) and runs past the deadline: a warning.
    assert f.severity == "warning" and "smoke" in f.message
    assert "finishing by 2028-06-30" in f.fix


def test_no_dspt_republication_before_the_next_years_deadline():
    # Go-live on day 60 + 325 = 385 = 77 weeks: 2028-06-26, before 30 June 2028.
    assert "dspt-republication" not in found(dspt_plan(325), today=CHECKED)
    assert "dspt-republication" not in found(sound(), today=CHECKED)  # live in April 2027


def test_a_dspt_already_held_is_republished_by_the_first_deadline_crossed():
    # In place on day 0; go-live on day 60 + 130 = 190 = 38 weeks: 2027-09-27.
    f = found(dspt_plan(130, held=True), today=CHECKED)["dspt-republication"]
    assert "dspt (in place at 2027-01-04) must be republished by 2027-06-30" in f.message
    # Go-live on day 60 + 60 = 120 = 24 weeks: 2027-06-21, before the deadline.
    assert "dspt-republication" not in found(dspt_plan(60, held=True), today=CHECKED)


# --- credential expiry ----------------------------------------------------------------------------


def with_credentials(smoke_days: int) -> Programme:
    """INT certificates issued on day 24 (2027-02-05); test smartcards on day 9 (2027-01-15)."""
    plan = sound(smoke={"duration": Duration.fixed(smoke_days)})
    extra = (
        T("certs-int", "spine-certificates", 5, ["asid-int"], environment="int"),
        T("cards", "test-smartcards", 10),
    )
    return dataclasses.replace(plan, tasks=plan.tasks + extra)


def test_credential_expiry_names_the_credential_and_its_estimated_validity():
    # Go-live on 2028-09-11 (day 440): certificates issued 2027-02-05 expire after 365 days,
    # on 2028-02-05; test smartcards (two years) last until 2029-01-14.
    f = found(with_credentials(380), today=CHECKED)["credential-expiry"]
    assert f.severity == "warning" and f.tasks == ("certs-int",)
    assert "certs-int issued 2027-02-05 expires about 2028-02-05, before go-live on 2028-09-11" in f.message
    assert "365 days, estimate [S56][S59]" in f.message


def test_test_smartcards_expire_after_two_years():
    # Go-live on day 660: 2029-07-16, after the cards' 2029-01-14.
    f = found(with_credentials(600), today=CHECKED)["credential-expiry"]
    assert f.tasks == ("certs-int", "cards")
    assert "cards issued 2027-01-15 expires about 2029-01-14" in f.message and "730 days, published [S45]" in f.message


def test_no_credential_expiry_while_the_credentials_are_valid():
    assert "credential-expiry" not in found(with_credentials(5), today=CHECKED)  # live in April 2027


# --- renewals.yaml is checked -------------------------------------------------------------------


def renewals_data():
    return yaml.safe_load((data_dir() / "catalogue" / "renewals.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, words",
    [
        (
            lambda d: d["dspt"].update(deadline={"month": 2, "day": 29}),
            "entry 'dspt': field 'deadline': expected a day",
        ),
        (lambda d: d["credentials"][0].update(validity_days=0), "entry 'spine-certificates': field 'validity_days'"),
        (
            lambda d: d["credentials"][1]["provenance"].update(sources=["S99"]),
            "field 'provenance.sources': unknown source 'S99'",
        ),
        (lambda d: d["dspt"]["provenance"].update(basis="guess"), "unknown basis 'guess'; use one of published"),
    ],
)
def test_renewals_file_errors_name_the_entry_and_field(change, words):
    from spinekit import CatalogueError
    from spinekit.analysis.freshness import parse_renewals

    data = renewals_data()
    assert parse_renewals(data, "renewals.yaml", ["S45", "S52", "S56", "S59"]).dspt_deadline == (6, 30)
    change(data)
    with pytest.raises(CatalogueError) as info:
        parse_renewals(data, "renewals.yaml", ["S45", "S52", "S56", "S59"])
    assert str(info.value).startswith("renewals.yaml: ") and words in str(info.value)


def test_a_dspt_milestone_at_the_end_of_its_work_is_a_first_publication():
    # "DSPT published" as a milestone after the work (days 10-20) is not one already held.
    plan = sound(smoke={"duration": Duration.fixed(130)})
    work = T("dspt-work", None, 10, ["ods"])
    published = dataclasses.replace(plan.tasks[4], duration=Duration.fixed(0), depends_on=(Dependency("dspt-work"),))
    assert published.id == "dspt"
    plan = dataclasses.replace(plan, tasks=(*plan.tasks[:4], work, published, *plan.tasks[5:]))
    # Published on day 20 (2027-02-01), it meets 30 June 2027; go-live on 2027-09-27 is before 2028's.
    assert "dspt-republication" not in found(plan, today=CHECKED)
