"""Freshness: how old the sources behind a plan's lead times are, and what the plan must renew.

A task rests on the sources its ``basis`` cites (``[S24]``); each source in
``data/catalogue/sources.yaml`` has an as-of date, and some are marked ``reverify`` because their
figures are known to move. :func:`old_sources` finds the critical tasks resting on a source older
than an age limit (the ``source-age`` rule of ``spinekit check``); :func:`reverify_table` lists the
critical and near-critical tasks to re-verify before a date is committed (the steering report).
``data/catalogue/renewals.yaml`` gives what a plan renews while it runs: the annual DSPT
republication deadline (:func:`republication_dates`) and credential validity.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from spinekit.catalogue.load import BASES, Catalogue, Provenance, Source, load_catalogue
from spinekit.engine.schedule import Schedule
from spinekit.model.errors import CatalogueError

__all__ = [
    "SOURCE_AGE_DAYS",
    "NEAR_CRITICAL_DAYS",
    "REVERIFY_COLUMNS",
    "SourceUse",
    "CredentialValidity",
    "Renewals",
    "cited_sources",
    "source_uses",
    "old_sources",
    "reverify_table",
    "renewals",
    "parse_renewals",
    "republication_dates",
]

#: Calendar days after which a source's figures are old enough to re-check (``check --source-age``).
SOURCE_AGE_DAYS = 365
#: Working days of total float within which a task counts as near-critical in the report.
NEAR_CRITICAL_DAYS = 10
#: Columns of :func:`reverify_table`.
REVERIFY_COLUMNS = ("task", "name", "total float", "source", "as of", "why")

_CITED = re.compile(r"\[(S\d+[a-z]?)\]")


def cited_sources(basis: str | None) -> tuple[str, ...]:
    """The source ids a task's ``basis`` cites, once each, in order.

    >>> cited_sources("published [S33][S15]: allow a minimum of 2 weeks; see [S33]")
    ('S33', 'S15')
    >>> cited_sources(None)
    ()
    """
    return tuple(dict.fromkeys(_CITED.findall(basis or "")))


@dataclass(frozen=True)
class SourceUse:
    """A task resting on a catalogue source: its as-of date and age on the day of the check."""

    task: str
    source: Source
    age: int

    def describe(self) -> str:
        """``"S24, as of 2025-05-19 (stated), 563 days old"``."""
        assert self.source.as_of is not None
        return f"{self.source.id}, as of {self.source.as_of.label} ({self.source.as_of.basis}), {self.age} days old"


def _finished(schedule: Schedule) -> set[str]:
    status = schedule.programme.status
    if status is None:
        return set()
    return {t.id for t in schedule.programme.tasks if (got := status.progress(t.id)) is not None and got.finish}


def source_uses(
    schedule: Schedule,
    *,
    as_of: dt.date,
    tasks: Iterable[str] | None = None,
    catalogue: Catalogue | None = None,
) -> list[SourceUse]:
    """Each (task, catalogue source) pair where the task's basis cites the source, in plan order.

    Tasks already finished at the status date are left out: their figures no longer decide a
    date. Ids the catalogue does not know are left out too (the appendix lists them).

    Parameters
    ----------
    schedule:
        The scheduled plan.
    as_of:
        The day the ages are counted to (the status date, or today).
    tasks:
        Only these task ids (default: every task).
    catalogue:
        The catalogue whose sources are meant (default: the bundled one).
    """
    known = {s.id: s for s in (catalogue or load_catalogue()).sources}
    wanted = None if tasks is None else set(tasks)
    done = _finished(schedule)
    out = []
    for t in schedule.programme.tasks:
        if (wanted is not None and t.id not in wanted) or t.id in done:
            continue
        for sid in cited_sources(t.basis):
            src = known.get(sid)
            if src is not None and src.as_of is not None:
                out.append(SourceUse(t.id, src, (as_of - src.as_of.date).days))
    return out


def old_sources(
    schedule: Schedule,
    *,
    as_of: dt.date,
    max_age: int = SOURCE_AGE_DAYS,
    catalogue: Catalogue | None = None,
) -> list[SourceUse]:
    """Critical tasks resting on a source more than ``max_age`` calendar days old on ``as_of``.

    Examples
    --------
    >>> import datetime as dt
    >>> from spinekit import Duration, Programme, Task, WorkingCalendar, schedule
    >>> p = Programme("x", WorkingCalendar(dt.date(2027, 1, 4), "none"), (
    ...     Task("ptl", "Path to Live access", Duration.fixed(5), basis="published [S24]: news"),))
    >>> [u.describe() for u in old_sources(schedule(p), as_of=dt.date(2026, 5, 20))]
    ['S24, as of 2025-05-19 (stated), 366 days old']
    """
    critical = schedule.table.loc[schedule.table["critical"], "id"]
    return [u for u in source_uses(schedule, as_of=as_of, tasks=critical, catalogue=catalogue) if u.age > max_age]


def reverify_table(
    schedule: Schedule,
    *,
    as_of: dt.date,
    max_age: int = SOURCE_AGE_DAYS,
    near_critical: int = NEAR_CRITICAL_DAYS,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """Figures to re-verify before committing a date: one row per task and source.

    A row for each critical or near-critical task (total float of ``near_critical`` working
    days or less) that rests on a source older than ``max_age`` days on ``as_of`` or marked
    ``reverify`` in the catalogue. Rows run from the least float, then the earliest start.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REVERIFY_COLUMNS`: task id and name, total float in working days, the
        source id, its as-of date and basis, and why it needs re-verifying.
    """
    table = schedule.table.set_index("id")
    near = table.index[table["total_float"] <= near_critical]
    rows = []
    for u in source_uses(schedule, as_of=as_of, tasks=near, catalogue=catalogue):
        why = []
        if u.source.reverify:
            why.append(f"its figures move: {u.source.reverify}")
        if u.age > max_age:
            why.append(f"{u.age} days old on {as_of}, more than {max_age}")
        if not why:
            continue
        assert u.source.as_of is not None
        rows.append(
            (
                int(table.at[u.task, "total_float"]),
                int(table.at[u.task, "es"]),
                {
                    "task": u.task,
                    "name": table.at[u.task, "name"],
                    "total float": int(table.at[u.task, "total_float"]),
                    "source": u.source.id,
                    "as of": f"{u.source.as_of.label} ({u.source.as_of.basis})",
                    "why": "; ".join(why),
                },
            )
        )
    rows.sort(key=lambda r: (r[0], r[1]))  # stable: the plan's task order, then the cited order
    return pd.DataFrame([r[2] for r in rows], columns=list(REVERIFY_COLUMNS))


# --- renewals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialValidity:
    """How long a credential of ``kind`` stays valid once issued, and where that figure comes from."""

    kind: str
    name: str
    validity_days: int
    basis: str


@dataclass(frozen=True)
class Renewals:
    """What a plan renews while it runs: the DSPT republication deadline and credential validity."""

    dspt_kinds: frozenset[str]
    dspt_deadline: tuple[int, int]
    dspt_basis: str
    credentials: tuple[CredentialValidity, ...]

    def credential(self, kind: str | None) -> CredentialValidity | None:
        """The validity of credentials of ``kind``, or None when it is not a credential."""
        return next((c for c in self.credentials if c.kind == kind), None)


def _basis(raw: Any, source: str, entry: str, sources: set[str]) -> str:
    def bad(message: str, field: str) -> CatalogueError:
        return CatalogueError(message, source=source, entry=entry, field=field)

    if not isinstance(raw, dict):
        raise bad("needs basis, sources and note", "provenance")
    basis, cited, note = raw.get("basis"), raw.get("sources", []), raw.get("note")
    if basis not in BASES:
        raise bad(f"unknown basis {basis!r}; use one of {', '.join(BASES)}", "provenance.basis")
    if not isinstance(cited, list):
        raise bad(f"expected a list of source ids such as [S52], got {cited!r}", "provenance.sources")
    unknown = [s for s in cited if s not in sources]
    if unknown:
        raise bad(f"unknown source {unknown[0]!r}; cite ids listed in sources.yaml", "provenance.sources")
    if basis != "estimate" and not cited:
        raise bad(f"a {basis} figure must cite its sources", "provenance.sources")
    if not isinstance(note, str) or not note.strip():
        raise bad("give the quote or the reasoning", "provenance.note")
    return Provenance(basis, tuple(cited), " ".join(note.split())).describe()


def parse_renewals(raw: Any, source: str, sources: Iterable[str]) -> Renewals:
    """Validate loaded ``renewals.yaml`` data; ``sources`` are the source ids it may cite.

    Raises
    ------
    CatalogueError
        An entry is malformed; the message names the file (``source``), the entry and the field.
    """
    known = set(sources)
    if not isinstance(raw, dict) or not isinstance(raw.get("dspt"), dict):
        raise CatalogueError("needs a 'dspt' mapping; see the file's header comment", source=source)
    dspt = raw["dspt"]
    kinds = dspt.get("kinds")
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise CatalogueError("list the task kinds that are a DSPT", source=source, entry="dspt", field="kinds")
    when = dspt.get("deadline")
    try:
        deadline = (int(when["month"]), int(when["day"]))
        dt.date(2001, *deadline)  # a day every year has, so never 29 February
    except (TypeError, KeyError, ValueError):
        raise CatalogueError(
            f"expected a day of the year such as {{month: 6, day: 30}}, got {when!r}",
            source=source,
            entry="dspt",
            field="deadline",
        ) from None
    creds = []
    for k, c in enumerate(raw.get("credentials") or []):
        entry = str(c.get("kind")) if isinstance(c, dict) else f"credentials[{k}]"
        if not isinstance(c, dict) or not isinstance(c.get("kind"), str) or not isinstance(c.get("name"), str):
            raise CatalogueError("needs kind and name", source=source, entry=entry)
        days = c.get("validity_days")
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise CatalogueError(
                f"expected a whole number of calendar days above 0, got {days!r}",
                source=source,
                entry=entry,
                field="validity_days",
            )
        basis = _basis(c.get("provenance"), source, entry, known)
        creds.append(CredentialValidity(c["kind"], c["name"], days, basis))
    return Renewals(frozenset(kinds), deadline, _basis(dspt.get("provenance"), source, "dspt", known), tuple(creds))


@functools.cache
def renewals() -> Renewals:
    """The bundled ``data/catalogue/renewals.yaml``, validated (see :func:`parse_renewals`)."""
    from spinekit.model.files import read_bundled

    raw, source = read_bundled("catalogue/renewals.yaml")
    return parse_renewals(raw, source, (s.id for s in load_catalogue().sources))


def republication_dates(
    published: dt.date,
    until: dt.date,
    deadline: tuple[int, int] = (6, 30),
    *,
    in_place: bool = False,
) -> list[dt.date]:
    """The yearly deadlines (month, day) by which a DSPT published on ``published`` is republished.

    A DSPT published during a DSPT year meets that year's deadline, the first on or after
    ``published``; every later deadline up to ``until`` needs a republication. One already
    ``in_place`` (held before the plan starts) was published in an earlier year, so it is
    republished by every deadline after ``published``.

    >>> republication_dates(dt.date(2027, 3, 12), dt.date(2028, 7, 3))
    [datetime.date(2028, 6, 30)]
    >>> republication_dates(dt.date(2027, 3, 12), dt.date(2028, 6, 29))
    []
    >>> republication_dates(dt.date(2027, 1, 4), dt.date(2027, 7, 1), in_place=True)
    [datetime.date(2027, 6, 30)]
    """
    days = [dt.date(y, *deadline) for y in range(published.year, until.year + 1)]
    after = [d for d in days if d > published or (d == published and not in_place)]
    due = after if in_place else after[1:]
    return [d for d in due if d <= until]
