"""The bundled bank-holiday table against the ``holidays`` package and GOV.UK's published dates."""

import datetime as dt

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinekit.model.calendar import (
    HOLIDAY_REGIONS,
    TABLE_FIRST_YEAR,
    TABLE_LAST_YEAR,
    WorkingCalendar,
    bank_holidays,
)

D = dt.date


def package(region, first, last):
    table = holidays.country_holidays("GB", subdiv=HOLIDAY_REGIONS[region], years=range(first, last + 1))
    return tuple(sorted(table))


@pytest.mark.parametrize("region", ["england-and-wales", "scotland", "northern-ireland"])
def test_the_table_holds_what_the_package_says_for_every_year(region):
    assert bank_holidays(region, TABLE_FIRST_YEAR, TABLE_LAST_YEAR) == package(
        region, TABLE_FIRST_YEAR, TABLE_LAST_YEAR
    )


@pytest.mark.parametrize("first,last", [(1985, 1992), (2078, 2083), (2300, 2301)])
def test_years_beyond_the_table_come_from_the_package(first, last):
    assert bank_holidays("scotland", first, last) == package("scotland", first, last)


def weekdays(days):
    return tuple(d for d in days if d.weekday() < 5)


def test_2027_as_gov_uk_publishes_it():
    # https://www.gov.uk/bank-holidays (England and Wales; Scotland); the table also holds the
    # weekend days that the substitute days stand in for, which no working day falls on.
    assert weekdays(bank_holidays("england-and-wales", 2027, 2027)) == (
        D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3),
        D(2027, 5, 31), D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28),
    )  # fmt: skip
    assert weekdays(bank_holidays("scotland", 2027, 2027)) == (
        D(2027, 1, 1), D(2027, 1, 4), D(2027, 3, 26), D(2027, 5, 3), D(2027, 5, 31),
        D(2027, 8, 2), D(2027, 11, 30), D(2027, 12, 27), D(2027, 12, 28),
    )  # fmt: skip
    assert bank_holidays("none", 2027, 2027) == ()


def test_one_off_holidays_are_in_the_table():
    for region in ("england-and-wales", "scotland", "northern-ireland"):
        days = bank_holidays(region, 2022, 2023)
        assert D(2022, 9, 19) in days and D(2023, 5, 8) in days  # state funeral, coronation


def test_a_calendar_skips_the_table_s_holidays():
    cal = WorkingCalendar(D(2023, 5, 4))  # Thursday before the coronation bank holiday
    assert [str(cal.date_of(i)) for i in range(4)] == ["2023-05-04", "2023-05-05", "2023-05-09", "2023-05-10"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), max_size=30),
    st.sampled_from(["england-and-wales", "scotland", "none"]),
)
def test_indices_of_many_dates_match_one_at_a_time(days, region):
    from spinekit import WorkingCalendar as Calendar

    cal = Calendar(dt.date(2027, 1, 4), region)
    assert cal.indices(days, "forward").tolist() == [cal.index_on_or_after(d) for d in days]
    assert cal.indices(days, "backward").tolist() == [cal.index_on_or_before(d) for d in days]


def test_non_working_days_are_the_weekday_holidays_and_closure_days_exactly():
    from spinekit.model.calendar import Closure

    # Christmas 2027 falls on a Saturday: Christmas Day (25th) and Boxing Day (26th) are
    # weekend days, replaced by Monday 27 and Tuesday 28 December; New Year's Day 2028 is a
    # Saturday, replaced by Monday 3 January. Scotland adds 2 January (a Sunday), observed on
    # Tuesday 4 January. A closure from Saturday 8 to Monday 10 January adds only the Monday.
    first, last = dt.date(2027, 12, 20), dt.date(2028, 1, 14)
    ew = WorkingCalendar(dt.date(2027, 12, 1))
    assert ew.non_working_days(first, last) == [dt.date(2027, 12, 27), dt.date(2027, 12, 28), dt.date(2028, 1, 3)]
    scot = WorkingCalendar(
        dt.date(2027, 12, 1), "scotland", (Closure(dt.date(2028, 1, 8), dt.date(2028, 1, 10), "move"),)
    )
    assert scot.non_working_days(first, last) == [
        dt.date(2027, 12, 27),
        dt.date(2027, 12, 28),
        dt.date(2028, 1, 3),
        dt.date(2028, 1, 4),
        dt.date(2028, 1, 10),
    ]
