"""The report's kernel manager: a kernel being shut down gets no interrupt (SIGINT)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from spinekit.views.kernel import QuietShutdownKernelManager

# A cell that records any SIGINT in a file while it runs, so the test can see whether one came.
RECORD_SIGINT = """
import pathlib, signal, time
signal.signal(signal.SIGINT, lambda signum, frame: pathlib.Path({path!r}).write_text("interrupted"))
pathlib.Path({path!r} + ".started").write_text("")
time.sleep(8)
"""


async def _run_then_shut_down(manager_class: type[AsyncKernelManager], marker: str) -> None:
    km = manager_class(kernel_name="python3")
    await km.start_kernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=120)
        client.execute(RECORD_SIGINT.format(path=marker))
        started = Path(marker + ".started")
        for _ in range(600):
            if started.exists():
                break
            await asyncio.sleep(0.1)
    finally:
        client.stop_channels()
        await km.shutdown_kernel()


def test_shutdown_sends_no_interrupt(tmp_path):
    quiet, plain = tmp_path / "quiet", tmp_path / "plain"
    asyncio.run(_run_then_shut_down(QuietShutdownKernelManager, str(quiet)))
    assert not quiet.exists()
    # The plain manager does interrupt before shutting down: the marker proves the probe works.
    asyncio.run(_run_then_shut_down(AsyncKernelManager, str(plain)))
    assert plain.read_text() == "interrupted"
