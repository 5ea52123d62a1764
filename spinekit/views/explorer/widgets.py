"""Scope explorer: live ipywidgets controls over a programme's scope, for JupyterLab and Voilà.

:func:`build_explorer` reads a scope-based programme file and returns an :class:`Explorer`:
controls for the scope, the timing choices, lead times on the critical path and the dates,
and outputs that follow every change (finish dates with a quick P80, the change against the
previous setting, the Gantt, the critical path in words, the plan health check and "start this
week"). A save button writes the setting as a new programme file with the setting as a named
scenario. The model underneath is pure (:mod:`spinekit.views.explorer.state`); this module holds the
widgets, and reads and writes files only when asked to.

Examples
--------
>>> from spinekit.views.explorer import ExplorerState, evaluate, read_base
>>> base = read_base()
>>> result = evaluate(base, ExplorerState.from_programme(base))
>>> str(result.finish_date)
'2028-02-10'
"""

from __future__ import annotations

import datetime as dt
import html
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinekit.catalogue.scope import ACCESS, ServiceChoice
from spinekit.model.errors import SpinekitError
from spinekit.views.explorer.state import (
    ASSURANCE,
    QUICK_ITERATIONS,
    QUICK_SEED,
    Difference,
    ExplorerBase,
    ExplorerResult,
    ExplorerState,
    LeadTime,
    evaluate,
    saved_document,
    slug,
)

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "ASSURANCE",
    "Difference",
    "Explorer",
    "ExplorerBase",
    "ExplorerResult",
    "ExplorerState",
    "LeadTime",
    "build_explorer",
    "evaluate",
    "read_base",
    "save_setting",
]

#: Environment variables ``spinekit explore`` sets for the explorer notebook.
FILE_VARIABLE = "SPINEKIT_EXPLORE_FILE"
FOLDER_VARIABLE = "SPINEKIT_EXPLORE_FOLDER"

_ENVIRONMENTS = (("int", "INT"), ("dep", "DEP"), ("production", "Production"))
_ACCESS_LABELS = {"user-restricted": "User (CIS2)", "application-restricted": "Application"}
_SEVERITY = {"error": "Error", "warning": "Warning", "info": "Note"}
_START_ROWS = 8
_plotly_shown = False


def read_base(path: str | os.PathLike[str] | None = None) -> ExplorerBase:
    """Read a scope-based programme file to explore (default: the bundled example).

    Raises
    ------
    ProgrammeError
        The file is missing or invalid, or has no scope.
    """
    from spinekit.catalogue.programme import parse_programme
    from spinekit.model.files import example_path, read_programme_data

    # Read and load once: missing, unreadable and malformed files get the usual messages.
    data, source = read_programme_data(Path(path) if path is not None else example_path())
    if not isinstance(data, dict):
        # Raises the usual "not a mapping" error, which ``from_data`` (expecting a mapping)
        # would not give.
        parse_programme(data, source=source)
    return ExplorerBase.from_data(data, source=source)


def _setting_name(name: str) -> str:
    """The name a setting is saved under: as typed, or a default when left blank."""
    return name.strip() or "Explored setting"


def _setting_path(folder: str | os.PathLike[str], name: str) -> Path:
    """The file :func:`save_setting` writes for a setting called ``name``."""
    return Path(folder) / f"{slug(_setting_name(name))}.yaml"


def save_setting(
    base: ExplorerBase, result: ExplorerResult, folder: str | os.PathLike[str], name: str
) -> tuple[Path, str]:
    """Write ``result`` as a new programme file ``<folder>/<slug of name>.yaml``.

    The file is written completely under a temporary name and then linked into place, which
    fails if the name is taken: an existing file is never replaced.

    Returns
    -------
    (Path, str)
        The file written and the id of the scenario holding the explored timing.

    Raises
    ------
    FileExistsError
        A file of that name is already in ``folder``.
    """
    from spinekit.model.files import write_atomic

    name = _setting_name(name)
    target = _setting_path(folder, name)
    text, scenario_id = saved_document(base, result, name, file_name=target.name)
    write_atomic(target, text, exclusive=True)
    return target, scenario_id


