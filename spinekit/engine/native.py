"""The compiled critical path kernels (``_kernels.c``), loaded through ctypes when present.

spinekit's installer builds ``_kernels.c`` into a small shared library beside this module
(``hatch_build.py``). Where no C compiler was available, or ``SPINEKIT_NATIVE=0`` is set,
:data:`LIBRARY` is ``None`` and :mod:`spinekit.engine.cpm` runs its numpy passes instead: the same
schedule, more slowly on large networks. :func:`status` says which is in use and why.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: --version needs only the status
    import numpy as np
    import numpy.typing as npt

__all__ = ["LIBRARY", "LIBRARY_NAME", "status", "layout", "forward", "backward", "free_float"]

#: File name of the shared library, beside this module.
LIBRARY_NAME = {"win32": "_libspinekit.dll", "darwin": "_libspinekit.dylib"}.get(sys.platform, "_libspinekit.so")
#: The kernels' interface version this module speaks (``SK_ABI`` in ``_kernels.c``).
ABI = 2

# Arrays go in as addresses, taken by address() below after it checks type and layout; the
# wrappers check lengths, hold the arrays for the call, and the kernels check the link grouping.
# A handful of addresses costs less than numpy's checked pointer type, which matters for the
# small networks that the explorer schedules on every change.
_P = ctypes.c_void_p
_N = ctypes.c_int64
_SIGNATURES = {
    "sk_layout": (_N, [_N, _N, _P, _P, _P, _P, _P, _P, _P, _P, _P]),
    "sk_forward": (_N, [_N, _N, _P, _P, _P, _P, _P, _P, _P]),
    "sk_backward": (_N, [_N, _N, _P, _P, _P, _P, _P, _P, _P]),
    "sk_free_float": (_N, [_N, _N, _P, _P, _P, _P, _P, _P, _P, _N, _P]),
}


def _load() -> tuple[ctypes.CDLL | None, str]:
    if os.environ.get("SPINEKIT_NATIVE", "1").strip() == "0":
        return None, "numpy passes (SPINEKIT_NATIVE=0)"
    path = Path(__file__).with_name(LIBRARY_NAME)
    if not path.exists():
        return None, f"numpy passes ({LIBRARY_NAME} was not built when spinekit was installed)"
    try:
        lib = ctypes.CDLL(str(path))
        lib.sk_abi.restype = ctypes.c_int64
        lib.sk_source_sha256.restype = ctypes.c_char_p
        found = lib.sk_abi()
        built_from = lib.sk_source_sha256().decode("ascii")
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
    except (OSError, AttributeError) as exc:
        return None, f"numpy passes ({LIBRARY_NAME} could not be loaded: {exc})"
    source = path.with_name("_kernels.c")
    stale = found != ABI or (source.exists() and hashlib.sha256(source.read_bytes()).hexdigest() != built_from)
    if stale:
        return None, (
            f"numpy passes ({LIBRARY_NAME} was built from another version of "
            "_kernels.c; reinstall spinekit to rebuild it)"
        )
    return lib, f"compiled kernels ({path})"


LIBRARY, _STATUS = _load()

if TYPE_CHECKING:
    _I64 = npt.NDArray[np.int64]
    #: What :func:`layout` returns: ``(generation, order, rank, in_ptr, in_link, out_ptr, out_link)``.
    Layout = tuple[_I64, _I64, _I64, _I64, _I64, _I64, _I64]


def status() -> str:
    """Which critical path engine this installation uses, and why."""
    return _STATUS


def _i64(a: npt.ArrayLike) -> npt.NDArray[np.int64]:
    import numpy as np

    return np.ascontiguousarray(a, dtype=np.int64)


def address(a: np.ndarray) -> int:
    """The address of a C-contiguous int64 array's data, for the kernels."""
    import numpy as np

    if a.dtype != np.int64 or not a.flags.c_contiguous:
        raise TypeError("the compiled kernels take C-contiguous int64 arrays")
    return a.ctypes.data


def layout(tails: np.ndarray, heads: np.ndarray, n: int) -> Layout | None:
    """Topological layout of ``n`` tasks joined by links ``tails[k] -> heads[k]``.

    Returns ``(generation, order, rank, in_ptr, in_link, out_ptr, out_link)`` as described in
    ``_kernels.c``, or ``None`` when the links form a cycle.
    """
    import numpy as np

    tails, heads = _i64(tails), _i64(heads)
    m = tails.size
    if heads.size != m or m and not (0 <= min(tails.min(), heads.min()) and max(tails.max(), heads.max()) < n):
        raise ValueError("each link needs a tail and a head among the tasks 0..n-1")
    generation, order, rank = (np.empty(n, np.int64) for _ in range(3))
    in_ptr, out_ptr = np.empty(n + 1, np.int64), np.empty(n + 1, np.int64)
    in_link, out_link = np.empty(m, np.int64), np.empty(m, np.int64)
    arrays = (tails, heads, generation, order, rank, in_ptr, in_link, out_ptr, out_link)
    assert LIBRARY is not None, "the compiled kernels are not loaded"
    placed = LIBRARY.sk_layout(n, m, *map(address, arrays))
    if placed < 0:
        raise MemoryError("not enough memory to lay out the network")
    if placed < n:
        return None
    return generation, order, rank, in_ptr, in_link, out_ptr, out_link


def _links(links: tuple[np.ndarray, ...], n: int) -> tuple[int, ...]:
    """``m`` and the addresses of ``(ptr, other task, lag, leaves finish, reaches finish)``."""
    ptr, *per_link = links
    m = per_link[0].size
    if ptr.shape != (n + 1,) or any(a.shape != (m,) for a in per_link):
        raise ValueError(f"the network's link arrays do not fit its {n} tasks")
    return (m, *map(address, links))


def _run(status: int) -> None:
    if status != 0:
        raise ValueError("the network's link arrays are not a topological grouping of its links")


def _per_task(n: int, *arrays: np.ndarray) -> tuple[int, ...]:
    if any(a.shape != (n,) for a in arrays):
        raise ValueError(f"expected one value per task ({n})")
    return tuple(map(address, arrays))


def forward(n: int, links: tuple[np.ndarray, ...], d: np.ndarray, es: np.ndarray) -> None:
    """Early starts of ``n`` tasks into ``es`` (lower bounds on entry).

    ``links`` are the link arrays grouped by successor: offsets, predecessor, lag, leaves-finish
    and reaches-finish flags.
    """
    assert LIBRARY is not None, "the compiled kernels are not loaded"
    _run(LIBRARY.sk_forward(n, *_links(links, n), *_per_task(n, d, es)))


def backward(n: int, links: tuple[np.ndarray, ...], d: np.ndarray, lf: np.ndarray) -> None:
    """Late finishes into ``lf`` (upper bounds on entry); links grouped by predecessor."""
    assert LIBRARY is not None, "the compiled kernels are not loaded"
    _run(LIBRARY.sk_backward(n, *_links(links, n), *_per_task(n, d, lf)))


def free_float(
    n: int, links: tuple[np.ndarray, ...], d: np.ndarray, es: np.ndarray, finish: int
) -> npt.NDArray[np.int64]:
    """Free float of every task; links grouped by predecessor."""
    import numpy as np

    assert LIBRARY is not None, "the compiled kernels are not loaded"
    ff = np.empty(n, dtype=np.int64)
    args = _per_task(n, d, es)
    _run(LIBRARY.sk_free_float(n, *_links(links, n), *args, finish, *_per_task(n, ff)))
    return ff
