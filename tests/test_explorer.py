"""The scope explorer without a browser: the state model, saving, and the widget logic."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

import spinekit
from spinekit import ProgrammeError, apply_scenario, read_programme, schedule
from spinekit.cli import main
from spinekit.views.explorer.serve import voila_command
from spinekit.views.explorer.state import describe_changes, request_tasks, scaled_lead_time
from spinekit.views.explorer.widgets import (
    Explorer,
    ExplorerBase,
    ExplorerState,
    build_explorer,
    evaluate,
    read_base,
    save_setting,
)


@pytest.fixture(scope="module")
def base() -> ExplorerBase:
    return read_base()


@pytest.fixture(scope="module")
def first(base):
    return evaluate(base, ExplorerState.from_programme(base))


def _ids(result) -> set[str]:
    return {t.id for t in result.programme.tasks}


# --- the state model ------------------------------------------------------------------------


def test_the_file_as_written_schedules_as_the_engine_does(base, first, example):
    assert first.state.organisations == 1 and first.state.request_week == 1
    assert [c.service for c in first.state.services] == ["pds", "eps", "cis2"]
    assert first.schedule.finish_date == schedule(example).finish_date
    assert first.difference is None
    assert first.p50 <= first.p80
    assert "ODS code" in first.critical_path_words()
    assert first.check is not None and first.check.start_this_week


def test_more_organisations_add_per_organisation_tasks(base, first):
    three = evaluate(base, first.state.replace(organisations=3), first)
    per_org = sorted(i.removesuffix("-org1") for i in _ids(first) if i.endswith("-org1"))
    for n in (2, 3):
        assert {f"{stem}-org{n}" for stem in per_org} <= _ids(three)
    assert len(_ids(three)) == len(_ids(first)) + 2 * len(per_org)
    assert three.difference.settings == ("organisations 1 → 3",)


def test_request_start_week_moves_the_finish_by_the_weeks_lost(base, first):
    # ODS code starts the critical path on day 0 (Mon 4 Jan 2027). Requests from week 3 start
    # it on Mon 18 Jan: 10 working days later (no bank holiday in between), so everything after
    # it, and the finish, moves 10 working days.
    later = evaluate(base, first.state.replace(request_week=3), first)
    table = later.schedule.table.set_index("id")
    assert table.at["ods-code", "start"] == dt.date(2027, 1, 18)
    assert table.at["ods-code", "es"] == 10
    assert later.schedule.finish_offset == first.schedule.finish_offset + 10
    assert later.finish_date == dt.date(2028, 2, 24)
    assert later.difference.finish_working_days == 10
    assert [c.task for c in later.scenario.changes] == [t.id for t in request_tasks(first.programme)]
    assert {c.not_before for c in later.scenario.changes} == {dt.date(2027, 1, 18)}


def test_a_request_week_inside_the_slack_changes_nothing_downstream(base, first):
    # Requests that are not critical have float: only the chain starts get a bound.
    starts = [t.id for t in request_tasks(first.programme)]
    assert "ods-code" in starts and "developer-account" not in starts


def test_deferred_assurance_waits_for_every_build(base, first):
    deferred = evaluate(base, first.state.replace(assurance="deferred"), first)
    assert deferred.scenario.preset == "deferred-assurance"
    t = deferred.schedule.table.set_index("id")
    builds = [i for i in t.index if t.at[i, "track"] == "build" and t.at[i, "kind"] != "design"]
    last_build = max(t.at[i, "ef"] for i in builds)
    for kind in ("cso-dcb0129", "dcb0160", "dspt", "pen-test"):
        for i in t.index[t["kind"] == kind]:
            assert t.at[i, "es"] >= last_build, i
    parallel = first.schedule.table.set_index("id")
    assert parallel.at["cso-dcb0129", "es"] == 0
    assert deferred.schedule.finish_offset > first.schedule.finish_offset
    assert deferred.difference.settings == ("assurance parallel → deferred",)


def test_lead_time_override_scales_the_estimate(base, first):
    items = {i.id: i for i in first.lead_times}
    assert "eps-intake" in items and items["eps-intake"].critical
    assert set(first.schedule.critical_path) >= {i.id for i in first.lead_times}
    shorter = evaluate(base, first.state.with_lead_time("eps-intake", 40), first)
    intake = shorter.programme.task("eps-intake")
    assert intake.duration.likely == 40 and intake.basis.startswith("override")
    assert shorter.finish_date < first.finish_date
    assert {i.id: i for i in shorter.lead_times}["eps-intake"].overridden
    assert scaled_lead_time(spinekit.Duration(20, 40, 120), 20) == spinekit.Duration(10, 20, 60)


def test_changing_only_durations_reuses_the_compiled_network(base, first):
    shorter = evaluate(base, first.state.with_lead_time("eps-intake", 40), first)
    assert shorter.schedule.network is first.schedule.network
    more = evaluate(base, first.state.replace(organisations=2), first)
    assert more.schedule.network is not first.schedule.network
    # The reused network gives exactly the engine's schedule.
    engine = schedule(shorter.programme)
    assert shorter.schedule.table.equals(engine.table)
    assert shorter.schedule.critical_path == engine.critical_path


def test_dates_and_invalid_settings(base, first):
    moved = evaluate(base, first.state.replace(start=dt.date(2027, 2, 1)), first)
    assert moved.programme.start == dt.date(2027, 2, 1) and moved.finish_date > first.finish_date
    no_target = evaluate(base, first.state.replace(target=None))
    assert no_target.on_time_probability is None and "target" not in no_target.data
    cis2_only = first.state.replace(services=(spinekit.ServiceChoice("cis2"),), hl7v3_fallback=True)
    with pytest.raises(ProgrammeError, match="hl7v3_fallback"):
        evaluate(base, cis2_only)
    with pytest.raises(ProgrammeError, match="assurance"):
        evaluate(base, first.state.replace(assurance="later"))
    with pytest.raises(ProgrammeError, match="request week"):
        evaluate(base, first.state.replace(request_week=0))


def test_dropping_a_service_drops_the_risks_and_correlations_on_its_tasks(base, first):
    no_eps = first.state.replace(services=tuple(c for c in first.state.services if c.service != "eps"))
    result = evaluate(base, no_eps, first)
    assert "build-eps" not in _ids(result)
    assert all("build-eps" not in r.tasks for r in result.programme.risks)
    assert result.difference.settings == ("−EPS",)


def test_describe_changes(base, first):
    after = first.state.replace(
        environments=("int", "dep", "production"),
        smartcards=True,
        access="application-restricted",
        services=(*first.state.services, spinekit.ServiceChoice("scr")),
    )
    assert describe_changes(first.state, after, base.catalogue) == (
        "+SCR",
        "+DEP",
        "access user-restricted → application-restricted",
        "smartcards on",
    )


def test_a_programme_without_scope_cannot_be_explored(tmp_path):
    path = tmp_path / "tasks.yaml"
    path.write_text("name: x\nstart: 2027-01-04\ntasks:\n  - {id: a, duration: 3}\n", encoding="utf-8")
    with pytest.raises(ProgrammeError, match="no scope"):
        read_base(path)


# --- saving ---------------------------------------------------------------------------------


def test_save_writes_a_programme_that_schedules_to_the_same_finish(base, first, tmp_path):
    state = first.state.replace(
        organisations=2, request_week=3, assurance="deferred", environments=("int", "dep", "production")
    )
    result = evaluate(base, state.with_lead_time("pen-test", 30), first)
    path, sid = save_setting(base, result, tmp_path, "Two Trusts, late requests")
    assert path == tmp_path / "two-trusts-late-requests.yaml" and sid == "two-trusts-late-requests"
    saved = read_programme(path)
    assert saved.name == "Two Trusts, late requests"
    scenario = next(s for s in saved.scenarios if s.id == sid)
    explored = schedule(apply_scenario(saved, scenario))
    assert explored.finish_date == result.finish_date
    assert explored.finish_offset == result.schedule.finish_offset
    assert [s.id for s in saved.scenarios][:2] == ["baseline", "requests-after-design"]
    assert f"--scenario {sid}" in path.read_text(encoding="utf-8")


def test_save_never_overwrites(base, first, tmp_path):
    path, _ = save_setting(base, first, tmp_path, "Plan A")
    before = path.read_text(encoding="utf-8")
    other = evaluate(base, first.state.replace(organisations=4), first)
    with pytest.raises(FileExistsError):
        save_setting(base, other, tmp_path, "Plan A")
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-a.yaml"]  # no temporary left


# --- the widgets ----------------------------------------------------------------------------


@pytest.fixture
def explorer(base, tmp_path) -> Explorer:
    return Explorer(base, save_folder=tmp_path, iterations=200)


def test_controls_start_from_the_file(explorer, first):
    assert explorer.state() == first.state
    assert "Thu 10 Feb 2028" in explorer.kpis.value
    assert explorer.gantt.outputs and "Plotly.newPlot" in explorer.gantt.outputs[0]["data"]["text/html"]
    assert "Ready" in explorer.status.value
    assert [r for r in explorer.lead_box.children if hasattr(r, "max")]


def test_changing_a_control_updates_every_output(explorer):
    explorer.organisations.value = 2
    result = explorer.result
    assert result.state.organisations == 2 and "go-live-org2" in _ids(result)
    assert "organisations 1 → 2" in explorer.kpis.value
    assert "go-live-org2" in explorer.gantt.outputs[0]["data"]["text/html"]
    assert explorer.latency is not None and "Updated in" in explorer.status.value
    explorer.request_week.value = 3
    assert "Thu 24 Feb 2028" in explorer.kpis.value and "+10 working days" in explorer.kpis.value
    assert "Lead-time requests held back from week one" in explorer.findings.value


def test_service_interface_and_operations_controls(explorer):
    check, iface, ops, chips = explorer.services["scr"]
    check.value = True
    assert chips.layout.display == "flex"
    ops["get-scr"].value = True
    iface.value = "hl7v3"
    scr = next(c for c in explorer.result.state.services if c.service == "scr")
    assert scr.interface == "hl7v3" and scr.operations == ("get-scr",)
    assert any(t.service == "scr" for t in explorer.result.programme.tasks)


def test_an_invalid_setting_keeps_the_last_outputs(explorer):
    before = explorer.result
    for sid in ("pds", "eps"):
        explorer.services[sid][0].value = False
    kept = explorer.result
    explorer.hl7v3_fallback.value = True  # only CIS2 is left, and it has no HL7 V3 interface
    assert explorer.result is kept and kept is not before
    assert "cannot be planned" in explorer.status.value and "hl7v3_fallback" in explorer.status.value
    explorer.hl7v3_fallback.value = False
    assert "cannot be planned" not in explorer.status.value


def test_lead_time_sliders_and_reset(explorer):
    slider = explorer._lead_sliders["eps-intake"]
    slider.value = 40
    assert dict(explorer.result.state.lead_times) == {"eps-intake": 40}
    assert explorer.result.finish_date < dt.date(2028, 2, 10)
    explorer.reset_leads.click()
    assert explorer.result.state.lead_times == () and explorer.result.finish_date == dt.date(2028, 2, 10)


def test_slider_changes_in_a_burst_are_refreshed_once(base, tmp_path):
    async def burst() -> tuple[int, int]:
        ex = Explorer(base, save_folder=tmp_path, iterations=100, debounce=0.2)
        calls = []
        original = ex.refresh
        ex.refresh = lambda: calls.append(ex.request_week.value) or original()
        await asyncio.sleep(0.3)  # past the debounce of the first refresh
        for week in (2, 3, 4, 5):
            ex.request_week.value = week
        await asyncio.sleep(0.5)
        return calls, ex.result.state.request_week

    calls, week = asyncio.run(burst())
    assert calls == [2, 5] and week == 5  # the first at once, the rest gathered into one


def test_save_button(explorer, tmp_path):
    explorer.save_name.value = "Option B"
    explorer.save_button.click()
    assert (tmp_path / "option-b.yaml").is_file() and "Saved" in explorer.save_status.value
    explorer.save_button.click()
    assert "already exists" in explorer.save_status.value


def test_build_explorer_reads_the_file(tmp_path):
    ex = build_explorer(spinekit.example_path(), save_folder=tmp_path, iterations=100)
    assert ex.result.finish_date == dt.date(2028, 2, 10)
    assert ex._repr_mimebundle_()


# --- serving --------------------------------------------------------------------------------


def test_voila_listens_on_loopback_only_and_never_moves_an_asked_for_port(tmp_path):
    cmd = voila_command(tmp_path / "nb.ipynb", 9000)
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=9000" in cmd
    assert "--Voila.port_retries=0" in cmd and "--strip_sources=True" in cmd
    assert "--Voila.port_retries=50" in voila_command(tmp_path / "nb.ipynb", None)


def test_explore_rejects_a_bad_file_before_serving(tmp_path, capsys):
    assert main(["explore", str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spinekit: error:") and "missing.yaml" in err


def test_notebook_runs_headless(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from spinekit.model.files import notebook_path

    monkeypatch.setenv("SPINEKIT_EXPLORE_FOLDER", str(tmp_path))
    nb = nbformat.read(notebook_path("01-scope-explorer.ipynb"), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("plotly.js" in o.get("data", {}).get("text/html", "") for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_clearing_the_start_date_keeps_the_outputs_and_says_why(explorer):
    before = explorer.kpis.value
    explorer.start.value = None
    assert explorer.kpis.value == before
    assert (
        "choose a start date" in explorer.status.value.lower()
        or "choose a start date" in str(getattr(explorer, "problem", "")).lower()
    )


def test_port_out_of_range_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["explore", "--port", "70000"])
    assert info.value.code == 2 and "1 to 65535" in capsys.readouterr().err


def test_a_fixed_save_folder_cannot_be_changed_from_the_page(base, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    served = Explorer(base, save_folder=home, fixed_folder=True, iterations=100)
    assert served.save_folder.disabled
    served.save_folder.value = str(elsewhere)
    path = served.save("Try elsewhere")
    assert path is not None and path.parent == home and not list(elsewhere.iterdir())


def test_p80_cost_sits_beside_the_p80_date(explorer):
    cost = explorer.result.simulation.cost
    budget = explorer.result.programme.budget
    card = explorer.kpis.value.split("data-kpi='p80-cost'", 1)[1].split("data-kpi=", 1)[0]
    assert f"GBP {cost.summary['p80']:,.0f}" in card
    assert f"plan {cost.deterministic.total:,.0f}" in card
    assert f"{cost.within_budget_probability:.0%} within budget {budget:,.0f}" in card
    # The card follows the P80 finish card.
    kpis = explorer.kpis.value
    assert kpis.index("data-kpi='p80'") < kpis.index("data-kpi='p80-cost'") < kpis.index("data-kpi='target'")


def test_a_service_the_scope_brings_in_shows_ticked():
    from spinekit.model.files import example_path, load_yaml

    data = load_yaml(example_path().read_text(encoding="utf-8"))
    # PDS and EPS with user-restricted access: clinicians sign in with CIS2, so CIS2 joins.
    data["scope"]["services"] = [s for s in data["scope"]["services"] if s["service"] != "cis2"]
    base = ExplorerBase.from_data(data)
    assert "build-cis2" in {t.id for t in base.programme.tasks}
    state = ExplorerState.from_programme(base)
    assert [c.service for c in state.services] == ["pds", "eps", "cis2"]
    # Ticking it changes nothing: the explorer opens on the plan the file describes.
    assert _ids(evaluate(base, state)) == {t.id for t in base.programme.tasks}
    explorer = Explorer(base)
    assert explorer.services["cis2"][0].value is True
    assert explorer.services["mesh"][0].value is False
