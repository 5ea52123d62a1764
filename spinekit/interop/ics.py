"""The plan's key dates as iCalendar events, for a delivery lead's Outlook or Google calendar.

Two kinds of all-day event (RFC 5545, written with the ``icalendar`` library):

* each **milestone** (a task of duration 0) on its scheduled date;
* each **lead-time request** (identity, network and assurance items that NHS England or another
  body issues, and the governance long poles) on its *latest start*: the last working day on
  which it can be raised without moving the finish. The summary reads "Raise by: …".

Each event's UID is derived from the programme name and task id, so importing a newer export
updates the events rather than duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spinekit.analysis.check import HealthCheck
    from spinekit.engine.schedule import Schedule

__all__ = ["to_ics"]

PRODID = "-//spinekit//programme dates//EN"


def _uid(programme: str, kind: str, task: str) -> str:
    digest = hashlib.sha256(f"{programme}\0{kind}\0{task}".encode()).hexdigest()[:32]
    return f"{digest}@spinekit"


def to_ics(sched: Schedule, check: HealthCheck, *, stamp: dt.datetime | None = None) -> bytes:
    """An iCalendar file of ``sched``'s milestones and ``check``'s lead-time requests.

    Parameters
    ----------
    sched:
        The deterministic schedule.
    check:
        Its health check (``start_this_week`` lists the lead-time requests and their latest starts).
    stamp:
        The ``DTSTAMP`` of every event (default: now, in UTC).
    """
    from icalendar import Calendar, Event

    p = sched.programme
    when = (stamp or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{p.name}: key dates")

    def event(kind: str, task: str, summary: str, day: dt.date, description: str) -> None:
        e = Event()
        e.add("uid", _uid(p.name, kind, task))
        e.add("dtstamp", when)
        e.add("summary", summary)
        e.add("dtstart", day)
        e.add("dtend", day + dt.timedelta(days=1))
        e.add("description", description)
        e.add("categories", [kind])
        e.add("transp", "TRANSPARENT")
        cal.add_component(e)

    for row in sched.records():
        if row["duration"] == 0:
            critical = "on the critical path" if row["critical"] else f"{row['total_float']} working days of float"
            event(
                "milestone",
                row["id"],
                f"Milestone: {row['name']}",
                row["start"],
                f"{p.name}: milestone {row['id']} ({critical}).",
            )
    for item in check.start_this_week:
        owner = f" with {item.owner}" if item.owner else ""
        event(
            "request",
            item.id,
            f"Raise by: {item.name}",
            item.latest_start,
            f"{p.name}: raise {item.id}{owner} by {item.latest_start.isoformat()} at the latest; "
            f"earliest start {item.start.isoformat()}, {item.total_float} working days of float. "
            "Later than this moves the finish.",
        )
    data: bytes = cal.to_ical()
    return data
