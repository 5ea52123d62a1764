"""All spinekit exceptions, in one place.

The tree::

    SpinekitError
    ├── ProgrammeError (ValueError)        invalid programme file or programme data
    │   ├── CycleError                     the dependencies form a cycle; ``.cycle`` holds it
    │   └── UnknownTaskError (KeyError)    a reference to a task id that does not exist
    ├── CatalogueError (ValueError)        invalid catalogue data (services, items, sources)
    ├── ExportError (RuntimeError)         a plan cannot be expressed in an export format
    ├── HistoryError (RuntimeError)        the history database cannot be read or written
    ├── OutputError (OSError)              an output cannot go where asked (exists, not writable)
    ├── FigureExportError (RuntimeError)   a figure cannot be written as a static image
    └── NothingToChange                    a scenario preset finds nothing to change; ``.reason``

Every message names where the problem is (file, task id, field) and, where one exists, a fix.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Sequence

__all__ = [
    "SpinekitError",
    "ProgrammeError",
    "CycleError",
    "UnknownTaskError",
    "CatalogueError",
    "ExportError",
    "NothingToChange",
    "HistoryError",
    "OutputError",
    "FigureExportError",
    "closest",
    "short_repr",
]

#: The longest a value quoted in an error message may be (a hostile file must not flood the terminal).
SHORT_REPR_LIMIT = 60

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = SHORT_REPR_LIMIT
_REPR.maxother = SHORT_REPR_LIMIT
_REPR.maxlong = 24
for _attr in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _attr, 4)


def short_repr(value: object, limit: int = SHORT_REPR_LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters, never building the whole of a large value.

    >>> short_repr("pds")
    "'pds'"
    >>> short_repr(list(range(1000)))
    '[0, 1, 2, 3, ...]'
    >>> len(short_repr("x" * 10_000)) <= 60
    True
    """
    # Strings are cut at the end, so the start of a long id or path stays readable.
    text = repr(value[: limit + 1]) if isinstance(value, str) else _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate nearest to ``word`` in spelling, or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], otherwise: str = "", lead: str = "") -> str:
    """The fix to suggest for an unknown ``word``: "did you mean 'x'?", else ``otherwise``.

    ``lead`` goes in front of whichever is given (for example ``"; "`` to append the fix to a
    message); nothing at all comes back when there is no close candidate and no ``otherwise``.

    >>> did_you_mean("strat", ["start", "name"], lead="; ")
    "; did you mean 'start'?"
    >>> did_you_mean("xyz", ["start"], "use start")
    'use start'
    >>> did_you_mean("xyz", ["start"], lead="; ")
    ''
    >>> did_you_mean("smoke-test", ["smoke-test-pds", "smoke-test-eps"])
    "did you mean one of 'smoke-test-pds', 'smoke-test-eps'?"
    """
    candidates = list(candidates)
    # An id now repeated per service (`smoke-test` became `smoke-test-pds`, `smoke-test-eps`)
    # suggests every repeat.
    repeats = [c for c in candidates if c.startswith(f"{word}-")]
    if len(repeats) > 1:
        shown = ", ".join(repr(c) for c in repeats[:6]) + (" ..." if len(repeats) > 6 else "")
        return f"{lead}did you mean one of {shown}?"
    hint = closest(word, candidates)
    fix = f"did you mean {hint!r}?" if hint else otherwise
    return lead + fix if fix else ""


class SpinekitError(Exception):
    """Root of every error spinekit raises on purpose."""


class ProgrammeError(SpinekitError, ValueError):
    """A programme (file or in-memory data) is invalid.

    Parameters
    ----------
    message:
        What is wrong and how to fix it.
    source:
        The file (or other origin) being read, if any.
    task:
        The id of the task at fault, if any.
    field:
        The field at fault, if any (for example ``duration`` or ``depends_on[1].lag``).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        task: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.task = task
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.task is not None:
            where.append(f"task {short_repr(self.task)}")
        if self.field:
            where.append(f"field {short_repr(self.field, 300)}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def with_source(self, source: str) -> ProgrammeError:
        """Return the same error with ``source`` filled in (used by file readers)."""
        if self.source is None:
            self.source = source
            self.args = (self._render(),)
        return self


class CycleError(ProgrammeError):
    """The dependency network contains a cycle; ``cycle`` lists it, first id repeated last."""

    def __init__(self, cycle: Sequence[str], *, source: str | None = None) -> None:
        self.cycle = list(cycle)
        path = " -> ".join(self.cycle)
        super().__init__(
            f"dependency cycle {path}; remove one of these links from depends_on",
            source=source,
            task=self.cycle[0] if self.cycle else None,
            field="depends_on",
        )


class UnknownTaskError(ProgrammeError, KeyError):
    """A task id is referenced but never defined."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class ExportError(SpinekitError, RuntimeError):
    """A programme cannot be written in the requested export format."""


class HistoryError(SpinekitError, RuntimeError):
    """A programme's history database is unreachable, foreign, newer than spinekit, or busy."""


class OutputError(SpinekitError, OSError):
    """An output cannot be written where asked: the file exists (and ``--force`` was not given),
    the folder is a file, or the place is not writable. Raised before any work is done."""


class FigureExportError(SpinekitError, RuntimeError):
    """A figure cannot be written as a static image (for example, no Chromium to render it)."""


class NothingToChange(SpinekitError):
    """A scenario preset has nothing to change in this programme; ``reason`` says why.

    Not a failure: the scenario keeps the programme as it is and carries ``reason`` as its note.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CatalogueError(SpinekitError, ValueError):
    """The Spine catalogue (services, items or sources data) is invalid.

    Parameters
    ----------
    message:
        What is wrong and how to fix it.
    source:
        The catalogue file at fault, if known.
    entry:
        The id of the entry at fault (a service, item or source), if any.
    field:
        The field at fault within the entry, if any (for example ``lead_time.max``).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        entry: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.entry = entry
        self.field = field
        where = [str(source)] if source else []
        if entry is not None:
            where.append(f"entry {short_repr(entry)}")
        if field:
            where.append(f"field {short_repr(field, 300)}")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
