"""Build spinekit's compiled critical path kernels (``spinekit/engine/_kernels.c``) into the wheel.

The kernels are a plain C shared library with no Python API, loaded through ctypes, so one
build serves every Python version: the wheel is tagged ``py3-none-<platform>``. Where no C
compiler is found, or the build fails, or ``SPINEKIT_BUILD_NATIVE=0`` is set, the wheel is
built without them (pure Python, tagged ``py3-none-any``) and spinekit uses its numpy passes,
which give the same schedules.

An editable install (``uv run`` in a checkout) builds the library beside the sources, in
``spinekit/``, where the package finds it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LIBRARY_NAME = {"win32": "_libspinekit.dll", "darwin": "_libspinekit.dylib"}.get(sys.platform, "_libspinekit.so")
SOURCE = Path("spinekit", "engine", "_kernels.c")


def _compiler() -> list[str] | None:
    candidates = [os.environ.get("CC")]
    if sys.platform != "win32":  # there, only a compiler named in CC (MinGW-style flags)
        candidates += [sysconfig.get_config_var("CC"), "cc", "gcc", "clang"]
    for candidate in candidates:
        if not candidate:
            continue
        argv = shlex.split(candidate)
        if argv and shutil.which(argv[0]):
            return argv
    return None


def _platform_tag() -> str:
    """The running platform, for the wheel tag: the library is built for this machine only.

    The most specific tag the running interpreter accepts (on macOS, this machine's own version
    and architecture rather than the interpreter's universal build).
    """
    try:
        from packaging.tags import sys_tags

        return next(iter(sys_tags())).platform
    except (ImportError, StopIteration):
        return sysconfig.get_platform().replace("-", "_").replace(".", "_")


class NativeKernelsHook(BuildHookInterface):
    """Compile ``_kernels.c``; leave the wheel pure Python if that is not possible."""

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if version == "editable":
            # Whatever happens below, no library from an earlier build is left to be loaded
            # (spinekit/engine/native.py would also notice one built from another _kernels.c).
            try:
                (root / "spinekit" / "engine" / LIBRARY_NAME).unlink(missing_ok=True)
            except OSError as exc:  # e.g. loaded by a running process, on Windows
                self.app.display_warning(f"spinekit: could not remove the old library: {exc}")
                return
        if os.environ.get("SPINEKIT_BUILD_NATIVE", "1") == "0":
            return
        cc = _compiler()
        if cc is None:
            self.app.display_warning(
                "spinekit: no C compiler found; building without the compiled kernels "
                "(spinekit will use its numpy passes: same schedules, slower on large networks)"
            )
            return
        if version == "editable":
            target = root / "spinekit" / "engine" / LIBRARY_NAME
        else:
            self._scratch = tempfile.mkdtemp(prefix="spinekit-build-")
            target = Path(self._scratch) / LIBRARY_NAME
        partial = target.with_name(target.name + ".partial")
        digest = hashlib.sha256((root / SOURCE).read_bytes()).hexdigest()
        # -fwrapv: a sum that overflowed would wrap rather than be undefined behaviour (spinekit
        # refuses inputs that could overflow; this keeps a tampered network harmless too).
        flags = ["-O2", "-std=c99", "-fwrapv", "-fPIC", "-shared", f'-DSK_SOURCE_SHA256="{digest}"']
        if sys.platform == "darwin":
            flags.append("-dynamiclib")
        argv = [*cc, *flags, "-o", str(partial), str(root / SOURCE)]
        try:
            subprocess.run(argv, check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            self.app.display_warning(
                f"spinekit: the compiled kernels did not build ({' '.join(argv)}):\n{detail}\n"
                "spinekit will use its numpy passes: same schedules, slower on large networks"
            )
            partial.unlink(missing_ok=True)
            return
        try:
            os.replace(partial, target)
        except OSError as exc:
            self.app.display_warning(f"spinekit: could not install the compiled kernels: {exc}")
            partial.unlink(missing_ok=True)
            return
        if version != "editable":
            build_data["force_include"][str(target)] = f"spinekit/engine/{LIBRARY_NAME}"
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{_platform_tag()}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