def build_explorer(
    programme_file: str | os.PathLike[str] | None = None,
    *,
    save_folder: str | os.PathLike[str] = ".",
    fixed_folder: bool = False,
    iterations: int = QUICK_ITERATIONS,
    debounce: float = 0.25,
) -> Explorer:
    """The scope explorer for a programme file, ready to display.

    Parameters
    ----------
    programme_file:
        A scope-based programme YAML (default: the bundled example).
    save_folder:
        The folder the save button writes to, until changed on the page.
    fixed_folder:
        Keep ``save_folder`` fixed: the page cannot change it (``spinekit explore`` serves the
        page this way, so a visitor cannot write anywhere else).
    iterations:
        Iterations of the quick simulation behind the P50 and P80.
    debounce:
        Seconds that slider changes wait after an update, so a burst of moves is scheduled once.

    Returns
    -------
    Explorer
        Displays itself as the last expression of a cell. In IPython, plotly.js is displayed
        once first, so the Gantt works with no internet connection.
    """
    global _plotly_shown
    explorer = Explorer(
        read_base(programme_file),
        save_folder=save_folder,
        fixed_folder=fixed_folder,
        iterations=iterations,
        debounce=debounce,
    )
    if not _plotly_shown:
        # IPython is importable here: ipywidgets, which the explorer was just built with,
        # requires it.
        from IPython import get_ipython

        if get_ipython() is not None:
            from IPython.display import display

            from spinekit.views.display import plotly_js

            display(plotly_js())  # type: ignore[no-untyped-call]  # IPython does not annotate display
            _plotly_shown = True
    return explorer


def _running_loop() -> asyncio.AbstractEventLoop | None:
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _date_text(d: dt.date) -> str:
    return d.strftime("%a %d %b %Y")


def _signed(days: int) -> str:
    if days == 0:
        return "no change"
    return f"{'+' if days > 0 else '−'}{abs(days)} working day{'s' if abs(days) != 1 else ''}"


_CSS = """
<style>
.sk-app { font-family: Arial, 'Liberation Sans', Helvetica, sans-serif; color: #231F20;
  max-width: 1500px; margin: 0 auto; }
.sk-app .widget-label, .sk-app .widget-readout { color: #231F20; }
.sk-header { background: #005EB8; color: white; padding: 14px 22px; border-radius: 4px 4px 0 0; }
.sk-header h1 { font-size: 22px; margin: 0; font-weight: 700; color: white; }
.sk-header p { margin: 4px 0 0; font-size: 13px; opacity: 0.9; }
.sk-sidebar { background: #F4F7F8; border-right: 1px solid #D8DDE0; padding: 6px 14px 14px; }
.sk-section { font-size: 12px; font-weight: 700; text-transform: uppercase; letter-spacing: .06em;
  color: #425563; margin: 14px 0 4px; border-bottom: 1px solid #D8DDE0; padding-bottom: 3px; }
.sk-hint { font-size: 12px; color: #425563; line-height: 1.35; margin: 0 0 4px; }
.sk-main { padding: 10px 18px; }
.sk-kpis { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
.sk-kpi { flex: 1 1 180px; background: white; border: 1px solid #D8DDE0; border-top: 4px solid #005EB8;
  border-radius: 4px; padding: 10px 14px; }
.sk-kpi.late { border-top-color: #DA291C; } .sk-kpi.ok { border-top-color: #009639; }
.sk-kpi.warn { border-top-color: #ED8B00; }
.sk-kpi-label { font-size: 12px; color: #425563; text-transform: uppercase; letter-spacing: .04em; }
.sk-kpi-value { font-size: 22px; font-weight: 700; margin: 4px 0 2px; }
.sk-kpi-sub { font-size: 12px; color: #425563; line-height: 1.35; }
.sk-panel h3 { font-size: 15px; margin: 12px 0 6px; color: #005EB8; }
.sk-panel p { font-size: 13px; line-height: 1.45; margin: 0 0 6px; }
.sk-finding { border-left: 4px solid #AEB7BD; padding: 4px 10px; margin: 6px 0; font-size: 13px;
  background: white; }
.sk-finding.error { border-left-color: #DA291C; } .sk-finding.warning { border-left-color: #ED8B00; }
.sk-finding.info { border-left-color: #41B6E6; }
.sk-badge { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase;
  padding: 1px 6px; border-radius: 3px; color: white; background: #768692; margin-right: 6px; }
.sk-badge.error { background: #DA291C; } .sk-badge.warning { background: #ED8B00; }
.sk-badge.info { background: #0072CE; }
.sk-table { border-collapse: collapse; font-size: 13px; width: 100%; background: white; }
.sk-table th { text-align: left; color: #425563; font-weight: 600; border-bottom: 2px solid #D8DDE0;
  padding: 4px 8px; }
.sk-table td { border-bottom: 1px solid #E8EDEE; padding: 4px 8px; vertical-align: top; }
.sk-now { color: #009639; font-weight: 700; }
.sk-status { font-size: 12px; color: #425563; padding: 4px 0; }
.sk-status.error { color: #A00000; font-weight: 700; }
.sk-chips .widget-toggle-button { width: auto; min-width: 0; height: 24px; line-height: 22px;
  font-size: 11px; padding: 0 8px; margin: 2px; border-radius: 12px; }
.sk-chips { flex-wrap: wrap; padding-left: 22px; }
.sk-leadtime .widget-label { font-size: 12px; }
.sk-gantt { border: 1px solid #D8DDE0; border-radius: 4px; background: white; padding: 4px; }
</style>
"""


