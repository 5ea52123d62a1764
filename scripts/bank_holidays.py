"""Write ``data/calendar/uk-bank-holidays.csv`` from the ``holidays`` package.

spinekit's working-day calendars read UK bank holidays from that table, which loads in a few
milliseconds; years outside it fall back to the ``holidays`` package at run time. Re-run this
script when the package gains a newly announced holiday (a royal occasion, say), and commit
the table with the as-of date it writes:

    uv run python scripts/bank_holidays.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import holidays

from spinekit.model.calendar import HOLIDAY_REGIONS, TABLE_FIRST_YEAR, TABLE_LAST_YEAR

OUT = Path(__file__).resolve().parent.parent / "data" / "calendar" / "uk-bank-holidays.csv"


def main() -> int:
    lines = [
        "# UK bank holidays by region, read by spinekit's working-day calendars.",
        f"# Source: the python-holidays package {holidays.__version__} (country GB, subdivisions ENG, SCT, NIR),",
        "# which follows GOV.UK's published bank holidays (https://www.gov.uk/bank-holidays) and the",
        "# Banking and Financial Dealings Act 1971 rules for years not yet published.",
        f"# As of: {dt.date.today().isoformat()}. Years {TABLE_FIRST_YEAR}-{TABLE_LAST_YEAR};"
        " other years come from the package.",
        "# One-off holidays announced after the as-of date are not in it: regenerate with",
        "# scripts/bank_holidays.py.",
        "region,date,name",
    ]
    years = range(TABLE_FIRST_YEAR, TABLE_LAST_YEAR + 1)
    for region, subdiv in HOLIDAY_REGIONS.items():
        if subdiv is None:
            continue
        table = holidays.country_holidays("GB", subdiv=subdiv, years=years)
        for day in sorted(table):
            name = table.get(day).replace(",", ";").replace('"', "'")
            lines.append(f"{region},{day.isoformat()},{name}")
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(OUT)
    print(f"{OUT}: {len(lines) - 8} holidays")
    return 0


if __name__ == "__main__":
    sys.exit(main())
