"""Working-day calendar: UK bank holidays, closures, and working-day index <-> date."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "Closure",
    "WorkingCalendar",
    "HOLIDAY_REGIONS",
    "CalendarRangeError",
    "FIRST_YEAR",
    "LAST_YEAR",
    "TABLE_FIRST_YEAR",
    "TABLE_LAST_YEAR",
    "bank_holidays",
]

#: The calendar covers dates from the start of FIRST_YEAR to the end of LAST_YEAR.
FIRST_YEAR = 1900
LAST_YEAR = 2999


class CalendarRangeError(ValueError):
    """A working-day index falls outside the years the calendar covers."""


#: Accepted ``calendar.holidays`` values, mapped to the ``holidays`` package's UK subdivision.
HOLIDAY_REGIONS: dict[str, str | None] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}

#: Years held in the bundled table ``data/calendar/uk-bank-holidays.csv`` (written from the
#: ``holidays`` package by ``scripts/bank_holidays.py``); other years ask the package itself.
TABLE_FIRST_YEAR = 1990
TABLE_LAST_YEAR = 2080
HOLIDAY_TABLE = "calendar/uk-bank-holidays.csv"

# Working days in a year are about 252; 240 keeps the year span estimate on the safe side.
_MIN_WORKING_DAYS_PER_YEAR = 240


@dataclass(frozen=True)
class Closure:
    """A non-working period, both ends inclusive (for example a change freeze)."""

    start: dt.date
    end: dt.date
    name: str = ""


@functools.cache
def _holiday_table() -> dict[str, tuple[dt.date, ...]]:
    """The bundled bank holidays by region, sorted (a few milliseconds to read)."""
    from spinekit.model.files import data_dir

    table: dict[str, list[dt.date]] = {region: [] for region, subdiv in HOLIDAY_REGIONS.items() if subdiv}
    path = data_dir() / HOLIDAY_TABLE
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith(("#", "region,")) or not line.strip():
                continue
            region, day, _name = line.split(",", 2)
            if region not in table:
                raise ValueError(f"{path}: line {n}: unknown region {region!r}; reinstall spinekit")
            table[region].append(dt.date.fromisoformat(day))
    return {region: tuple(sorted(days)) for region, days in table.items()}


@functools.lru_cache(maxsize=64)
def bank_holidays(region: str, first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """The bank holidays of ``region`` (a :data:`HOLIDAY_REGIONS` key) in the years given, sorted."""
    subdiv = HOLIDAY_REGIONS[region]
    if subdiv is None:
        return ()
    if TABLE_FIRST_YEAR <= first_year and last_year <= TABLE_LAST_YEAR:
        lo, hi = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
        return tuple(d for d in _holiday_table()[region] if lo <= d <= hi)
    import holidays

    # ``years=`` matters: the holiday table is filled lazily and is empty without it.
    table = holidays.country_holidays("GB", subdiv=subdiv, years=range(first_year, last_year + 1))
    return tuple(sorted(table))


#: ``date.toordinal()`` of 1970-01-01, day 0 of ``datetime64[D]``.
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _day_array(days: list[dt.date]) -> np.ndarray:
    """``days`` as a ``datetime64[D]`` array.

    Through day numbers: numpy converts a list of ``date`` objects one by one, about twenty
    times slower, and a status or a large programme converts thousands.

    >>> _day_array([dt.date(2027, 1, 4), dt.date(1969, 12, 31)]).tolist()
    [datetime.date(2027, 1, 4), datetime.date(1969, 12, 31)]
    """
    ordinals = np.fromiter((d.toordinal() for d in days), dtype=np.int64, count=len(days))
    return (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")


@functools.lru_cache(maxsize=256)
def _non_working_table(
    region: str, closures: tuple[tuple[dt.date, dt.date], ...], first_year: int, last_year: int
) -> np.ndarray:
    """Bank holidays from ``first_year`` to ``last_year`` and every closure day, sorted.

    Cached on its inputs rather than per calendar: every date conversion asks for a table, and
    calendars that differ only in their start date within a year share one. The array is
    read-only because the cache hands the same one to every caller.
    """
    days = set(bank_holidays(region, first_year, last_year))
    for start, end in closures:
        days.update(start + dt.timedelta(days=k) for k in range((end - start).days + 1))
    table = _day_array(sorted(days))
    table.flags.writeable = False
    return table


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday, less the region's bank holidays and any closures.

    Working-day index 0 is the first working day on or after ``start``; index ``i`` is the
    ``i``-th working day after it (negative indices count back before it).

    Examples
    --------
    >>> cal = WorkingCalendar(dt.date(2027, 3, 24))      # a Wednesday before Easter 2027
    >>> [str(cal.date_of(i)) for i in range(4)]           # Good Friday and Easter Monday skipped
    ['2027-03-24', '2027-03-25', '2027-03-30', '2027-03-31']
    >>> cal.index_on_or_after(dt.date(2027, 3, 26))
    2
    """

    start: dt.date
    region: str = "england-and-wales"
    closures: tuple[Closure, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.region not in HOLIDAY_REGIONS:
            raise ValueError(f"unknown holiday region {self.region!r}; use one of {', '.join(HOLIDAY_REGIONS)}")

    def _holidays(self, span_years: int) -> np.ndarray:
        """Bank holidays and closure days, sorted, from ``span_years + 1`` years before the
        start's year to as many after it."""
        closures = tuple((c.start, c.end) for c in self.closures)
        first = self.start.year - span_years - 1
        last = self.start.year + span_years + 1
        return _non_working_table(self.region, closures, first, last)

    def _span_for(self, max_abs_index: float) -> int:
        return int(max_abs_index // _MIN_WORKING_DAYS_PER_YEAR) + 1

    def _holidays_for(self, max_abs_index: float) -> np.ndarray:
        span = self._span_for(max_abs_index)
        if self.start.year + span > LAST_YEAR or self.start.year - span < FIRST_YEAR:
            raise CalendarRangeError(
                f"working day {int(max_abs_index):,} from {self.start} falls outside the years {FIRST_YEAR}-{LAST_YEAR}"
            )
        return self._holidays(span)

    @functools.cached_property
    def day0(self) -> dt.date:
        """The date of working-day index 0."""
        hol = self._holidays(self._span_for(0))
        d = np.busday_offset(np.datetime64(self.start, "D"), 0, roll="forward", holidays=hol)
        day: dt.date = d.astype(dt.date)
        return day

    @overload
    def date_of(self, index: int | np.integer[Any]) -> dt.date: ...

    @overload
    def date_of(self, index: npt.ArrayLike) -> Any: ...

    def date_of(self, index: npt.ArrayLike) -> Any:
        """Date of working-day ``index`` (an int, or an integer array giving a date array)."""
        idx = np.asarray(index, dtype=np.int64)
        bound = float(np.abs(idx).max()) if idx.size else 0.0
        hol = self._holidays_for(bound)
        out = np.busday_offset(np.datetime64(self.day0, "D"), idx, holidays=hol)
        return out.astype(dt.date) if out.ndim == 0 else out

    def dates_of(self, indices: npt.ArrayLike) -> list[dt.date]:
        """Dates of several working-day indices, as a list of ``datetime.date``."""
        arr = np.asarray(indices, dtype=np.int64)
        return [d.astype(dt.date) for d in np.atleast_1d(self.date_of(arr))]

    def _index(self, when: dt.date, roll: Literal["forward", "backward"]) -> int:
        years = abs(when.year - self.start.year) + 1
        hol = self._holidays(years)
        rolled = np.busday_offset(np.datetime64(when, "D"), 0, roll=roll, holidays=hol)
        return int(np.busday_count(np.datetime64(self.day0, "D"), rolled, holidays=hol))

    def index_on_or_after(self, when: dt.date) -> int:
        """Index of the first working day on or after ``when``."""
        return self._index(when, "forward")

    def indices(self, days: list[dt.date], roll: Literal["forward", "backward"]) -> npt.NDArray[np.int64]:
        """:meth:`index_on_or_after` (``roll="forward"``) or :meth:`index_on_or_before`
        (``"backward"``) of many dates at once."""
        if not days:
            return np.zeros(0, dtype=np.int64)
        # Dates repeat (many tasks share a date or a deadline): convert each once.
        distinct = list(dict.fromkeys(days))
        years = max(abs(min(distinct).year - self.start.year), abs(max(distinct).year - self.start.year)) + 1
        hol = self._holidays(years)
        rolled = np.busday_offset(_day_array(distinct), 0, roll=roll, holidays=hol)
        found = np.busday_count(np.datetime64(self.day0, "D"), rolled, holidays=hol).astype(np.int64).tolist()
        at = dict(zip(distinct, found))
        return np.array([at[d] for d in days], dtype=np.int64)

    def index_on_or_before(self, when: dt.date) -> int:
        """Index of the last working day on or before ``when``."""
        return self._index(when, "backward")

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days from ``a`` to ``b``: positive when ``b`` is later, negative when earlier.

        Each date counts as the last working day on or before it, so a weekend or holiday
        counts as the working day before it.

        Examples
        --------
        >>> cal = WorkingCalendar(dt.date(2027, 3, 22))
        >>> cal.working_days_between(dt.date(2027, 3, 24), dt.date(2027, 3, 31))   # Easter skipped
        3
        >>> cal.working_days_between(dt.date(2027, 3, 29), dt.date(2027, 3, 26))   # Monday is a holiday
        0
        >>> cal.working_days_between(dt.date(2027, 3, 31), dt.date(2027, 3, 24))
        -3
        """
        return self.index_on_or_before(b) - self.index_on_or_before(a)

    def is_working_day(self, when: dt.date) -> bool:
        """Whether ``when`` is a working day in this calendar."""
        years = abs(when.year - self.start.year) + 1
        return bool(np.is_busday(np.datetime64(when, "D"), holidays=self._holidays(years)))

    def non_working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Bank holidays and closure days between ``first`` and ``last`` that fall on weekdays."""
        years = max(abs(first.year - self.start.year), abs(last.year - self.start.year)) + 1
        hol = self._holidays(years)
        lo, hi = np.datetime64(first, "D"), np.datetime64(last, "D")
        sel = hol[(hol >= lo) & (hol <= hi)]
        sel = sel[np.is_busday(sel)]
        return [d.astype(dt.date) for d in sel]
