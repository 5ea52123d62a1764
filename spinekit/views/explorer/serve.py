"""Serving the scope explorer notebook as a web page with Voilà, on 127.0.0.1 only."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import NoReturn

from spinekit.model.errors import SpinekitError

__all__ = ["ServeError", "serve_explorer", "voila_command", "EXPLORER_NOTEBOOK"]

#: The bundled explorer notebook.
EXPLORER_NOTEBOOK = "01-scope-explorer.ipynb"
#: The page template (in ``templates/voila/templates``): Voilà's lab template without CDN links.
TEMPLATE = "spinekit-explorer"
#: Voilà's default port, tried first when no port is asked for.
DEFAULT_PORT = 8866
_URL = re.compile(r"(http://127\.0\.0\.1:(\d+)/\S*)")
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 15.0


class ServeError(SpinekitError, RuntimeError):
    """The explorer page could not be served (Voilà missing, the port taken, or Voilà failed)."""


def _last_error(log: Iterable[str]) -> str:
    """The most telling line of Voilà's log, so the failure fits on one line."""
    lines = [ln.strip() for ln in log if ln.strip()]
    errors = [ln for ln in lines if "Error" in ln or "error" in ln]
    return (errors or lines or ["no output"])[-1]


def voila_command(notebook: Path, port: int | None) -> list[str]:
    """The Voilà command line: loopback only, no code shown, a busy asked-for port is an error."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--port={port or DEFAULT_PORT}",
        "--Voila.ip=127.0.0.1",
        # Voilà moves to a nearby port when this one is taken; only without --port.
        f"--Voila.port_retries={0 if port else 50}",
        "--strip_sources=True",
        "--theme=light",
        "--show_tracebacks=False",
        f"--template={TEMPLATE}",
    ]


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop Voilà: SIGTERM makes it shut its kernels down; SIGKILL if it does not exit."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve_explorer(
    programme_file: str | os.PathLike[str] | None = None,
    port: int | None = None,
    *,
    announce: Callable[[str], None] = print,
) -> int:
    """Serve the scope explorer for ``programme_file`` until Ctrl-C (or SIGTERM).

    The file is validated first; the page's save button writes to the current folder.
    ``announce`` receives the lines to show (the URL first). Returns 0 after a clean stop.

    Raises
    ------
    ProgrammeError
        The file is missing, invalid, or has no scope.
    ServeError
        Voilà is not installed, the port is taken, or Voilà stopped before serving.
    """
    from spinekit.model.files import example_path, notebook_path
    from spinekit.views.explorer.widgets import FILE_VARIABLE, FOLDER_VARIABLE, read_base

    path = Path(programme_file) if programme_file else example_path()
    read_base(path)
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ServeError("Voilà is not installed; install spinekit with its dependencies") from None
    templates = str(Path(__file__).resolve().parent.parent / "templates")
    jupyter_path = os.pathsep.join(p for p in (templates, os.environ.get("JUPYTER_PATH")) if p)
    env = {**os.environ, FILE_VARIABLE: str(path.resolve()), FOLDER_VARIABLE: os.getcwd(), "JUPYTER_PATH": jupyter_path}
    notebook = notebook_path(EXPLORER_NOTEBOOK)
    proc = subprocess.Popen(
        voila_command(notebook, port),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    log: deque[str] = deque(maxlen=30)
    found = threading.Event()
    url: list[str] = []

    def drain() -> None:
        # Read Voilà's log to the end (a full pipe would block it); the first URL is the real one.
        assert proc.stdout is not None  # opened with stdout=PIPE
        for line in proc.stdout:
            log.append(line.rstrip())
            match = _URL.search(line)
            if match and not found.is_set():
                url.append(match.group(1))
                found.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()

    def terminate(signum: int, frame: FrameType | None) -> NoReturn:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not found.wait(0.1):
            if proc.poll() is not None or time.monotonic() > deadline:
                reader.join(1.0)
                taken = port and any("already in use" in line for line in log)
                reason = (
                    f"port {port} on 127.0.0.1 is in use; choose another with --port"
                    if taken
                    else f"Voilà stopped before serving the page: {_last_error(log)}"
                )
                raise ServeError(reason)
        announce(f"Scope explorer for {path.name}: {url[0]}")
        announce("Press Ctrl-C to stop.")
        proc.wait()
        if proc.returncode:
            raise ServeError(f"Voilà stopped unexpectedly: {_last_error(log)}")
        return 0
    except KeyboardInterrupt:
        announce("Stopping the scope explorer...")
        return 0
    finally:
        # A second Ctrl-C (or the one a wrapper such as `uv run` forwards) must not cut the
        # stop short and leave Voilà's kernels running.
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            _stop(proc)
            reader.join(2.0)
        finally:
            signal.signal(signal.SIGINT, interrupt)
            signal.signal(signal.SIGTERM, previous)