class Explorer:
    """The explorer's widgets, wired to the model; ``view`` is the page.

    Changing a control refreshes every output (:meth:`refresh`); slider changes within
    ``debounce`` seconds of an update are gathered into one refresh. ``result`` is the last
    valid result, and ``latency`` the seconds its refresh took from the change.
    """

    def __init__(
        self,
        base: ExplorerBase,
        *,
        save_folder: str | os.PathLike[str] = ".",
        fixed_folder: bool = False,
        iterations: int = QUICK_ITERATIONS,
        debounce: float = 0.25,
    ) -> None:
        import ipywidgets as w

        self.base = base
        self.iterations = iterations
        self.debounce = debounce
        self.result: ExplorerResult | None = None
        self.latency: float | None = None
        self._pending: asyncio.TimerHandle | None = None
        self._changed_at: float | None = None
        self._last_refresh = 0.0
        self._quiet = False
        self._charts = 0
        state = ExplorerState.from_programme(base)
        self._fallback = state.hl7v3_fallback
        self._lead_sliders: dict[str, Any] = {}
        self._lead_defaults: dict[str, int] = {}

        cat = base.catalogue
        chosen = {c.service: c for c in state.services}
        self.services: dict[str, tuple[Any, Any, dict[str, Any], Any]] = {}
        service_rows = []
        for svc in cat.services:
            choice = chosen.get(svc.id)
            check = w.Checkbox(
                value=choice is not None,
                description=f"{svc.label}",
                indent=False,
                tooltip=svc.name,
                layout=w.Layout(width="150px"),
            )
            iface = w.Dropdown(
                options=[(i.name, i.id) for i in svc.interfaces],
                value=(choice.interface if choice and choice.interface else svc.default_interface.id),
                layout=w.Layout(width="150px", display="" if len(svc.interfaces) > 1 else "none"),
            )
            ops = {}
            for op in svc.operations:
                ops[op.id] = w.ToggleButton(
                    value=bool(choice and op.id in choice.operations),
                    description=op.id,
                    tooltip=f"{op.name} ({', '.join(op.interfaces)})",
                )
            chips = w.HBox(list(ops.values()), layout=w.Layout(display="flex" if choice else "none"))
            chips.add_class("sk-chips")
            self.services[svc.id] = (check, iface, ops, chips)
            service_rows += [w.HBox([check, iface]), chips]
            check.observe(self._service_toggled, "value")
            for widget in (check, iface, *ops.values()):
                widget.observe(self._on_change, "value")

        self.environments = {
            env: w.Checkbox(
                value=env in state.environments,
                description=label,
                indent=False,
                disabled=env != "dep",
                layout=w.Layout(width="110px"),
            )
            for env, label in _ENVIRONMENTS
        }
        self.organisations = w.BoundedIntText(
            value=state.organisations,
            min=1,
            max=50,
            description="Organisations",
            layout=w.Layout(width="230px"),
            style={"description_width": "110px"},
        )
        self.access = w.ToggleButtons(
            options=[(_ACCESS_LABELS[a], a) for a in ACCESS], value=state.access, style={"button_width": "140px"}
        )
        self.smartcards = w.Checkbox(value=state.smartcards, description="Smartcards (brings HSCN)", indent=False)
        self.hl7v3_fallback = w.Checkbox(
            value=bool(state.hl7v3_fallback), indent=False, description="HL7 V3 fallback beside FHIR"
        )
        self.request_week = w.IntSlider(
            value=state.request_week,
            min=1,
            max=26,
            description="Requests from week",
            continuous_update=False,
            style={"description_width": "130px"},
            layout=w.Layout(width="330px"),
        )
        self.assurance = w.ToggleButtons(
            options=[("In parallel", "parallel"), ("Final phase", "deferred")],
            value=state.assurance,
            style={"button_width": "140px"},
            tooltips=[
                "Clinical safety, DSPT and pen test from day one",
                "Clinical safety, DSPT and pen test after every build",
            ],
        )
        self.start = w.DatePicker(
            value=state.start, description="Start", style={"description_width": "60px"}, layout=w.Layout(width="300px")
        )
        self.target = w.DatePicker(
            value=state.target,
            description="Target",
            style={"description_width": "60px"},
            layout=w.Layout(width="300px"),
        )
        for widget in (
            *self.environments.values(),
            self.organisations,
            self.access,
            self.smartcards,
            self.hl7v3_fallback,
            self.assurance,
            self.start,
            self.target,
        ):
            widget.observe(self._on_change, "value")
        self.request_week.observe(self._on_slide, "value")
        self.request_week.add_class("sk-request-week")
        self.organisations.add_class("sk-organisations")
        self.lead_box = w.VBox()
        self.lead_box.add_class("sk-leadtime")
        self.reset_leads = w.Button(description="Reset lead times", icon="undo", layout=w.Layout(width="160px"))
        self.reset_leads.on_click(self._reset_lead_times)

        default_name = f"{base.programme.name} (explored)"
        self.save_name = w.Text(
            value=default_name, description="Name", style={"description_width": "60px"}, layout=w.Layout(width="330px")
        )
        self._fixed_folder = str(save_folder) if fixed_folder else None
        self.save_folder = w.Text(
            value=str(save_folder),
            description="Folder",
            disabled=fixed_folder,
            style={"description_width": "60px"},
            layout=w.Layout(width="330px"),
        )
        self.save_button = w.Button(
            description="Save setting", button_style="primary", icon="save", layout=w.Layout(width="160px")
        )
        self.save_button.on_click(self._save)
        self.save_status = w.HTML()

        self.kpis = w.HTML()
        self.gantt = w.Output()
        self.gantt.add_class("sk-gantt")
        self.critical = w.HTML()
        self.findings = w.HTML()
        self.start_now = w.HTML()
        self.status = w.HTML()

        def section(title: str, hint: str | None = None) -> list[Any]:
            out = [w.HTML(f"<div class='sk-section'>{html.escape(title)}</div>")]
            if hint:
                out.append(w.HTML(f"<p class='sk-hint'>{html.escape(hint)}</p>"))
            return out

        sidebar = w.VBox(
            [
                *section("Services", "Tick a service, pick its interface, then the operations the workflow uses."),
                *service_rows,
                *section("Environments"),
                w.HBox(list(self.environments.values())),
                *section("Deployment"),
                self.organisations,
                self.access,
                self.smartcards,
                self.hl7v3_fallback,
                *section("Timing", "When identity and network requests are raised, and when assurance runs."),
                self.request_week,
                self.assurance,
                self.start,
                self.target,
                *section("Lead times on the critical path", "Working days, most likely; the range scales with it."),
                self.lead_box,
                self.reset_leads,
                *section("Save", "Writes a new programme file; the timing is its named scenario."),
                self.save_name,
                self.save_folder,
                self.save_button,
                self.save_status,
            ],
            layout=w.Layout(width="380px", min_width="380px"),
        )
        sidebar.add_class("sk-sidebar")
        main = w.VBox(
            [
                self.kpis,
                w.HTML("<div class='sk-panel'><h3>Timeline</h3></div>"),
                self.gantt,
                self.critical,
                w.HBox([self.findings, self.start_now], layout=w.Layout(width="100%", grid_gap="18px")),
                self.status,
            ],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        main.add_class("sk-main")
        for box in (self.findings, self.start_now):
            box.layout = w.Layout(flex="1 1 0", min_width="0")
        header = w.HTML(
            f"{_CSS}<div class='sk-header'><h1>Scope explorer</h1>"
            f"<p>{html.escape(base.programme.name)}"
            f"{' · ' + html.escape(Path(base.programme.source).name) if base.programme.source else ''}"
            "</p></div>"
        )
        self.view = w.VBox([header, w.HBox([sidebar, main], layout=w.Layout(align_items="stretch"))])
        self.view.add_class("sk-app")
        self.refresh()

    # --- reading the controls ------------------------------------------------------------

    def state(self) -> ExplorerState:
        """The setting the controls show."""
        services = []
        for sid, (check, iface, ops, _) in self.services.items():
            if not check.value:
                continue
            default = self.base.catalogue.service(sid).default_interface.id
            picked = tuple(op for op, button in ops.items() if button.value)
            services.append(ServiceChoice(sid, None if iface.value == default else iface.value, picked))
        fallback: bool | tuple[str, ...] = self.hl7v3_fallback.value
        if fallback and isinstance(self._fallback, tuple):
            fallback = self._fallback
        leads = tuple(
            sorted((tid, int(s.value)) for tid, s in self._lead_sliders.items() if s.value != self._lead_defaults[tid])
        )
        return ExplorerState(
            start=self.start.value,
            target=self.target.value,
            services=tuple(services),
            environments=tuple(e for e, box in self.environments.items() if box.value),
            organisations=int(self.organisations.value),
            access=self.access.value,
            smartcards=self.smartcards.value,
            hl7v3_fallback=fallback,
            request_week=int(self.request_week.value),
            assurance=self.assurance.value,
            lead_times=leads,
        )

    # --- reacting to changes -------------------------------------------------------------

    def _service_toggled(self, change: dict[str, Any]) -> None:
        for check, _, _, chips in self.services.values():
            if check is change["owner"]:
                chips.layout.display = "flex" if change["new"] else "none"

    def _on_change(self, change: dict[str, Any] | None = None) -> None:
        self._request(debounced=False)

    def _on_slide(self, change: dict[str, Any] | None = None) -> None:
        self._request(debounced=True)

    def _request(self, *, debounced: bool) -> None:
        if self._quiet:
            return
        if self._changed_at is None:
            self._changed_at = time.perf_counter()
        if self._pending is not None:
            return  # the scheduled refresh reads the controls as they are by then
        loop = _running_loop()
        wait = self.debounce - (time.monotonic() - self._last_refresh) if debounced else 0.0
        if loop is None or wait <= 0:
            self.refresh()
        else:
            self._pending = loop.call_later(wait, self._scheduled)

    def _scheduled(self) -> None:
        self._pending = None
        self.refresh()

    def _reset_lead_times(self, _button: Any = None) -> None:
        self._quiet = True
        try:
            for tid, slider in self._lead_sliders.items():
                slider.value = self._lead_defaults[tid]
        finally:
            self._quiet = False
        self._request(debounced=False)

    # --- updating the outputs ------------------------------------------------------------

    def refresh(self) -> ExplorerResult | None:
        """Evaluate the controls' setting and update every output; returns the new result.

        An invalid setting leaves the outputs as they were and explains the problem below them.
        """
        began = self._changed_at or time.perf_counter()
        self._changed_at = None
        try:
            result = evaluate(self.base, self.state(), self.result, iterations=self.iterations)
        except SpinekitError as exc:
            message = getattr(exc, "message", str(exc))
            field = getattr(exc, "field", None)
            where = f" ({field})" if field else ""
            self.status.value = (
                f"<div class='sk-status error'>This setting cannot be planned{where}: "
                f"{html.escape(message)}. The outputs show the last valid setting.</div>"
            )
            self._last_refresh = time.monotonic()
            return None
        chart = self._chart_html(result)
        self._quiet = True
        try:
            self.kpis.value = self._kpis_html(result)
            self.gantt.outputs = ({"output_type": "display_data", "data": {"text/html": chart}, "metadata": {}},)
            self.critical.value = (
                "<div class='sk-panel'><h3>Critical path</h3>"
                f"<p data-output='critical-path'>{html.escape(result.critical_path_words())}</p></div>"
            )
            self.findings.value = self._findings_html(result)
            self.start_now.value = self._start_now_html(result)
            self._show_lead_times(result.lead_times)
        finally:
            self._quiet = False
        first = self.result is None
        self.result = result
        self.latency = time.perf_counter() - began
        self._last_refresh = time.monotonic()
        updated = "Ready" if first else f"Updated in {self.latency * 1000:.0f} ms"
        self.status.value = (
            f"<div class='sk-status' data-output='status'>{updated} · "
            f"P50 and P80 from {self.iterations:,} Monte Carlo runs (seed {QUICK_SEED}) · "
            f"{len(result.programme.tasks)} tasks</div>"
        )
        return result

    def _chart_html(self, r: ExplorerResult) -> str:
        import plotly.io as pio

        fig = r.figure(title="")
        self._charts += 1
        div = f"sk-gantt-{self._charts}"
        chart: str = pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            default_width="100%",
            default_height=f"{fig.layout.height}px",
            div_id=div,
            config={"displaylogo": False, "responsive": True},
        )
        # The output area may be laid out after the chart is drawn: follow its width.
        return chart + (
            f"<script>(function(){{var gd=document.getElementById('{div}');"
            "if(!gd||!window.ResizeObserver)return;new ResizeObserver(function(){"
            "if(gd._fullLayout&&window.Plotly)window.Plotly.Plots.resize(gd);}).observe(gd);})();</script>"
        )

    def _kpis_html(self, r: ExplorerResult) -> str:
        e = html.escape
        s = r.schedule
        target = r.state.target
        late = target is not None and r.finish_date > target
        p80_late = target is not None and r.p80 > target
        cards = [
            (
                "finish",
                "Finish (planned)",
                _date_text(r.finish_date),
                f"{s.finish_offset} working days from {_date_text(r.programme.start)}",
                "late" if late else "ok" if target else "",
            ),
            (
                "p80",
                "P80 finish",
                _date_text(r.p80),
                f"P50 {_date_text(r.p50)}",
                "late" if p80_late else "ok" if target else "",
            ),
        ]
        cost = r.simulation.cost
        if cost is not None:
            budget = r.programme.budget
            over = budget is not None and cost.summary["p80"] > budget
            within = cost.within_budget_probability
            sub = f"plan {cost.deterministic.total:,.0f}"
            if budget is not None and within is not None:
                sub += f" · {within:.0%} within budget {budget:,.0f}"
            cards.append(
                (
                    "p80-cost",
                    "P80 cost",
                    f"{cost.currency} {cost.summary['p80']:,.0f}",
                    f"plan {cost.deterministic.total:,.0f}"
                    + (
                        f" · {within:.0%} within budget {budget:,.0f}"
                        if budget is not None and within is not None
                        else ""
                    ),
                    "late" if over else "ok" if budget is not None else "",
                )
            )
        if target is not None:
            chance = r.on_time_probability or 0.0
            cards.append(
                (
                    "target",
                    "Target",
                    _date_text(target),
                    f"{chance:.0%} chance of finishing by then",
                    "ok" if chance >= 0.8 else "warn" if chance >= 0.5 else "late",
                )
            )
        d = r.difference
        if d is None:
            cards.append(("change", "Change", "—", "Change a control to compare with this setting", ""))
        else:
            settings = ", ".join(d.settings) or "no setting changed"
            cards.append(
                (
                    "change",
                    "Change vs previous",
                    _signed(d.finish_working_days),
                    f"P80 {_signed(d.p80_working_days)} · {settings}",
                    "late" if d.finish_working_days > 0 else "ok" if d.finish_working_days < 0 else "",
                )
            )
        return (
            "<div class='sk-kpis'>"
            + "".join(
                f"<div class='sk-kpi {cls}' data-kpi='{key}'><div class='sk-kpi-label'>{e(label)}</div>"
                f"<div class='sk-kpi-value'>{e(value)}</div><div class='sk-kpi-sub'>{e(sub)}</div></div>"
                for key, label, value, sub, cls in cards
            )
            + "</div>"
        )

    def _findings_html(self, r: ExplorerResult) -> str:
        e = html.escape
        if r.check is None:
            return ""
        c = r.check.counts()
        head = f"<h3>Plan health check</h3><p>{c['error']} errors, {c['warning']} warnings, {c['info']} notes</p>"
        items = (
            "".join(
                f"<div class='sk-finding {e(f.severity)}'><span class='sk-badge {e(f.severity)}'>"
                f"{e(_SEVERITY.get(f.severity, f.severity))}</span><b>{e(f.title)}</b><br>{e(f.message)}"
                + (f"<br><i>Fix:</i> {e(f.fix)}" if f.fix else "")
                + "</div>"
                for f in r.check.findings
            )
            or "<p>No problems found.</p>"
        )
        return f"<div class='sk-panel' data-output='findings'>{head}{items}</div>"

    def _start_now_html(self, r: ExplorerResult) -> str:
        e = html.escape
        if r.check is None:
            return ""
        rows = "".join(
            f"<tr><td>{e(s.name)}</td><td>{e(s.owner or '')}</td><td>{s.start:%d %b %Y}</td>"
            f"<td>{s.latest_start:%d %b %Y}</td><td>{s.total_float}</td>"
            f"<td>{'<span class=sk-now>now</span>' if s.can_start_now else ''}</td></tr>"
            for s in r.check.start_this_week[:_START_ROWS]
        )
        more = len(r.check.start_this_week) - _START_ROWS
        if more > 0:
            rows += f"<tr><td colspan=6>… and {more} more with later latest starts</td></tr>"
        table = (
            "<table class='sk-table'><tr><th>Lead-time item</th><th>Owner</th><th>Earliest</th>"
            f"<th>Latest start</th><th>Float</th><th></th></tr>{rows}</table>"
            if rows
            else "<p>Nothing to start this week.</p>"
        )
        return f"<div class='sk-panel' data-output='start-now'><h3>Start this week</h3>{table}</div>"

    def _show_lead_times(self, items: tuple[LeadTime, ...]) -> None:
        import ipywidgets as w

        # The sliders are keyed by task id in display order: the same ids need no new rows.
        if tuple(i.id for i in items) == tuple(self._lead_sliders):
            for item in items:
                self._lead_sliders[item.id].value = item.days
            return
        rows, sliders, defaults = [], {}, {}
        for item in items:
            old = self._lead_sliders.get(item.id)
            slider = old or w.IntSlider(
                min=0, max=max(60, 3 * item.default, item.days), continuous_update=False, layout=w.Layout(width="340px")
            )
            slider.value = item.days
            if old is None:
                slider.observe(self._on_slide, "value")
            label = f"{item.name}{'' if item.critical else ' (off the critical path)'}"
            rows.append(
                w.HTML(
                    f"<div class='sk-hint' title='{html.escape(item.id)}'>{html.escape(label)} "
                    f"<span style='color:#768692'>default {item.default}</span></div>"
                )
            )
            rows.append(slider)
            sliders[item.id] = slider
            defaults[item.id] = item.default
        self._lead_sliders, self._lead_defaults = sliders, defaults
        self.lead_box.children = rows

    # --- saving --------------------------------------------------------------------------

    def save(self, name: str | None = None, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """Save the current setting as a new programme file; the page reports the outcome."""
        if self.result is None:
            self.save_status.value = "<div class='sk-status error'>Nothing to save yet.</div>"
            return None
        name = name if name is not None else self.save_name.value
        folder = self._fixed_folder or (folder if folder is not None else self.save_folder.value)
        try:
            path, sid = save_setting(self.base, self.result, folder, name)
        except FileExistsError:
            target = _setting_path(folder, name)
            self.save_status.value = (
                f"<div class='sk-status error' data-output='saved'>{html.escape(str(target))} already "
                "exists and was left as it is; choose another name.</div>"
            )
            return None
        except (OSError, SpinekitError) as exc:
            self.save_status.value = (
                f"<div class='sk-status error' data-output='saved'>Not saved: {html.escape(str(exc))}</div>"
            )
            return None
        self.save_status.value = (
            f"<div class='sk-status' data-output='saved'>Saved {html.escape(str(path))} "
            f"(scenario <code>{html.escape(sid)}</code>).</div>"
        )
        return path

    def _save(self, _button: Any = None) -> None:
        self.save()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.view._repr_mimebundle_(**kwargs)
