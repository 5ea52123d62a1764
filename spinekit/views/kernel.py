"""The kernel manager report notebooks run under: shuts the kernel down without a stray interrupt."""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager

__all__ = ["QuietShutdownKernelManager"]


class QuietShutdownKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that does not interrupt the kernel it is shutting down.

    jupyter_client sends SIGINT before its shutdown request, so that a busy kernel can take the
    request. A report's kernel is idle by then, and the signal can land while it is handling its
    last message: ipykernel then logs "KeyboardInterrupt caught in kernel" on the user's terminal
    after a run that succeeded. A kernel that does not stop on request is still killed after the
    shutdown wait, as before.
    """

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()
