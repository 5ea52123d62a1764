"""File access: safe YAML loading, bundled data, reading programme text, writing outputs atomically."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from spinekit.model.errors import CatalogueError, OutputError, ProgrammeError

__all__ = [
    "collection_paused",
    "load_yaml",
    "read_programme_data",
    "write_atomic",
    "check_output_file",
    "check_output_folder",
    "data_dir",
    "example_path",
    "notebook_path",
    "read_bundled",
]

_EXAMPLE = "examples/seed-pds-eps-cis2.yaml"


if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's parser where available
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe YAML loader that leaves dates as text, so they are validated with clear messages."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _no_duplicate_keys(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        # Keys are plain scalars in programme files; compare their text without building them.
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in the same mapping", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


#: Limits on what a YAML document may hold. Programme and catalogue files are a few hundred
#: kilobytes at most; these bounds stop a hostile file (an alias "bomb", deep nesting, a huge
#: document) from exhausting memory or time before it can be validated.
MAX_DOCUMENT_CHARS = 10_000_000
MAX_NESTING = 64
MAX_ALIAS_GROWTH = 100_000


def _check_node_bounds(root: yaml.Node, source: str | None) -> None:
    """Refuse a composed document that nests too deeply or that aliases blow up in size.

    Aliases make the node tree a graph whose nodes are shared; the size after expansion is
    counted per distinct node (memoised), so the check is linear in the file, not in the bomb.
    """
    expanded: dict[int, int] = {}
    on_path: set[int] = set()
    # Each entry is (node, depth, children pushed yet?), walked without Python recursion.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            expanded[key] = 1 + sum(expanded[id(c)] for c in children)
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise ProgrammeError(
                f"a YAML alias refers to itself (line {node.start_mark.line + 1}); "
                "write the value out instead of using '*' there",
                source=source,
            )
        if depth > MAX_NESTING:
            raise ProgrammeError(
                f"YAML nested more than {MAX_NESTING} levels deep at line {node.start_mark.line + 1}; "
                "a programme file needs only a few levels",
                source=source,
            )
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node) if id(child) not in expanded)
    distinct = len(expanded)
    if expanded[id(root)] - distinct > max(MAX_ALIAS_GROWTH, distinct):
        raise ProgrammeError(
            f"YAML aliases ('*' references) expand the file to {expanded[id(root)]:,} values; "
            "write repeated values out, or use fewer nested aliases",
            source=source,
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(text: str, source: str | None = None) -> Any:
    """Load YAML text safely (dates stay strings, duplicate keys are errors).

    Only plain data is built (no Python objects), and the document is bounded: at most
    :data:`MAX_DOCUMENT_CHARS` characters, :data:`MAX_NESTING` levels deep, and aliases may
    not multiply its size (the "billion laughs" attack).

    Raises
    ------
    ProgrammeError
        The text is not valid YAML, or exceeds one of the bounds.
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ProgrammeError(
            f"is {len(text):,} characters long; spinekit reads YAML files of up to "
            f"{MAX_DOCUMENT_CHARS:,} characters; split the plan or check that this is the right file",
            source=source,
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_node_bounds(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProgrammeError(
            f"malformed YAML{where}: {problem}; check indentation and quoting", source=source
        ) from None
    finally:
        loader.dispose()


def data_dir() -> Path:
    """The bundled ``data/`` folder (inside the installed package, or the source checkout's)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "data", package.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("spinekit's bundled data folder is missing; reinstall spinekit")


def read_bundled(name: str) -> tuple[Any, str]:
    """A bundled YAML data file (``catalogue/presets.yaml`` …) as loaded data, with its path.

    Raises
    ------
    CatalogueError
        The file is missing or is not valid YAML.
    """
    path = data_dir() / name
    try:
        return load_yaml(path.read_text(encoding="utf-8"), source=str(path)), str(path)
    except OSError as exc:
        raise CatalogueError(f"cannot be read: {exc.strerror}; reinstall spinekit", source=str(path)) from None
    except ProgrammeError as exc:
        raise CatalogueError(exc.message, source=str(path)) from None


def notebook_path(name: str) -> Path:
    """A bundled notebook (inside the installed package, or the source checkout's notebooks/)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "notebooks" / name, package.parent / "notebooks" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"spinekit's bundled notebook {name} is missing; reinstall spinekit")


def example_path() -> Path:
    """The bundled example programme (PDS, EPS and CIS2 for one deploying Trust)."""
    return data_dir() / _EXAMPLE


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a programme is built, then resume it.

    Reading a programme makes tens of thousands of objects that all live on (YAML values,
    validated models, tasks) and almost no reference cycles, yet each allocation burst makes
    the collector walk every object in the process again: about a fifth of reading and
    validating a 1,000-task plan, and more for each task a status block adds. Nothing cyclic is
    lost: what is unreachable is collected once collection resumes. Nested uses resume only at
    the outermost, and a collector switched off by the caller stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_programme_data(path: str | os.PathLike[str]) -> tuple[Any, str]:
    """A programme file's YAML as loaded (not yet validated), with its source name for errors.

    Raises
    ------
    ProgrammeError
        The file is missing, unreadable or not YAML; the message starts with the file name.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgrammeError("no such file; check the path", source=source) from None
    except IsADirectoryError:
        raise ProgrammeError("is a folder, not a programme file", source=source) from None
    except UnicodeDecodeError:
        raise ProgrammeError("is not UTF-8 text; save it as UTF-8 YAML", source=source) from None
    except OSError as exc:
        raise ProgrammeError(f"cannot be read: {exc.strerror}", source=source) from None
    return load_yaml(text, source=source), source


def check_output_folder(path: str | os.PathLike[str]) -> Path:
    """Make sure outputs can be written in the folder ``path`` (created later if missing).

    Nothing is created: this runs before any work, so a mistyped ``--out`` is reported at once.

    Raises
    ------
    OutputError
        ``path`` (or the nearest of its parents that exists) is a file, or is not writable.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; choose another --out")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{folder}: cannot be created because {existing} is a file; choose another --out")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: cannot write there (permission denied); choose another --out")
    return folder


def check_output_file(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Make sure ``path`` may be written: not a folder, not an existing file unless ``force``.

    Raises
    ------
    OutputError
        ``path`` is a folder, exists (without ``force``), or its folder cannot be written.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; cannot write the output there; give a file name for --out")
    if target.exists() and not force:
        raise OutputError(f"{target}: already exists; choose another --out, or add --force to replace it")
    check_output_folder(target.parent)
    return target


def _default_mode() -> int:
    """Permissions a newly created file would get (temporary files are created private)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | os.PathLike[str], content: str | bytes, *, exclusive: bool = False) -> Path:
    """Write ``content`` to ``path`` through a temporary file and a rename, never half-written.

    Parameters
    ----------
    path:
        The file to write; its folder is created if missing.
    content:
        Text (written as UTF-8, line endings as given) or bytes.
    exclusive:
        Never replace an existing file: the temporary file is hard-linked into place, which,
        unlike a rename, fails if the name is taken.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    FileExistsError
        ``exclusive`` is set and ``path`` already exists (it is left as it was).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, _default_mode())
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as fb:
                fb.write(content)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
        if exclusive:
            os.link(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        # After a rename the temporary name is already gone; after a link (or a failure) it
        # still names the file and must not be left behind.
        Path(tmp).unlink(missing_ok=True)
    return target
